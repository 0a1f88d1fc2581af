import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator

from sklearn_tsx.utils import (
    check_target_index,
    check_time_series,
    validate_time_series_data,
)


def _nested_frame(X):
    from sktime.datatypes import convert_to

    return convert_to(X, to_type="nested_univ")


def test_numpy_3d_and_2d(rng):
    X = rng.normal(size=(5, 3, 7))
    out = check_time_series(X)
    assert out.dtype == np.float32 and out.shape == (5, 3, 7)
    np.testing.assert_allclose(out, X, rtol=1e-6)
    assert check_time_series(X[:, 0]).shape == (5, 1, 7)


def test_input_never_modified_nor_shared(rng):
    X = rng.normal(size=(4, 2, 6)).astype(np.float32)
    X_before = X.copy()
    out = check_time_series(X)
    out += 1
    np.testing.assert_array_equal(X, X_before)
    assert not np.shares_memory(out, X)


def test_sktime_formats_round_trip(rng):
    X = rng.normal(size=(4, 2, 6)).astype(np.float32)
    nested = _nested_frame(X)
    np.testing.assert_allclose(check_time_series(nested), X, rtol=1e-6)
    from sktime.datatypes import convert_to

    multiindex = convert_to(X, to_type="pd-multiindex")
    np.testing.assert_allclose(check_time_series(multiindex), X, rtol=1e-6)


def test_plain_frame_is_univariate(rng):
    frame = pd.DataFrame(rng.normal(size=(3, 8)))
    assert check_time_series(frame).shape == (3, 1, 8)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_rejected(rng, bad):
    X = rng.normal(size=(3, 2, 5))
    X[1, 0, 2] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        check_time_series(X)


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 5)])
def test_wrong_dimensions(shape):
    with pytest.raises(ValueError, match="3-D .* or 2-D"):
        check_time_series(np.zeros(shape))


@pytest.mark.parametrize("shape", [(0, 2, 5), (0, 5), (3, 0, 5), (3, 2, 0)])
def test_empty_input(shape):
    with pytest.raises(ValueError):
        check_time_series(np.zeros(shape))


def test_unequal_length_series_rejected(rng):
    nested = _nested_frame(rng.normal(size=(3, 1, 10)))
    nested.iloc[0, 0] = nested.iloc[0, 0].iloc[:6]
    with pytest.raises(ValueError, match="unequal length"):
        check_time_series(nested)


def test_strings_rejected():
    with pytest.raises(ValueError):
        check_time_series(np.array([["a", "b"], ["c", "d"]]))


class _Recorder(BaseEstimator):
    pass


def test_validate_records_and_checks_shape(rng):
    est = _Recorder()
    X = rng.normal(size=(6, 3, 10))
    X3, y = validate_time_series_data(est, X, np.arange(6), reset=True)
    assert (est.n_channels_in_, est.n_timepoints_in_, est.n_features_in_) == (3, 10, 30)
    with pytest.raises(ValueError, match="4 channels x 10 time points.*3 x 10"):
        validate_time_series_data(est, rng.normal(size=(2, 4, 10)), reset=False)
    with pytest.raises(ValueError, match="mismatch in time points"):
        validate_time_series_data(est, rng.normal(size=(2, 3, 11)), reset=False)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        validate_time_series_data(est, X, np.arange(5), reset=True)


def test_target_index():
    np.testing.assert_array_equal(check_target_index(None, 3, 1), [0, 0, 0])
    np.testing.assert_array_equal(check_target_index(2, 2, 3), [2, 2])
    np.testing.assert_array_equal(check_target_index([0, 1], 2, 2), [0, 1])
    with pytest.raises(ValueError, match="must be given"):
        check_target_index(None, 3, 4)
    with pytest.raises(ValueError, match="out of range"):
        check_target_index(5, 3, 4)
    with pytest.raises(ValueError, match="out of range"):
        check_target_index(-1, 3, 4)
    with pytest.raises(ValueError, match="one per sample"):
        check_target_index([0, 1], 3, 4)
    with pytest.raises(ValueError, match="integers"):
        check_target_index([0.5, 1.0], 2, 4)
    with pytest.raises(ValueError, match=r"one per sample; got 1\.0\."):
        check_target_index(1.0, 2, 4)
