"""LofLime and LofKernelShap (time_interpret, Enguehard 2023): LIME and
KernelShap whose perturbed copies are down-weighted by how much of an outlier
they are among the training series (Local Outlier Factor)."""

import numbers

import numpy as np
from sklearn.neighbors import LocalOutlierFactor

from ._captum import fill_common_docs
from ._captum_perturbation import Lime
from ._shapley import KernelShap

__all__ = ["LofKernelShap", "LofLime"]

_N_NEIGHBORS_DOC = """n_neighbors : int, default=20
        Neighbours of the :class:`~sklearn.neighbors.LocalOutlierFactor`
        fitted on the training series in ``fit``; fewer than the training
        series."""


class LofWeightedSimilarity:
    """A captum similarity function times ``1 / max(LOF(copy), 1)``.

    ``LOF`` is the local outlier factor of the perturbed copy (flattened)
    among the training series, ``-lof.score_samples``: about 1 for copies
    that look like training data (weight unchanged), larger for outliers.
    """

    def __init__(self, similarity, lof):
        self.similarity = similarity
        self.lof = lof

    def __call__(self, original, perturbed, interpretable, **kwargs):
        factor = -self.lof.score_samples(
            perturbed.detach().reshape(len(perturbed), -1).cpu().numpy()
        )
        weight = float(np.mean(1.0 / np.maximum(factor, 1.0)))
        return self.similarity(original, perturbed, interpretable, **kwargs) * weight


def _fit_lof(explainer, X):
    """The ``LocalOutlierFactor`` of ``explainer.n_neighbors`` on the training panel."""
    n_neighbors = explainer.n_neighbors
    if not isinstance(n_neighbors, numbers.Integral) or isinstance(n_neighbors, bool):
        raise ValueError(f"n_neighbors must be an integer; got {n_neighbors!r}.")
    if not 1 <= n_neighbors < len(X):
        raise ValueError(
            f"n_neighbors ({n_neighbors}) must be at least 1 and fewer than the "
            f"training series ({len(X)}) {type(explainer).__name__} is fitted on."
        )
    return LocalOutlierFactor(n_neighbors=n_neighbors, novelty=True).fit(
        X.reshape(len(X), -1)
    )


class LofLime(Lime):
    """LofLime (Enguehard 2023): LIME whose perturbed copies are weighted down
    by their Local Outlier Factor among the training series.

    :class:`Lime` weights a copy by the kernel of its distance to the sample;
    LofLime multiplies that weight by ``1 / max(LOF, 1)``, the LOF being
    :meth:`sklearn.neighbors.LocalOutlierFactor.score_samples` (negated) of
    the copy under a ``LocalOutlierFactor(novelty=True)`` fitted on the
    training series in ``fit``. Copies that look like training data keep
    their weight; copies off the data (most groups set to the baseline) count
    less, so the surrogate is fitted where the model was trained.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    {n_neighbors}
    {baselines}
    {feature_mask}
    n_samples : int, default=50
        Perturbed copies per sample the surrogate is fitted on.
    surrogate : {"lasso", "ridge", "linear"}, default="lasso"
        The interpretable model, as in :class:`Lime`.
    alpha : float, default=0.01
        Penalty of the Lasso or the ridge, relative to the outputs' spread, as
        in :class:`Lime`.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    lof_ : sklearn.neighbors.LocalOutlierFactor
        The outlier model of the training series, flattened to
        ``(n_series, n_channels * n_timepoints)``.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"``.
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The feature groups, when ``feature_mask`` is given.

    See Also
    --------
    Lime : The same method without the outlier weights.
    LofKernelShap : The outlier weights over KernelShap.

    Notes
    -----
    time_interpret's ``LofLime`` computes the same weights. Scoring a copy
    costs a neighbour search among the training series, once per copy.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import LofLime
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(30, 2, 10)).astype(np.float32)
    >>> explainer = LofLime(model, n_neighbors=5, feature_mask="time", random_state=0)
    >>> explainer.fit(X).explain(X[:4], target=0).shape
    (4, 2, 10)
    """

    # the per-step shortcut of Lime weights copies by the kernel alone:
    # explain_per_step takes the generic route, one explain per step
    _explain_steps_batch = None

    def __init__(self, estimator, *, n_neighbors=20, baselines="zeros", feature_mask=None,
                 n_samples=50, surrogate="lasso", alpha=0.01, batch_size=64, n_jobs=None,
                 device="cpu", random_state=None, verbose=0):
        super().__init__(
            estimator, baselines=baselines, feature_mask=feature_mask,
            n_samples=n_samples, surrogate=surrogate, alpha=alpha,
            batch_size=batch_size, n_jobs=n_jobs, device=device,
            random_state=random_state, verbose=verbose,
        )
        self.n_neighbors = n_neighbors

    def _fit(self, X, y):
        super()._fit(X, y)
        self.lof_ = _fit_lof(self, X)

    def _make_method(self, forward):
        method = super()._make_method(forward)
        method.similarity_func = LofWeightedSimilarity(method.similarity_func, self.lof_)
        return method


class LofKernelShap(KernelShap):
    """LofKernelShap (Enguehard 2023): KernelShap whose coalitions are weighted
    down by the Local Outlier Factor of the perturbed copies among the
    training series.

    :class:`KernelShap` (captum's: coalitions drawn from the Shapley kernel,
    groups switched off set to the baseline, a least-squares surrogate) with
    each copy's weight multiplied by ``1 / max(LOF, 1)``, as in
    :class:`LofLime`.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    {n_neighbors}
    {perturbation_baselines}
    {feature_mask}
    n_samples : int, default=100
        Coalitions per sample the surrogate is fitted on.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    lof_ : sklearn.neighbors.LocalOutlierFactor
        The outlier model of the training series, flattened to
        ``(n_series, n_channels * n_timepoints)``.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"`` (the default).
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The feature groups, when ``feature_mask`` is given.

    See Also
    --------
    KernelShap : The same method without the outlier weights.
    LofLime : The outlier weights over LIME.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import LofKernelShap
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(30, 2, 10)).astype(np.float32)
    >>> explainer = LofKernelShap(model, n_neighbors=5, feature_mask="time",
    ...                           random_state=0)
    >>> explainer.fit(X).explain(X[:4], target=0).shape
    (4, 2, 10)
    """

    def __init__(self, estimator, *, n_neighbors=20, baselines="mean", feature_mask=None,
                 n_samples=100, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        super().__init__(
            estimator, baselines=baselines, feature_mask=feature_mask,
            n_samples=n_samples, batch_size=batch_size, n_jobs=n_jobs, device=device,
            random_state=random_state, verbose=verbose,
        )
        self.n_neighbors = n_neighbors

    def _fit(self, X, y):
        super()._fit(X, y)
        self.lof_ = _fit_lof(self, X)

    def _make_method(self, forward):
        method = super()._make_method(forward)
        method.similarity_func = LofWeightedSimilarity(method.similarity_func, self.lof_)
        return method


for _cls in (LofLime, LofKernelShap):
    _cls.__doc__ = _cls.__doc__.replace("{n_neighbors}", _N_NEIGHBORS_DOC)
fill_common_docs(LofLime, LofKernelShap)
