"""Ground-truth and faithfulness metrics for attributions, and their scorers."""

from ._ismail import (
    weighted_accuracy_drop_auc,
    weighted_accuracy_drop_curve,
    weighted_aup,
    weighted_aupr,
    weighted_aur,
    weighted_mass_mask,
    weighted_precision_recall_areas,
    weighted_precision_recall_curve,
)

__all__ = [
    "weighted_accuracy_drop_auc",
    "weighted_accuracy_drop_curve",
    "weighted_aup",
    "weighted_aupr",
    "weighted_aur",
    "weighted_mass_mask",
    "weighted_precision_recall_areas",
    "weighted_precision_recall_curve",
]
