"""Metrics that score a saliency map against the true salient set.

Any attribution is first turned into a mask in [0, 1] by per-sample min-max
rescaling (Dynamask, appendix A.3). AUP and AUR integrate the precision and the
recall of the thresholded mask over the threshold (Dynamask, appendix C.1);
mask information and entropy read the mask over the true salient set
(Dynamask, section 2.4). All samples are pooled, as in the reference code.
"""

import numbers

import numpy as np
from scipy.special import xlogy
from sklearn.metrics import average_precision_score, roc_auc_score

from ..utils import check_time_series

__all__ = [
    "normalize_saliency",
    "aup_score",
    "aur_score",
    "auroc_score",
    "auprc_score",
    "mask_information",
    "mask_entropy",
]

_CONVENTIONS = ("exact", "dynamask", "time_interpret")


def normalize_saliency(attributions):
    """Rescale each sample's attributions to [0, 1] by its own min and max.

    Parameters
    ----------
    attributions : array-like of shape (n_samples, n_channels, n_timepoints)
        Any saliency scores (2-D input is read as univariate).

    Returns
    -------
    mask : ndarray of shape (n_samples, n_channels, n_timepoints), float64
        ``(a - min) / (max - min)`` per sample; a constant sample maps to 0.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import normalize_saliency
    >>> normalize_saliency(np.array([[[1.0, 3.0, 2.0]]]))
    array([[[0. , 1. , 0.5]]])
    """
    scores = check_time_series(attributions, input_name="attributions", dtype=np.float64)
    return _minmax(scores)


def _minmax(scores):
    low = scores.min(axis=(1, 2), keepdims=True)
    span = scores.max(axis=(1, 2), keepdims=True) - low
    return np.divide(scores - low, span, out=np.zeros_like(scores), where=span > 0)


def _check_pair(true_saliency, attributions, normalize, *, need_unit_range=True):
    """Validated ``(truth, mask)``: truth bool, mask float64, same 3-D shape."""
    truth = check_time_series(true_saliency, input_name="true_saliency", dtype=np.float64)
    scores = check_time_series(attributions, input_name="attributions", dtype=np.float64)
    if truth.shape != scores.shape:
        raise ValueError(
            f"true_saliency and attributions must have the same shape; got "
            f"{truth.shape} and {scores.shape}."
        )
    if not np.isin(truth, (0.0, 1.0)).all():
        raise ValueError("true_saliency must be boolean (or hold only 0 and 1).")
    if not isinstance(normalize, (bool, np.bool_)):
        raise ValueError(f"normalize must be a bool; got {normalize!r}.")
    if normalize:
        scores = _minmax(scores)
    elif need_unit_range and (scores.min() < 0 or scores.max() > 1):
        raise ValueError(
            "With normalize=False the attributions must be a mask with values in "
            f"[0, 1]; got values in [{scores.min():.4g}, {scores.max():.4g}]."
        )
    return truth.astype(bool), scores


def _check_has_salient(truth):
    if not truth.any():
        raise ValueError("true_saliency marks no salient entry: the metric is undefined.")


def _pooled_curve(truth, mask):
    """Distinct thresholds (ascending), and for each the precision and recall of
    selecting every entry with ``mask >= threshold``, pooled over samples."""
    scores, labels = mask.ravel(), truth.ravel()
    order = np.argsort(-scores, kind="mergesort")
    scores, labels = scores[order], labels[order]
    last_of_value = np.r_[np.flatnonzero(np.diff(scores)), scores.size - 1]
    true_positives = np.cumsum(labels)[last_of_value]
    selected = last_of_value + 1
    thresholds = scores[last_of_value][::-1]
    precision = (true_positives / selected)[::-1]
    recall = (true_positives / true_positives[-1])[::-1]
    return thresholds, precision, recall


def _check_convention(convention):
    if convention not in _CONVENTIONS:
        raise ValueError(f"convention must be one of {_CONVENTIONS}; got {convention!r}.")


def _area(thresholds, curve, last_point, convention):
    """Area under ``curve(threshold)`` over the threshold, per ``convention``;
    ``last_point`` is the value scikit-learn appends to the curve (precision 1,
    recall 0)."""
    if convention == "exact":
        # A step function: on (t_{j-1}, t_j] the selection is {mask >= t_j};
        # above the largest mask value nothing is selected (precision and
        # recall 0 there).
        widths = np.diff(np.r_[0.0, thresholds])
        return float(widths @ curve)
    extended = np.r_[curve, last_point]
    paired = extended[1:] if convention == "dynamask" else extended[:-1]
    return float(np.trapezoid(paired, thresholds))


