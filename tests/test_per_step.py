import numpy as np
import pytest
import torch
from sklearn.base import BaseEstimator, ClassifierMixin

from sklearn_tsx.datasets import make_rare_time
from sklearn_tsx.explainers import (
    AugmentedFeatureOcclusion,
    FeatureAblation,
    FeatureOcclusion,
    KernelShap,
    Lime,
    RandomExplainer,
    ShapleyValues,
    ShapleyValueSampling,
    explain_per_step,
)
from sklearn_tsx.explainers.base import BaseExplainer
from sklearn_tsx.models import GRURegressor


class _Gradient(BaseExplainer):
    """Gradient of the explained (step, output) w.r.t. the input."""

    requires_gradients = True

    def __init__(self, estimator, *, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _explain_batch(self, X, target, rng):
        x = torch.as_tensor(X).requires_grad_(True)
        out = self.model_.forward(x)
        rows = torch.arange(len(X))
        steps, outputs = torch.as_tensor(target[:, 0]), torch.as_tensor(target[:, 1])
        out[rows, steps, outputs].sum().backward()
        return x.grad


class _Causal(torch.nn.Module):
    """Output at t = cumulative sum over time of a channel mix: depends on x[:, :t+1]."""

    def forward(self, x):
        return torch.cumsum(x[:, :1] * 2.0 + x[:, 1:2] ** 2, dim=-1).transpose(1, 2)


def test_per_step_is_the_diagonal_of_step_targets():
    X = np.random.default_rng(0).normal(size=(3, 2, 6)).astype(np.float32)
    explainer = _Gradient(_Causal(), batch_size=5).fit(X)
    per_step = explain_per_step(explainer, X)
    expected = np.stack(
        [explainer.explain(X, target=t)[:, :, t] for t in range(6)], axis=-1
    )
    np.testing.assert_allclose(per_step, expected, rtol=1e-6)
    np.testing.assert_allclose(per_step[:, 0], 2.0)
    np.testing.assert_allclose(per_step[:, 1], 2 * X[:, 1], rtol=1e-6)


def test_per_step_on_white_box_reads_the_salient_set():
    data = make_rare_time(n_samples=1, n_features=10, n_timepoints=10, random_state=0)
    model = data.model.select(0)
    explainer = _Gradient(model).fit(data.data)
    per_step = explain_per_step(explainer, data.data)
    np.testing.assert_allclose(per_step, 2 * data.data * data.saliency, rtol=1e-6)


def test_per_step_refuses_models_without_step_outputs():
    X = np.zeros((2, 2, 5), dtype=np.float32)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(10, 1))
    explainer = RandomExplainer(model).fit(X)
    with pytest.raises(ValueError, match="one prediction per time step"):
        explain_per_step(explainer, X)
    sequence = RandomExplainer(_Causal()).fit(X)
    with pytest.raises(ValueError, match="fitted on"):
        explain_per_step(sequence, X[:, :, :4])


class _StepLogits(torch.nn.Module):
    """Three class logits per step from a convolution over time and a GRU: not
    causal, so occluding one step moves the outputs of its neighbours too."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv1d(3, 4, kernel_size=3, padding=1)
        self.gru = torch.nn.GRU(4, 5, batch_first=True)
        self.head = torch.nn.Linear(5, 3)

    def forward(self, x):
        hidden, _ = self.gru(torch.tanh(self.conv(x)).transpose(1, 2))
        return self.head(hidden)


class _StepClassifier(ClassifierMixin, BaseEstimator):
    """A fitted sequence classifier made by hand (explained on its probabilities)."""

    def __init__(self):
        self.classes_ = np.arange(3)
        self.module_ = _StepLogits()

    def fit(self, X, y=None):
        return self


def _step_by_step(explainer, X):
    """The definition: explain each step's output alone, keep its column."""
    return np.stack(
        [explainer.explain(X, target=t)[:, :, t] for t in range(X.shape[-1])], axis=-1
    )


