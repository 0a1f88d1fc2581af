"""Robustness of an explainer: does its explanation match the model's response
to small perturbations (infidelity), and does it stay put when the input moves
a little (sensitivity, Lipschitz estimate)?

Each metric takes a fitted explainer and the panel it explains, perturbs the
panel, and returns one score per sample (lower is better). The perturbed copies
are explained with the targets of the original samples, so a copy whose
predicted class flips is still explained for the original class.
"""

import numbers

import numpy as np
import torch
from captum import metrics as captum_metrics
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..explainers._captum import captum_target
from ..explainers.base import BaseExplainer
from ..utils import check_time_series
from ._docstrings import fill_doc

__all__ = ["infidelity", "lipschitz_max", "sensitivity_max"]


def _check_explainer(explainer, X, target):
    """Validated ``(X, target)``: the panel as the explainer takes it and one
    resolved target per sample (class index, output index or (step, output))."""
    if not isinstance(explainer, BaseExplainer):
        raise TypeError(
            f"explainer must be an sklearn_tsx explainer (a BaseExplainer); got "
            f"{type(explainer).__name__}."
        )
    check_is_fitted(explainer, "model_")
    X = explainer._check_X(X)
    return X, explainer._resolve_target(X, target)


def _explain(explainer, X, target):
    """The explainer's attributions of ``X`` for resolved targets, with
    gradients enabled (captum's metrics call explanations under ``no_grad``)."""
    with torch.enable_grad():
        return np.ascontiguousarray(np.concatenate(explainer._run_batches(X, target)),
                                    dtype=np.float32)


def _check_positive_int(value, name):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{name} must be a positive integer; got {value!r}.")


def _check_positive(value, name):
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value > 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}.")


def _vector_norm(rows, norm_ord):
    return np.linalg.norm(rows, ord=2 if norm_ord == "fro" else norm_ord, axis=1)


def _check_norm_ord(norm_ord):
    if norm_ord != "fro" and not (
        isinstance(norm_ord, numbers.Real) and not isinstance(norm_ord, bool)
        and norm_ord > 0
    ):
        raise ValueError(
            f"norm_ord must be 'fro' or a positive number (np.inf for the max norm); "
            f"got {norm_ord!r}."
        )


def _chunks(n, size):
    return [slice(start, start + size) for start in range(0, n, size)]


def _uniform_perturbation(rng, radius):
    """Uniform noise in the L-infinity ball of ``radius``: captum's and
    time_interpret's default perturbation, drawn from ``rng``."""

    def perturb(inputs, perturb_radius=radius):
        noise = rng.uniform(-perturb_radius, perturb_radius, size=tuple(inputs.shape))
        return inputs + torch.as_tensor(noise, dtype=inputs.dtype, device=inputs.device)

    return perturb


_SHARED_PARAMS = """explainer : BaseExplainer
        A fitted sklearn_tsx explainer.
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        The explained panel.
    target : label, int, array-like or None, default=None
        As for :meth:`~sklearn_tsx.explainers.BaseExplainer.explain`, resolved
        once on ``X``: the perturbed copies are explained for the same target."""

_PERTURBATION_PARAMS = """perturb_radius : float, default=0.02
        Radius of the L-infinity ball the perturbations are drawn from,
        uniformly (captum's default).
    n_perturb_samples : int, default=10
        Perturbed copies per sample.
    norm_ord : "fro" or float, default="fro"
        Norm of the flattened differences: ``"fro"`` (Euclidean), or a
        :func:`numpy.linalg.norm` order such as ``1`` or ``np.inf``.
    batch_size : int, default=64
        Samples perturbed together (their copies are explained in one call).
    random_state : int, RandomState instance or None, default=None
        Seeds the perturbations. A stochastic explainer draws its own noise
        from its own ``random_state``: leave it unset and the noise between
        two explanations adds to the score."""


