"""Torch helpers shared by estimators and explainers: devices and seeding."""

import contextlib

import numpy as np
import torch
from sklearn.utils import check_random_state

__all__ = ["resolve_device", "torch_seed", "seeded_torch"]


def resolve_device(device):
    """Return a ``torch.device``; ``"auto"`` picks CUDA when available.

    Parameters
    ----------
    device : str, torch.device or None
        ``"auto"`` or ``None`` for CUDA when available, else the CPU; any
        other value is passed to :class:`torch.device`.

    Returns
    -------
    device : torch.device

    Raises
    ------
    ValueError
        When CUDA is asked for but not available.

    Examples
    --------
    >>> from sklearn_tsx.utils import resolve_device
    >>> resolve_device("cpu")
    device(type='cpu')
    """
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={str(device)!r} was requested but CUDA is not available.")
    return device


def torch_seed(random_state):
    """Draw a torch seed (a non-negative int) from ``random_state``.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        An int is used as the seed itself (modulo ``2**63``); a
        ``RandomState`` (or ``None``, the global one) draws it, and advances.

    Returns
    -------
    seed : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.utils import torch_seed
    >>> torch_seed(7)
    7
    >>> rs = np.random.RandomState(0)
    >>> torch_seed(rs) != torch_seed(rs)
    True
    """
    if isinstance(random_state, (int, np.integer)):
        return int(random_state) % (2**63)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextlib.contextmanager
def seeded_torch(random_state, device=None):
    """Run a block under a fixed torch seed without touching the caller's RNG state.

    The global torch generators (CPU, and CUDA when ``device`` is a CUDA device)
    are forked, seeded from ``random_state``, and restored on exit.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        Source of the seed, as :func:`torch_seed` reads it.
    device : str or torch.device, default=None
        Also fork and seed this CUDA device's generator.

    Yields
    ------
    None
        The block runs under the seeded generators.

    Examples
    --------
    >>> import torch
    >>> from sklearn_tsx.utils import seeded_torch
    >>> with seeded_torch(0):
    ...     a = torch.rand(2)
    >>> with seeded_torch(0):
    ...     b = torch.rand(2)
    >>> bool(torch.equal(a, b))
    True
    """
    device = torch.device(device) if device is not None else torch.device("cpu")
    cuda_devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(torch_seed(random_state))
        yield