OCCLUSIONS = [
    (FeatureOcclusion, {}),
    (FeatureOcclusion, {"window": 1, "channel_window": 1}),
    (FeatureOcclusion, {"window": 3, "stride": 2, "channel_window": 2}),
    (FeatureOcclusion, {"window": 3, "stride": 3, "baselines": "zeros"}),
    (FeatureAblation, {}),
    (FeatureAblation, {"feature_mask": "time", "baselines": 0.5}),
    (FeatureAblation, {"feature_mask": "channel"}),
    (FeatureAblation, {"feature_mask": np.array([[7, 7, 2, 2, 9, 9, 9]] * 2 + [[4] * 7])}),
]


@pytest.mark.parametrize(("cls", "params"), OCCLUSIONS)
def test_occlusion_per_step_matches_step_by_step(cls, params):
    # one pass per perturbed copy serves every step: same attributions as
    # explaining each step on its own, including windows cut at the end
    X = np.random.default_rng(1).normal(size=(5, 3, 7)).astype(np.float32)
    explainer = cls(_StepClassifier(), batch_size=4, **params).fit(X)
    per_step = explain_per_step(explainer, X)
    np.testing.assert_allclose(per_step, _step_by_step(explainer, X), atol=1e-6)
    assert np.abs(per_step).min() > 0


def test_afo_per_step_matches_step_by_step():
    # with one training value per channel every draw is the same, so the
    # per-sample draws of the per-step route equal the per-row draws of the other
    X = np.random.default_rng(2).normal(size=(4, 3, 6)).astype(np.float32)
    constant = np.broadcast_to(np.array([1.0, -2.0, 0.5], np.float32)[:, None], (6, 3, 6))
    explainer = AugmentedFeatureOcclusion(_StepClassifier(), n_samples=3, batch_size=5,
                                          random_state=0).fit(constant)
    np.testing.assert_allclose(explain_per_step(explainer, X),
                               _step_by_step(explainer, X), atol=1e-6)


def test_occlusion_per_step_on_white_box_is_the_salient_set():
    data = make_rare_time(n_samples=3, n_features=10, n_timepoints=10, shared_salient_set=True,
                          random_state=0)
    model = data.model.select(0)
    X = data.data
    explainer = FeatureOcclusion(model, window=1, channel_window=1, baselines="zeros").fit(X)
    # output at t is the sum of squares of the salient entries at t: occluding
    # one by zero drops it by x**2
    np.testing.assert_allclose(explain_per_step(explainer, X), X**2 * data.saliency,
                               rtol=1e-5, atol=1e-6)


def test_occlusion_per_step_is_reproducible_with_random_baselines():
    X = np.random.default_rng(3).normal(size=(5, 3, 7)).astype(np.float32)
    explainer = FeatureOcclusion(_StepClassifier(), baselines="uniform", batch_size=2,
                                 random_state=0).fit(X)
    first = explain_per_step(explainer, X)
    np.testing.assert_array_equal(first, explain_per_step(explainer.set_params(n_jobs=2), X))
    assert not np.allclose(first, explain_per_step(explainer.set_params(random_state=1), X))


def _exact_step_shapley(forward, x, outputs, labels, n_groups):
    """Shapley values by their definition: weighted marginal contributions over
    every coalition of the other groups, for each step's explained output."""
    from itertools import combinations
    from math import factorial

    def value(coalition):
        on = torch.isin(labels, torch.tensor(sorted(coalition), dtype=torch.long))
        out = forward(torch.where(on, x, torch.zeros_like(x)))
        return out.gather(-1, outputs[..., None])[..., 0]  # (n, T)

    phi = torch.zeros(len(x), n_groups, x.shape[-1], dtype=torch.float64)
    for g in range(n_groups):
        others = [h for h in range(n_groups) if h != g]
        for size in range(n_groups):
            weight = factorial(size) * factorial(n_groups - size - 1) / factorial(n_groups)
            for coalition in combinations(others, size):
                gain = value(set(coalition) | {g}) - value(set(coalition))
                phi[:, g] += weight * gain.double()
    # entry (c, t) takes its group's value for step t's output
    return phi[:, labels, torch.arange(x.shape[-1])]


