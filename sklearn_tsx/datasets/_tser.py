"""Time-series extrinsic regression (TSER) data: synthetic sets with ground-truth
masks, and loaders for real sets through sktime.

The synthetic sets follow the three questions of MAGNETS (Forest, Wei and Fink,
2025) — *when* (the position of an event), *how long* (its duration) and *how
much* (its amplitude) — the paper gives few details, so each design is written
out in its generator's docstring. Every generator returns a
:class:`~sklearn.utils.Bunch` with the panel, the target, the ground-truth mask
of the (channel, time) values the target depends on, and the event parameters.
"""

import importlib.resources
import numbers
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch, check_random_state

__all__ = [
    "make_tser_univariate_threshold",
    "make_tser_multivariate_threshold",
    "make_tser_multivariate_interaction",
    "load_tser_tsfile",
    "load_covid3month",
    "load_cardano_sentiment",
    "load_tecator",
]


def _check_common(n_samples, n_timepoints, max_events, min_duration, max_duration):
    for name, value, minimum in [
        ("n_samples", n_samples, 1),
        ("max_events", max_events, 1),
        ("min_duration", min_duration, 1),
    ]:
        if not isinstance(value, numbers.Integral) or value < minimum:
            raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    if not isinstance(max_duration, numbers.Integral) or max_duration < min_duration:
        raise ValueError(
            f"max_duration must be an integer >= min_duration={min_duration}; "
            f"got {max_duration!r}."
        )
    if not isinstance(n_timepoints, numbers.Integral) or n_timepoints < max_duration:
        raise ValueError(
            f"n_timepoints must be an integer >= max_duration={max_duration}; "
            f"got {n_timepoints!r}."
        )


def _background(rng, n_samples, n_channels, n_timepoints, offset, noise):
    """Per-series level in ``[-offset, offset]`` plus smooth noise of std ``noise``
    (white noise through a 5-step moving average, rescaled)."""
    white = rng.normal(size=(n_samples, n_channels, n_timepoints + 4))
    kernel = np.ones(5) / np.sqrt(5)
    smooth = np.apply_along_axis(np.convolve, -1, white, kernel, mode="valid")
    level = rng.uniform(-offset, offset, size=(n_samples, n_channels, 1))
    return level + noise * smooth


def _add_events(rng, X, max_events, min_duration, max_duration, amplitude):
    """Add 1..max_events rectangular pulses per series and channel.

    Returns the event positions, durations and amplitudes, each of shape
    ``(n_samples, n_channels, max_events)``; absent events have position -1,
    duration 0 and amplitude 0.
    """
    n_samples, n_channels, n_timepoints = X.shape
    shape = (n_samples, n_channels, max_events)
    count = rng.integers(1, max_events + 1, size=shape[:2])
    present = np.arange(max_events) < count[..., None]
    duration = rng.integers(min_duration, max_duration + 1, size=shape)
    position = rng.integers(0, n_timepoints - duration + 1)
    height = rng.uniform(*amplitude, size=shape)
    duration = np.where(present, duration, 0)
    position = np.where(present, position, -1)
    height = np.where(present, height, 0.0)
    t = np.arange(n_timepoints)
    inside = (t >= position[..., None]) & (t < (position + duration)[..., None])
    X += (inside * height[..., None]).sum(axis=2)
    return position, duration, height


def _make(
    n_samples,
    n_channels,
    n_timepoints,
    max_events,
    min_duration,
    max_duration,
    amplitude,
    offset,
    noise,
    random_state,
):
    _check_common(n_samples, n_timepoints, max_events, min_duration, max_duration)
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))
    X = _background(rng, n_samples, n_channels, n_timepoints, offset, noise)
    position, duration, height = _add_events(
        rng, X, max_events, min_duration, max_duration, amplitude
    )
    return X, position, duration, height


def _bunch(X, y, masks, position, duration, height, descr):
    return Bunch(
        data=X.astype(np.float32),
        target=y.astype(np.float32),
        masks=masks,
        event_position=position,
        event_duration=duration,
        event_amplitude=height.astype(np.float32),
        DESCR=descr,
    )


