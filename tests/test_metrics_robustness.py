"""infidelity, sensitivity_max, lipschitz_max, log_odds and the white-box
errors: against captum called directly and against hand computations."""

import numpy as np
import pytest
import torch
from captum import attr
from captum import metrics as captum_metrics
from sklearn.exceptions import NotFittedError
from sklearn.metrics import mean_absolute_error, mean_squared_error
from sklearn.utils import check_random_state

from sklearn_tsx.explainers import InputXGradient, Saliency, SmoothGrad
from sklearn_tsx.metrics import (
    infidelity,
    lipschitz_max,
    log_odds,
    make_explanation_scorer,
    normalize_saliency,
    sensitivity_max,
    white_box_mae,
    white_box_mse,
    white_box_rmse,
)
from sklearn_tsx.models import GRUClassifier

C, T = 2, 6
TARGET = np.array([0, 1, 1, 0, 1])


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.hidden = torch.nn.Linear(C * T, 5)
        self.out = torch.nn.Linear(5, 2)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator))

    def forward(self, x):
        return self.out(torch.tanh(self.hidden(x.flatten(1))))


def _panel(n=5, seed=0):
    return np.random.default_rng(seed).normal(size=(n, C, T)).astype(np.float32)


def _rng(random_state):
    """The generator the metrics draw their perturbations from."""
    return np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))


def _uniform(rng, radius):
    def perturb(inputs, perturb_radius=radius):
        noise = rng.uniform(-perturb_radius, perturb_radius, size=tuple(inputs.shape))
        return inputs + torch.as_tensor(noise, dtype=inputs.dtype)
    return perturb


def test_sensitivity_max_equals_captum():
    model, X = Net(), _panel()
    ours = sensitivity_max(Saliency(model).fit(X), X, target=TARGET, perturb_radius=0.1,
                           n_perturb_samples=4, random_state=3)
    expected = captum_metrics.sensitivity_max(
        attr.Saliency(model).attribute, torch.as_tensor(X),
        perturb_func=_uniform(_rng(3), 0.1), perturb_radius=0.1, n_perturb_samples=4,
        target=torch.as_tensor(TARGET),
    ).numpy()
    assert ours.shape == (5,) and (ours > 0).all()
    np.testing.assert_allclose(ours, expected, rtol=1e-5)


def test_lipschitz_max_by_hand():
    model, X = Net(), _panel()
    ours = lipschitz_max(Saliency(model, absolute=False).fit(X), X, target=TARGET,
                         perturb_radius=0.1, n_perturb_samples=4, random_state=3)
    # by hand: the same draws, explanations by captum, the largest ratio per sample
    x = torch.as_tensor(np.repeat(X, 4, axis=0))
    x_perturbed = _uniform(_rng(3), 0.1)(x)
    saliency = attr.Saliency(model)
    target = torch.as_tensor(np.repeat(TARGET, 4))
    change = (saliency.attribute(x, target=target, abs=False)
              - saliency.attribute(x_perturbed, target=target, abs=False)).flatten(1)
    ratio = change.norm(dim=1) / (x - x_perturbed).flatten(1).norm(dim=1)
    np.testing.assert_allclose(ours, ratio.reshape(5, 4).max(dim=1).values.numpy(),
                               rtol=1e-5)
    l1 = lipschitz_max(Saliency(model, absolute=False).fit(X), X, target=TARGET,
                       perturb_radius=0.1, n_perturb_samples=4, random_state=3, norm_ord=1)
    assert not np.allclose(l1, ours)


def test_lipschitz_max_of_a_scaled_identity_explanation():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(C * T, 1))
    torch.nn.init.constant_(model[1].weight, -2.0)
    X = _panel()
    scores = lipschitz_max(InputXGradient(model).fit(X), X, random_state=0)
    np.testing.assert_allclose(scores, 2.0, rtol=1e-5)


def test_lipschitz_and_sensitivity_share_their_perturbations():
    # Input x Gradient of a linear model with equal weights is w * x: the change
    # is w * (x - x'), so sensitivity = ||x - x'|| / ||x|| = lipschitz * ||x|| / |w| / ||x||
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(C * T, 1))
    torch.nn.init.constant_(model[1].weight, 3.0)
    X = _panel()
    explainer = InputXGradient(model).fit(X)
    sensitivity = sensitivity_max(explainer, X, random_state=1, n_perturb_samples=5)
    x = torch.as_tensor(np.repeat(X, 5, axis=0))
    step = (x - _uniform(_rng(1), 0.02)(x)).flatten(1).norm(dim=1).reshape(5, 5)
    expected = step.max(dim=1).values.numpy() / np.linalg.norm(X.reshape(5, -1), axis=1)
    np.testing.assert_allclose(sensitivity, expected, rtol=1e-4)


