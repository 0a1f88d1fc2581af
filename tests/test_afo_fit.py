"""Augmented Feature Occlusion and FIT."""

import numpy as np
import pytest
import torch
from _explainer_fixtures import ReluNet, make_panel

from sklearn_tsx.explainers import FIT, AugmentedFeatureOcclusion
from sklearn_tsx.models import GRURegressor


def test_afo_draws_from_each_channels_training_values():
    torch.manual_seed(0)
    linear = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(24, 1))
    weights = linear[1].weight.detach().numpy().reshape(3, 8)
    # each training channel is constant: every draw of channel c equals c
    X_train = np.broadcast_to(np.arange(3.0, dtype=np.float32)[None, :, None], (5, 3, 8))
    X = make_panel()
    afo = AugmentedFeatureOcclusion(linear, n_samples=3, random_state=0).fit(X_train)
    assert afo.channel_values_.shape == (3, 40)
    expected = np.abs(weights * (X - np.arange(3.0)[None, :, None]))
    np.testing.assert_allclose(afo.explain(X, target=0), expected, rtol=1e-4, atol=1e-6)


def test_afo_groups_and_errors():
    X = make_panel()
    grouped = AugmentedFeatureOcclusion(ReluNet(), feature_mask="time", n_samples=2,
                                        random_state=0).fit(X).explain(X, target=1)
    # a group's attribution is shared by its entries
    np.testing.assert_array_equal(grouped, np.broadcast_to(grouped[:, :1], grouped.shape))
    with pytest.raises(ValueError, match="n_samples"):
        AugmentedFeatureOcclusion(ReluNet(), n_samples=0).fit(X)


class _StepFive(torch.nn.Module):
    """Logits that depend on x[1, 5] only, once the prefix reaches step 5."""

    def forward(self, x):
        score = 3 * x[:, 1, 5] if x.shape[-1] > 5 else torch.zeros(len(x))
        return torch.stack([torch.zeros_like(score), score], dim=1)


def _ar_panel(n, seed):
    rng = np.random.default_rng(seed)
    X = np.zeros((n, 3, 12), dtype=np.float32)
    for t in range(1, 12):
        X[:, :, t] = 0.9 * X[:, :, t - 1] + 0.3 * rng.normal(size=(n, 3))
    return X


def test_fit_generator_learns_the_conditional_distribution():
    X = _ar_panel(64, 0)
    fit = FIT(_StepFive(), max_epochs=15, random_state=0).fit(X)
    with torch.no_grad():
        mean, scale = fit.generator_(torch.as_tensor(X))
    # x_t = 0.9 x_{t-1} + 0.3 noise: the generator predicts close to 0.9 x_{t-1}
    error = np.abs(mean[:, :, 1:].numpy() - 0.9 * X[:, :, :-1]).mean()
    naive = np.abs(X[:, :, 1:] - X[:, :, 1:].mean()).mean()
    assert error < 0.1 < naive
    covariance = (scale @ scale.transpose(-1, -2))[:, 1:].numpy()
    std = np.sqrt(np.diagonal(covariance, axis1=-2, axis2=-1))
    assert 0.15 < std.mean() < 0.6
    # independent channels: small correlations
    correlation = covariance[..., 0, 1] / (std[..., 0] * std[..., 1])
    assert np.abs(correlation).mean() < 0.3


def test_fit_conditions_the_draws_on_the_kept_channel():
    # channel 1 copies channel 0 up to small noise: the joint generator learns
    # it, so keeping channel 0 at step 5 pins channel 1, which the model reads
    rng = np.random.default_rng(0)
    X = _ar_panel(128, 2) + np.float32(0.5)
    X[:, 1] = X[:, 0] + 0.05 * rng.normal(size=X[:, 0].shape).astype(np.float32)
    fit = FIT(_StepFive(), max_epochs=30, n_samples=8, random_state=0).fit(X)
    with torch.no_grad():
        mean, scale = fit.generator_(torch.as_tensor(X))
    covariance = (scale @ scale.transpose(-1, -2))[:, 1:].numpy()
    std = np.sqrt(np.diagonal(covariance, axis1=-2, axis2=-1))
    assert (covariance[..., 0, 1] / (std[..., 0] * std[..., 1])).mean() > 0.9
    S = fit.explain(X[:8])
    np.testing.assert_allclose(S[:, 0, 5], S[:, 1, 5], atol=0.02)
    assert (S[:, 0, 5] >= S[:, 2, 5]).all() and S[:, 0, 5].mean() > S[:, 2, 5].mean() + 0.05


def test_fit_credits_the_observation_that_moves_the_prediction():
    X = _ar_panel(64, 1) + np.float32(0.5)
    fit = FIT(_StepFive(), max_epochs=20, n_samples=8, random_state=0).fit(X)
    S = fit.explain(X[:8])
    # only step 5 moves the prediction, and only channel 1 accounts for it
    np.testing.assert_allclose(np.delete(S, 5, axis=2), 0.0, atol=1e-6)
    assert (S[:, 1, 5] > S[:, 0, 5]).all() and (S[:, 1, 5] > S[:, 2, 5]).all()
    assert (S[:, 1, 5] > 0).all()
    np.testing.assert_array_equal(S, FIT(_StepFive(), max_epochs=20, n_samples=8,
                                         random_state=0).fit(X).explain(X[:8]))


def test_fit_errors():
    X = make_panel(12)
    with pytest.raises(ValueError, match="prefixes"):
        FIT(ReluNet(), max_epochs=1).fit(X)
    regressor = GRURegressor(hidden_size=2, max_epochs=1, random_state=0).fit(X, X[:, 0, 0])
    with pytest.raises(ValueError, match="regressor"):
        FIT(regressor, max_epochs=1).fit(X)
    for name in ("n_samples", "hidden_size", "max_epochs"):
        with pytest.raises(ValueError, match=name):
            FIT(_StepFive(), **{name: 0}).fit(X)
    with pytest.raises(ValueError, match="lr"):
        FIT(_StepFive(), lr=0).fit(X)


def test_fit_reference_score_is_the_reference_codes_map_of_the_importance():
    X = _ar_panel(32, 1) + np.float32(0.5)
    fit = FIT(_StepFive(), max_epochs=5, n_samples=4, random_state=0).fit(X)
    importance = fit.explain(X[:6])
    reference = fit.set_params(score="reference").explain(X[:6])
    np.testing.assert_allclose(reference, 2 / (1 + np.exp(-5 * importance)) - 1, atol=1e-6)
    # the same ranking within each series, different values
    assert not np.allclose(reference, importance)
    for s_ref, s_imp in zip(reference, importance):
        order = np.argsort(s_imp, axis=None, kind="stable")
        assert (np.diff(s_ref.ravel()[order]) >= -1e-7).all()
    with pytest.raises(ValueError, match="score"):
        FIT(_StepFive(), score="tanh").fit(X)
    with pytest.raises(ValueError, match="score"):
        fit.set_params(score="tanh").explain(X[:2])