_CONVENTION_DOC = """convention : {"exact", "dynamask", "time_interpret"}, default="exact"
        How the curve is integrated. ``"exact"``: the integral over
        tau in (0, 1) of the step function (the paper's definition). The two
        others reproduce the reference codes, which take
        ``precision, recall, thresholds = sklearn.metrics.precision_recall_curve``
        on the pooled entries and integrate with a trapezoid over ``thresholds``:
        ``"dynamask"`` pairs ``thresholds`` with ``precision[1:]`` /
        ``recall[1:]`` (off by one; Dynamask's rare-feature and rare-time
        tables), ``"time_interpret"`` with ``precision[:-1]`` / ``recall[:-1]``
        (Dynamask's State table, time_interpret, ContraLSP). The pairing changes
        AUR by up to a factor of two. Older scikit-learn releases also cut the
        curve at the first threshold reaching full recall; we follow the
        current one."""


def aup_score(true_saliency, attributions, *, normalize=True, convention="exact"):
    """Area under the precision curve (AUP) of a saliency map.

    The mask is thresholded at every tau in (0, 1); the precision of the
    selected entries ``mask >= tau`` against the true salient set, pooled over
    all samples, is integrated over tau (Dynamask, appendix C.1). An empty
    selection has precision 0.

    Parameters
    ----------
    true_saliency : array-like of bool, shape (n_samples, n_channels, n_timepoints)
        The true salient entries.
    attributions : array-like of shape (n_samples, n_channels, n_timepoints)
        The saliency map to score.
    normalize : bool, default=True
        Min-max rescale each sample first (needed for any attribution that is not
        already a mask in [0, 1]).
    {convention}

    Returns
    -------
    score : float
        In [0, 1]; higher is better.

    See Also
    --------
    aur_score : The area under the recall curve.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import aup_score
    >>> truth = np.array([[[True, False, False, False]]])
    >>> aup_score(truth, np.array([[[1.0, 0.5, 0.0, 0.0]]]))
    0.75
    """
    _check_convention(convention)
    truth, mask = _check_pair(true_saliency, attributions, normalize)
    _check_has_salient(truth)
    thresholds, precision, _ = _pooled_curve(truth, mask)
    return _area(thresholds, precision, 1.0, convention)


def aur_score(true_saliency, attributions, *, normalize=True, convention="exact"):
    """Area under the recall curve (AUR) of a saliency map.

    The mask is thresholded at every tau in (0, 1); the fraction of the true
    salient entries with ``mask >= tau``, pooled over all samples, is
    integrated over tau (Dynamask, appendix C.1).

    Parameters
    ----------
    true_saliency : array-like of bool, shape (n_samples, n_channels, n_timepoints)
        The true salient entries.
    attributions : array-like of shape (n_samples, n_channels, n_timepoints)
        The saliency map to score.
    normalize : bool, default=True
        Min-max rescale each sample first.
    {convention}

    Returns
    -------
    score : float
        In [0, 1]; higher is better.

    See Also
    --------
    aup_score : The area under the precision curve.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import aur_score
    >>> truth = np.array([[[True, True, False, False]]])
    >>> aur_score(truth, np.array([[[1.0, 0.5, 0.0, 0.0]]]))
    0.75
    """
    _check_convention(convention)
    truth, mask = _check_pair(true_saliency, attributions, normalize)
    _check_has_salient(truth)
    thresholds, _, recall = _pooled_curve(truth, mask)
    return _area(thresholds, recall, 0.0, convention)


aup_score.__doc__ = aup_score.__doc__.replace("{convention}", _CONVENTION_DOC)
aur_score.__doc__ = aur_score.__doc__.replace("{convention}", _CONVENTION_DOC)


def _check_both_classes(truth):
    _check_has_salient(truth)
    if truth.all():
        raise ValueError(
            "true_saliency marks every entry as salient: the metric needs both "
            "salient and non-salient entries."
        )


def auroc_score(true_saliency, attributions, *, normalize=True):
    """Area under the ROC curve of the saliency map as a detector of the true
    salient entries, pooled over all samples.

    Parameters
    ----------
    true_saliency : array-like of bool, shape (n_samples, n_channels, n_timepoints)
        The true salient entries; both salient and non-salient ones are needed.
    attributions : array-like of shape (n_samples, n_channels, n_timepoints)
        The saliency map to score.
    normalize : bool, default=True
        Min-max rescale each sample first (this changes the pooled ranking).

    Returns
    -------
    score : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import auroc_score
    >>> auroc_score(np.array([[[True, False]]]), np.array([[[0.9, 0.1]]]))
    1.0
    """
    truth, mask = _check_pair(true_saliency, attributions, normalize, need_unit_range=False)
    _check_both_classes(truth)
    return float(roc_auc_score(truth.ravel(), mask.ravel()))