@fill_doc(shared=_SHARED_PARAMS, perturbation=_PERTURBATION_PARAMS)
def sensitivity_max(explainer, X, *, target=None, perturb_radius=0.02, n_perturb_samples=10,
                    norm_ord="fro", batch_size=64, random_state=None):
    """Max-sensitivity of explanations (Yeh et al. 2019), by captum.

    For each sample ``x`` with explanation ``Phi(x)``, the largest relative
    change ``||Phi(x) - Phi(x')|| / ||Phi(x)||`` over ``n_perturb_samples``
    perturbed copies ``x'`` drawn uniformly within ``perturb_radius`` of
    ``x`` (each entry moved by at most the radius). Computed by
    :func:`captum.metrics.sensitivity_max`; lower is better.

    Parameters
    ----------
    %(shared)s
    %(perturbation)s

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        One sensitivity per sample.

    See Also
    --------
    lipschitz_max : The change relative to the input's change instead.

    Examples
    --------
    The saliency of a linear model is its weights wherever it is evaluated:

    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import Saliency
    >>> from sklearn_tsx.metrics import sensitivity_max
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> explainer = Saliency(model).fit(X)
    >>> sensitivity_max(explainer, X, target=0, random_state=0)
    array([0., 0., 0., 0.])
    """
    X, target = _check_explainer(explainer, X, target)
    _check_positive(perturb_radius, "perturb_radius")
    _check_positive_int(n_perturb_samples, "n_perturb_samples")
    _check_positive_int(batch_size, "batch_size")
    _check_norm_ord(norm_ord)
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))

    def explanation_func(inputs, target):
        # as captum's attribute methods: a tuple of inputs gives a tuple back
        if isinstance(inputs, tuple):
            return (explanation_func(inputs[0], target),)
        return torch.as_tensor(_explain(explainer, inputs.cpu().numpy(), target.numpy()))

    scores = []
    for rows in _chunks(len(X), batch_size):
        scores.append(captum_metrics.sensitivity_max(
            explanation_func, torch.as_tensor(X[rows]),
            perturb_func=_uniform_perturbation(rng, float(perturb_radius)),
            perturb_radius=float(perturb_radius), n_perturb_samples=n_perturb_samples,
            norm_ord=norm_ord, target=torch.as_tensor(target[rows]),
        ).numpy())
    return np.concatenate(scores).astype(np.float64)


@fill_doc(shared=_SHARED_PARAMS, perturbation=_PERTURBATION_PARAMS)
def lipschitz_max(explainer, X, *, target=None, perturb_radius=0.02, n_perturb_samples=10,
                  norm_ord="fro", batch_size=64, random_state=None):
    """Local Lipschitz estimate of explanations (Alvarez-Melis and Jaakkola 2018),
    as time_interpret's ``lipschitz_max``.

    For each sample ``x`` with explanation ``Phi(x)``, the largest ratio
    ``||Phi(x) - Phi(x')|| / ||x - x'||`` over ``n_perturb_samples``
    perturbed copies ``x'`` drawn uniformly within ``perturb_radius`` of
    ``x``: how fast the explanation moves with the input. Lower is better.
    With the same ``random_state`` and ``batch_size``, the perturbations are
    those of :func:`sensitivity_max`.

    Parameters
    ----------
    %(shared)s
    %(perturbation)s

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        One Lipschitz estimate per sample.

    See Also
    --------
    sensitivity_max : The change relative to the explanation's size instead.

    Examples
    --------
    Input x Gradient of a linear model whose weights are all 0.5 is ``0.5 * x``,
    so it moves half as fast as the input:

    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import InputXGradient
    >>> from sklearn_tsx.metrics import lipschitz_max
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 1))
    >>> _ = torch.nn.init.constant_(model[1].weight, 0.5)
    >>> X = np.random.default_rng(0).normal(size=(3, 2, 10)).astype(np.float32)
    >>> explainer = InputXGradient(model).fit(X)
    >>> lipschitz_max(explainer, X, random_state=0).round(4)
    array([0.5, 0.5, 0.5])
    """
    X, target = _check_explainer(explainer, X, target)
    _check_positive(perturb_radius, "perturb_radius")
    _check_positive_int(n_perturb_samples, "n_perturb_samples")
    _check_positive_int(batch_size, "batch_size")
    _check_norm_ord(norm_ord)
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))
    perturb = _uniform_perturbation(rng, float(perturb_radius))
    scores = []
    for rows in _chunks(len(X), batch_size):
        x = np.repeat(X[rows], n_perturb_samples, axis=0)
        t = np.repeat(target[rows], n_perturb_samples, axis=0)
        x_perturbed = perturb(torch.as_tensor(x)).numpy()
        change = _explain(explainer, X[rows], target[rows]).repeat(n_perturb_samples, axis=0)
        change = (change - _explain(explainer, x_perturbed, t)).reshape(len(x), -1)
        step = _vector_norm((x - x_perturbed).reshape(len(x), -1).astype(np.float64),
                            norm_ord)
        step = np.where(step == 0, 1, step)
        ratio = _vector_norm(change.astype(np.float64), norm_ord) / step
        scores.append(ratio.reshape(-1, n_perturb_samples).max(axis=1))
    return np.concatenate(scores)


