"""Lime's surrogate: a choice of linear model, fitted to standardised outputs, so
that the maps do not vanish when the outputs move little."""

import numpy as np
import pytest
import torch

from sklearn_tsx.datasets import make_rare_feature
from sklearn_tsx.explainers import Lime, explain_per_step


class _Total(torch.nn.Module):
    """A white box's output summed over time, times ``scale``."""

    def __init__(self, white_box, scale=1.0):
        super().__init__()
        self.white_box, self.scale = white_box, scale

    def forward(self, x):
        return self.scale * self.white_box(x).sum(1)


@pytest.fixture(scope="module")
def white_box():
    data = make_rare_feature(1, n_features=10, n_timepoints=16, shared_salient_set=True,
                             random_state=0)
    return data.data.astype(np.float32), data.model.select(0), data.saliency[0].astype(bool)


def test_maps_do_not_depend_on_output_units(white_box):
    # captum's default Lasso (penalty 0.01 on raw outputs) gives an all-zero map
    # here: the outputs move by about 1e-3
    X, model, salient = white_box
    small = Lime(_Total(model, 1e-3), n_samples=100, random_state=0).fit(X).explain(X)
    unit = Lime(_Total(model), n_samples=100, random_state=0).fit(X).explain(X)
    assert np.count_nonzero(small) >= salient.sum() // 2
    np.testing.assert_allclose(small, 1e-3 * unit, rtol=1e-3, atol=1e-9)
    assert np.abs(small[0][salient]).mean() > 10 * np.abs(small[0][~salient]).mean()


def test_probabilities_near_one_half_get_a_map(white_box):
    X, model, salient = white_box

    class Unsure(torch.nn.Module):
        def forward(self, x):
            z = 1e-3 * (model(x).sum(1) - 8.0)
            return torch.cat([torch.sigmoid(-z), torch.sigmoid(z)], 1)

    S = Lime(Unsure(), n_samples=100, random_state=0).fit(X).explain(X, target=1)[0]
    assert np.count_nonzero(S) > 0
    assert np.abs(S[salient]).mean() > 10 * np.abs(S[~salient]).mean()


@pytest.mark.parametrize("surrogate, dense", [("lasso", False), ("ridge", True),
                                              ("linear", True)])
def test_surrogates(white_box, surrogate, dense):
    X, model, salient = white_box
    S = Lime(_Total(model), n_samples=100, surrogate=surrogate, random_state=0).fit(X)
    S = S.explain(X)[0]
    assert bool(np.count_nonzero(S) == S.size) == dense
    assert np.abs(S[salient]).mean() > 2 * np.abs(S[~salient]).mean()


def test_alpha_sets_sparsity(white_box):
    X, model, _ = white_box
    maps = [Lime(_Total(model), n_samples=100, alpha=alpha, random_state=0).fit(X).explain(X)
            for alpha in (0.001, 0.1)]
    assert np.count_nonzero(maps[0]) > np.count_nonzero(maps[1]) > 0


def test_per_step_route_uses_the_surrogate():
    data = make_rare_feature(2, n_features=10, n_timepoints=10, shared_salient_set=True,
                             random_state=0)
    X, model = data.data.astype(np.float32), data.model.select(0)
    lasso = explain_per_step(Lime(model, n_samples=60, random_state=0).fit(X), X)
    ridge = explain_per_step(Lime(model, n_samples=60, surrogate="ridge",
                                  random_state=0).fit(X), X)
    assert np.count_nonzero(ridge) > np.count_nonzero(lasso)


@pytest.mark.parametrize(
    "params, match",
    [(dict(surrogate="svm"), "surrogate must be one of"),
     (dict(alpha=0.0), "alpha must be a positive float"),
     (dict(alpha=True), "alpha must be a positive float"),
     (dict(alpha="1"), "alpha must be a positive float")],
)
def test_bad_params(white_box, params, match):
    X, model, _ = white_box
    with pytest.raises(ValueError, match=match):
        Lime(_Total(model), **params).fit(X)
