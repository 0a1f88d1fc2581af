import numpy as np
import pytest
import torch

from sklearn_tsx.datasets import (
    WhiteBoxRegressor,
    make_arma,
    make_rare_feature,
    make_rare_time,
)


def test_arma_recursion_exact():
    X = make_arma(3, 4, 30, random_state=0).astype(np.float64)
    eps = np.random.RandomState(0).standard_normal((3, 4, 30))
    expected = np.zeros_like(eps)
    for t in range(30):
        expected[..., t] = eps[..., t]
        for lag, phi in ((1, 0.25), (2, 0.1), (3, 0.05)):
            if t - lag >= 0:
                expected[..., t] -= phi * expected[..., t - lag]
    np.testing.assert_allclose(X, expected, rtol=1e-5, atol=1e-5)


def test_rare_feature_salient_sets():
    data = make_rare_feature(n_samples=6, random_state=1)
    assert data.data.shape == data.saliency.shape == (6, 50, 50)
    assert data.data.dtype == np.float32 and data.saliency.dtype == bool
    for s in data.saliency:
        features = np.flatnonzero(s.any(axis=1))
        assert len(features) == 5
        np.testing.assert_array_equal(np.flatnonzero(s.any(axis=0)), np.arange(12, 37))
        assert s[features][:, 12:37].all()
    # one set per sample by default, all equal when shared
    assert len({tuple(np.flatnonzero(s.any(axis=1))) for s in data.saliency}) > 1
    shared = make_rare_feature(n_samples=6, shared_salient_set=True, random_state=1)
    assert (shared.saliency == shared.saliency[:1]).all()


def test_rare_time_salient_sets():
    data = make_rare_time(n_samples=30, random_state=2)
    starts = []
    for s in data.saliency:
        times = np.flatnonzero(s.any(axis=0))
        np.testing.assert_array_equal(times, np.arange(times[0], times[0] + 5))
        np.testing.assert_array_equal(np.flatnonzero(s.any(axis=1)), np.arange(12, 37))
        assert s[12:37][:, times].all()
        starts.append(times[0])
    assert 0 <= min(starts) and max(starts) <= 44


def test_diff_groups():
    data = make_rare_feature(n_samples=8, diff_groups=True, shared_salient_set=True,
                             random_state=3)
    np.testing.assert_array_equal(data.groups, [0] * 4 + [1] * 4)
    np.testing.assert_array_equal(np.flatnonzero(data.saliency[0].any(0)), np.arange(0, 25))
    np.testing.assert_array_equal(np.flatnonzero(data.saliency[7].any(0)), np.arange(12, 37))
    X, s = data.data.astype(np.float64), data.saliency
    np.testing.assert_allclose(data.target[0], ((X[0] * s[0]).sum(0)) ** 2, rtol=1e-4)
    np.testing.assert_allclose(data.target[7], (X[7] ** 2 * s[7]).sum(0), rtol=1e-4)
    rare_time = make_rare_time(n_samples=4, diff_groups=True, random_state=3)
    np.testing.assert_array_equal(np.flatnonzero(rare_time.saliency[0].any(1)), np.arange(25))
    np.testing.assert_array_equal(np.flatnonzero(rare_time.saliency[3].any(1)),
                                  np.arange(12, 37))


@pytest.mark.parametrize("make", [make_rare_feature, make_rare_time])
def test_white_box_output_equals_formula(make):
    data = make(n_samples=5, random_state=4)
    X = data.data.astype(np.float64)
    expected = (X**2 * data.saliency).sum(axis=1)
    np.testing.assert_allclose(data.target, expected, rtol=1e-5)
    assert (data.target[~data.saliency.any(axis=1)] == 0).all()
    out = data.model(torch.from_numpy(data.data))
    assert out.shape == (5, 50, 1)
    # one sample's white box applies to any batch
    single = data.model.select(2)
    x = torch.from_numpy(np.repeat(data.data[2:3], 3, axis=0))
    np.testing.assert_allclose(single(x)[..., 0].numpy(), np.tile(data.target[2], (3, 1)),
                               rtol=1e-5)


def test_white_box_gradient_is_the_formula():
    salient = np.zeros((3, 4), dtype=bool)
    salient[1, 2] = salient[2, 2] = True
    x = torch.randn(2, 3, 4, requires_grad=True)
    WhiteBoxRegressor(salient)(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), (2 * x * torch.from_numpy(salient)).detach(),
                               rtol=1e-6)


@pytest.mark.parametrize("make", [make_rare_feature, make_rare_time])
def test_seeds_reproducible(make):
    a, b = make(n_samples=3, random_state=7), make(n_samples=3, random_state=7)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.saliency, b.saliency)
    c = make(n_samples=3, random_state=8)
    assert not np.array_equal(a.data, c.data)


def test_bad_input():
    with pytest.raises(ValueError, match="n_samples"):
        make_rare_feature(n_samples=0)
    with pytest.raises(ValueError, match="n_samples"):
        make_rare_time(n_samples=1, diff_groups=True)
    with pytest.raises(ValueError, match="n_features"):
        make_rare_time(n_features=5)
    with pytest.raises(ValueError, match="salient"):
        WhiteBoxRegressor(np.zeros(3))
    with pytest.raises(ValueError, match="boolean"):
        WhiteBoxRegressor(np.full((2, 3), 0.5))
    model = make_rare_feature(n_samples=3, random_state=0).model
    with pytest.raises(ValueError, match="exactly 3 series"):
        model(torch.zeros(2, 50, 50))
    with pytest.raises(ValueError, match="shape"):
        model(torch.zeros(3, 49, 50))