def auprc_score(true_saliency, attributions, *, normalize=True):
    """Area under the precision-recall curve (average precision) of the saliency
    map as a detector of the true salient entries, pooled over all samples.

    Parameters
    ----------
    true_saliency : array-like of bool, shape (n_samples, n_channels, n_timepoints)
        The true salient entries; both salient and non-salient ones are needed.
    attributions : array-like of shape (n_samples, n_channels, n_timepoints)
        The saliency map to score.
    normalize : bool, default=True
        Min-max rescale each sample first.

    Returns
    -------
    score : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import auprc_score
    >>> auprc_score(np.array([[[True, False]]]), np.array([[[0.9, 0.1]]]))
    1.0
    """
    truth, mask = _check_pair(true_saliency, attributions, normalize, need_unit_range=False)
    _check_both_classes(truth)
    return float(average_precision_score(truth.ravel(), mask.ravel()))


def _check_log_params(base, eps):
    if not isinstance(base, numbers.Real) or not base > 0 or base == 1:
        raise ValueError(f"base must be a positive number other than 1; got {base!r}.")
    if not isinstance(eps, numbers.Real) or not eps >= 0:
        raise ValueError(f"eps must be a non-negative number; got {eps!r}.")


def mask_information(true_saliency, attributions, *, normalize=True, base=2, eps=1e-5):
    """Mask information of the true salient set A (Dynamask, definition 2.3).

    ``I = -sum_{(i, c, t) in A} log(1 - m[i, c, t] + eps)``, summed over all
    samples.

    Parameters
    ----------
    true_saliency : array-like of bool, shape (n_samples, n_channels, n_timepoints)
        The true salient set A.
    attributions : array-like of shape (n_samples, n_channels, n_timepoints)
        The saliency map, or a mask in [0, 1] with ``normalize=False``.
    normalize : bool, default=True
        Min-max rescale each sample first.
    base : float, default=2
        Base of the logarithm. The paper defines the metric with ``ln``; its
        tables (and ContraLSP's) were computed with base 2 and ``eps = 1e-5``,
        our defaults. ``base=np.e, eps=0`` gives the paper's formula, which is
        infinite where a salient mask value is exactly 1.
    eps : float, default=1e-5
        Added inside the logarithm.

    Returns
    -------
    information : float
        Higher is better.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import mask_information
    >>> truth = np.array([[[True, False]]])
    >>> float(mask_information(truth, np.array([[[0.5, 0.0]]]), normalize=False, eps=0))
    1.0
    """
    _check_log_params(base, eps)
    truth, mask = _check_pair(true_saliency, attributions, normalize)
    m = mask[truth]
    with np.errstate(divide="ignore"):
        return float(-np.log(1.0 - m + eps).sum() / np.log(base))


def mask_entropy(true_saliency, attributions, *, normalize=True, base=2, eps=1e-5):
    """Mask entropy of the true salient set A (Dynamask, definition 2.4).

    ``S = -sum_{(i, c, t) in A} [m log(m + eps) + (1 - m) log(1 - m + eps)]``,
    summed over all samples; 0 for a binary mask, largest for values near 0.5.

    Parameters
    ----------
    true_saliency : array-like of bool, shape (n_samples, n_channels, n_timepoints)
        The true salient set A.
    attributions : array-like of shape (n_samples, n_channels, n_timepoints)
        The saliency map, or a mask in [0, 1] with ``normalize=False``.
    normalize : bool, default=True
        Min-max rescale each sample first.
    base : float, default=2
        Base of the logarithm (the paper tables used base 2; see
        :func:`mask_information`).
    eps : float, default=1e-5
        Added inside the logarithms, as in the reference code.

    Returns
    -------
    entropy : float
        Lower is better.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import mask_entropy
    >>> truth = np.array([[[True, True]]])
    >>> float(mask_entropy(truth, np.array([[[0.5, 1.0]]]), normalize=False, eps=0))
    1.0
    """
    _check_log_params(base, eps)
    truth, mask = _check_pair(true_saliency, attributions, normalize)
    m = mask[truth]
    entropy = xlogy(m, m + eps) + xlogy(1.0 - m, 1.0 - m + eps)
    return float(-entropy.sum() / np.log(base))
