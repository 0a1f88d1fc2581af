"""Small fitted models shared by the explainer tests."""

import numpy as np
import torch
from sklearn.frozen import FrozenEstimator

from sklearn_tsx.models import GRUClassifier

N_CHANNELS, N_TIMEPOINTS = 3, 8


def make_panel(n=6, seed=0):
    return np.random.default_rng(seed).normal(
        size=(n, N_CHANNELS, N_TIMEPOINTS)
    ).astype(np.float32)


class ReluNet(torch.nn.Module):
    """A fixed convolutional net with ReLUs: differentiable, DeepLift-friendly."""

    def __init__(self):
        super().__init__()
        generator = torch.Generator().manual_seed(0)
        self.conv = torch.nn.Conv1d(N_CHANNELS, 4, 3, padding=1)
        self.linear = torch.nn.Linear(4 * N_TIMEPOINTS, 2)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator) * 0.5)

    def forward(self, x):
        return self.linear(torch.relu(self.conv(x)).flatten(1))


def fitted_gru(seed=0):
    X = make_panel(24, seed)
    y = (X[:, 1, 4:].mean(axis=1) > 0).astype(int)
    return GRUClassifier(hidden_size=4, max_epochs=3, random_state=seed).fit(X, y)


def frozen_gru():
    return FrozenEstimator(fitted_gru())
