"""Dynamask: recovery of a white box's salient set, batching, selection, errors."""

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from _explainer_fixtures import two_pulse_classifier
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LinearRegression
from sklearn.metrics import roc_auc_score

from sklearn_tsx.datasets import WhiteBoxRegressor, make_arma
from sklearn_tsx.explainers import Dynamask, gaussian_blur
from sklearn_tsx.explainers._mask_learning.dynamask import (
    order_statistic,
    size_targets,
    sorted_size_targets,
)
from sklearn_tsx.explainers._mask_learning.losses import compared_output, row_error


@pytest.fixture(scope="module")
def white_box():
    X = make_arma(4, 8, 20, random_state=0)
    salient = np.zeros((8, 20), dtype=bool)
    salient[[1, 5], 6:14] = True
    return X, salient, WhiteBoxRegressor(salient)


SETTINGS = dict(size_reg_init=1.0, size_reg_dilation=100.0, lr=0.2)


@pytest.mark.parametrize("mode", ["preservation", "deletion"])
def test_recovers_the_salient_set(white_box, mode):
    X, salient, model = white_box
    explainer = Dynamask(model, area=[0.05, 0.1, 0.2], max_epochs=150, mode=mode, **SETTINGS)
    S = explainer.fit(X).explain(X)
    truth = np.broadcast_to(salient, X.shape)
    assert S.shape == X.shape and S.min() >= 0 and S.max() <= 1
    assert roc_auc_score(truth.ravel(), S.ravel()) > 0.75
    assert S[truth].mean() > S[~truth].mean() + 0.3
    assert explainer.masks_.shape == (4, 3, 8, 20)
    assert explainer.errors_.shape == (4, 3)
    np.testing.assert_array_equal(explainer.areas_, [0.05, 0.1, 0.2])


def test_area_regulariser_sets_the_mask_size(white_box):
    X, salient, model = white_box
    explainer = Dynamask(model, area=[0.05, 0.3], max_epochs=300, **SETTINGS).fit(X)
    explainer.explain(X[:2])
    masks = explainer.masks_
    # the mask's mass is its area; the salient entries (10 %) are kept first
    np.testing.assert_allclose(masks.mean(axis=(2, 3)), [[0.05, 0.3]] * 2, atol=0.02)
    assert masks[:, 1][:, salient].mean() > masks[:, 1][:, ~salient].max() + 0.3
    # the entries the model ignores are interchangeable: they share one value
    ignored = masks[:, :, ~salient]
    np.testing.assert_allclose(ignored, np.broadcast_to(ignored[..., :1], ignored.shape),
                               atol=1e-6)


class Constant(torch.nn.Module):
    """A model blind to its input: no entry matters more than another."""

    def forward(self, x):
        return x.sum((1, 2), keepdim=True) * 0.0


class Detached(torch.nn.Module):
    """A model whose output is not even connected to its input's graph."""

    def forward(self, x):
        return torch.zeros(len(x), 1, 1)


@pytest.mark.parametrize("model", [Constant(), Detached()], ids=["constant", "detached"])
def test_area_regulariser_favours_no_entry(model):
    # every entry starts at 0.5: the regulariser must not pick some by position
    # (the first entries in memory, i.e. channel 0, which momentum then keeps lifting)
    X = make_arma(2, 3, 20, random_state=0)
    explainer = Dynamask(model, area=[0.25, 0.35], max_epochs=100,
                         **SETTINGS).fit(X)
    explainer.explain(X)
    masks = explainer.masks_
    np.testing.assert_allclose(masks, np.broadcast_to(masks[..., :1, :1], masks.shape),
                               atol=1e-6)
    np.testing.assert_allclose(explainer.masks_.mean(axis=(2, 3)), [[0.25, 0.35]] * 2,
                               atol=0.01)


