"""Perturbation attribution methods, computed by captum.

They only call the model's forward pass, so they explain any black box with
``predict`` / ``predict_proba`` as well as torch models.
"""

import math
import numbers

import numpy as np
import torch
from captum import attr
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import Lasso, LinearRegression, Ridge

from ._captum import CaptumExplainer, fill_common_docs
from ._gradient import _check_positive_int
from ._per_step import StepAblationMixin, StepLimeMixin, StepShapleyMixin

__all__ = [
    "FeatureAblation",
    "FeatureOcclusion",
    "FeaturePermutation",
    "Lime",
    "ShapleyValueSampling",
]


class FeatureOcclusion(StepAblationMixin, CaptumExplainer):
    """Feature Occlusion (Zeiler and Fergus 2014): a window slid over time is
    replaced by the baseline; the attribution of an entry is the mean change of
    the output over the windows that cover it.

    Calls :class:`captum.attr.Occlusion`. By default a window is one time step
    across all channels, as in Ismail et al. (2020).

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    window : int, default=1
        Window length in time steps.
    stride : int, default=1
        Step of the window over time.
    channel_window : int or None, default=None
        Window height in channels (slid with stride 1); ``None`` covers all
        channels.
    {perturbation_baselines}
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"`` (the default).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import FeatureOcclusion
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> FeatureOcclusion(model, window=3).fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    _captum_class = attr.Occlusion

    def __init__(self, estimator, *, window=1, stride=1, channel_window=None,
                 baselines="mean", batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.window = window
        self.stride = stride
        self.channel_window = channel_window
        self.baselines = baselines
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        _check_positive_int(self.window, "window")
        _check_positive_int(self.stride, "stride")
        if self.window > self.n_timepoints_in_:
            raise ValueError(
                f"window ({self.window}) is longer than the series "
                f"({self.n_timepoints_in_} time points)."
            )
        if self.stride > self.window and self.window < self.n_timepoints_in_:
            raise ValueError(
                f"stride ({self.stride}) exceeds window ({self.window}): the time "
                "points between windows would never be occluded."
            )
        if self.channel_window is not None:
            _check_positive_int(self.channel_window, "channel_window")
            if self.channel_window > self.n_channels_in_:
                raise ValueError(
                    f"channel_window ({self.channel_window}) exceeds the number of "
                    f"channels ({self.n_channels_in_})."
                )

    def _attribute_kwargs(self, x, rng):
        height = self.channel_window or self.n_channels_in_
        return {
            "sliding_window_shapes": (height, self.window),
            "strides": (1, self.stride),
            "baselines": self._baselines(x, rng),
            "perturbations_per_eval": self._perturbations_per_eval(len(x)),
        }

    def _group_masks(self, device):
        """Captum's windows: ``C - height + 1`` channel offsets times
        ``ceil((T - window) / stride) + 1`` time offsets, the last one cut at ``T``."""
        n_channels, n_timepoints = self.n_channels_in_, self.n_timepoints_in_
        height = self.channel_window or n_channels
        n_tops = n_channels - height + 1
        n_lefts = math.ceil((n_timepoints - self.window) / self.stride) + 1
        channel = torch.arange(n_channels, device=device)[:, None]
        time = torch.arange(n_timepoints, device=device)

        def masks(group):
            top = (group % n_tops)[:, None, None]
            left = (group // n_tops * self.stride)[:, None, None]
            return ((channel >= top) & (channel < top + height)
                    & (time >= left) & (time < left + self.window))

        return masks, n_tops * n_lefts


class FeatureAblation(StepAblationMixin, CaptumExplainer):
    """Feature Ablation (Suresh et al. 2017): each feature group in turn is
    replaced by the baseline; its attribution is the change of the output.

    Calls :class:`captum.attr.FeatureAblation`.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    {perturbation_baselines}
    {feature_mask}
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"`` (the default).
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The feature groups, when ``feature_mask`` is given.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import FeatureAblation
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> FeatureAblation(model, feature_mask="time").fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    _captum_class = attr.FeatureAblation

    def __init__(self, estimator, *, baselines="mean", feature_mask=None, batch_size=64,
                 n_jobs=None, device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.feature_mask = feature_mask
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _attribute_kwargs(self, x, rng):
        return {
            "baselines": self._baselines(x, rng),
            "feature_mask": self._feature_mask(x.device),
            "perturbations_per_eval": self._perturbations_per_eval(len(x)),
        }


class FeaturePermutation(CaptumExplainer):
    """Feature Permutation (permutation importance per sample): each feature
    group is shuffled across the samples of the batch; the attribution is the
    change of the output.

    Calls :class:`captum.attr.FeaturePermutation`. The values come from the
    other samples of the same batch, so a batch needs at least two samples and
    the result depends on ``batch_size``.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    {feature_mask}
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The feature groups, when ``feature_mask`` is given.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import FeaturePermutation
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> explainer = FeaturePermutation(model, feature_mask="time", random_state=0)
    >>> explainer.fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    _captum_class = attr.FeaturePermutation

    def __init__(self, estimator, *, feature_mask=None, batch_size=64, n_jobs=None,
                 device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.feature_mask = feature_mask
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        if self.batch_size < 2:
            raise ValueError(
                "FeaturePermutation shuffles values across the samples of a batch: "
                f"batch_size must be at least 2; got {self.batch_size}."
            )

    def _explain_batch(self, X, target, rng):
        if len(X) < 2:
            raise ValueError(
                "FeaturePermutation needs at least two samples per batch (values are "
                "shuffled across samples); explain more samples at once."
            )
        return super()._explain_batch(X, target, rng)

    def _attribute_kwargs(self, x, rng):
        return {
            "feature_mask": self._feature_mask(x.device),
            "perturbations_per_eval": self._perturbations_per_eval(len(x)),
        }


class ShapleyValueSampling(StepShapleyMixin, CaptumExplainer):
    """Shapley Value Sampling (Castro et al. 2009): marginal contributions of
    each feature group averaged over random orderings of the groups.

    Calls :class:`captum.attr.ShapleyValueSampling`. The cost is
    ``n_samples`` times the number of groups forward passes per sample, so
    group entries (``feature_mask="time"``) on long multivariate series.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    {perturbation_baselines}
    {feature_mask}
    n_samples : int, default=25
        Random orderings.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"`` (the default).
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The feature groups, when ``feature_mask`` is given.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import ShapleyValueSampling
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> explainer = ShapleyValueSampling(model, n_samples=4, random_state=0)
    >>> explainer.fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    _captum_class = attr.ShapleyValueSampling

    def __init__(self, estimator, *, baselines="mean", feature_mask=None, n_samples=25,
                 batch_size=64, n_jobs=None, device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.feature_mask = feature_mask
        self.n_samples = n_samples
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        _check_positive_int(self.n_samples, "n_samples")

    def _attribute_kwargs(self, x, rng):
        return {
            "baselines": self._baselines(x, rng),
            "feature_mask": self._feature_mask(x.device),
            "n_samples": self.n_samples,
            "perturbations_per_eval": self._perturbations_per_eval(len(x)),
        }


class Lime(StepLimeMixin, CaptumExplainer):
    """LIME (Ribeiro et al. 2016): a linear surrogate fitted to the model's
    outputs on random on/off perturbations of the feature groups.

    Calls :class:`captum.attr.Lime` with the surrogate chosen by ``surrogate``
    and captum's kernel (exponential of the cosine distance, width 1); groups
    switched off take the baseline.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    {baselines}
    {feature_mask}
    n_samples : int, default=50
        Perturbed copies per sample the surrogate is fitted on.
    surrogate : {"lasso", "ridge", "linear"}, default="lasso"
        The interpretable model, a scikit-learn ``Lasso`` (sparse maps, as
        captum's default), ``Ridge`` (dense maps) or ``LinearRegression``,
        fitted to the model's outputs divided by their standard deviation
        over the perturbed copies (the coefficients are scaled back).
    alpha : float, default=0.01
        Penalty of the Lasso or the ridge, relative to the outputs' spread
        (the standardisation above); unused with ``surrogate="linear"``.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"``.
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The feature groups, when ``feature_mask`` is given.

    Notes
    -----
    captum's default surrogate, a Lasso of penalty 0.01 on the raw outputs,
    zeroes every coefficient once the outputs move by less than about the
    penalty (class probabilities of an unsure classifier, outputs in small
    units): 2 of 160 entries were non-zero on a GRU classifier. Here the
    penalty is relative to the outputs' spread, so a map does not depend on
    the units of the output. Fraction of non-zero entries / AUP / AUR / AUROC
    with ``n_samples=50`` on the rare-feature white box (10 channels x 16
    steps, 8 salient entries; seeds 0 and 1), captum's default then this one
    (``python benchmarks/bench_lime_surrogate.py``):

    - white-box regressor: 0.052 / 1.00 / 0.32 / 0.91, then 0.047 / 1.00 / 0.31 / 0.89;
      with its output times 1e-3: 0 / 0 / 0 / 0.50 (all zero), then unchanged;
    - white-box classifier: 0.057 / 0.90 / 0.12 / 0.61, then 0.250 / 0.78 / 0.28 / 0.74;
    - GRU classifier (20 series): 0.222 / 0.39 / 0.24 / 0.69, then 0.269 / 0.43 /
      0.22 / 0.64.

    ``surrogate="ridge"`` gives dense maps of AUROC 0.68, 0.67 and 0.65 there.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import Lime
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> explainer = Lime(model, feature_mask="time", random_state=0)
    >>> explainer.fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    def __init__(self, estimator, *, baselines="zeros", feature_mask=None, n_samples=50,
                 surrogate="lasso", alpha=0.01, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.feature_mask = feature_mask
        self.n_samples = n_samples
        self.surrogate = surrogate
        self.alpha = alpha
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        _check_positive_int(self.n_samples, "n_samples")
        if self.surrogate not in _LIME_SURROGATES:
            raise ValueError(
                f"surrogate must be one of {sorted(_LIME_SURROGATES)}; got {self.surrogate!r}."
            )
        if (
            not isinstance(self.alpha, numbers.Real)
            or isinstance(self.alpha, bool)
            or not self.alpha > 0
        ):
            raise ValueError(f"alpha must be a positive float; got {self.alpha!r}.")

    def _sklearn_surrogate(self):
        """The surrogate, as a scikit-learn regressor with ``coef_``."""
        params = {} if self.surrogate == "linear" else {"alpha": float(self.alpha)}
        return _StandardisedTarget(_LIME_SURROGATES[self.surrogate](**params))

    def _make_method(self, forward):
        surrogate = _CaptumSurrogate(self._sklearn_surrogate())
        return attr.Lime(forward, interpretable_model=surrogate)

    def _attribute_kwargs(self, x, rng):
        return {
            "baselines": self._baselines(x, rng),
            "feature_mask": self._feature_mask(x.device),
            "n_samples": self.n_samples,
            "perturbations_per_eval": self.batch_size,
        }


_LIME_SURROGATES = {"lasso": Lasso, "ridge": Ridge, "linear": LinearRegression}


class _StandardisedTarget(RegressorMixin, BaseEstimator):
    """Fits ``regressor`` to the targets divided by their (weighted) standard
    deviation and scales ``coef_`` back, so that a penalty means the same
    whatever the units of the model's output."""

    def __init__(self, regressor):
        self.regressor = regressor

    def fit(self, X, y, sample_weight=None):
        y = np.asarray(y, dtype=np.float64)
        mean = np.average(y, axis=0, weights=sample_weight)
        std = np.sqrt(np.average((y - mean) ** 2, axis=0, weights=sample_weight))
        scale = np.where(std > 1e-12, std, 1.0)
        self.regressor_ = clone(self.regressor).fit(X, y / scale, sample_weight=sample_weight)
        self.coef_ = self.regressor_.coef_ * (scale[:, None] if y.ndim == 2 else scale)
        return self


class _CaptumSurrogate:
    """captum's interpretable-model interface (``fit`` on a loader of (inputs,
    outputs, weights), ``representation``) over a scikit-learn regressor."""

    def __init__(self, regressor):
        self.regressor = regressor

    def fit(self, train_data, **kwargs):
        inputs, outputs, weights = (torch.cat(parts) for parts in zip(*train_data))
        self.fitted_ = clone(self.regressor).fit(
            inputs.numpy(), outputs.numpy(), sample_weight=weights.numpy()
        )

    def representation(self):
        return torch.as_tensor(self.fitted_.coef_, dtype=torch.float32).reshape(1, -1)


fill_common_docs(FeatureOcclusion, FeatureAblation, FeaturePermutation,
                 ShapleyValueSampling, Lime)
