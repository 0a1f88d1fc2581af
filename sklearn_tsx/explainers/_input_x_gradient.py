"""Input x Gradient, computed by captum."""

from captum import attr

from ._captum import fill_common_docs
from ._gradient import _GradientExplainer

__all__ = ["InputXGradient"]


class InputXGradient(_GradientExplainer):
    """Gradient of the explained output times the input (Shrikumar et al. 2016).

    Calls :class:`captum.attr.InputXGradient`. For a linear model it is each
    entry's contribution ``w * x`` to the output.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import InputXGradient
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> InputXGradient(model).fit(X).explain(X, target=1).shape
    (4, 2, 10)
    """

    _captum_class = attr.InputXGradient

    def __init__(self, estimator, *, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose


fill_common_docs(InputXGradient)