def test_size_targets_match_the_sorted_reference():
    rng = np.random.default_rng(0)
    flat = torch.as_tensor(rng.uniform(size=(2, 3, 40)))
    n_zeros = torch.tensor([30, 20, 39])
    target = size_targets(flat, n_zeros)
    # distinct values: the partner of the k-th smallest entry is r_a[k]
    ranks = flat.argsort(-1).argsort(-1)
    np.testing.assert_array_equal(target, (ranks >= n_zeros[:, None]).double())
    # an area below 1 / n: the reference vector is all zeros
    np.testing.assert_array_equal(size_targets(flat, torch.tensor([40, 0, 45]))[:, [0, 2]], 0)
    # a group of equal values shares its partners' mean
    tied = torch.tensor([[0.2, 0.5, 0.5, 0.5, 0.5, 0.9]])
    np.testing.assert_allclose(size_targets(tied, torch.tensor([3])),
                               [[0, 0.5, 0.5, 0.5, 0.5, 1]])


def test_sorted_size_targets_give_the_reference_gradient():
    # the reference regulariser mean((r_a - sort(M))**2), differentiated by autograd
    # through torch.sort, ties included (many entries equal, as after clamping)
    rng = np.random.default_rng(0)
    flat = torch.as_tensor(rng.integers(0, 5, size=(2, 3, 40)) / 4.0)
    n_zeros = torch.tensor([30, 20, 39])
    ref = (torch.arange(40) >= n_zeros[:, None]).double()
    leaf = flat.clone().requires_grad_(True)
    ((ref - leaf.sort(-1).values) ** 2).mean(-1).sum().backward()
    expected = leaf.grad * 40 / 2
    np.testing.assert_allclose(flat - sorted_size_targets(flat, n_zeros), expected)


def test_reference_ties_reproduce_the_reference_loop(white_box):
    # the reference implementation's loop: one series, its masks (A, T, C) fitted
    # together with one loss averaged over the areas, regulariser through torch.sort
    X, _, model = white_box
    x = torch.as_tensor(X[:1])
    areas, lr, epochs, reg_init, dilation = [0.1, 0.3], 0.5, 40, 1.0, 100.0
    C, T = x.shape[1:]
    masks = torch.full((len(areas), T, C), 0.5, requires_grad=True)
    ref = torch.ones(len(areas), T * C)
    for i, area in enumerate(areas):
        ref[i, : int((1 - area) * T * C)] = 0.0
    optimizer = torch.optim.SGD([masks], lr=lr, momentum=0.9)
    target = model(x)
    reg = reg_init
    for _ in range(epochs):
        pert = gaussian_blur(x, masks.transpose(1, 2)[None])[0]
        error = ((model(pert) - target) ** 2).mean()
        size = ((ref - masks.reshape(len(areas), -1).sort(1).values) ** 2).mean()
        optimizer.zero_grad()
        (error + reg * size).backward()
        optimizer.step()
        masks.data = masks.data.clamp(0, 1)
        reg *= dilation ** (1 / epochs)

    ours = Dynamask(model, area=areas, max_epochs=epochs, lr=lr / len(areas),
                    size_reg_init=reg_init, size_reg_dilation=dilation, blur_window=None,
                    size_reg_ties="reference").fit(X)
    ours.explain(X[:1])
    expected = masks.detach().transpose(1, 2).numpy()
    np.testing.assert_allclose(ours.masks_[0], expected, atol=1e-4)
    # the tie-free default leaves the entries the model ignores equal; the
    # reference's sort lifts some of them and not others
    ignored = ~white_box[1]
    assert np.ptp(expected[1][ignored]) > 0.1


