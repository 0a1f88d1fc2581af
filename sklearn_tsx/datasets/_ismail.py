"""The synthetic benchmark of Ismail et al. (2020): a box of signal over a
background process, with the box's cells as ground-truth saliency."""

import numbers

import numpy as np
from scipy.signal import lfilter
from sklearn.utils import Bunch, check_random_state

__all__ = ["make_ismail_background", "make_ismail_dataset", "ISMAIL_GEOMETRIES",
           "ISMAIL_PROCESSES"]

# (time size, feature size, time start, feature start) at T = C = 50, as in the
# authors' createDatasets.py; a start of None is drawn per sample. The moving
# small box is 15 x 15 there (14 x 14 when fixed), kept as is.
_GEOMETRIES = {
    "middle": (30, 30, 10, 10),
    "small_middle": (14, 14, 18, 18),
    "moving_middle": (30, 30, None, None),
    "moving_small_middle": (15, 15, None, None),
    "rare_time": (6, 40, 22, 5),
    "moving_rare_time": (6, 40, None, None),
    "rare_feature": (40, 6, 5, 22),
    "moving_rare_feature": (40, 6, None, None),
    "positional_time": (20, 20, None, "label"),
    "positional_feature": (20, 20, "label", None),
}
# Start of the positional axis for label 1 and label 0, at 50 points.
_POSITIONAL_STARTS = (1, 29)
_REFERENCE_SIZE = 50

ISMAIL_GEOMETRIES = tuple(_GEOMETRIES)
ISMAIL_PROCESSES = ("gaussian", "harmonic", "gaussian_process", "pseudo_periodic",
                    "autoregressive", "continuous_autoregressive", "narma")

# Settings of the reference generator (timesynth, as called by the authors).
_STOP_TIME = 20.0
_FREQUENCY = 2.0
_AR_PARAM = 0.9
_AR_SIGMA = 0.5
_CAR_SIGMA = 0.01
_CAR_START = 0.01
_PSEUDO_AMP_SD = 0.5
_PSEUDO_FREQ_SD = 0.01
_NARMA_ORDER = 10
_NARMA_COEFS = (0.3, 0.05, 1.5, 0.1)


