import numpy as np
import pytest
import torch
from _explainer_fixtures import two_pulse_classifier
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklearn_tsx.explainers import ContraLSP
from sklearn_tsx.explainers._mask_learning.contralsp_nets import (
    PerturbationNet,
    TrendNet,
    l1_distances,
    triplet_loss,
)
from sklearn_tsx.explainers._mask_learning.ties import TIE_BREAK_WEIGHT

C, T = 4, 10
SALIENT_CHANNEL, SALIENT_TIMES = 1, slice(3, 7)


class WhiteBox(torch.nn.Module):
    """Output per time step: x^2 on the salient channel during the salient times."""

    def forward(self, x):
        weight = torch.zeros(x.shape[1:], device=x.device)
        weight[SALIENT_CHANNEL, SALIENT_TIMES] = 1.0
        return (x**2 * weight).sum(1)[..., None]


class Constant(torch.nn.Module):
    """Ignores its input."""

    def __init__(self):
        super().__init__()
        self.bias = torch.nn.Parameter(torch.ones(2))

    def forward(self, x):
        return self.bias.expand(len(x), 2) + 0.0 * x.sum((1, 2))[:, None]


def _truth(n):
    truth = np.zeros((n, C, T), dtype=bool)
    truth[:, SALIENT_CHANNEL, SALIENT_TIMES] = True
    return truth


@pytest.fixture(scope="module")
def data():
    return np.random.default_rng(0).normal(size=(24, C, T)).astype(np.float32)


@pytest.fixture(scope="module")
def fitted(data):
    return ContraLSP(WhiteBox(), max_epochs=120, batch_size=24, random_state=0).fit(data)


def test_triplet_gradient_reaches_perturbation_net():
    torch.manual_seed(0)
    x = torch.cat([torch.randn(10, C, T) - 2, torch.randn(10, C, T) + 2])
    net = PerturbationNet(C)
    loss = triplet_loss(net(x))
    assert loss.item() > 0
    grads = torch.autograd.grad(loss, list(net.parameters()))
    assert sum(g.abs().sum().item() for g in grads) > 0


def test_triplet_changes_training(data):
    with_triplet = ContraLSP(WhiteBox(), max_epochs=5, beta=1.0,
                             random_state=0).fit(data)
    without = ContraLSP(WhiteBox(), max_epochs=5, beta=1.0,
                        use_triplet=False, random_state=0).fit(data)
    a = torch.cat([p.flatten() for p in with_triplet.perturbation_net_.parameters()])
    b = torch.cat([p.flatten() for p in without.perturbation_net_.parameters()])
    assert not torch.allclose(a, b)


def test_trend_net_shapes():
    out = TrendNet(C, T)(torch.randn(3, C, T))
    assert out.shape == (3, C, T)


def test_masks_in_unit_interval_and_recover_salient_set(fitted, data):
    masks = fitted.explain(data)
    assert masks.shape == data.shape and masks.dtype == np.float32
    assert masks.min() >= 0 and masks.max() <= 1
    truth = _truth(len(data))
    assert masks[truth].mean() > 0.8
    assert masks[~truth].mean() < 0.1
    assert fitted.loss_curve_.shape == (120,)
    assert fitted.loss_curve_[-1] < fitted.loss_curve_[0]


def test_fitted_samples_return_their_learned_masks(fitted, data):
    np.testing.assert_array_equal(fitted.explain(data[:5]), fitted.masks_[:5])


def test_explain_new_samples(fitted):
    X_new = np.random.default_rng(1).normal(size=(6, C, T)).astype(np.float32)
    masks = fitted.explain(X_new)
    truth = _truth(len(X_new))
    assert masks.min() >= 0 and masks.max() <= 1
    assert masks[truth].mean() > 0.7
    assert masks[~truth].mean() < 0.2


def test_masks_are_noise_free():
    # A model that ignores its input: the l0 term pushes every gate below zero, and
    # noise-free masks are then exactly zero (noisy ones would not be).
    X = np.random.default_rng(0).normal(size=(8, C, T)).astype(np.float32)
    explainer = ContraLSP(Constant(), alpha=1.0, max_epochs=60, use_trend=False,
                          break_ties=False, random_state=0).fit(X)
    assert np.all(explainer.masks_ == 0)
    assert np.all(explainer.explain(X + 1.0) == 0)
    # the tie-break moves them by at most its weight
    tie_broken = clone(explainer).set_params(break_ties=True).fit(X)
    assert np.all(tie_broken.masks_ <= TIE_BREAK_WEIGHT)


