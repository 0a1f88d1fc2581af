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


class TwoPulses(torch.nn.Module):
    """Class k's logit: the sum of channel k over its own window of steps."""

    WINDOWS = (slice(2, 5), slice(8, 11))

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))

    def forward(self, x):
        return self.scale * torch.stack(
            [x[:, k, window].sum(-1) for k, window in enumerate(self.WINDOWS)], -1
        )


def two_pulse_classifier(n=8):
    """Series with a pulse for their class and a weaker one for the other,
    the skorch classifier of :class:`TwoPulses` (predicted with p of 0.73-0.80
    only), and the masks of each series' own and other pulse."""
    from skorch import NeuralNetClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(scale=0.05, size=(n, 2, 14)).astype(np.float32)
    y = np.arange(n) % 2
    own, other = np.zeros(X.shape, bool), np.zeros(X.shape, bool)
    for i, c in enumerate(y):
        X[i, c, TwoPulses.WINDOWS[c]] += 1.0
        X[i, 1 - c, TwoPulses.WINDOWS[1 - c]] += 0.6
        own[i, c, TwoPulses.WINDOWS[c]] = other[i, 1 - c, TwoPulses.WINDOWS[1 - c]] = True
    model = NeuralNetClassifier(TwoPulses, criterion=torch.nn.CrossEntropyLoss,
                                max_epochs=0, train_split=None, verbose=0).fit(X, y)
    assert (model.predict(X) == y).all() and model.predict_proba(X).max() < 0.85
    return X, model, own, other
