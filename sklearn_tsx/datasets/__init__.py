"""Synthetic benchmarks with ground-truth saliency, and real TSER loaders."""

from ._xcebra import make_xcebra_recording

__all__ = [
    "make_xcebra_recording",
]
