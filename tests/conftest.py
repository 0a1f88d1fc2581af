import matplotlib
import pytest
import torch

matplotlib.use("Agg")
# Tiny ops are slower with two threads on two cores, and pytest-xdist already
# runs one worker per core.
torch.set_num_threads(1)


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(0)