def test_infidelity_equals_captum():
    model, X = Net(), _panel()
    explainer = SmoothGrad(model, n_samples=3, random_state=0).fit(X)
    attributions = explainer.explain(X, target=TARGET)

    def perturb(inputs):
        noise = torch.as_tensor(rng.normal(0.0, 0.2, size=tuple(inputs.shape)),
                                dtype=inputs.dtype)
        return noise, inputs - noise

    for normalize in (False, True):
        rng = _rng(5)
        ours = infidelity(explainer, X, attributions, target=TARGET, stdevs=0.2,
                          n_perturb_samples=6, normalize=normalize, random_state=5)
        expected = captum_metrics.infidelity(
            model, perturb, torch.as_tensor(X),
            torch.as_tensor(attributions), target=torch.as_tensor(TARGET),
            n_perturb_samples=6, normalize=normalize,
        ).numpy()
        np.testing.assert_allclose(ours, expected, rtol=1e-5)
    # computed with the explainer when no attributions are given
    np.testing.assert_allclose(
        infidelity(explainer, X, target=TARGET, stdevs=0.2, n_perturb_samples=6,
                   random_state=5),
        infidelity(explainer, X, attributions, target=TARGET, stdevs=0.2,
                   n_perturb_samples=6, random_state=5))


def test_infidelity_by_hand_on_a_linear_model():
    """The gradient w predicts f(x) - f(x - I) = w . I exactly; w/2 misses by
    (w . I / 2)^2."""
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(C * T, 1))
    X = _panel()
    explainer = Saliency(model, absolute=False).fit(X)
    np.testing.assert_allclose(infidelity(explainer, X, random_state=0), 0, atol=1e-10)
    w = model[1].weight.detach().numpy().reshape(C, T)
    half = np.broadcast_to(w / 2, X.shape)
    noise = _rng(0).normal(0.0, 0.1, size=(5 * 10, C, T)).astype(np.float32)
    expected = (((noise * w).sum(axis=(1, 2)) / 2) ** 2).reshape(5, 10).mean(axis=1)
    np.testing.assert_allclose(infidelity(explainer, X, half, random_state=0), expected,
                               rtol=1e-4)


def test_metrics_on_a_sequence_model():
    class Causal(torch.nn.Module):
        def forward(self, x):
            return torch.cumsum(x[:, :1] * 2.0 + x[:, 1:2] ** 2, dim=-1).transpose(1, 2)

    X = _panel()
    explainer = Saliency(Causal(), absolute=False).fit(X)
    assert infidelity(explainer, X, target=3, random_state=0).shape == (5,)
    scores = lipschitz_max(explainer, X, target=2, random_state=0)
    # the gradient of step 2 is (2, 2 x1) up to step 2: it moves by 2 |dx1|
    assert scores.shape == (5,) and (scores <= 2.0 + 1e-6).all() and (scores > 0).all()


def test_robustness_metrics_bad_input():
    model, X = Net(), _panel()
    with pytest.raises(TypeError, match="sklearn_tsx explainer"):
        sensitivity_max(model, X)
    with pytest.raises(NotFittedError):
        lipschitz_max(Saliency(model), X)
    explainer = Saliency(model).fit(X)
    with pytest.raises(ValueError, match="perturb_radius"):
        sensitivity_max(explainer, X, target=0, perturb_radius=0)
    with pytest.raises(ValueError, match="n_perturb_samples"):
        lipschitz_max(explainer, X, target=0, n_perturb_samples=0)
    with pytest.raises(ValueError, match="norm_ord"):
        lipschitz_max(explainer, X, target=0, norm_ord="nuc")
    with pytest.raises(ValueError, match="must match"):
        infidelity(explainer, X, X[:, :, :3], target=0)
    with pytest.raises(ValueError, match="stdevs"):
        infidelity(explainer, X, target=0, stdevs=-1)
    with pytest.raises(ValueError, match="channels"):
        infidelity(explainer, X[:, :1], target=0)


# --- log-odds ------------------------------------------------------------------

def test_log_odds_by_hand():
    model, X = Net(), _panel()
    attributions = np.random.default_rng(1).normal(size=X.shape)
    ours = log_odds(model, X, attributions, topk=0.25, baseline=0.5)
    k = int(C * T * 0.25)
    expected = []
    for x, a in zip(X, attributions):
        removed = x.ravel().copy()
        removed[np.argsort(-a.ravel())[:k]] = 0.5
        log_p = torch.log_softmax(model(torch.as_tensor(x[None])), dim=-1)[0]
        log_q = torch.log_softmax(model(torch.as_tensor(removed.reshape(1, C, T))),
                                  dim=-1)[0]
        c = int(log_p.argmax())
        expected.append(float((log_q[c] - log_p[c]).detach()))
    np.testing.assert_allclose(ours, np.mean(expected), rtol=1e-6)


def test_log_odds_prefers_the_salient_entries():
    # the model reads channel 0 only: removing it moves the prediction, removing
    # channel 1 does not
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(C * T, 2))
    with torch.no_grad():
        model[1].weight.zero_()
        model[1].weight[0, :T] = 1.0
    X = np.abs(_panel()) + 1
    good = np.zeros_like(X)
    good[:, 0] = 1
    assert log_odds(model, X, good, topk=0.5) < log_odds(model, X, 1 - good, topk=0.5) == 0


