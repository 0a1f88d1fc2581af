"""time_interpret's temporal methods: each against its definition on white
boxes computed by hand, against time_interpret itself where it is installed,
and their refusals of models and explainers they cannot handle."""

import numpy as np
import pytest
import torch
from _explainer_fixtures import ReluNet, fitted_gru, make_panel

from sklearn_tsx.explainers import (
    DeepLift,
    FeatureOcclusion,
    GeodesicIntegratedGradients,
    IntegratedGradients,
    NonLinearitiesTunnel,
    Saliency,
    SequentialIntegratedGradients,
    TemporalAugmentedOcclusion,
    TemporalIntegratedGradients,
    TemporalOcclusion,
    TemporalSaliencyRescaling,
    TimeForwardTunnel,
    explain_per_step,
)
from sklearn_tsx.models._modules import RecurrentNet

WEIGHTS = np.array([0.5, -2.0, 1.5], dtype=np.float32)  # one per channel


class PrefixSum(torch.nn.Module):
    """``s = sum_{c,t} w_c x[c, t]`` over the steps it is given; outputs (s, -s)."""

    def forward(self, x):
        s = (torch.as_tensor(WEIGHTS)[:, None] * x).sum(dim=(1, 2))
        return torch.stack([s, -s], dim=1)


class LastStepSquares(torch.nn.Module):
    """``s = sum_c w_c x[c, -1]^2`` of the last step it is given; outputs (s, -s)."""

    def forward(self, x):
        s = (torch.as_tensor(WEIGHTS) * x[..., -1] ** 2).sum(dim=1)
        return torch.stack([s, -s], dim=1)


class ConvMean(torch.nn.Module):
    """Pointwise convolution, ReLU, mean over time: reads series of any length."""

    def __init__(self, activation=torch.relu):
        super().__init__()
        torch.manual_seed(0)
        self.conv, self.linear = torch.nn.Conv1d(3, 4, 1), torch.nn.Linear(4, 2)
        self.activation = activation

    def forward(self, x):
        return self.linear(self.activation(self.conv(x)).mean(dim=-1))


@pytest.fixture(scope="module")
def data():
    return make_panel(12, seed=1), make_panel(5, seed=2)


def _weight_map():
    return np.broadcast_to(WEIGHTS[:, None], (3, 8))


# --- definitions on white boxes ------------------------------------------------

@pytest.mark.parametrize("baselines", ["zeros", "mean", 0.7])
def test_sequential_ig_of_a_linear_model_is_weight_times_difference(data, baselines):
    X_train, X = data
    sig = SequentialIntegratedGradients(PrefixSum(), baselines=baselines, n_steps=3,
                                        batch_size=7).fit(X_train)
    reference = {"zeros": 0.0, "mean": X_train.mean(axis=0), 0.7: 0.7}[baselines]
    np.testing.assert_allclose(sig.explain(X, target=0), (X - reference) * _weight_map(),
                               atol=1e-5)


@pytest.mark.parametrize("method", ["gausslegendre", "riemann_right"])
def test_temporal_ig_of_a_prefix_sum_is_weight_times_difference(data, method):
    X_train, X = data
    tig = TemporalIntegratedGradients(PrefixSum(), baselines="mean", n_steps=4,
                                      method=method).fit(X_train)
    expected = -(X - X_train.mean(axis=0)) * _weight_map()
    np.testing.assert_allclose(tig.explain(X, target=1), expected, atol=1e-5)


def test_temporal_ig_moves_only_the_last_step_of_each_prefix(data):
    # f = x[c, L-1]^2 weighted: IG along the last step from 0 is w x^2, whatever
    # the earlier steps hold
    X_train, X = data
    tig = TemporalIntegratedGradients(LastStepSquares(), n_steps=20).fit(X_train)
    np.testing.assert_allclose(tig.explain(X, target=0), X**2 * _weight_map(), atol=1e-4)