def make_tser_univariate_threshold(
    n_samples=1000,
    n_timepoints=100,
    *,
    threshold=0.5,
    max_events=3,
    min_duration=5,
    max_duration=20,
    amplitude=(0.8, 1.6),
    offset=0.25,
    noise=0.1,
    random_state=None,
):
    """Univariate threshold regression: the target is the area above a threshold.

    Design: each series is a background — a per-series level drawn uniformly in
    ``[-offset, offset]`` plus smooth noise of standard deviation ``noise`` —
    on which 1 to ``max_events`` rectangular events are added, each with a
    uniform position (*when*), a duration uniform in ``[min_duration,
    max_duration]`` (*how long*) and an amplitude uniform in ``amplitude``
    (*how much*). The target is the mean over time of the values above
    ``threshold``::

        y = (1 / T) * sum_t x_t * [x_t > threshold]

    and the ground-truth mask is ``x > threshold``. With the defaults the
    background stays below the threshold (a level of at most 0.25 plus 2.5
    noise standard deviations) and events rise above it, so the mask is the set
    of event steps; the random level makes the sum over the whole series a poor
    predictor, so a model has to find the events.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of series.
    n_timepoints : int, default=100
        Series length ``T``.
    threshold : float, default=0.5
        Level above which values count.
    max_events : int, default=3
        Each series gets between 1 and ``max_events`` events.
    min_duration, max_duration : int, default=5, 20
        Range of event durations, in time steps.
    amplitude : tuple of float, default=(0.8, 1.6)
        Range of event amplitudes.
    offset : float, default=0.25
        Half-width of the range of background levels.
    noise : float, default=0.1
        Standard deviation of the background noise.
    random_state : int, RandomState instance or None, default=None
        Seed; the same seed gives the same data.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (n_samples, 1, T) float32; ``target`` (n_samples,) float32;
        ``masks`` (n_samples, 1, T) bool, the ground truth; ``event_position``,
        ``event_duration``, ``event_amplitude`` of shape (n_samples, 1,
        max_events), with position -1, duration 0 and amplitude 0 for absent
        events; ``DESCR``.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_tser_univariate_threshold
    >>> data = make_tser_univariate_threshold(n_samples=5, random_state=0)
    >>> data.data.shape, data.target.shape, data.masks.shape
    ((5, 1, 100), (5,), (5, 1, 100))
    """
    X, position, duration, height = _make(
        n_samples, 1, n_timepoints, max_events, min_duration, max_duration,
        amplitude, offset, noise, random_state,
    )
    masks = X > threshold
    y = (X * masks).sum(axis=(1, 2)) / n_timepoints
    descr = "Univariate threshold TSER: y = mean_t x_t [x_t > threshold]."
    return _bunch(X, y, masks, position, duration, height, descr)


def make_tser_multivariate_threshold(
    n_samples=1000,
    n_timepoints=100,
    *,
    threshold=0.5,
    max_events=3,
    min_duration=5,
    max_duration=20,
    amplitude=(0.8, 1.6),
    offset=0.25,
    noise=0.1,
    random_state=None,
):
    """Three channels; the target adds one channel's area above a threshold and
    subtracts another's, counted only in the second half of the series.

    Design: three channels built like
    :func:`make_tser_univariate_threshold` (background plus 1 to
    ``max_events`` events each). The target is::

        y = (1 / T) * (sum_t x0_t [x0_t > threshold]
                       - sum_{t >= T/2} x1_t [x1_t > threshold])

    Channel 0 tests *how long* and *how much*, channel 1 adds *when* (events in
    its first half do not count) and an opposite sign, and channel 2 is a
    distractor with the same statistics that never counts. The ground-truth
    mask is channel 0 above the threshold and channel 1 above the threshold in
    its second half.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of series.
    n_timepoints : int, default=100
        Series length ``T``.
    threshold : float, default=0.5
        Level above which values count.
    max_events : int, default=3
        Each channel gets between 1 and ``max_events`` events.
    min_duration, max_duration : int, default=5, 20
        Range of event durations, in time steps.
    amplitude : tuple of float, default=(0.8, 1.6)
        Range of event amplitudes.
    offset : float, default=0.25
        Half-width of the range of background levels.
    noise : float, default=0.1
        Standard deviation of the background noise.
    random_state : int, RandomState instance or None, default=None
        Seed; the same seed gives the same data.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        As :func:`make_tser_univariate_threshold`, with 3 channels.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_tser_multivariate_threshold
    >>> data = make_tser_multivariate_threshold(n_samples=5, random_state=0)
    >>> data.data.shape, data.masks.shape
    ((5, 3, 100), (5, 3, 100))
    """
    X, position, duration, height = _make(
        n_samples, 3, n_timepoints, max_events, min_duration, max_duration,
        amplitude, offset, noise, random_state,
    )
    above = X > threshold
    late = np.arange(n_timepoints) >= n_timepoints // 2
    masks = np.zeros_like(above)
    masks[:, 0] = above[:, 0]
    masks[:, 1] = above[:, 1] & late
    y = ((X[:, 0] * masks[:, 0]).sum(-1) - (X[:, 1] * masks[:, 1]).sum(-1)) / n_timepoints
    descr = (
        "Multivariate threshold TSER: y = mean_t x0 [x0 > thr] - "
        "(1/T) sum_{t >= T/2} x1 [x1 > thr]; channel 2 is a distractor."
    )
    return _bunch(X, y, masks, position, duration, height, descr)


