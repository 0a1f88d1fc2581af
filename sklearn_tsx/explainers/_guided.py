"""Guided Backpropagation and Deconvolution: gradients whose passage through
the model's ReLU modules is rewritten, computed by captum."""

import warnings

import torch
from captum import attr

from ._captum import fill_common_docs
from ._gradient import _GradientExplainer

__all__ = ["Deconvolution", "GuidedBackprop"]


class _ModifiedReluExplainer(_GradientExplainer):
    # captum hooks ``torch.nn.ReLU`` modules only: a ReLU applied as a function
    # (``torch.relu``) keeps its plain gradient, so a model without ReLU modules
    # would silently get the plain gradient
    _needs_module = True

    def _validate_params_values(self):
        if not any(isinstance(m, torch.nn.ReLU) for m in self.model_.module.modules()):
            raise ValueError(
                f"{type(self).__name__} rewrites the gradient through the model's "
                f"torch.nn.ReLU modules, and {self.model_.name} has none (a ReLU "
                "applied as a function, torch.relu, cannot be hooked): it would "
                "return the plain gradient. Use Saliency, or a model built with "
                "torch.nn.ReLU modules."
            )

    def _attribute(self, forward, x, target, rng, additional_forward_args=None):
        with warnings.catch_warnings():
            # captum's notice that it hooks the ReLUs: what we ask for
            warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU")
            return super()._attribute(forward, x, target, rng, additional_forward_args)


class GuidedBackprop(_ModifiedReluExplainer):
    """Guided Backpropagation (Springenberg et al. 2015), by captum.

    The gradient of the explained output, with only the positive gradients
    passed back through each ReLU (and only where its input was positive).
    Calls :class:`captum.attr.GuidedBackprop`, which rewrites the backward
    pass of the model's ``torch.nn.ReLU`` modules (the TCN nets of
    :mod:`sklearn_tsx.models` hold them): a model without them (the recurrent
    nets, or a net whose ReLUs are functions, ``torch.relu``) is refused in
    ``fit``, since captum would silently return its plain gradient.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients and hold ``torch.nn.ReLU`` modules.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.

    See Also
    --------
    Deconvolution : Positive gradients passed back through the ReLUs
        whatever their input.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import GuidedBackprop
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 8),
    ...                             torch.nn.ReLU(), torch.nn.Linear(8, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> GuidedBackprop(model).fit(X).explain(X, target=1).shape
    (4, 2, 10)
    """

    _captum_class = attr.GuidedBackprop

    def __init__(self, estimator, *, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose


class Deconvolution(_ModifiedReluExplainer):
    """Deconvolution (Zeiler and Fergus 2014), by captum.

    The gradient of the explained output with each ReLU's backward pass
    replaced by a ReLU of the incoming gradient, whatever the ReLU's input.
    Calls :class:`captum.attr.Deconvolution`, which rewrites the backward pass
    of the model's ``torch.nn.ReLU`` modules (the TCN nets of
    :mod:`sklearn_tsx.models` hold them): a model without them (the recurrent
    nets, or a net whose ReLUs are functions, ``torch.relu``) is refused in
    ``fit``, since captum would silently return its plain gradient.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients and hold ``torch.nn.ReLU`` modules.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.

    See Also
    --------
    GuidedBackprop : Also masks the gradient where the ReLU's input was
        negative.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import Deconvolution
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 8),
    ...                             torch.nn.ReLU(), torch.nn.Linear(8, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> Deconvolution(model).fit(X).explain(X, target=1).shape
    (4, 2, 10)
    """

    _captum_class = attr.Deconvolution

    def __init__(self, estimator, *, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose


fill_common_docs(GuidedBackprop, Deconvolution)