def test_geodesic_ig_of_a_linear_model_is_weight_times_difference(data):
    X_train, X = data
    gig = GeodesicIntegratedGradients(PrefixSum(), n_neighbors=3, batch_size=4).fit(X_train)
    np.testing.assert_allclose(gig.explain(X, target=0), X * _weight_map(), atol=1e-5)


def test_geodesic_ig_adds_up_to_the_output_change(data):
    X_train, X = data
    net = ConvMean(torch.tanh).eval()
    gig = GeodesicIntegratedGradients(net, n_neighbors=4, n_steps=20).fit(X_train)
    with torch.no_grad():
        change = (net(torch.as_tensor(X)) - net(torch.zeros_like(torch.as_tensor(X))))[:, 1]
    np.testing.assert_allclose(gig.explain(X, target=1).sum(axis=(1, 2)), change.numpy(),
                               atol=1e-4)


def test_geodesic_ig_does_not_depend_on_batch_size_or_n_jobs(data):
    X_train, X = data
    gru = fitted_gru()
    first = GeodesicIntegratedGradients(gru, n_neighbors=3, batch_size=5).fit(X_train)
    second = GeodesicIntegratedGradients(gru, n_neighbors=3, batch_size=64,
                                         n_jobs=2).fit(X_train)
    np.testing.assert_allclose(first.explain(X), second.explain(X), atol=1e-6)


@pytest.mark.parametrize("channel_window", [1, 2, None])
def test_temporal_occlusion_on_a_white_box(data, channel_window):
    # occluding channels of the last step of f = sum_c w_c x_c^2 by b drops
    # w_c (x_c^2 - b^2) for each occluded channel; an entry averages the drops of
    # the windows covering it
    X_train, X = data
    to = TemporalOcclusion(LastStepSquares(), channel_window=channel_window,
                           baselines=0.5, batch_size=4).fit(X_train)
    drop = WEIGHTS[:, None] * (X**2 - 0.25)
    height = channel_window or 3
    windows = np.array([[top <= c < top + height for c in range(3)]
                        for top in range(3 - height + 1)], dtype=float)
    window_drops = np.einsum("wc,nct->nwt", windows, drop)
    expected = np.einsum("wc,nwt->nct", windows, window_drops) / windows.sum(0)[:, None]
    np.testing.assert_allclose(to.explain(X, target=0), expected, atol=1e-5)


def test_temporal_augmented_occlusion_from_one_series_is_occlusion_by_it(data):
    X_train, X = data
    tao = TemporalAugmentedOcclusion(LastStepSquares(), n_samples=3,
                                     random_state=0).fit(X_train[:1])
    expected = WEIGHTS[:, None] * (X**2 - X_train[:1] ** 2)
    np.testing.assert_allclose(tao.explain(X, target=0), expected, atol=1e-5)


def test_temporal_augmented_occlusion_is_seeded_and_parallel_safe(data):
    X_train, X = data
    gru = fitted_gru()
    one = TemporalAugmentedOcclusion(gru, n_samples=2, random_state=3, batch_size=2)
    two = TemporalAugmentedOcclusion(gru, n_samples=2, random_state=3, batch_size=2,
                                     n_jobs=2)
    np.testing.assert_array_equal(one.fit(X_train).explain(X), two.fit(X_train).explain(X))


# --- relations to the explainers of the whole series ---------------------------

def _sequence_gru():
    torch.manual_seed(0)
    return RecurrentNet("gru", 3, 1, 4, 1, 0.0, sequence_output=True).eval()


def test_on_a_causal_sequence_model_prefixes_are_the_per_step_explanation(data):
    X_train, X = data
    net = _sequence_gru()
    occlusion = TemporalOcclusion(net, baselines="mean").fit(X_train).explain(X)
    per_step = explain_per_step(
        FeatureOcclusion(net, window=1, channel_window=1).fit(X_train), X
    )
    np.testing.assert_allclose(occlusion, per_step, atol=1e-5)
    tunnel = TimeForwardTunnel(Saliency(net, absolute=False)).fit(X_train).explain(X)
    per_step = explain_per_step(Saliency(net, absolute=False).fit(X_train), X)
    np.testing.assert_allclose(tunnel, per_step, atol=1e-5)