def _check_int(value, name, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def _check_choice(value, name, choices):
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {value!r}.")


def _generator(random_state):
    """A numpy ``Generator`` seeded from sklearn's ``random_state`` convention."""
    seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.default_rng(seed)


def _sample_times(rng, n_samples, n_timepoints, sampling):
    """Observation times on [0, 20], one row per sample.

    Irregular sampling keeps half of ``2 T`` evenly spaced points, at random, and
    jitters them by a normal draw with the grid's step as standard deviation,
    as timesynth's ``sample_irregular_time(keep_percentage=50)`` does.
    """
    if sampling == "regular":
        return np.broadcast_to(np.linspace(0.0, _STOP_TIME, n_timepoints),
                               (n_samples, n_timepoints))
    n_grid = 2 * n_timepoints
    grid = np.linspace(0.0, _STOP_TIME, n_grid)
    kept = np.sort(rng.random((n_samples, n_grid)).argsort(axis=1)[:, :n_timepoints], axis=1)
    jitter = rng.normal(0.0, _STOP_TIME / n_grid, size=(n_samples, n_timepoints))
    return np.sort(grid[kept] + jitter, axis=1)


def _matern32(rng, times, n_channels):
    """Gaussian-process draws with a Matern 3/2 kernel (unit length and variance)."""
    dist = np.sqrt(3.0) * np.abs(times[:, :, None] - times[:, None, :])
    cov = (1.0 + dist) * np.exp(-dist)
    cov += 1e-6 * np.eye(times.shape[1])
    chol = np.linalg.cholesky(cov)
    z = rng.standard_normal((times.shape[0], times.shape[1], n_channels))
    return np.swapaxes(chol @ z, 1, 2)


def _car(rng, times, n_channels):
    """Continuous AR(1): x_k = a^dt x_{k-1} + sigma sqrt(1 - a^dt) eps, x_0 = 0.01."""
    n_samples, n_timepoints = times.shape
    decay = _AR_PARAM ** np.diff(times, axis=1)[:, None, :]
    scale = _CAR_SIGMA * np.sqrt(1.0 - decay)
    eps = rng.standard_normal((n_samples, n_channels, n_timepoints - 1))
    x = np.empty((n_samples, n_channels, n_timepoints))
    x[..., 0] = _CAR_START
    for k in range(1, n_timepoints):
        x[..., k] = decay[..., k - 1] * x[..., k - 1] + scale[..., k - 1] * eps[..., k - 1]
    return x


def _narma(rng, n_samples, n_channels, n_timepoints):
    """NARMA: y(k+1) = a0 y(k) + a1 y(k) sum_{i<n} y(k-i) + a2 u(k-n+1) u(k) + a3."""
    n = _NARMA_ORDER
    a0, a1, a2, a3 = _NARMA_COEFS
    u = rng.uniform(0.0, 0.5, size=(n_samples, n_channels, n_timepoints + n))
    y = np.zeros((n_samples, n_channels, n_timepoints + n))
    for k in range(n, n_timepoints + n):
        prev = y[..., k - 1]
        window = y[..., k - n:k].sum(axis=-1)
        y[..., k] = a0 * prev + a1 * prev * window + a2 * u[..., k - n] * u[..., k - 1] + a3
    return y[..., n:]


def _background(rng, process, n_samples, n_channels, n_timepoints, noise, sampling):
    shape = (n_samples, n_channels, n_timepoints)
    if process == "gaussian":
        return rng.standard_normal(shape)
    times = _sample_times(rng, n_samples, n_timepoints, sampling)
    if process == "harmonic":
        x = np.broadcast_to(np.sin(2.0 * np.pi * _FREQUENCY * times)[:, None, :], shape)
    elif process == "pseudo_periodic":
        amplitude = rng.normal(1.0, _PSEUDO_AMP_SD, size=shape)
        frequency = rng.normal(_FREQUENCY, _PSEUDO_FREQ_SD, size=shape)
        x = amplitude * np.sin(frequency * times[:, None, :])
    elif process == "gaussian_process":
        x = _matern32(rng, times, n_channels)
    elif process == "autoregressive":
        eps = rng.normal(0.0, _AR_SIGMA, size=shape)
        x = lfilter([1.0], [1.0, -_AR_PARAM], eps, axis=-1)
    elif process == "continuous_autoregressive":
        x = _car(rng, times, n_channels)
    else:
        x = _narma(rng, n_samples, n_channels, n_timepoints)
    return x + rng.normal(0.0, noise, size=shape)


def _check_common(process, n_samples, n_timepoints, n_channels, noise, sampling):
    _check_choice(process, "process", ISMAIL_PROCESSES)
    _check_choice(sampling, "sampling", ("irregular", "regular"))
    n_samples = _check_int(n_samples, "n_samples", 1)
    n_timepoints = _check_int(n_timepoints, "n_timepoints", 2)
    n_channels = _check_int(n_channels, "n_channels", 1)
    if not isinstance(noise, numbers.Real) or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0; got {noise!r}.")
    return n_samples, n_timepoints, n_channels


def make_ismail_background(n_samples=100, *, process="gaussian", n_timepoints=50,
                           n_channels=50, noise=0.3, sampling="irregular",
                           random_state=None):
    """Draw the background process of the Ismail et al. benchmark, without signal.

    The same generator as :func:`make_ismail_dataset` with no box added: the
    "original distribution" that replaces salient entries in the accuracy-drop
    curve (:func:`sklearn_tsx.metrics.weighted_accuracy_drop_curve`).

    Parameters
    ----------
    n_samples : int, default=100
        Number of series.
    process : str, default="gaussian"
        One of ``ISMAIL_PROCESSES``; see :func:`make_ismail_dataset`.
    n_timepoints : int, default=50
        Length ``T`` of each series.
    n_channels : int, default=50
        Number of channels (the paper's features) ``C``.
    noise : float, default=0.3
        Standard deviation of the Gaussian noise added to every process but
        ``"gaussian"``.
    sampling : {"irregular", "regular"}, default="irregular"
        Observation times of the continuous-time processes.
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timepoints), dtype float32
        The series.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_ismail_background
    >>> make_ismail_background(3, process="autoregressive", random_state=0).shape
    (3, 50, 50)
    """
    n_samples, n_timepoints, n_channels = _check_common(
        process, n_samples, n_timepoints, n_channels, noise, sampling)
    X = _background(_generator(random_state), process, n_samples, n_channels,
                    n_timepoints, noise, sampling)
    return X.astype(np.float32)


def _scale(value, size):
    return max(1, int(round(value * size / _REFERENCE_SIZE)))


def _box_positions(rng, geometry, y, n_timepoints, n_channels):
    """Box sizes ``(T_box, C_box)`` and per-sample starts, scaled from 50 x 50."""
    t_size, c_size, t_start, c_start = _GEOMETRIES[geometry]
    t_size, c_size = _scale(t_size, n_timepoints), _scale(c_size, n_channels)
    starts = []
    for start, size, length in ((t_start, t_size, n_timepoints),
                                (c_start, c_size, n_channels)):
        if start is None:
            starts.append(rng.integers(0, length - size + 1, size=y.shape[0]))
        elif start == "label":
            first, second = (min(_scale(s, length), length - size) for s in _POSITIONAL_STARTS)
            starts.append(np.where(y == 1, first, second))
        else:
            starts.append(np.full(y.shape[0], min(_scale(start, length), length - size)))
    return (t_size, c_size), np.stack(starts, axis=1)


def make_ismail_dataset(n_samples=1000, *, geometry="middle", process="gaussian",
                        n_timepoints=50, n_channels=50, signal=1.0, noise=0.3,
                        sampling="irregular", as_bunch=False, random_state=None):
    """Make a dataset of the Ismail et al. (2020) saliency benchmark.

    Every channel of every series is an independent draw of a background
    ``process``; a box of cells (a range of time points times a range of
    channels) then carries the class signal, and the box's cells are the
    ground-truth saliency. Labels are 0 or 1 with equal probability.

    For the box geometries but the positional ones, the label sets the sign of
    the signal: ``+signal`` is added inside the box for label 1, ``-signal`` for
    label 0. For ``"positional_*"`` the box always adds ``+signal`` and the label
    sets its position.

    ====================== ============ =============== ==========================
    geometry               box (T x C)  start (t, c)    note
    ====================== ============ =============== ==========================
    middle                 30 x 30      (10, 10)
    small_middle           14 x 14      (18, 18)
    rare_time              6 x 40       (22, 5)         few informative time points
    rare_feature           40 x 6       (5, 22)         few informative channels
    moving_*               as above     random          15 x 15 for the small box
    positional_time        20 x 20      (random, 1|29)  channel start 1 (label 1)
                                                        or 29 (label 0)
    positional_feature     20 x 20      (1|29, random)  time start 1 (label 1)
                                                        or 29 (label 0)
    ====================== ============ =============== ==========================

    Sizes and starts are those of the authors' code at ``T = C = 50`` and scale
    in proportion for other sizes. Random starts are uniform over all positions
    where the box fits. The positional names follow the authors' code.

    Background processes, each per channel and series (``noise`` is added to
    all but ``"gaussian"``; the continuous-time ones are observed at ``T`` times
    on [0, 20], irregular by default):

    - ``"gaussian"``: standard normal white noise.
    - ``"harmonic"``: ``sin(2 pi f t)``, ``f = 2``.
    - ``"gaussian_process"``: Matern 3/2 kernel, length scale 1, variance 1.
    - ``"pseudo_periodic"``: ``A sin(w t)`` with ``A ~ N(1, 0.5)`` and
      ``w ~ N(2, 0.01)`` drawn at every time point.
    - ``"autoregressive"``: ``x_t = 0.9 x_{t-1} + e_t``, ``e_t ~ N(0, 0.5^2)``,
      ``x_{-1} = 0``, one step per time point.
    - ``"continuous_autoregressive"``: ``x_k = 0.9^dt x_{k-1} +
      0.01 sqrt(1 - 0.9^dt) e_k``, ``x_0 = 0.01``, ``dt`` the gap between times.
    - ``"narma"``: NARMA of order 10, ``y(k+1) = 0.3 y(k) + 0.05 y(k)
      sum_{i=0}^{9} y(k-i) + 1.5 u(k-9) u(k) + 0.1``, ``u ~ U(0, 0.5)``, zero
      initial state. The reference generator (timesynth) seeds every NARMA
      series with the same fixed seed, so all its NARMA channels and series
      share one input sequence, and sums an empty window after ``2n`` steps;
      here every series has its own input and the full window.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of series.
    geometry : str, default="middle"
        Box geometry, one of ``ISMAIL_GEOMETRIES`` (see the table).
    process : str, default="gaussian"
        Background process, one of ``ISMAIL_PROCESSES``.
    n_timepoints : int, default=50
        Length ``T`` of each series.
    n_channels : int, default=50
        Number of channels (the paper's features) ``C``.
    signal : float, default=1.0
        The constant ``mu`` added (or subtracted) inside the box.
    noise : float, default=0.3
        Standard deviation of the observation noise.
    sampling : {"irregular", "regular"}, default="irregular"
        Observation times of the continuous-time processes.
    as_bunch : bool, default=False
        Return a :class:`~sklearn.utils.Bunch` with the box positions as well.
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    X : ndarray of shape (n_samples, n_channels, n_timepoints), dtype float32
        The series.
    y : ndarray of shape (n_samples,), dtype int64
        The labels, 0 or 1.
    true_saliency : ndarray of shape (n_samples, n_channels, n_timepoints), dtype bool
        True on the box's cells.
    bunch : :class:`~sklearn.utils.Bunch`
        Only when ``as_bunch=True``, instead of the tuple: ``data``, ``target``,
        ``true_saliency``, ``box_start`` (``(n_samples, 2)``: time, channel),
        ``box_size`` (time, channel), ``geometry`` and ``process``.

    References
    ----------
    .. [1] A. A. Ismail, M. Gunady, H. Corrada Bravo, S. Feizi, "Benchmarking
       Deep Learning Interpretability in Time Series Predictions", NeurIPS 2020.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_ismail_dataset
    >>> X, y, truth = make_ismail_dataset(10, geometry="rare_time", random_state=0)
    >>> X.shape, truth[0].sum(axis=0).nonzero()[0]
    ((10, 50, 50), array([22, 23, 24, 25, 26, 27]))
    """
    _check_choice(geometry, "geometry", ISMAIL_GEOMETRIES)
    n_samples, n_timepoints, n_channels = _check_common(
        process, n_samples, n_timepoints, n_channels, noise, sampling)
    if not isinstance(signal, numbers.Real) or not np.isfinite(signal):
        raise ValueError(f"signal must be a finite number; got {signal!r}.")
    gen = _generator(random_state)

    y = gen.integers(0, 2, size=n_samples)
    (t_size, c_size), starts = _box_positions(gen, geometry, y, n_timepoints, n_channels)
    t_in = (np.arange(n_timepoints) >= starts[:, :1]) & (
        np.arange(n_timepoints) < starts[:, :1] + t_size)
    c_in = (np.arange(n_channels) >= starts[:, 1:]) & (
        np.arange(n_channels) < starts[:, 1:] + c_size)
    truth = c_in[:, :, None] & t_in[:, None, :]

    X = _background(gen, process, n_samples, n_channels, n_timepoints, noise, sampling)
    sign = np.ones(n_samples) if geometry.startswith("positional") else 2.0 * y - 1.0
    X = (X + signal * sign[:, None, None] * truth).astype(np.float32)
    if as_bunch:
        return Bunch(data=X, target=y, true_saliency=truth, box_start=starts,
                     box_size=(t_size, c_size), geometry=geometry, process=process)
    return X, y, truth
