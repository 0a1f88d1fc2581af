"""One wrapper family over captum's attribution methods.

Each explainer of :mod:`._gradient` and :mod:`._captum_perturbation` is a
:class:`CaptumExplainer` that names its captum class and turns its own
constructor parameters into the arguments of captum's ``attribute``; the
common work (targets, baselines, feature masks, batching) lives here once.
"""

import numbers
import warnings

import numpy as np
import torch

from .base import BaseExplainer

__all__ = ["CaptumExplainer"]

# Shared by the docstrings of every captum-backed explainer.
COMMON_PARAMS_DOC = """batch_size : int, default=64
        Samples per batch.
    n_jobs : int or None, default=None
        Workers over which batches are spread (``None`` means 1).
    device : str, default="cpu"
        Torch device; ``"auto"`` takes CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds the random draws (noise, baselines, permutations, samples); each
        batch gets its own seed drawn up front.
    verbose : int, default=0
        Progress bar over batches when positive."""

BASELINES_DOC = """baselines : {"zeros", "mean", "uniform"} or float, default="zeros"
        Reference input: zeros, the mean training series (learned in ``fit``),
        uniform noise in [0, 1) drawn per sample (the authors' choice for
        min-max scaled data in Ismail et al. 2020), or a constant."""

PERTURBATION_BASELINES_DOC = """baselines : {"mean", "zeros", "uniform"} or float, \
default="mean"
        Value a perturbed entry takes: the mean training series (per channel
        and time point, learned in ``fit``), zeros, uniform noise in [0, 1)
        drawn per sample (the authors' choice for min-max scaled data in Ismail
        et al. 2020), or a constant. The mean is the default because it does
        not depend on the data's units: on standardised series it is about
        zero, and a series measured from another origin is explained as the
        same series. Zeros do depend on them: per-step FeatureAblation of a GRU
        on State scores AUROC 0.89 with zeros and 0.72 with the mean, because
        zero is where State's (and Switch-Feature's) label link is centred,
        but with every value plus 5 or plus 20 (the same task in other units;
        the net standardises its input) zeros fall to 0.77 and 0.67 while
        the mean stays at 0.72; on the rare-feature and rare-time white boxes,
        whose series are centred, both give the same maps
        (``benchmarks/bench_explainer_defaults.py``)."""

FEATURE_MASK_DOC = """feature_mask : {None, "time", "channel"} or array-like of int, \
default=None
        Which entries are perturbed together: each (channel, time) entry alone
        (``None``), every channel of a time step together (``"time"``), a whole
        channel together (``"channel"``), or an integer array of shape
        ``(n_channels, n_timepoints)`` labelling the groups."""

_BASELINE_NAMES = ("zeros", "mean", "uniform", "train")
_MASK_NAMES = ("time", "channel")


def fill_common_docs(*classes):
    """Substitute the shared parameter descriptions into the class docstrings."""
    for cls in classes:
        cls.__doc__ = (
            cls.__doc__.replace("{common}", COMMON_PARAMS_DOC)
            .replace("{baselines}", BASELINES_DOC)
            .replace("{perturbation_baselines}", PERTURBATION_BASELINES_DOC)
            .replace("{feature_mask}", FEATURE_MASK_DOC)
        )


def captum_target(target, device):
    """Captum's ``target``: a tensor of indices, or ``(step, output)`` tuples for
    sequence models."""
    if target.ndim == 2:
        return [tuple(int(v) for v in row) for row in target]
    return torch.as_tensor(target, dtype=torch.long, device=device)


class _AdapterModule(torch.nn.Module):
    """The adapter's forward as a module, for captum methods that hook modules."""

    def __init__(self, adapter):
        super().__init__()
        self.model = adapter.module
        self._adapter = adapter

    def forward(self, x):
        return self._adapter.forward(x)


