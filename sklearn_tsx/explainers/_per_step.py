"""Per-step attributions of sequence models: each step's output explained by
the inputs at that step, as the State and Switch-Feature experiments score them."""

import numpy as np
import torch
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

    Occlusion methods (:class:`FeatureAblation`, :class:`FeatureOcclusion`,
    :class:`AugmentedFeatureOcclusion`) take a shorter road to the same
    attributions: each perturbed copy of a sample is passed once, and its
    outputs at every step serve every step's attribution: ``n_timepoints``
    times fewer forward passes.
    Their random draws (``baselines="uniform"``, AFO's replacement values) are
    then made once per sample rather than once per sample and step.

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


def per_step_ablation(forward, x, outputs, group_masks, n_groups, baselines, batch_size):
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

    Returns
    -------
    attributions : torch.Tensor of shape (n, C, T)
    """
    n = len(x)
    index = outputs.to(device=x.device, dtype=torch.long)[..., None]
    total = torch.zeros_like(x)
    count = torch.zeros_like(x)
    with torch.no_grad():
        original = forward(x).gather(-1, index)[..., 0]
        for start in range(0, n * n_groups, batch_size):
            rows = torch.arange(start, min(start + batch_size, n * n_groups),
                                device=x.device)
            sample, group = rows // n_groups, rows % n_groups
            mask = group_masks(group)
            fill = baselines if isinstance(baselines, float) else baselines[sample]
            perturbed = torch.where(mask, fill, x[sample])
            drop = original[sample] - forward(perturbed).gather(-1, index[sample])[..., 0]
            mask = mask.to(x.dtype)
            total.index_add_(0, sample, mask * drop[:, None, :])
            count.index_add_(0, sample, mask)
    return total / count


class StepAblationMixin:
    """Per-step attributions of an occlusion explainer by :func:`per_step_ablation`,
    over its ``_group_masks`` and ``_baselines``; picked up by
    :func:`explain_per_step`."""

    def _explain_steps_batch(self, X, outputs, rng):
        x = torch.as_tensor(X, device=self._device)
        masks, n_groups = self._group_masks(x.device)
        return per_step_ablation(self.model_.forward, x, torch.as_tensor(outputs), masks,
                                 n_groups, self._baselines(x, rng), self.batch_size)