def make_tser_multivariate_interaction(
    n_samples=1000,
    n_timepoints=100,
    *,
    threshold=0.5,
    max_events=3,
    min_duration=5,
    max_duration=20,
    amplitude=(0.8, 1.6),
    offset=0.25,
    noise=0.1,
    random_state=None,
):
    """Three channels with a feature interaction: one channel's events gate when
    another channel's values count.

    Design: channels 1 and 2 are built like
    :func:`make_tser_univariate_threshold` (background plus events); channel 0
    is a positive quantity, ``1 + background`` (a level in ``[1 - offset, 1 +
    offset]`` plus smooth noise). The target sums channel 0 while channel 1 is
    above the threshold::

        y = (1 / T) * sum_t x0_t [x1_t > threshold]

    so *when* and *how long* come from channel 1 and *how much* from channel 0;
    neither channel alone determines ``y``. Channel 2 is a distractor with the
    statistics of channel 1. The ground-truth mask is channels 0 and 1 at the
    steps where channel 1 is above the threshold.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of series.
    n_timepoints : int, default=100
        Series length ``T``.
    threshold : float, default=0.5
        Level of channel 1 above which channel 0 counts.
    max_events : int, default=3
        Channels 1 and 2 get between 1 and ``max_events`` events each.
    min_duration, max_duration : int, default=5, 20
        Range of event durations, in time steps.
    amplitude : tuple of float, default=(0.8, 1.6)
        Range of event amplitudes.
    offset : float, default=0.25
        Half-width of the range of background levels.
    noise : float, default=0.1
        Standard deviation of the background noise.
    random_state : int, RandomState instance or None, default=None
        Seed; the same seed gives the same data.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        As :func:`make_tser_univariate_threshold`, with 3 channels; the events
        recorded for channel 0 are absent (position -1).

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_tser_multivariate_interaction
    >>> data = make_tser_multivariate_interaction(n_samples=5, random_state=0)
    >>> data.data.shape, data.masks.shape
    ((5, 3, 100), (5, 3, 100))
    """
    X, position, duration, height = _make(
        n_samples, 3, n_timepoints, max_events, min_duration, max_duration,
        amplitude, offset, noise, random_state,
    )
    # Channel 0 is background only: remove its events and lift it above zero.
    t = np.arange(n_timepoints)
    inside = (t >= position[:, 0, :, None]) & (t < (position + duration)[:, 0, :, None])
    X[:, 0] -= (inside * height[:, 0, :, None]).sum(axis=1)
    X[:, 0] += 1.0
    position[:, 0], duration[:, 0], height[:, 0] = -1, 0, 0.0
    gate = X[:, 1] > threshold
    masks = np.zeros(X.shape, dtype=bool)
    masks[:, 0] = gate
    masks[:, 1] = gate
    y = (X[:, 0] * gate).sum(-1) / n_timepoints
    descr = (
        "Multivariate interaction TSER: y = mean_t x0 [x1 > threshold]; "
        "channel 2 is a distractor."
    )
    return _bunch(X, y, masks, position, duration, height, descr)


def load_tser_tsfile(path):
    """Load a time-series extrinsic regression problem from a ``.ts`` file.

    Reads the Monash TSER archive format (``@targetlabel true``) through
    :func:`sktime.datasets.load_from_tsfile`. Nothing is downloaded.

    Parameters
    ----------
    path : str or path-like
        The ``.ts`` file.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timepoints), float32
    y : ndarray of shape (n_samples,), float32

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When the file holds series of unequal length, missing values, or
        missing targets (the rows are named).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn_tsx.datasets import load_tser_tsfile
    >>> text = ("@problemName toy\\n@timestamps false\\n@univariate true\\n"
    ...         "@equalLength true\\n@seriesLength 3\\n@targetLabel true\\n@data\\n"
    ...         "1,2,3:0.5\\n4,5,6:1.5\\n")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "toy.ts"
    >>> _ = path.write_text(text)
    >>> X, y = load_tser_tsfile(path)
    >>> X.shape, y.tolist()
    ((2, 1, 3), [0.5, 1.5])
    """
    from sktime.datasets import load_from_tsfile

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No .ts file at {str(path)!r}.")
    try:
        X, y = load_from_tsfile(str(path), return_data_type="numpy3D", y_dtype="float")
    except Exception as exc:  # sktime raises several types for ragged or bad files
        raise ValueError(
            f"Could not read {str(path)!r} as an equal-length TSER .ts file: {exc}"
        ) from exc
    X = np.asarray(X, dtype=np.float32)
    if not np.isfinite(X).all():
        raise ValueError(
            f"{str(path)!r} holds missing or infinite values; impute them first."
        )
    y = np.asarray(y, dtype=np.float32)
    bad = np.flatnonzero(~np.isfinite(y))
    if bad.size:
        raise ValueError(
            f"{str(path)!r} holds missing or infinite targets in data rows "
            f"{bad.tolist()} (0-based); drop those series first."
        )
    return X, y