def test_explain_per_step_of_a_prefix_method_is_its_explanation(data):
    X_train, X = data
    net = _sequence_gru()
    for explainer in (TemporalOcclusion(net), TimeForwardTunnel(Saliency(net))):
        explainer.fit(X_train)
        np.testing.assert_allclose(explain_per_step(explainer, X), explainer.explain(X),
                                   atol=1e-6)


def test_time_forward_tunnel_of_a_prefix_sum(data):
    X_train, X = data
    for baselines, reference in [("zeros", 0.0), ("mean", X_train.mean(axis=0))]:
        tunnel = TimeForwardTunnel(
            IntegratedGradients(PrefixSum(), baselines=baselines, n_steps=5), batch_size=2
        )
        np.testing.assert_allclose(tunnel.fit(X_train).explain(X, target=0),
                                   (X - reference) * _weight_map(), atol=1e-5)


def test_non_linearities_tunnel_explains_the_smoothed_model(data):
    X_train, X = data
    net = ReluNet().eval()

    class SoftplusNet(torch.nn.Module):
        def forward(self, x):
            return net.linear(torch.nn.functional.softplus(net.conv(x), beta=5).flatten(1))

    tunnel = NonLinearitiesTunnel(Saliency(net, absolute=False),
                                  replace_with=torch.nn.Softplus(beta=5)).fit(X_train)
    expected = Saliency(SoftplusNet(), absolute=False).fit(X_train).explain(X, target=1)
    np.testing.assert_allclose(tunnel.explain(X, target=1), expected, atol=1e-6)
    # the model itself is untouched
    plain = Saliency(net, absolute=False).fit(X_train).explain(X, target=1)
    assert not np.allclose(plain, expected)
    np.testing.assert_allclose(
        Saliency(net, absolute=False).fit(X_train).explain(X, target=1), plain
    )


def test_tunnels_nest_either_way(data):
    X_train, X = data
    net = ConvMean().eval()
    smooth = ConvMean(torch.nn.functional.softplus).eval()
    expected = TimeForwardTunnel(Saliency(smooth, absolute=False)).fit(X_train).explain(
        X, target=1)
    outer_time = TimeForwardTunnel(NonLinearitiesTunnel(Saliency(net, absolute=False)))
    outer_smooth = NonLinearitiesTunnel(TimeForwardTunnel(Saliency(net, absolute=False)))
    for tunnel in (outer_time, outer_smooth):
        np.testing.assert_allclose(tunnel.fit(X_train).explain(X, target=1), expected,
                                   atol=1e-6)


def test_meta_estimator_semantics(data):
    from sklearn.base import clone
    from sklearn.frozen import FrozenEstimator

    from sklearn_tsx.models import GRUClassifier

    X_train, X = data
    y = (X_train[:, 1, 4:].mean(axis=1) > 0).astype(int)
    unfitted = GRUClassifier(hidden_size=4, max_epochs=2, random_state=0)
    for explainer in (TemporalOcclusion(unfitted),
                      TimeForwardTunnel(NonLinearitiesTunnel(Saliency(ConvMean()))),
                      TimeForwardTunnel(Saliency(unfitted))):
        assert explainer.fit(X_train, y).explain(X, target=1).shape == X.shape
    assert TimeForwardTunnel(Saliency(unfitted)).fit(X_train, y).estimator_ is not unfitted
    frozen = FrozenEstimator(fitted_gru())
    tunnel = TimeForwardTunnel(IntegratedGradients(frozen, n_steps=3))
    assert tunnel.fit(X_train).estimator_ is frozen
    assert clone(tunnel).get_params()["base_explainer__n_steps"] == 3


# --- refusals ------------------------------------------------------------------