def test_per_step_shapley_with_every_ordering_is_exact():
    from itertools import permutations

    from sklearn_tsx.explainers._per_step import per_step_shapley

    X = np.random.default_rng(4).normal(size=(3, 3, 5)).astype(np.float32)
    explainer = FeatureAblation(_StepClassifier()).fit(X)
    x, outputs = torch.as_tensor(X), torch.as_tensor(explainer._step_outputs(X))
    labels = torch.tensor([[0, 0, 1, 1, 1], [2, 2, 2, 3, 3], [0, 1, 2, 3, 3]])
    orders = torch.tensor(list(permutations(range(4)))).expand(3, -1, -1)
    with torch.no_grad():
        forward = explainer.model_.forward
        expected = _exact_step_shapley(forward, x, outputs, labels, 4)
        for batch_size in (7, 1000):  # coalitions of one ordering split across passes
            got = per_step_shapley(forward, x, outputs, labels, 4, 0.0, orders, batch_size)
            np.testing.assert_allclose(got, expected, atol=1e-6)


def test_shapley_per_step_on_white_box_is_the_salient_set():
    # an additive model: every ordering gives each entry its own term, x**2
    data = make_rare_time(n_samples=3, n_features=10, n_timepoints=10, shared_salient_set=True,
                          random_state=0)
    X = data.data
    explainer = ShapleyValueSampling(data.model.select(0), n_samples=2, batch_size=2,
                                     baselines="zeros", random_state=0).fit(X)
    expected = X**2 * data.saliency
    np.testing.assert_allclose(explain_per_step(explainer, X), expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_step_by_step(explainer, X), expected, rtol=1e-5, atol=1e-6)


def test_shapley_per_step_converges_to_the_step_by_step_estimate():
    # both routes sample orderings (differently): with many orderings of three
    # channel groups they agree with each other and with the exact values
    X = np.random.default_rng(5).normal(size=(2, 3, 6)).astype(np.float32)
    explainer = ShapleyValueSampling(_StepClassifier(), feature_mask="channel",
                                     n_samples=400, baselines="zeros", random_state=0).fit(X)
    per_step = explain_per_step(explainer, X)
    x, outputs = torch.as_tensor(X), torch.as_tensor(explainer._step_outputs(X))
    labels = torch.arange(3)[:, None].expand(3, 6)
    with torch.no_grad():
        exact = _exact_step_shapley(explainer.model_.forward, x, outputs, labels, 3).numpy()
    scale = np.abs(exact).max()
    assert np.abs(per_step - exact).max() < 0.05 * scale
    assert np.abs(_step_by_step(explainer, X) - exact).max() < 0.05 * scale


def test_shapley_per_step_is_reproducible():
    X = np.random.default_rng(6).normal(size=(5, 3, 7)).astype(np.float32)
    explainer = ShapleyValueSampling(_StepClassifier(), feature_mask="time", n_samples=3,
                                     baselines="uniform", batch_size=2,
                                     random_state=0).fit(X)
    first = explain_per_step(explainer, X)
    np.testing.assert_array_equal(first, explain_per_step(explainer.set_params(n_jobs=2), X))
    assert not np.allclose(first, explain_per_step(explainer.set_params(random_state=1), X))


def test_per_step_lime_equals_captum_step_by_step_on_the_same_draws():
    # captum's Lime explaining step t alone, fed the same on/off draws through a
    # perturbation generator, fits the same Lasso as column t of the per-step fit
    from captum.attr import Lime as CaptumLime

    from sklearn_tsx.explainers._per_step import per_step_lime

    X = np.random.default_rng(7).normal(size=(2, 3, 5)).astype(np.float32)
    explainer = FeatureAblation(_StepClassifier()).fit(X)
    forward = explainer.model_.forward
    x, outputs = torch.as_tensor(X), torch.as_tensor(explainer._step_outputs(X))
    labels = torch.tensor([[0, 0, 1, 1, 2], [3, 3, 4, 4, 5], [6, 7, 7, 8, 8]])
    kept = torch.as_tensor(np.random.default_rng(8).random((2, 40, 9)) < 0.5)
    got = per_step_lime(forward, x, outputs, labels, 0.0, kept, batch_size=7)
    for i in range(2):
        for t in range(5):
            def draws(original, i=i, **kwargs):
                yield from (k[None].long() for k in kept[i])

            lime = CaptumLime(lambda inp, t=t: forward(inp)[:, t], perturb_func=draws)
            expected = lime.attribute(x[i : i + 1], target=int(outputs[i, t]), n_samples=40,
                                      baselines=0.0, feature_mask=labels[None])
            np.testing.assert_allclose(got[i, :, t], expected[0, :, t], rtol=1e-4, atol=1e-5)


