"""Dynamask: dynamic perturbation masks fitted to explain a time-series model."""

import math
import numbers

import numpy as np
import torch

from ...utils._progress import progress
from ..base import BaseExplainer
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
from .perturbation_operators import PERTURBATIONS, auto_blur_window, perturbation_of
from .ties import REAL_DATA_NOTES, break_ties, check_break_ties

__all__ = ["Dynamask"]

_MODES = ("preservation", "deletion")
_SELECTIONS = ("lowest_error", "extremal")
_SIZE_REG_TIES = ("mean", "reference")
_OPTIMIZERS = ("sgd", "adam")


def check_areas(area):
    """The sorted, unique grid of mask areas, each in (0, 1]."""
    areas = np.atleast_1d(np.asarray(area, dtype=float))
    if areas.ndim != 1 or areas.size == 0:
        raise ValueError(
            f"area must be a number or a non-empty 1-D grid of numbers; got {area!r}."
        )
    bad = areas[~((areas > 0) & (areas <= 1))]
    if bad.size:
        raise ValueError(f"Every area must lie in (0, 1]; got {bad.tolist()}.")
    return np.unique(areas)


def order_statistic(flat, rank):
    """Value of 0-based rank ``rank[a]`` among the entries of each row ``flat[..., a, :]``.

    A partial selection (``topk`` from the nearer end) when every rank lies
    within a quarter of either end, as for small areas, else a full sort:
    selecting the ``k`` extreme entries costs far less than sorting all of them.

    Parameters
    ----------
    flat : torch.Tensor of shape (..., A, n)
    rank : torch.Tensor of shape (A,), integers in ``[0, n)``

    Returns
    -------
    values : torch.Tensor of shape (..., A, 1)
    """
    n = flat.shape[-1]
    rank = rank.expand(*flat.shape[:-1]).unsqueeze(-1)
    n_low, n_high = int(rank.max()) + 1, n - int(rank.min())
    if min(n_low, n_high) > n // 4:
        return flat.sort(-1).values.gather(-1, rank)
    if n_low <= n_high:
        return flat.topk(n_low, -1, largest=False).values.gather(-1, rank)
    return flat.topk(n_high, -1).values.gather(-1, n - 1 - rank)


def size_targets(flat, n_zeros):
    """Target of each mask entry under the area regulariser.

    ``mean((r_a - sort(M))**2)`` pairs the ``k``-th smallest entry of ``M``
    with ``r_a[k]`` (``n_zeros`` zeros, then ones); its gradient with respect to
    an entry is ``2 (m - r) / n`` with ``r`` the entry's partner. Entries of
    equal value (all of them at the initial 0.5, and the many clamped at 0 or
    1) can be paired in any order, so the partner is undefined there: any fixed
    order, e.g. by position, would lift the first entries in memory and, with
    momentum, keep lifting them. Each entry gets instead the mean of the
    partners of its group of equal values, the symmetric choice, which equals
    the partner wherever the values are distinct.

    Parameters
    ----------
    flat : torch.Tensor of shape (..., A, n)
        Mask entries, one row per area.
    n_zeros : torch.Tensor of shape (A,)
        Number of zeros of each area's reference vector.

    Returns
    -------
    target : torch.Tensor of the shape of ``flat``
    """
    # Only the group of equal values around rank n_zeros straddles zeros and
    # ones: entries below its value get 0, above it 1, and inside it the share
    # of its ranks paired with ones. One selection, then float arithmetic only
    # (torch's comparisons and selections with boolean masks cost several
    # arithmetic passes each on CPU).
    n = flat.shape[-1]
    pivot = order_statistic(flat, n_zeros.clamp(max=n - 1))
    side = torch.sign(flat - pivot)  # -1 below the pivot, 0 tied with it, 1 above
    untied = side * side
    n_untied = untied.sum(-1, keepdim=True)
    n_tied = n - n_untied  # >= 1: the pivot itself
    below = (n_untied - side.sum(-1, keepdim=True)) / 2
    straddle = (below + n_tied - n_zeros[:, None].to(flat.dtype)).clamp(min=0) / n_tied
    target = (untied + side).mul_(0.5).add_((1.0 - untied).mul_(straddle))
    # an all-zeros reference vector (area below 1 / n) pairs every entry with 0
    return target.mul_((n_zeros < n)[:, None].to(flat.dtype))