def test_adam_reproduces_the_contralsp_authors_loop(white_box):
    # the ContraLSP authors' Dynamask (their benchmarks' fit_multiple): every series'
    # masks (A, N, T, C) under Adam, each series' loss the mean over the areas,
    # the regulariser through torch.sort, the losses summed over series
    X, _, model = white_box
    x = torch.as_tensor(X[:2])
    areas, lr, epochs, reg_init, dilation = [0.1, 0.3], 0.1, 40, 0.1, 100.0
    N, C, T = x.shape
    masks = torch.full((len(areas), N, T, C), 0.5, requires_grad=True)
    ref = torch.ones(len(areas), N, T * C)
    for i, area in enumerate(areas):
        ref[i, :, : int((1 - area) * T * C)] = 0.0
    optimizer = torch.optim.Adam([masks], lr=lr)
    target = model(x).reshape(N, 1, -1)
    reg = reg_init
    for _ in range(epochs):
        pert = gaussian_blur(x, masks.permute(1, 0, 3, 2))  # (N, A, C, T)
        pred = model(pert.reshape(N * len(areas), C, T)).reshape(N, len(areas), -1)
        error = ((pred - target) ** 2).mean((1, 2))
        size = ((ref - masks.reshape(len(areas), N, -1).sort(2).values) ** 2).mean((0, 2))
        optimizer.zero_grad()
        (error + reg * size).sum().backward()
        optimizer.step()
        masks.data = masks.data.clamp(0, 1)
        reg *= dilation ** (1 / epochs)

    # Adam's step does not depend on the loss's scale: the same lr per mask
    ours = Dynamask(model, area=areas, max_epochs=epochs, optimizer="adam", lr=lr,
                    momentum=0.5, size_reg_init=reg_init, size_reg_dilation=dilation,
                    blur_window=None, size_reg_ties="reference").fit(X)
    S_adam = ours.explain(X[:2])
    expected = masks.detach().permute(1, 0, 3, 2).numpy()
    np.testing.assert_allclose(ours.masks_, expected, atol=1e-4)
    sgd = Dynamask(model, area=areas, max_epochs=epochs, lr=lr, size_reg_init=reg_init,
                   size_reg_dilation=dilation, size_reg_ties="reference").fit(X)
    assert np.abs(sgd.explain(X[:2]) - S_adam).max() > 0.1


@pytest.mark.parametrize("rank", [[0, 3, 5], [94, 97, 99], [10, 50, 90], [7, 7, 7]])
def test_order_statistic_equals_the_sorted_value(rank):
    # low ranks, high ranks (partial selection from either end), spread ranks (sort)
    rng = np.random.default_rng(0)
    flat = torch.as_tensor(rng.integers(0, 30, size=(2, 3, 100)).astype(np.float32))
    rank = torch.tensor(rank)
    expected = flat.sort(-1).values.gather(-1, rank.expand(2, 3).unsqueeze(-1))
    np.testing.assert_array_equal(order_statistic(flat, rank), expected)


def test_batched_fit_equals_one_sample_one_area_at_a_time(white_box):
    X, _, model = white_box
    areas = [0.05, 0.1, 0.2]
    common = dict(max_epochs=60, time_reg=0.5, **SETTINGS)
    batched = Dynamask(model, area=areas, batch_size=4, **common).fit(X)
    batched.explain(X[:2])
    for i in range(2):
        for a, area in enumerate(areas):
            single = Dynamask(model, area=area, batch_size=1, **common).fit(X)
            single.explain(X[i : i + 1])
            np.testing.assert_allclose(
                batched.masks_[i, a], single.masks_[0, 0], atol=1e-3, rtol=0
            )
            np.testing.assert_allclose(
                batched.errors_[i, a], single.errors_[0, 0], rtol=1e-3, atol=1e-6
            )


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_deterministic_and_independent_of_batch_size_and_n_jobs(white_box, optimizer):
    X, _, model = white_box
    kwargs = dict(area=[0.1, 0.2], max_epochs=40, **SETTINGS, optimizer=optimizer)
    S1 = Dynamask(model, batch_size=4, **kwargs).fit(X).explain(X)
    S2 = Dynamask(model, batch_size=4, **kwargs).fit(X).explain(X)
    with parallel_config(backend="threading"):
        S3 = Dynamask(model, batch_size=1, n_jobs=2, **kwargs).fit(X).explain(X)
    np.testing.assert_array_equal(S1, S2)
    np.testing.assert_allclose(S1, S3, atol=1e-5)


