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
            ``None`` compares the model's whole output: every output and time
            step at once, as in the method's paper (with ``loss="log_loss"``,
            the evidence for each series' predicted class, at each step for
            sequence models). Otherwise the output explained, as for every
            explainer (see
            :meth:`BaseExplainer.explain <sklearn_tsx.explainers.BaseExplainer.explain>`):
            a class label, an output index or a time step (the class predicted
            there), one for all samples or one per sample. The error then compares
            that output only: its squared error for ``loss="mse"``, ``-log q``
            (``"log_loss"``) or ``-p log q`` (``"cross_entropy"``) of that class
            for the probability losses, which keeps (preservation) or removes
            (deletion) the evidence for it."""


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
    """The model's output the error ``loss`` compares.

    For ``loss="mse"``: a classifier's logits (``classifier_output="logits"``,
    module ending before a softmax), otherwise the explained scores of
    :meth:`ModelAdapter.forward`. For the probability losses: log-probabilities,
    through ``log_softmax`` of the logits where the module ends before a
    softmax: where a perturbed input drives a class probability below
    float32's range, ``log(softmax)`` must be clamped and has no gradient, so
    a mask would stop learning exactly where the model is most sure.
    """
    if loss == "mse":
        if classifier_output == "logits" and model.softmax:
            return model.module(x)
        return model.forward(x)
    if model.softmax:
        return torch.log_softmax(model.module(x), dim=-1)
    return torch.log(model.forward(x).clamp_min(_TINY))


def resolve_loss(loss, model, classifier_default="log_loss"):
    """``"auto"``: ``classifier_default`` for classifiers (by default ``-log q``
    of the predicted class, the evidence for it), squared error for regressors."""
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}.")
    if loss == "auto":
        return classifier_default if model.is_classifier else "mse"
    if loss != "mse" and not model.is_classifier:
        raise ValueError(
            f"loss={loss!r} compares class probabilities, but {model.name} is not a "
            "classifier; use loss='mse'."
        )
    return loss


def row_error(pred, target, loss):
    """Error of each row of ``pred`` against ``target`` (same shape, both as
    :func:`compared_output` returns them), averaged over time steps and, for
    ``"mse"``, over outputs.

    ``"cross_entropy"``: :math:`-\\sum_c p_c \\log q_c` with ``target`` the
    original log-probabilities :math:`\\log p` and ``pred`` the perturbed ones
    :math:`\\log q`; ``"log_loss"``: :math:`-\\log q_{\\arg\\max p}`.
    """
    n = len(pred)
    if loss == "mse":
        return ((pred - target) ** 2).reshape(n, -1).mean(1)
    if loss == "cross_entropy":
        per_step = -(target.exp() * pred).sum(-1)
    else:
        per_step = -pred.gather(-1, target.argmax(-1, keepdim=True)).squeeze(-1)
    return per_step.reshape(n, -1).mean(1)
