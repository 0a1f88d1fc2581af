"""Synthetic benchmarks with ground-truth saliency, and real TSER loaders."""

from ._ismail import (
    ISMAIL_GEOMETRIES,
    ISMAIL_PROCESSES,
    make_ismail_background,
    make_ismail_dataset,
)
from ._magnets_synth import magnets_synthetic_target, make_magnets_synthetic
from ._spectral import make_tser_spectral
from ._state import make_state
from ._switch_feature import make_switch_feature
from ._tser import (
    load_cardano_sentiment,
    load_covid3month,
    load_tecator,
    load_tser_tsfile,
    make_tser_multivariate_interaction,
    make_tser_multivariate_threshold,
    make_tser_univariate_threshold,
)
from ._whitebox import WhiteBoxRegressor, make_arma, make_rare_feature, make_rare_time
from ._xcebra import make_xcebra_recording

__all__ = [
    "WhiteBoxRegressor",
    "make_arma",
    "make_rare_feature",
    "make_rare_time",
    "make_state",
    "make_switch_feature",
    "load_cardano_sentiment",
    "load_covid3month",
    "load_tecator",
    "load_tser_tsfile",
    "make_tser_multivariate_interaction",
    "make_tser_multivariate_threshold",
    "make_tser_univariate_threshold",
    "make_tser_spectral",
    "magnets_synthetic_target",
    "make_magnets_synthetic",
    "ISMAIL_GEOMETRIES",
    "ISMAIL_PROCESSES",
    "make_ismail_background",
    "make_ismail_dataset",
    "make_xcebra_recording",
]
