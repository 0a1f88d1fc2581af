"""FIT: feature importance in time (Tonekaboni et al. 2020)."""

import numbers

import numpy as np
import torch
from sklearn.base import is_regressor
from torch import nn
from torch.nn import functional as F
from tqdm.auto import trange

from ..utils import seeded_torch
from ..utils._adapters import _unwrap
from .base import BaseExplainer

__all__ = ["FIT"]


class _ConditionalGenerator(nn.Module):
    """Diagonal Gaussian model of ``x_t`` given ``x_0 .. x_{t-1}``: a GRU over
    the past and a linear head giving the mean and the standard deviation."""

    def __init__(self, n_channels, hidden_size):
        super().__init__()
        self.gru = nn.GRU(n_channels, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 2 * n_channels)

    def forward(self, x):
        # the state predicting x_t has seen x_0 .. x_{t-1} (a zero input first)
        past = F.pad(x, (1, 0))[:, :, :-1].transpose(1, 2)
        hidden, _ = self.gru(past)
        mean, log_std = self.head(hidden).transpose(1, 2).chunk(2, dim=1)
        return mean, log_std.clamp(-7.0, 3.0).exp()


def _kl(p, q):
    """KL(p || q) of categorical distributions along the last axis."""
    return (p * (p.log() - q.log())).sum(-1)


