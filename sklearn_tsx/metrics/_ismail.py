"""Saliency-weighted precision, recall and accuracy drop of Ismail et al. (2020).

At each level p of saliency mass the selected set is the smallest top-ranked set
of cells holding p % of the sample's total saliency; true positives, false
positives and false negatives are weighted by the saliency of their cells.
"""

import warnings

import numpy as np

from ..utils.validation import check_time_series
from ._docstrings import fill_doc

__all__ = [
    "weighted_accuracy_drop_auc",
    "weighted_accuracy_drop_curve",
    "weighted_aup",
    "weighted_aupr",
    "weighted_aur",
    "weighted_mass_mask",
    "weighted_precision_recall_areas",
    "weighted_precision_recall_curve",
]

_DEFAULT_PERCENTAGES = np.arange(10, 100, 10)
_LEVELS = ("overall", "time", "feature")


def _check_percentages(percentages, default=_DEFAULT_PERCENTAGES):
    p = default if percentages is None else np.asarray(percentages, dtype=float)
    if p.ndim != 1 or p.size < 2:
        raise ValueError(
            f"percentages must be a 1-D sequence of at least two values; got {percentages!r}.")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 100):
        raise ValueError(f"percentages must lie in [0, 100]; got {p.tolist()}.")
    if np.any(np.diff(p) <= 0):
        raise ValueError(f"percentages must be strictly increasing; got {p.tolist()}.")
    return p


def _check_saliency(saliency, normalize, input_name="saliency"):
    S = check_time_series(saliency, input_name=input_name, dtype=np.float64)
    if normalize:
        S = np.abs(S)
        flat = S.reshape(S.shape[0], -1)
        low = flat.min(axis=1, keepdims=True)
        span = flat.max(axis=1, keepdims=True) - low
        flat = np.divide(flat - low, span, out=np.zeros_like(flat), where=span > 0)
        S = flat.reshape(S.shape)
    elif np.any(S < 0):
        raise ValueError(
            f"{input_name} has negative values; pass normalize=True to rank by "
            "absolute value, or give non-negative saliency.")
    return S


def _check_pair(true_saliency, saliency, normalize):
    S = _check_saliency(saliency, normalize)
    truth = np.asarray(true_saliency)
    if truth.ndim == 2:
        truth = truth[:, np.newaxis, :]
    if truth.shape != S.shape:
        raise ValueError(
            f"true_saliency has shape {np.shape(true_saliency)} but saliency has shape "
            f"{np.shape(saliency)}; they must match (n_samples, n_channels, n_timepoints).")
    if truth.dtype != bool:
        if not np.all(np.isin(truth, (0, 1))):
            raise ValueError("true_saliency must be boolean (or hold only 0 and 1).")
        truth = truth.astype(bool)
    return truth, S


def _mass_mask(S, percentages):
    """Selected cells, shape ``(n_percentages,) + S.shape``."""
    n = S.shape[0]
    flat = S.reshape(n, -1)
    order = np.argsort(-flat, axis=1, kind="stable")
    cumulative = np.cumsum(np.take_along_axis(flat, order, axis=1), axis=1)
    total = cumulative[:, -1:]
    fractions = percentages[:, None, None] / 100.0
    # Cells ranked before the first whose cumulative mass reaches p % (a relative
    # tolerance keeps a set that hits p % exactly from taking one cell more).
    short = cumulative[None] < (fractions - 1e-9) * total[None]
    k = short.sum(axis=2) + 1
    k = np.where(total.T > 0, k, 0)
    k = np.where(percentages[:, None] <= 0, 0, k)
    k = np.where(percentages[:, None] >= 100, flat.shape[1], k)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(flat.shape[1])[None], axis=1)
    return (ranks[None] < k[:, :, None]).reshape((len(percentages),) + S.shape)


def weighted_mass_mask(saliency, percentages=None, *, normalize=True):
    """Select, per sample, the smallest top-ranked set holding p % of the saliency.

    Cells are ranked by saliency (ties by position); the set for level ``p`` is
    the shortest prefix of that ranking whose saliency sum reaches ``p`` % of
    the sample's total. ``p = 0`` selects nothing and ``p = 100`` every cell;
    a sample whose saliency is all zero selects nothing below 100 %.

    Parameters
    ----------
    saliency : array-like of shape (n_samples, n_channels, n_timepoints)
        Attributions.
    percentages : array-like of shape (n_levels,), default=None
        Mass levels in percent, increasing; ``10, 20, ..., 90`` when None.
    normalize : bool, default=True
        Rank the absolute values after a per-sample min-max rescaling, as the
        authors' code does. When False the saliency must be non-negative.

    Returns
    -------
    mask : ndarray of shape (n_levels, n_samples, n_channels, n_timepoints), dtype bool
        The selected cells at each level.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import weighted_mass_mask
    >>> S = np.array([[[4.0, 3.0, 2.0, 1.0]]])
    >>> weighted_mass_mask(S, [40, 70, 100], normalize=False)[:, 0, 0].astype(int)
    array([[1, 0, 0, 0],
           [1, 1, 0, 0],
           [1, 1, 1, 1]])
    """
    p = _check_percentages(percentages)
    return _mass_mask(_check_saliency(saliency, normalize), p)


