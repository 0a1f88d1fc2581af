"""MAGNETS' own explanation in the explainer contract: per-(channel, time)
attributions read from its masks and weights, without any post-hoc approximation."""

import torch
from sklearn.utils.validation import check_is_fitted

from ..utils._adapters import _unwrap
from .base import BaseExplainer

__all__ = ["MagnetsExplainer"]


class MagnetsExplainer(BaseExplainer):
    """Attributions of a fitted MAGNETS model from its masks and weights.

    A MAGNETS prediction is ``sum_{c,m} z[c, m] * w[c, m] + const``, with ``z``
    the aggregated masked channels and ``w`` the bottleneck weights folded with
    the head's weights of the explained output. Each feature's share
    ``z[c, m] * w[c, m]`` is spread over the time steps its mask selects:

    - ``"sum"``: step ``t`` gets ``mask[c, m, t] * x[c, t] * w[c, m]``;
    - ``"mean"``: the same divided by the number of selected steps;
    - ``"lp"``: in proportion to ``mask * |x|**p``;
    - ``"max"``: all of it on the step holding the maximum.

    The attributions of a sample therefore sum exactly to its prediction (the
    explained logit for a classifier) minus a constant, the part of the
    prediction that does not depend on the series
    (``head_weights_ @ bottleneck_bias_ + head_bias_``). Steps outside every mask
    get exactly zero.

    Parameters
    ----------
    estimator : MagnetsRegressor or MagnetsClassifier
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Possibly inside a :class:`sklearn.frozen.FrozenEstimator`.
    batch_size : int, default=64
        Samples per forward pass.
    n_jobs : int or None, default=None
        Workers over which batches are spread.
    device : str, default="cpu"
        Torch device; ``"auto"`` picks CUDA when available.
    random_state : None, default=None
        Unused (the explanation is deterministic); kept for the common interface.
    verbose : int, default=0
        Show a progress bar over batches when positive.

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    n_channels_in_, n_timepoints_in_ : int
        Shape of the panel seen in ``fit``.
    n_features_in_ : int
        ``n_channels_in_ * n_timepoints_in_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.models import MagnetsRegressor
    >>> from sklearn_tsx.explainers import MagnetsExplainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 1, 16)).astype(np.float32)
    >>> y = np.maximum(X[:, 0], 0).sum(axis=1)
    >>> model = MagnetsRegressor(n_masks=2, n_concepts=2, max_epochs=3,
    ...                          random_state=0).fit(X, y)
    >>> S = MagnetsExplainer(model).fit(X).explain(X[:5])
    >>> S.shape
    (5, 1, 16)
    >>> const = model.head_weights_[0] @ model.bottleneck_bias_ + model.head_bias_[0]
    >>> bool(np.allclose(S.sum(axis=(1, 2)) + const, model.predict(X[:5]), atol=1e-4))
    True
    """

    def __init__(
        self, estimator, *, batch_size=64, n_jobs=None, device="cpu", random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _fit(self, X, y):
        from ..models.magnets import _MagnetsBase

        model = _unwrap(self.estimator_)
        if not isinstance(model, _MagnetsBase):
            raise TypeError(
                "MagnetsExplainer explains MagnetsRegressor or MagnetsClassifier "
                f"models; got {type(model).__name__}. Use a post-hoc explainer "
                "(for example DeepLift) for other models."
            )
        check_is_fitted(model, "net_")

    def _explain_batch(self, X, target, rng):
        module = self.model_.module
        x = torch.as_tensor(X, device=next(module.parameters()).device)
        with torch.no_grad():
            masks, features, _, _, _ = module.decompose(x)
            W, _, V, _ = module.effective_weights()
            n_channels, n_masks = features.shape[1:]
            # weight of feature (c, m) in the explained output of each sample
            weights = (V[torch.as_tensor(target, device=x.device)] @ W).view(
                len(x), n_channels, n_masks
            )
            share = features * weights
            x = x[:, :, None, :]
            if module.aggregation == "sum":
                spread = masks * x
            elif module.aggregation == "mean":
                spread = masks * x / masks.sum(-1, keepdim=True).clamp(min=1.0)
            elif module.aggregation == "lp":
                mass = masks * x.abs() ** module.p
                spread = mass / mass.sum(-1, keepdim=True).clamp(min=1e-12)
            else:
                floor = x.amin(-1, keepdim=True)
                selected = masks * x + (1 - masks) * floor
                spread = torch.nn.functional.one_hot(
                    selected.argmax(-1), x.shape[-1]
                ).to(x.dtype)
            if module.aggregation in ("sum", "mean"):
                attributions = (spread * weights[..., None]).sum(2)
            else:
                attributions = (spread * share[..., None]).sum(2)
        return attributions
