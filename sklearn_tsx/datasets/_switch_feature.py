"""The Switch-Feature experiment: a three-state chain whose state picks which
feature drives the label, with Gaussian-process inputs (Tonekaboni et al. 2020;
ContraLSP Table 2)."""

import numbers

import numpy as np
from scipy.special import expit
from sklearn.utils import Bunch, check_random_state

__all__ = ["make_switch_feature"]

_MEANS = np.array([[0.8, -0.5, -0.2], [0.0, -1.0, 0.0], [-0.2, -0.2, 0.8]])
_TRANSITIONS = np.array([[0.95, 0.02, 0.03], [0.02, 0.95, 0.03], [0.03, 0.02, 0.95]])
_GP_VARIANCE = 0.1


def _state_chain(rng, n_samples, n_timepoints):
    states = np.empty((n_samples, n_timepoints), dtype=np.int64)
    states[:, 0] = rng.randint(3, size=n_samples)
    cumulative = _TRANSITIONS.cumsum(axis=1)
    for t in range(1, n_timepoints):
        u = rng.uniform(size=(n_samples, 1))
        states[:, t] = (u >= cumulative[states[:, t - 1]]).sum(axis=1).clip(max=2)
    return states


def _segment_gp_cholesky(states, lengthscale):
    """Cholesky factors of the per-sample covariance over time: a squared-
    exponential kernel within each run of one state, independence across runs
    (the reference draws each run from its own Gaussian process)."""
    n_timepoints = states.shape[1]
    runs = np.concatenate(
        [np.zeros((len(states), 1), dtype=np.int64), np.diff(states, axis=1) != 0], axis=1
    ).cumsum(axis=1)
    t = np.arange(n_timepoints)
    kernel = _GP_VARIANCE * np.exp(-((t[:, None] - t[None, :]) ** 2) / (2 * lengthscale**2))
    same_run = runs[:, :, None] == runs[:, None, :]
    covariance = kernel * same_run + 1e-10 * np.eye(n_timepoints)
    return np.linalg.cholesky(covariance)


def make_switch_feature(
    n_samples=1000, *, n_timepoints=100, lengthscale=0.2, logit_scale=3.0, random_state=None
):
    """Make the Switch-Feature experiment: three features, one binary label per step.

    A hidden three-state Markov chain (stays with probability 0.95) selects at
    each step the feature that drives the label:
    ``y_t ~ Bernoulli(sigmoid(k x_t[s_t]))``, so feature ``s_t`` is the salient
    one at step ``t``. Within each run of one state, every feature is a Gaussian
    process with a squared-exponential kernel (variance 0.1, length scale
    ``lengthscale`` in steps) around the state's mean: ``(0.8, -0.5, -0.2)``,
    ``(0, -1, 0)`` or ``(-0.2, -0.2, 0.8)``.

    Follows the reference code (``k = 3``, where the ContraLSP appendix prints
    ``sigmoid(x)``), except the initial state, drawn uniformly from the three
    states as the paper says (the reference code draws it from {0, 1} only).
    With the default length scale of 0.2 steps the process is nearly white noise,
    as in the reference.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of series.
    n_timepoints : int, default=100
        Length of the series.
    lengthscale : float, default=0.2
        Length scale of the Gaussian-process kernel, in time steps.
    logit_scale : float, default=3.0
        ``k`` in the label probability ``sigmoid(k x)``.
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    data : Bunch
        With attributes

        data : ndarray of shape (n_samples, 3, n_timepoints), float32
            The series.
        target : ndarray of shape (n_samples, n_timepoints), int64
            The binary label of every step.
        saliency : ndarray of shape (n_samples, 3, n_timepoints), bool
            True at feature ``s_t`` at every step ``t``.
        states : ndarray of shape (n_samples, n_timepoints), int64
            The hidden state.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_switch_feature
    >>> data = make_switch_feature(n_samples=5, random_state=0)
    >>> data.data.shape, int(data.saliency.sum())
    ((5, 3, 100), 500)
    """
    for name, value in (("n_samples", n_samples), ("n_timepoints", n_timepoints)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    if not isinstance(lengthscale, numbers.Real) or not lengthscale > 0:
        raise ValueError(f"lengthscale must be a positive number; got {lengthscale!r}.")
    if not isinstance(logit_scale, numbers.Real) or not np.isfinite(logit_scale):
        raise ValueError(f"logit_scale must be a finite number; got {logit_scale!r}.")
    rng = check_random_state(random_state)
    states = _state_chain(rng, n_samples, n_timepoints)
    cholesky = _segment_gp_cholesky(states, lengthscale)
    noise = rng.standard_normal((n_samples, 3, n_timepoints))
    X = _MEANS[states].transpose(0, 2, 1) + np.einsum("nts,ncs->nct", cholesky, noise)
    read = np.take_along_axis(X, states[:, None, :], axis=1)[:, 0]
    y = (rng.uniform(size=read.shape) < expit(logit_scale * read)).astype(np.int64)
    saliency = states[:, None, :] == np.arange(3)[None, :, None]
    return Bunch(data=X.astype(np.float32), target=y, saliency=saliency, states=states)
