"""Synthetic benchmarks with ground-truth saliency, and real TSER loaders."""

from ._ismail import (
    ISMAIL_GEOMETRIES,
    ISMAIL_PROCESSES,
    make_ismail_background,
    make_ismail_dataset,
)
from ._xcebra import make_xcebra_recording

__all__ = [
    "ISMAIL_GEOMETRIES",
    "ISMAIL_PROCESSES",
    "make_ismail_background",
    "make_ismail_dataset",
    "make_xcebra_recording",
]
