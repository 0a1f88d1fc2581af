"""InputXGradient, GuidedBackprop, Deconvolution, LayerGradCam, KernelShap,
ShapleyValues and SmoothGrad's NoiseTunnel types: equal to captum called
directly, to their definitions on cases small enough to compute by hand, and
the errors they owe bad input."""

import itertools

import numpy as np
import pytest
import torch
from captum import attr
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import check_random_state

from sklearn_tsx.explainers import (
    Deconvolution,
    GuidedBackprop,
    InputXGradient,
    KernelShap,
    LayerGradCam,
    Saliency,
    ShapleyValues,
    SmoothGrad,
    explain_per_step,
)
from sklearn_tsx.models import GRUClassifier, TCNClassifier

C, T = 3, 8


class ModuleReluNet(torch.nn.Module):
    """A fixed convolutional net whose ReLU is a module (captum can hook it)."""

    def __init__(self, pool=False):
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.conv = torch.nn.Conv1d(C, 4, 3, padding=1)
        self.relu = torch.nn.ReLU()
        self.pool = torch.nn.MaxPool1d(2) if pool else torch.nn.Identity()
        self.linear = torch.nn.Linear(4 * (T // 2 if pool else T), 2)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator) * 0.5)

    def forward(self, x):
        return self.linear(self.pool(self.relu(self.conv(x))).flatten(1))


def _panel(n=6, seed=0):
    return np.random.default_rng(seed).normal(size=(n, C, T)).astype(np.float32)


def _linear(n_outputs=1):
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(C * T, n_outputs))
    with torch.no_grad():
        model[1].weight.copy_(torch.linspace(-1, 1, C * T * n_outputs).reshape(n_outputs, -1))
        model[1].bias.fill_(0.3)
    return model


def _first_seed(random_state):
    """The seed BaseExplainer gives the first batch."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max, size=1)[0])


TARGET = np.array([0, 1, 0, 1, 1, 0])


def _captum(method, X, target=TARGET, seed=None, **kwargs):
    if seed is not None:
        torch.manual_seed(seed)
    x = torch.as_tensor(X).requires_grad_()
    out = method.attribute(x, target=torch.as_tensor(target), **kwargs)
    return out.detach().numpy()


# --- equal to captum ---------------------------------------------------------

@pytest.mark.parametrize("ours, theirs", [
    (InputXGradient, attr.InputXGradient),
    (GuidedBackprop, attr.GuidedBackprop),
    (Deconvolution, attr.Deconvolution),
])
def test_gradient_methods_equal_captum(ours, theirs):
    model, X = ModuleReluNet(), _panel()
    expected = _captum(theirs(model), X)
    np.testing.assert_allclose(ours(model).fit(X).explain(X, target=TARGET), expected,
                               atol=1e-6)


def test_guided_methods_differ_from_the_gradient_where_relus_block():
    # the hooks are really set: on a net with ReLU modules the maps differ
    model, X = ModuleReluNet(), _panel()
    gradient = _captum(attr.Saliency(model), X, abs=False)
    for cls in (GuidedBackprop, Deconvolution):
        maps = cls(model).fit(X).explain(X, target=TARGET)
        assert np.abs(maps - gradient).max() > 1e-3


def test_input_x_gradient_of_a_linear_model_is_weight_times_input():
    model, X = _linear(), _panel()
    weights = model[1].weight.detach().numpy().reshape(C, T)
    np.testing.assert_allclose(InputXGradient(model).fit(X).explain(X, target=0),
                               weights * X, atol=1e-6)


@pytest.mark.parametrize("nt_type", ["smoothgrad", "smoothgrad_sq", "vargrad"])
def test_smoothgrad_noise_tunnel_types_equal_captum(nt_type):
    model, X = ModuleReluNet(), _panel()
    ours = SmoothGrad(model, n_samples=4, nt_type=nt_type, random_state=0, batch_size=64)
    expected = _captum(attr.NoiseTunnel(attr.Saliency(model)), X, seed=_first_seed(0),
                       nt_type=nt_type, nt_samples=4, stdevs=0.15, abs=True)
    np.testing.assert_allclose(ours.fit(X).explain(X, target=TARGET), expected, atol=1e-6)


def test_smoothgrad_default_is_unchanged():
    assert SmoothGrad(None).get_params()["nt_type"] == "smoothgrad"


def test_layer_gradcam_equals_captum_broadcast_over_channels():
    model, X = ModuleReluNet(), _panel()
    explainer = LayerGradCam(model).fit(X)
    assert explainer.layer_name_ == "conv"
    cam = _captum(attr.LayerGradCam(model, model.conv), X)
    assert cam.shape == (6, 1, T)
    np.testing.assert_allclose(explainer.explain(X, target=TARGET),
                               np.broadcast_to(cam, X.shape), atol=1e-6)
    relu = LayerGradCam(model, relu_attributions=True).fit(X).explain(X, target=TARGET)
    np.testing.assert_allclose(relu, np.broadcast_to(np.maximum(cam, 0), X.shape), atol=1e-6)


def test_layer_gradcam_by_its_definition_with_a_shorter_layer():
    # Grad-CAM on the pooled layer (T/2 steps) by hand: activations weighted by
    # the time-mean of their gradients, summed over filters, stretched to T
    model, X = ModuleReluNet(pool=True), _panel()
    x = torch.as_tensor(X)
    activations = model.pool(model.relu(model.conv(x))).detach().requires_grad_()
    out = model.linear(activations.flatten(1))
    out[torch.arange(6), torch.as_tensor(TARGET)].sum().backward()
    weights = activations.grad.mean(dim=2, keepdim=True)
    cam = (weights * activations).sum(dim=1, keepdim=True).detach()
    for mode in ("linear", "nearest"):
        expected = torch.nn.functional.interpolate(cam, size=T, mode=mode).numpy()
        ours = LayerGradCam(model, layer="pool", interpolate_mode=mode).fit(X)
        np.testing.assert_allclose(ours.explain(X, target=TARGET),
                                   np.broadcast_to(expected, X.shape), atol=1e-6)


def test_layer_gradcam_defaults_to_the_tcn_last_convolution():
    X = _panel(16)
    y = (X[:, 0].mean(axis=1) > 0).astype(int)
    tcn = TCNClassifier(hidden_size=4, num_layers=2, max_epochs=2, random_state=0).fit(X, y)
    explainer = LayerGradCam(tcn).fit(X)
    assert explainer.layer_name_.endswith("blocks.1.conv2")
    cam = explainer.explain(X[:4])
    assert cam.shape == (4, C, T) and np.isfinite(cam).all()
    np.testing.assert_array_equal(cam[:, 0], cam[:, 2])
    # one block from 3 channels to 4: its 1 x 1 residual convolution comes last
    one_block = TCNClassifier(hidden_size=4, num_layers=1, max_epochs=1, random_state=0)
    explainer = LayerGradCam(one_block.fit(X, y)).fit(X)
    assert explainer.layer_name_.endswith("blocks.0.conv2")
    only_1x1 = torch.nn.Sequential(torch.nn.Conv1d(C, 2, 1), torch.nn.Flatten(),
                                   torch.nn.Linear(2 * T, 2))
    assert LayerGradCam(only_1x1).fit(X).layer_name_ == "0"


def test_kernel_shap_equals_captum():
    model, X = ModuleReluNet(), _panel()
    groups = torch.arange(T).expand(1, C, T)
    expected = _captum(attr.KernelShap(model), X, seed=_first_seed(0), baselines=0.0,
                       feature_mask=groups, n_samples=30, perturbations_per_eval=64)
    ours = KernelShap(model, feature_mask="time", n_samples=30, baselines="zeros",
                      random_state=0)
    np.testing.assert_allclose(ours.fit(X).explain(X, target=TARGET), expected, atol=1e-5)


def test_shapley_values_equal_captum():
    model, X = ModuleReluNet(), _panel()
    explainer = ShapleyValues(model, n_windows=2, split_channels=True, baselines=0.5).fit(X)
    assert explainer.n_groups_ == 6
    expected = _captum(attr.ShapleyValues(model), X, baselines=0.5,
                       feature_mask=torch.as_tensor(explainer.feature_mask_)[None])
    np.testing.assert_allclose(explainer.explain(X, target=TARGET), expected, atol=1e-6)


# --- by definition -------------------------------------------------------------

@pytest.mark.parametrize("baselines", ["zeros", "mean"])
def test_exact_shapley_of_a_linear_model(baselines):
    """The Shapley value of a group of a linear model is the sum over its entries
    of coefficient x (input - baseline); the groups add up to f(x) - f(b)."""
    model, X = _linear(), _panel()
    explainer = ShapleyValues(model, n_windows=3, baselines=baselines).fit(X[:3])
    values = explainer.explain(X, target=0)
    base = 0.0 if baselines == "zeros" else X[:3].mean(axis=0)
    weights = model[1].weight.detach().numpy().reshape(C, T)
    contribution = weights * (X - base)
    windows = [range(0, 3), range(3, 6), range(6, 8)]  # array_split of 8 steps
    for window in windows:
        expected = contribution[:, :, list(window)].sum(axis=(1, 2))
        for t in window:
            for c in range(C):
                np.testing.assert_allclose(values[:, c, t], expected, atol=1e-5)
    # efficiency: one value per group, summed, is f(x) - f(baseline)
    group_sum = sum(values[:, 0, w[0]] for w in windows)
    np.testing.assert_allclose(group_sum, contribution.sum(axis=(1, 2)), atol=1e-5)


def test_exact_shapley_of_an_interaction_by_enumeration():
    """f = x[0, 0] * x[1, 0] + x[2, 7]: groups channel 0, channel 1, channel 2;
    by the Shapley formula on 3 players the product's value is split evenly."""

    class Product(torch.nn.Module):
        def forward(self, x):
            return (x[:, 0, 0] * x[:, 1, 0] + x[:, 2, 7])[:, None]

    X = _panel(4)
    values = ShapleyValues(Product(), feature_mask="channel", baselines="zeros").fit(X)
    values = values.explain(X, target=0)
    product = X[:, 0, 0] * X[:, 1, 0]
    np.testing.assert_allclose(values[:, 0, 3], product / 2, atol=1e-6)
    np.testing.assert_allclose(values[:, 1, 5], product / 2, atol=1e-6)
    np.testing.assert_allclose(values[:, 2, 0], X[:, 2, 7], atol=1e-6)


def test_exact_shapley_per_step_equals_one_row_per_step():
    class Causal(torch.nn.Module):
        def forward(self, x):
            return torch.cumsum(x[:, :1] * 2.0 + x[:, 1:2] ** 2, dim=-1).transpose(1, 2)

    X = np.random.default_rng(0).normal(size=(3, 2, 6)).astype(np.float32)
    explainer = ShapleyValues(Causal(), n_windows=3, baselines="zeros", batch_size=7).fit(X)
    per_step = explain_per_step(explainer, X)
    rows = np.stack([explainer.explain(X, target=t)[:, :, t] for t in range(6)], axis=-1)
    np.testing.assert_allclose(per_step, rows, atol=1e-5)


def test_input_x_gradient_per_step_on_a_gru_equals_one_row_per_step():
    X = _panel(12)
    y = np.tile((X[:, 1] > 0).astype(int)[:, None, :], 1).squeeze(1)
    gru = GRUClassifier(hidden_size=4, max_epochs=2, sequence_output=True,
                        random_state=0).fit(X, y)
    explainer = InputXGradient(gru).fit(X)
    per_step = explain_per_step(explainer, X[:3])
    outputs = explainer._step_outputs(X[:3])
    rows = np.stack([explainer.explain(X[:3], target=t)[:, :, t] for t in range(T)],
                    axis=-1)
    assert outputs.shape == (3, T)
    np.testing.assert_allclose(per_step, rows, atol=1e-5)


# --- contract ------------------------------------------------------------------

METHODS = [
    (InputXGradient, {}), (GuidedBackprop, {}), (Deconvolution, {}), (LayerGradCam, {}),
    (KernelShap, {"feature_mask": "time", "n_samples": 20}), (ShapleyValues, {"n_windows": 3}),
    (SmoothGrad, {"nt_type": "vargrad", "n_samples": 3}),
]


@pytest.mark.parametrize("cls, params", METHODS)
def test_contract(cls, params):
    model, X = ModuleReluNet(), _panel(7)
    X_before = X.copy()
    explainer = cls(model, random_state=0, batch_size=3, **params)
    params = clone(explainer).get_params(deep=False)
    assert {k: v for k, v in params.items() if k != "estimator"} == {
        k: v for k, v in explainer.get_params(deep=False).items() if k != "estimator"}
    maps = explainer.fit(X).explain(X, target=1)
    np.testing.assert_array_equal(X, X_before)
    assert maps.shape == X.shape and maps.dtype == np.float32
    np.testing.assert_array_equal(maps, explainer.explain(X, target=1))
    if cls in (KernelShap, SmoothGrad):  # random: one seed per batch, whatever n_jobs
        parallel = clone(explainer).set_params(n_jobs=2).fit(X).explain(X, target=1)
        np.testing.assert_allclose(parallel, maps, atol=1e-6)
    else:  # deterministic: batching does not matter
        whole = clone(explainer).set_params(batch_size=64).fit(X).explain(X, target=1)
        np.testing.assert_allclose(whole, maps, atol=1e-5)
    assert len(explainer.get_feature_names_out()) == C * T


# --- errors --------------------------------------------------------------------

@pytest.mark.parametrize("cls", [InputXGradient, GuidedBackprop, Deconvolution,
                                 LayerGradCam])
def test_gradient_methods_refuse_a_predict_only_model(cls):
    X = _panel(20)
    model = LogisticRegression().fit(X.reshape(20, -1), np.arange(20) % 2)
    with pytest.raises(TypeError, match=f"{cls.__name__} differentiates the model"):
        cls(model).fit(X)


@pytest.mark.parametrize("cls", [GuidedBackprop, Deconvolution])
def test_guided_methods_refuse_a_model_without_relu_modules(cls):
    X = _panel()
    with pytest.raises(ValueError, match=f"{cls.__name__} rewrites .* no.*"):
        cls(_linear(2)).fit(X)
    X_seq = _panel(12)
    gru = GRUClassifier(hidden_size=4, max_epochs=1, random_state=0).fit(
        X_seq, np.arange(12) % 2)
    with pytest.raises(ValueError, match="torch.nn.ReLU modules"):
        cls(gru).fit(X_seq)


@pytest.mark.parametrize("cls", [GuidedBackprop, Deconvolution])
def test_guided_methods_explain_the_tcn(cls):
    X = _panel(12)
    tcn = TCNClassifier(hidden_size=4, num_layers=2, max_epochs=2, random_state=0).fit(
        X, np.arange(12) % 2)
    S = cls(tcn).fit(X).explain(X)
    plain = Saliency(tcn, absolute=False).fit(X).explain(X)
    assert S.shape == X.shape and np.all(np.isfinite(S))
    # the ReLUs' backward passes are rewritten: not the plain gradient
    assert not np.allclose(S, plain)


def test_layer_gradcam_errors():
    X = _panel()
    with pytest.raises(ValueError, match="LayerGradCam .* no torch.nn.Conv1d"):
        LayerGradCam(_linear(2)).fit(X)
    with pytest.raises(ValueError, match="layer='nope' is not a layer"):
        LayerGradCam(ModuleReluNet(), layer="nope").fit(X)
    with pytest.raises(ValueError, match="interpolate_mode"):
        LayerGradCam(ModuleReluNet(), interpolate_mode="cubic").fit(X)
    with pytest.raises(ValueError, match=r"output is \(n, channels, time\)"):
        LayerGradCam(ModuleReluNet(), layer="linear").fit(X).explain(X, target=0)


def test_shapley_values_refuse_too_many_groups():
    X = _panel()
    with pytest.raises(ValueError, match="ShapleyValues .* at most 8 groups.* has 12"):
        ShapleyValues(_linear(), split_channels=True).fit(X)
    with pytest.raises(ValueError, match="has 24"):
        ShapleyValues(_linear(), feature_mask=np.arange(C * T).reshape(C, T)).fit(X)
    with pytest.raises(ValueError, match="n_windows"):
        ShapleyValues(_linear(), n_windows=T + 1).fit(X)
    with pytest.raises(ValueError, match="n_windows"):
        ShapleyValues(_linear(), n_windows=0).fit(X)
    with pytest.raises(ValueError, match="split_channels"):
        ShapleyValues(_linear(), split_channels="yes").fit(X)


def test_shapley_values_feature_mask_overrides_windows():
    X = _panel()
    explainer = ShapleyValues(_linear(), feature_mask="channel", n_windows=5).fit(X)
    np.testing.assert_array_equal(explainer.feature_mask_,
                                  np.repeat(np.arange(C)[:, None], T, axis=1))
    labels = np.array(list(itertools.islice(itertools.cycle([7, 3]), C * T))).reshape(C, T)
    explainer = ShapleyValues(_linear(), feature_mask=labels).fit(X)
    assert explainer.n_groups_ == 2 and set(np.unique(explainer.feature_mask_)) == {0, 1}


def test_bad_parameters():
    X = _panel()
    with pytest.raises(ValueError, match="nt_type"):
        SmoothGrad(_linear(), nt_type="smooth").fit(X)
    with pytest.raises(ValueError, match="n_samples"):
        KernelShap(_linear(), n_samples=0).fit(X)
    with pytest.raises(ValueError, match="baselines"):
        KernelShap(_linear(), baselines="train").fit(X)
