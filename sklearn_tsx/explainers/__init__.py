"""Post-hoc explainers: each an sklearn object with ``fit`` / ``explain``."""

from ._afo import AugmentedFeatureOcclusion
from ._bayes import BayesKernelShap, BayesLime
from ._captum_perturbation import (
    FeatureAblation,
    FeatureOcclusion,
    FeaturePermutation,
    Lime,
    ShapleyValueSampling,
)
from ._fit import FIT
from ._geodesic_ig import GeodesicIntegratedGradients
from ._gradcam import LayerGradCam
from ._gradient import (
    DeepLift,
    DeepLiftShap,
    GradientShap,
    IntegratedGradients,
    Saliency,
    SmoothGrad,
)
from ._guided import Deconvolution, GuidedBackprop
from ._input_x_gradient import InputXGradient
from ._lof import LofKernelShap, LofLime
from ._magnets import MagnetsExplainer
from ._mask_learning import (
    ContraLSP,
    Dynamask,
    ExtremalMask,
    fade_moving_average,
    fade_past_moving_average,
    fade_reference,
    gaussian_blur,
)
from ._per_step import explain_per_step
from ._random import RandomExplainer
from ._retain import RetainExplainer
from ._shapley import KernelShap, ShapleyValues
from ._temporal_ig import SequentialIntegratedGradients, TemporalIntegratedGradients
from ._temporal_occlusion import TemporalAugmentedOcclusion, TemporalOcclusion
from ._tsr import TemporalSaliencyRescaling
from ._tunnels import NonLinearitiesTunnel, TimeForwardTunnel
from .base import BaseExplainer

__all__ = [
    "AugmentedFeatureOcclusion",
    "BaseExplainer",
    "BayesKernelShap",
    "BayesLime",
    "ContraLSP",
    "Deconvolution",
    "DeepLift",
    "DeepLiftShap",
    "Dynamask",
    "ExtremalMask",
    "FIT",
    "FeatureAblation",
    "FeatureOcclusion",
    "FeaturePermutation",
    "GeodesicIntegratedGradients",
    "GradientShap",
    "GuidedBackprop",
    "InputXGradient",
    "IntegratedGradients",
    "KernelShap",
    "LayerGradCam",
    "Lime",
    "LofKernelShap",
    "LofLime",
    "MagnetsExplainer",
    "NonLinearitiesTunnel",
    "RandomExplainer",
    "RetainExplainer",
    "Saliency",
    "SequentialIntegratedGradients",
    "ShapleyValueSampling",
    "ShapleyValues",
    "SmoothGrad",
    "TemporalAugmentedOcclusion",
    "TemporalIntegratedGradients",
    "TemporalOcclusion",
    "TemporalSaliencyRescaling",
    "TimeForwardTunnel",
    "explain_per_step",
    "fade_moving_average",
    "fade_past_moving_average",
    "fade_reference",
    "gaussian_blur",
]
