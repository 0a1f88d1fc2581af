"""The synthetic TSER targets of the MAGNETS authors' code, with ground truth.

The authors' code (``magnets/data/synth.py`` of their repository) defines four
targets on a series ``x`` of shape ``(C, T)``, each divided by a constant; the
input draws it reads from disk are not published, so the inputs here are drawn
as written in :func:`make_magnets_synthetic`.
"""

import numbers

import numpy as np
from sklearn.utils import Bunch, check_random_state

__all__ = ["magnets_synthetic_target", "make_magnets_synthetic"]

# task: (number of channels, the authors' divisor)
_TASKS = {
    "univariate": (1, 5.16),
    "bivariate": (2, 2.57),
    "trivariate_1": (3, 8.55),
    "trivariate_2": (3, 48.30),
}


def _check_task(task):
    if task not in _TASKS:
        raise ValueError(f"task must be one of {sorted(_TASKS)}; got {task!r}.")
    return _TASKS[task]


def magnets_synthetic_target(X, task):
    """The MAGNETS authors' synthetic target of each series, and which entries
    enter it.

    With ``x`` one series of shape ``(C, T)`` and ``[.]`` the indicator:

    - ``"univariate"``: ``y = sum_t x0_t [x0_t > 0.5] / 5.16``;
    - ``"bivariate"``: ``y = sum_t x0_t [x1_t > 0.5] / 2.57``;
    - ``"trivariate_1"``: ``y = sum_t x0_t [x1_t > x2_t] / 8.55``;
    - ``"trivariate_2"``: ``y = (sum_t x0_t [x1_t > x2_t] + 5 sum_t x2_t
      [x0_t > x1_t] - 2 sum_t x1_t [x2_t > x0_t]) / 48.30``.

    The ground truth marks the entries whose values are summed; the channels
    that only gate a sum (``x1`` in the bivariate task) are not marked where
    their own values do not enter it.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        The panel; ``n_channels`` is 1, 2 or 3 as the task needs.
    task : {"univariate", "bivariate", "trivariate_1", "trivariate_2"}
        Which target.

    Returns
    -------
    y : ndarray of shape (n_samples,)
        The target, in the dtype of ``X`` (float64 for integer input).
    masks : ndarray of shape (n_samples, n_channels, n_timepoints), bool
        The entries that enter the target.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.datasets import magnets_synthetic_target
    >>> X = np.array([[[0.2, 0.9, 0.6, 0.4]]])
    >>> y, masks = magnets_synthetic_target(X, "univariate")
    >>> round(float(y[0] * 5.16), 6), masks.astype(int).tolist()
    (1.5, [[[0, 1, 1, 0]]])
    """
    n_channels, divisor = _check_task(task)
    X = np.asarray(X)
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    if X.ndim != 3 or X.shape[1] != n_channels:
        raise ValueError(
            f"X must have shape (n_samples, {n_channels}, n_timepoints) for task "
            f"{task!r}; got {X.shape}."
        )
    if not np.isfinite(X).all():
        raise ValueError("X holds NaN or infinite values.")
    masks = np.zeros(X.shape, dtype=bool)
    if task == "univariate":
        masks[:, 0] = X[:, 0] > 0.5
        weights = [1.0]
    elif task == "bivariate":
        masks[:, 0] = X[:, 1] > 0.5
        weights = [1.0, 0.0]
    else:
        masks[:, 0] = X[:, 1] > X[:, 2]
        if task == "trivariate_1":
            weights = [1.0, 0.0, 0.0]
        else:
            masks[:, 2] = X[:, 0] > X[:, 1]
            masks[:, 1] = X[:, 2] > X[:, 0]
            weights = [1.0, -2.0, 5.0]
    w = np.asarray(weights, dtype=X.dtype)[:, None]
    y = (X * masks * w).sum(axis=(1, 2)) / X.dtype.type(divisor)
    return y, masks


