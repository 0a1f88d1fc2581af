"""Augmented Feature Occlusion (Tonekaboni et al. 2020)."""

import numbers

import numpy as np
import torch
from captum import attr

from ._captum import CaptumExplainer, captum_target, fill_common_docs
from ._per_step import per_step_ablation

__all__ = ["AugmentedFeatureOcclusion"]


class AugmentedFeatureOcclusion(CaptumExplainer):
    """Augmented Feature Occlusion (AFO): occlusion by plausible values.

    Entry ``(c, t)`` is replaced by values of channel ``c`` drawn from the
    training panel (learned in ``fit``); its importance is the mean absolute
    change of the explained output over ``n_samples`` draws (Tonekaboni et
    al. 2020). Unlike occlusion by a constant, the replaced series stays in
    the data distribution. Each draw is one :class:`captum.attr.FeatureAblation`
    pass whose baseline holds the drawn values, so every entry of every sample
    of a batch is perturbed in batched forward passes.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    n_samples : int, default=10
        Draws per entry.
    {feature_mask}
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    channel_values_ : ndarray of shape (n_channels, n_samples_train * n_timepoints)
        Training values of each channel, the distribution occluded entries are
        drawn from.
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The feature groups, when ``feature_mask`` is given.

    References
    ----------
    S. Tonekaboni, S. Joshi, K. Campbell, D. Duvenaud and A. Goldenberg. What
    went wrong and when? Instance-wise feature importance for time-series
    black-box models. NeurIPS 2020.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import AugmentedFeatureOcclusion
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> afo = AugmentedFeatureOcclusion(model, n_samples=3, random_state=0).fit(X)
    >>> afo.explain(X, target=0).shape
    (4, 2, 10)
    """

    def __init__(self, estimator, *, n_samples=10, feature_mask=None, batch_size=64,
                 n_jobs=None, device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.n_samples = n_samples
        self.feature_mask = feature_mask
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _fit(self, X, y):
        if not isinstance(self.n_samples, numbers.Integral) or self.n_samples < 1:
            raise ValueError(f"n_samples must be a positive integer; got {self.n_samples!r}.")
        super()._fit(X, y)
        self.channel_values_ = X.transpose(1, 0, 2).reshape(X.shape[1], -1)

    def _draw(self, x, rng):
        """One replacement value per entry, from its channel's training values."""
        n, n_channels, n_timepoints = x.shape
        index = rng.integers(self.channel_values_.shape[1], size=(n, n_channels, n_timepoints))
        values = self.channel_values_[np.arange(n_channels)[:, None], index]
        return torch.as_tensor(values, dtype=x.dtype, device=x.device)

    def _explain_batch(self, X, target, rng):
        x = torch.as_tensor(X, device=self._device)
        method = attr.FeatureAblation(self.model_.forward)
        kwargs = {
            "target": captum_target(target, x.device),
            "feature_mask": self._feature_mask(x.device),
            "perturbations_per_eval": self._perturbations_per_eval(len(x)),
        }
        return sum(
            method.attribute(x, baselines=self._draw(x, rng), **kwargs).abs()
            for _ in range(self.n_samples)
        ) / self.n_samples

    def _explain_steps_batch(self, X, outputs, rng):
        x = torch.as_tensor(X, device=self._device)
        masks, n_groups = self._group_masks(x.device)
        outputs = torch.as_tensor(outputs)
        # each entry lies in one group, so the mean over groups is one drop
        return sum(
            per_step_ablation(self.model_.forward, x, outputs, masks, n_groups,
                              self._draw(x, rng), self.batch_size,
                              causal=self.model_.causal).abs()
            for _ in range(self.n_samples)
        ) / self.n_samples


fill_common_docs(AugmentedFeatureOcclusion)
