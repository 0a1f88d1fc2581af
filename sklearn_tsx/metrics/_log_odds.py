"""Log-odds of a classifier's prediction when the most salient entries are
removed (Shrikumar et al. 2017), as time_interpret's ``log_odds``."""

import numbers

import numpy as np
import torch
from sklearn.utils import check_random_state

from ..utils import check_time_series, resolve_device
from ..utils._adapters import as_model_adapter

__all__ = ["log_odds"]


def _class_log_probabilities(model, panel, batch_size, device):
    """Log class probabilities of a classifier (the last step of a sequence
    classifier), in float64."""
    outs = []
    with model.evaluating(), torch.no_grad():
        for start in range(0, len(panel), batch_size):
            x = torch.as_tensor(panel[start : start + batch_size], device=device)
            out = model.forward(x)
            outs.append((out[:, -1] if model.sequence else out).double().cpu())
    out = torch.cat(outs)
    if model.softmax or model.is_classifier:
        return torch.log(out.clamp_min(1e-300)).numpy()
    # a bare torch module's outputs, read as class logits
    return torch.log_softmax(out, dim=-1).numpy()


def log_odds(estimator, X, attributions, *, topk=0.2, baseline=0.0, batch_size=256,
             device="cpu", random_state=None):
    """Mean change of the log-probability of the predicted class when the
    ``topk`` most salient entries of each sample are replaced by a baseline.

    With ``c`` the class predicted on ``x`` and ``x'`` the sample with its
    ``floor(topk * n_channels * n_timepoints)`` largest attributions replaced,
    the score is the mean over samples of ``log p(c | x') - log p(c | x)``
    (time_interpret's ``log_odds``). Attributions that find what the
    prediction rests on make it drop: lower (more negative) is better.
    Entries of equal attribution are ranked in random order, as in
    :func:`faithfulness_curves`; sequence classifiers are scored on their
    last time step.

    Parameters
    ----------
    estimator : object
        A fitted classifier (any model accepted by explainers; see
        :func:`sklearn_tsx.utils.as_model_adapter`); a torch module's outputs
        are read as class logits.
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        The explained panel.
    attributions : array-like of the same shape as ``X``
        Saliency; larger means more important.
    topk : float, default=0.2
        Share of each sample's entries replaced, in (0, 1).
    baseline : float or array-like, default=0.0
        Replacement values: a number (time_interpret's default is zero) or an
        array broadcastable to ``X``.
    batch_size : int, default=256
        Samples per forward pass.
    device : str, default="cpu"
        Torch device.
    random_state : int, RandomState instance or None, default=None
        Orders entries of equal attribution.

    Returns
    -------
    score : float
        Lower is better.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.metrics import log_odds
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(6, 2, 10)).astype(np.float32)
    >>> isinstance(log_odds(model, X, np.abs(X)), float)
    True
    """
    X = check_time_series(X)
    attributions = check_time_series(attributions, input_name="attributions")
    if attributions.shape != X.shape:
        raise ValueError(
            f"attributions have shape {attributions.shape}, X has shape {X.shape}; "
            "they must match."
        )
    if not isinstance(topk, numbers.Real) or isinstance(topk, bool) or not 0 < topk < 1:
        raise ValueError(f"topk must be a number in (0, 1); got {topk!r}.")
    if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")
    try:
        base = np.broadcast_to(np.asarray(baseline, dtype=np.float32), X.shape)
    except ValueError:
        raise ValueError(
            f"baseline of shape {np.shape(baseline)} cannot be broadcast to X's shape "
            f"{X.shape}."
        ) from None
    model = as_model_adapter(estimator, *X.shape[1:])
    if not model.is_classifier and (model.module is None or model.n_outputs < 2):
        raise ValueError(f"log_odds needs a classifier; {model.name} is a regressor.")
    device = resolve_device(device)
    model.to(device)

    flat = attributions.reshape(len(X), -1)
    tiebreak = check_random_state(random_state).random_sample(flat.shape)
    order = np.lexsort((tiebreak, -flat), axis=1)
    k = int(flat.shape[1] * topk)
    removed = np.zeros(flat.shape, dtype=bool)
    np.put_along_axis(removed, order[:, :k], True, axis=1)
    perturbed = np.where(removed.reshape(X.shape), base, X)

    rows = np.arange(len(X))
    original = _class_log_probabilities(model, X, batch_size, device)
    predicted = original.argmax(axis=1)
    changed = _class_log_probabilities(model, perturbed, batch_size, device)
    return float(np.mean(changed[rows, predicted] - original[rows, predicted]))