@fill_doc(shared=_SHARED_PARAMS)
def infidelity(explainer, X, attributions=None, *, target=None, stdevs=0.1,
               n_perturb_samples=10, normalize=False, batch_size=64, random_state=None):
    """Infidelity of attributions (Yeh et al. 2019), by captum.

    For perturbations ``I`` of a sample ``x``, the mean squared difference
    between what the attributions predict, ``I . Phi(x)``, and the model's
    actual change, ``f(x) - f(x - I)``, of the explained output. Here ``I``
    is Gaussian noise of standard deviation ``stdevs``. Computed by
    :func:`captum.metrics.infidelity`; lower is better.

    Parameters
    ----------
    %(shared)s
    attributions : array-like of the same shape as ``X`` or None, default=None
        The attributions scored; ``None`` computes them with ``explainer``
        for ``target``.
    stdevs : float, default=0.1
        Standard deviation of the Gaussian perturbations (10 % of the range
        of min-max scaled data).
    n_perturb_samples : int, default=10
        Perturbations per sample.
    normalize : bool, default=False
        Rescale the attributions by the factor that minimises the infidelity
        (captum's ``normalize``), so only their direction counts.
    batch_size : int, default=64
        Samples perturbed together: ``batch_size * n_perturb_samples``
        perturbed copies per forward pass.
    random_state : int, RandomState instance or None, default=None
        Seeds the perturbations.

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        One infidelity per sample.

    Examples
    --------
    The gradient of a linear model predicts its change under any perturbation
    exactly, so its infidelity is zero up to rounding:

    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import Saliency
    >>> from sklearn_tsx.metrics import infidelity
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> explainer = Saliency(model, absolute=False).fit(X)
    >>> bool(infidelity(explainer, X, target=0, random_state=0).max() < 1e-10)
    True
    """
    X, target = _check_explainer(explainer, X, target)
    if attributions is None:
        attributions = _explain(explainer, X, target)
    attributions = check_time_series(attributions, input_name="attributions")
    if attributions.shape != X.shape:
        raise ValueError(
            f"attributions have shape {attributions.shape}, X has shape {X.shape}; "
            "they must match."
        )
    _check_positive(stdevs, "stdevs")
    _check_positive_int(n_perturb_samples, "n_perturb_samples")
    _check_positive_int(batch_size, "batch_size")
    if not isinstance(normalize, (bool, np.bool_)):
        raise ValueError(f"normalize must be a bool; got {normalize!r}.")
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))

    def perturb_func(inputs):
        noise = torch.as_tensor(rng.normal(0.0, stdevs, size=tuple(inputs.shape)),
                                dtype=inputs.dtype, device=inputs.device)
        return noise, inputs - noise

    model = explainer.model_
    device = explainer._device
    model.to(device)
    scores = []
    with model.evaluating():
        for rows in _chunks(len(X), batch_size):
            scores.append(captum_metrics.infidelity(
                model.forward, perturb_func, torch.as_tensor(X[rows], device=device),
                torch.as_tensor(attributions[rows], device=device),
                target=captum_target(target[rows], device),
                n_perturb_samples=n_perturb_samples, normalize=bool(normalize),
            ).cpu().numpy())
    return np.concatenate(scores).astype(np.float64)
