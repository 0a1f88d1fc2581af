import sys

import numpy as np
import pytest

from sklearn_tsx.datasets import (
    load_cardano_sentiment,
    load_covid3month,
    load_tecator,
    load_tser_tsfile,
    make_tser_multivariate_interaction,
    make_tser_multivariate_threshold,
    make_tser_univariate_threshold,
)

GENERATORS = [
    (make_tser_univariate_threshold, 1),
    (make_tser_multivariate_threshold, 3),
    (make_tser_multivariate_interaction, 3),
]


@pytest.mark.parametrize("make, n_channels", GENERATORS)
def test_shapes_and_determinism(make, n_channels):
    a = make(n_samples=20, n_timepoints=50, random_state=0)
    b = make(n_samples=20, n_timepoints=50, random_state=0)
    c = make(n_samples=20, n_timepoints=50, random_state=1)
    assert a.data.shape == a.masks.shape == (20, n_channels, 50)
    assert a.data.dtype == np.float32 and a.masks.dtype == bool
    assert a.target.shape == (20,)
    assert a.event_position.shape == a.event_duration.shape == (20, n_channels, 3)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.target, b.target)
    assert not np.array_equal(a.data, c.data)
    assert a.masks.any()


@pytest.mark.parametrize("make, n_channels", GENERATORS)
def test_target_is_a_function_of_the_masked_values(make, n_channels):
    data = make(n_samples=30, random_state=0)
    X, y, masks = data.data, data.target, data.masks
    # changing values outside the ground-truth mask (while staying below the
    # threshold) does not change the target
    if make is make_tser_multivariate_interaction:
        expected = (X[:, 0] * masks[:, 0]).sum(-1) / X.shape[-1]
    else:
        signed = X * masks
        if n_channels == 3:
            signed[:, 1] *= -1
        expected = signed.sum(axis=(1, 2)) / X.shape[-1]
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-6)


def test_univariate_events_match_masks():
    data = make_tser_univariate_threshold(n_samples=50, random_state=0)
    t = np.arange(100)
    inside = np.zeros((50, 100), dtype=bool)
    for pos, dur in zip(data.event_position[:, 0].T, data.event_duration[:, 0].T):
        inside |= (t >= pos[:, None]) & (t < (pos + dur)[:, None])
    # events are above the threshold; the background is (almost always) below it
    agreement = (inside == data.masks[:, 0]).mean()
    assert agreement > 0.97


def test_multivariate_threshold_ignores_first_half_of_channel_1():
    data = make_tser_multivariate_threshold(n_samples=30, random_state=0)
    assert not data.masks[:, 1, :50].any()
    assert not data.masks[:, 2].any()


def test_bad_generator_arguments():
    with pytest.raises(ValueError, match="n_samples"):
        make_tser_univariate_threshold(n_samples=0)
    with pytest.raises(ValueError, match="max_duration"):
        make_tser_univariate_threshold(min_duration=10, max_duration=5)
    with pytest.raises(ValueError, match="n_timepoints"):
        make_tser_univariate_threshold(n_timepoints=10, max_duration=20)


TS_FILE = """# a small multivariate TSER file
@problemName toy
@timeStamps false
@missing false
@univariate false
@dimensions 2
@equalLength true
@seriesLength 4
@targetLabel true
@data
1,2,3,4:5,6,7,8:0.25
2,3,4,5:6,7,8,9:1.5
3,4,5,6:7,8,9,10:-2.0
"""


def test_load_tser_tsfile(tmp_path):
    path = tmp_path / "toy.ts"
    path.write_text(TS_FILE)
    X, y = load_tser_tsfile(path)
    assert X.shape == (3, 2, 4) and X.dtype == np.float32
    np.testing.assert_array_equal(X[1, 1], [6, 7, 8, 9])
    np.testing.assert_allclose(y, [0.25, 1.5, -2.0])


def test_load_tser_tsfile_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_tser_tsfile(tmp_path / "missing.ts")
    bad = tmp_path / "bad.ts"
    bad.write_text("not a ts file\n")
    with pytest.raises(ValueError, match="Could not read"):
        load_tser_tsfile(bad)


def test_sktime_shipped_regression_sets():
    X, y = load_covid3month()
    assert X.shape == (201, 1, 84) and y.shape == (201,)
    X_train, _ = load_covid3month(split="train")
    assert len(X_train) == 140
    X, y = load_tecator(split="test")
    assert X.ndim == 3 and len(X) == len(y)
    with pytest.raises(ValueError, match="split"):
        load_covid3month(split="valid")


NAN_TARGETS = """@problemName toy
@timeStamps false
@univariate true
@equalLength true
@seriesLength 3
@targetLabel true
@data
1,2,3:0.5
4,5,6:NaN
7,8,9:1.0
1,1,1:?
"""


def test_load_tser_tsfile_rejects_missing_targets(tmp_path):
    path = tmp_path / "nan_targets.ts"
    path.write_text(NAN_TARGETS)
    with pytest.raises(ValueError, match=r"nan_targets\.ts.*targets.*rows \[1, 3\]"):
        load_tser_tsfile(path)


def test_load_cardano_sentiment():
    X, y = load_cardano_sentiment()
    assert X.shape == (107, 2, 24) and y.shape == (107,)
    assert X.dtype == y.dtype == np.float32 and np.isfinite(y).all()
    X_train, y_train = load_cardano_sentiment(split="train")
    X_test, y_test = load_cardano_sentiment(split="test")
    assert len(X_train) == 74 and len(X_test) == 33
    np.testing.assert_array_equal(X, np.concatenate([X_train, X_test]))
    with pytest.raises(ValueError, match="split"):
        load_cardano_sentiment(split="valid")


def test_load_cardano_sentiment_without_aeon(monkeypatch):
    monkeypatch.setitem(sys.modules, "aeon", None)
    with pytest.raises(ImportError, match=r"pip install sklearn_tsx\[benchmarks\]"):
        load_cardano_sentiment()
