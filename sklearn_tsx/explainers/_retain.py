"""RETAIN's own explanation in the explainer contract: each entry's
contribution to the explained output, read from the model's attentions."""

import torch
from sklearn.utils.validation import check_is_fitted

from ..models._retain import _RetainParams, retain_contributions
from ..utils._adapters import _unwrap
from .base import BaseExplainer

__all__ = ["RetainExplainer"]


class RetainExplainer(BaseExplainer):
    """Attributions of a fitted RETAIN model from its attentions (Choi et al. 2016).

    RETAIN's output is linear in its input once its attentions ``alpha``
    (over steps) and ``beta`` (over embedding dimensions) are fixed, so the
    contribution of channel ``k`` at step ``j`` to output ``o`` is exact:
    ``alpha_j * (W_out[o] . (beta_j * W_emb[:, k])) * z_{k,j}``, with ``z`` the
    input after the model's ``input_scaling``. A sample's attributions sum to
    the explained output minus the model's ``intercept_[o]``: the class logit
    (not the probability) for a classifier, the prediction for a regressor;
    for a model with ``sequence_output``, the output at the explained step
    (``target``), to which later steps contribute nothing.
    No post-hoc approximation: this reads the model, as
    :meth:`RetainClassifier.explain <sklearn_tsx.models.RetainClassifier.explain>`
    does, so that the metrics and benchmarks score RETAIN like any explainer.

    Parameters
    ----------
    estimator : RetainClassifier or RetainRegressor
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
    estimator_ : RetainClassifier or RetainRegressor
        The explained model.
    model_ : ModelAdapter
        The wrapped model.
    n_channels_in_, n_timepoints_in_ : int
        Shape of the panel seen in ``fit``.
    n_features_in_ : int
        ``n_channels_in_ * n_timepoints_in_``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.models import RetainRegressor
    >>> from sklearn_tsx.explainers import RetainExplainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 2, 12)).astype(np.float32)
    >>> y = X[:, 0, -3:].sum(axis=1)
    >>> model = RetainRegressor(hidden_size=8, embedding_size=8, max_epochs=3,
    ...                         random_state=0).fit(X, y)
    >>> S = RetainExplainer(model).fit(X).explain(X[:5])
    >>> S.shape
    (5, 2, 12)
    >>> bool(np.allclose(S.sum(axis=(1, 2)) + model.intercept_[0], model.predict(X[:5]),
    ...                  atol=1e-4))
    True
    """

    def __init__(self, estimator, *, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _fit(self, X, y):
        model = _unwrap(self.estimator_)
        if not isinstance(model, _RetainParams):
            raise TypeError(
                "RetainExplainer explains RetainClassifier or RetainRegressor models; "
                f"got {type(model).__name__}. Use a post-hoc explainer (for example "
                "IntegratedGradients) for other models."
            )
        check_is_fitted(model, "net_")

    def _explain_batch(self, X, target, rng):
        module = self.model_.module
        x = torch.as_tensor(X, device=next(module.parameters()).device)
        with torch.no_grad():
            return retain_contributions(module, x, torch.as_tensor(target, device=x.device))
