"""LofLime / LofKernelShap against LocalOutlierFactor, and BayesLime /
BayesKernelShap against the closed-form Bayesian ridge."""

import numpy as np
import pytest
import torch
from captum.attr._core.lime import get_exp_kernel_similarity_function
from scipy import stats
from sklearn.linear_model import Ridge
from sklearn.neighbors import LocalOutlierFactor

from sklearn_tsx.explainers import (
    BayesKernelShap,
    BayesLime,
    LofKernelShap,
    LofLime,
    explain_per_step,
)
from sklearn_tsx.explainers._bayes_linear import BayesianLinearSurrogate

N_CHANNELS, N_TIMEPOINTS = 2, 6


class _Linear(torch.nn.Module):
    """Two outputs, ``w . x`` and its opposite: LIME's surrogate is exact."""

    def __init__(self, w):
        super().__init__()
        self.w = torch.as_tensor(w, dtype=torch.float32)

    def forward(self, x):
        out = x.flatten(1) @ self.w
        return torch.stack([out, -out], dim=1)


@pytest.fixture
def panel():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, N_CHANNELS, N_TIMEPOINTS)).astype(np.float32)
    w = rng.normal(size=N_CHANNELS * N_TIMEPOINTS).astype(np.float32)
    return X, w


@pytest.mark.parametrize("cls", [LofLime, LofKernelShap])
def test_lof_weights_match_local_outlier_factor(cls, panel):
    X, w = panel
    explainer = cls(_Linear(w), n_neighbors=5).fit(X)
    reference = LocalOutlierFactor(n_neighbors=5, novelty=True).fit(X.reshape(len(X), -1))
    method = explainer._make_method(explainer.model_.forward)
    x = torch.as_tensor(X[:1])
    rng = np.random.default_rng(1)
    copies = [X[1:2], X[2:3] * 0.0, X[3:4] + 10.0, rng.normal(size=X[:1].shape)]
    for copy in copies:
        copy = torch.as_tensor(copy, dtype=torch.float32)
        on = torch.ones(1, N_CHANNELS * N_TIMEPOINTS)
        on[0, 0] = 0  # not all groups on: KernelShap's usual weight of 1
        kwargs = dict(num_interp_features=on.shape[1])
        factor = -reference.score_samples(copy.reshape(1, -1).numpy())[0]
        if cls is LofLime:
            base = get_exp_kernel_similarity_function("cosine", 1.0)(x, copy, on)
        else:
            base = 1.0
        expected = float(base) / max(factor, 1.0)
        got = float(method.similarity_func(x, copy, on, **kwargs))
        np.testing.assert_allclose(got, expected, rtol=1e-6)
    # a copy far from the training series counts less
    far = torch.as_tensor(X[3:4] + 10.0)
    assert float(method.similarity_func(x, far, on, **kwargs)) < 0.5 * float(
        method.similarity_func(x, torch.as_tensor(X[1:2]), on, **kwargs)
    )


def test_lof_kernel_shap_recovers_a_linear_model(panel):
    X, w = panel
    explainer = LofKernelShap(_Linear(w), n_neighbors=5, n_samples=60, random_state=0)
    S = explainer.fit(X).explain(X[:3], target=0)
    reference = w.reshape(N_CHANNELS, N_TIMEPOINTS) * (X[:3] - explainer.baseline_)
    np.testing.assert_allclose(S, reference, atol=1e-3)


class _CumulativeLinear(torch.nn.Module):
    """A sequence model: output ``(w * x)[:, :, :t + 1].sum()`` at step ``t``."""

    def __init__(self, w):
        super().__init__()
        self.w = torch.as_tensor(w, dtype=torch.float32).reshape(N_CHANNELS, N_TIMEPOINTS)

    def forward(self, x):
        return (x * self.w).sum(1).cumsum(1)[..., None]


def test_lof_lime_explains_a_time_step_of_a_sequence_model(panel):
    X, w = panel
    explainer = LofLime(_CumulativeLinear(w), n_neighbors=5, surrogate="linear",
                        n_samples=60, random_state=0).fit(X)
    S = explainer.explain(X[:2], target=2)
    reference = w.reshape(N_CHANNELS, N_TIMEPOINTS) * X[:2]
    reference[:, :, 3:] = 0
    np.testing.assert_allclose(S, reference, atol=1e-4)
    # explain_per_step takes the generic route: Lime's shortcut has no LOF weights
    assert explainer._explain_steps_batch is None
    assert explain_per_step(explainer, X[:1]).shape == (1, N_CHANNELS, N_TIMEPOINTS)


@pytest.mark.parametrize("n_neighbors", [0, 30, 2.5, "5"])
@pytest.mark.parametrize("cls", [LofLime, LofKernelShap])
def test_bad_n_neighbors(cls, n_neighbors, panel):
    X, w = panel
    with pytest.raises(ValueError, match="n_neighbors"):
        cls(_Linear(w), n_neighbors=n_neighbors).fit(X)


def _regression(rng, n=40, p=3):
    Z = rng.integers(0, 2, size=(n, p)).astype(np.float64)
    y = Z @ np.array([1.5, -2.0, 0.5]) + 0.3 + 0.2 * rng.normal(size=n)
    weights = rng.uniform(0.2, 1.0, size=n)
    return Z, y, weights


def test_bayesian_surrogate_mean_is_the_weighted_ridge():
    Z, y, weights = _regression(np.random.default_rng(0))
    blr = BayesianLinearSurrogate().fit(Z, y, weights)
    design = np.column_stack([np.ones(len(Z)), Z])
    ridge = Ridge(alpha=1.0, fit_intercept=False).fit(design, y, sample_weight=weights)
    np.testing.assert_allclose(blr.intercept_, ridge.coef_[0], rtol=1e-10)
    np.testing.assert_allclose(blr.coef_, ridge.coef_[1:], rtol=1e-10)


