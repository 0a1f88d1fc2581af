"""Faithfulness of attributions without ground truth: top-k substitution.

The ``k`` % most (or least) salient entries of each sample are replaced by a
baseline — the sample's average over time of that channel, zero, or the
interpolation in time of the entries kept around them — and the
classifier's output on the substituted panel is compared with its output on the
original one (Enguehard, 2023; ContraLSP appendix D.3). All samples and all
fractions go through the model in batches of substituted copies.
"""

import numbers

import numpy as np
import torch
from sklearn.utils import check_random_state

from ..utils import check_time_series, resolve_device
from ..utils._adapters import as_model_adapter
from ._docstrings import fill_doc

__all__ = [
    "comprehensiveness",
    "faithfulness_accuracy",
    "faithfulness_cross_entropy",
    "faithfulness_curves",
    "sufficiency",
]

FAITHFULNESS_METRICS = ("accuracy", "cross_entropy", "sufficiency", "comprehensiveness")
# Sufficiency removes the least salient entries, the other metrics the most salient.
_MASK_LARGEST = {
    "accuracy": True,
    "cross_entropy": True,
    "sufficiency": False,
    "comprehensiveness": True,
}


def _check_fractions(fractions):
    fractions = np.atleast_1d(np.asarray(fractions, dtype=float))
    if fractions.ndim != 1 or fractions.size == 0 or np.any(
        (fractions <= 0) | (fractions >= 1) | ~np.isfinite(fractions)
    ):
        raise ValueError(
            f"fractions (topk) must be numbers in (0, 1); got {fractions.tolist()!r}."
        )
    return fractions


def _baseline(X, baseline):
    if isinstance(baseline, str):
        if baseline == "average":
            return np.broadcast_to(X.mean(axis=2, keepdims=True), X.shape)
        if baseline == "zeros":
            return np.zeros_like(X)
        if baseline == "interpolate":
            return baseline  # depends on the substituted entries: see _interpolated
        raise ValueError(
            "baseline must be 'average', 'zeros', 'interpolate' or an array; got "
            f"{baseline!r}."
        )
    baseline = np.asarray(baseline, dtype=np.float32)
    try:
        return np.broadcast_to(baseline, X.shape)
    except ValueError:
        raise ValueError(
            f"baseline of shape {baseline.shape} cannot be broadcast to X's shape {X.shape}."
        ) from None


def _interpolated(X, selected):
    """``X`` with its selected entries replaced, channel by channel, by the linear
    interpolation in time of the entries kept around them (held flat beyond the
    first and last kept entry); a channel with nothing kept takes its mean."""
    out = X.copy()
    steps = np.arange(X.shape[2])
    for i, c in zip(*np.nonzero(selected.any(axis=2))):
        drop = selected[i, c]
        keep = ~drop
        if keep.any():
            out[i, c, drop] = np.interp(steps[drop], steps[keep], X[i, c, keep])
        else:
            out[i, c] = X[i, c].mean()
    return out


def _substituted(X, ranks, base, fraction, largest):
    n_entries = X.shape[1] * X.shape[2]
    k = int(round(fraction * n_entries))
    selected = (ranks < k if largest else ranks >= n_entries - k).reshape(X.shape)
    if isinstance(base, str):  # "interpolate"
        return _interpolated(X, selected)
    return np.where(selected, base, X)


