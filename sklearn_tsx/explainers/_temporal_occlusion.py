"""Occlusion of the last step of each prefix of a series: time_interpret's
TemporalOcclusion and TemporalAugmentedOcclusion, each under its
TimeForwardTunnel as time_interpret's experiments run them."""

import numbers

import torch

from ._captum import CaptumExplainer, fill_common_docs
from ._time_forward import (
    PrefixForward,
    PrefixTargetMixin,
    check_prefix_model,
    select_outputs,
)

__all__ = ["TemporalAugmentedOcclusion", "TemporalOcclusion"]

_SHARED_DOC = """channel_window : int or None, default=1
        Channels occluded together, slid over the channels with stride 1 (an
        entry's attribution is the mean over the windows covering it);
        ``None`` occludes all channels of the step at once."""


class _PrefixOcclusion(PrefixTargetMixin, CaptumExplainer):

    def _fit(self, X, y):
        super()._fit(X, y)
        window = self.channel_window
        if window is not None and (
            not isinstance(window, numbers.Integral) or isinstance(window, bool)
            or not 1 <= window <= X.shape[1]
        ):
            raise ValueError(
                f"channel_window must be None or an integer in [1, {X.shape[1]}] (the "
                f"number of channels); got {window!r}."
            )
        check_prefix_model(self, X)

    def _windows(self, device):
        """The channel windows as a boolean ``(n_windows, C)`` array."""
        n_channels = self.n_channels_in_
        height = self.channel_window or n_channels
        top = torch.arange(n_channels - height + 1, device=device)[:, None]
        channel = torch.arange(n_channels, device=device)
        return (channel >= top) & (channel < top + height)

    def _occlude_prefixes(self, x, target, values):
        """Attributions of ``x``: at step ``t``, the drop of the prediction from
        the prefix up to ``t`` when a channel window of step ``t`` takes
        ``values(t + 1)``, of shape ``(n, n_windows, n_draws, C)`` (averaged over
        the draws and over the windows covering each channel)."""
        n, _, n_timepoints = x.shape
        windows = self._windows(x.device)
        n_windows = len(windows)
        target = torch.as_tensor(target, device=x.device)
        attributions = torch.zeros_like(x)
        with torch.no_grad():
            for length in range(1, n_timepoints + 1):
                forward = PrefixForward(self.model_, length)
                prefix, explained = x[..., :length], target[:, length - 1]
                original = select_outputs(forward(prefix), explained)
                fill = values(length).expand(n, n_windows, -1, -1)
                n_draws = fill.shape[2]
                drops = torch.empty(n * n_windows * n_draws, dtype=x.dtype, device=x.device)
                per_pass = self.batch_size * n_draws
                for start in range(0, len(drops), per_pass):
                    rows = torch.arange(start, min(start + per_pass, len(drops)),
                                        device=x.device)
                    i = rows // (n_windows * n_draws)
                    j = rows // n_draws % n_windows
                    copies = prefix[i].clone()
                    copies[..., -1] = torch.where(windows[j], fill[i, j, rows % n_draws],
                                                  prefix[i, :, -1])
                    drops[rows] = original[i] - select_outputs(forward(copies), explained[i])
                if self.absolute:
                    drops = drops.abs()
                drops = drops.view(n, n_windows, n_draws).mean(-1)
                windows_f = windows.to(x.dtype)
                attributions[..., length - 1] = drops @ windows_f / windows_f.sum(0)
        return attributions


