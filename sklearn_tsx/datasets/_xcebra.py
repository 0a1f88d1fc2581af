"""Synthetic recordings with a known latent-to-channel attribution map, for xCEBRA."""

import numbers

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["make_xcebra_recording"]


def _ar1(rng, n_timesteps, n_latents, smoothness):
    """Stationary AR(1) processes with unit variance, one per column."""
    innovations = rng.standard_normal((n_timesteps, n_latents))
    scale = np.sqrt(1.0 - smoothness**2)
    z = np.empty((n_timesteps, n_latents))
    z[0] = innovations[0]
    for t in range(1, n_timesteps):
        z[t] = smoothness * z[t - 1] + scale * innovations[t]
    return z


def make_xcebra_recording(
    n_timesteps=5000,
    n_channels=30,
    *,
    n_behavior_latents=2,
    n_time_latents=2,
    connectivity=0.3,
    smoothness=0.99,
    nonlinear=True,
    noise=0.01,
    return_latents=False,
    random_state=None,
):
    """Make a multichannel recording driven by behaviour and time latents.

    Two groups of latents evolve as independent, smooth AR(1) processes of unit
    variance: ``n_behavior_latents`` behaviour latents, which are also returned
    as the observed behaviour ``y``, and ``n_time_latents`` latents seen by no
    auxiliary variable (only their smoothness in time reveals them). Each channel
    is connected to the behaviour group, the time group, or both (each with
    probability ``connectivity``, redrawn until the channel has a parent), and
    mixes all latents of its connected groups through random weights, followed
    by the monotone nonlinearity ``tanh(s) + 0.2 s`` when ``nonlinear=True``.

    The ground-truth attribution map says which channel depends on which latent.
    All latents of a group share their row, which makes the map invariant to
    any invertible mixing of the latents within a group: the indeterminacy that
    remains after contrastive learning, so the map can be compared to one
    estimated from a model's own latents.

    Parameters
    ----------
    n_timesteps : int, default=5000
        Number of time steps of the recording.
    n_channels : int, default=30
        Number of recorded channels. Must exceed the number of latents, so that
        the mixing is injective.
    n_behavior_latents : int, default=2
        Number of behaviour-driven latents (and columns of ``y``).
    n_time_latents : int, default=2
        Number of time-driven latents.
    connectivity : float in (0, 1], default=0.3
        Probability that a channel is connected to a latent group.
    smoothness : float in [0, 1), default=0.99
        AR(1) coefficient of the latents; larger is smoother.
    nonlinear : bool, default=True
        Whether to apply the elementwise nonlinearity after the sparse linear mixing.
    noise : float, default=0.01
        Standard deviation of the Gaussian noise added to every channel.
    return_latents : bool, default=False
        Whether to also return the latents.
    random_state : int, RandomState instance or None, default=None
        Seed of the generator.

    Returns
    -------
    X : ndarray of shape (n_timesteps, n_channels), dtype float32
        The recording, one row per time step (``cebra.CEBRA``'s convention).
    y : ndarray of shape (n_timesteps, n_behavior_latents), dtype float32
        The behaviour: the behaviour latents themselves.
    attribution_map : ndarray of shape (n_latents, n_channels), dtype bool
        ``attribution_map[k, c]`` is True when channel ``c`` depends on latent
        ``k``; ``n_latents = n_behavior_latents + n_time_latents``, behaviour
        latents first.
    latents : ndarray of shape (n_timesteps, n_behavior_latents + n_time_latents)
        Only with ``return_latents=True``.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_xcebra_recording
    >>> X, y, attribution_map = make_xcebra_recording(200, 12, random_state=0)
    >>> X.shape, y.shape, attribution_map.shape
    ((200, 12), (200, 2), (4, 12))
    """
    for name, value, minimum in [
        ("n_timesteps", n_timesteps, 2),
        ("n_channels", n_channels, 1),
        ("n_behavior_latents", n_behavior_latents, 1),
        ("n_time_latents", n_time_latents, 1),
    ]:
        if (
            not isinstance(value, numbers.Integral)
            or isinstance(value, bool)
            or value < minimum
        ):
            raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    n_latents = n_behavior_latents + n_time_latents
    if n_channels <= n_latents:
        raise ValueError(
            f"n_channels ({n_channels}) must exceed the number of latents "
            f"({n_latents}) for the mixing to be injective."
        )
    if not isinstance(connectivity, numbers.Real) or not 0 < connectivity <= 1:
        raise ValueError(f"connectivity must be a float in (0, 1]; got {connectivity!r}.")
    if not isinstance(smoothness, numbers.Real) or not 0 <= smoothness < 1:
        raise ValueError(f"smoothness must be a float in [0, 1); got {smoothness!r}.")
    if not isinstance(noise, numbers.Real) or noise < 0:
        raise ValueError(f"noise must be a float >= 0; got {noise!r}.")

    rng = check_random_state(random_state)
    z = _ar1(rng, n_timesteps, n_latents, smoothness)

    groups = np.zeros((2, n_channels), dtype=bool)
    for c in range(n_channels):
        while not groups[:, c].any():
            groups[:, c] = rng.random_sample(2) < connectivity
    group_sizes = [n_behavior_latents, n_time_latents]
    attribution_map = np.repeat(groups, group_sizes, axis=0)

    # Scaling by each channel's number of parents keeps every channel's variance near one.
    weights = rng.standard_normal((n_latents, n_channels)) * attribution_map
    weights /= np.sqrt(attribution_map.sum(axis=0, keepdims=True))
    X = z @ weights
    if nonlinear:
        X = np.tanh(X) + 0.2 * X
    X += noise * rng.standard_normal(X.shape)

    y = z[:, :n_behavior_latents].astype(np.float32)
    out = (X.astype(np.float32), y, attribution_map)
    if return_latents:
        out += (z,)
    return out
