"""Per-step attributions of sequence models: each step's output explained by
the inputs at that step, as the State and Switch-Feature experiments score them."""

import numpy as np
import scipy.linalg
import torch
import torch.nn.functional as F
from sklearn.base import clone
from sklearn.linear_model import Lasso, LinearRegression
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ._step_local import step_local_forward

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

    Occlusion methods (:class:`FeatureAblation`, :class:`FeatureOcclusion`,
    :class:`AugmentedFeatureOcclusion`) take a shorter road to the same
    attributions: each perturbed copy of a sample is passed once, and its
    outputs at every step serve every step's attribution: ``n_timepoints``
    times fewer forward passes.
    Their random draws (``baselines="uniform"``, AFO's replacement values) are
    then made once per sample rather than once per sample and step.
    :class:`ShapleyValueSampling`, :class:`Lime` and :class:`KernelShap` share
    their sampled copies across steps in the same way: each sample's
    ``n_samples`` orderings of the groups (Shapley), on/off draws (LIME, one
    Lasso fit per step on the shared copies) or coalitions (Kernel SHAP, one
    least-squares fit per step, on a causal model over the groups starting at or
    before that step only, the later ones being dummies there) serve every step,
    so each step gets what the method gives explaining that step alone with
    those draws.
    Gradient explainers (:class:`Saliency`, :class:`IntegratedGradients`,
    :class:`SmoothGrad`, :class:`DeepLift`, :class:`GradientShap`,
    :class:`DeepLiftShap`) of the GRU, LSTM and input-cell attention LSTM
    models of :mod:`sklearn_tsx.models` hold each step's incoming recurrent
    state (and the earlier inputs its attention reads) at its true value, so one
    backward pass per perturbed copy yields every step's derivative with
    respect to its own input (the same attributions, to float rounding, for
    about ``n_timepoints`` times less work); their noise and baseline draws
    are then shared by the steps of a sample too. Other models take one row
    per step.

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
    steps_batch = getattr(explainer, "_explain_steps_batch", None)
    if steps_batch is not None:
        outputs = explainer._step_outputs(X)
        batches = explainer._run_batches(X, outputs, batch_method=steps_batch)
        return np.concatenate(batches).astype(np.float32, copy=False)
    n_samples, n_channels, n_timepoints = X.shape
    steps = np.arange(n_timepoints)
    rows = np.repeat(X, n_timepoints, axis=0)
    attributions = explainer.explain(rows, target=np.tile(steps, n_samples))
    attributions = attributions.reshape(n_samples, n_timepoints, n_channels, n_timepoints)
    # row (i, t) keeps its column t: advanced indices around a slice put the
    # step axis first, giving (T, n, C)
    return np.ascontiguousarray(attributions[:, steps, :, steps].transpose(1, 2, 0))


def per_step_ablation(forward, x, outputs, group_masks, n_groups, baselines, batch_size,
                      causal=False):
    """Per-step attributions of occlusion by groups of entries, one forward pass
    per perturbed copy.

    Copy ``j`` of a sample replaces the entries of group ``j`` by the
    baseline. The attribution of entry ``(c, t)`` is the drop of the output
    explained at step ``t`` when a group covering ``(c, t)`` is replaced,
    averaged over those groups: what occlusion explaining step ``t`` alone
    gives at ``(c, t)``, for every ``t`` from the same passes.

    Parameters
    ----------
    forward : callable
        Model forward: ``(m, C, T)`` to ``(m, T, n_outputs)``.
    x : torch.Tensor of shape (n, C, T)
    outputs : torch.Tensor of int of shape (n, T)
        Output explained at each step of each sample.
    group_masks : callable
        Maps group indices, a long tensor of shape ``(m,)``, to the boolean
        masks of their entries, shape ``(m, C, T)``; every entry lies in at
        least one group.
    n_groups : int
    baselines : float or torch.Tensor of shape (n, C, T)
        Values replacing the occluded entries.
    batch_size : int
        Perturbed copies per forward pass.
    causal : bool, default=False
        Whether the model's output at step ``t`` depends on the steps up to
        ``t`` only. The copies are then passed in the order of their group's
        last step, each batch cut after the last step its groups reach: the
        same attributions for about half the work.

    Returns
    -------
    attributions : torch.Tensor of shape (n, C, T)
    """
    n, _, n_timepoints = x.shape
    index = outputs.to(device=x.device, dtype=torch.long)[..., None]
    total = torch.zeros_like(x)
    count = torch.zeros_like(x)
    rows_all = torch.arange(n * n_groups, device=x.device)
    ends = torch.full((n_groups,), n_timepoints, dtype=torch.long, device=x.device)
    if causal:
        for start in range(0, n_groups, batch_size):
            group = torch.arange(start, min(start + batch_size, n_groups), device=x.device)
            steps = group_masks(group).any(1)  # (m, T)
            ends[group] = n_timepoints - steps.flip(-1).int().argmax(-1)
        rows_all = rows_all[torch.argsort(ends[rows_all % n_groups], stable=True)]
    with torch.no_grad():
        original = forward(x).gather(-1, index)[..., 0]
        for start in range(0, n * n_groups, batch_size):
            rows = rows_all[start:start + batch_size]
            sample, group = rows // n_groups, rows % n_groups
            end = int(ends[group].max())
            mask = group_masks(group)[..., :end]
            fill = baselines if isinstance(baselines, float) else baselines[sample][..., :end]
            perturbed = torch.where(mask, fill, x[sample][..., :end])
            drop = (original[sample][:, :end]
                    - forward(perturbed).gather(-1, index[sample][:, :end])[..., 0])
            mask = mask.to(x.dtype)
            total[..., :end].index_add_(0, sample, mask * drop[:, None, :])
            count[..., :end].index_add_(0, sample, mask)
    return total / count


def per_step_shapley(forward, x, outputs, labels, n_groups, baselines, orders, batch_size):
    """Per-step Shapley value sampling, one forward pass per coalition.

    For each sample and each of its orderings of the feature groups, the groups
    are switched from the baseline to the input one at a time; a group's
    marginal contribution to the output explained at step ``t`` is the change of
    that output when it is switched on. The attribution of entry ``(c, t)`` is
    the mean contribution of its group to step ``t``'s output over the
    orderings: what Shapley value sampling explaining step ``t`` alone gives at
    ``(c, t)`` with the same orderings, for every ``t`` from the same passes.

    Parameters
    ----------
    forward : callable
        Model forward: ``(m, C, T)`` to ``(m, T, n_outputs)``.
    x : torch.Tensor of shape (n, C, T)
    outputs : torch.Tensor of int of shape (n, T)
        Output explained at each step of each sample.
    labels : torch.Tensor of int of shape (C, T)
        Group of each entry, in ``[0, n_groups)``.
    n_groups : int
    baselines : float or torch.Tensor of shape (n, C, T)
        Values of the entries of the groups switched off.
    orders : torch.Tensor of int of shape (n, n_orders, n_groups)
        Orderings of the groups, one row per ordering (each a permutation).
    batch_size : int
        Coalitions per forward pass.

    Returns
    -------
    attributions : torch.Tensor of shape (n, C, T)
    """
    n, n_orders = orders.shape[:2]
    index = outputs.to(device=x.device, dtype=torch.long)[..., None]
    orders = orders.to(device=x.device, dtype=torch.long)
    # rank[i, p, g]: position of group g in ordering p of sample i
    rank = torch.empty_like(orders).scatter_(
        -1, orders, torch.arange(n_groups, device=x.device).expand_as(orders)
    )
    orders, rank = orders.reshape(-1, n_groups), rank.reshape(-1, n_groups)
    n_rows = n * n_orders * (n_groups + 1)  # each ordering: 0..n_groups groups on
    total = torch.zeros_like(x)
    previous = None
    with torch.no_grad():
        for start in range(0, n_rows, batch_size):
            rows = torch.arange(start, min(start + batch_size, n_rows), device=x.device)
            chain, k = rows // (n_groups + 1), rows % (n_groups + 1)
            sample = chain // n_orders
            on = rank[chain][:, labels] < k[:, None, None]
            fill = baselines if isinstance(baselines, float) else baselines[sample]
            out = forward(torch.where(on, x[sample], fill)).gather(-1, index[sample])[..., 0]
            # the row before each one: the previous output of the same ordering
            before = torch.cat((out[:1] if previous is None else previous, out[:-1]))
            previous = out[-1:]
            added = k > 0
            group = orders[chain[added], k[added] - 1]
            mask = (labels == group[:, None, None]).to(x.dtype)
            gain = (out - before)[added]
            total.index_add_(0, sample[added], mask * gain[:, None, :])
    return total / n_orders


class StepShapleyMixin:
    """Per-step attributions of Shapley value sampling by :func:`per_step_shapley`,
    over the explainer's feature groups and ``_baselines``, with ``n_samples``
    random orderings per sample; picked up by :func:`explain_per_step`."""

    def _explain_steps_batch(self, X, outputs, rng):
        x = torch.as_tensor(X, device=self._device)
        labels, n_groups = self._group_labels(x.device)
        orders = rng.permuted(np.tile(np.arange(n_groups), (len(x), self.n_samples, 1)),
                              axis=-1)
        return per_step_shapley(self.model_.forward, x, torch.as_tensor(outputs),
                                labels, n_groups, self._baselines(x, rng),
                                torch.as_tensor(orders), self.batch_size)


class _StepObjective(torch.nn.Module):
    """A sample's explained outputs, each step's at its own ``selection``
    (one-hot over the outputs), summed over steps, through a step-local forward:
    the gradient at step ``t`` is the derivative of the output at ``t`` with
    respect to the input at ``t``."""

    def __init__(self, adapter, local_forward):
        super().__init__()
        self.model = adapter.module  # a submodule, so DeepLift hooks what it hooks there
        self._softmax = adapter.softmax
        self._local_forward = local_forward

    def forward(self, x, selection):
        out = self._local_forward(x)
        if self._softmax:
            out = torch.softmax(out, dim=-1)
        return (out * selection).sum(dim=(1, 2))


class StepGradientMixin:
    """Per-step attributions of a captum gradient explainer from one backward
    pass for all steps, on models with a :func:`step_local_forward`; picked up
    by :func:`explain_per_step`, which gives other models one row per step."""

    @property
    def _explain_steps_batch(self):
        if step_local_forward(self.model_.module) is None:
            return None
        return self._explain_steps_local

    def _explain_steps_local(self, X, outputs, rng):
        x = torch.as_tensor(X, device=self._device).requires_grad_()
        objective = _StepObjective(self.model_, step_local_forward(self.model_.module))
        selection = F.one_hot(torch.as_tensor(outputs, device=x.device),
                              self.model_.n_outputs).to(x.dtype)
        forward = objective if self._needs_module else objective.forward
        return self._attribute(forward, x, None, rng, additional_forward_args=(selection,))


def _outputs_on_copies(forward, x, outputs, labels, baselines, kept, batch_size,
                       cosine=False):
    """Every step's explained output on the on/off copies of the samples, in
    forward passes of ``batch_size`` copies.

    Copy ``j`` of sample ``i`` keeps the groups with ``kept[i, j]`` true and
    sets the others to the baseline. Returns the outputs, a float32 array of
    shape ``(n, n_copies, T)``, and, with ``cosine``, the cosine similarity of
    each copy to its sample, shape ``(n, n_copies)`` (else ``None``).
    """
    n, n_copies, _ = kept.shape
    n_timepoints = x.shape[-1]
    index = outputs.to(device=x.device, dtype=torch.long)[..., None]
    kept = kept.to(x.device).reshape(n * n_copies, -1)
    targets = torch.empty(n * n_copies, n_timepoints, dtype=torch.float32)
    similarity = torch.empty(n * n_copies, dtype=torch.float32) if cosine else None
    with torch.no_grad():
        for start in range(0, n * n_copies, batch_size):
            rows = torch.arange(start, min(start + batch_size, n * n_copies),
                                device=x.device)
            sample = rows // n_copies
            on = kept[rows][:, labels]
            fill = baselines if isinstance(baselines, float) else baselines[sample]
            copies = torch.where(on, x[sample], fill)
            out = forward(copies).gather(-1, index[sample])[..., 0]
            targets[rows.cpu()] = out.float().cpu()
            if cosine:
                similarity[rows.cpu()] = F.cosine_similarity(
                    x[sample].flatten(1).float(), copies.flatten(1).float(), dim=1
                ).cpu()
    targets = targets.reshape(n, n_copies, n_timepoints).numpy()
    if cosine:
        similarity = similarity.reshape(n, n_copies).numpy()
    return targets, similarity


def _fit_steps(design, targets, weights, surrogate, labels):
    """Entry ``(c, t)`` of each sample: the coefficient of its group in the fit
    of step ``t``'s outputs, one multi-output fit of ``surrogate`` per sample
    (design ``(n, m, n_groups)``, targets ``(n, m, T)``, weights ``(n, m)``)."""
    n, _, n_timepoints = targets.shape
    steps = torch.arange(n_timepoints)
    labels = labels.cpu()
    attributions = torch.empty((n, *labels.shape), dtype=torch.float32)
    for i in range(n):
        fitted = clone(surrogate).fit(design[i], targets[i], sample_weight=weights[i])
        coef = torch.as_tensor(fitted.coef_, dtype=torch.float32).reshape(n_timepoints, -1)
        attributions[i] = coef[steps, labels]
    return attributions


def per_step_lime(forward, x, outputs, labels, baselines, kept, batch_size, surrogate=None):
    """Per-step LIME, one forward pass per perturbed copy.

    Copy ``j`` of a sample keeps the groups with ``kept[j]`` true and sets the
    others to the baseline. The outputs of all steps on the copies are fitted at
    once by ``surrogate`` on the on/off vectors (one independent fit per step, the
    copies weighted by ``exp(-d^2 / 2)`` with ``d`` the cosine distance between
    the copy and the sample), as :class:`captum.attr.Lime` fits each step's output
    with that surrogate and its default kernel. Entry ``(c, t)`` gets the
    coefficient of its group in the fit of step ``t``.

    Parameters
    ----------
    forward : callable
        Model forward: ``(m, C, T)`` to ``(m, T, n_outputs)``.
    x : torch.Tensor of shape (n, C, T)
    outputs : torch.Tensor of int of shape (n, T)
        Output explained at each step of each sample.
    labels : torch.Tensor of int of shape (C, T)
        Group of each entry, in ``[0, n_groups)``.
    baselines : float or torch.Tensor of shape (n, C, T)
        Values of the entries of the groups switched off.
    kept : torch.Tensor of bool of shape (n, n_copies, n_groups)
        The groups each copy keeps.
    batch_size : int
        Copies per forward pass.
    surrogate : sklearn regressor, default=None
        The linear model fitted, its ``coef_`` read; ``None`` is a Lasso of
        penalty 0.01 (captum's default surrogate).

    Returns
    -------
    attributions : torch.Tensor of shape (n, C, T)
    """
    targets, cosine = _outputs_on_copies(forward, x, outputs, labels, baselines, kept,
                                         batch_size, cosine=True)
    weights = torch.exp(-((1 - torch.as_tensor(cosine)) ** 2) / 2).numpy()
    if surrogate is None:
        surrogate = Lasso(alpha=0.01)
    design = kept.cpu().float().numpy()
    return _fit_steps(design, targets, weights, surrogate, labels).to(x.device)


# captum's KernelShap weight of the coalitions with every group on or off
# (KernelShap.inf_weight): all other coalitions weigh 1
KERNEL_SHAP_INF_WEIGHT = 1e6


def _kernel_shap_weights(design):
    """captum's Kernel SHAP weights of coalitions (rows of ``design``, on/off over
    the groups): ``1e6`` with every group on or every group off, else 1."""
    n_on = design.sum(axis=-1)
    return np.where((n_on == 0) | (n_on == design.shape[-1]), KERNEL_SHAP_INF_WEIGHT, 1.0)


def kernel_shap_step_coefficients(design, targets, first_steps=None):
    """Every group's coefficient in the Kernel SHAP fit of every step.

    Parameters
    ----------
    design : ndarray of bool of shape (n, n_copies, n_groups)
        The coalitions of each sample.
    targets : ndarray of shape (n, n_copies, T)
        The output explained at each step on each coalition.
    first_steps : ndarray of int of shape (n_groups,) or None, default=None
        For a causal model, the first step of each group. The fit of step ``t``
        then takes only the groups starting at or before ``t`` (the groups step
        ``t``'s output can depend on) and its own weights: ``1e6`` on the
        coalitions with all those groups on or all off, 1 elsewhere. The
        coalitions drawn over all groups, seen through the groups of step ``t``,
        are then drawn by the Shapley kernel of those groups: the fit is Kernel
        SHAP of the game of step ``t``'s output on its groups. The later groups
        get 0 at step ``t``, their Shapley value there. Steps with the same
        groups share a fit. ``None``: every step is fitted on all groups.

    Returns
    -------
    coefficients : ndarray of float64 of shape (n, T, n_groups)
    """
    n, _, n_timepoints = targets.shape
    n_groups = design.shape[-1]
    # in float64: captum fits in float32, where the 1e6 weights cost digits
    design = design.astype(np.float64)
    targets = targets.astype(np.float64)
    if first_steps is None:
        weights = _kernel_shap_weights(design)
        fitted = [LinearRegression().fit(design[i], targets[i], sample_weight=weights[i])
                  for i in range(n)]
        return np.stack([f.coef_.reshape(n_timepoints, n_groups) for f in fitted])
    first_steps = np.asarray(first_steps)
    starts = np.unique(first_steps)  # the steps where new groups come in
    coefficients = np.zeros((n, n_timepoints, n_groups))
    # many small fits: BLAS threads cost more than they give
    with threadpool_limits(1, user_api="blas"):
        for start, stop in zip(starts, [*starts[1:], n_timepoints]):
            visible = first_steps <= start
            columns = design[..., visible]
            weights = _kernel_shap_weights(columns)
            for i in range(n):
                coefficients[i, start:stop][:, visible] = _weighted_least_squares(
                    columns[i], targets[i, :, start:stop], weights[i]).T
    return coefficients


def _weighted_least_squares(design, targets, weights):
    """The coefficients of ``LinearRegression().fit(design, targets,
    sample_weight=weights)``, shape ``(n_columns, n_targets)``, by the same
    solver (the smallest of the weighted least-squares solutions with an
    intercept, singular values under ``1e-6`` times the largest taken as 0)
    without its checks, which cost more than the fit of a few columns. The
    coalitions with every group on, and those with every group off, are merged
    first (summed weight, weighted mean outputs): the sum of squares changes by
    a constant only, so the solutions are the same, from fewer rows."""
    n_on = design.sum(axis=1)
    key = np.where(n_on == 0, -2, np.where(n_on == design.shape[1], -1,
                                           np.arange(len(design))))
    _, first, row = np.unique(key, return_index=True, return_inverse=True)
    merged = np.bincount(row, weights=weights)
    means = np.zeros((len(first), targets.shape[1]))
    np.add.at(means, row, weights[:, None] * targets)
    design, targets, weights = design[first], means / merged[:, None], merged
    total = weights.sum()
    root = np.sqrt(weights)[:, None]
    centred = (design - weights @ design / total) * root
    right = (targets - weights @ targets / total) * root
    return scipy.linalg.lstsq(centred, right, cond=1e-6)[0]


def per_step_kernel_shap(forward, x, outputs, labels, baselines, kept, batch_size,
                         causal=False):
    """Per-step Kernel SHAP, one forward pass per coalition.

    Copy ``j`` of a sample keeps the groups with ``kept[j]`` true and sets the
    others to the baseline. The outputs of all steps on the copies are fitted at
    once by least squares with an intercept (scikit-learn's
    ``LinearRegression``, one independent fit per step) on the on/off vectors,
    as :class:`captum.attr.KernelShap` fits each step's output: every copy
    weighs 1 but those with all groups on or all off, which weigh ``1e6`` (the
    Shapley kernel is in the draws, see :meth:`StepKernelShapMixin._coalitions`).
    Entry ``(c, t)`` gets the coefficient of its group in the fit of step
    ``t``.

    Parameters
    ----------
    forward : callable
        Model forward: ``(m, C, T)`` to ``(m, T, n_outputs)``.
    x : torch.Tensor of shape (n, C, T)
    outputs : torch.Tensor of int of shape (n, T)
        Output explained at each step of each sample.
    labels : torch.Tensor of int of shape (C, T)
        Group of each entry, in ``[0, n_groups)``.
    baselines : float or torch.Tensor of shape (n, C, T)
        Values of the entries of the groups switched off.
    kept : torch.Tensor of bool of shape (n, n_copies, n_groups)
        The coalitions: the groups each copy keeps.
    batch_size : int
        Copies per forward pass.
    causal : bool, default=False
        Whether the model's output at step ``t`` depends on the steps up to
        ``t`` only. Step ``t`` is then fitted on the groups with an entry at or
        before ``t`` alone, the others being dummies there (see
        :func:`kernel_shap_step_coefficients`): Kernel SHAP of step ``t`` on
        the prefix up to ``t``, on the coalitions seen through that prefix.

    Returns
    -------
    attributions : torch.Tensor of shape (n, C, T)
    """
    targets, _ = _outputs_on_copies(forward, x, outputs, labels, baselines, kept,
                                    batch_size)
    first_steps = None
    if causal:
        n_groups = kept.shape[-1]
        steps = torch.arange(labels.shape[-1]).expand(labels.shape)
        first_steps = torch.full((n_groups,), labels.shape[-1], dtype=torch.long)
        first_steps = first_steps.scatter_reduce(0, labels.cpu().flatten(),
                                                 steps.flatten(), "amin").numpy()
    coefficients = kernel_shap_step_coefficients(kept.cpu().numpy(), targets, first_steps)
    steps = torch.arange(labels.shape[-1])
    coefficients = torch.as_tensor(coefficients, dtype=torch.float32)
    return coefficients[:, steps, labels.cpu()].to(x.device)


class StepLimeMixin:
    """Per-step attributions of LIME by :func:`per_step_lime`, over the
    explainer's feature groups and ``_baselines``, with ``n_samples`` random
    copies per sample (each group kept with probability 1/2, as captum draws
    them); picked up by :func:`explain_per_step`."""

    def _explain_steps_batch(self, X, outputs, rng):
        x = torch.as_tensor(X, device=self._device)
        labels, n_groups = self._group_labels(x.device)
        kept = torch.as_tensor(rng.random((len(x), self.n_samples, n_groups)) < 0.5)
        return per_step_lime(self.model_.forward, x, torch.as_tensor(outputs), labels,
                             self._baselines(x, rng), kept, self.batch_size,
                             surrogate=self._sklearn_surrogate())


class StepKernelShapMixin:
    """Per-step attributions of Kernel SHAP by :func:`per_step_kernel_shap`,
    over the explainer's feature groups and ``_baselines``, with ``n_samples``
    coalitions per sample drawn as captum draws them; picked up by
    :func:`explain_per_step`."""

    def _explain_steps_batch(self, X, outputs, rng):
        x = torch.as_tensor(X, device=self._device)
        labels, n_groups = self._group_labels(x.device)
        kept = torch.as_tensor(self._coalitions(rng, len(x), n_groups))
        return per_step_kernel_shap(self.model_.forward, x, torch.as_tensor(outputs),
                                    labels, self._baselines(x, rng), kept, self.batch_size,
                                    causal=self.model_.causal)

    def _coalitions(self, rng, n, n_groups):
        """``n_samples`` coalitions of ``n_groups`` groups for each of ``n``
        samples, a boolean array of shape ``(n, n_samples, n_groups)``: all
        groups on, all off, then ``k`` groups on, ``k`` drawn with probability
        proportional to ``(M - 1) / (k (M - k))`` for ``M`` groups and the
        subset of size ``k`` uniformly, as :class:`captum.attr.KernelShap`
        draws them. A single group has no other coalition (captum then fails):
        its two are all there is."""
        n_copies = self.n_samples if n_groups > 1 else min(self.n_samples, 2)
        kept = np.zeros((n, n_copies, n_groups), dtype=bool)
        kept[:, 0] = True
        n_drawn = max(n_copies - 2, 0)
        if n_drawn:
            sizes = np.arange(1, n_groups)
            p = 1.0 / (sizes * (n_groups - sizes))
            size = rng.choice(sizes, size=(n, n_drawn), p=p / p.sum())
            # the groups of the k smallest of uniform draws: a uniform k-subset
            rank = rng.random((n, n_drawn, n_groups)).argsort(-1).argsort(-1)
            kept[:, 2:] = rank < size[..., None]
        return kept


class StepAblationMixin:
    """Per-step attributions of an occlusion explainer by :func:`per_step_ablation`,
    over its ``_group_masks`` and ``_baselines``; picked up by
    :func:`explain_per_step`."""

    def _explain_steps_batch(self, X, outputs, rng):
        x = torch.as_tensor(X, device=self._device)
        masks, n_groups = self._group_masks(x.device)
        return per_step_ablation(self.model_.forward, x, torch.as_tensor(outputs), masks,
                                 n_groups, self._baselines(x, rng), self.batch_size,
                                 causal=self.model_.causal)
