"""The white-box regression experiments of Dynamask and ContraLSP.

Inputs are ARMA series; a white-box regressor reads a known, sparse salient set
of (feature, time) entries, so every attribution can be scored against the truth.
"""

import numbers

import numpy as np
import torch
from scipy.signal import lfilter
from sklearn.utils import Bunch, check_random_state

__all__ = ["WhiteBoxRegressor", "make_arma", "make_rare_feature", "make_rare_time"]

# AR polynomial of the reference code: x_t + 0.25 x_{t-1} + 0.1 x_{t-2} + 0.05 x_{t-3} = eps_t
_AR_POLYNOMIAL = (1.0, 0.25, 0.1, 0.05)


class WhiteBoxRegressor(torch.nn.Module):
    """Per-time-step regressor that reads only a known salient set.

    At every time step ``t`` the output is ``sum_c s[c, t] * x[c, t] ** 2`` (sum of
    squares) or ``(sum_c s[c, t] * x[c, t]) ** 2`` (square of the sum), where ``s``
    is the boolean salient set; times without salient entries give 0.

    Parameters
    ----------
    salient : array-like of bool
        Salient set(s), of shape ``(n_channels, n_timepoints)`` or
        ``(n_sets, n_channels, n_timepoints)``. One set applies to every
        series of a batch; ``n_sets`` sets apply row by row, so a batch must
        then hold exactly ``n_sets`` series (use :meth:`select` to get the
        white box of some samples).
    square_of_sum : bool or array-like of bool of shape (n_sets,), default=False
        Output ``(sum x) ** 2`` instead of ``sum x ** 2``, for all sets or per set.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.datasets import WhiteBoxRegressor
    >>> salient = np.zeros((2, 3), dtype=bool)
    >>> salient[0, 1] = True
    >>> model = WhiteBoxRegressor(salient)
    >>> model(torch.full((1, 2, 3), 2.0)).squeeze(-1)
    tensor([[0., 4., 0.]])
    """

    def __init__(self, salient, square_of_sum=False):
        super().__init__()
        salient = np.asarray(salient)
        if salient.ndim not in (2, 3) or salient.size == 0:
            raise ValueError(
                "salient must be a non-empty boolean array of shape (n_channels, "
                f"n_timepoints) or (n_sets, n_channels, n_timepoints); got shape "
                f"{salient.shape}."
            )
        if salient.dtype != bool and not np.isin(salient, (0, 1)).all():
            raise ValueError("salient must hold booleans (or 0/1 values).")
        salient = salient.astype(bool)
        if salient.ndim == 2:
            salient = salient[np.newaxis]
        square_of_sum = np.broadcast_to(np.asarray(square_of_sum, dtype=bool), (len(salient),))
        self.register_buffer("salient", torch.as_tensor(salient, dtype=torch.float32))
        self.register_buffer("square_of_sum", torch.as_tensor(square_of_sum.copy()))

    def select(self, indices):
        """The white box of some samples.

        Parameters
        ----------
        indices : int or array-like of int
            Samples whose salient sets are kept; a single index gives a white
            box that applies to any batch.

        Returns
        -------
        model : WhiteBoxRegressor
        """
        indices = np.atleast_1d(np.asarray(indices))
        salient = self.salient.cpu().numpy().astype(bool)[indices]
        return WhiteBoxRegressor(salient, self.square_of_sum.cpu().numpy()[indices])

    def forward(self, x):
        """Output at every time step.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, n_channels, n_timepoints)
            With ``n_sets`` salient sets, ``batch`` must equal ``n_sets``.

        Returns
        -------
        out : torch.Tensor of shape (batch, n_timepoints, 1)
        """
        n_sets = self.salient.shape[0]
        if x.ndim != 3 or x.shape[1:] != self.salient.shape[1:]:
            raise ValueError(
                f"WhiteBoxRegressor expects input of shape (batch, {self.salient.shape[1]}, "
                f"{self.salient.shape[2]}); got {tuple(x.shape)}."
            )
        if n_sets != 1 and x.shape[0] != n_sets:
            raise ValueError(
                f"This white box holds one salient set per sample ({n_sets} sets), so a "
                f"batch must hold exactly {n_sets} series; got {x.shape[0]}. Use "
                "model.select(i) for the white box of sample i."
            )
        masked = x * self.salient.to(x.dtype)  # a float product is far faster
        sum_of_squares = (masked * x).sum(dim=1)
        square_of_sum = masked.sum(dim=1) ** 2
        out = torch.where(self.square_of_sum[:, None], square_of_sum, sum_of_squares)
        return out.unsqueeze(-1)