def test_time_forward_tunnel_refuses_non_gradient_and_self_temporal_explainers(data):
    X_train, _ = data
    gru = fitted_gru()
    with pytest.raises(TypeError, match="TimeForwardTunnel.*FeatureOcclusion does not "
                                        "differentiate"):
        TimeForwardTunnel(FeatureOcclusion(gru)).fit(X_train)
    with pytest.raises(TypeError, match="TimeForwardTunnel.*TemporalIntegratedGradients"):
        TimeForwardTunnel(TemporalIntegratedGradients(gru)).fit(X_train)
    with pytest.raises(TypeError, match="base_explainer must be an explainer"):
        TimeForwardTunnel(gru).fit(X_train)


def test_non_linearities_tunnel_refuses_models_without_them(data):
    X_train, _ = data
    with pytest.raises(ValueError, match="NonLinearitiesTunnel replaces ReLU, but "
                                         "GRUClassifier computes none"):
        NonLinearitiesTunnel(Saliency(fitted_gru())).fit(X_train)
    with pytest.raises(TypeError, match="NonLinearitiesTunnel runs a gradient explainer"):
        NonLinearitiesTunnel(TemporalSaliencyRescaling(Saliency(ReluNet()))).fit(X_train)


@pytest.mark.parametrize("params, message", [
    ({"to_replace": torch.nn.Dropout}, "Dropout cannot be replaced"),
    ({"to_replace": "relu"}, "to_replace must be a torch.nn.Module"),
    ({"to_replace": (torch.nn.ReLU, torch.nn.Tanh),
      "replace_with": (torch.nn.Softplus,) * 3}, "replace_with holds 3 modules"),
])
def test_non_linearities_tunnel_bad_parameters(data, params, message):
    with pytest.raises((TypeError, ValueError), match=message):
        NonLinearitiesTunnel(Saliency(ReluNet()), **params).fit(data[0])


@pytest.mark.parametrize("explainer", [
    TemporalIntegratedGradients, TemporalOcclusion, TemporalAugmentedOcclusion,
    lambda model: TimeForwardTunnel(Saliency(model)),
])
def test_prefix_methods_refuse_fixed_length_models(data, explainer):
    with pytest.raises(ValueError, match="cannot predict from a series shorter than 8"):
        explainer(ReluNet()).fit(data[0])


@pytest.mark.parametrize("explainer, params, message", [
    (SequentialIntegratedGradients, {"n_steps": 0}, "n_steps must be a positive"),
    (TemporalIntegratedGradients, {"method": "simpson"}, "method must be one of"),
    (GeodesicIntegratedGradients, {"n_neighbors": 50}, "n_neighbors .50. exceeds"),
    (GeodesicIntegratedGradients, {"distance": "manhattan"}, "distance must be"),
    (TemporalOcclusion, {"channel_window": 4}, r"channel_window must be None or an "
                                               r"integer in \[1, 3\]"),
    (TemporalAugmentedOcclusion, {"n_samples": 0}, "n_samples must be a positive"),
    (TemporalOcclusion, {"baselines": "median"}, "baselines must be one of"),
])
def test_bad_parameters(data, explainer, params, message):
    with pytest.raises(ValueError, match=message):
        explainer(PrefixSum(), **params).fit(data[0])


def test_gradient_methods_refuse_predict_only_models(data):
    from sklearn.dummy import DummyClassifier

    X_train, _ = data
    model = DummyClassifier().fit(X_train.reshape(len(X_train), -1), np.arange(12) % 2)
    for cls in (TemporalIntegratedGradients, SequentialIntegratedGradients,
                GeodesicIntegratedGradients):
        with pytest.raises(TypeError, match=f"{cls.__name__} differentiates the model"):
            cls(model).fit(X_train)


def test_inputs_untouched_and_target_required_for_multi_output(data):
    X_train, X = data
    before = X.copy()
    SequentialIntegratedGradients(PrefixSum(), n_steps=2).fit(X_train).explain(X, target=0)
    TemporalOcclusion(PrefixSum()).fit(X_train).explain(X, target=0)
    np.testing.assert_array_equal(X, before)
    with pytest.raises(ValueError, match="target .* must be given"):
        TemporalOcclusion(PrefixSum()).fit(X_train).explain(X)


