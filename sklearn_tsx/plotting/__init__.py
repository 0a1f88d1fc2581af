"""Plots of attributions and of interpretable models; each returns a Figure."""

from ._magnets import (
    plot_magnets_bottleneck,
    plot_magnets_contributions,
    plot_magnets_masks,
)
from ._saliency import plot_saliency

__all__ = [
    "plot_magnets_bottleneck",
    "plot_magnets_contributions",
    "plot_magnets_masks",
    "plot_saliency",
]
