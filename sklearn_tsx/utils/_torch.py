"""Torch helpers shared by estimators and explainers: devices and seeding."""

import contextlib

import numpy as np
import torch
from sklearn.utils import check_random_state

__all__ = ["resolve_device", "torch_seed", "seeded_torch"]


def resolve_device(device):
    """Return a ``torch.device``; ``"auto"`` picks CUDA when available.

    Raises
    ------
    ValueError
        When CUDA is asked for but not available.
    """
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={str(device)!r} was requested but CUDA is not available.")
    return device


def torch_seed(random_state):
    """Draw a torch seed (a non-negative int) from ``random_state``."""
    if isinstance(random_state, (int, np.integer)):
        return int(random_state) % (2**63)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextlib.contextmanager
def seeded_torch(random_state, device=None):
    """Run a block under a fixed torch seed without touching the caller's RNG state.

    The global torch generators (CPU, and CUDA when ``device`` is a CUDA device)
    are forked, seeded from ``random_state``, and restored on exit.
    """
    device = torch.device(device) if device is not None else torch.device("cpu")
    cuda_devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=cuda_devices):
        torch.manual_seed(torch_seed(random_state))
        yield
