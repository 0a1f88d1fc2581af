"""The mask-learning explainers: Dynamask, ExtremalMask and ContraLSP.

Each learns a mask over the input by gradient descent on a perturbed copy of it;
they share the losses of :mod:`.losses`, Dynamask's perturbation operators
(:mod:`.perturbation_operators`) and the recurrent helpers of ExtremalMask and
ContraLSP (:mod:`.gru_scan`, :mod:`.batched_gru`).
"""

from .contralsp import ContraLSP
from .dynamask import Dynamask
from .extremal import ExtremalMask
from .perturbation_operators import (
    fade_moving_average,
    fade_past_moving_average,
    fade_reference,
    gaussian_blur,
)

__all__ = [
    "ContraLSP",
    "Dynamask",
    "ExtremalMask",
    "fade_moving_average",
    "fade_past_moving_average",
    "fade_reference",
    "gaussian_blur",
]
