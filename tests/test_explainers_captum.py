"""Captum-backed explainers: equal to captum itself, and the explainer contract
over every explainer of this family (plus RandomExplainer, AFO, FIT and TSR)."""

import joblib
import numpy as np
import pytest
import torch
from _explainer_fixtures import ReluNet, fitted_gru, frozen_gru, make_panel
from captum import attr
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils import check_random_state
from skorch import NeuralNetClassifier

from sklearn_tsx.explainers import (
    FIT,
    AugmentedFeatureOcclusion,
    DeepLift,
    DeepLiftShap,
    FeatureAblation,
    FeatureOcclusion,
    FeaturePermutation,
    GradientShap,
    IntegratedGradients,
    Lime,
    RandomExplainer,
    Saliency,
    ShapleyValueSampling,
    SmoothGrad,
    TemporalSaliencyRescaling,
)
from sklearn_tsx.models import GRUClassifier
from sklearn_tsx.preprocessing import TimeSeriesStandardScaler

GRADIENT = [Saliency, IntegratedGradients, SmoothGrad, DeepLift, GradientShap, DeepLiftShap]
PERTURBATION = [FeatureOcclusion, FeatureAblation, FeaturePermutation,
                ShapleyValueSampling, Lime]
SMALL = {IntegratedGradients: {"n_steps": 8}, ShapleyValueSampling: {"n_samples": 3},
         Lime: {"n_samples": 20}, GradientShap: {"n_baselines": 3},
         DeepLiftShap: {"n_baselines": 3}, SmoothGrad: {"n_samples": 3},
         AugmentedFeatureOcclusion: {"n_samples": 2},
         FIT: {"n_samples": 2, "max_epochs": 2}}


def _make(cls, model, **params):
    if cls is TemporalSaliencyRescaling:
        return cls(Saliency(model), **params)
    return cls(model, **{**SMALL.get(cls, {}), **params})