def test_selection(white_box):
    X, _, model = white_box
    kwargs = dict(area=[0.05, 0.1, 0.2], max_epochs=60, break_ties=False, **SETTINGS)
    lowest = Dynamask(model, **kwargs).fit(X)
    S = lowest.explain(X)
    np.testing.assert_array_equal(lowest.selected_, lowest.errors_.argmin(1))
    np.testing.assert_array_equal(S, lowest.masks_[np.arange(4), lowest.selected_])
    # any mask meets a huge threshold: the extremal mask is the smallest area
    loose = Dynamask(model, selection="extremal", epsilon=1e9, **kwargs).fit(X)
    loose.explain(X)
    np.testing.assert_array_equal(loose.selected_, 0)
    # the first area under the threshold
    eps = float(np.median(lowest.errors_))
    extremal = Dynamask(model, selection="extremal", epsilon=eps, **kwargs).fit(X)
    extremal.explain(X)
    below = lowest.errors_ < eps
    expected = np.where(below.any(1), below.argmax(1), lowest.errors_.argmin(1))
    np.testing.assert_array_equal(extremal.selected_, expected)
    # squared error of the unperturbed input is 0: no mask beats it, lowest error wins
    default = Dynamask(model, selection="extremal", **kwargs).fit(X)
    default.explain(X)
    np.testing.assert_array_equal(default.selected_, lowest.selected_)


def test_default_area_grid_fits_the_area_to_the_salient_set(white_box):
    # a tenth of the entries is salient: of the default grid 0.05..0.5 the
    # lowest-error mask is a small one, and it finds the salient set
    X, salient, model = white_box
    explainer = Dynamask(model, max_epochs=150, **SETTINGS).fit(X)
    S = explainer.explain(X)
    np.testing.assert_allclose(explainer.areas_, np.linspace(0.05, 0.5, 10))
    assert explainer.areas_[explainer.selected_].max() <= 0.2
    truth = np.broadcast_to(salient, S.shape)
    assert S[truth].mean() > S[~truth].mean() + 0.3


@pytest.mark.parametrize(
    "perturbation", ["fade_moving_average", "fade_past_moving_average", "fade_reference"]
)
def test_other_perturbations(white_box, perturbation):
    X, salient, model = white_box
    S = Dynamask(
        model, area=0.1, perturbation=perturbation, max_epochs=150, **SETTINGS
    ).fit(X).explain(X)
    truth = np.broadcast_to(salient, X.shape)
    assert S[truth].mean() > S[~truth].mean() + 0.2


def test_classifier_with_sequence_output():
    from sklearn_tsx.models import GRUClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 3, 10)).astype(np.float32)
    y = (X[:, 0].cumsum(-1) > 0).astype(int)
    model = GRUClassifier(hidden_size=4, max_epochs=2, sequence_output=True,
                          random_state=0).fit(X, y)
    explainer = Dynamask(model, area=[0.2, 0.4], max_epochs=20, time_reg=0.1).fit(X)
    assert explainer.loss_ == "log_loss"
    S = explainer.explain(X[:2])
    assert S.shape == (2, 3, 10) and np.isfinite(explainer.errors_).all()
    # cross-entropy of an unperturbed prediction is its entropy: the default threshold
    extremal = Dynamask(model, area=[0.2, 0.4], max_epochs=20, loss="cross_entropy",
                        selection="extremal").fit(X)
    assert extremal.explain(X[:2]).shape == (2, 3, 10)
    # a squared error compares the logits (the raw module's outputs) by default,
    # or the probabilities (the module followed by a softmax)
    common = dict(area=[0.2, 0.4], max_epochs=20, loss="mse")
    on_logits = Dynamask(model, **common).fit(X).explain(X[:2])
    np.testing.assert_allclose(
        on_logits, Dynamask(model.module_, **common).fit(X).explain(X[:2]), atol=1e-6
    )
    softmax = torch.nn.Sequential(model.module_, torch.nn.Softmax(-1))
    on_probabilities = Dynamask(model, classifier_output="probabilities", **common)
    on_probabilities = on_probabilities.fit(X).explain(X[:2])
    np.testing.assert_allclose(
        on_probabilities, Dynamask(softmax, **common).fit(X).explain(X[:2]), atol=1e-6
    )
    assert np.abs(on_logits - on_probabilities).max() > 0.1


