import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from sklearn_tsx.datasets import make_tser_spectral
from sklearn_tsx.datasets._spectral import BANDS


def test_shapes_dtypes_and_seed():
    a = make_tser_spectral(n_samples=30, n_timepoints=64, random_state=0)
    b = make_tser_spectral(n_samples=30, n_timepoints=64, random_state=0)
    assert a.data.shape == (30, 1, 64) and a.data.dtype == np.float32
    assert a.target.shape == (30,) and a.masks.shape == (30, 1, 64)
    assert a.masks.dtype == bool and a.wavelengths.shape == (64,)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, make_tser_spectral(30, 64, random_state=1).data)


@pytest.mark.parametrize("target", list(BANDS))
def test_target_is_its_column_and_independent_of_the_others(target):
    data = make_tser_spectral(n_samples=2000, target=target, random_state=0)
    column = data.constituents.index(target)
    np.testing.assert_allclose(data.target, data.concentrations[:, column], rtol=1e-6)
    others = np.delete(data.concentrations, column, axis=1)
    for other in others.T:
        assert abs(np.corrcoef(other, data.target)[0, 1]) < 0.1


def test_mass_balance_ties_the_contents():
    data = make_tser_spectral(n_samples=200, composition="mass_balance", random_state=0)
    np.testing.assert_allclose(data.concentrations.sum(1), 100.0)
    fat, water = data.concentrations[:, :2].T
    assert np.corrcoef(fat, water)[0, 1] < -0.9


def test_only_the_target_bands_carry_the_target():
    # a linear fit on the wavelengths outside the mask (where only the bands'
    # faint tails reach, under the noise) errs far more than one inside it
    data = make_tser_spectral(n_samples=600, scatter=0.0, random_state=0)
    X, y, inside = data.data[:, 0].astype(np.float64), data.target, data.masks[0, 0]
    train, test = slice(None, 400), slice(400, None)

    def error(columns):
        fit = LinearRegression().fit(X[train][:, columns], y[train])
        return np.sqrt(np.mean((fit.predict(X[test][:, columns]) - y[test]) ** 2))

    assert error(inside) < 0.2 and error(~inside) > 10 * error(inside)


def test_baseline_dominates_the_spread_but_the_bands_carry_the_target():
    data = make_tser_spectral(n_samples=400, noise=0.0, scatter=0.0, random_state=0)
    X = data.data[:, 0].astype(np.float64)
    # the level of the series says little about the fat content
    assert abs(np.corrcoef(X.mean(1), data.target)[0, 1]) < 0.2
    # without scatter or noise, the spectrum is linear in the offset, tilt and contents
    fit = LinearRegression().fit(X, data.target)
    np.testing.assert_allclose(fit.predict(X), data.target, atol=1e-2)


def test_mask_is_the_target_band():
    data = make_tser_spectral(n_samples=3, random_state=0)
    fat = data.wavelengths[data.masks[0, 0]]
    assert 900 < fat.min() < 910 and fat.max() == 1050.0  # the 930 and 1040 nm bands
    assert not data.masks[0, 0][np.argmin(abs(data.wavelengths - 985))]
    assert (data.masks == data.masks[:1]).all()
    water = make_tser_spectral(n_samples=3, target="water", random_state=0)
    centre = water.wavelengths[water.masks[0, 0]].mean()
    assert 965 < centre < 985


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_timepoints": 2.5}, "n_timepoints"),
        ({"target": "sugar"}, "target must be one of"),
        ({"composition": "closed"}, "composition must be one of"),
        ({"scatter": 1.0}, "scatter"),
        ({"noise": -1.0}, "noise"),
        ({"noise": np.nan}, "noise"),
        ({"mask_threshold": 0.0}, "mask_threshold"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_tser_spectral(**kwargs)
