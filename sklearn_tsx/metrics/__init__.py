"""Ground-truth and faithfulness metrics for attributions, and their scorers."""

from ._faithfulness import (
    comprehensiveness,
    faithfulness_accuracy,
    faithfulness_cross_entropy,
    faithfulness_curves,
    sufficiency,
)
from ._ground_truth import (
    aup_score,
    auprc_score,
    aur_score,
    auroc_score,
    mask_entropy,
    mask_information,
    normalize_saliency,
)
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
from ._log_odds import log_odds
from ._robustness import infidelity, lipschitz_max, sensitivity_max
from ._scorers import make_explanation_scorer
from ._white_box import white_box_mae, white_box_mse, white_box_rmse

__all__ = [
    "aup_score",
    "auprc_score",
    "aur_score",
    "auroc_score",
    "comprehensiveness",
    "faithfulness_accuracy",
    "faithfulness_cross_entropy",
    "faithfulness_curves",
    "infidelity",
    "lipschitz_max",
    "log_odds",
    "make_explanation_scorer",
    "mask_entropy",
    "mask_information",
    "normalize_saliency",
    "sensitivity_max",
    "sufficiency",
    "weighted_accuracy_drop_auc",
    "weighted_accuracy_drop_curve",
    "weighted_aup",
    "weighted_aupr",
    "weighted_aur",
    "weighted_mass_mask",
    "weighted_precision_recall_areas",
    "weighted_precision_recall_curve",
    "white_box_mae",
    "white_box_mse",
    "white_box_rmse",
]
