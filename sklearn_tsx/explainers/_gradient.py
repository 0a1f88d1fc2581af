"""Gradient attribution methods, computed by captum."""

import numbers
import threading

import numpy as np
from captum import attr

from ._captum import CaptumExplainer, fill_common_docs
from ._per_step import StepGradientMixin

# captum's GradientShap draws from numpy's global generator; batches running in
# threads (e.g. on a threaded dask cluster) take turns seeding it
_NUMPY_GLOBAL_RNG = threading.Lock()
_NT_TYPES = ("smoothgrad", "smoothgrad_sq", "vargrad")

__all__ = [
    "DeepLift",
    "DeepLiftShap",
    "GradientShap",
    "IntegratedGradients",
    "Saliency",
    "SmoothGrad",
]


def _check_positive_int(value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def _check_non_negative(value, name):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value >= 0:
        raise ValueError(f"{name} must be a non-negative number; got {value!r}.")


class _GradientExplainer(StepGradientMixin, CaptumExplainer):
    requires_gradients = True


class Saliency(_GradientExplainer):
    """Gradient of the explained output with respect to the input (Grad).

    Calls :class:`captum.attr.Saliency` (Simonyan et al. 2013).

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients.
    absolute : bool, default=True
        Return the absolute value of the gradient.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import Saliency
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> Saliency(model).fit(X).explain(X, target=1).shape
    (4, 2, 10)
    """

    _captum_class = attr.Saliency

    def __init__(self, estimator, *, absolute=True, batch_size=64, n_jobs=None,
                 device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.absolute = absolute
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _attribute_kwargs(self, x, rng):
        return {"abs": bool(self.absolute)}


class IntegratedGradients(_GradientExplainer):
    """Integrated Gradients (Sundararajan et al. 2017), by captum.

    Gradients averaged along the straight path from a baseline to the input,
    times the input minus the baseline.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients.
    {baselines}
    n_steps : int, default=50
        Points on the integration path.
    method : {"gausslegendre", "riemann_trapezoid", "riemann_left", \
"riemann_right", "riemann_middle"}, default="gausslegendre"
        Quadrature rule.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"``.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import IntegratedGradients
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> IntegratedGradients(model, n_steps=8).fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    _captum_class = attr.IntegratedGradients

    def __init__(self, estimator, *, baselines="zeros", n_steps=50, method="gausslegendre",
                 batch_size=64, n_jobs=None, device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.n_steps = n_steps
        self.method = method
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        _check_positive_int(self.n_steps, "n_steps")

    def _attribute_kwargs(self, x, rng):
        return {"baselines": self._baselines(x, rng), "n_steps": self.n_steps,
                "method": self.method}


class SmoothGrad(_GradientExplainer):
    """SmoothGrad (Smilkov et al. 2017): the gradient averaged over noisy copies.

    Calls :class:`captum.attr.NoiseTunnel` around :class:`captum.attr.Saliency`.
    The noise is Gaussian with standard deviation ``stdevs``; 0.15 is 15 % of
    the range of min-max scaled data, inside the 10-20 % the authors recommend
    (captum's own default, 1.0, would drown such data).

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients.
    n_samples : int, default=10
        Noisy copies per sample.
    stdevs : float, default=0.15
        Standard deviation of the noise.
    absolute : bool, default=True
        Average absolute gradients.
    nt_type : {"smoothgrad", "smoothgrad_sq", "vargrad"}, default="smoothgrad"
        How the noisy copies' gradients are combined (captum's ``NoiseTunnel``
        types): their mean (SmoothGrad), the mean of their squares
        (SmoothGrad-squared, Hooker et al. 2019) or their variance (VarGrad,
        Adebayo et al. 2018).
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import SmoothGrad
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> SmoothGrad(model, random_state=0).fit(X).explain(X, target=0).shape
    (4, 2, 10)

    A linear model's gradient does not depend on the input, so its variance
    over the noisy copies (VarGrad) is zero, to float rounding:

    >>> vargrad = SmoothGrad(model, nt_type="vargrad", random_state=0).fit(X)
    >>> bool(np.abs(vargrad.explain(X, target=0)).max() < 1e-6)
    True
    """

    def __init__(self, estimator, *, n_samples=10, stdevs=0.15, absolute=True,
                 nt_type="smoothgrad", batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.n_samples = n_samples
        self.stdevs = stdevs
        self.absolute = absolute
        self.nt_type = nt_type
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        _check_positive_int(self.n_samples, "n_samples")
        _check_non_negative(self.stdevs, "stdevs")
        if self.nt_type not in _NT_TYPES:
            raise ValueError(f"nt_type must be one of {_NT_TYPES}; got {self.nt_type!r}.")

    def _make_method(self, forward):
        return attr.NoiseTunnel(attr.Saliency(forward))

    def _attribute_kwargs(self, x, rng):
        return {"nt_type": self.nt_type, "nt_samples": self.n_samples,
                "stdevs": float(self.stdevs), "abs": bool(self.absolute)}


class DeepLift(_GradientExplainer):
    """DeepLIFT (Shrikumar et al. 2017) with the rescale rule, by captum.

    Contributions of the difference between the input and a baseline,
    propagated through the model's ReLU, sigmoid, tanh and softmax modules
    (other operations fall back to their gradient).

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients.
    {baselines}
    multiply_by_inputs : bool, default=True
        Multiply the multipliers by (input - baseline) (global attribution);
        ``False`` returns the multipliers (local attribution).
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"``.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import DeepLift
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> DeepLift(model).fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    _needs_module = True

    def __init__(self, estimator, *, baselines="zeros", multiply_by_inputs=True,
                 batch_size=64, n_jobs=None, device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.multiply_by_inputs = multiply_by_inputs
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _make_method(self, forward):
        return attr.DeepLift(forward, multiply_by_inputs=bool(self.multiply_by_inputs))

    def _attribute_kwargs(self, x, rng):
        return {"baselines": self._baselines(x, rng)}


class GradientShap(_GradientExplainer):
    """GradientSHAP (Lundberg and Lee 2017), by captum.

    Expected gradients: for random points between the (noisy) input and
    baselines drawn from a distribution, gradient times (input - baseline).

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients.
    baselines : {"train", "zeros", "mean", "uniform"} or float, default="train"
        The baseline distribution: training series (learned in ``fit``) drawn
        at random, zeros, the mean training series, uniform noise in [0, 1), or
        a constant.
    n_baselines : int, default=10
        Baselines drawn per batch.
    n_samples : int, default=5
        Random path points per sample.
    stdevs : float, default=0.0
        Standard deviation of the noise added to the input.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    background_ : ndarray of shape (n_train, n_channels, n_timepoints)
        Training panel the baselines are drawn from, when ``baselines="train"``.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"``.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import GradientShap
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> GradientShap(model, random_state=0).fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    _captum_class = attr.GradientShap
    _allowed_baselines = ("train", "zeros", "mean", "uniform")

    def __init__(self, estimator, *, baselines="train", n_baselines=10, n_samples=5,
                 stdevs=0.0, batch_size=64, n_jobs=None, device="cpu", random_state=None,
                 verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.n_baselines = n_baselines
        self.n_samples = n_samples
        self.stdevs = stdevs
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        _check_positive_int(self.n_baselines, "n_baselines")
        _check_positive_int(self.n_samples, "n_samples")
        _check_non_negative(self.stdevs, "stdevs")

    def _attribute_kwargs(self, x, rng):
        return {"baselines": self._baselines(x, rng, self.n_baselines),
                "n_samples": self.n_samples, "stdevs": float(self.stdevs)}

    def _attribute(self, forward, x, target, rng, additional_forward_args=None):
        with _NUMPY_GLOBAL_RNG:
            state = np.random.get_state()  # noqa: NPY002 (captum's generator)
            np.random.seed(int(rng.integers(2**32)))  # noqa: NPY002
            try:
                return super()._attribute(forward, x, target, rng, additional_forward_args)
            finally:
                np.random.set_state(state)  # noqa: NPY002


class DeepLiftShap(_GradientExplainer):
    """DeepLIFT-SHAP (Lundberg and Lee 2017), by captum.

    DeepLIFT against each baseline of a distribution, averaged over the
    baselines.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients.
    baselines : {"train", "zeros", "mean", "uniform"} or float, default="train"
        The baseline distribution: training series (learned in ``fit``) drawn
        at random, zeros, the mean training series, uniform noise in [0, 1), or
        a constant.
    n_baselines : int, default=10
        Baselines drawn per batch (at least 2).
    multiply_by_inputs : bool, default=True
        Global (``True``) or local (``False``) attributions.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    background_ : ndarray of shape (n_train, n_channels, n_timepoints)
        Training panel the baselines are drawn from, when ``baselines="train"``.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"``.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import DeepLiftShap
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> DeepLiftShap(model, random_state=0).fit(X).explain(X, target=0).shape
    (4, 2, 10)
    """

    _needs_module = True
    _allowed_baselines = ("train", "zeros", "mean", "uniform")

    def __init__(self, estimator, *, baselines="train", n_baselines=10,
                 multiply_by_inputs=True, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.n_baselines = n_baselines
        self.multiply_by_inputs = multiply_by_inputs
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        if not isinstance(self.n_baselines, numbers.Integral) or self.n_baselines < 2:
            raise ValueError(
                f"n_baselines must be an integer >= 2; got {self.n_baselines!r}."
            )

    def _make_method(self, forward):
        return attr.DeepLiftShap(forward, multiply_by_inputs=bool(self.multiply_by_inputs))

    def _attribute_kwargs(self, x, rng):
        return {"baselines": self._baselines(x, rng, self.n_baselines)}


fill_common_docs(Saliency, IntegratedGradients, SmoothGrad, DeepLift, GradientShap,
                 DeepLiftShap)