def _check_int(value, name, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")


def make_arma(n_samples, n_features, n_timepoints, *, random_state=None):
    """Draw the ARMA series of the white-box experiments.

    Every (sample, feature) series follows
    ``x_t = eps_t - 0.25 x_{t-1} - 0.1 x_{t-2} - 0.05 x_{t-3}`` with
    ``eps_t ~ N(0, 1)``, a zero initial state and no burn-in, as the reference
    code generates it (through ``statsmodels``' sign convention for the AR
    polynomial; the Dynamask paper writes the coefficients with a plus sign).

    Parameters
    ----------
    n_samples, n_features, n_timepoints : int
        Shape of the panel.
    random_state : int, RandomState instance or None, default=None
        Seed of the innovations.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features, n_timepoints), dtype float32

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_arma
    >>> make_arma(2, 3, 10, random_state=0).shape
    (2, 3, 10)
    """
    _check_int(n_samples, "n_samples", 1)
    _check_int(n_features, "n_features", 1)
    _check_int(n_timepoints, "n_timepoints", 1)
    rng = check_random_state(random_state)
    eps = rng.standard_normal((n_samples, n_features, n_timepoints))
    return lfilter([1.0], _AR_POLYNOMIAL, eps, axis=-1).astype(np.float32)


def _band(length, start_fraction, stop_fraction):
    """Indices ``[start_fraction * length, stop_fraction * length)``, e.g. 12..36 of 50."""
    return np.arange(int(start_fraction * length), int(stop_fraction * length))


def _check_common(n_samples, n_features, n_timepoints, diff_groups):
    _check_int(n_samples, "n_samples", 2 if diff_groups else 1)
    _check_int(n_features, "n_features", 10)
    _check_int(n_timepoints, "n_timepoints", 10)


def _groups(n_samples, diff_groups):
    groups = np.zeros(n_samples, dtype=np.int64)
    if diff_groups:
        groups[n_samples // 2 :] = 1
    return groups


def _draw_per_group(rng, groups, shared, draw):
    """One draw per sample, or one per group shared by its samples."""
    if shared:
        per_group = {g: draw(rng, g) for g in np.unique(groups)}
        return [per_group[g] for g in groups]
    return [draw(rng, g) for g in groups]


def _finish(X, saliency, groups, diff_groups):
    # Diff-groups, as in ContraLSP's code: group 0 outputs (sum x)^2, group 1 sum x^2.
    square_of_sum = (groups == 0) & diff_groups
    model = WhiteBoxRegressor(saliency, square_of_sum)
    with torch.no_grad():
        target = model(torch.from_numpy(X))[..., 0].numpy()
    return Bunch(data=X, target=target, saliency=saliency, groups=groups, model=model)


_RETURNS_DOC = """
    Returns
    -------
    data : Bunch
        With attributes

        data : ndarray of shape (n_samples, n_features, n_timepoints), float32
            The ARMA inputs (see :func:`make_arma`).
        target : ndarray of shape (n_samples, n_timepoints), float32
            The white box's output on ``data``.
        saliency : ndarray of shape (n_samples, n_features, n_timepoints), bool
            The true salient set of each sample.
        groups : ndarray of shape (n_samples,), int
            Group of each sample (all 0 without ``diff_groups``).
        model : WhiteBoxRegressor
            The white box, holding one salient set per sample: call it on the
            whole panel, or take ``model.select(i)`` to explain sample ``i``.
"""


def make_rare_feature(
    n_samples=10,
    *,
    n_features=50,
    n_timepoints=50,
    shared_salient_set=False,
    diff_groups=False,
    random_state=None,
):
    """Make the rare-feature white-box experiment (Dynamask Table 1).

    Each sample has ``n_features // 10`` salient features (5 of 50), drawn
    without replacement, salient at the times ``[T/4, 3T/4)`` (12..36 for
    T = 50). The white box outputs, at each time, the sum of the squares of the
    salient entries (0 elsewhere).

    ContraLSP's *Rare-Observation* experiment is this one with
    ``shared_salient_set=True`` and 100 samples; with ``diff_groups=True`` the
    first ``n_samples // 2`` samples are salient at times ``[0, T/2)`` (0..24)
    and output the square of the sum, the others at ``[T/4, 3T/4)`` with the sum
    of squares, each group drawing its own salient features. (ContraLSP's
    equation assigns the two outputs the other way round; we follow its code.)

    Parameters
    ----------
    n_samples : int, default=10
        Number of series.
    n_features : int, default=50
        Number of features (at least 10).
    n_timepoints : int, default=50
        Length of the series (at least 10).
    shared_salient_set : bool, default=False
        Draw one salient set shared by all samples (of a group), as ContraLSP
        does, instead of one per sample, as Dynamask does.
    diff_groups : bool, default=False
        Split the samples into ContraLSP's two groups.
    random_state : int, RandomState instance or None, default=None
        Seed of the inputs and of the salient sets.
    {returns}
    Examples
    --------
    >>> from sklearn_tsx.datasets import make_rare_feature
    >>> data = make_rare_feature(n_samples=4, random_state=0)
    >>> data.data.shape, int(data.saliency[0].sum())
    ((4, 50, 50), 125)
    """
    _check_common(n_samples, n_features, n_timepoints, diff_groups)
    rng = check_random_state(random_state)
    X = make_arma(n_samples, n_features, n_timepoints, random_state=rng)
    groups = _groups(n_samples, diff_groups)
    bands = (
        (_band(n_timepoints, 0, 0.5), _band(n_timepoints, 0.25, 0.75))
        if diff_groups else (_band(n_timepoints, 0.25, 0.75),)
    )
    n_salient = n_features // 10

    def draw(rng, group):
        return rng.choice(n_features, size=n_salient, replace=False)

    features = np.stack(_draw_per_group(rng, groups, shared_salient_set, draw))
    feature_hit = np.zeros((n_samples, n_features), dtype=bool)
    np.put_along_axis(feature_hit, features, True, axis=1)
    time_hit = np.zeros((n_samples, n_timepoints), dtype=bool)
    for group, band in enumerate(bands):
        time_hit[np.ix_(groups == group, band)] = True
    saliency = feature_hit[:, :, None] & time_hit[:, None, :]
    return _finish(X, saliency, groups, diff_groups)


def make_rare_time(
    n_samples=10,
    *,
    n_features=50,
    n_timepoints=50,
    shared_salient_set=False,
    diff_groups=False,
    random_state=None,
):
    """Make the rare-time white-box experiment (Dynamask Table 2, ContraLSP Table 1).

    Each sample has ``n_timepoints // 10`` consecutive salient times (5 of 50)
    starting at a random time in ``0 .. T - 6`` (0..44 for T = 50, as the
    reference code draws it; the paper writes 1..46 one-based), on the features
    ``[d/4, 3d/4)`` (12..36 for d = 50). The white box outputs, at each time,
    the sum of the squares of the salient entries (0 elsewhere).

    With ``diff_groups=True`` (ContraLSP) the first ``n_samples // 2`` samples
    are salient on the features ``[0, d/2)`` (0..24) and output the square of
    the sum, the others on ``[d/4, 3d/4)`` with the sum of squares, each group
    drawing its own salient times.

    Parameters
    ----------
    n_samples : int, default=10
        Number of series.
    n_features : int, default=50
        Number of features (at least 10).
    n_timepoints : int, default=50
        Length of the series (at least 10).
    shared_salient_set : bool, default=False
        Draw one salient set shared by all samples (of a group), as ContraLSP
        does, instead of one per sample, as Dynamask does.
    diff_groups : bool, default=False
        Split the samples into ContraLSP's two groups.
    random_state : int, RandomState instance or None, default=None
        Seed of the inputs and of the salient sets.
    {returns}
    Examples
    --------
    >>> from sklearn_tsx.datasets import make_rare_time
    >>> data = make_rare_time(n_samples=4, random_state=0)
    >>> data.saliency.shape, int(data.saliency[0].sum())
    ((4, 50, 50), 125)
    """
    _check_common(n_samples, n_features, n_timepoints, diff_groups)
    rng = check_random_state(random_state)
    X = make_arma(n_samples, n_features, n_timepoints, random_state=rng)
    groups = _groups(n_samples, diff_groups)
    bands = (
        (_band(n_features, 0, 0.5), _band(n_features, 0.25, 0.75))
        if diff_groups else (_band(n_features, 0.25, 0.75),)
    )
    width = n_timepoints // 10

    def draw(rng, group):
        return rng.randint(0, n_timepoints - width)

    starts = np.asarray(_draw_per_group(rng, groups, shared_salient_set, draw))
    steps = np.arange(n_timepoints)
    time_hit = (steps >= starts[:, None]) & (steps < starts[:, None] + width)
    feature_hit = np.zeros((n_samples, n_features), dtype=bool)
    for group, band in enumerate(bands):
        feature_hit[np.ix_(groups == group, band)] = True
    saliency = feature_hit[:, :, None] & time_hit[:, None, :]
    return _finish(X, saliency, groups, diff_groups)


make_rare_feature.__doc__ = make_rare_feature.__doc__.format(returns=_RETURNS_DOC)
make_rare_time.__doc__ = make_rare_time.__doc__.format(returns=_RETURNS_DOC)