class FIT(BaseExplainer):
    """Feature Importance in Time (FIT, Tonekaboni et al. 2020).

    The importance of channel ``c`` at time ``t`` is how much of the shift of
    the predictive distribution from ``t - 1`` to ``t`` the observed
    ``x[c, t]`` accounts for on its own:

    ``I(c, t) = KL(P_t || P_{t-1}) - E[KL(P_t || P_t^{(c)})]``,

    where ``P_t`` is the model's predictive distribution on the series up to
    ``t``, and ``P_t^{(c)}`` the same with the other channels at ``t`` drawn
    from a conditional generator of ``x_t`` given the past (a GRU with a
    diagonal Gaussian head, trained on the training panel in ``fit``).
    Counterfactual prefixes for all samples of a batch, all channels and all
    generator draws go through the model together, one pass per time step.
    ``I(c, 0) = 0``.

    The model is evaluated on prefixes ``X[:, :, :t + 1]`` (for sequence
    models, the prediction at step ``t``), so it must accept shorter series
    (recurrent and causal convolutional nets do). Classifiers give class
    probabilities; the outputs of a bare torch module are read as logits.
    ``target`` is ignored: FIT scores the whole predictive distribution.

    Parameters
    ----------
    estimator : object
        The fitted classifier to explain.
    n_samples : int, default=10
        Generator draws per (sample, channel, time step).
    hidden_size : int, default=32
        Width of the generator's GRU.
    max_epochs : int, default=50
        Generator training epochs (Adam, full passes over the training panel).
    lr : float, default=1e-2
        Generator learning rate.
    batch_size : int, default=8
        Samples per batch (for training the generator: series per step); the
        model sees ``batch_size * n_channels * n_samples`` prefixes per pass.
    n_jobs : int or None, default=None
        Workers over which batches are spread (``None`` means 1).
    device : str, default="cpu"
        Torch device; ``"auto"`` takes CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds generator training and the draws.
    verbose : int, default=0
        Progress bars when positive.

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    generator_ : torch.nn.Module
        The trained conditional generator.
    generator_loss_ : float
        Its mean Gaussian negative log-likelihood on the training panel after
        the last epoch.

    References
    ----------
    S. Tonekaboni, S. Joshi, K. Campbell, D. Duvenaud and A. Goldenberg. What
    went wrong and when? Instance-wise feature importance for time-series
    black-box models. NeurIPS 2020.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import FIT
    >>> model = torch.nn.GRU(2, 2, batch_first=True)
    >>> class Last(torch.nn.Module):
    ...     def forward(self, x):
    ...         return model(x.transpose(1, 2))[0][:, -1]
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> fit = FIT(Last(), max_epochs=2, n_samples=3, random_state=0).fit(X)
    >>> fit.explain(X).shape
    (4, 2, 10)
    """

    def __init__(self, estimator, *, n_samples=10, hidden_size=32, max_epochs=50, lr=1e-2,
                 batch_size=8, n_jobs=None, device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.n_samples = n_samples
        self.hidden_size = hidden_size
        self.max_epochs = max_epochs
        self.lr = lr
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _check_model(self):
        model = self.model_
        estimator = _unwrap(self.estimator)
        try:
            regressor = is_regressor(estimator)
        except AttributeError:  # torch modules and other objects without sklearn tags
            regressor = False
        if regressor or (model.module is None and not model.is_classifier):
            raise ValueError(
                f"FIT compares predictive distributions over classes, but {model.name} "
                "is a regressor."
            )
        try:
            with torch.no_grad(), model.evaluating():
                model.forward(torch.zeros(2, self.n_channels_in_, 1, device=self._device))
        except Exception as exc:
            raise ValueError(
                f"FIT evaluates the model on prefixes of the series, but {model.name} "
                "fails on a series of one time point; explain it with another method."
            ) from exc

    def _fit(self, X, y):
        for name in ("n_samples", "hidden_size", "max_epochs"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
        if not (isinstance(self.lr, numbers.Real) and self.lr > 0):
            raise ValueError(f"lr must be a positive number; got {self.lr!r}.")
        device = self._device
        self.model_.to(device)
        self._check_model()
        with seeded_torch(self.random_state, device):
            generator = _ConditionalGenerator(X.shape[1], self.hidden_size).to(device)
            optimizer = torch.optim.Adam(generator.parameters(), lr=self.lr)
            data = torch.as_tensor(X, device=device)
            epochs = trange(self.max_epochs, desc="FIT generator", disable=not self.verbose)
            for _ in epochs:
                total = 0.0
                for rows in torch.randperm(len(data), device=device).split(self.batch_size):
                    x = data[rows]
                    mean, std = generator(x)
                    loss = (std.log() + 0.5 * ((x - mean) / std) ** 2).mean()
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                    total += loss.item() * len(rows)
        self.generator_ = generator.eval()
        self.generator_loss_ = total / len(data)

    def _resolve_target(self, X, target):
        # FIT scores the whole predictive distribution: no output is selected
        return np.zeros(len(X), dtype=np.int64)

    def _distribution(self, x):
        out = self.model_.forward(x)
        if self.model_.sequence:
            out = out[:, -1]
        probs = out if self.model_.is_classifier else torch.softmax(out, dim=-1)
        return probs.clamp_min(1e-7)

    @torch.no_grad()
    def _explain_batch(self, X, target, rng):
        x = torch.as_tensor(X, device=self._device)
        n, n_channels, n_timepoints = x.shape
        k = self.n_samples
        generator = self.generator_.to(x.device)
        mean, std = generator(x)
        draws = mean[:, None] + std[:, None] * torch.randn(
            (n, k, n_channels, n_timepoints), device=x.device
        )
        scores = torch.zeros_like(x)
        kept = torch.arange(n_channels, device=x.device)
        previous = self._distribution(x[:, :, :1])
        for t in range(1, n_timepoints):
            current = self._distribution(x[:, :, : t + 1])
            shift = _kl(current, previous)
            # rows (sample, kept channel, draw): the past as observed, step t
            # drawn except for the kept channel
            prefixes = x[:, None, None, :, : t + 1].repeat(1, n_channels, k, 1, 1)
            prefixes[..., t] = draws[:, None, :, :, t]
            prefixes[:, kept, :, kept, t] = x[:, :, t].T[:, :, None]
            counterfactual = self._distribution(prefixes.reshape(-1, n_channels, t + 1))
            divergence = _kl(
                current[:, None, None], counterfactual.reshape(n, n_channels, k, -1)
            ).mean(dim=2)
            scores[:, :, t] = shift[:, None] - divergence
            previous = current
        return scores