def _check_split(split):
    if split not in (None, "train", "test"):
        raise ValueError(f"split must be None, 'train' or 'test'; got {split!r}.")


def _load_sktime(loader, split):
    _check_split(split)
    X, y = loader(split=split, return_X_y=True)
    from sktime.datatypes import convert_to

    X = convert_to(X, to_type="numpy3D")
    return np.asarray(X, dtype=np.float32), np.asarray(y, dtype=np.float32)


def load_covid3month(split=None):
    """The Covid3Month TSER set shipped with sktime (no download).

    201 univariate series of 84 days of confirmed COVID-19 cases per country
    (140 train, 61 test); the target is the death rate on 1 April 2020.

    Parameters
    ----------
    split : {None, "train", "test"}, default=None
        Which part; ``None`` returns both, train first.

    Returns
    -------
    X : ndarray of shape (n_samples, 1, 84), float32
    y : ndarray of shape (n_samples,), float32

    Examples
    --------
    >>> from sklearn_tsx.datasets import load_covid3month
    >>> X, y = load_covid3month(split="train")
    >>> X.shape, y.shape
    ((140, 1, 84), (140,))
    """
    from sktime.datasets import load_covid_3month

    return _load_sktime(load_covid_3month, split)


def load_cardano_sentiment(split=None):
    """The CardanoSentiment TSER set shipped with aeon (no download).

    107 bivariate series of 24 hourly steps of the Cardano cryptocurrency (74
    train, 33 test): channel 0 is the price, channel 1 the traded volume; the
    target is the sentiment score of the day's news. Read from the ``.ts``
    files inside the installed ``aeon`` package.

    Parameters
    ----------
    split : {None, "train", "test"}, default=None
        Which part; ``None`` returns both, train first.

    Returns
    -------
    X : ndarray of shape (n_samples, 2, 24), float32
    y : ndarray of shape (n_samples,), float32

    Raises
    ------
    ImportError
        When aeon is not installed: ``pip install sklearn_tsx[benchmarks]``
        (or ``pip install aeon``) installs it.

    Examples
    --------
    >>> from sklearn_tsx.datasets import load_cardano_sentiment
    >>> X, y = load_cardano_sentiment(split="train")
    >>> X.shape, y.shape
    ((74, 2, 24), (74,))
    """
    _check_split(split)
    try:
        data = importlib.resources.files("aeon") / "datasets" / "data" / "CardanoSentiment"
    except ImportError as exc:
        raise ImportError(
            "load_cardano_sentiment reads the data files shipped with aeon, which is not "
            "installed: pip install sklearn_tsx[benchmarks] (or pip install aeon)."
        ) from exc
    parts = ["train", "test"] if split is None else [split]
    loaded = [
        load_tser_tsfile(data / f"CardanoSentiment_{part.upper()}.ts") for part in parts
    ]
    return (
        np.concatenate([X for X, _ in loaded]),
        np.concatenate([y for _, y in loaded]),
    )


def load_tecator(split=None):
    """The Tecator TSER set shipped with sktime (no download).

    215 near-infrared absorbance spectra of meat samples, 100 channels long
    (read as one channel of 100 points); the target is the fat content.

    Parameters
    ----------
    split : {None, "train", "test"}, default=None
        Which part; ``None`` returns both, train first.

    Returns
    -------
    X : ndarray of shape (n_samples, 1, 100), float32
    y : ndarray of shape (n_samples,), float32

    Examples
    --------
    >>> from sklearn_tsx.datasets import load_tecator
    >>> X, y = load_tecator()
    >>> X.shape
    (215, 1, 100)
    """
    from sktime.datasets import load_tecator as sktime_load_tecator

    return _load_sktime(sktime_load_tecator, split)