def faithfulness_curves(estimator, X, attributions, *,
                        fractions=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6), baseline="average",
                        metrics=FAITHFULNESS_METRICS, batch_size=256, device="cpu",
                        random_state=None):
    """Faithfulness metrics of attributions under top-k substitution, per fraction.

    For each sample and each fraction ``k``, the ``k`` share of its entries with the
    largest attributions (the smallest for sufficiency) is replaced by the
    baseline. Entries of equal attribution are ranked in random order: masks
    (Dynamask, ExtremalMask, ContraLSP) hold many entries at exactly 0 or 1, and
    breaking their ties by position would substitute the first channels first.
    With ``p`` the class probabilities and ``c`` the originally
    predicted class:

    - ``accuracy``: share of samples still predicted as ``c`` (lower is better);
    - ``cross_entropy``: mean ``-log p_substituted[c]`` (higher is better);
    - ``comprehensiveness``: mean ``p[c] - p_substituted[c]`` with the most salient
      entries removed (higher is better);
    - ``sufficiency``: mean ``p[c] - p_substituted[c]`` with the least salient
      entries removed (lower is better), as in time_interpret.

    Sequence classifiers are scored on their last time step.

    Parameters
    ----------
    estimator : object
        A fitted classifier (any model accepted by explainers; see
        :func:`sklearn_tsx.utils.as_model_adapter`).
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        The explained panel.
    attributions : array-like of the same shape as ``X``
        Saliency; larger means more important.
    fractions : float or sequence of float, default=(0.1, ..., 0.6)
        Shares of entries substituted, each in (0, 1).
    baseline : {"average", "zeros", "interpolate"} or array-like, default="average"
        Substituted values: each sample's average over time of each channel, zero,
        the linear interpolation in time of the entries kept on either side
        (``"interpolate"``: no isolated spikes, for models that react to any
        scattered change of the input), or an array broadcastable to ``X``.
    metrics : sequence of str, default=all four
        Any of ``"accuracy"``, ``"cross_entropy"``, ``"sufficiency"``,
        ``"comprehensiveness"``.
    batch_size : int, default=256
        Substituted copies per forward pass.
    device : str, default="cpu"
        Torch device.
    random_state : int, RandomState instance or None, default=None
        Orders entries of equal attribution; an int gives reproducible curves.
        Attributions without ties do not depend on it.

    Returns
    -------
    curves : dict of str to ndarray of shape (n_fractions,)
        One value per fraction for each metric.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.metrics import faithfulness_curves
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(6, 2, 10)).astype(np.float32)
    >>> curves = faithfulness_curves(model, X, np.abs(X), fractions=[0.1, 0.5])
    >>> curves["accuracy"].shape
    (2,)
    >>> smooth = faithfulness_curves(model, X, np.abs(X), fractions=[0.1, 0.5],
    ...                              baseline="interpolate")
    >>> bool(np.all(np.isfinite(smooth["comprehensiveness"])))
    True
    """
    X = check_time_series(X)
    attributions = check_time_series(attributions, input_name="attributions")
    if attributions.shape != X.shape:
        raise ValueError(
            f"attributions have shape {attributions.shape}, X has shape {X.shape}; "
            "they must match."
        )
    fractions = _check_fractions(fractions)
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = sorted(set(metrics) - set(FAITHFULNESS_METRICS))
    if unknown or not metrics:
        raise ValueError(
            f"Unknown faithfulness metric(s) {unknown}; choose from {FAITHFULNESS_METRICS}."
        )
    if not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}.")
    model = as_model_adapter(estimator, *X.shape[1:])
    if not model.is_classifier and model.module is not None and model.n_outputs > 1:
        # A bare torch module with several outputs: read them as class logits.
        model.softmax = True
        model.is_classifier = True
    elif not model.is_classifier:
        raise ValueError(
            f"Faithfulness metrics need a classifier; {model.name} is a regressor."
        )
    base = _baseline(X, baseline)
    # rank 0 = most salient entry of a sample
    flat = attributions.reshape(len(X), -1)
    tiebreak = check_random_state(random_state).random_sample(flat.shape)
    ranks = np.empty_like(flat, dtype=np.int64)
    order = np.lexsort((tiebreak, -flat), axis=1)
    np.put_along_axis(ranks, order, np.arange(flat.shape[1])[None, :], axis=1)

    device = resolve_device(device)
    model.to(device)

    def probabilities(panel):
        outs = []
        with model.evaluating(), torch.no_grad():
            for start in range(0, len(panel), batch_size):
                x = torch.as_tensor(panel[start : start + batch_size], device=device)
                out = model.forward(x)
                outs.append((out[:, -1] if model.sequence else out).cpu().numpy())
        return np.concatenate(outs).astype(np.float64)

    p_orig = probabilities(X)
    c = p_orig.argmax(axis=1)
    rows = np.arange(len(X))
    curves = {name: np.empty(len(fractions)) for name in metrics}
    for largest in (True, False):
        names = [m for m in metrics if _MASK_LARGEST[m] == largest]
        if not names:
            continue
        panel = np.concatenate(
            [_substituted(X, ranks, base, f, largest) for f in fractions]
        )
        p_sub = probabilities(panel).reshape(len(fractions), len(X), -1)
        for i in range(len(fractions)):
            p = p_sub[i]
            values = {
                "accuracy": np.mean(p.argmax(axis=1) == c),
                "cross_entropy": np.mean(-np.log(np.clip(p[rows, c], 1e-12, None))),
                "comprehensiveness": np.mean(p_orig[rows, c] - p[rows, c]),
                "sufficiency": np.mean(p_orig[rows, c] - p[rows, c]),
            }
            for name in names:
                curves[name][i] = values[name]
    return curves


