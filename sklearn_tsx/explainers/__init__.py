"""Post-hoc explainers: each an sklearn object with ``fit`` / ``explain``."""

from ._contralsp import ContraLSP
from ._magnets import MagnetsExplainer
from ._per_step import explain_per_step
from ._random import RandomExplainer
from .base import BaseExplainer

__all__ = [
    "BaseExplainer",
    "ContraLSP",
    "MagnetsExplainer",
    "RandomExplainer",
    "explain_per_step",
]