def _first_seed(random_state):
    """The seed BaseExplainer gives the first batch."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max, size=1)[0])


# --- equal to a direct captum call -------------------------------------------

def _direct(method, X, target, seed, **kwargs):
    torch.manual_seed(seed)
    x = torch.as_tensor(X)
    return method.attribute(x, target=torch.as_tensor(target), **kwargs).detach().numpy()


def test_deterministic_methods_equal_captum():
    model, X, target = ReluNet(), make_panel(), np.array([0, 1, 0, 1, 1, 0])
    cases = [
        (Saliency(model), attr.Saliency(model), {}),
        (Saliency(model, absolute=False), attr.Saliency(model), {"abs": False}),
        (IntegratedGradients(model, n_steps=16, baselines=0.5),
         attr.IntegratedGradients(model), {"n_steps": 16, "baselines": 0.5}),
        (DeepLift(model), attr.DeepLift(model), {"baselines": 0.0}),
        (FeatureOcclusion(model, window=3, stride=2, baselines="zeros"), attr.Occlusion(model),
         {"sliding_window_shapes": (3, 3), "strides": (1, 2), "baselines": 0.0}),
        (FeatureAblation(model, feature_mask="time", baselines="zeros"),
         attr.FeatureAblation(model),
         {"feature_mask": torch.arange(8).expand(1, 3, 8), "baselines": 0.0}),
    ]
    for ours, theirs, kwargs in cases:
        got = ours.fit(X).explain(X, target=target)
        np.testing.assert_allclose(got, _direct(theirs, X, target, 0, **kwargs),
                                   rtol=1e-5, atol=1e-6, err_msg=type(ours).__name__)


def test_mean_baseline_is_learned_in_fit():
    model, X, X_train = ReluNet(), make_panel(), make_panel(20, seed=1)
    explainer = IntegratedGradients(model, baselines="mean", n_steps=8).fit(X_train)
    np.testing.assert_allclose(explainer.baseline_, X_train.mean(axis=0))
    expected = _direct(attr.IntegratedGradients(model), X, np.zeros(6, int), 0, n_steps=8,
                       baselines=torch.as_tensor(X_train.mean(axis=0))[None].expand(6, 3, 8))
    np.testing.assert_allclose(explainer.explain(X, target=0), expected, rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("cls", [FeatureOcclusion, FeatureAblation, ShapleyValueSampling])
def test_perturbation_methods_default_to_the_mean_training_series(cls):
    model, X, X_train = ReluNet(), make_panel(), make_panel(20, seed=1)
    default = cls(model, random_state=0).fit(X_train)
    np.testing.assert_allclose(default.baseline_, X_train.mean(axis=0))
    mean = cls(model, baselines="mean", random_state=0).fit(X_train)
    zeros = cls(model, baselines="zeros", random_state=0).fit(X_train)
    S = default.explain(X, target=0)
    np.testing.assert_array_equal(S, mean.explain(X, target=0))
    assert not np.allclose(S, zeros.explain(X, target=0))


def test_shap_over_a_constant_baseline_is_deeplift():
    model, X = ReluNet(), make_panel()
    # as many baselines as samples: the distribution must stay a distribution
    shap = DeepLiftShap(model, baselines="zeros", n_baselines=6).fit(X).explain(X, target=1)
    np.testing.assert_allclose(shap, DeepLift(model).fit(X).explain(X, target=1),
                               rtol=1e-5, atol=1e-6)


def test_random_methods_equal_captum_under_the_batch_seed():
    model, X, target = ReluNet(), make_panel(), np.array([0, 1, 0, 1, 1, 0])
    seed = _first_seed(3)
    train = make_panel(10, seed=2)

    got = SmoothGrad(model, n_samples=4, stdevs=0.3, random_state=3).fit(X).explain(X, target)
    expected = _direct(attr.NoiseTunnel(attr.Saliency(model)), X, target, seed,
                       nt_type="smoothgrad", nt_samples=4, stdevs=0.3, abs=True)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)

    got = DeepLiftShap(model, n_baselines=4, random_state=3).fit(train).explain(X, target)
    baselines = torch.as_tensor(train[np.random.default_rng(seed).integers(10, size=4)])
    expected = _direct(attr.DeepLiftShap(model), X, target, seed, baselines=baselines)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)

    got = GradientShap(model, n_baselines=4, n_samples=3, stdevs=0.1,
                       random_state=3).fit(train).explain(X, target)
    # captum draws GradientShap's path points from numpy's global generator
    batch_rng = np.random.default_rng(seed)
    np.random.seed(int(batch_rng.integers(2**32)))  # noqa: NPY002
    baselines = torch.as_tensor(train[batch_rng.integers(10, size=4)])
    expected = _direct(attr.GradientShap(model), X, target, seed, baselines=baselines,
                       n_samples=3, stdevs=0.1)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)

    got = ShapleyValueSampling(model, n_samples=3, feature_mask="channel", baselines="zeros",
                               random_state=3).fit(X).explain(X, target)
    expected = _direct(attr.ShapleyValueSampling(model), X, target, seed, n_samples=3,
                       baselines=0.0,
                       feature_mask=torch.arange(3)[:, None].expand(1, 3, 8).contiguous(),
                       perturbations_per_eval=10)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)

    got = FeaturePermutation(model, random_state=3).fit(X).explain(X, target)
    expected = _direct(attr.FeaturePermutation(model), X, target, seed,
                       perturbations_per_eval=10)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)

    got = Lime(model, n_samples=30, feature_mask="time", random_state=3).fit(X).explain(
        X, target)
    # Lime's surrogate: captum's default Lasso, fitted to the standardised outputs
    from sklearn.linear_model import Lasso

    from sklearn_tsx.explainers._captum_perturbation import (
        _CaptumSurrogate,
        _StandardisedTarget,
    )

    surrogate = _CaptumSurrogate(_StandardisedTarget(Lasso(alpha=0.01)))
    expected = _direct(attr.Lime(model, interpretable_model=surrogate), X, target, seed,
                       n_samples=30, baselines=0.0,
                       feature_mask=torch.arange(8).expand(1, 3, 8).contiguous(),
                       perturbations_per_eval=64)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_sequence_model_targets_are_step_output_pairs():
    class Cumulative(torch.nn.Module):
        def forward(self, x):
            return (2 * x[:, 0] + x[:, 1] ** 2).cumsum(-1)[..., None]

    X = make_panel()
    got = Saliency(Cumulative(), absolute=False).fit(X).explain(X, target=[3, 3, 3, 5, 5, 5])
    steps = np.arange(8)[None] <= np.array([3, 3, 3, 5, 5, 5])[:, None]
    np.testing.assert_allclose(got[:, 0], 2.0 * steps)
    np.testing.assert_allclose(got[:, 1], 2 * X[:, 1] * steps, rtol=1e-6)
    np.testing.assert_array_equal(got[:, 2], 0.0)


# --- the contract, over every explainer ---------------------------------------

ALL = GRADIENT + PERTURBATION + [RandomExplainer, AugmentedFeatureOcclusion, FIT,
                                 TemporalSaliencyRescaling]


@pytest.fixture(scope="module")
def model():
    return frozen_gru()


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__name__)
def test_contract(cls, model):
    X_train, X = make_panel(12, seed=1), make_panel()
    X_before = X.copy()
    explainer = _make(cls, model, random_state=0).fit(X_train)
    S = explainer.explain(X)
    assert S.shape == X.shape and S.dtype == np.float32 and np.isfinite(S).all()
    np.testing.assert_array_equal(X, X_before)
    if cls is not RandomExplainer:
        assert np.abs(S).sum() > 0
    Z = explainer.transform(X)
    names = explainer.get_feature_names_out()
    assert Z.shape == (6, 24) and names.shape == (24,) and names[1] == "c0_t1"
    np.testing.assert_array_equal(Z, S.reshape(6, -1))
    again = clone(explainer).fit(X_train).explain(X)
    np.testing.assert_array_equal(S, again)


N_JOBS_CLASSES = [Saliency, SmoothGrad, FeatureAblation, Lime, AugmentedFeatureOcclusion,
                  TemporalSaliencyRescaling]


def _explain_all(model, X, n_jobs):
    return [_make(cls, model, batch_size=2, random_state=0, n_jobs=n_jobs).fit(X).explain(X)
            for cls in N_JOBS_CLASSES]


def test_threads_and_dask_give_identical_attributions(model):
    from distributed import Client, LocalCluster

    X = make_panel(5)
    one = _explain_all(model, X, 1)
    with joblib.parallel_config(backend="threading"):
        threads = _explain_all(model, X, 2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      dashboard_address=None) as cluster, Client(cluster):
        with joblib.parallel_config(backend="dask"):
            on_dask = _explain_all(model, X, 2)
    for cls, a, b, c in zip(N_JOBS_CLASSES, one, threads, on_dask):
        np.testing.assert_array_equal(a, b, err_msg=cls.__name__)
        np.testing.assert_array_equal(a, c, err_msg=cls.__name__)


@pytest.mark.slow
def test_process_workers_give_identical_attributions(model):
    X = make_panel(5)
    # loky workers run torch with their own thread count, which may change the
    # float summation order: equal up to rounding
    for cls, a, b in zip(N_JOBS_CLASSES, _explain_all(model, X, 1),
                         _explain_all(model, X, 2)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7, err_msg=cls.__name__)


# --- accepted models ----------------------------------------------------------

def _skorch_net():
    X = make_panel(12)
    y = (X[:, 0].mean(axis=1) > 0).astype(np.int64)
    net = NeuralNetClassifier(ReluNet, max_epochs=1, train_split=None, verbose=0,
                              criterion=torch.nn.CrossEntropyLoss)
    return net.fit(X, y)


def _pipeline():
    X = make_panel(30)
    y = (X[:, 0].mean(axis=1) > 0).astype(int)
    flatten = FunctionTransformer(lambda Z: np.asarray(Z).reshape(len(Z), -1))
    return make_pipeline(flatten, LogisticRegression()).fit(X, y)


@pytest.mark.parametrize("kind", ["estimator", "frozen", "skorch", "module", "pipeline"])
def test_accepted_models(kind):
    model = {"estimator": fitted_gru, "frozen": frozen_gru, "skorch": _skorch_net,
             "module": ReluNet, "pipeline": _pipeline}[kind]()
    X = make_panel()
    for cls in PERTURBATION + [AugmentedFeatureOcclusion]:
        assert _make(cls, model, random_state=0).fit(X).explain(X, 1).shape == X.shape
    if kind == "pipeline":
        for cls in GRADIENT:
            with pytest.raises(TypeError, match="offers no gradients"):
                _make(cls, model).fit(X)
    else:
        for cls in GRADIENT:
            assert _make(cls, model, random_state=0).fit(X).explain(X, 1).shape == X.shape


def test_pipeline_black_box_scores_its_probabilities():
    pipe, X = _pipeline(), make_panel()
    got = FeatureAblation(pipe, baselines="zeros").fit(X).explain(X, target=1)
    proba = pipe.predict_proba(X)[:, 1]
    X_off = X.copy()
    X_off[:, 0, 0] = 0.0
    np.testing.assert_allclose(got[:, 0, 0], proba - pipe.predict_proba(X_off)[:, 1],
                               rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("kind", ["panel pipeline", "table model"])
def test_black_box_gets_the_input_it_was_fitted_on(kind):
    # A pipeline that starts with an sklearn_tsx step reads (n, C, T) panels (it
    # also counts C * T input features); a plain model fitted on flattened
    # series reads (n, C * T) tables.
    X = make_panel(30)
    y = (X[:, 0].mean(axis=1) > 0).astype(int)
    if kind == "panel pipeline":
        model = make_pipeline(
            TimeSeriesStandardScaler(),
            GRUClassifier(hidden_size=4, max_epochs=2, random_state=0),
        ).fit(X, y)
        proba = model.predict_proba
    else:
        model = LogisticRegression().fit(X.reshape(len(X), -1), y)

        def proba(Z):
            return model.predict_proba(Z.reshape(len(Z), -1))

    X = make_panel()
    got = FeatureAblation(model, baselines="zeros").fit(X).explain(X, target=1)
    X_off = X.copy()
    X_off[:, 2, 5] = 0.0
    np.testing.assert_allclose(got[:, 2, 5], proba(X)[:, 1] - proba(X_off)[:, 1],
                               rtol=1e-4, atol=1e-6)


# --- clear errors -------------------------------------------------------------

def test_errors(model):
    X = make_panel()
    with pytest.raises(NotFittedError):
        Saliency(model).explain(X)
    explainer = FeatureAblation(model).fit(X)
    with pytest.raises(ValueError, match="channels"):
        explainer.explain(make_panel()[:, :2])
    with pytest.raises(ValueError, match="target"):
        explainer.explain(X, target=2)
    with pytest.raises(ValueError, match="target"):
        explainer.explain(X, target=[0, 1])
    with pytest.raises(TypeError, match="offers no gradients"):
        IntegratedGradients(_pipeline()).fit(X)
    with pytest.raises(ValueError, match="baselines"):
        IntegratedGradients(model, baselines="median").fit(X)
    with pytest.raises(ValueError, match="baselines"):
        DeepLift(model, baselines="train").fit(X)
    with pytest.raises(ValueError, match="feature_mask"):
        FeatureAblation(model, feature_mask="row").fit(X)
    with pytest.raises(ValueError, match="feature_mask"):
        FeatureAblation(model, feature_mask=np.zeros((2, 8), int)).fit(X)
    with pytest.raises(ValueError, match="n_steps"):
        IntegratedGradients(model, n_steps=0).fit(X)
    with pytest.raises(ValueError, match="window"):
        FeatureOcclusion(model, window=9).fit(X)
    with pytest.raises(ValueError, match=r"stride \(3\) exceeds window \(2\)"):
        FeatureOcclusion(model, window=2, stride=3).fit(X)
    with pytest.raises(ValueError, match="n_baselines"):
        DeepLiftShap(model, n_baselines=1).fit(X)
    with pytest.raises(ValueError, match="batch_size"):
        FeaturePermutation(model, batch_size=1).fit(X)
    with pytest.raises(ValueError, match="two samples"):
        FeaturePermutation(model).fit(X).explain(X[:1])
