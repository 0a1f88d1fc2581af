"""Time-series models trained through skorch: the black-box nets the papers
explain, as scikit-learn classifiers and regressors."""

from ._nets import (
    GRUClassifier,
    GRURegressor,
    InputCellAttentionClassifier,
    InputCellAttentionRegressor,
    LSTMClassifier,
    LSTMRegressor,
    TCNClassifier,
    TCNRegressor,
    TransformerClassifier,
    TransformerRegressor,
)
from ._retain import RetainClassifier, RetainRegressor
from .magnets import MagnetsClassifier, MagnetsRegressor
from .xcebra import XCEBRA

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "InputCellAttentionClassifier",
    "InputCellAttentionRegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "MagnetsClassifier",
    "MagnetsRegressor",
    "RetainClassifier",
    "RetainRegressor",
    "TCNClassifier",
    "TCNRegressor",
    "TransformerClassifier",
    "TransformerRegressor",
    "XCEBRA",
]
