import numpy as np
import pytest
from scipy.special import expit

from sklearn_tsx.datasets import make_state, make_switch_feature


def test_state_shapes_and_truth():
    data = make_state(n_samples=50, random_state=0)
    assert data.data.shape == data.saliency.shape == (50, 3, 200)
    assert data.data.dtype == np.float32
    assert data.target.shape == data.states.shape == (50, 200)
    assert set(np.unique(data.target)) <= {0, 1}
    # exactly one salient feature per step: feature 1 in state 0, feature 2 in state 1
    assert (data.saliency.sum(axis=1) == 1).all()
    np.testing.assert_array_equal(data.saliency[:, 1], data.states == 0)
    np.testing.assert_array_equal(data.saliency[:, 2], data.states == 1)
    assert not data.saliency[:, 0].any()


def test_state_statistics():
    data = make_state(n_samples=400, random_state=1)
    X, states = data.data, data.states
    for state, mean in enumerate([(0.1, 1.6, 0.5), (-0.1, -0.4, -1.5)]):
        np.testing.assert_allclose(X.transpose(0, 2, 1)[states == state].mean(0), mean,
                                   atol=0.03)
    # leaving state 0 has probability 0.05; leaving state 1 grows with time spent there
    prev, nxt = states[:, :-1], states[:, 1:]
    assert (nxt[prev == 0] == 1).mean() == pytest.approx(0.05, abs=0.01)
    assert (nxt[prev == 1] == 0).mean() > 0.05
    # labels read the state's salient feature through sigmoid(2 x)
    read = np.where(states == 0, X[:, 1], X[:, 2])
    assert data.target.mean() == pytest.approx(expit(2 * read).mean(), abs=0.01)


def test_switch_feature_shapes_and_truth():
    data = make_switch_feature(n_samples=40, random_state=0)
    assert data.data.shape == data.saliency.shape == (40, 3, 100)
    assert (data.saliency.sum(axis=1) == 1).all()
    for state in range(3):
        np.testing.assert_array_equal(data.saliency[:, state], data.states == state)
    assert set(np.unique(data.states[:, 0])) == {0, 1, 2}


def test_switch_feature_statistics():
    data = make_switch_feature(n_samples=200, random_state=2)
    X, states = data.data.transpose(0, 2, 1), data.states
    means = [(0.8, -0.5, -0.2), (0.0, -1.0, 0.0), (-0.2, -0.2, 0.8)]
    for state, mean in enumerate(means):
        np.testing.assert_allclose(X[states == state].mean(0), mean, atol=0.03)
        assert X[states == state].var(0) == pytest.approx([0.1] * 3, rel=0.1)
    stays = (states[:, 1:] == states[:, :-1]).mean()
    assert stays == pytest.approx(0.95, abs=0.01)
    read = np.take_along_axis(data.data, states[:, None], axis=1)[:, 0]
    assert data.target.mean() == pytest.approx(expit(3 * read).mean(), abs=0.01)


def test_switch_feature_gp_correlates_within_runs():
    data = make_switch_feature(n_samples=100, lengthscale=3.0, random_state=3)
    x, states = data.data[:, 0], data.states
    same = states[:, 1:] == states[:, :-1]
    centred = x - np.where(states == 0, 0.8, np.where(states == 1, 0.0, -0.2))
    lag1 = (centred[:, 1:] * centred[:, :-1])[same].mean() / 0.1
    assert lag1 == pytest.approx(np.exp(-1 / 18), abs=0.05)


@pytest.mark.parametrize("make", [make_state, make_switch_feature])
def test_seeds_reproducible(make):
    a, b = make(n_samples=5, random_state=3), make(n_samples=5, random_state=3)
    for key in ("data", "target", "saliency", "states"):
        np.testing.assert_array_equal(a[key], b[key])
    assert not np.array_equal(a.data, make(n_samples=5, random_state=4).data)


@pytest.mark.parametrize("make", [make_state, make_switch_feature])
def test_bad_input(make):
    with pytest.raises(ValueError, match="n_samples"):
        make(n_samples=0)
    with pytest.raises(ValueError, match="n_timepoints"):
        make(n_timepoints=2.5)
    with pytest.raises(ValueError, match="logit_scale"):
        make(logit_scale=np.nan)
    if make is make_switch_feature:
        with pytest.raises(ValueError, match="lengthscale"):
            make(lengthscale=0)
