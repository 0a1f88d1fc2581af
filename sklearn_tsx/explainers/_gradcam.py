"""Grad-CAM on a convolution layer of the model, computed by captum."""

import torch
from captum import attr

from ._captum import captum_target, fill_common_docs
from ._gradient import _GradientExplainer

__all__ = ["LayerGradCam"]

_INTERPOLATE_MODES = ("linear", "nearest")


class LayerGradCam(_GradientExplainer):
    """Grad-CAM (Selvaraju et al. 2017) on a convolution layer, by captum.

    Each filter's activation map at the layer is weighted by the mean over
    time of the explained output's gradient with respect to it; the weighted
    maps are summed over filters. This is the class activation map of the
    time-series classification literature (Wang et al. 2017) for any
    convolutional net, such as the TCN of :mod:`sklearn_tsx.models`. Calls
    :class:`captum.attr.LayerGradCam`.

    The map has one value per time step of the layer's output. It is brought
    to the input's length by :func:`torch.nn.functional.interpolate` (a no-op
    when the layer keeps the length, as the TCN's causal convolutions do) and
    then copied to every channel: Grad-CAM says *when*, not *which channel*,
    so all channels of a time step get the same attribution.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients and hold a ``torch.nn.Conv1d``.
    layer : str or None, default=None
        Name of the layer in the model's torch module, as
        ``module.named_modules()`` gives it (for instance
        ``"module.blocks.1.conv1"`` in a TCN estimator); ``None`` takes the
        last ``torch.nn.Conv1d`` of the module with a kernel longer than one
        step (the last temporal convolution: a TCN block's 1 x 1 residual
        convolution, registered after it, only mixes channels), or the last
        ``torch.nn.Conv1d`` when all are 1 x 1.
    relu_attributions : bool, default=False
        Apply a ReLU to the map, keeping the time steps that speak for the
        target only (the original Grad-CAM's choice; captum's default is
        ``False``).
    interpolate_mode : {"linear", "nearest"}, default="linear"
        How a map shorter than the series is stretched to its length.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    layer_name_ : str
        Name of the explained layer.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import LayerGradCam
    >>> model = torch.nn.Sequential(torch.nn.Conv1d(2, 4, 3, padding=1), torch.nn.ReLU(),
    ...                             torch.nn.Flatten(), torch.nn.Linear(40, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> explainer = LayerGradCam(model).fit(X)
    >>> explainer.layer_name_
    '0'
    >>> cam = explainer.explain(X, target=1)
    >>> cam.shape
    (4, 2, 10)
    >>> bool(np.all(cam[:, 0] == cam[:, 1]))
    True
    """

    def __init__(self, estimator, *, layer=None, relu_attributions=False,
                 interpolate_mode="linear", batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.layer = layer
        self.relu_attributions = relu_attributions
        self.interpolate_mode = interpolate_mode
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        if self.interpolate_mode not in _INTERPOLATE_MODES:
            raise ValueError(
                f"interpolate_mode must be one of {_INTERPOLATE_MODES}; got "
                f"{self.interpolate_mode!r}."
            )
        modules = dict(self.model_.module.named_modules())
        if self.layer is None:
            convolutions = [name for name, m in modules.items()
                            if isinstance(m, torch.nn.Conv1d)]
            if not convolutions:
                raise ValueError(
                    f"LayerGradCam explains a convolution layer, and {self.model_.name} "
                    "has no torch.nn.Conv1d. Name another layer with layer=..., or use "
                    "a gradient method on the input (Saliency, IntegratedGradients)."
                )
            temporal = [name for name in convolutions if modules[name].kernel_size[0] > 1]
            self.layer_name_ = (temporal or convolutions)[-1]
        elif self.layer in modules and self.layer != "":
            self.layer_name_ = self.layer
        else:
            raise ValueError(
                f"layer={self.layer!r} is not a layer of {self.model_.name}; its layers "
                f"are {[name for name in modules if name]}."
            )

    def _explain_batch(self, X, target, rng):
        x = torch.as_tensor(X, device=self._device).requires_grad_()
        # the layer is looked up now: moving the model to a device may copy it
        layer = self.model_.module.get_submodule(self.layer_name_)
        method = attr.LayerGradCam(self.model_.forward, layer)
        cam = method.attribute(x, target=captum_target(target, x.device),
                               relu_attributions=bool(self.relu_attributions))
        if cam.ndim != 3:
            raise ValueError(
                f"LayerGradCam needs a layer whose output is (n, channels, time); "
                f"layer {self.layer_name_!r} of {self.model_.name} gives shape "
                f"{tuple(cam.shape)}."
            )
        cam = torch.nn.functional.interpolate(cam, size=X.shape[-1],
                                              mode=self.interpolate_mode)
        return cam.expand(-1, X.shape[1], -1)


fill_common_docs(LayerGradCam)