def sorted_size_targets(flat, n_zeros):
    """Partner of each mask entry in ``r_a`` as the reference implementation
    pairs them: by the order ``torch.sort`` returns, ties included.

    ``torch.sort`` leaves the order of equal values unspecified (on CPU neither
    memory order nor stable), so the entries the regulariser lifts among tied
    ones depend on the sort's internals. Reproduces the reference code's
    masks; :func:`size_targets` is the tie-free version.

    Parameters
    ----------
    flat : torch.Tensor of shape (..., A, n)
        Mask entries, one row per area, flattened as the reference's (T, C)
        masks (time-major).
    n_zeros : torch.Tensor of shape (A,)
        Number of zeros of each area's reference vector.

    Returns
    -------
    target : torch.Tensor of the shape of ``flat``
    """
    n = flat.shape[-1]
    ones = torch.arange(n, device=flat.device) >= n_zeros[:, None]
    order = flat.sort(-1).indices
    return torch.zeros_like(flat).scatter_(-1, order, ones.to(flat.dtype).expand_as(flat))


def _mask_gradient(loss, masks):
    """Gradient of ``loss.sum()`` in ``masks``; zero where the loss does not
    depend on them (a model that ignores some inputs, or all of them)."""
    grad = None
    if loss.requires_grad:
        (grad,) = torch.autograd.grad(loss.sum(), [masks], allow_unused=True)
    return torch.zeros_like(masks) if grad is None else grad


