"""Per-step attributions of sequence models: each step's output explained by
the inputs at that step, as the State and Switch-Feature experiments score them."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

__all__ = ["explain_per_step"]


def explain_per_step(explainer, X):
    """Attribute each time step's output to the inputs at that step.

    For a sequence model (one prediction per time step), column ``t`` of the
    result is column ``t`` of ``explainer.explain(X, target=t)``: the attribution,
    to the inputs at time ``t``, of the output at step ``t`` (for classifiers,
    of the class predicted there). For a causal model this is what the papers
    compute by explaining each step on the inputs up to it (time_interpret's
    ``TimeForwardTunnel``). All samples and steps go through one call to
    :meth:`~sklearn_tsx.explainers.BaseExplainer.explain`, on ``n_samples *
    n_timepoints`` rows, so they are batched and parallelised together.

    Parameters
    ----------
    explainer : BaseExplainer
        A fitted explainer of a sequence model, whose ``explain`` takes one time
        step per sample as ``target``.
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Panel to explain.

    Returns
    -------
    attributions : ndarray of shape (n_samples, n_channels, n_timepoints)

    Raises
    ------
    ValueError
        When the explained model does not predict at every time step, or ``X``
        does not match the fitted shape.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.datasets import make_rare_time
    >>> from sklearn_tsx.explainers import RandomExplainer, explain_per_step
    >>> data = make_rare_time(n_samples=1, n_features=10, n_timepoints=10, random_state=0)
    >>> explainer = RandomExplainer(data.model, random_state=0).fit(data.data)
    >>> explain_per_step(explainer, data.data).shape
    (1, 10, 10)
    """
    check_is_fitted(explainer, "model_")
    if not explainer.model_.sequence:
        raise ValueError(
            f"explain_per_step needs a model with one prediction per time step; "
            f"{explainer.model_.name} predicts once per series. Use "
            f"{type(explainer).__name__}.explain instead."
        )
    X = explainer._check_X(X)
    n_samples, n_channels, n_timepoints = X.shape
    steps = np.arange(n_timepoints)
    rows = np.repeat(X, n_timepoints, axis=0)
    attributions = explainer.explain(rows, target=np.tile(steps, n_samples))
    attributions = attributions.reshape(n_samples, n_timepoints, n_channels, n_timepoints)
    # row (i, t) keeps its column t: advanced indices around a slice put the
    # step axis first, giving (T, n, C)
    return np.ascontiguousarray(attributions[:, steps, :, steps].transpose(1, 2, 0))
