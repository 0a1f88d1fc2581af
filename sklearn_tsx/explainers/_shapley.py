"""Shapley-value attributions over groups of entries, computed by captum:
exact (all orderings of a few groups) and Kernel SHAP (a weighted linear fit)."""

import itertools
import math

import numpy as np
import torch
from captum import attr

from ._captum import CaptumExplainer, fill_common_docs
from ._gradient import _check_positive_int
from ._per_step import StepKernelShapMixin, per_step_shapley

__all__ = ["KernelShap", "ShapleyValues"]

# n groups cost n! orderings of n forward passes per sample: 8 groups are
# 322,560 passes per sample, 9 would be ten times more
MAX_EXACT_GROUPS = 8


class KernelShap(StepKernelShapMixin, CaptumExplainer):
    """Kernel SHAP (Lundberg and Lee 2017): a linear surrogate fitted, with the
    Shapley kernel's weights, to the model's outputs on random coalitions of the
    feature groups.

    Calls :class:`captum.attr.KernelShap`: each coalition keeps some groups and
    sets the others to the baseline; the weighted least-squares coefficients
    estimate the groups' Shapley values, and every entry of a group gets its
    group's value. For a sequence model,
    :func:`~sklearn_tsx.explainers.explain_per_step` evaluates each coalition
    once for all time steps (``n_samples`` passes per sample instead of that
    many per step), fitting every step's output on the same coalitions.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    {perturbation_baselines}
    {feature_mask}
    n_samples : int, default=100
        Coalitions per sample the surrogate is fitted on; give fewer groups
        (``feature_mask``) than coalitions for a well-posed fit.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"`` (the default).
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The feature groups, when ``feature_mask`` is given.

    See Also
    --------
    ShapleyValues : The exact values, for a few groups.
    ShapleyValueSampling : Values estimated from random orderings.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import KernelShap
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> explainer = KernelShap(model, feature_mask="time", random_state=0)
    >>> explainer.fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    _captum_class = attr.KernelShap

    def __init__(self, estimator, *, baselines="mean", feature_mask=None, n_samples=100,
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
            "perturbations_per_eval": self.batch_size,
        }


class ShapleyValues(CaptumExplainer):
    """Exact Shapley values (Shapley 1953) of a few groups of entries.

    Calls :class:`captum.attr.ShapleyValues`: over every ordering of the
    groups, each group is switched from the baseline to the input in turn,
    and its attribution is its mean marginal change of the output. Every
    entry of a group gets its group's value, and the values add up to the
    output at the input minus the output at the baseline.

    The groups are, by default, ``n_windows`` consecutive time windows of
    near-equal length covering all channels (or each channel of each window
    apart, with ``split_channels=True``), as ``feature_mask`` groups entries
    for the other perturbation explainers; ``feature_mask`` sets them
    directly. ``n`` groups cost ``n! * n`` forward passes per sample, so at
    most 8 groups are allowed. For a sequence model,
    :func:`~sklearn_tsx.explainers.explain_per_step` evaluates each coalition
    once for all time steps (``n! * (n + 1)`` passes per sample instead of
    that many per step).

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    {perturbation_baselines}
    n_windows : int, default=4
        Consecutive time windows the series is cut into (unused when
        ``feature_mask`` is given).
    split_channels : bool, default=False
        Make each channel of each window its own group (``n_windows *
        n_channels`` groups).
    feature_mask : {None, "time", "channel"} or array-like of int, default=None
        The groups, overriding ``n_windows`` and ``split_channels``: every
        channel of a time step together (``"time"``), a whole channel together
        (``"channel"``), or an integer array of shape ``(n_channels,
        n_timepoints)`` labelling them. ``None`` groups by windows.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"`` (the default).
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The groups, labelled ``0 .. n_groups - 1``.
    n_groups_ : int
        Number of groups.

    See Also
    --------
    ShapleyValueSampling : Values estimated from random orderings, for many
        groups.
    KernelShap : Values estimated by a weighted linear fit.

    Examples
    --------
    For a linear model the Shapley value of a group is the sum, over its
    entries, of coefficient times (input - baseline):

    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import ShapleyValues
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(8, 1))
    >>> X = np.random.default_rng(0).normal(size=(3, 2, 4)).astype(np.float32)
    >>> explainer = ShapleyValues(model, n_windows=2, baselines="zeros").fit(X)
    >>> explainer.feature_mask_
    array([[0, 0, 1, 1],
           [0, 0, 1, 1]])
    >>> values = explainer.explain(X, target=0)
    >>> w = model[1].weight.detach().numpy().reshape(2, 4)
    >>> contribution = (w * X)[:, :, :2].sum(axis=(1, 2))
    >>> bool(np.allclose(values[:, 0, 0], contribution, atol=1e-5))
    True
    """

    _captum_class = attr.ShapleyValues

    def __init__(self, estimator, *, baselines="mean", n_windows=4, split_channels=False,
                 feature_mask=None, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.n_windows = n_windows
        self.split_channels = split_channels
        self.feature_mask = feature_mask
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _fit(self, X, y):
        super()._fit(X, y)
        if self.feature_mask is None:
            groups = self._window_groups()
        else:
            groups = self.feature_mask_
        self.feature_mask_ = np.unique(groups, return_inverse=True)[1].reshape(groups.shape)
        self.n_groups_ = int(self.feature_mask_.max()) + 1
        if self.n_groups_ > MAX_EXACT_GROUPS:
            raise ValueError(
                f"ShapleyValues enumerates every ordering of the groups (n! * n "
                f"forward passes per sample for n groups) and takes at most "
                f"{MAX_EXACT_GROUPS} groups; this grouping has {self.n_groups_}. Use "
                "fewer windows (n_windows), a coarser feature_mask, or "
                "ShapleyValueSampling or KernelShap, which estimate the values."
            )

    def _window_groups(self):
        _check_positive_int(self.n_windows, "n_windows")
        if self.n_windows > self.n_timepoints_in_:
            raise ValueError(
                f"n_windows ({self.n_windows}) exceeds the series length "
                f"({self.n_timepoints_in_} time points)."
            )
        if not isinstance(self.split_channels, (bool, np.bool_)):
            raise ValueError(f"split_channels must be a bool; got {self.split_channels!r}.")
        windows = np.concatenate([
            np.full(len(part), i)
            for i, part in enumerate(np.array_split(np.arange(self.n_timepoints_in_),
                                                    self.n_windows))
        ])
        groups = np.broadcast_to(windows, (self.n_channels_in_, self.n_timepoints_in_))
        if self.split_channels:
            groups = groups * self.n_channels_in_ + np.arange(self.n_channels_in_)[:, None]
        return groups

    def _group_labels(self, device):
        return (torch.as_tensor(self.feature_mask_, dtype=torch.long, device=device),
                self.n_groups_)

    def _feature_mask(self, device):
        return self._group_labels(device)[0][None]

    def _attribute_kwargs(self, x, rng):
        return {
            "baselines": self._baselines(x, rng),
            "feature_mask": self._feature_mask(x.device),
            "perturbations_per_eval": self._perturbations_per_eval(len(x)),
        }

    def _explain_steps_batch(self, X, outputs, rng):
        """Per-step values of a sequence model by :func:`per_step_shapley` over
        every ordering, one forward pass per coalition for all steps."""
        x = torch.as_tensor(X, device=self._device)
        labels, n_groups = self._group_labels(x.device)
        orders = torch.as_tensor(list(itertools.permutations(range(n_groups))))
        orders = orders.expand(len(x), math.factorial(n_groups), n_groups)
        return per_step_shapley(self.model_.forward, x, torch.as_tensor(outputs), labels,
                                n_groups, self._baselines(x, rng), orders, self.batch_size)


fill_common_docs(KernelShap, ShapleyValues)
