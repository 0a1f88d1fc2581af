"""TabularView: time-series models under scikit-learn's tabular tools."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import partial_dependence, permutation_importance
from sklearn.model_selection import cross_val_score
from sklearn.utils.estimator_checks import parametrize_with_checks
from test_models import _expected_failures as _net_expected_failures
from test_models import _small

from sklearn_tsx.models import GRUClassifier, TCNRegressor
from sklearn_tsx.tabular import TabularView, tabular_feature_names, to_tabular


def _expected_failures(view):
    """The view fails only what its inner net fails (see test_models.py)."""
    return _net_expected_failures(view.estimator)


@parametrize_with_checks(
    [TabularView(_small(GRUClassifier)), TabularView(_small(TCNRegressor))],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def planted():
    """Three channels; only channel 1 (its last 4 steps) decides the class."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(160, 3, 10)).astype(np.float32)
    y = np.where(X[:, 1, -4:].mean(axis=1) > 0, "up", "down")
    return X, y


@pytest.fixture(scope="module")
def gru(planted):
    X, y = planted
    return GRUClassifier(hidden_size=16, max_epochs=40, lr=0.01, random_state=0).fit(X, y)


def test_permutation_importance_ranks_the_planted_channel(planted, gru):
    X, y = planted
    view = TabularView(FrozenEstimator(gru)).fit(to_tabular(X), y)
    assert view.n_channels_ == 3 and view.n_timepoints_ == 10
    result = permutation_importance(view, to_tabular(X), y, n_repeats=5, random_state=0)
    top = np.argsort(result.importances_mean)[::-1][:4]
    names = view.get_feature_names_out()[top]
    assert set(names) == {"c1_t6", "c1_t7", "c1_t8", "c1_t9"}, names


def test_frozen_model_answers_as_itself(planted, gru):
    X, y = planted
    view = TabularView(FrozenEstimator(gru)).fit(to_tabular(X), y)
    np.testing.assert_array_equal(view.predict(to_tabular(X)), gru.predict(X))
    np.testing.assert_allclose(view.predict_proba(to_tabular(X)), gru.predict_proba(X))
    np.testing.assert_array_equal(view.classes_, gru.classes_)
    assert view.score(to_tabular(X), y) == gru.score(X, y)
    assert view.estimator_.estimator is gru  # not refitted


def test_dataframe_with_feature_names(planted, gru):
    X, y = planted
    frame = to_tabular(X, as_frame=True)
    assert list(frame.columns[:2]) == ["c0_t0", "c0_t1"]
    view = TabularView(FrozenEstimator(gru)).fit(frame, y)
    np.testing.assert_array_equal(view.feature_names_in_, frame.columns)
    np.testing.assert_array_equal(view.get_feature_names_out(), frame.columns)
    np.testing.assert_array_equal(view.predict(frame), gru.predict(X))
    result = permutation_importance(view, frame, y, n_repeats=3, random_state=0)
    assert frame.columns[result.importances_mean.argmax()].startswith("c1_")


def test_shuffled_named_columns_are_refused(planted, gru):
    X, y = planted
    frame = to_tabular(X, as_frame=True)
    shuffled = frame[frame.columns[::-1]]
    with pytest.raises(ValueError, match="not in the channel-major order"):
        TabularView(FrozenEstimator(gru)).fit(shuffled, y)


def test_unfitted_model_is_cloned_and_fitted(planted):
    X, y = planted
    model = GRUClassifier(hidden_size=4, max_epochs=2, random_state=0)
    view = TabularView(model, n_channels=3).fit(to_tabular(X), y)
    assert view.estimator_ is not model and not hasattr(model, "net_")
    assert view.estimator_.n_channels_in_ == 3
    scores = cross_val_score(view, to_tabular(X), y, cv=2)
    assert scores.shape == (2,)


def test_partial_dependence(planted, gru):
    X, y = planted
    view = TabularView(FrozenEstimator(gru)).fit(to_tabular(X, as_frame=True), y)
    result = partial_dependence(
        view, to_tabular(X, as_frame=True), ["c1_t9"], grid_resolution=5
    )
    assert result["average"].shape == (1, 5)


def test_clone_and_pickle(planted, gru):
    X, y = planted
    view = TabularView(FrozenEstimator(gru)).fit(to_tabular(X), y)
    again = pickle.loads(pickle.dumps(view))
    np.testing.assert_array_equal(again.predict(to_tabular(X)), view.predict(to_tabular(X)))
    assert clone(view).get_params()["estimator"].estimator is gru


@pytest.mark.parametrize("n_channels", [0, 2.0, True])
def test_bad_n_channels(planted, n_channels):
    X, y = planted
    with pytest.raises(ValueError, match="n_channels must be an integer"):
        TabularView(GRUClassifier(), n_channels=n_channels).fit(to_tabular(X), y)


def test_columns_not_a_multiple_of_channels(planted):
    X, y = planted
    with pytest.raises(ValueError, match="not a multiple of n_channels=4"):
        TabularView(GRUClassifier(), n_channels=4).fit(to_tabular(X), y)


def test_feature_count_mismatch_after_fit(planted, gru):
    X, y = planted
    view = TabularView(FrozenEstimator(gru)).fit(to_tabular(X), y)
    with pytest.raises(ValueError, match="features"):
        view.predict(to_tabular(X)[:, :-3])


def test_to_tabular_round_trip():
    X = np.random.default_rng(0).normal(size=(4, 2, 5))
    table = to_tabular(X)
    np.testing.assert_allclose(table.reshape(4, 2, 5), X.astype(np.float32))
    assert tabular_feature_names(2, 5)[5] == "c1_t0"
    assert isinstance(to_tabular(X, as_frame=True), pd.DataFrame)