def test_lime_per_step_on_white_box_finds_the_salient_set():
    data = make_rare_time(n_samples=2, n_features=10, n_timepoints=10, shared_salient_set=True,
                          random_state=0)
    X = data.data
    explainer = Lime(data.model.select(0), n_samples=200, random_state=0).fit(X)
    per_step = explain_per_step(explainer, X)
    salient = data.saliency.astype(bool)
    # switching a salient entry off lowers its step's output by x**2
    assert np.corrcoef(per_step[salient], (X**2)[salient])[0, 1] > 0.9
    assert np.abs(per_step[~salient]).max() < 0.2 * np.abs(per_step[salient]).max()
    again = explain_per_step(explainer.set_params(n_jobs=2), X)
    np.testing.assert_array_equal(per_step, again)


def test_kernel_shap_coalitions_are_drawn_as_captum_draws_them():
    # all groups on, all off, then k groups on with p(k) ~ (M - 1) / (k (M - k)),
    # every subset of that size as likely
    explainer = KernelShap(None, n_samples=20_002)
    kept = explainer._coalitions(np.random.default_rng(0), 1, 5)[0]
    assert kept.shape == (20_002, 5)
    assert kept[0].all() and not kept[1].any()
    sizes = kept[2:].sum(axis=1)
    p = 1.0 / np.array([k * (5 - k) for k in range(1, 5)])
    frequency = np.bincount(sizes, minlength=6) / len(sizes)
    assert frequency[0] == frequency[5] == 0
    np.testing.assert_allclose(frequency[1:5], p / p.sum(), atol=0.015)
    np.testing.assert_allclose(kept[2:][sizes == 2].mean(axis=0), 0.4, atol=0.02)
    # a single group has only its two coalitions
    assert explainer._coalitions(np.random.default_rng(0), 3, 1).shape == (3, 2, 1)


def test_per_step_kernel_shap_equals_captum_step_by_step_on_the_same_draws():
    # captum's KernelShap explaining step t alone, fed the same coalitions through
    # its perturbation generator, fits the same weighted least squares (intercept,
    # weight 1e6 on all-on and all-off) as column t of the per-step fit
    from captum.attr import KernelShap as CaptumKernelShap

    from sklearn_tsx.explainers._per_step import per_step_kernel_shap

    X = np.random.default_rng(7).normal(size=(2, 3, 5)).astype(np.float32)
    labels = np.array([[0, 0, 1, 1, 2], [3, 3, 4, 4, 5], [6, 7, 7, 8, 8]])
    explainer = KernelShap(_StepClassifier(), feature_mask=labels, n_samples=40).fit(X)
    forward = explainer.model_.forward
    x, outputs = torch.as_tensor(X), torch.as_tensor(explainer._step_outputs(X))
    labels = torch.as_tensor(labels)
    kept = torch.as_tensor(explainer._coalitions(np.random.default_rng(8), 2, 9))
    got = per_step_kernel_shap(forward, x, outputs, labels, 0.0, kept, batch_size=7)
    for i in range(2):
        for t in range(5):
            def draws(original, i=i, **kwargs):
                yield from (k[None].long() for k in kept[i])

            kernel_shap = CaptumKernelShap(lambda inp, t=t: forward(inp)[:, t])
            kernel_shap.perturb_func = draws
            expected = kernel_shap.attribute(x[i : i + 1], target=int(outputs[i, t]),
                                             n_samples=40, baselines=0.0,
                                             feature_mask=labels[None])
            np.testing.assert_allclose(got[i, :, t], expected[0, :, t], rtol=1e-4,
                                       atol=1e-6)


def test_kernel_shap_per_step_on_a_gru_converges_to_the_shapley_values():
    # both routes draw coalitions (differently): with 200 of them over four
    # groups they agree with the exact values of each step's output
    X = np.random.default_rng(10).normal(size=(16, 2, 6)).astype(np.float32)
    gru = GRURegressor(hidden_size=4, max_epochs=1, sequence_output=True,
                       random_state=0).fit(X, np.cumsum(X[:, 0], axis=1))
    labels = np.array([[0, 0, 1, 1, 2, 3], [1, 1, 2, 2, 3, 3]])
    exact = explain_per_step(ShapleyValues(gru, feature_mask=labels).fit(X), X[:2])
    explainer = KernelShap(gru, feature_mask=labels, n_samples=200, random_state=0).fit(X)
    per_step = explain_per_step(explainer, X[:2])
    scale = np.abs(exact).max()
    assert per_step.shape == (2, 2, 6)
    assert np.abs(per_step - exact).max() < 0.05 * scale
    assert np.abs(_step_by_step(explainer, X[:2]) - exact).max() < 0.05 * scale


