"""Integrated Gradients along paths that move one time step at a time:
Temporal IG and Sequential IG (Enguehard 2023), time_interpret's methods."""

import numbers

import torch
from captum.attr._utils.approximation_methods import approximation_parameters

from ._captum import CaptumExplainer, fill_common_docs
from ._time_forward import (
    PrefixForward,
    PrefixTargetMixin,
    check_prefix_model,
    select_outputs,
)

__all__ = ["SequentialIntegratedGradients", "TemporalIntegratedGradients"]

QUADRATURES = ("gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right",
               "riemann_middle")


def quadrature(method, n_steps):
    """Captum's weights and points on [0, 1] of ``method`` with ``n_steps`` points."""
    weights, alphas = approximation_parameters(method)
    return weights(n_steps), alphas(n_steps)


def moving_step_ig(forward, x, baseline, step, target, weights, alphas):
    """Integrated gradients of the entries of one time step per row, along the
    straight path that moves that step from the baseline to the input while the
    other steps keep their input values.

    Parameters
    ----------
    forward : callable
        ``(m * n_alphas, C, L)`` to outputs that ``target`` selects from.
    x, baseline : torch.Tensor of shape (m, C, L)
    step : torch.Tensor of int of shape (m,)
        The moving step of each row.
    target : torch.Tensor of int of shape (m,) or (m, 2)
        See :func:`select_outputs`.
    weights, alphas : sequence of float
        Quadrature weights and points on [0, 1].

    Returns
    -------
    attributions : torch.Tensor of shape (m, C)
        At each row's moving step.
    """
    n_alphas, (m, n_channels, length) = len(alphas), x.shape
    alpha = torch.as_tensor(alphas, dtype=x.dtype, device=x.device).view(-1, 1, 1, 1)
    moving = torch.nn.functional.one_hot(step, length).bool()[:, None, :]
    paths = torch.where(moving, baseline + alpha * (x - baseline), x)
    paths = paths.reshape(n_alphas * m, n_channels, length).requires_grad_()
    out = select_outputs(forward(paths), target.repeat(n_alphas, *([1] * (target.ndim - 1))))
    (grads,) = torch.autograd.grad(out.sum(), paths)
    grads = (grads.view(n_alphas, m, n_channels, length) * moving).sum(-1)
    weight = torch.as_tensor(weights, dtype=x.dtype, device=x.device).view(-1, 1, 1)
    return (weight * grads).sum(0) * ((x - baseline) * moving).sum(-1)


