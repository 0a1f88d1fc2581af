"""sktime's ``df-list`` (one ``(T, C)`` frame per sample) is read as (n, C, T)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from sklearn_tsx.utils import check_time_series, validate_time_series_data


@pytest.fixture
def panel():
    return np.random.default_rng(0).normal(size=(4, 3, 7))


def _df_list(X):
    return [pd.DataFrame(x.T, columns=["a", "b", "c"][: len(x)]) for x in X]


@pytest.mark.parametrize("container", [list, tuple])
def test_df_list_is_not_transposed(panel, container):
    frames = container(_df_list(panel))
    before = [f.copy() for f in frames]
    X = check_time_series(frames)
    assert X.shape == (4, 3, 7)
    np.testing.assert_allclose(X, panel, rtol=1e-6)
    for frame, copy in zip(frames, before, strict=True):
        pd.testing.assert_frame_equal(frame, copy)


def test_df_list_univariate(panel):
    X = check_time_series(_df_list(panel[:, :1]))
    assert X.shape == (4, 1, 7)


def test_df_list_records_the_panel_shape(panel):
    est = BaseEstimator()
    X = validate_time_series_data(est, _df_list(panel))
    assert X.shape == (4, 3, 7)
    assert (est.n_channels_in_, est.n_timepoints_in_) == (3, 7)


def test_df_list_unequal_length_raises(panel):
    frames = _df_list(panel)
    frames[1] = frames[1].iloc[:5]
    with pytest.raises(ValueError, match="unequal length"):
        check_time_series(frames)


def test_df_list_invalid_raises(panel):
    frames = _df_list(panel)
    frames[1] = frames[1].rename(columns={"a": "z"})
    with pytest.raises(ValueError, match=r"frame 0 has columns \[.a., .b., .c.\], frame 1"):
        check_time_series(frames)
