"""Post-hoc explainers: each an sklearn object with ``fit`` / ``explain``."""

from ._afo import AugmentedFeatureOcclusion
from ._captum_perturbation import (
    FeatureAblation,
    FeatureOcclusion,
    FeaturePermutation,
    Lime,
    ShapleyValueSampling,
)
from ._fit import FIT
from ._gradient import (
    DeepLift,
    DeepLiftShap,
    GradientShap,
    IntegratedGradients,
    Saliency,
    SmoothGrad,
)
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
from ._tsr import TemporalSaliencyRescaling
from .base import BaseExplainer

__all__ = [
    "AugmentedFeatureOcclusion",
    "BaseExplainer",
    "ContraLSP",
    "DeepLift",
    "DeepLiftShap",
    "Dynamask",
    "ExtremalMask",
    "FIT",
    "FeatureAblation",
    "FeatureOcclusion",
    "FeaturePermutation",
    "GradientShap",
    "IntegratedGradients",
    "Lime",
    "MagnetsExplainer",
    "RandomExplainer",
    "Saliency",
    "ShapleyValueSampling",
    "SmoothGrad",
    "TemporalSaliencyRescaling",
    "explain_per_step",
    "fade_moving_average",
    "fade_past_moving_average",
    "fade_reference",
    "gaussian_blur",
]