def test_kernel_shap_per_step_passes_each_coalition_once():
    X = np.random.default_rng(9).normal(size=(3, 3, 7)).astype(np.float32)
    explainer = KernelShap(_StepClassifier(), feature_mask="time", n_samples=20,
                           batch_size=16, random_state=0).fit(X)
    rows = []
    forward = explainer.model_.forward
    explainer.model_.forward = lambda x: (rows.append(len(x)), forward(x))[1]
    first = explain_per_step(explainer, X)
    # the explained outputs, then 3 samples x 20 coalitions in passes of 16, where
    # one KernelShap per step would pass 7 times as many
    assert rows == [3, 16, 16, 16, 12]
    assert first.shape == X.shape and np.isfinite(first).all()
    np.testing.assert_array_equal(first, explain_per_step(explainer, X))
    assert not np.allclose(first, explain_per_step(explainer.set_params(random_state=1), X))


def _kernel_shap_reference(design, target, visible):
    """Kernel SHAP's fit of one step's outputs on the groups ``visible``: least
    squares with an intercept, weight 1e6 on the coalitions with all of these
    groups on or all off, 1 elsewhere; the coefficients of these groups."""
    columns = design[:, visible].astype(np.float64)
    n_on = columns.sum(axis=1)
    root = np.sqrt(np.where((n_on == 0) | (n_on == columns.shape[1]), 1e6, 1.0))
    system = np.column_stack([np.ones(len(columns)), columns]) * root[:, None]
    return np.linalg.lstsq(system, target * root, rcond=None)[0][1:]


def _causal_kernel_shap_setup():
    """A causal GRU, groups spanning several steps, fixed coalitions and the
    output of every step on each."""
    rng = np.random.default_rng(11)
    X = rng.normal(size=(12, 2, 6)).astype(np.float32)
    gru = GRURegressor(hidden_size=4, max_epochs=1, sequence_output=True,
                       random_state=0).fit(X, np.cumsum(X[:, 0], axis=1))
    # group 5 spans steps 1-3: step 1's output sees it, through step 1
    labels = np.array([[0, 0, 1, 1, 2, 3], [4, 5, 5, 5, 6, 6]])
    first_steps = np.array([0, 2, 4, 5, 0, 1, 4])
    explainer = KernelShap(gru, feature_mask=labels, baselines=0.0, n_samples=80).fit(X)
    kept = explainer._coalitions(np.random.default_rng(1), 2, 7)
    x = torch.as_tensor(X[:2])
    with torch.no_grad():
        copies = torch.where(torch.as_tensor(kept)[:, :, labels], x[:, None], 0.0)
        targets = explainer.model_.forward(copies.reshape(-1, 2, 6))[..., 0]
    return explainer, X[:2], labels, first_steps, kept, targets.reshape(2, 80, 6).numpy()


def test_causal_kernel_shap_fits_each_step_on_the_groups_it_can_see(monkeypatch):
    from sklearn_tsx.explainers._per_step import (
        kernel_shap_step_coefficients,
        per_step_kernel_shap,
    )

    explainer, X, labels, first_steps, kept, targets = _causal_kernel_shap_setup()
    assert explainer.model_.causal
    coefficients = kernel_shap_step_coefficients(kept, targets, first_steps)
    for i in range(2):
        for t in range(6):
            visible = first_steps <= t
            # the groups after t: exactly 0, their Shapley value for step t
            assert (coefficients[i, t, ~visible] == 0).all()
            np.testing.assert_allclose(
                coefficients[i, t, visible],
                _kernel_shap_reference(kept[i], targets[i, :, t], visible),
                rtol=1e-5, atol=1e-6)
    expected = coefficients[:, np.arange(6), labels]
    got = per_step_kernel_shap(explainer.model_.forward, torch.as_tensor(X),
                               torch.zeros(2, 6, dtype=torch.long), torch.as_tensor(labels),
                               0.0, torch.as_tensor(kept), batch_size=32, causal=True)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    # explain_per_step takes this route on a causal net
    monkeypatch.setattr(explainer, "_coalitions", lambda rng, n, n_groups: kept[:n])
    np.testing.assert_allclose(explain_per_step(explainer, X), expected, rtol=1e-5,
                               atol=1e-6)


