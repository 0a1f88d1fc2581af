"""A random baseline: what every attribution method must beat."""

from .base import BaseExplainer

__all__ = ["RandomExplainer"]


class RandomExplainer(BaseExplainer):
    """Uniform random attributions in [0, 1), independent of the model.

    The floor of every ground-truth metric: an explainer that does not beat it
    has found nothing. :func:`explain_per_step` draws once per entry.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Only used to check the input shape.
    batch_size : int, default=64
        Samples per batch.
    n_jobs : int or None, default=None
        Workers over which batches are spread.
    device : str, default="cpu"
        Unused; kept for the common explainer interface.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
    verbose : int, default=0
        Progress bar when positive.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import RandomExplainer
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> RandomExplainer(model, random_state=0).fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    def __init__(self, estimator, *, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _explain_batch(self, X, target, rng):
        return rng.random(X.shape)

    def _explain_steps_batch(self, X, outputs, rng):
        # explain_per_step: one draw per entry, as each step's own explanation
        # would give its column
        return rng.random(X.shape)