class _PerStepClassifier(ClassifierMixin, BaseEstimator):
    """A fitted sequence classifier made by hand: at step ``t`` the logit of class
    1 is ``2 x[salient[t], t]``, the State dataset's label model with the state
    known. Only ``salient[t]`` matters at step ``t``."""

    def __init__(self, salient):
        self.salient = salient
        self.classes_ = np.array([0, 1])
        self.module_ = _PerStepLogits(salient)

    def fit(self, X, y=None):
        return self


class _PerStepLogits(torch.nn.Module):
    def __init__(self, salient):
        super().__init__()
        self.salient = torch.as_tensor(salient)

    def forward(self, x):
        read = x[:, self.salient, torch.arange(x.shape[-1])]
        return torch.stack([torch.zeros_like(read), 2.0 * read], -1)


@pytest.fixture(scope="module")
def per_step_classifier():
    """State in miniature: the salient channel switches half-way; it sits far from
    0, on the side of its series' sign, so that blurring it towards its mean
    mostly makes the model more confident."""
    T = 40
    salient = np.repeat([1, 2], T // 2)
    rng = np.random.default_rng(0)
    means = 1.5 * (np.arange(3)[:, None] == salient[None])
    sign = rng.choice([-1.0, 1.0], size=(6, 1, 1))
    X = (sign * means + 0.8 * rng.standard_normal((6, 3, T))).astype(np.float32)
    truth = np.broadcast_to(np.arange(3)[:, None] == salient[None], X.shape)
    return X, truth, _PerStepClassifier(salient)


def _bench_state_params(mask_epochs):
    benchmarks = str(Path(__file__).resolve().parents[1] / "benchmarks")
    spec = importlib.util.spec_from_file_location(
        "_bench_state", Path(benchmarks) / "bench_state.py"
    )
    bench = importlib.util.module_from_spec(spec)
    sys.path.insert(0, benchmarks)  # for the benchmarks' shared modules
    try:
        spec.loader.exec_module(bench)
    finally:
        sys.path.remove(benchmarks)
    args = SimpleNamespace(mask_epochs=mask_epochs, dynamask_ties="mean")
    return bench.method_params("Dynamask", args)


def test_state_settings_find_the_salient_channel_of_each_step(per_step_classifier):
    # The State benchmark's Dynamask (blur sigma_max 1, areas 0.25..0.35, momentum
    # 1, time regulariser 1, extremal mask) on a per-step classifier. With the
    # error -log q of the originally predicted class, masks were rewarded for
    # blurring the salient channel (it makes the model more confident): AUROC
    # ~0.5 and every series at the smallest area.
    X, truth, model = per_step_classifier
    params = _bench_state_params(mask_epochs=300)
    explainer = Dynamask(model, **params).fit(X)
    S = explainer.explain(X)
    assert roc_auc_score(truth.ravel(), S.ravel()) > 0.95
    assert S[truth].mean() > S[~truth].mean() + 0.6
    assert (explainer.areas_[explainer.selected_] > explainer.areas_[0]).all()


def test_log_loss_rewards_a_more_confident_prediction(per_step_classifier):
    # -log q of the originally predicted class is not smallest at the original
    # prediction: perturbed errors fall below the unperturbed one, so the
    # extremal mask is the smallest area whatever the mask keeps. The
    # cross-entropy between probability vectors never does (Gibbs' inequality).
    X, truth, model = per_step_classifier
    params = dict(_bench_state_params(mask_epochs=100), selection="lowest_error")
    errors = {}
    for loss in ("log_loss", "cross_entropy"):
        explainer = Dynamask(model, **dict(params, loss=loss)).fit(X)
        explainer.explain(X)
        x = torch.as_tensor(X)
        with torch.no_grad():
            p = compared_output(explainer.model_, x, "logits", explainer.loss_)
            floor = row_error(p, p, explainer.loss_).numpy()
        errors[loss] = explainer.errors_ - floor[:, None]
    # every series has masks that "beat" its unperturbed prediction
    assert (errors["log_loss"].min(1) < -0.01).all()
    assert (errors["cross_entropy"] > -1e-6).all()


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(area=0.0), r"area must lie in \(0, 1\]"),
        (dict(area=1.5), r"area must lie in \(0, 1\]"),
        (dict(area=[0.1, -0.2]), r"area must lie in \(0, 1\]"),
        (dict(area=[]), "non-empty"),
        (dict(epsilon=-0.1), "epsilon must be None or non-negative"),
        (dict(selection="best"), "selection must be one of"),
        (dict(mode="keep"), "mode must be one of"),
        (dict(perturbation="noise"), "perturbation must be one of"),
        (dict(max_epochs=0), "max_epochs"),
        (dict(lr=0), "lr"),
        (dict(blur_window=-2), "blur_window"),
        (dict(loss="cross_entropy"), "not a classifier"),
        (dict(classifier_output="scores"), "classifier_output"),
        (dict(size_reg_ties="position"), "size_reg_ties must be one of"),
        (dict(optimizer="lbfgs"), "optimizer must be one of"),
    ],
)
def test_bad_parameters(white_box, params, match):
    X, _, model = white_box
    with pytest.raises(ValueError, match=match):
        Dynamask(model, **params).fit(X)


