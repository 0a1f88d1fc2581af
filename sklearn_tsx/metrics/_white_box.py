"""Errors between an attribution and the true saliency of a white-box model,
as time_interpret's white-box ``mse``, ``mae`` and ``rmse``.

The attributions are min-max rescaled per sample, as for the other
ground-truth metrics (:func:`normalize_saliency`), and the errors are pooled
over all samples and entries.
"""

import numpy as np

from ..utils import check_time_series
from ._docstrings import fill_doc
from ._ground_truth import _minmax

__all__ = ["white_box_mae", "white_box_mse", "white_box_rmse"]


def _errors(true_saliency, attributions, normalize):
    truth = check_time_series(true_saliency, input_name="true_saliency", dtype=np.float64)
    scores = check_time_series(attributions, input_name="attributions", dtype=np.float64)
    if truth.shape != scores.shape:
        raise ValueError(
            f"true_saliency and attributions must have the same shape; got "
            f"{truth.shape} and {scores.shape}."
        )
    if not isinstance(normalize, (bool, np.bool_)):
        raise ValueError(f"normalize must be a bool; got {normalize!r}.")
    return (_minmax(scores) if normalize else scores) - truth


_PARAMS = """Parameters
    ----------
    true_saliency : array-like of shape (n_samples, n_channels, n_timepoints)
        The true saliency: a boolean salient set or any real-valued map.
    attributions : array-like of shape (n_samples, n_channels, n_timepoints)
        The saliency map to score.
    normalize : bool, default=True
        Min-max rescale each sample's attributions to [0, 1] first
        (:func:`normalize_saliency`); time_interpret divides by ``max - min +
        1e-5`` instead, which differs by about ``1e-5`` relative.

    Returns
    -------
    error : float
        Non-negative; lower is better (negated by the ``make_explanation_scorer``
        scorers)."""


@fill_doc(parameters=_PARAMS)
def white_box_mse(true_saliency, attributions, *, normalize=True):
    """Mean squared error between a saliency map and the true saliency.

    %(parameters)s

    See Also
    --------
    white_box_mae, white_box_rmse

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import white_box_mse
    >>> truth = np.array([[[1.0, 0.0, 0.0, 0.0]]])
    >>> white_box_mse(truth, np.array([[[4.0, 2.0, 0.0, 0.0]]]))
    0.0625
    """
    return float(np.mean(_errors(true_saliency, attributions, normalize) ** 2))


@fill_doc(parameters=_PARAMS)
def white_box_mae(true_saliency, attributions, *, normalize=True):
    """Mean absolute error between a saliency map and the true saliency.

    %(parameters)s

    See Also
    --------
    white_box_mse, white_box_rmse

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import white_box_mae
    >>> truth = np.array([[[1.0, 0.0, 0.0, 0.0]]])
    >>> white_box_mae(truth, np.array([[[4.0, 2.0, 0.0, 0.0]]]))
    0.125
    """
    return float(np.mean(np.abs(_errors(true_saliency, attributions, normalize))))


@fill_doc(parameters=_PARAMS)
def white_box_rmse(true_saliency, attributions, *, normalize=True):
    """Root mean squared error between a saliency map and the true saliency.

    %(parameters)s

    See Also
    --------
    white_box_mse, white_box_mae

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.metrics import white_box_rmse
    >>> truth = np.array([[[1.0, 0.0, 0.0, 0.0]]])
    >>> white_box_rmse(truth, np.array([[[4.0, 2.0, 0.0, 0.0]]]))
    0.25
    """
    return float(np.sqrt(np.mean(_errors(true_saliency, attributions, normalize) ** 2)))
