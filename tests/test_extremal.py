"""ExtremalMask: recovery of a white box's salient set, batching, determinism, the
compared classifier output, errors."""

import numpy as np
import pytest
import torch
from sklearn.linear_model import LinearRegression
from sklearn.metrics import roc_auc_score

from sklearn_tsx.datasets import WhiteBoxRegressor, make_arma
from sklearn_tsx.explainers import ExtremalMask
from sklearn_tsx.explainers._mask_learning.batched_gru import bigru_forward, init_bigru
from sklearn_tsx.models import GRUClassifier


@pytest.fixture(scope="module")
def white_box():
    X = make_arma(4, 8, 20, random_state=0)
    salient = np.zeros((8, 20), dtype=bool)
    salient[[1, 5], 6:14] = True
    return X, salient, WhiteBoxRegressor(salient)


SETTINGS = dict(lr=0.05, lambda_1=0.1, random_state=0)


@pytest.mark.parametrize("mode", ["preservation", "deletion"])
def test_recovers_the_salient_set(white_box, mode):
    X, salient, model = white_box
    explainer = ExtremalMask(model, mode=mode, max_epochs=150, **SETTINGS).fit(X)
    S = explainer.explain(X)
    truth = np.broadcast_to(salient, X.shape)
    assert S.shape == X.shape and S.min() >= 0 and S.max() <= 1
    assert roc_auc_score(truth.ravel(), S.ravel()) > 0.85
    assert S[truth].mean() > S[~truth].mean() + 0.4
    assert explainer.perturbations_.shape == X.shape


def test_batched_equals_one_sample_at_a_time_and_deterministic(white_box):
    X, _, model = white_box
    batched = ExtremalMask(model, max_epochs=20, batch_size=4, **SETTINGS).fit(X)
    S = batched.explain(X)
    np.testing.assert_array_equal(S, batched.explain(X))
    single = ExtremalMask(model, max_epochs=20, batch_size=1, **SETTINGS).fit(X)
    np.testing.assert_allclose(S, single.explain(X), atol=1e-4)
    np.testing.assert_allclose(
        batched.perturbations_, single.perturbations_, atol=1e-4
    )
    other = ExtremalMask(model, max_epochs=20, lr=0.05, lambda_1=0.1,
                         random_state=1).fit(X)
    assert not np.allclose(other.explain(X), S)


def test_shared_perturbation_network(white_box):
    X, salient, model = white_box
    common = dict(max_epochs=20, **SETTINGS)

    def explainer(**params):
        return ExtremalMask(model, **common, **params).fit(X)

    # one series per batch: the shared network is that series' own network
    np.testing.assert_allclose(
        explainer(shared_perturbation=True, batch_size=1).explain(X),
        explainer(batch_size=1).explain(X), atol=1e-6,
    )
    # shared over a batch, a series' mask depends on its batch mates (its own
    # network does not: test_batched_equals_one_sample_at_a_time...)
    shared = explainer(shared_perturbation=True, batch_size=4)
    assert np.abs(shared.explain(X)[:1] - shared.explain(X[:1])).max() > 1e-4
    # it still finds the salient set
    long = ExtremalMask(model, max_epochs=150, shared_perturbation=True, **SETTINGS).fit(X)
    truth = np.broadcast_to(salient, X.shape)
    assert roc_auc_score(truth.ravel(), long.explain(X).ravel()) > 0.85


def test_classifier_error_compares_logits_or_probabilities():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 2, 12)).astype(np.float32)
    y = (X[:, 0, -4:].sum(1) > 0).astype(int)
    model = GRUClassifier(hidden_size=8, max_epochs=20, lr=0.02, random_state=0).fit(X, y)
    X = X[:4]
    common = dict(max_epochs=15, lr=0.05, lambda_1=0.01, random_state=0)

    def masks(estimator, **params):
        return ExtremalMask(estimator, **common, **params).fit(X).explain(X)

    # the raw module outputs logits; with a softmax after it, probabilities
    on_logits = masks(model, loss="mse")
    np.testing.assert_allclose(on_logits, masks(model.module_), atol=1e-6)
    on_probabilities = masks(model, loss="mse", classifier_output="probabilities")
    softmax = torch.nn.Sequential(model.module_, torch.nn.Softmax(-1))
    np.testing.assert_allclose(on_probabilities, masks(softmax), atol=1e-6)
    assert np.abs(on_logits - on_probabilities).max() > 1e-2
    # the cross-entropy, a classifier's default, always compares probabilities
    np.testing.assert_array_equal(
        masks(model), masks(model, loss="cross_entropy", classifier_output="probabilities")
    )
    assert ExtremalMask(model).fit(X).loss_ == "cross_entropy"
    assert ExtremalMask(model.module_).fit(X).loss_ == "mse"


def test_batched_gru_matches_torch_gru():
    generator = torch.Generator().manual_seed(0)
    params = init_bigru(3, 4, generator)
    gru = torch.nn.GRU(3, 4, batch_first=True, bidirectional=True)
    linear = torch.nn.Linear(8, 3)
    with torch.no_grad():
        for suffix, d in (("", 0), ("_reverse", 1)):
            getattr(gru, f"weight_ih_l0{suffix}").copy_(params["w_ih"][d])
            getattr(gru, f"weight_hh_l0{suffix}").copy_(params["w_hh"][d])
            getattr(gru, f"bias_ih_l0{suffix}").copy_(params["b_ih"][d])
            getattr(gru, f"bias_hh_l0{suffix}").copy_(params["b_hh"][d])
        linear.weight.copy_(params["w_out"])
        linear.bias.copy_(params["b_out"])
        x = torch.randn(2, 3, 7, generator=generator)
        expected = linear(gru(x.transpose(1, 2))[0]).transpose(1, 2)
        batched = {k: v.expand(2, *v.shape) for k, v in params.items()}
        torch.testing.assert_close(bigru_forward(batched, x), expected)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(mode="keep"), "mode must be one of"),
        (dict(lambda_1=-1.0), "lambda_1"),
        (dict(lr=0.0), "lr"),
        (dict(max_epochs=0), "max_epochs"),
        (dict(hidden_size=0), "hidden_size"),
        (dict(shared_perturbation="yes"), "shared_perturbation must be a bool"),
        (dict(classifier_output="scores"), "classifier_output"),
        (dict(loss="log_loss"), "not a classifier"),
    ],
)
def test_bad_parameters(white_box, params, match):
    X, _, model = white_box
    with pytest.raises(ValueError, match=match):
        ExtremalMask(model, **params).fit(X)


def test_model_without_gradients_and_target(white_box):
    X, _, model = white_box
    black_box = LinearRegression().fit(X.reshape(4, -1), np.arange(4.0))
    with pytest.raises(TypeError, match="offers no gradients"):
        ExtremalMask(black_box).fit(X)
    with pytest.raises(ValueError, match="target"):
        ExtremalMask(model, max_epochs=1).fit(X).explain(X, target=[0, 0, 0])