class CaptumExplainer(BaseExplainer):
    """Base of the explainers that call a captum attribution method.

    Subclasses set ``_captum_class`` (or override :meth:`_make_method`) and
    ``_allowed_baselines``, and define :meth:`_attribute_kwargs`; methods that
    hook the model's modules (DeepLift) set ``_needs_module``.
    """

    _captum_class = None
    _needs_module = False
    _allowed_baselines = ("zeros", "mean", "uniform")

    def _fit(self, X, y):
        baselines = getattr(self, "baselines", None)
        if baselines is not None:
            named = isinstance(baselines, str) and baselines in self._allowed_baselines
            if not named and not (
                isinstance(baselines, numbers.Real) and not isinstance(baselines, bool)
                and np.isfinite(baselines)
            ):
                raise ValueError(
                    f"baselines must be one of {self._allowed_baselines} or a finite "
                    f"number; got {baselines!r}."
                )
            if baselines == "mean":
                self.baseline_ = X.mean(axis=0)
            if baselines == "train":
                self.background_ = X
        if getattr(self, "feature_mask", None) is not None:
            self.feature_mask_ = self._resolve_feature_mask(X.shape[1:])
        self._validate_params_values()

    def _validate_params_values(self):
        """Hook: check the method's own numeric parameters."""

    def _resolve_feature_mask(self, shape):
        mask = self.feature_mask
        n_channels, n_timepoints = shape
        if isinstance(mask, str):
            if mask not in _MASK_NAMES:
                raise ValueError(
                    f"feature_mask must be None, 'time', 'channel' or an integer array; "
                    f"got {mask!r}."
                )
            if mask == "time":
                return np.broadcast_to(np.arange(n_timepoints), shape).copy()
            return np.broadcast_to(np.arange(n_channels)[:, None], shape).copy()
        mask = np.asarray(mask)
        if mask.shape != shape or not np.issubdtype(mask.dtype, np.integer):
            raise ValueError(
                f"feature_mask must be an integer array of shape {shape} (channels, "
                f"time points); got dtype {mask.dtype} and shape {mask.shape}."
            )
        return mask

    def _feature_mask(self, device):
        """Captum's ``feature_mask`` tensor of shape (1, C, T), or ``None``."""
        if getattr(self, "feature_mask", None) is None:
            return None
        return torch.as_tensor(self.feature_mask_, dtype=torch.long, device=device)[None]

    def _group_labels(self, device):
        """The feature groups as consecutive labels: a long tensor of shape
        (C, T) (one group per entry without ``feature_mask``) and their number."""
        shape = (self.n_channels_in_, self.n_timepoints_in_)
        if getattr(self, "feature_mask", None) is None:
            labels = np.arange(shape[0] * shape[1]).reshape(shape)
        else:
            labels = np.unique(self.feature_mask_, return_inverse=True)[1].reshape(shape)
        labels = torch.as_tensor(labels, dtype=torch.long, device=device)
        return labels, int(labels.max()) + 1

    def _group_masks(self, device):
        """The feature groups as :func:`per_step_ablation` takes them: a function
        from group indices to entry masks, and the number of groups."""
        labels, n_groups = self._group_labels(device)

        def masks(group):
            return labels == group[:, None, None]

        return masks, n_groups

    def _baselines(self, x, rng, n=None):
        """Baselines for ``x``: one per sample (a number where it is constant), or
        a distribution of ``n`` series."""
        spec = self.baselines
        constant = 0.0 if spec == "zeros" else spec
        if n is None and isinstance(constant, numbers.Real):
            return float(constant)
        shape = (len(x) if n is None else n, *x.shape[1:])
        if spec == "mean":
            values = np.broadcast_to(self.baseline_, shape)
        elif spec == "uniform":
            values = rng.random(shape, dtype=np.float32)
        elif spec == "train":
            values = self.background_[rng.integers(len(self.background_), size=shape[0])]
        else:
            values = np.full(shape, constant, dtype=np.float32)
        # a copy: broadcast views are read-only, which torch does not support
        values = np.array(values, dtype=np.float32)
        return torch.as_tensor(values, dtype=x.dtype, device=x.device)

    def _perturbations_per_eval(self, n_samples):
        """Perturbed copies per forward pass, so a pass holds about ``batch_size``
        rows."""
        return max(1, self.batch_size // max(1, n_samples))

    def _attribute_kwargs(self, x, rng):
        """Keyword arguments of captum's ``attribute`` for the batch ``x``."""
        return {}

    def _make_method(self, forward):
        """The captum attribution object over ``forward``."""
        return self._captum_class(forward)

    def _explain_batch(self, X, target, rng):
        x = torch.as_tensor(X, device=self._device).requires_grad_(self.requires_gradients)
        forward = _AdapterModule(self.model_) if self._needs_module else self.model_.forward
        return self._attribute(forward, x, captum_target(target, x.device), rng)

    def _attribute(self, forward, x, target, rng, additional_forward_args=None):
        """Captum's attributions of ``forward`` (a module where ``_needs_module``)
        at ``x``, with this explainer's method and settings."""
        method = self._make_method(forward)
        with warnings.catch_warnings():
            # captum's notices that DeepLift sets hooks and that Lime fits one
            # surrogate per sample: both are what we ask for
            warnings.filterwarnings("ignore", message="Setting forward, backward hooks")
            warnings.filterwarnings("ignore", message="You are providing multiple inputs")
            return method.attribute(
                x, target=target, additional_forward_args=additional_forward_args,
                **self._attribute_kwargs(x, rng),
            )