class _StepPathIG(CaptumExplainer):
    requires_gradients = True

    def __init__(self, estimator, *, baselines="zeros", n_steps=50, method="gausslegendre",
                 batch_size=64, n_jobs=None, device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.n_steps = n_steps
        self.method = method
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        if (not isinstance(self.n_steps, numbers.Integral) or isinstance(self.n_steps, bool)
                or self.n_steps < 1):
            raise ValueError(f"n_steps must be a positive integer; got {self.n_steps!r}.")
        if self.method not in QUADRATURES:
            raise ValueError(f"method must be one of {QUADRATURES}; got {self.method!r}.")

    def _path_inputs(self, X, rng):
        x = torch.as_tensor(X, device=self._device)
        baseline = self._baselines(x, rng)
        if not isinstance(baseline, torch.Tensor):
            baseline = torch.full_like(x, baseline)
        return x, baseline, quadrature(self.method, self.n_steps)


class SequentialIntegratedGradients(_StepPathIG):
    """Sequential Integrated Gradients (Enguehard 2023), time_interpret's
    ``SequentialIntegratedGradients``.

    The attribution of entry ``(c, t)`` is Integrated Gradients along the path
    that moves time step ``t`` alone from the baseline to the input, every other
    step keeping its input value:
    ``(x - b)[c, t] * ∫ ∂f(x with step t at b + α (x - b)) / ∂x[c, t] dα``.
    Each step's attribution is measured in the context of the real series,
    which the straight path of :class:`IntegratedGradients` (all steps at the
    baseline together) does not keep.

    The paths of all samples and steps of a batch are stacked in one tensor
    and cut into forward and backward passes of ``batch_size`` (sample, step)
    rows times ``n_steps`` path points (time_interpret makes one pass per
    step).

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients.
    {baselines}
    n_steps : int, default=50
        Points on each step's path.
    method : {"gausslegendre", "riemann_trapezoid", "riemann_left", \
"riemann_right", "riemann_middle"}, default="gausslegendre"
        Quadrature rule (captum's).
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"``.

    See Also
    --------
    TemporalIntegratedGradients : The same one-step paths on each prefix of the
        series.

    References
    ----------
    J. Enguehard. Sequential Integrated Gradients: a simple but effective
    method for explaining language models. Findings of ACL 2023.

    Examples
    --------
    On a linear model each entry's attribution is its weight times the input
    minus the baseline, as for Integrated Gradients:

    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import SequentialIntegratedGradients
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 1))
    >>> X = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    >>> sig = SequentialIntegratedGradients(model, n_steps=4).fit(X)
    >>> weights = model[1].weight.detach().numpy().reshape(1, 2, 3)
    >>> bool(np.allclose(sig.explain(X), X * weights, atol=1e-6))
    True
    """

    def _explain_batch(self, X, target, rng):
        x, baseline, (weights, alphas) = self._path_inputs(X, rng)
        n, n_channels, n_timepoints = x.shape
        sample = torch.arange(n, device=x.device).repeat_interleave(n_timepoints)
        step = torch.arange(n_timepoints, device=x.device).repeat(n)
        target = torch.as_tensor(target, device=x.device)
        attributions = torch.zeros_like(x)
        for start in range(0, n * n_timepoints, self.batch_size):
            rows = slice(start, start + self.batch_size)
            i, t = sample[rows], step[rows]
            attributions[i, :, t] = moving_step_ig(
                self.model_.forward, x[i], baseline[i], t, target[i], weights, alphas
            ).detach()
        return attributions


class TemporalIntegratedGradients(PrefixTargetMixin, _StepPathIG):
    """Temporal Integrated Gradients, time_interpret's
    ``TemporalIntegratedGradients``.

    The attribution of time step ``t`` is that of the model's prediction from
    the steps up to ``t`` (the series cut after ``t``), along the path that moves
    step ``t`` alone from the baseline to the input while the earlier steps keep
    their values: ``(x - b)[c, t] * ∫ ∂f(x[:, :t], b[:, t] + α (x - b)[:, t]) /
    ∂x[c, t] dα``. Each step is credited with what it adds to the prediction
    made when it arrives, given the past as it was.

    All samples and path points of a batch go through the model together, one
    call per prefix length (prefixes of different lengths cannot share a
    tensor).

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients and predict from series of any length (a
        recurrent or convolutional net; for a sequence model, the prediction
        of a prefix is the one at its last step).
    {baselines}
    n_steps : int, default=50
        Points on each step's path.
    method : {"gausslegendre", "riemann_trapezoid", "riemann_left", \
"riemann_right", "riemann_middle"}, default="gausslegendre"
        Quadrature rule (captum's).
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"``.

    See Also
    --------
    SequentialIntegratedGradients : The same one-step paths on the whole series.
    TimeForwardTunnel : Any gradient explainer on each prefix of the series.

    Notes
    -----
    ``explain(X, target)`` explains the given class (or output) at every
    prefix; ``target=None`` explains at each prefix the class the model
    predicts from it. time_interpret's ``strategy="interval"`` (more path
    points for longer gaps between irregular time stamps) is not offered: the
    series here are regularly sampled.

    References
    ----------
    J. Enguehard. Time Interpret: a unified model interpretability library for
    time series. arXiv:2306.02968, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.explainers import TemporalIntegratedGradients
    >>> from sklearn_tsx.models import GRUClassifier
    >>> X = np.random.default_rng(0).normal(size=(20, 2, 6)).astype(np.float32)
    >>> y = (X[:, 0, -1] > 0).astype(int)
    >>> model = GRUClassifier(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    >>> tig = TemporalIntegratedGradients(model, n_steps=8).fit(X)
    >>> tig.explain(X[:3]).shape
    (3, 2, 6)
    """

    def _fit(self, X, y):
        super()._fit(X, y)
        check_prefix_model(self, X)

    def _explain_batch(self, X, target, rng):
        x, baseline, (weights, alphas) = self._path_inputs(X, rng)
        target = torch.as_tensor(target, device=x.device)
        last = torch.zeros(len(x), dtype=torch.long, device=x.device)
        attributions = torch.zeros_like(x)
        for length in range(1, x.shape[-1] + 1):
            attributions[..., length - 1] = moving_step_ig(
                PrefixForward(self.model_, length), x[..., :length],
                baseline[..., :length], last + length - 1, target[:, length - 1],
                weights, alphas,
            ).detach()
        return attributions


fill_common_docs(SequentialIntegratedGradients, TemporalIntegratedGradients)