def test_determinism(data):
    params = dict(max_epochs=10, batch_size=8, random_state=3)
    a = ContraLSP(WhiteBox(), **params).fit(data)
    b = ContraLSP(WhiteBox(), **params).fit(data)
    np.testing.assert_array_equal(a.masks_, b.masks_)
    X_new = data[:16] + 0.5
    np.testing.assert_array_equal(a.explain(X_new), b.explain(X_new))


@pytest.mark.slow
def test_n_jobs_does_not_change_masks(data):
    # Worker processes: torch's global generator is not thread-safe.
    a = ContraLSP(WhiteBox(), max_epochs=10, batch_size=8, random_state=3).fit(data)
    c = clone(a).set_params(n_jobs=2).fit(data)
    X_new = data[:16] + 0.5
    np.testing.assert_allclose(c.explain(X_new), a.explain(X_new), atol=1e-6)


@pytest.mark.parametrize("mode", ["preservation", "deletion"])
def test_classifier_modes_and_ablations(mode, data):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(C * T, 3))
    explainer = ContraLSP(model, mode=mode, use_trend=False, max_epochs=5,
                          random_state=0).fit(data)
    assert explainer.trend_net_ is None
    masks = explainer.explain(data[:4] + 1.0)
    assert masks.shape == (4, C, T)
    assert masks.min() >= 0 and masks.max() <= 1


def test_errors(data):
    with pytest.raises(NotFittedError):
        ContraLSP(WhiteBox()).explain(data)
    explainer = ContraLSP(WhiteBox(), max_epochs=2, random_state=0).fit(data)
    with pytest.raises(ValueError, match="channels"):
        explainer.explain(data[:, :2])
    with pytest.raises(ValueError, match="target"):
        explainer.explain(data, target=T)  # time steps are 0..T-1
    with pytest.raises(ValueError, match="NaN|nan|infinity"):
        explainer.explain(np.full_like(data, np.nan))
    for params, match in [
        ({"alpha": -1.0}, "alpha"),
        ({"margin": float("nan")}, "margin"),
        ({"sigma": 0.0}, "sigma"),
        ({"lr": "x"}, "lr"),
        ({"max_epochs": 0}, "max_epochs"),
        ({"mode": "both"}, "mode"),
        ({"classifier_output": "scores"}, "classifier_output"),
        ({"loss": "hinge"}, "loss must be one of"),
        ({"loss": "log_loss"}, "not a classifier"),
        ({"batch_size": 0}, "batch_size"),
    ]:
        with pytest.raises(ValueError, match=match):
            ContraLSP(WhiteBox(), **params).fit(data)


def test_black_box_is_refused(data):
    from sklearn.dummy import DummyClassifier

    flat = data.reshape(len(data), -1)
    box = DummyClassifier().fit(flat, np.arange(len(data)) % 2)
    with pytest.raises(TypeError, match="gradients"):
        ContraLSP(box).fit(data)


def test_l1_distances_equal_cdist_with_gradients():
    points = torch.randn(7, 5, dtype=torch.float64, requires_grad=True)
    weights = torch.randn(7, 7, dtype=torch.float64)
    got = l1_distances(points)
    expected = torch.cdist(points, points, p=1)
    torch.testing.assert_close(got, expected)
    (g_got,) = torch.autograd.grad((got * weights).sum(), points)
    (g_expected,) = torch.autograd.grad((expected * weights).sum(), points)
    torch.testing.assert_close(g_got, g_expected)


def test_default_loss_keeps_the_evidence_for_the_predicted_class():
    # each series holds a pulse for its class and a weaker one for the other,
    # predicted with p of 0.73-0.80 only: the default error, -log q of the
    # predicted class, keeps that class's pulse and lets the other go; the
    # paper's squared error on the logits keeps both
    X, model, own, other = two_pulse_classifier(n=16)
    explainer = ContraLSP(model, max_epochs=200, random_state=0).fit(X)
    assert explainer.loss_ == "log_loss"
    masks = explainer.masks_
    assert masks[own].min() > 0.9 and masks[other].max() < 0.1
    mse = ContraLSP(model, loss="mse", max_epochs=200, random_state=0).fit(X).masks_
    assert mse[other].mean() > 0.9
