import numpy as np
import pytest
import torch

from sklearn_tsx.datasets import make_rare_time
from sklearn_tsx.explainers import RandomExplainer, explain_per_step
from sklearn_tsx.explainers.base import BaseExplainer


class _Gradient(BaseExplainer):
    """Gradient of the explained (step, output) w.r.t. the input."""

    requires_gradients = True

    def __init__(self, estimator, *, batch_size=64, n_jobs=None, device="cpu",
                 random_state=None, verbose=0):
        self.estimator = estimator
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _explain_batch(self, X, target, rng):
        x = torch.as_tensor(X).requires_grad_(True)
        out = self.model_.forward(x)
        rows = torch.arange(len(X))
        steps, outputs = torch.as_tensor(target[:, 0]), torch.as_tensor(target[:, 1])
        out[rows, steps, outputs].sum().backward()
        return x.grad


class _Causal(torch.nn.Module):
    """Output at t = cumulative sum over time of a channel mix: depends on x[:, :t+1]."""

    def forward(self, x):
        return torch.cumsum(x[:, :1] * 2.0 + x[:, 1:2] ** 2, dim=-1).transpose(1, 2)


def test_per_step_is_the_diagonal_of_step_targets():
    X = np.random.default_rng(0).normal(size=(3, 2, 6)).astype(np.float32)
    explainer = _Gradient(_Causal(), batch_size=5).fit(X)
    per_step = explain_per_step(explainer, X)
    expected = np.stack(
        [explainer.explain(X, target=t)[:, :, t] for t in range(6)], axis=-1
    )
    np.testing.assert_allclose(per_step, expected, rtol=1e-6)
    np.testing.assert_allclose(per_step[:, 0], 2.0)
    np.testing.assert_allclose(per_step[:, 1], 2 * X[:, 1], rtol=1e-6)


def test_per_step_on_white_box_reads_the_salient_set():
    data = make_rare_time(n_samples=1, n_features=10, n_timepoints=10, random_state=0)
    model = data.model.select(0)
    explainer = _Gradient(model).fit(data.data)
    per_step = explain_per_step(explainer, data.data)
    np.testing.assert_allclose(per_step, 2 * data.data * data.saliency, rtol=1e-6)


def test_per_step_refuses_models_without_step_outputs():
    X = np.zeros((2, 2, 5), dtype=np.float32)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(10, 1))
    explainer = RandomExplainer(model).fit(X)
    with pytest.raises(ValueError, match="one prediction per time step"):
        explain_per_step(explainer, X)
    sequence = RandomExplainer(_Causal()).fit(X)
    with pytest.raises(ValueError, match="fitted on"):
        explain_per_step(sequence, X[:, :, :4])
