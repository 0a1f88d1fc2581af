"""Post-hoc explainers: each an sklearn object with ``fit`` / ``explain``."""

from ._contralsp import ContraLSP
from ._dynamask import Dynamask
from ._extremal import ExtremalMask
from ._magnets import MagnetsExplainer
from ._per_step import explain_per_step
from ._perturbations import (
    fade_moving_average,
    fade_past_moving_average,
    fade_reference,
    gaussian_blur,
)
from ._random import RandomExplainer
from .base import BaseExplainer

__all__ = [
    "BaseExplainer",
    "ContraLSP",
    "Dynamask",
    "ExtremalMask",
    "MagnetsExplainer",
    "RandomExplainer",
    "explain_per_step",
    "fade_moving_average",
    "fade_past_moving_average",
    "fade_reference",
    "gaussian_blur",
]