class TemporalOcclusion(_PrefixOcclusion):
    """Occlusion of each time step in the prediction from the steps up to it
    (time_interpret's ``TimeForwardTunnel(TemporalOcclusion(model))``).

    The attribution of entry ``(c, t)`` is the drop of the model's prediction
    from the steps up to ``t`` (the series cut after ``t``) when channel ``c``
    of step ``t`` (with the channels of its window) takes the baseline value:
    each step is judged by the prediction made when it arrives, given the past
    as it was. On a causal sequence model this is
    ``explain_per_step(FeatureOcclusion(model, window=1,
    channel_window=channel_window))``; on a model predicting once per series it
    is not, since the full series' prediction also sees the future.

    All samples and occluded copies of a batch go through the model together,
    in passes of ``batch_size`` copies, one prefix length at a time.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included, that predicts from series of any length
        (for a sequence model, the prediction of a prefix is the one at its
        last step).
    {shared}
    {perturbation_baselines}
    absolute : bool, default=False
        Average the absolute drops (time_interpret's experiments pass
        ``attributions_fn=abs``).
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"`` (the default).

    See Also
    --------
    FeatureOcclusion : Occlusion of windows of the whole series.
    TemporalAugmentedOcclusion : The same with values drawn from training series.

    Notes
    -----
    ``explain(X, target)`` explains the given class (or output) at every
    prefix; ``target=None`` explains at each prefix the class the model
    predicts from it (time_interpret's ``task`` argument).

    References
    ----------
    J. Enguehard. Time Interpret: a unified model interpretability library for
    time series. arXiv:2306.02968, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.explainers import TemporalOcclusion
    >>> from sklearn_tsx.models import GRUClassifier
    >>> X = np.random.default_rng(0).normal(size=(20, 2, 6)).astype(np.float32)
    >>> y = (X[:, 0, -1] > 0).astype(int)
    >>> model = GRUClassifier(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    >>> TemporalOcclusion(model).fit(X).explain(X[:3]).shape
    (3, 2, 6)
    """

    def __init__(self, estimator, *, channel_window=1, baselines="mean", absolute=False,
                 batch_size=64, n_jobs=None, device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.channel_window = channel_window
        self.baselines = baselines
        self.absolute = absolute
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _explain_batch(self, X, target, rng):
        x = torch.as_tensor(X, device=self._device)
        baseline = self._baselines(x, rng)
        if not isinstance(baseline, torch.Tensor):
            baseline = torch.full_like(x, baseline)
        # (n, 1 window, 1 draw, C): the same values for every window
        return self._occlude_prefixes(x, target,
                                      lambda length: baseline[:, None, None, :, length - 1])


class TemporalAugmentedOcclusion(_PrefixOcclusion):
    """Occlusion of each time step by values of training series, in the
    prediction from the steps up to it (time_interpret's
    ``TimeForwardTunnel(TemporalAugmentedOcclusion(model, data=X_train,
    is_temporal=True))``).

    As :class:`TemporalOcclusion`, but an occluded entry ``(c, t)`` takes the
    value ``X_train[r, c, t]`` of a training series ``r`` drawn at random for
    each occluded copy, and the drop is averaged over ``n_samples`` draws: the
    occluded series stays among plausible values at that time (Tonekaboni et
    al. 2020). :class:`AugmentedFeatureOcclusion` draws instead from all the
    training values of the channel, at any time, and explains the whole
    series.

    All samples, occluded copies and draws of a batch go through the model
    together, in passes of ``batch_size`` copies times ``n_samples`` draws, one
    prefix length at a time.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included, that predicts from series of any length
        (for a sequence model, the prediction of a prefix is the one at its
        last step).
    n_samples : int, default=10
        Training series drawn per occluded copy (time_interpret's
        ``n_sampling``; its experiments use 10).
    {shared}
    absolute : bool, default=False
        Average the absolute drops (time_interpret's experiments pass
        ``attributions_fn=abs``).
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    background_ : ndarray of shape (n_train, n_channels, n_timepoints)
        The training panel the values are drawn from.

    See Also
    --------
    AugmentedFeatureOcclusion : Occlusion of the whole series by values of the
        channel drawn at any time.
    TemporalOcclusion : The same with a fixed baseline.

    Notes
    -----
    ``explain(X, target)`` explains the given class (or output) at every
    prefix; ``target=None`` explains at each prefix the class the model
    predicts from it (time_interpret's ``task`` argument).

    References
    ----------
    S. Tonekaboni, S. Joshi, K. Campbell, D. Duvenaud and A. Goldenberg. What
    went wrong and when? Instance-wise feature importance for time-series
    black-box models. NeurIPS 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.explainers import TemporalAugmentedOcclusion
    >>> from sklearn_tsx.models import GRUClassifier
    >>> X = np.random.default_rng(0).normal(size=(20, 2, 6)).astype(np.float32)
    >>> y = (X[:, 0, -1] > 0).astype(int)
    >>> model = GRUClassifier(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    >>> tao = TemporalAugmentedOcclusion(model, n_samples=3, random_state=0).fit(X)
    >>> tao.explain(X[:3]).shape
    (3, 2, 6)
    """

    def __init__(self, estimator, *, n_samples=10, channel_window=1, absolute=False,
                 batch_size=64, n_jobs=None, device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.n_samples = n_samples
        self.channel_window = channel_window
        self.absolute = absolute
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _fit(self, X, y):
        if (not isinstance(self.n_samples, numbers.Integral)
                or isinstance(self.n_samples, bool) or self.n_samples < 1):
            raise ValueError(f"n_samples must be a positive integer; got {self.n_samples!r}.")
        super()._fit(X, y)
        self.background_ = X

    def _explain_batch(self, X, target, rng):
        x = torch.as_tensor(X, device=self._device)
        n_windows = len(self._windows(x.device))
        background = torch.as_tensor(self.background_, device=x.device)
        drawn = torch.as_tensor(
            rng.integers(len(background), size=(len(x), x.shape[-1], n_windows,
                                                self.n_samples)),
            device=x.device,
        )

        def values(length):  # (n, n_windows, n_samples, C)
            return background[drawn[:, length - 1], :, length - 1]

        return self._occlude_prefixes(x, target, values)


for _cls in (TemporalOcclusion, TemporalAugmentedOcclusion):
    _cls.__doc__ = _cls.__doc__.replace("{shared}", _SHARED_DOC)
fill_common_docs(TemporalOcclusion, TemporalAugmentedOcclusion)