class Dynamask(BaseExplainer):
    """Dynamic masks (Dynamask) of Crabbé & van der Schaar (2021).

    For each explained series and each area ``a`` of a grid, a mask
    ``M`` in ``[0, 1]^{C x T}`` is fitted so that the model's prediction on the
    perturbed series ``pi(x, M)`` stays close to its prediction on ``x``
    (preservation) while an area regulariser pushes ``M`` towards a binary mask
    keeping a fraction ``a`` of the entries. All series and all areas of a batch
    are fitted together, as one tensor, in one model call per epoch. The
    attribution of a series is the mask chosen on the grid by ``selection``.

    The loss of a mask is
    ``error + lambda_k * mean((r_a - sort(M))**2) + time_reg * mean|M[:, t+1] - M[:, t]|``
    where ``r_a`` holds ``(1 - a) C T`` zeros then ones and ``lambda_k`` grows
    geometrically from ``size_reg_init`` to ``size_reg_init * size_reg_dilation``
    over the epochs. Masks start at 0.5, are trained by SGD with momentum (or
    Adam) and clamped to ``[0, 1]`` after each step. Entries of equal value (all
    of them at the start) share the mean of their partners in ``r_a``: the
    regulariser favours no entry by its position, and entries the model treats
    alike keep equal values (``size_reg_ties`` reproduces the reference
    implementation's pairing instead).

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        It must offer gradients (an sklearn_tsx model, a skorch net or a
        torch module).
    area : float or array-like of float, default=(0.05, 0.1, ..., 0.5)
        Fraction of the entries a mask keeps, or a grid of them, each in
        (0, 1]. The default grid, ten areas from 0.05 to 0.5, lets
        ``selection`` pick each series' area (see Notes).
    perturbation : {"gaussian_blur", "fade_moving_average", \
"fade_past_moving_average", "fade_reference"}, default="gaussian_blur"
        Perturbation operator, see :func:`gaussian_blur` and the others.
    sigma_max : float, default=2.0
        Widest Gaussian blur (``perturbation="gaussian_blur"``).
    blur_window : "auto", int or None, default="auto"
        Half-width of the Gaussian kernel: ``"auto"`` is ``ceil(4 sigma_max)``
        (memory and time linear in ``T``), ``None`` the whole series
        (quadratic in ``T``, as in the reference implementation).
    window_size : int, default=2
        Half-width ``W`` of the moving averages (fade perturbations).
    reference : float or array-like of shape (n_channels, n_timepoints), default=0.0
        Target of ``perturbation="fade_reference"``.
    mode : {"preservation", "deletion"}, default="preservation"
        Preservation keeps the prediction with as few entries as possible;
        deletion finds the entries whose perturbation (with ``1 - M``) changes
        the prediction most, by maximising the error.
    selection : {"lowest_error", "extremal"}, default="lowest_error"
        Which mask of the area grid is returned: the one with the lowest
        objective error (in deletion mode: the highest error), or the extremal
        one, i.e. the smallest area whose error is below ``epsilon`` (deletion:
        above), falling back to the lowest error when none qualifies.
    epsilon : float or None, default=None
        Error threshold of the extremal mask, non-negative. ``None`` uses each
        series' error of its unperturbed prediction against itself (``-log p``
        of its predicted class for ``"log_loss"``, the prediction's entropy for
        cross-entropy, 0 for squared error), the reference implementation's
        choice. For the last two that is the error's minimum: only masks that
        keep the prediction qualify, and otherwise the lowest-error mask is
        returned.
    loss : {"auto", "mse", "cross_entropy", "log_loss"}, default="auto"
        Error between perturbed and original predictions, averaged over time
        steps. ``"auto"`` is ``"log_loss"`` for classifiers and ``"mse"``
        (averaged over outputs too) for regressors. ``"log_loss"`` is
        ``-log q`` of the originally predicted class (of each step's, for
        sequence models), as the reference State experiment's code: a mask is
        rewarded for the evidence it keeps for the predicted class, as every
        other explainer explains the predicted class. It is smallest not at the
        original prediction but at a more confident one, so in preservation mode
        perturbations that raise the model's confidence are rewarded too (on
        State, blurring the salient feature) and errors can fall below the
        unperturbed one, which makes the extremal mask the smallest area.
        ``"cross_entropy"`` between the probability vectors is the paper's
        error, smallest where the perturbed probabilities equal the original
        ones; its gradient vanishes as they approach them, and on two of three
        real sets its masks rank the entries below occlusion's (see Notes).
    classifier_output : {"logits", "probabilities"}, default="logits"
        What ``loss="mse"`` compares for classifiers whose scores pass through a
        softmax: the scores before it (as time_interpret's ``DynaMask``) or the
        probabilities. Ignored for models without a softmax and by the
        cross-entropy losses, which compare probabilities.
    max_epochs : int, default=500
        Optimisation steps.
    optimizer : {"sgd", "adam"}, default="sgd"
        SGD with momentum, as the Dynamask paper, or Adam, as the Dynamask that
        time_interpret and the ContraLSP authors' benchmarks run. Adam updates
        each entry by its own normalised step, so ``lr`` is then the step in
        mask units whatever the loss's scale.
    lr : float, default=0.1
        Step size, per mask.
    momentum : float, default=0.9
        SGD momentum (ignored by Adam).
    size_reg_init : float, default=0.5
        Initial weight ``lambda_0`` of the area regulariser.
    size_reg_dilation : float, default=100.0
        Ratio ``delta`` between the final and the initial weight.
    time_reg : float, default=0.0
        Weight of the time regulariser.
    size_reg_ties : {"mean", "reference"}, default="mean"
        How the area regulariser pairs entries of equal value with ``r_a``:
        ``"mean"`` gives each the mean of its group's partners (see above);
        ``"reference"`` pairs them in the order ``torch.sort`` returns for the
        mask flattened time-major, as the reference implementation does, so
        which of the tied entries (all of them at the start) are pushed towards
        1 depends on the sort's internals, not on the model. It reproduces the
        paper's figures: on the rare-feature and rare-time white boxes
        (``benchmarks/bench_dynamask_rare.py``, 5 seeds, the paper's convention)
        AUR 0.64 and 0.68 (paper 0.58 and 0.68) against 0.76 and 0.87 with
        ``"mean"``.
    break_ties : bool, default=True
        Order the entries the returned mask leaves tied (most of them end at
        exactly 0 or 1) by the mean of the masks of every area of the grid: an
        entry that smaller areas keep too ranks above one they drop. No entry
        moves by more than 0.001, so entries whose mask values differ by more
        keep their order; ``False`` returns the selected mask exactly, and a single
        area has nothing to break ties with. See Notes.
    batch_size : int, default=64
        Series per batch; a batch fits ``batch_size * n_areas`` masks at once.
        Series are fitted independently, so the masks do not depend on it. Large
        batches amortise an expensive model's calls; on CPU with a cheap model,
        a batch whose masks fit in the cache is fastest (rare-time white box,
        50 areas of 50 x 50, one thread: 2.8-3.3 ms per series and epoch with
        4 series per batch, 3.1-3.9 with 1, 4.7-4.9 with 20).
    n_jobs : int or None, default=None
        Workers over which batches are spread.
    device : str, default="cpu"
        Torch device; ``"auto"`` picks CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Unused by the optimisation (deterministic); kept for the common interface.
    verbose : int, default=0
        When positive, progress over batches and over each batch's epochs
        (plain lines, not an animated bar, when stderr is not a terminal).

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    loss_ : str
        The resolved loss.
    areas_ : ndarray of shape (n_areas,)
        The sorted area grid.
    masks_ : ndarray of shape (n_samples, n_areas, n_channels, n_timepoints)
        Fitted masks of every area, from the last call to :meth:`explain`.
    errors_ : ndarray of shape (n_samples, n_areas)
        Final error of each of these masks.
    selected_ : ndarray of shape (n_samples,)
        Index into ``areas_`` of the mask returned for each series.

    Notes
    -----
    The default area grid and its lowest-error mask adapt the area to the data,
    where one area fits one data set only. Measured with every other parameter
    at its default (``benchmarks/bench_explainer_defaults.py --parts dynamask
    --n-explain 10 --n-white-box 3``, seed 0; AUP / AUR / AUROC of the selected
    masks before the tie-break): on State (a GRU, T = 100, a third of the
    entries salient) one area of 0.1, the former default, scores 0.52 / 0.16 /
    0.63 and the grid 0.38 / 0.55 / 0.57 (mean area chosen 0.47); on the
    rare-feature white boxes (5 % salient) 0.93 / 0.74 / 0.78 against 0.99 /
    0.80 / 0.85 (area 0.05), on the rare-time ones 0.94 / 0.76 / 0.86 against
    0.66 / 0.77 / 0.88 (area 0.18). On Switch-Feature no area finds the salient
    feature at these settings (AUROC 0.54-0.58). The ranking within a mask,
    hence AUROC, hardly depends on the area; the State figures of the paper
    (AUROC 0.93) come from its other settings (``benchmarks/bench_state.py``).
    The grid costs about three times the time of one area with a GRU and about
    the same with the cheap white boxes (2.1 and 0.8 s per series for the
    grid here). With the default ``-log q`` error a classifier is most
    confident on the largest areas, which the lowest error then picks; their
    masks keep the most, and the tie-break orders the entries by how many
    areas keep them.

    The reference implementation fits the masks of an area grid with one loss
    averaged over the grid, so with ``n_areas`` areas its learning rate is
    ``n_areas`` times smaller per mask than the nominal one: ``lr``
    here is per mask (the rare-feature settings, lr 1 over 50 areas, read
    ``lr=0.02``).

    The ContraLSP paper's Dynamask ran another configuration: Adam at lr 0.1
    for 200 epochs, 15 areas from 0.011 to 0.039, ``size_reg_init=0.01``,
    ``size_reg_dilation=1000``, ``time_reg=0.01``, the reference's tie pairing
    and the extremal mask at ``epsilon=0.01``. With these settings (and
    ``optimizer="adam"``) this class reproduces that paper's Dynamask row on the
    rare-time white boxes: AUR 0.68 and 0.52, entropy 3567 and 4708 without and
    with diff-groups (paper 0.67, 0.51, 3724, 4733), far blurrier masks than
    those of the Dynamask paper's settings (``benchmarks/bench_contralsp_rare.py``).

    For classifiers the default error is ``-log q`` of the predicted class
    (``loss="log_loss"``), not the paper's cross-entropy between probability vectors. On
    real sets (``benchmarks/bench_faithfulness_real.py``, a
    ``TCNClassifier(normalization=None)``, 20 test series, seed 0) the cross-entropy's
    masks reach a comprehensiveness AOPC of 0.38, 0.20 and 0.54 on ItalyPowerDemand,
    JapaneseVowels and BasicMotions, against FeatureOcclusion's 0.69, 0.21 and 0.36;
    ``-log q`` reaches 0.79, 0.53 and 0.58. The cross-entropy asks the masks to keep the
    whole probability vector, including the evidence for the other classes, and its
    gradient vanishes once the perturbed probabilities near the original ones, so on a
    prediction that is not certain the area regulariser decides which entries stay.
    On the synthetic per-step tasks above (``--dynamask-loss cross_entropy``) the
    change costs on State (the cross-entropy's grid 0.46 / 0.64 / 0.65 against
    0.38 / 0.55 / 0.57) and
    finds more of the salient entries on Switch-Feature (0.39 / 0.08 / 0.54
    against 0.35 / 0.51 / 0.54); the paper's State table is reproduced with
    ``loss="cross_entropy"`` (``benchmarks/bench_state.py``).

    {real_data}

    References
    ----------
    J. Crabbé and M. van der Schaar. Explaining time series predictions with
    dynamic masks. ICML 2021.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import Dynamask
    >>> class SumOfSquares(torch.nn.Module):  # uses channel 0 only
    ...     def forward(self, x):
    ...         return (x[:, :1] ** 2).sum(-1)
    >>> X = np.random.default_rng(0).normal(size=(3, 4, 10)).astype(np.float32)
    >>> explainer = Dynamask(SumOfSquares(), area=[0.1, 0.25], max_epochs=100,
    ...                      lr=0.5, random_state=0).fit(X)
    >>> S = explainer.explain(X)
    >>> S.shape, explainer.masks_.shape
    ((3, 4, 10), (3, 2, 4, 10))
    >>> bool(S[:, 0].mean() > S[:, 1:].mean())
    True
    """

    requires_gradients = True

    def __init__(self, estimator, *, area=(0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45,
                                           0.5), perturbation="gaussian_blur", sigma_max=2.0,
                 blur_window="auto", window_size=2, reference=0.0, mode="preservation",
                 selection="lowest_error", epsilon=None, loss="auto",
                 classifier_output="logits", max_epochs=500, optimizer="sgd", lr=0.1,
                 momentum=0.9, size_reg_init=0.5, size_reg_dilation=100.0, time_reg=0.0,
                 size_reg_ties="mean", break_ties=True, batch_size=64, n_jobs=None,
                 device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.area = area
        self.perturbation = perturbation
        self.sigma_max = sigma_max
        self.blur_window = blur_window
        self.window_size = window_size
        self.reference = reference
        self.mode = mode
        self.selection = selection
        self.epsilon = epsilon
        self.loss = loss
        self.classifier_output = classifier_output
        self.max_epochs = max_epochs
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.size_reg_init = size_reg_init
        self.size_reg_dilation = size_reg_dilation
        self.time_reg = time_reg
        self.size_reg_ties = size_reg_ties
        self.break_ties = break_ties
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params(self):
        self.areas_ = check_areas(self.area)
        if self.perturbation not in PERTURBATIONS:
            raise ValueError(
                f"perturbation must be one of {sorted(PERTURBATIONS)}; "
                f"got {self.perturbation!r}."
            )
        if self.mode not in _MODES:
            raise ValueError(f"mode must be one of {_MODES}; got {self.mode!r}.")
        if self.selection not in _SELECTIONS:
            raise ValueError(
                f"selection must be one of {_SELECTIONS}; got {self.selection!r}."
            )
        if self.optimizer not in _OPTIMIZERS:
            raise ValueError(
                f"optimizer must be one of {_OPTIMIZERS}; got {self.optimizer!r}."
            )
        if self.size_reg_ties not in _SIZE_REG_TIES:
            raise ValueError(
                f"size_reg_ties must be one of {_SIZE_REG_TIES}; got {self.size_reg_ties!r}."
            )
        check_break_ties(self.break_ties)
        if self.epsilon is not None and not (
            isinstance(self.epsilon, numbers.Real) and self.epsilon >= 0
        ):
            raise ValueError(f"epsilon must be None or non-negative; got {self.epsilon!r}.")
        if not isinstance(self.max_epochs, numbers.Integral) or self.max_epochs < 1:
            raise ValueError(
                f"max_epochs must be a positive integer; got {self.max_epochs!r}."
            )
        for name in ("lr", "sigma_max", "size_reg_dilation"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive; got {getattr(self, name)!r}.")
        for name in ("momentum", "size_reg_init", "time_reg"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must be non-negative; got {getattr(self, name)!r}.")
        if self.blur_window not in ("auto", None) and not (
            isinstance(self.blur_window, numbers.Integral) and self.blur_window >= 0
        ):
            raise ValueError(
                "blur_window must be 'auto', None or a non-negative integer; "
                f"got {self.blur_window!r}."
            )
        check_classifier_output(self.classifier_output)
        self.loss_ = resolve_loss(self.loss, self.model_)

    def _output(self, x, target=None):
        out = compared_output(self.model_, x, self.classifier_output, self.loss_)
        return explained_output(out, target)

    def _fit(self, X, y):
        self._validate_params()

    def _resolve_target(self, X, target):
        return whole_output(len(X)) if target is None else super()._resolve_target(X, target)

    def _perturbation(self, x):
        """The operator ``masks -> perturbed x`` of this batch."""
        name = self.perturbation
        if name == "gaussian_blur":
            window = self.blur_window
            if window == "auto":
                window = auto_blur_window(self.sigma_max, x.shape[-1])
            return perturbation_of(x, name, sigma_max=self.sigma_max, window=window)
        if name == "fade_reference":
            ref = torch.as_tensor(
                np.asarray(self.reference, dtype=np.float32), device=x.device
            )
            return perturbation_of(x, name, reference=ref)
        return perturbation_of(x, name, window_size=self.window_size)

    def _errors(self, perturb, masks, y_target, target):
        """Error of every mask of ``masks`` (b, A, C, T): shape (b, A)."""
        b, n_areas = masks.shape[:2]
        kept = masks if self.mode == "preservation" else 1.0 - masks
        pert = perturb(kept).reshape(b * n_areas, *masks.shape[2:])
        if target is not None:
            target = target.repeat_interleave(n_areas, dim=0)
        pred = self._output(pert, target)
        y_target = y_target.repeat_interleave(n_areas, dim=0)
        return row_error(pred, y_target, self.loss_).reshape(b, n_areas)

    def _explain_batch(self, X, target, rng):
        device = self._device
        x = torch.as_tensor(X, device=device)
        b, C, T = x.shape
        areas = self.areas_
        n_areas = len(areas)
        target = batch_targets(target, device)
        with torch.no_grad():
            y_target = self._output(x, target)
        sign = 1.0 if self.mode == "preservation" else -1.0
        perturb = self._perturbation(x)

        # number of zeros of each area's reference vector r_a
        n_zeros = torch.tensor([int((1 - a) * C * T) for a in areas], device=device)
        masks = torch.full((b, n_areas, C, T), 0.5, device=device, requires_grad=True)
        if self.optimizer == "adam":
            optimizer = torch.optim.Adam([masks], lr=self.lr)
        else:
            optimizer = torch.optim.SGD([masks], lr=self.lr, momentum=self.momentum)
        growth = math.exp(math.log(self.size_reg_dilation) / self.max_epochs)
        size_weight = self.size_reg_init
        epochs = progress(range(self.max_epochs), verbose=self.verbose, desc="Dynamask",
                          unit="epoch", leave=False)
        for _ in epochs:
            loss = sign * self._errors(perturb, masks, y_target, target)
            if self.time_reg:
                time_reg = (masks[..., 1:] - masks[..., :-1]).abs().mean((-2, -1))
                loss = loss + self.time_reg * time_reg
            # one independent problem per mask: the sum gives each its own gradient;
            # grad() w.r.t. the masks only skips the model's parameter gradients
            grad = _mask_gradient(loss, masks)
            # the area regulariser mean((m - r)^2) has gradient 2 (m - r) / n, with
            # r each entry's partner in r_a (constant almost everywhere)
            size_diff = self._size_diff(masks.detach(), n_zeros)
            masks.grad = grad.add_(size_diff, alpha=2 * size_weight / (C * T))
            optimizer.step()
            with torch.no_grad():
                masks.clamp_(0.0, 1.0)
            size_weight *= growth

        with torch.no_grad():
            errors = self._errors(perturb, masks, y_target, target)
            masks = masks.detach()
            selected = self._select(sign * errors, x, y_target, sign)
        attributions = masks[torch.arange(b, device=device), selected]
        return attributions, masks, errors, selected

    def _size_diff(self, masks, n_zeros):
        """``m - r`` of every entry of ``masks`` (b, A, C, T), ``r`` its partner in ``r_a``."""
        b, n_areas, C, T = masks.shape
        if self.size_reg_ties == "mean":
            flat = masks.reshape(b, n_areas, C * T)
            return (flat - size_targets(flat, n_zeros)).view_as(masks)
        flat = masks.transpose(-1, -2).reshape(b, n_areas, T * C)
        diff = flat - sorted_size_targets(flat, n_zeros)
        return diff.view(b, n_areas, T, C).transpose(-1, -2)

    def _select(self, objective, x, y_target, sign):
        """Index of the returned mask per series, from the signed errors (b, A)."""
        best = objective.argmin(1)
        if self.selection == "lowest_error":
            return best
        if self.epsilon is None:
            eps = row_error(y_target, y_target, self.loss_)
        else:
            eps = torch.full((len(x),), float(self.epsilon), device=x.device)
        # areas are sorted: the first qualifying one is the smallest
        ok = objective < sign * eps[:, None]
        first = ok.to(torch.int8).argmax(1)
        return torch.where(ok.any(1), first, best)

    def explain(self, X, target=None):
        """Fit the masks of every area to each series and return the selected ones.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel to explain.
        {target}

        Returns
        -------
        attributions : ndarray of shape (n_samples, n_channels, n_timepoints)
            The selected mask of each series, in [0, 1].
        """
        X = self._check_X(X)
        self._validate_params()
        target = self._resolve_target(X, target)
        results = self._run_batches(X, target)
        attributions, masks, errors, selected = (np.concatenate(r) for r in zip(*results))
        self.masks_ = masks.astype(np.float32, copy=False)
        self.errors_ = errors.astype(np.float64)
        self.selected_ = selected.astype(np.int64)
        if self.break_ties and len(self.areas_) > 1:
            # an entry that smaller areas keep too ranks above one they drop
            attributions = break_ties(attributions, masks.mean(1))
        return attributions.astype(np.float32, copy=False)


Dynamask.explain.__doc__ = Dynamask.explain.__doc__.replace("{target}", TARGET_DOC)


Dynamask.__doc__ = Dynamask.__doc__.replace("    {real_data}\n", REAL_DATA_NOTES)