# --- time_interpret's own results ------------------------------------------------

@pytest.fixture(scope="module")
def tint():
    return pytest.importorskip("tint.attr")


class _TimeFirst(torch.nn.Module):
    """A model seen in time_interpret's layout, (batch, time, features)."""

    def __init__(self, adapter):
        super().__init__()
        self.model = adapter.module
        self._adapter = adapter

    def forward(self, x):
        return self._adapter.forward(x.transpose(1, 2))


def _time_first(X):
    return torch.as_tensor(X).transpose(1, 2)


def _ours(attributions):
    return attributions.transpose(1, 2).detach().numpy()


def test_equal_to_time_interpret(data, tint):
    import captum.attr as ca

    X_train, X = data
    gru = fitted_gru()
    mean = _time_first(X_train.mean(axis=0, keepdims=True))

    def check(ours, theirs):
        np.testing.assert_allclose(ours, _ours(theirs), atol=1e-5)

    explainer = TemporalIntegratedGradients(gru, n_steps=10, batch_size=3).fit(X_train)
    check(explainer.explain(X, target=1), tint.TemporalIntegratedGradients(
        _TimeFirst(explainer.model_)).attribute(_time_first(X), target=1, n_steps=10))

    net = ReluNet().eval()
    explainer = SequentialIntegratedGradients(net, n_steps=10, batch_size=7).fit(X_train)
    check(explainer.explain(X, target=1), tint.SequentialIntegratedGradients(
        _TimeFirst(explainer.model_)).attribute(_time_first(X), target=1, n_steps=10))

    explainer = GeodesicIntegratedGradients(net, n_neighbors=3).fit(X_train)
    check(explainer.explain(X, target=1), tint.GeodesicIntegratedGradients(
        _TimeFirst(explainer.model_), data=_time_first(X_train), n_neighbors=3,
    ).attribute(_time_first(X), target=1, n_steps=5))

    for ours, theirs, kwargs in [
        (IntegratedGradients(gru, n_steps=10), ca.IntegratedGradients, {"n_steps": 10}),
        (Saliency(gru), ca.Saliency, {"abs": True}),
        (DeepLift(gru), ca.DeepLift, {}),
    ]:
        explainer = TimeForwardTunnel(ours, batch_size=3).fit(X_train)
        check(explainer.explain(X), tint.TimeForwardTunnel(
            theirs(_TimeFirst(explainer.model_))).attribute(
                _time_first(X), task="multiclass", **kwargs))

    explainer = TemporalOcclusion(gru, channel_window=2, absolute=True).fit(X_train)
    check(explainer.explain(X), tint.TimeForwardTunnel(
        tint.TemporalOcclusion(_TimeFirst(explainer.model_))).attribute(
            _time_first(X), sliding_window_shapes=(2,), baselines=mean, task="multiclass",
            attributions_fn=abs))

    explainer = TemporalAugmentedOcclusion(gru, n_samples=3).fit(X_train[:1])
    check(explainer.explain(X, target=0), tint.TimeForwardTunnel(
        tint.TemporalAugmentedOcclusion(_TimeFirst(explainer.model_),
                                        data=_time_first(X_train[:1]), n_sampling=3,
                                        is_temporal=True)).attribute(
            _time_first(X), sliding_window_shapes=(1,), target=0))

    class ModuleRelu(torch.nn.Module):  # time_interpret replaces nn.ReLU layers only
        def __init__(self):
            super().__init__()
            self.conv, self.relu, self.linear = net.conv, torch.nn.ReLU(), net.linear

        def forward(self, x):
            return self.linear(self.relu(self.conv(x)).flatten(1))

    model = ModuleRelu().eval()
    explainer = NonLinearitiesTunnel(Saliency(model, absolute=False)).fit(X_train)
    theirs = tint.NonLinearitiesTunnel(ca.Saliency(model)).attribute(
        torch.as_tensor(X), target=1, abs=False)
    check(explainer.explain(X, target=1), theirs.transpose(1, 2))