def _top_k_mean(S, k, axis):
    """Mean of the ``k[i]`` largest values of each sample's slices along ``axis``."""
    cumulative = np.cumsum(-np.sort(-S, axis=axis), axis=axis)
    index = np.expand_dims(k - 1, axis=(1, 2))
    return np.squeeze(np.take_along_axis(cumulative, index, axis=axis), axis=axis) / k[:, None]


def _level_scores(truth, S, masks, level):
    """Per-unit weights, truth and selections for the chosen level."""
    if level == "overall":
        n = S.shape[0]
        return (S.reshape(n, -1), truth.reshape(n, -1),
                masks.reshape(masks.shape[0], n, -1))
    # Time level: score each time point by the mean of its top-k channels, where
    # k is the number of truly salient channels at a salient time point (the
    # authors use the box's time length there, the same for square boxes).
    axis = 1 if level == "time" else 2
    k = np.maximum(truth.sum(axis=axis).max(axis=1), 1)
    scores = _top_k_mean(S, k, axis)
    return scores, truth.any(axis=axis), masks.any(axis=axis + 1)


def _nanmean(values):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(values, axis=1)


def weighted_precision_recall_curve(true_saliency, saliency, *, level="overall",
                                    percentages=None, normalize=True):
    """Saliency-weighted precision and recall at levels of saliency mass.

    At each level ``p`` the cells of :func:`weighted_mass_mask` are selected;
    with ``s`` the (rescaled) saliency, ``TP = sum s`` over selected true cells,
    ``FP = sum s`` over selected other cells and ``FN = sum s`` over true cells
    left out. Per sample ``P = TP / (TP + FP)`` and ``R = TP / (TP + FN)``;
    both are averaged over the samples where they are defined.

    With ``level="time"`` (``"feature"``) the units are time points (channels):
    a unit is truly salient if any of its cells is, selected if any of its cells
    is, and weighted by the mean of its ``k`` largest saliencies, ``k`` being
    the number of truly salient cells in a salient unit.

    Parameters
    ----------
    true_saliency : array-like of bool, shape (n_samples, n_channels, n_timepoints)
        The truly salient cells.
    saliency : array-like of shape (n_samples, n_channels, n_timepoints)
        Attributions.
    level : {"overall", "time", "feature"}, default="overall"
        Score cells, time points or channels.
    percentages : array-like of shape (n_levels,), default=None
        Mass levels in percent; ``10, 20, ..., 90`` when None.
    normalize : bool, default=True
        Absolute value and per-sample min-max rescaling first, as the authors do.

    Returns
    -------
    precision : ndarray of shape (n_levels,)
        Mean weighted precision at each level (NaN where no sample selects any
        weight).
    recall : ndarray of shape (n_levels,)
        Mean weighted recall at each level.
    percentages : ndarray of shape (n_levels,)
        The levels.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import weighted_precision_recall_curve
    >>> truth = np.array([[[True, True, False, False]]])
    >>> S = np.array([[[4.0, 3.0, 2.0, 1.0]]])
    >>> P, R, p = weighted_precision_recall_curve(truth, S, percentages=[40, 70, 100],
    ...                                           normalize=False)
    >>> P.round(2), R.round(2)
    (array([1. , 1. , 0.7]), array([0.57, 1.  , 1.  ]))
    """
    if level not in _LEVELS:
        raise ValueError(f"level must be one of {list(_LEVELS)}; got {level!r}.")
    p = _check_percentages(percentages)
    truth, S = _check_pair(true_saliency, saliency, normalize)
    masks = _mass_mask(S, p)
    weights, truth, masks = _level_scores(truth, S, masks, level)
    tp = np.sum(weights * (masks & truth), axis=-1)
    fp = np.sum(weights * (masks & ~truth), axis=-1)
    fn = np.sum(weights * (~masks & truth), axis=-1)
    precision = np.divide(tp, tp + fp, out=np.full_like(tp, np.nan), where=tp + fp > 0)
    recall = np.divide(tp, tp + fn, out=np.full_like(tp, np.nan), where=tp + fn > 0)
    return _nanmean(precision), _nanmean(recall), p