def test_non_causal_kernel_shap_fits_every_step_on_all_groups(monkeypatch):
    explainer, X, labels, _, kept, targets = _causal_kernel_shap_setup()
    monkeypatch.setattr(explainer, "_coalitions", lambda rng, n, n_groups: kept[:n])
    causal = explain_per_step(explainer, X)
    monkeypatch.setattr(explainer.model_, "causal", False)
    got = explain_per_step(explainer, X)
    everything = np.ones(7, dtype=bool)
    expected = np.stack([
        np.stack([_kernel_shap_reference(kept[i], targets[i, :, t], everything)
                  for t in range(6)])[np.arange(6), labels]
        for i in range(2)
    ])
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    # the last step sees every group: there both routes fit the same
    np.testing.assert_allclose(got[..., -1], causal[..., -1], rtol=1e-5, atol=1e-6)
    assert not np.allclose(got, causal, rtol=1e-3, atol=1e-5)


def test_random_per_step_draws_once_per_entry(monkeypatch):
    X = np.zeros((3, 2, 6), dtype=np.float32)
    explainer = RandomExplainer(_Causal(), batch_size=2, random_state=0).fit(X)
    monkeypatch.setattr(explainer, "explain", lambda *a, **k: pytest.fail("one row per step"))
    first = explain_per_step(explainer, X)
    assert first.shape == X.shape and 0 <= first.min() and first.max() < 1
    np.testing.assert_array_equal(first, explain_per_step(explainer, X))
    assert len(np.unique(first)) == first.size


SEQUENCE_NETS = ["GRU", "LSTM", "InputCellAttention", "TCN", "Transformer"]


@pytest.mark.parametrize("name", SEQUENCE_NETS)
def test_nets_flagged_causal_are_causal(name):
    # the adapter's `causal` lets per-step occlusion cut copies after their last
    # changed step: it must hold for every net that sets it
    import sklearn_tsx.models as models
    from sklearn_tsx.utils import as_model_adapter

    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2, 9)).astype(np.float32)
    y = rng.normal(size=(12, 9)).astype(np.float32)
    model = getattr(models, f"{name}Regressor")(
        hidden_size=8, sequence_output=True, max_epochs=2, random_state=0).fit(X, y)
    adapter = as_model_adapter(model, 2, 9)
    assert adapter.causal
    with torch.no_grad():
        full = adapter.forward(torch.as_tensor(X))
        for t in (0, 4, 8):
            prefix = adapter.forward(torch.as_tensor(X[..., : t + 1]))
            torch.testing.assert_close(prefix[:, t], full[:, t], atol=1e-5, rtol=1e-5)
    once = getattr(models, f"{name}Regressor")(hidden_size=8, max_epochs=1).fit(X, y[:, 0])
    assert not as_model_adapter(once, 2, 9).causal


@pytest.mark.parametrize(("cls", "params"), [*OCCLUSIONS[:4], (AugmentedFeatureOcclusion, {})])
def test_causal_occlusion_per_step_cuts_copies_and_keeps_the_attributions(cls, params):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(10, 3, 7)).astype(np.float32)
    model = GRURegressor(hidden_size=6, sequence_output=True, max_epochs=2,
                         random_state=0).fit(X, rng.normal(size=(10, 7)))
    explainer = cls(model, batch_size=5, random_state=0, **params).fit(X)
    assert explainer.model_.causal
    lengths = []
    forward = explainer.model_.forward

    def counting(x):
        lengths.append(x.shape[-1])
        return forward(x)

    explainer.model_.forward = counting
    causal = explain_per_step(explainer, X[:3])
    explainer.model_.causal = False
    full = explain_per_step(explainer, X[:3])
    np.testing.assert_allclose(causal, full, rtol=1e-4, atol=1e-6)
    assert min(lengths) < 7  # copies that change early steps stop there
