"""scikit-learn scorers for explainers, so that ``GridSearchCV`` tunes them."""

import numpy as np

from . import _faithfulness, _ground_truth, _log_odds, _robustness, _white_box

__all__ = ["make_explanation_scorer"]

_GROUND_TRUTH = {
    "aup": (_ground_truth.aup_score, True),
    "aur": (_ground_truth.aur_score, True),
    "auroc": (_ground_truth.auroc_score, True),
    "auprc": (_ground_truth.auprc_score, True),
    "information": (_ground_truth.mask_information, True),
    "entropy": (_ground_truth.mask_entropy, False),
    "mse": (_white_box.white_box_mse, False),
    "mae": (_white_box.white_box_mae, False),
    "rmse": (_white_box.white_box_rmse, False),
}
_FAITHFULNESS = {
    "accuracy": False,
    "cross_entropy": True,
    "sufficiency": False,
    "comprehensiveness": True,
}


def _log_odds_of(explainer, X, **kwargs):
    return _log_odds.log_odds(explainer.estimator_, X, explainer.explain(X),
                              device=getattr(explainer, "device", "cpu"), **kwargs)


# metrics of the explainer itself, ``func(explainer, X, **kwargs)``: each
# explains X (and perturbed copies of it) on its own
_EXPLAINER_METRICS = {
    "infidelity": (_robustness.infidelity, False),
    "sensitivity_max": (_robustness.sensitivity_max, False),
    "lipschitz_max": (_robustness.lipschitz_max, False),
    "log_odds": (_log_odds_of, False),
}


class _ExplanationScorer:
    """Callable ``scorer(explainer, X, y)``; larger is better."""

    def __init__(self, name, func, sign, ground_truth, kwargs):
        self._name = name
        self._func = func
        self._sign = sign
        self._ground_truth = ground_truth
        self._kwargs = kwargs

    def __call__(self, explainer, X, y=None):
        if not self._ground_truth and self._func is not None:  # an explainer metric
            return self._sign * float(np.mean(self._func(explainer, X, **self._kwargs)))
        attributions = explainer.explain(X)
        if self._ground_truth:
            if y is None:
                raise ValueError(
                    f"The {self._name!r} scorer compares attributions with the true "
                    "saliency maps: pass them as y, of the shape of X."
                )
            return self._sign * float(self._func(y, attributions, **self._kwargs))
        value = _faithfulness.faithfulness_curves(
            explainer.estimator_, X, attributions, metrics=[self._name],
            device=getattr(explainer, "device", "cpu"), **self._kwargs,
        )[self._name].mean()
        return self._sign * float(value)

    def __repr__(self):
        kwargs = "".join(f", {k}={v!r}" for k, v in self._kwargs.items())
        sign = "" if self._sign > 0 else ", greater_is_better=False"
        return f"make_explanation_scorer({self._name!r}{sign}{kwargs})"


def make_explanation_scorer(metric, *, greater_is_better=None, **kwargs):
    """A scorer ``scorer(explainer, X, y=None)`` that rates an explainer's attributions.

    Ground-truth metrics compare ``explainer.explain(X)`` with the true saliency
    maps passed as ``y`` (an array of the shape of ``X``). Faithfulness metrics need
    no ``y``: they substitute the top-ranked entries and watch the explained
    classifier (``explainer.estimator_``). Metrics where lower is better are negated,
    as in scikit-learn's ``neg_*`` scorers, so larger is always better.

    Inside :class:`~sklearn.model_selection.GridSearchCV` the explainer is cloned,
    and a clone of a fitted model is unfitted: each fold then fits the model on
    its training part (``y`` must hold the model's targets), or, with the model
    wrapped in :class:`sklearn.frozen.FrozenEstimator` (or a torch module), every
    clone explains the same fitted model.

    Parameters
    ----------
    metric : str or callable
        Ground truth: ``"aup"``, ``"aur"``, ``"auroc"``, ``"auprc"``,
        ``"information"``, ``"entropy"`` (lower is better), the white-box
        errors ``"mse"``, ``"mae"``, ``"rmse"`` (lower is better; the true
        saliency may be real-valued), or a callable
        ``metric(true_saliency, attributions, **kwargs) -> float``.
        Faithfulness: ``"accuracy"`` (lower is better), ``"cross_entropy"``,
        ``"sufficiency"`` (lower is better), ``"comprehensiveness"``.
        Robustness, the mean over samples (no ``y``; each explains ``X`` and
        perturbed copies of it itself): ``"infidelity"``,
        ``"sensitivity_max"``, ``"lipschitz_max"``, and ``"log_odds"``
        (:func:`log_odds` of ``explainer.explain(X)``), all lower is better.
    greater_is_better : bool, default=None
        Whether larger metric values are better. ``None`` uses the metric's own
        direction (``True`` for a callable).
    **kwargs
        Passed to the metric: for instance ``convention`` for AUP/AUR, or
        ``fractions`` (default ``0.2``; a sequence scores the mean over its
        shares, the AOPC), ``baseline`` and ``random_state`` (the order of tied
        attributions) for faithfulness metrics, ``random_state`` (the
        perturbations) and ``n_perturb_samples`` for robustness metrics.

    Returns
    -------
    scorer : callable
        ``scorer(explainer, X, y=None) -> float``, larger is better.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn_tsx.explainers import RandomExplainer
    >>> from sklearn_tsx.metrics import make_explanation_scorer
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 1))
    >>> X = np.random.default_rng(0).normal(size=(12, 2, 10)).astype(np.float32)
    >>> truth = np.zeros_like(X)
    >>> truth[:, 0, :3] = 1
    >>> search = GridSearchCV(RandomExplainer(model), {"random_state": [0, 1]},
    ...                       scoring=make_explanation_scorer("aup"), cv=2)
    >>> scores = search.fit(X, truth).cv_results_["mean_test_score"]
    >>> bool(np.all((scores > 0) & (scores < 1)))
    True
    """
    if callable(metric):
        name = getattr(metric, "__name__", "metric")
        sign = 1 if greater_is_better in (None, True) else -1
        return _ExplanationScorer(name, metric, sign, True, kwargs)
    if metric in _GROUND_TRUTH:
        func, higher = _GROUND_TRUTH[metric]
        ground_truth = True
    elif metric in _EXPLAINER_METRICS:
        func, higher = _EXPLAINER_METRICS[metric]
        ground_truth = False
    elif metric in _FAITHFULNESS:
        func, higher = None, _FAITHFULNESS[metric]
        ground_truth = False
        kwargs.setdefault("fractions", 0.2)
    else:
        raise ValueError(
            f"Unknown explanation metric {metric!r}; choose from "
            f"{sorted(_GROUND_TRUTH) + sorted(_FAITHFULNESS)} or pass a callable."
        )
    if greater_is_better is not None:
        higher = bool(greater_is_better)
    return _ExplanationScorer(metric, func, 1 if higher else -1, ground_truth, kwargs)
