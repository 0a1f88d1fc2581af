"""Per-step gradient attributions of recurrent nets in one backward pass."""

import numpy as np
import pytest
import torch

from sklearn_tsx.explainers import (
    DeepLift,
    DeepLiftShap,
    GradientShap,
    IntegratedGradients,
    Saliency,
    SmoothGrad,
    explain_per_step,
)
from sklearn_tsx.explainers._step_local import step_local_forward
from sklearn_tsx.models import (
    GRUClassifier,
    GRURegressor,
    InputCellAttentionClassifier,
    LSTMClassifier,
    TCNClassifier,
)
from sklearn_tsx.models._modules import InputCellAttentionLSTMNet, RecurrentNet
from tests.test_per_step import _step_by_step, _StepClassifier


def _step_derivatives(module, x, output):
    """d out[:, t, output] / d x[:, :, t] for every t, one backward pass per step."""
    grads = torch.zeros_like(x)
    for t in range(x.shape[-1]):
        grad = torch.autograd.grad(module(x)[:, t, output].sum(), x)[0]
        grads[:, :, t] = grad[:, :, t]
    return grads


def _assert_step_local(net, x, output):
    """Same outputs as the module, and its gradient is each step's own derivative."""
    local = step_local_forward(net)(x)
    torch.testing.assert_close(local, net(x), rtol=0, atol=1e-6)
    grads = torch.autograd.grad(local[..., output].sum(), x)[0]
    torch.testing.assert_close(grads, _step_derivatives(net, x, output), rtol=1e-5,
                               atol=1e-7)


@pytest.mark.parametrize("cell", ["gru", "lstm", "input-cell attention"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_step_local_forward_keeps_outputs_and_gives_step_derivatives(cell, num_layers):
    torch.manual_seed(0)
    if cell == "input-cell attention":
        net = InputCellAttentionLSTMNet(3, 2, 8, num_layers, attention_hops=2,
                                        attention_size=5, dropout=0.2, sequence_output=True)
    else:
        net = RecurrentNet(cell, 3, 2, 8, num_layers, 0.2, sequence_output=True)
    _assert_step_local(net.eval(), torch.randn(4, 3, 9, requires_grad=True), output=1)


def test_step_local_forward_of_a_recurrent_layer_without_biases():
    torch.manual_seed(0)
    net = RecurrentNet("lstm", 3, 2, 8, 1, 0.0, sequence_output=True).eval()
    net.rnn = torch.nn.LSTM(3, 8, batch_first=True, bias=False)
    _assert_step_local(net, torch.randn(2, 3, 6, requires_grad=True), output=0)


def test_step_local_forward_only_for_step_recurrent_nets():
    assert step_local_forward(RecurrentNet("gru", 3, 2, 4, 1, 0.0, False)) is None
    assert step_local_forward(InputCellAttentionLSTMNet(3, 2, 4, 1, 2, 5, 0.0, False)) is None
    assert step_local_forward(_StepClassifier().module_) is None
    assert step_local_forward(None) is None
    X = np.random.default_rng(0).normal(size=(6, 2, 8)).astype(np.float32)
    tcn = TCNClassifier(max_epochs=1, sequence_output=True, random_state=0)
    tcn.fit(X, np.tile([0, 1], (6, 4)))
    assert step_local_forward(tcn.module_) is None


@pytest.fixture(scope="module")
def step_models():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 3, 10)).astype(np.float32)
    labels = (np.cumsum(X[:, 0], axis=-1) > 0).astype(int)
    small = {"hidden_size": 8, "max_epochs": 3, "sequence_output": True, "random_state": 0}
    return X[:5], {
        "gru": GRUClassifier(**small).fit(X, labels),
        "lstm-2": LSTMClassifier(num_layers=2, **small).fit(X, labels),
        "attention-lstm": InputCellAttentionClassifier(**small).fit(X, labels),
        "gru-regressor": GRURegressor(**small).fit(X, np.cumsum(X[:, 1], axis=-1)),
        "conv-gru (rows)": _StepClassifier(),
    }


DETERMINISTIC = [
    (Saliency, {}),
    (Saliency, {"absolute": False}),
    (IntegratedGradients, {"n_steps": 8}),
    (IntegratedGradients, {"n_steps": 5, "baselines": "mean", "method": "riemann_trapezoid"}),
    (DeepLift, {}),
    (DeepLift, {"multiply_by_inputs": False, "baselines": 0.5}),
    (DeepLiftShap, {"baselines": "zeros", "n_baselines": 2}),
    (SmoothGrad, {"stdevs": 0.0, "n_samples": 2}),
]


@pytest.mark.parametrize(("cls", "params"), DETERMINISTIC)
@pytest.mark.parametrize(
    "name", ["gru", "lstm-2", "attention-lstm", "gru-regressor", "conv-gru (rows)"]
)
def test_gradient_per_step_matches_step_by_step(step_models, cls, params, name):
    X, models = step_models
    explainer = cls(models[name], batch_size=3, **params).fit(X)
    per_step = explain_per_step(explainer, X)
    expected = _step_by_step(explainer, X)
    scale = np.abs(expected).max()
    assert scale > 0
    np.testing.assert_allclose(per_step, expected, rtol=1e-4, atol=1e-5 * scale)


def test_gradient_per_step_takes_one_pass_for_all_steps(step_models, monkeypatch):
    X, models = step_models
    explainer = IntegratedGradients(models["gru"], n_steps=4).fit(X)
    monkeypatch.setattr(explainer, "explain", lambda *a, **k: pytest.fail("one row per step"))
    assert explain_per_step(explainer, X).shape == X.shape


@pytest.mark.parametrize("cls", [GradientShap, SmoothGrad])
def test_random_gradient_per_step_is_reproducible(step_models, cls):
    X, models = step_models
    first = explain_per_step(cls(models["lstm-2"], random_state=3).fit(X), X)
    again = explain_per_step(cls(models["lstm-2"], random_state=3).fit(X), X)
    np.testing.assert_array_equal(first, again)
    other = explain_per_step(cls(models["lstm-2"], random_state=4).fit(X), X)
    assert not np.array_equal(first, other)


def test_gradient_shap_per_step_converges_to_integrated_gradients(step_models):
    # without noise and with a zero baseline, GradientSHAP averages the gradient
    # at uniform points of IG's path: many draws approach IG's attributions
    X, models = step_models
    ig = explain_per_step(IntegratedGradients(models["gru"], n_steps=64).fit(X), X)
    shap = GradientShap(models["gru"], baselines="zeros", n_samples=400, stdevs=0.0,
                        random_state=0).fit(X)
    estimate = explain_per_step(shap, X)
    assert np.corrcoef(ig.ravel(), estimate.ravel())[0, 1] > 0.99
    np.testing.assert_allclose(estimate, ig, atol=0.1 * np.abs(ig).max())