def test_bayesian_surrogate_std_matches_posterior_samples():
    """The closed-form Student-t standard deviations against draws from the
    authors' sampler: sigma^2 ~ Inv-Gamma(N/2, N s^2/2), phi ~ N(phi_hat, sigma^2 V)."""
    Z, y, weights = _regression(np.random.default_rng(1), n=12)
    blr = BayesianLinearSurrogate().fit(Z, y, weights)
    design = np.column_stack([np.ones(len(Z)), Z])
    V = np.linalg.inv(design.T @ (weights[:, None] * design) + np.eye(4))
    phi = np.r_[blr.intercept_, blr.coef_]
    residual = y - design @ phi
    n = len(y)
    s2 = (residual @ (weights * residual) + phi @ phi) / n
    rng = np.random.default_rng(2)
    sigma2 = stats.invgamma.rvs(n / 2, scale=n * s2 / 2, size=200_000, random_state=rng)
    draws = phi + np.sqrt(sigma2)[:, None] * rng.multivariate_normal(
        np.zeros(4), V, size=len(sigma2))
    np.testing.assert_allclose(blr.coef_std_, draws[:, 1:].std(axis=0), rtol=0.02)
    # the 95 % credible half-width from the Student t, as the docstring says
    half = stats.t.ppf(0.975, n) * blr.coef_std_ * np.sqrt((n - 2) / n)
    sampled = np.percentile(np.abs(draws[:, 1:] - blr.coef_), 95, axis=0)
    np.testing.assert_allclose(half, sampled, rtol=0.02)


@pytest.mark.parametrize("cls", [BayesLime, BayesKernelShap])
def test_bayes_explainers_recover_a_linear_model_with_spread(cls, panel):
    X, w = panel
    explainer = cls(_Linear(w), n_samples=400, random_state=0).fit(X)
    S, std = explainer.explain(X[:3], target=0, return_std=True)
    # BayesLime's baseline is zeros, BayesKernelShap's the mean training series
    baseline = getattr(explainer, "baseline_", 0.0)
    reference = w.reshape(N_CHANNELS, N_TIMEPOINTS) * (X[:3] - baseline)
    np.testing.assert_allclose(S, reference, atol=0.1 * np.abs(reference).max())
    assert std.shape == S.shape and (std > 0).all()
    np.testing.assert_array_equal(explainer.explain(X[:3], target=0), S)
    # more perturbed copies, narrower posterior
    _, std_few = cls(_Linear(w), n_samples=50, random_state=0).fit(X)\
        .explain(X[:3], target=0, return_std=True)
    assert std.mean() < std_few.mean()


def test_bayes_lime_std_is_per_feature_group(panel):
    X, w = panel
    explainer = BayesLime(_Linear(w), feature_mask="time", random_state=0).fit(X)
    S, std = explainer.explain(X[:4], target=1, return_std=True)
    np.testing.assert_array_equal(std[:, 0], std[:, 1])
    assert len(np.unique(std[0])) == N_TIMEPOINTS


@pytest.mark.parametrize("cls", [BayesLime, BayesKernelShap])
def test_bayes_bad_n_samples(cls, panel):
    X, w = panel
    with pytest.raises(ValueError, match="n_samples >= 3"):
        cls(_Linear(w), n_samples=2).fit(X)


def test_bayesian_surrogate_needs_three_samples():
    with pytest.raises(ValueError, match="at least 3"):
        BayesianLinearSurrogate().fit(np.ones((2, 1)), np.ones(2), np.ones(2))


@pytest.mark.parametrize("name", ["LofLime", "LofKernelShap", "BayesLime", "BayesKernelShap"])
def test_same_as_time_interpret_on_the_same_perturbations(name, panel):
    """Each series explained alone, with torch seeded as our explainer seeds its
    batch: time_interpret 0.3.0 draws the same copies and must agree."""
    tint_attr = pytest.importorskip("tint.attr")
    from captum._utils.models.linear_model import SkLearnLinearRegression
    from sklearn.utils import check_random_state

    X, w = panel
    model = _Linear(w)
    common = dict(n_samples=40, batch_size=1, random_state=0)
    ours = {
        "LofLime": LofLime(model, n_neighbors=5, surrogate="linear", **common),
        "LofKernelShap": LofKernelShap(model, n_neighbors=5, baselines="zeros", **common),
        "BayesLime": BayesLime(model, **common),
        "BayesKernelShap": BayesKernelShap(model, baselines="zeros", **common),
    }[name].fit(X)
    init = {"LofLime": dict(embeddings=torch.as_tensor(X), n_neighbors=5,
                            interpretable_model=SkLearnLinearRegression()),
            "LofKernelShap": dict(embeddings=torch.as_tensor(X), n_neighbors=5)}
    theirs = getattr(tint_attr, name)(model, **init.get(name, {}))
    seeds = check_random_state(0).randint(np.iinfo(np.int32).max, size=2)
    expected = []
    for i, seed in enumerate(seeds):
        torch.manual_seed(int(seed))
        out = theirs.attribute(torch.as_tensor(X[i:i + 1]), target=0, n_samples=40,
                               perturbations_per_eval=1, baselines=0.0)
        expected.append((out[0] if name.startswith("Bayes") else out).numpy())
    np.testing.assert_allclose(ours.explain(X[:2], target=0), np.concatenate(expected),
                               atol=1e-5)
