"""A synthetic near-infrared spectral regression set: absorbance spectra of
three-constituent mixtures over a scattered baseline, the target one
constituent's concentration."""

import numbers

import numpy as np
from sklearn.utils import Bunch, check_random_state

__all__ = ["make_tser_spectral"]

COMPOSITIONS = ("independent", "mass_balance")

#: Absorption bands ``(centre nm, width nm, absorbance per % of constituent)`` in
#: the textbook near-infrared overtone regions: the C-H third overtone of fat
#: near 930 nm (and a weaker C-H band near 1040 nm), the O-H second overtone of
#: water near 975 nm, the N-H region of protein near 1020 nm.
BANDS = {
    "fat": ((930.0, 12.0, 0.012), (1040.0, 15.0, 0.006)),
    "water": ((975.0, 25.0, 0.010),),
    "protein": ((1020.0, 35.0, 0.008),),
}


def _absorptivity(wavelengths, bands):
    return sum(
        height * np.exp(-0.5 * ((wavelengths - centre) / width) ** 2)
        for centre, width, height in bands
    )


def make_tser_spectral(
    n_samples=240,
    n_timepoints=100,
    *,
    target="fat",
    composition="independent",
    scatter=0.15,
    noise=0.002,
    mask_threshold=0.05,
    random_state=None,
):
    """Near-infrared absorbance spectra of mixtures, the target a concentration.

    A stand-in for spectroscopic regression sets (a food analyser reading
    850-1050 nm): the signal is a few small, smooth absorption bands on a
    baseline whose level, tilt and scale vary far more from sample to sample
    than the bands do, so the target is in small differences between nearby
    wavelengths, not in the level of the series. It is loosely modelled on
    the physics (Beer-Lambert mixing, multiplicative scatter), not fitted to
    any measured data set.

    Design: for each sample, contents of fat ``f ~ U(1, 50)`` %, water and
    protein in %: independent, ``w ~ U(40, 75)`` and ``p ~ U(10, 25)``, or
    tied to the fat by a mass balance, ``w = 75 - 0.75 f + N(0, 2)`` and ``p
    = 100 - f - w``; the absorbance at wavelength ``l`` is::

        A(l) = a + b (l - 950) / 100 + s * sum_k c_k eps_k(l) + e(l)

    with offset ``a ~ U(2, 3.5)``, tilt ``b ~ N(0.4, 0.15)``, multiplicative
    scatter ``s ~ U(1 - scatter, 1 + scatter)``, white noise ``e`` of standard
    deviation ``noise``, and each constituent's absorptivity ``eps_k`` a sum
    of Gaussian bands (:data:`BANDS`). The target is the chosen constituent's
    concentration; the ground-truth mask marks the wavelengths where its
    absorptivity exceeds ``mask_threshold`` times its peak (the same for
    every sample). With independent contents only the target's own bands
    carry it and the mask is the whole truth; under the mass balance, as in
    meat, the other constituents' bands carry it too and a model may read
    them instead.

    Parameters
    ----------
    n_samples : int, default=240
        Number of spectra.
    n_timepoints : int, default=100
        Number of wavelengths, evenly spaced over 850-1050 nm.
    target : {"fat", "water", "protein"}, default="fat"
        The constituent whose concentration (in %) is the target.
    composition : {"independent", "mass_balance"}, default="independent"
        Whether the contents are drawn independently, or water and protein
        follow the fat content and the three add up to 100 %.
    scatter : float, default=0.15
        Half-width of the range of multiplicative scatter factors, in [0, 1).
    noise : float, default=0.002
        Standard deviation of the white measurement noise, >= 0.
    mask_threshold : float, default=0.05
        Share of the target constituent's peak absorptivity above which a
        wavelength is in the ground-truth mask, in (0, 1).
    random_state : int, RandomState instance or None, default=None
        Seed; the same seed gives the same data.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (n_samples, 1, n_timepoints) float32, the absorbances;
        ``target`` (n_samples,) float32; ``masks`` (n_samples, 1,
        n_timepoints) bool, the ground truth; ``wavelengths``
        (n_timepoints,) in nm; ``concentrations`` (n_samples, 3) in % and
        ``constituents`` naming its columns; ``DESCR``.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_tser_spectral
    >>> data = make_tser_spectral(n_samples=5, random_state=0)
    >>> data.data.shape, data.target.shape, data.masks.shape
    ((5, 1, 100), (5,), (5, 1, 100))
    >>> data.wavelengths[data.masks[0, 0]].min().round()  # the fat band's edge
    np.float64(903.0)
    """
    for name, value in [("n_samples", n_samples), ("n_timepoints", n_timepoints)]:
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")
    if target not in BANDS:
        raise ValueError(f"target must be one of {tuple(BANDS)}; got {target!r}.")
    if composition not in COMPOSITIONS:
        raise ValueError(
            f"composition must be one of {COMPOSITIONS}; got {composition!r}."
        )
    if not isinstance(scatter, numbers.Real) or not 0 <= scatter < 1:
        raise ValueError(f"scatter must be a float in [0, 1); got {scatter!r}.")
    if not isinstance(mask_threshold, numbers.Real) or not 0 < mask_threshold < 1:
        raise ValueError(
            f"mask_threshold must be a float in (0, 1); got {mask_threshold!r}."
        )
    if not isinstance(noise, numbers.Real) or not noise >= 0:
        raise ValueError(f"noise must be a non-negative float; got {noise!r}.")
    rng = check_random_state(random_state)
    wavelengths = np.linspace(850.0, 1050.0, n_timepoints)
    if composition == "independent":
        concentrations = rng.uniform((1.0, 40.0, 10.0), (50.0, 75.0, 25.0), (n_samples, 3))
    else:
        fat = rng.uniform(1.0, 50.0, n_samples)
        water = 75.0 - 0.75 * fat + rng.normal(0.0, 2.0, n_samples)
        concentrations = np.stack([fat, water, 100.0 - fat - water], axis=1)
    absorptivity = np.stack([_absorptivity(wavelengths, b) for b in BANDS.values()])
    offset = rng.uniform(2.0, 3.5, (n_samples, 1))
    tilt = rng.normal(0.4, 0.15, (n_samples, 1))
    factor = rng.uniform(1.0 - scatter, 1.0 + scatter, (n_samples, 1))
    X = (
        offset
        + tilt * (wavelengths - 950.0) / 100.0
        + factor * (concentrations @ absorptivity)
        + rng.normal(0.0, noise, (n_samples, n_timepoints))
    )
    column = list(BANDS).index(target)
    band = absorptivity[column]
    masks = np.broadcast_to(band > mask_threshold * band.max(), X.shape).copy()
    return Bunch(
        data=X[:, np.newaxis, :].astype(np.float32),
        target=concentrations[:, column].astype(np.float32),
        masks=masks[:, np.newaxis, :],
        wavelengths=wavelengths,
        concentrations=concentrations,
        constituents=list(BANDS),
        DESCR=(
            f"Synthetic NIR absorbance spectra of fat/water/protein mixtures; "
            f"target: {target} content in %."
        ),
    )