_SINGLE_SCORE_DOC = """Parameters
    ----------
    estimator : object
        A fitted classifier (any model accepted by explainers; see
        :func:`sklearn_tsx.utils.as_model_adapter`).
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        The explained panel.
    attributions : array-like of the same shape as ``X``
        Saliency; larger means more important.
    topk : float or sequence of float, default=0.2
        Share of entries substituted, in (0, 1); a sequence of shares gives
        the mean over them, the area over the perturbation curve (AOPC;
        DeYoung et al., ERASER, ACL 2020).
    baseline : {"average", "zeros", "interpolate"} or array-like, default="average"
        Substituted values: each sample's average over time of each channel,
        zero, the linear interpolation in time of the kept entries around
        them, or an array broadcastable to ``X``.
    batch_size : int, default=256
        Substituted copies per forward pass.
    device : str, default="cpu"
        Torch device.
    random_state : int, RandomState instance or None, default=None
        Orders entries of equal attribution; an int gives reproducible scores.

    Returns
    -------
    score : float"""


def _single(metric, estimator, X, attributions, topk, baseline, batch_size, device,
            random_state):
    # a sequence of fractions gives the mean of the curve: the area over the
    # perturbation curve (AOPC) of DeYoung et al. (2020)
    return float(
        faithfulness_curves(
            estimator, X, attributions, fractions=topk, baseline=baseline,
            metrics=[metric], batch_size=batch_size, device=device,
            random_state=random_state,
        )[metric].mean()
    )


@fill_doc(parameters=_SINGLE_SCORE_DOC)
def faithfulness_accuracy(estimator, X, attributions, *, topk=0.2, baseline="average",
                          batch_size=256, device="cpu", random_state=None):
    """Share of samples whose predicted class survives the substitution of their
    ``topk`` most salient entries (lower is better).

    Substitution, ties and baselines as in :func:`faithfulness_curves`.

    %(parameters)s

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.metrics import faithfulness_accuracy
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(6, 2, 10)).astype(np.float32)
    >>> 0.0 <= faithfulness_accuracy(model, X, np.abs(X)) <= 1.0
    True
    """
    return _single(
        "accuracy", estimator, X, attributions, topk, baseline, batch_size, device,
        random_state,
    )


@fill_doc(parameters=_SINGLE_SCORE_DOC)
def faithfulness_cross_entropy(estimator, X, attributions, *, topk=0.2, baseline="average",
                               batch_size=256, device="cpu", random_state=None):
    """Mean cross-entropy between the substituted predictions and the original
    predicted class, ``topk`` most salient entries substituted (higher is better).

    Substitution, ties and baselines as in :func:`faithfulness_curves`.

    %(parameters)s

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.metrics import faithfulness_cross_entropy
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(6, 2, 10)).astype(np.float32)
    >>> faithfulness_cross_entropy(model, X, np.abs(X)) > 0
    True
    """
    return _single(
        "cross_entropy", estimator, X, attributions, topk, baseline, batch_size, device,
        random_state,
    )


@fill_doc(parameters=_SINGLE_SCORE_DOC)
def comprehensiveness(estimator, X, attributions, *, topk=0.2, baseline="average",
                      batch_size=256, device="cpu", random_state=None):
    """Mean drop of the predicted class's probability when the ``topk`` most salient
    entries are substituted (higher is better).

    Substitution, ties and baselines as in :func:`faithfulness_curves`.

    %(parameters)s

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.metrics import comprehensiveness
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(6, 2, 10)).astype(np.float32)
    >>> isinstance(comprehensiveness(model, X, np.abs(X)), float)
    True
    """
    return _single(
        "comprehensiveness", estimator, X, attributions, topk, baseline, batch_size, device,
        random_state,
    )


@fill_doc(parameters=_SINGLE_SCORE_DOC)
def sufficiency(estimator, X, attributions, *, topk=0.2, baseline="average",
                batch_size=256, device="cpu", random_state=None):
    """Mean drop of the predicted class's probability when the ``topk`` least
    salient entries are substituted (lower is better; time_interpret's convention).

    Substitution, ties and baselines as in :func:`faithfulness_curves`.

    %(parameters)s

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.metrics import sufficiency
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(6, 2, 10)).astype(np.float32)
    >>> isinstance(sufficiency(model, X, np.abs(X)), float)
    True
    """
    return _single(
        "sufficiency", estimator, X, attributions, topk, baseline, batch_size, device,
        random_state,
    )
