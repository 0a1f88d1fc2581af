"""Errors between perturbed and original predictions, one value per perturbed row.

Shared by the mask explainers (Dynamask, ExtremalMask, ContraLSP): each row of a
batch is one mask's perturbed prediction, and its error trains only that mask.
"""

import numpy as np
import torch

__all__ = [
    "CLASSIFIER_OUTPUTS", "LOSSES", "TARGET_DOC", "batch_targets", "check_classifier_output",
    "compared_output", "explained_output", "resolve_loss", "row_error", "whole_output",
]

LOSSES = ("auto", "mse", "cross_entropy", "log_loss")

CLASSIFIER_OUTPUTS = ("logits", "probabilities")

_TINY = 1e-12

# the resolved target of ``target=None``: the whole output, every row of a batch
_WHOLE_OUTPUT = -1

TARGET_DOC = """target : None, label, int or array-like, default=None
            ``None`` explains the model's whole output: every class, output and
            time step at once, as in the method's paper. Otherwise the output
            explained, as for every explainer (see
            :meth:`BaseExplainer.explain <sklearn_tsx.explainers.BaseExplainer.explain>`):
            a class label, an output index or a time step (the class predicted
            there), one for all samples or one per sample. The error then compares
            that output only: its squared error for ``loss="mse"``, ``-p log q``
            of that class for the probability losses, which keeps (preservation)
            or removes (deletion) the evidence for it."""


def whole_output(n_samples):
    """The resolved target of ``target=None`` for ``n_samples`` samples."""
    return np.full(n_samples, _WHOLE_OUTPUT, dtype=np.int64)


def batch_targets(target, device):
    """A batch's resolved targets as a tensor, or ``None`` for the whole output."""
    if target.ndim == 1 and (target == _WHOLE_OUTPUT).all():
        return None
    return torch.as_tensor(target, dtype=torch.long, device=device)


def explained_output(out, target):
    """``out`` (``(b, k)``, or ``(b, T, k)`` for sequence models) reduced to each
    row's explained output, shape ``(b, 1)``: ``target`` holds an output index
    per row, or a ``(time step, output)`` pair; ``None`` keeps ``out`` whole."""
    if target is None:
        return out
    rows = torch.arange(len(out), device=out.device)
    if target.ndim == 2:
        return out[rows, target[:, 0], target[:, 1]][:, None]
    return out[rows, target][:, None]


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