def make_magnets_synthetic(
    task="univariate",
    n_samples=1000,
    n_timepoints=100,
    *,
    max_bumps=3,
    width=(2.0, 8.0),
    height=(0.0, 1.0),
    noise=0.0,
    random_state=None,
):
    """The MAGNETS authors' synthetic TSER tasks, on inputs drawn here.

    The targets are the authors' (see :func:`magnets_synthetic_target`); their
    input draws are not published. Here every channel is drawn independently
    as 1 to ``max_bumps`` Gaussian bumps, each with a centre uniform over the
    series (*when*), a standard deviation uniform in ``width`` (*how long*) and
    a peak uniform in ``height`` (*how much*), plus white noise of standard
    deviation ``noise``. With the defaults the targets before the authors'
    divisors have standard deviations 6.5, 2.4, 6.5 and 37 (seed 0, 4000
    series), against divisors 5.16, 2.57, 8.55 and 48.30: the divisors look
    like the authors' target standard deviations, and their ratio 48.30 / 8.55
    = 5.6 is what independent channels give (5.7 here).

    Parameters
    ----------
    task : {"univariate", "bivariate", "trivariate_1", "trivariate_2"}, \
default="univariate"
        Which target; the panel has 1, 2 or 3 channels accordingly.
    n_samples : int, default=1000
        Number of series.
    n_timepoints : int, default=100
        Series length ``T``.
    max_bumps : int, default=3
        Each channel gets between 1 and ``max_bumps`` bumps.
    width : tuple of float, default=(2.0, 8.0)
        Range of the bumps' standard deviations, in time steps.
    height : tuple of float, default=(0.0, 1.0)
        Range of the bumps' peaks.
    noise : float, default=0.0
        Standard deviation of the white noise added to every entry.
    random_state : int, RandomState instance or None, default=None
        Seed; the same seed gives the same data.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (n_samples, C, T) float32; ``target`` (n_samples,) float32;
        ``masks`` (n_samples, C, T) bool, the entries that enter the target;
        ``bump_center``, ``bump_width``, ``bump_height`` of shape (n_samples,
        C, max_bumps), with centre -1, width 0 and height 0 for absent bumps;
        ``DESCR``.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_magnets_synthetic
    >>> data = make_magnets_synthetic("trivariate_2", n_samples=5, random_state=0)
    >>> data.data.shape, data.target.shape, data.masks.shape
    ((5, 3, 100), (5,), (5, 3, 100))
    """
    n_channels, divisor = _check_task(task)
    for name, value in [
        ("n_samples", n_samples),
        ("n_timepoints", n_timepoints),
        ("max_bumps", max_bumps),
    ]:
        if not isinstance(value, numbers.Integral) or value < 1:
            raise ValueError(f"{name} must be an integer >= 1; got {value!r}.")
    if not (len(width) == 2 and 0 < width[0] <= width[1]):
        raise ValueError(f"width must be a pair 0 < low <= high; got {width!r}.")
    if not (len(height) == 2 and height[0] <= height[1]):
        raise ValueError(f"height must be a pair low <= high; got {height!r}.")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0; got {noise!r}.")
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))
    shape = (n_samples, n_channels, max_bumps)
    present = np.arange(max_bumps) < rng.integers(1, max_bumps + 1, size=shape[:2])[..., None]
    center = rng.uniform(0, n_timepoints, size=shape)
    sigma = rng.uniform(*width, size=shape)
    peak = np.where(present, rng.uniform(*height, size=shape), 0.0)
    t = np.arange(n_timepoints)
    bumps = np.exp(-0.5 * ((t - center[..., None]) / sigma[..., None]) ** 2)
    X = (peak[..., None] * bumps).sum(axis=2)
    X = (X + noise * rng.normal(size=X.shape)).astype(np.float32)
    center = np.where(present, center, -1.0)
    sigma = np.where(present, sigma, 0.0)
    y, masks = magnets_synthetic_target(X, task)
    return Bunch(
        data=X,
        target=y,
        masks=masks,
        bump_center=center,
        bump_width=sigma,
        bump_height=peak,
        DESCR=(
            f"MAGNETS authors' synthetic TSER task {task!r} (target divided by "
            f"{divisor}) on Gaussian-bump inputs drawn by sklearn_tsx."
        ),
    )
