"""Synthetic benchmarks with ground-truth saliency, and real TSER loaders."""

from ._ismail import (
    ISMAIL_GEOMETRIES,
    ISMAIL_PROCESSES,
    make_ismail_background,
    make_ismail_dataset,
)
from ._state import make_state
from ._switch_feature import make_switch_feature
from ._whitebox import WhiteBoxRegressor, make_arma, make_rare_feature, make_rare_time
from ._xcebra import make_xcebra_recording

__all__ = [
    "WhiteBoxRegressor",
    "make_arma",
    "make_rare_feature",
    "make_rare_time",
    "make_state",
    "make_switch_feature",
    "ISMAIL_GEOMETRIES",
    "ISMAIL_PROCESSES",
    "make_ismail_background",
    "make_ismail_dataset",
    "make_xcebra_recording",
]
