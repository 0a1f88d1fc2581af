"""The State experiment: a two-state chain whose switching slows with time spent,
with one label per time step (Tonekaboni et al. 2020; Dynamask Table 3)."""

import numbers

import numpy as np
from scipy.special import expit
from sklearn.utils import Bunch, check_random_state

__all__ = ["make_state"]

_MEANS = np.array([[0.1, 1.6, 0.5], [-0.1, -0.4, -1.5]])
_SALIENT_FEATURE = np.array([1, 2])  # feature read by the label in state 0 / state 1


def _covariances():
    """Per-state covariances of the reference code: 0.8 I + 1e-3 I, and 0.01
    between feature 0 and the state's salient feature."""
    covariances = np.tile(np.eye(3) * (0.8 + 1e-3), (2, 1, 1))
    for state, feature in enumerate(_SALIENT_FEATURE):
        covariances[state, feature, 0] = covariances[state, 0, feature] = 0.01
    return covariances


def _state_chain(rng, n_samples, n_timepoints):
    """States of the reference chain, all samples at once.

    From state 0 the chain moves to 1 with probability 0.05; state 1 is left
    with probability ``0.05 + d / 500``, ``d`` being the number of steps since
    the last switch. The state at time 0 is already one step of the chain from
    a fair coin.
    """
    states = np.empty((n_samples, n_timepoints), dtype=np.int64)
    previous = rng.binomial(1, 0.5, size=n_samples)
    since_switch = np.zeros(n_samples)
    for t in range(n_timepoints):
        p_one = np.where(previous == 1, 0.95 - since_switch / 500, 0.05)
        state = (rng.uniform(size=n_samples) < p_one).astype(np.int64)
        since_switch = np.where(state == previous, since_switch + 1, 0)
        states[:, t] = previous = state
    return states


def make_state(n_samples=1000, *, n_timepoints=200, logit_scale=2.0, random_state=None):
    """Make the State experiment: three features, one binary label per step.

    A hidden two-state chain ``s_t`` (sticky in state 0; in state 1, ever more
    likely to leave the longer it stays) drives Gaussian inputs
    ``x_t ~ N(mu_{s_t}, Sigma_{s_t})`` with means ``(0.1, 1.6, 0.5)`` and
    ``(-0.1, -0.4, -1.5)``, and the label ``y_t ~ Bernoulli(sigmoid(k x_t[f]))``
    reads feature ``f = 1`` in state 0 and ``f = 2`` in state 1 (features 2
    and 3, one-based). That feature is the salient one at every step.

    The chain, covariances and label scale follow the reference code: the
    Dynamask appendix prints a time-homogeneous transition matrix and
    ``sigmoid(x)``, but its tables (and time_interpret's) come from this chain
    and ``k = 2``.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of series (the papers use 800 to train and 200 to test).
    n_timepoints : int, default=200
        Length of the series.
    logit_scale : float, default=2.0
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
            True at the feature the label reads, at every step.
        states : ndarray of shape (n_samples, n_timepoints), int64
            The hidden state.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_state
    >>> data = make_state(n_samples=5, random_state=0)
    >>> data.data.shape, data.target.shape, int(data.saliency.sum())
    ((5, 3, 200), (5, 200), 1000)
    """
    for name, value in (("n_samples", n_samples), ("n_timepoints", n_timepoints)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    if not isinstance(logit_scale, numbers.Real) or not np.isfinite(logit_scale):
        raise ValueError(f"logit_scale must be a finite number; got {logit_scale!r}.")
    rng = check_random_state(random_state)
    states = _state_chain(rng, n_samples, n_timepoints)
    cholesky = np.linalg.cholesky(_covariances())
    noise = rng.standard_normal((n_samples, n_timepoints, 3))
    X = _MEANS[states] + np.einsum("ntij,ntj->nti", cholesky[states], noise)
    read = np.take_along_axis(X, _SALIENT_FEATURE[states][..., None], axis=-1)[..., 0]
    y = (rng.uniform(size=read.shape) < expit(logit_scale * read)).astype(np.int64)
    saliency = _SALIENT_FEATURE[states][:, None, :] == np.arange(3)[None, :, None]
    return Bunch(
        data=np.ascontiguousarray(X.transpose(0, 2, 1), dtype=np.float32),
        target=y, saliency=saliency, states=states,
    )