def test_model_without_gradients(white_box):
    X, _, _ = white_box
    black_box = LinearRegression().fit(X.reshape(4, -1), np.arange(4.0))
    with pytest.raises(TypeError, match="offers no gradients"):
        Dynamask(black_box).fit(X)


def test_target_is_checked(white_box):
    X, _, model = white_box
    explainer = Dynamask(model, max_epochs=1).fit(X)
    assert explainer.explain(X, target=0).shape == X.shape  # a sequence model: time step
    with pytest.raises(ValueError, match="out of range"):
        explainer.explain(X, target=X.shape[-1])


def test_input_not_modified_and_shape_checked(white_box):
    X, _, model = white_box
    X_copy = X.copy()
    explainer = Dynamask(model, max_epochs=2).fit(X)
    explainer.explain(X)
    np.testing.assert_array_equal(X, X_copy)
    with pytest.raises(ValueError, match="channels"):
        explainer.explain(X[:, :4])
    assert torch.is_tensor(model.salient)


def test_default_loss_keeps_the_evidence_for_the_predicted_class():
    # each series holds a pulse for its class and a weaker one for the other:
    # the model predicts its class with p of 0.73-0.80 only. The default keeps
    # the predicted class's pulse and drops the other; the paper's cross-entropy,
    # which keeps the whole probability vector, keeps the other pulse half on.
    X, model, own, other = two_pulse_classifier(n=8)
    masks = {}
    for loss in ("auto", "cross_entropy"):
        explainer = Dynamask(model, loss=loss, area=[0.1, 0.2, 0.3], max_epochs=300).fit(X)
        masks[loss] = explainer.explain(X)
    assert explainer.loss_ == "cross_entropy"
    S = masks["auto"]
    assert S[own].min() > 0.9 and S[other].max() < 0.1
    assert masks["cross_entropy"][other].mean() > 0.3


def test_probability_losses_keep_their_gradient_where_a_class_underflows():
    # a class probability below float32's range: log(softmax) is log(0), clamped,
    # and has no gradient; the log-softmax the losses use keeps it
    from sklearn_tsx.utils._adapters import ModelAdapter

    model = ModelAdapter(module=torch.nn.Flatten(), is_classifier=True, softmax=True,
                         n_outputs=2)
    x = torch.tensor([[[0.0, 200.0]]], requires_grad=True)
    log_q = compared_output(model, x, "logits", "log_loss")
    assert torch.isfinite(log_q).all() and log_q[0, 0] < -150
    target = torch.log(torch.tensor([[0.9, 0.1]]))
    for loss in ("log_loss", "cross_entropy"):
        error = row_error(compared_output(model, x, "logits", loss), target, loss)
        (grad,) = torch.autograd.grad(error.sum(), x)
        assert grad[0, 0, 0] < -0.5 and grad[0, 0, 1] > 0.5
