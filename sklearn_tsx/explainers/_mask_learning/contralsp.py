"""ContraLSP: contrastive and locally sparse perturbations (Liu et al., ICLR 2024)."""

import contextlib
import hashlib
import numbers

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ...utils import seeded_torch
from ...utils._progress import progress
from ..base import BaseExplainer
from .contralsp_nets import PerturbationNet, TrendNet, gate, l0_penalty, triplet_loss
from .losses import (
    TARGET_DOC,
    batch_targets,
    check_classifier_output,
    compared_output,
    explained_output,
    resolve_loss,
    row_error,
    whole_output,
)
from .ties import REAL_DATA_NOTES, break_ties, check_break_ties

__all__ = ["ContraLSP"]


@contextlib.contextmanager
def _frozen(module):
    """Stop gradients from accumulating in ``module``'s parameters."""
    params = list(module.parameters())
    flags = [p.requires_grad for p in params]
    for p in params:
        p.requires_grad_(False)
    try:
        yield module
    finally:
        for p, flag in zip(params, flags):
            p.requires_grad_(flag)


def _row_key(row):
    return hashlib.sha1(np.ascontiguousarray(row).tobytes()).digest()


class ContraLSP(BaseExplainer):
    """Contrastive and locally sparse perturbations (ContraLSP).

    Learns, for every sample, a mask ``m`` in [0, 1] over its entries such that the
    model's output on ``m * x + (1 - m) * x_r`` stays close to its output on ``x``
    (the preservation game), where ``x_r = phi(x)`` is a counterfactual
    perturbation produced by a bidirectional GRU. The mask is a sample-specific
    sparse stochastic gate ``m = clamp(mu' + eps, 0, 1)``, ``eps ~ N(0, sigma^2)``,
    smoothed by a per-channel trend MLP ``tau`` (``mu' = z * sigmoid(z * tau(x))``
    with ``z = mu + 0.5``, eq. 4), and penalised by the expected number of open
    gates (``mean Phi(mu' / sigma)``, eq. 5). The perturbation net is trained by a
    triplet contrastive loss: a 2-means split of each batch's perturbations, the
    nearest positives of the own cluster, random negatives from the other one,
    Manhattan distance and margin ``b`` (eq. 2; see ``margin``), plus
    ``mean |x_r|``. Unlike the
    authors' code, which detaches the distances so that its triplet term has no
    gradient, the distances here are differentiable and the term trains ``phi``.

    The loss is ``E(f(perturbed), f(x)) + alpha * l0 + beta * (triplet +
    mean|x_r|)``, minimised by Adam over the gates, ``phi`` and ``tau``. The
    error ``E`` (``loss``) is, for classifiers, ``-log q`` of the originally
    predicted class (of each step's, for sequence models): the mask keeps the
    evidence for the predicted class, the output every other explainer
    explains. The paper and the reference code compare the whole output by
    its squared error, on the logits for classifiers (``loss="mse"``, the
    error for regressors), on whose scale the paper's ``alpha`` and ``beta``
    were chosen; on some real sets its masks rank entries little better than
    chance (see Notes).

    ``fit(X)`` learns the networks and the masks of ``X``, in batches of
    ``batch_size`` samples (triplets are drawn within a batch, so the batch size
    is part of the method). ``explain(X)`` returns, for samples seen in ``fit``
    (identical rows), their learned masks; for new samples it learns their gates
    for ``max_epochs`` epochs with ``phi`` and ``tau`` frozen. Masks at inference
    are noise-free: ``clamp(mu', 0, 1)``.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients.
    alpha : float, default=0.1
        Weight of the l0 gate penalty.
    beta : float, default=0.1
        Weight of the contrastive term (triplet loss plus ``mean |x_r|``).
    sigma : float, default=0.5
        Standard deviation of the gate noise (``delta`` in the paper).
    lr : float, default=0.1
        Adam learning rate.
    max_epochs : int, default=200
        Training epochs in ``fit`` and gate-learning epochs for new samples in
        ``explain``.
    margin : float, default=1.0
        Triplet margin ``b``: the hinge is ``max(0, D_an - D_ap + b)``, which keeps
        each perturbation closer to its negatives than to its positives by ``b`` as
        the paper intends. Its eq. (2) and the authors' code subtract ``b``
        instead; ``margin=-1`` reproduces them.
    mode : {"preservation", "deletion"}, default="preservation"
        Preservation keeps the output when only the masked entries are kept;
        deletion maximises the output change when the masked entries are replaced
        (``-E(f(x * (1 - m) + x_r * m), f(x))``, with the hinge of the triplet
        loss reversed, as in the authors' code).
    use_triplet : bool, default=True
        Whether the triplet term is used (``False`` keeps ``mean |x_r|``: the
        ablation "without triplet loss").
    use_trend : bool, default=True
        Whether the trend net smooths the gates (``False``: ``mu' = mu + 0.5``).
    kmeans_iter : int, default=10
        Lloyd iterations of the 2-means clustering.
    loss : {"auto", "mse", "cross_entropy", "log_loss"}, default="auto"
        The error ``E``, averaged over time steps: ``"auto"`` is ``"log_loss"``
        (``-log q`` of the originally predicted class) for classifiers and
        ``"mse"`` (averaged over outputs too) for regressors;
        ``"cross_entropy"`` compares the probability vectors. Deletion maximises
        it.
    classifier_output : {"logits", "probabilities"}, default="logits"
        What ``loss="mse"`` compares for classifiers that output probabilities
        through a softmax: the scores before it (as the reference code) or the
        probabilities. Models without a softmax are compared on their raw
        outputs either way; the other losses compare probabilities.
    break_ties : bool, default=True
        Order the entries the mask leaves tied (most end at exactly 0 or 1,
        clamped) by the gate's mean ``mu'`` behind the clamp. No entry moves by
        more than 0.001, so entries whose mask values differ by more keep their
        order; ``False`` returns ``clamp(mu', 0, 1)`` exactly.
    batch_size : int, default=128
        Samples per optimisation batch.
    n_jobs : int or None, default=None
        Workers over which the batches of new samples are spread in ``explain``.
    device : str, default="cpu"
        Torch device.
    random_state : int, RandomState instance or None, default=None
        Seeds the networks' initialisation, the gate noise and the negatives.
    verbose : int, default=0
        When positive, progress over the epochs of ``fit`` and, for new
        samples in ``explain``, over batches and each batch's epochs (plain
        lines, not an animated bar, when stderr is not a terminal).

    Attributes
    ----------
    masks_ : ndarray of shape (n_samples, n_channels, n_timepoints)
        Noise-free masks of the samples seen in ``fit``.
    perturbation_net_ : torch.nn.Module
        The trained perturbation net ``phi``.
    trend_net_ : torch.nn.Module or None
        The trained trend net ``tau`` (``None`` when ``use_trend=False``).
    loss_curve_ : ndarray of shape (max_epochs,)
        Mean training loss per epoch.
    model_ : ModelAdapter
        The wrapped model.
    loss_ : str
        The resolved error: ``"mse"``, ``"cross_entropy"`` or ``"log_loss"``.

    Notes
    -----
    Each epoch runs the model forward and backward once on the whole batch, so
    on the CPU the model's own passes dominate (about 90 % of a State fit with a
    GRU(200): 0.97 s per series at 500 epochs on two cores). On Linux,
    :func:`sklearn_tsx.utils.keep_freed_memory` stops the C library from
    returning those passes' buffers to the system after every epoch (1.04 ->
    0.83 s per series, measured before the triplet distances moved to
    ``torch.pdist``).

    For classifiers the default error is ``-log q`` of the predicted class. On real sets
    (``benchmarks/bench_faithfulness_real.py``, a ``TCNClassifier(normalization=None)``,
    20 test series, seed 0) the paper's squared error on the logits reaches a
    comprehensiveness AOPC of 0.36, 0.10 and 0.27 on ItalyPowerDemand, JapaneseVowels
    and BasicMotions, ``loss="cross_entropy"`` 0.43, 0.35 and 0.44, the default 0.49,
    0.45 and 0.45 (FeatureOcclusion 0.69, 0.21 and 0.36). The squared error asks the
    masks to keep every logit, the other classes' evidence too; ``-log q`` asks for the
    predicted class's evidence only. The log-probabilities are computed by
    ``log_softmax`` of the logits: through ``log`` of the probabilities, a confident
    9-class model's perturbed probabilities underflow to 0 and the masks stop learning
    (JapaneseVowels: 0.17 instead of 0.45). The paper's tables are reproduced with
    ``loss="mse"`` (``benchmarks/bench_contralsp_state.py``).

    {real_data}

    References
    ----------
    Z. Liu et al., "Explaining time series via contrastive and locally sparse
    perturbations", ICLR 2024.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import ContraLSP
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 1))
    >>> X = np.random.default_rng(0).normal(size=(8, 2, 10)).astype(np.float32)
    >>> explainer = ContraLSP(model, max_epochs=5, random_state=0).fit(X)
    >>> explainer.explain(X).shape
    (8, 2, 10)
    """

    requires_gradients = True

    def __init__(self, estimator, *, alpha=0.1, beta=0.1, sigma=0.5, lr=0.1,
                 max_epochs=200, margin=1.0, mode="preservation", use_triplet=True,
                 use_trend=True, kmeans_iter=10, loss="auto", classifier_output="logits",
                 break_ties=True, batch_size=128, n_jobs=None,
                 device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.alpha = alpha
        self.beta = beta
        self.sigma = sigma
        self.lr = lr
        self.max_epochs = max_epochs
        self.margin = margin
        self.mode = mode
        self.use_triplet = use_triplet
        self.use_trend = use_trend
        self.kmeans_iter = kmeans_iter
        self.loss = loss
        self.classifier_output = classifier_output
        self.break_ties = break_ties
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params(self):
        if not isinstance(self.margin, numbers.Real) or not np.isfinite(self.margin):
            raise ValueError(f"margin must be a finite number; got {self.margin!r}.")
        for name in ("alpha", "beta"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a non-negative number; got {value!r}.")
        for name in ("sigma", "lr"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number; got {value!r}.")
        for name in ("max_epochs", "kmeans_iter"):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
        check_break_ties(self.break_ties)
        if self.mode not in ("preservation", "deletion"):
            raise ValueError(
                f"mode must be 'preservation' or 'deletion'; got {self.mode!r}."
            )
        check_classifier_output(self.classifier_output)
        self.loss_ = resolve_loss(self.loss, self.model_)

    def _output(self, x, target=None):
        return explained_output(
            compared_output(self.model_, x, self.classifier_output, self.loss_), target
        )

    def _main_loss(self, x, x_r, mask, y, target=None):
        if self.mode == "preservation":
            return row_error(self._output(mask * x + (1 - mask) * x_r, target), y,
                             self.loss_).mean()
        return -row_error(self._output((1 - mask) * x + mask * x_r, target), y,
                          self.loss_).mean()

    def _fit(self, X, y):
        self._validate_params()
        device = self._device
        self.model_.to(device)
        n, n_channels, n_timepoints = X.shape
        with seeded_torch(self.random_state, device):
            phi = PerturbationNet(n_channels).to(device)
            tau = TrendNet(n_channels, n_timepoints).to(device) if self.use_trend else None
            mu = torch.nn.Parameter(torch.full(X.shape, 0.5, device=device))
            params = [mu, *phi.parameters()] + ([] if tau is None else list(tau.parameters()))
            optimizer = torch.optim.Adam(params, lr=self.lr)
            x_all = torch.as_tensor(X, device=device)
            with self.model_.evaluating(), _frozen(self.model_.module):
                with torch.no_grad():
                    y_all = torch.cat([
                        self._output(x_all[s : s + self.batch_size])
                        for s in range(0, n, self.batch_size)
                    ])
                curve = []
                epochs = progress(range(self.max_epochs), verbose=self.verbose,
                                  desc="ContraLSP fit", unit="epoch")
                for _ in epochs:
                    total = 0.0
                    for start in range(0, n, self.batch_size):
                        rows = slice(start, start + self.batch_size)
                        x = x_all[rows]
                        x_r = phi(x)
                        trend = None if tau is None else tau(x)
                        noisy = gate(mu[rows], trend, self.sigma * torch.randn_like(x))
                        gates = gate(mu[rows], trend)
                        loss = (
                            self._main_loss(x, x_r, noisy.clamp(0, 1), y_all[rows])
                            + self.alpha * l0_penalty(gates, self.sigma)
                            + self.beta * x_r.abs().mean()
                        )
                        if self.use_triplet and self.beta > 0:
                            loss = loss + self.beta * triplet_loss(
                                x_r, self.margin, n_iter=self.kmeans_iter,
                                reverse=self.mode == "deletion",
                            )
                        optimizer.zero_grad()
                        loss.backward()
                        optimizer.step()
                        total += loss.item() * len(x)
                    curve.append(total / n)
            phi.eval()
            if tau is not None:
                tau.eval()
            with torch.no_grad():
                trend = None if tau is None else tau(x_all)
                masks = self._masks(gate(mu, trend))
        for p in phi.parameters():
            p.requires_grad_(False)
        if tau is not None:
            for p in tau.parameters():
                p.requires_grad_(False)
        self.perturbation_net_ = phi
        self.trend_net_ = tau
        self.masks_ = masks.cpu().numpy()
        self.loss_curve_ = np.asarray(curve)
        self._fitted_rows = {_row_key(row): i for i, row in enumerate(X)}

    def _resolve_target(self, X, target):
        return whole_output(len(X)) if target is None else super()._resolve_target(X, target)

    def explain(self, X, target=None):
        """Masks of ``X``: the learned ones for samples seen in ``fit``, freshly
        learned gates (networks frozen) for new samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel to explain.
        {target}
            With a target, the gates of every sample are learned afresh for
            that output (networks frozen); the masks learned in ``fit`` are
            those of ``target=None``.

        Returns
        -------
        masks : ndarray of shape (n_samples, n_channels, n_timepoints)
            Noise-free masks in [0, 1].

        Notes
        -----
        New samples are optimised in batches of ``batch_size``, each with its own
        seed for the training noise: their masks do not depend on ``n_jobs``, but
        do (slightly) on ``batch_size``.
        """
        check_is_fitted(self, "masks_")
        if target is not None:
            return super().explain(X, target)
        X = self._check_X(X)
        known = np.asarray([self._fitted_rows.get(_row_key(row), -1) for row in X])
        out = np.empty(X.shape, dtype=np.float32)
        out[known >= 0] = self.masks_[known[known >= 0]]
        new = np.flatnonzero(known < 0)
        if new.size:
            out[new] = super().explain(X[new])
        return out

    def _explain_batch(self, X, target, rng):
        device = self._device
        phi, tau = self.perturbation_net_.to(device), self.trend_net_
        x = torch.as_tensor(X, device=device)
        target = batch_targets(target, device)
        with torch.no_grad():
            y = self._output(x, target)
            x_r = phi(x)
            trend = None if tau is None else tau.to(device)(x)
        mu = torch.nn.Parameter(torch.full(X.shape, 0.5, device=device))
        optimizer = torch.optim.Adam([mu], lr=self.lr)
        with _frozen(self.model_.module):
            epochs = progress(range(self.max_epochs), verbose=self.verbose,
                              desc="ContraLSP", unit="epoch", leave=False)
            for _ in epochs:
                noisy = gate(mu, trend, self.sigma * torch.randn_like(x))
                gates = gate(mu, trend)
                loss = self._main_loss(x, x_r, noisy.clamp(0, 1), y, target) + self.alpha * (
                    l0_penalty(gates, self.sigma)
                )
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
        with torch.no_grad():
            return self._masks(gate(mu, trend))

    def _masks(self, gates):
        """The noise-free masks ``clamp(mu', 0, 1)``, (near-)ties ordered by ``mu'``."""
        masks = gates.clamp(0, 1)
        return break_ties(masks, torch.sigmoid(gates)) if self.break_ties else masks


ContraLSP.explain.__doc__ = ContraLSP.explain.__doc__.replace("{target}", TARGET_DOC)


ContraLSP.__doc__ = ContraLSP.__doc__.replace("    {real_data}\n", REAL_DATA_NOTES)
