import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tsx.models import GRURegressor
from sklearn_tsx.preprocessing import TimeSeriesStandardScaler


@parametrize_with_checks(
    [
        TimeSeriesStandardScaler(),
        TimeSeriesStandardScaler(per="timepoint"),
        TimeSeriesStandardScaler(per="series"),
        TimeSeriesStandardScaler(with_mean=False, with_std=False),
    ]
)
def test_sklearn_compatible(estimator, check):
    # No expected failure: on the 2-D tables of sklearn's checks the scaler
    # reads (n, T) as univariate panels and returns (n, 1, T).
    check(estimator)


@pytest.fixture
def panel(rng):
    scales = np.array([1.0, 10.0, 1e3])[None, :, None]
    return (rng.normal(loc=5.0, size=(30, 3, 20)) * scales).astype(np.float32)


def test_standardises_each_channel(panel):
    Xt = TimeSeriesStandardScaler().fit_transform(panel)
    assert Xt.shape == panel.shape
    assert Xt.dtype == np.float32
    np.testing.assert_allclose(Xt.mean(axis=(0, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(Xt.std(axis=(0, 2)), 1.0, rtol=1e-5)


def test_fitted_statistics(panel):
    scaler = TimeSeriesStandardScaler().fit(panel)
    X64 = panel.astype(np.float64)
    np.testing.assert_allclose(scaler.mean_, X64.mean(axis=(0, 2)))
    np.testing.assert_allclose(scaler.scale_, X64.std(axis=(0, 2)))
    assert (scaler.n_channels_in_, scaler.n_timepoints_in_) == (3, 20)
    assert scaler.n_features_in_ == 60


def test_inverse_transform_round_trip(panel):
    scaler = TimeSeriesStandardScaler().fit(panel)
    restored = scaler.inverse_transform(scaler.transform(panel))
    assert restored.dtype == np.float32
    np.testing.assert_allclose(restored, panel, rtol=1e-5)


def test_inverse_transform_rejects_other_shape(panel):
    scaler = TimeSeriesStandardScaler().fit(panel)
    with pytest.raises(ValueError, match="fitted on"):
        scaler.inverse_transform(panel[:, :2])


def test_per_series_standardises_each_series(panel):
    scaler = TimeSeriesStandardScaler(per="series")
    Xt = scaler.fit_transform(panel)
    np.testing.assert_allclose(Xt.mean(axis=2), 0.0, atol=1e-4)
    np.testing.assert_allclose(Xt.std(axis=2), 1.0, rtol=1e-4)
    assert not hasattr(scaler, "mean_")
    assert not hasattr(scaler, "inverse_transform")
    with pytest.raises(AttributeError) as excinfo:
        scaler.inverse_transform(Xt)
    assert "per='series'" in str(excinfo.value.__cause__)


def test_per_timepoint_is_standard_scaler_on_the_flat_panel(panel):
    scaler = TimeSeriesStandardScaler(per="timepoint").fit(panel)
    assert scaler.mean_.shape == scaler.scale_.shape == (3, 20)
    flat = panel.reshape(len(panel), -1)
    expected = StandardScaler().fit_transform(flat.astype(np.float64))
    Xt = scaler.transform(panel)
    np.testing.assert_allclose(Xt.reshape(len(panel), -1), expected, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scaler.inverse_transform(Xt), panel, rtol=1e-5)


def test_per_sample_is_deprecated(panel):
    with pytest.warns(FutureWarning, match="per_sample was deprecated.*per='series'"):
        scaler = TimeSeriesStandardScaler(per_sample=True).fit(panel)
    assert scaler.per_ == "series"
    np.testing.assert_array_equal(
        scaler.transform(panel), TimeSeriesStandardScaler(per="series").fit_transform(panel)
    )
    with pytest.warns(FutureWarning):
        assert TimeSeriesStandardScaler(per_sample=False).fit(panel).per_ == "channel"


def test_bad_per(panel):
    with pytest.raises(ValueError, match="'per' parameter"):
        TimeSeriesStandardScaler(per="sample").fit(panel)


@pytest.mark.parametrize("per", ["channel", "timepoint", "series"])
def test_constant_series_left_unscaled(per):
    X = np.full((4, 2, 6), 3.0)
    Xt = TimeSeriesStandardScaler(per=per).fit_transform(X)
    np.testing.assert_array_equal(Xt, 0.0)


def test_without_mean_or_std(panel):
    scaler = TimeSeriesStandardScaler(with_mean=False).fit(panel)
    assert scaler.mean_ is None
    np.testing.assert_allclose(
        scaler.transform(panel), panel / scaler.scale_[:, None].astype(np.float32), rtol=1e-6
    )
    scaler = TimeSeriesStandardScaler(with_std=False).fit(panel)
    assert scaler.scale_ is None
    np.testing.assert_allclose(
        scaler.transform(panel), panel - scaler.mean_[:, None], rtol=1e-5, atol=1e-3
    )


def test_two_d_input_is_univariate(rng):
    X = rng.normal(size=(8, 12))
    Xt = TimeSeriesStandardScaler().fit_transform(X)
    assert Xt.shape == (8, 1, 12)


def test_sktime_multiindex_input(panel):
    index = pd.MultiIndex.from_product([range(30), range(20)], names=["instance", "time"])
    frame = pd.DataFrame(
        panel.transpose(0, 2, 1).reshape(-1, 3), index=index, columns=["a", "b", "c"]
    )
    scaler = TimeSeriesStandardScaler()
    np.testing.assert_allclose(
        scaler.fit_transform(frame), clone(scaler).fit_transform(panel), rtol=1e-6
    )


def test_input_not_modified(panel):
    before = panel.copy()
    scaler = TimeSeriesStandardScaler().fit(panel)
    scaler.transform(panel)
    scaler.inverse_transform(panel)
    np.testing.assert_array_equal(panel, before)


def test_rejects_nan_and_shape_mismatch(panel):
    bad = panel.copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        TimeSeriesStandardScaler().fit(bad)
    scaler = TimeSeriesStandardScaler().fit(panel)
    with pytest.raises(ValueError, match="channels"):
        scaler.transform(panel[:, :2])
    with pytest.raises(ValueError, match="time points"):
        scaler.transform(panel[:, :, :10])


def test_pipeline_with_regressor(rng):
    X = rng.normal(loc=100.0, scale=20.0, size=(64, 2, 16)).astype(np.float32)
    y = X[:, 0, -4:].mean(axis=1)
    pipe = Pipeline(
        [
            ("scale", TimeSeriesStandardScaler()),
            ("gru", GRURegressor(hidden_size=8, max_epochs=30, lr=1e-2, random_state=0)),
        ]
    )
    pipe.fit(X, y)
    pred = pipe.predict(X)
    assert pred.shape == (64,)
    assert np.mean((pred - y) ** 2) < np.var(y)
    pipe.set_params(gru__hidden_size=4)
    assert clone(pipe).get_params()["gru__hidden_size"] == 4