def test_log_odds_bad_input():
    X = _panel()
    with pytest.raises(ValueError, match="topk"):
        log_odds(Net(), X, X, topk=1.0)
    with pytest.raises(ValueError, match="must match"):
        log_odds(Net(), X, X[:2])
    with pytest.raises(ValueError, match="regressor"):
        log_odds(torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(C * T, 1)), X, X)
    with pytest.raises(ValueError, match="baseline"):
        log_odds(Net(), X, X, baseline=np.zeros(4))


# --- white box -----------------------------------------------------------------

def test_white_box_errors_by_hand():
    rng = np.random.default_rng(0)
    truth = rng.random((4, C, T))
    attributions = rng.normal(size=(4, C, T))
    mask = normalize_saliency(attributions)
    assert white_box_mse(truth, attributions) == pytest.approx(
        mean_squared_error(truth.ravel(), mask.ravel()))
    assert white_box_mae(truth, attributions) == pytest.approx(
        mean_absolute_error(truth.ravel(), mask.ravel()))
    assert white_box_rmse(truth, attributions) == pytest.approx(
        np.sqrt(mean_squared_error(truth.ravel(), mask.ravel())))
    assert white_box_mse(truth, attributions, normalize=False) == pytest.approx(
        np.mean((truth - attributions) ** 2))
    # time_interpret's normalisation (max - min + 1e-5) differs by about 1e-5
    flat = attributions.reshape(4, -1)
    low, high = flat.min(axis=1)[:, None, None], flat.max(axis=1)[:, None, None]
    tint_mask = (attributions - low) / (high - low + 1e-5)
    assert white_box_mse(truth, attributions) == pytest.approx(
        np.mean((tint_mask - truth) ** 2), rel=1e-4)


def test_white_box_errors_bad_input():
    truth = np.zeros((2, C, T))
    with pytest.raises(ValueError, match="same shape"):
        white_box_mse(truth, truth[:, :1])
    with pytest.raises(ValueError, match="normalize"):
        white_box_mae(truth, truth, normalize="yes")
    with pytest.raises(ValueError, match="NaN|nan|finite"):
        white_box_rmse(truth, np.full_like(truth, np.nan))


def test_white_box_scorers_are_negated_errors():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(C * T, 1))
    X = _panel()
    truth = np.abs(_panel(seed=1))
    explainer = Saliency(model).fit(X)
    maps = explainer.explain(X)
    for name, func in (("mse", white_box_mse), ("mae", white_box_mae),
                       ("rmse", white_box_rmse)):
        scorer = make_explanation_scorer(name)
        assert scorer(explainer, X, truth) == pytest.approx(-func(truth, maps))


def test_robustness_scorers_are_negated_means():
    X = _panel(12)
    gru = GRUClassifier(hidden_size=4, max_epochs=1, random_state=0).fit(X, np.arange(12) % 2)
    explainer = Saliency(gru).fit(X)
    for name, func in (("infidelity", infidelity), ("sensitivity_max", sensitivity_max),
                       ("lipschitz_max", lipschitz_max)):
        scorer = make_explanation_scorer(name, random_state=0, n_perturb_samples=3)
        expected = func(explainer, X, random_state=0, n_perturb_samples=3).mean()
        assert scorer(explainer, X) == pytest.approx(-expected)
    scorer = make_explanation_scorer("log_odds", topk=0.3)
    assert scorer(explainer, X) == pytest.approx(-log_odds(gru, X, explainer.explain(X),
                                                           topk=0.3))


# --- against time_interpret, when installed (the benchmarks extra) ---------------

def test_log_odds_and_lipschitz_max_equal_time_interpret():
    tint_metrics = pytest.importorskip("tint.metrics")
    model, X = Net(), _panel()
    maps = np.random.default_rng(2).normal(size=X.shape).astype(np.float32)
    theirs = tint_metrics.log_odds(model, torch.as_tensor(X), torch.as_tensor(maps),
                                   topk=0.3)
    assert log_odds(model, X, maps, topk=0.3) == pytest.approx(theirs, abs=1e-6)

    rng = _rng(4)

    def perturb(inputs, perturb_radius):  # tint's perturbations come as a tuple
        noise = rng.uniform(-perturb_radius, perturb_radius, size=tuple(inputs.shape))
        return (inputs + torch.as_tensor(noise, dtype=inputs.dtype),)

    theirs = tint_metrics.lipschitz_max(
        attr.Saliency(model).attribute, torch.as_tensor(X), perturb_func=perturb,
        perturb_radius=0.05, n_perturb_samples=3, target=torch.as_tensor(TARGET),
        abs=False).numpy()
    ours = lipschitz_max(Saliency(model, absolute=False).fit(X), X, target=TARGET,
                         perturb_radius=0.05, n_perturb_samples=3, random_state=4)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5)