_AREA_PARAMETERS_DOC = """Parameters
    ----------
    true_saliency : array-like of bool, shape (n_samples, n_channels, n_timepoints)
        The truly salient cells.
    saliency : array-like of shape (n_samples, n_channels, n_timepoints)
        Attributions.
    level : {"overall", "time", "feature"}, default="overall"
        See :func:`weighted_precision_recall_curve`.
    percentages : array-like of shape (n_levels,), default=None
        Mass levels in percent; ``10, 20, ..., 90`` when None.
    normalize : bool, default=True
        Absolute value and per-sample min-max rescaling first."""


@fill_doc(parameters=_AREA_PARAMETERS_DOC)
def weighted_precision_recall_areas(true_saliency, saliency, *, level="overall",
                                    percentages=None, normalize=True):
    """AUP, AUR and AUPR of the saliency-weighted precision and recall.

    AUP and AUR are trapezoids of precision and recall over the mass fraction
    ``p / 100`` (so at most 0.8 for the default levels 10..90 %); AUPR is the
    trapezoid of precision over recall, sorted by recall. Levels where the
    precision is undefined are dropped, as the authors' code does.

    %(parameters)s

    Returns
    -------
    areas : dict
        ``{"aup": float, "aur": float, "aupr": float}``.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_ismail_dataset
    >>> from sklearn_tsx.metrics import weighted_precision_recall_areas
    >>> X, y, truth = make_ismail_dataset(20, random_state=0)
    >>> areas = weighted_precision_recall_areas(truth, truth.astype(float))
    >>> round(areas["aup"], 3), round(areas["aupr"], 3)
    (0.8, 0.8)
    """
    precision, recall, p = weighted_precision_recall_curve(
        true_saliency, saliency, level=level, percentages=percentages,
        normalize=normalize)
    keep = np.isfinite(precision) & np.isfinite(recall)
    precision, recall, fraction = precision[keep], recall[keep], p[keep] / 100.0
    order = np.argsort(recall, kind="stable")
    return {
        "aup": float(np.trapezoid(precision, fraction)),
        "aur": float(np.trapezoid(recall, fraction)),
        "aupr": float(np.trapezoid(precision[order], recall[order])),
    }


@fill_doc(parameters=_AREA_PARAMETERS_DOC)
def weighted_aup(true_saliency, saliency, *, level="overall", percentages=None,
                 normalize=True):
    """Area under the saliency-weighted precision curve over the mass fraction.

    One of the areas of :func:`weighted_precision_recall_areas`.

    %(parameters)s

    Returns
    -------
    aup : float
        The area.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import weighted_aup
    >>> truth = np.zeros((1, 2, 5), dtype=bool); truth[0, 0] = True
    >>> round(weighted_aup(truth, truth.astype(float)), 3)
    0.8
    """
    return weighted_precision_recall_areas(
        true_saliency, saliency, level=level, percentages=percentages,
        normalize=normalize)["aup"]


@fill_doc(parameters=_AREA_PARAMETERS_DOC)
def weighted_aur(true_saliency, saliency, *, level="overall", percentages=None,
                 normalize=True):
    """Area under the saliency-weighted recall curve over the mass fraction.

    One of the areas of :func:`weighted_precision_recall_areas`.

    %(parameters)s

    Returns
    -------
    aur : float
        The area.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import weighted_aur
    >>> truth = np.zeros((1, 2, 5), dtype=bool); truth[0, 0] = True
    >>> round(weighted_aur(truth, truth.astype(float)), 3)
    0.44
    """
    return weighted_precision_recall_areas(
        true_saliency, saliency, level=level, percentages=percentages,
        normalize=normalize)["aur"]


@fill_doc(parameters=_AREA_PARAMETERS_DOC)
def weighted_aupr(true_saliency, saliency, *, level="overall", percentages=None,
                  normalize=True):
    """Area under the saliency-weighted precision-recall curve.

    One of the areas of :func:`weighted_precision_recall_areas`.

    %(parameters)s

    Returns
    -------
    aupr : float
        The trapezoid of precision over recall, sorted by recall.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import weighted_aupr
    >>> truth = np.zeros((1, 2, 5), dtype=bool); truth[0, 0] = True
    >>> S = np.linspace(1, 0.1, 10).reshape(1, 2, 5)
    >>> round(weighted_aupr(truth, S, normalize=False), 3)
    0.75
    """
    return weighted_precision_recall_areas(
        true_saliency, saliency, level=level, percentages=percentages,
        normalize=normalize)["aupr"]


