"""Errors between perturbed and original predictions, one value per perturbed row.

Shared by the mask explainers (Dynamask, ExtremalMask, ContraLSP): each row of a
batch is one mask's perturbed prediction, and its error trains only that mask.
"""

import torch

__all__ = [
    "CLASSIFIER_OUTPUTS", "LOSSES", "check_classifier_output", "compared_output",
    "resolve_loss", "row_error",
]

LOSSES = ("auto", "mse", "cross_entropy", "log_loss")

CLASSIFIER_OUTPUTS = ("logits", "probabilities")

_TINY = 1e-12


def check_classifier_output(value):
    if value not in CLASSIFIER_OUTPUTS:
        raise ValueError(
            f"classifier_output must be one of {CLASSIFIER_OUTPUTS}; got {value!r}."
        )


def compared_output(model, x, classifier_output, loss="mse"):
    """The model's output the error ``loss`` compares: for a classifier whose
    module ends before a softmax, its logits when ``loss="mse"`` and
    ``classifier_output="logits"``, otherwise the explained scores of
    :meth:`ModelAdapter.forward` (probabilities for classifiers)."""
    if loss == "mse" and classifier_output == "logits" and model.softmax:
        return model.module(x)
    return model.forward(x)


def resolve_loss(loss, model):
    """``"auto"``: cross-entropy for classifiers, squared error for regressors."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}.")
    if loss == "auto":
        return "cross_entropy" if model.is_classifier else "mse"
    if loss != "mse" and not model.is_classifier:
        raise ValueError(
            f"loss={loss!r} compares class probabilities, but {model.name} is not a "
            "classifier; use loss='mse'."
        )
    return loss


def row_error(pred, target, loss):
    """Error of each row of ``pred`` against ``target`` (same shape), averaged
    over time steps and, for ``"mse"``, over outputs.

    ``"cross_entropy"``: :math:`-\\sum_c p_c \\log q_c` with ``target`` the
    original probabilities ``p`` and ``pred`` the perturbed ones ``q``;
    ``"log_loss"``: :math:`-\\log q_{\\arg\\max p}`.
    """
    n = len(pred)
    if loss == "mse":
        return ((pred - target) ** 2).reshape(n, -1).mean(1)
    log_q = torch.log(pred.clamp_min(_TINY))
    if loss == "cross_entropy":
        per_step = -(target * log_q).sum(-1)
    else:
        per_step = -log_q.gather(-1, target.argmax(-1, keepdim=True)).squeeze(-1)
    return per_step.reshape(n, -1).mean(1)
