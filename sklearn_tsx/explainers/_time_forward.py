"""Explaining each prefix of a series: the model sees the steps up to ``t`` only
(time_interpret's time-forward convention), and the attribution of step ``t``
is that of the prefix's prediction.

Prefixes of different lengths cannot share a tensor, so the work on them is
grouped by length: one model call per prefix length for all the samples (and
all their path points or perturbed copies) of a batch.
"""

import numpy as np
import torch

from ..utils import check_target_index

__all__ = ["PrefixForward", "PrefixTargetMixin"]


class PrefixForward(torch.nn.Module):
    """The model on the first ``length`` steps of its input.

    Maps ``(m, C, T)`` to the prediction on ``x[..., :length]``, shape
    ``(m, n_outputs)``; for sequence models, the prediction at the prefix's
    last step. A module holding the model's module, so methods that hook
    modules (DeepLift) find them.
    """

    def __init__(self, adapter, length):
        super().__init__()
        self.model = adapter.module
        self._adapter = adapter
        self.length = length

    def forward(self, x, *args):
        out = self._adapter.forward(x[..., : self.length])
        return out[:, -1] if self._adapter.sequence else out


def select_outputs(out, target):
    """``out[i, target[i]]`` of a ``(m, n_outputs)`` output, or
    ``out[i, step, output]`` of a sequence model's ``(m, T, n_outputs)`` one
    for ``(step, output)`` targets of shape ``(m, 2)``."""
    rows = torch.arange(len(out), device=out.device)
    if target.ndim == 2:
        return out[rows, target[:, 0], target[:, 1]]
    return out[rows, target]


class PrefixTargetMixin:
    """Targets of the time-forward explainers: one output index per sample and
    prefix, shape ``(n_samples, n_timepoints)``.

    A given class label or output index is explained at every prefix; ``None``
    explains, at each prefix, the class the model predicts from it (output 0
    of a single-output regressor), as time_interpret's ``task`` argument does.
    For sequence models the prediction of a prefix is the one at its last step,
    so :func:`explain_per_step` returns what ``explain`` does.
    """

    def _resolve_target(self, X, target):
        n, model = len(X), self.model_
        if target is None and model.is_classifier:
            return self._prefix_scores(X).argmax(axis=-1)
        if model.is_classifier and model.classes is not None:
            index = check_target_index(target, n, model.n_outputs, labels=model.classes,
                                       name="target (class label)")
        else:
            name = "target (class index)" if model.is_classifier else "target (output index)"
            index = check_target_index(target, n, model.n_outputs, name=name)
        return np.repeat(index[:, None], self.n_timepoints_in_, axis=1)

    def _explain_steps_batch(self, X, outputs, rng):
        # explain_per_step: the prediction of a sequence model's prefix is its
        # output at the prefix's last step, the one explained there
        return self._explain_batch(X, outputs, rng)

    def _prefix_scores(self, X):
        """The model's scores on every prefix of ``X``, shape ``(n, T, n_outputs)``."""
        device = self._device
        self.model_.to(device)
        scores = np.empty((len(X), X.shape[-1], self.model_.n_outputs), dtype=np.float32)
        with self.model_.evaluating(), torch.no_grad():
            for length in range(1, X.shape[-1] + 1):
                forward = PrefixForward(self.model_, length)
                for start in range(0, len(X), self.batch_size):
                    x = torch.as_tensor(X[start : start + self.batch_size], device=device)
                    scores[start : start + len(x), length - 1] = forward(x).cpu().numpy()
        return scores


def check_prefix_model(explainer, X):
    """Raise a ValueError naming ``explainer`` when its model cannot predict from
    a prefix of a series (a model whose input length is fixed)."""
    adapter = explainer.model_
    x = torch.as_tensor(X[:1, :, :1], device=explainer._device)
    adapter.to(x.device)
    try:
        with adapter.evaluating(), torch.no_grad():
            PrefixForward(adapter, 1)(x)
    except Exception as error:  # noqa: BLE001 (any failure means the same to the user)
        raise ValueError(
            f"{type(explainer).__name__} explains each prefix of a series (its first "
            f"t steps) by the model's prediction from it, but {adapter.name} cannot "
            f"predict from a series shorter than {X.shape[-1]} steps "
            f"({type(error).__name__}: {error}). Use a model that reads series of "
            "any length (a recurrent or convolutional net)."
        ) from error