def weighted_accuracy_drop_curve(estimator, X, y, saliency, X_replacement, *,
                                 percentages=None, normalize=True):
    """Accuracy of a model as its most salient cells are replaced.

    At each level ``p`` the cells of :func:`weighted_mass_mask` take the values
    of ``X_replacement``, a draw of the same process without the class signal
    (for the Ismail benchmark: :func:`sklearn_tsx.datasets.make_ismail_background`),
    which keeps the masked series in distribution. ``p = 0`` is the unmasked
    accuracy, ``p = 100`` the accuracy on ``X_replacement`` alone.

    Parameters
    ----------
    estimator : object
        A fitted classifier with ``predict`` taking ``(n, C, T)`` arrays.
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        The series, as the estimator takes them.
    y : array-like of shape (n_samples,)
        True labels.
    saliency : array-like of shape (n_samples, n_channels, n_timepoints)
        Attributions of ``X``.
    X_replacement : array-like of shape (n_samples or 1, n_channels, n_timepoints)
        Signal-free values, in the estimator's input space; one series is used
        for all samples.
    percentages : array-like of shape (n_levels,), default=None
        Mass levels in percent; ``0, 10, ..., 100`` when None.
    normalize : bool, default=True
        Absolute value and per-sample min-max rescaling before ranking.

    Returns
    -------
    accuracy : ndarray of shape (n_levels,)
        Fraction of correct predictions at each level.
    percentages : ndarray of shape (n_levels,)
        The levels.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn_tsx.metrics import weighted_accuracy_drop_curve
    >>> X = np.zeros((4, 1, 3)); y = np.array([0, 0, 0, 1])
    >>> model = DummyClassifier().fit(X.reshape(4, -1), y)
    >>> acc, p = weighted_accuracy_drop_curve(model, X.reshape(4, -1), y,
    ...                                       np.ones((4, 1, 3)), np.ones((1, 1, 3)),
    ...                                       percentages=[0, 50, 100])
    >>> acc
    array([0.75, 0.75, 0.75])
    """
    p = _check_percentages(percentages, default=np.arange(0, 101, 10))
    X_3d = check_time_series(X, input_name="X", dtype=np.float64)
    S = _check_saliency(saliency, normalize)
    y = np.asarray(y)
    if y.shape != (X_3d.shape[0],):
        raise ValueError(
            f"y has shape {y.shape}; expected ({X_3d.shape[0]},), one label per sample of X.")
    if S.shape != X_3d.shape:
        raise ValueError(
            f"saliency has shape {S.shape} but X has shape {X_3d.shape}; they must match.")
    replacement = check_time_series(X_replacement, input_name="X_replacement",
                                    dtype=np.float64)
    if replacement.shape[1:] != X_3d.shape[1:] or replacement.shape[0] not in (
            1, X_3d.shape[0]):
        raise ValueError(
            f"X_replacement has shape {replacement.shape}; expected (1 or "
            f"{X_3d.shape[0]}, {X_3d.shape[1]}, {X_3d.shape[2]}) to match X.")
    masks = _mass_mask(S, p)
    accuracy = np.empty(len(p))
    for i, mask in enumerate(masks):
        masked = np.where(mask, replacement, X_3d).astype(np.float32)
        masked = masked.reshape(np.shape(X)) if np.ndim(X) == 2 else masked
        accuracy[i] = np.mean(np.asarray(estimator.predict(masked)) == y)
    return accuracy, p


def weighted_accuracy_drop_auc(estimator, X, y, saliency, X_replacement, *,
                               percentages=None, normalize=True):
    """Area under the accuracy-drop curve over the mass fraction (lower is better).

    The trapezoid of :func:`weighted_accuracy_drop_curve` over ``p / 100``; the
    authors report it with accuracy in percent (this value times 100).

    Parameters
    ----------
    estimator : object
        A fitted classifier with ``predict``.
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        The series.
    y : array-like of shape (n_samples,)
        True labels.
    saliency : array-like of shape (n_samples, n_channels, n_timepoints)
        Attributions of ``X``.
    X_replacement : array-like of shape (n_samples or 1, n_channels, n_timepoints)
        Signal-free values.
    percentages : array-like of shape (n_levels,), default=None
        Mass levels in percent; ``0, 10, ..., 100`` when None.
    normalize : bool, default=True
        Absolute value and per-sample min-max rescaling before ranking.

    Returns
    -------
    auc : float
        The area, in [0, 1] for the default levels.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from sklearn_tsx.metrics import weighted_accuracy_drop_auc
    >>> X = np.zeros((4, 3)); y = np.array([0, 0, 0, 1])
    >>> model = DummyClassifier().fit(X, y)
    >>> weighted_accuracy_drop_auc(model, X, y, np.ones((4, 1, 3)), np.ones((1, 1, 3)))
    0.75
    """
    accuracy, p = weighted_accuracy_drop_curve(
        estimator, X, y, saliency, X_replacement, percentages=percentages,
        normalize=normalize)
    return float(np.trapezoid(accuracy, p / 100.0))
