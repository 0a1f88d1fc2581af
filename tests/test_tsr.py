"""Temporal Saliency Rescaling: the batched version equals the authors'
per-copy algorithm, and wraps any explainer."""

import numpy as np
import pytest
import torch
from _explainer_fixtures import fitted_gru, make_panel
from sklearn.exceptions import NotFittedError

from sklearn_tsx.explainers import (
    FeatureAblation,
    RandomExplainer,
    Saliency,
    TemporalSaliencyRescaling,
)
from sklearn_tsx.models import TCNClassifier


def _per_copy_tsr(base, x, target, percentile=55, mask_value=0.0):
    """Algorithm 1 as the authors coded it: one base call per masked copy."""
    n_channels, n_timepoints = x.shape
    fill = x[0, 0] if mask_value == "first" else mask_value

    def attribute(z):
        return base.explain(z[None], target=[target])[0]

    reference = attribute(x)
    delta = np.zeros(n_timepoints)
    for t in range(n_timepoints):
        z = x.copy()
        z[:, t] = fill
        delta[t] = np.abs(reference - attribute(z)).sum()
    time_relevance = (delta - delta.min()) / (delta.max() - delta.min())
    threshold = np.quantile(time_relevance, percentile / 100)
    out = np.zeros((n_channels, n_timepoints))
    for t in range(n_timepoints):
        if time_relevance[t] > threshold:
            feature = np.zeros(n_channels)
            for c in range(n_channels):
                z = x.copy()
                z[c, t] = fill
                feature[c] = np.abs(reference - attribute(z)).sum()
            feature = (feature - feature.min()) / (feature.max() - feature.min())
        else:
            feature = np.full(n_channels, 0.1)
        out[:, t] = time_relevance[t] * feature
    return out


@pytest.fixture(scope="module")
def tcn():
    X = make_panel(24, seed=3)
    y = (X[:, 1, 4:].mean(axis=1) > 0).astype(int)
    return TCNClassifier(hidden_size=4, max_epochs=3, random_state=0).fit(X, y), X[:4], y[:4]


@pytest.mark.parametrize("percentile, mask_value", [(55, 0.0), (30, "first"), (80, 1.5)])
def test_batched_equals_per_copy_reference(tcn, percentile, mask_value):
    model, X, y = tcn
    tsr = TemporalSaliencyRescaling(Saliency(model, batch_size=5), percentile=percentile,
                                    mask_value=mask_value, batch_size=3).fit(X)
    got = tsr.explain(X, target=y)
    base = Saliency(model).fit(X)
    expected = np.stack([_per_copy_tsr(base, X[i], y[i], percentile, mask_value)
                         for i in range(len(X))])
    # float32 gradients of differently composed batches, min-max rescaled twice:
    # equal to a few 1e-6 on the [0, 1] scale of the map
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_wraps_a_perturbation_method_on_any_batch_size(tcn):
    model, X, y = tcn
    results = [
        TemporalSaliencyRescaling(FeatureAblation(model, batch_size=b), batch_size=s)
        .fit(X).explain(X, target=y)
        for b, s in [(64, 8), (7, 1)]
    ]
    # float32 probability differences, summed in other orders: equal to ~1e-6
    np.testing.assert_allclose(results[0], results[1], rtol=1e-4, atol=1e-5)
    expected = _per_copy_tsr(FeatureAblation(model).fit(X), X[0], y[0])
    np.testing.assert_allclose(results[0][0], expected, rtol=1e-4, atol=1e-5)


def test_single_salient_entry_is_recovered():
    class OneEntry(torch.nn.Module):
        def forward(self, x):
            return (x[:, 1, 5] ** 2)[:, None]

    X = make_panel() + 3.0
    R = TemporalSaliencyRescaling(Saliency(OneEntry())).fit(X).explain(X, target=0)
    expected = np.zeros_like(R)
    expected[:, 1, 5] = 1.0
    np.testing.assert_allclose(R, expected)


def test_keeps_the_fitted_model_and_its_base_explainer_params():
    model, X = fitted_gru(), make_panel()
    tsr = TemporalSaliencyRescaling(Saliency(model, absolute=False)).fit(X)
    assert tsr.base_explainer_.estimator is model
    assert tsr.base_explainer_.absolute is False
    assert tsr.model_ is tsr.base_explainer_.model_
    np.testing.assert_array_equal(tsr.explain(X), tsr.explain(X))
    assert tsr.get_feature_names_out()[-1] == "c2_t7"


def test_random_base_is_seeded(tcn):
    model, X, y = tcn
    a, b, c = (TemporalSaliencyRescaling(RandomExplainer(model), random_state=s)
               .fit(X).explain(X, target=y) for s in (0, 0, 1))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_errors(tcn):
    model, X, _ = tcn
    with pytest.raises(NotFittedError):
        TemporalSaliencyRescaling(Saliency(model)).explain(X)
    with pytest.raises(TypeError, match="base_explainer"):
        TemporalSaliencyRescaling(model).fit(X)
    with pytest.raises(ValueError, match="percentile"):
        TemporalSaliencyRescaling(Saliency(model), percentile=100).fit(X)
    with pytest.raises(ValueError, match="mask_value"):
        TemporalSaliencyRescaling(Saliency(model), mask_value="last").fit(X)
    with pytest.raises(ValueError, match="batch_size"):
        TemporalSaliencyRescaling(Saliency(model), batch_size=0).fit(X)
    tsr = TemporalSaliencyRescaling(Saliency(model)).fit(X)
    with pytest.raises(ValueError, match="channels"):
        tsr.explain(X[:, :2])
    with pytest.raises(ValueError, match="target"):
        tsr.explain(X, target=5)
