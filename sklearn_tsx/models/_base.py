"""Shared machinery of the skorch-trained time-series estimators.

The estimators wrap a ``skorch.NeuralNet`` built in ``fit`` (``net_``); they do
not subclass it, so that their parameters are plain constructor arguments and
they pass scikit-learn's estimator checks.
"""

import copy
import math
import numbers
import re
import sys
import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, GradientNormClipping, LRScheduler
from skorch.dataset import ValidSplit

from ..preprocessing import _standardisation_statistics
from ..utils import resolve_device, seeded_torch, validate_time_series_data
from ._modules import ScaledInput, ScaledOutput

__all__ = ["TimeSeriesNetClassifier", "TimeSeriesNetRegressor"]

#: ``max_epochs="auto"`` trains for at least this many optimisation steps...
AUTO_MIN_STEPS = 1000
#: ...and at least this many epochs.
AUTO_MIN_EPOCHS = 20
#: Early stopping waits at least this many optimisation steps without improvement:
#: on a small set an epoch is one or two steps, too few to tell a plateau.
MIN_PATIENCE_STEPS = 100
#: Early stopping counts no epoch without improvement until the training loss has
#: fallen this share below its first epoch's: a net that has not started to learn
#: (an LSTM's plateau can last 150 steps) has not converged.
PLATEAU_DROP = 0.2
LR_SCHEDULES = ("constant", "cosine")
#: Steps with non-finite gradients skipped in a row before training stops.
MAX_SKIPPED_STEPS = 10
#: ``_fit_net``'s default seed: the estimator's ``random_state``.
_OWN_SEED = object()
INPUT_SCALINGS = ("channel", "timepoint", None)

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def _print_plain_unless_terminal(text):
    """skorch's epoch table without its colour codes when stdout is not a
    terminal, so that log files hold plain text."""
    isatty = getattr(sys.stdout, "isatty", None)
    print(text if isatty is not None and isatty() else _ANSI_ESCAPE.sub("", text))


class SequenceCrossEntropy(torch.nn.CrossEntropyLoss):
    """Cross-entropy for logits of shape ``(batch, n_classes)`` or
    ``(batch, time, n_classes)`` against integer labels ``(batch[, time])``."""

    def forward(self, logits, target):
        if logits.ndim == 3:
            logits = logits.transpose(1, 2)
        return super().forward(logits, target)


class StandardisedMSE(torch.nn.Module):
    """Mean squared error of ``(y_pred - y) / scale``: the loss of standardised
    targets, whatever the units of ``y`` (no overflow for targets of 1e30, and
    ``tol`` means the same on every data set)."""

    def __init__(self, scale):
        super().__init__()
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, y_pred, y_true):
        return torch.mean(((y_pred - y_true) / self.scale) ** 2)


class _PlateauAwareEarlyStopping(EarlyStopping):
    """skorch's early stopping, except that epochs count as misses only once the
    training loss has fallen ``PLATEAU_DROP`` below its first epoch's value.

    Before that the net is on its initial plateau: the validation loss cannot
    improve yet, and stopping there keeps the untrained model (on spectra of
    ``make_tser_spectral(composition="mass_balance")`` the default GRU and LSTM
    stayed the mean predictor for two seeds of three). The best
    epoch is tracked throughout, so ``load_best`` restores it as before.
    """

    def on_epoch_end(self, net, **kwargs):
        train_loss = net.history[:, "train_loss"]
        if min(train_loss) <= (1 - PLATEAU_DROP) * train_loss[0]:
            return super().on_epoch_end(net, **kwargs)
        score = net.history[-1, self.monitor]
        if self._is_score_improved(score):
            self.dynamic_threshold_ = self._calc_new_threshold(score)
            self.best_epoch_ = net.history[-1, "epoch"]
            if self.load_best:
                self.best_model_weights_ = copy.deepcopy(net.module_.state_dict())


class _FiniteLossGuard(Callback):
    """Stops training with a clear error as soon as a training loss is NaN or
    infinite, instead of finishing with a model that predicts NaN."""

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        if training and not torch.isfinite(loss).all():
            raise FloatingPointError(
                f"The training loss became {float(loss.detach())} at epoch {len(net.history)} "
                f"(batch {len(net.history[-1, 'batches'])}). The learning rate "
                f"(lr={net.lr}) may be too high, or the inputs too large: lower lr, "
                "or standardise the inputs (input_scaling='channel', or "
                "sklearn_tsx.preprocessing.TimeSeriesStandardScaler)."
            )


class _FiniteGradientGuard(Callback):
    """Skips an optimisation step whose gradients are NaN or infinite (the
    optimiser leaves every weight, and its own state, as it was), as mixed
    precision's gradient scaler does: backpropagation through a long
    recurrence can overflow at one batch while the loss and the weights are
    finite, and one such step would turn every weight NaN. Runs before
    gradient clipping, which would spread a non-finite norm to every weight.
    ``MAX_SKIPPED_STEPS`` skipped in a row stop training with a
    ``FloatingPointError``; skipped steps are counted in ``skipped_steps_`` and
    reported by a ``RuntimeWarning`` at the end of training."""

    def initialize(self):
        self.skipped_steps_, self._in_a_row = 0, 0
        return self

    def on_grad_computed(self, net, named_parameters, **kwargs):
        params = [p for _, p in named_parameters if p.grad is not None]
        if not params:
            return
        # one synchronisation: the largest magnitude of each gradient (NaN propagates)
        if torch.isfinite(torch.stack([p.grad.detach().abs().amax() for p in params])).all():
            self._in_a_row = 0
            return
        for p in params:
            p.grad = None  # the optimiser skips parameters without a gradient
        self.skipped_steps_ += 1
        self._in_a_row += 1
        if self._in_a_row >= MAX_SKIPPED_STEPS:
            raise FloatingPointError(
                f"The gradients were not finite at {self._in_a_row} optimisation steps "
                f"in a row (epoch {len(net.history)}). The learning rate (lr={net.lr}) "
                "may be too high, or the inputs too large: lower lr, or standardise the "
                "inputs (input_scaling='channel', or "
                "sklearn_tsx.preprocessing.TimeSeriesStandardScaler)."
            )

    def on_train_end(self, net, **kwargs):
        if self.skipped_steps_:
            warnings.warn(
                f"{self.skipped_steps_} optimisation step(s) had non-finite gradients "
                f"and were skipped (lr={net.lr}); if the fit is poor, lower lr.",
                RuntimeWarning,
                stacklevel=2,
            )


def _check_positive_int(value, name, minimum=1):
    if (
        not isinstance(value, numbers.Integral)
        or isinstance(value, bool)
        or value < minimum
    ):
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")


def _check_fraction(value, name, *, closed_right=False):
    upper_ok = value <= 1 if closed_right else value < 1
    if not isinstance(value, numbers.Real) or not (0 <= value and upper_ok):
        bound = "]" if closed_right else ")"
        raise ValueError(f"{name} must be a float in [0, 1{bound}; got {value!r}.")


def _check_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a bool; got {value!r}.")


class _TimeSeriesNetMixin:
    """Fitting, prediction and parameter checks common to classifier and regressor.

    Subclasses provide ``_build_module(n_channels, n_outputs)`` and
    ``_check_architecture_params()``.
    """

    def _check_common_params(self):
        _check_positive_int(self.hidden_size, "hidden_size")
        _check_positive_int(self.num_layers, "num_layers")
        _check_positive_int(self.batch_size, "batch_size")
        _check_fraction(self.dropout, "dropout")
        if not isinstance(self.lr, numbers.Real) or self.lr <= 0:
            raise ValueError(f"lr must be a positive float; got {self.lr!r}.")
        if not isinstance(self.weight_decay, numbers.Real) or self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0; got {self.weight_decay!r}.")
        if self.input_scaling not in INPUT_SCALINGS:
            raise ValueError(
                f"input_scaling must be one of {INPUT_SCALINGS}; got "
                f"{self.input_scaling!r}."
            )
        self._check_training_params()
        self._check_architecture_params()

    def _check_training_params(self):
        """Check ``max_epochs``, ``lr_schedule`` and the early-stopping parameters."""
        if self.max_epochs != "auto":
            _check_positive_int(self.max_epochs, "max_epochs")
        if self.lr_schedule not in LR_SCHEDULES:
            raise ValueError(
                f"lr_schedule must be one of {LR_SCHEDULES}; got {self.lr_schedule!r}."
            )
        _check_bool(self.early_stopping, "early_stopping")
        if not (
            isinstance(self.validation_fraction, numbers.Real)
            and 0 < self.validation_fraction < 1
        ):
            raise ValueError(
                "validation_fraction must be a float in (0, 1); got "
                f"{self.validation_fraction!r}."
            )
        _check_positive_int(self.n_iter_no_change, "n_iter_no_change")
        if not isinstance(self.tol, numbers.Real) or isinstance(self.tol, bool) or (
            not self.tol >= 0
        ):
            raise ValueError(f"tol must be a float >= 0; got {self.tol!r}.")

    def _check_architecture_params(self):
        """Hook for architecture-specific parameters."""

    def _validate_sequence_y(self, X, y):
        if self.sequence_output and (y.ndim != 2 or y.shape[1] != X.shape[2]):
            raise ValueError(
                "With sequence_output=True, y must hold one label per time step, of "
                f"shape (n_samples, n_timepoints) = ({len(X)}, {X.shape[2]}); got "
                f"shape {y.shape}."
            )

    def _scaled_input(self, module, X):
        """``module`` behind the fixed input standardisation ``input_scaling``."""
        if self.input_scaling is None:
            return module
        loc, scale = _standardisation_statistics(X, self.input_scaling)
        return ScaledInput(module, loc, scale)

    def _gradient_norm_limit(self):
        """Norm the gradients are clipped to at every step; ``None``: unclipped."""
        return None

    def _training_setup(self, n_samples, *, stratified):
        """``max_epochs``, ``train_split`` and the callbacks of the learning-rate
        schedule and early stopping, from ``max_epochs``, ``lr_schedule``,
        ``early_stopping``, ``validation_fraction``, ``n_iter_no_change``,
        ``tol``, ``batch_size`` and ``random_state``; passed on to
        :meth:`_fit_net`."""
        train_split, callbacks = None, []
        n_train = n_samples
        if self.early_stopping:
            n_valid = math.ceil(self.validation_fraction * n_samples)
            n_train -= n_valid
            if n_train < 1:
                raise ValueError(
                    f"early_stopping with validation_fraction="
                    f"{self.validation_fraction} holds out {n_valid} of {n_samples} "
                    "sample(s) and leaves none to train on; lower "
                    "validation_fraction or set early_stopping=False."
                )
            steps_per_epoch = math.ceil(n_train / self.batch_size)
            seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            train_split = ValidSplit(
                self.validation_fraction, stratified=stratified, random_state=seed
            )
            callbacks.append(
                (
                    "early_stopping",
                    _PlateauAwareEarlyStopping(
                        monitor="valid_loss",
                        patience=max(
                            self.n_iter_no_change,
                            math.ceil(MIN_PATIENCE_STEPS / steps_per_epoch),
                        ),
                        threshold=self.tol,
                        threshold_mode="abs",
                        load_best=True,
                    ),
                )
            )
        if self.max_epochs == "auto":
            steps_per_epoch = math.ceil(n_train / self.batch_size)
            max_epochs = max(
                math.ceil(AUTO_MIN_STEPS / steps_per_epoch), AUTO_MIN_EPOCHS
            )
        else:
            max_epochs = self.max_epochs
        if self.lr_schedule == "cosine":
            callbacks.append(
                (
                    "lr_schedule",
                    LRScheduler(
                        policy=torch.optim.lr_scheduler.CosineAnnealingLR,
                        T_max=max_epochs,
                    ),
                )
            )
        limit = self._gradient_norm_limit()
        if limit is not None:
            callbacks.append(("gradient_clipping", GradientNormClipping(limit)))
        return dict(max_epochs=max_epochs, train_split=train_split, callbacks=callbacks)

    def _fit_net(
        self,
        X,
        y,
        build_module,
        criterion,
        *,
        max_epochs=None,
        train_split=None,
        callbacks=(),
        seed=_OWN_SEED,
        **net_params,
    ):
        """Build and train ``self.net_``.

        ``build_module()`` is called under the seeded torch generator, so weight
        initialisation, dropout and shuffling all follow ``random_state``;
        ``max_epochs`` defaults to ``self.max_epochs`` and ``seed`` (of the
        torch generator) to ``self.random_state``; ``net_params`` go to
        ``NeuralNet`` (``criterion__*`` arguments). A non-finite training loss
        raises ``FloatingPointError``, and so do non-finite gradients at
        ``MAX_SKIPPED_STEPS`` steps in a row (fewer are skipped, with a
        warning); the epoch table is plain text unless stdout is a terminal.
        """
        device = resolve_device(self.device)
        if self.verbose:
            net_params["callbacks__print_log__sink"] = _print_plain_unless_terminal
        if seed is _OWN_SEED:
            seed = self.random_state
        with seeded_torch(seed, device):
            net = NeuralNet(
                module=build_module(),
                criterion=criterion,
                optimizer=torch.optim.AdamW,
                optimizer__weight_decay=self.weight_decay,
                lr=self.lr,
                max_epochs=self.max_epochs if max_epochs is None else max_epochs,
                batch_size=self.batch_size,
                iterator_train__shuffle=True,
                train_split=train_split,
                callbacks=[("finite_gradients", _FiniteGradientGuard()), *callbacks,
                           ("finite_loss", _FiniteLossGuard())],
                device=device,
                verbose=self.verbose,
                **net_params,
            )
            net.fit(X, y)
        self.net_ = net
        self.n_iter_ = len(net.history)
        self.loss_curve_ = [float(row["train_loss"]) for row in net.history]
        self.validation_loss_curve_ = (
            [float(row["valid_loss"]) for row in net.history]
            if train_split is not None else None
        )
        return self

    @property
    def module_(self):
        """The fitted torch module (``(batch, C, T)`` in, raw outputs out)."""
        check_is_fitted(self, "net_")
        return self.net_.module_

    def _forward(self, X):
        check_is_fitted(self, "net_")
        X = validate_time_series_data(self, X, reset=False)
        return self.net_.forward(X, training=False).numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags


class TimeSeriesNetClassifier(_TimeSeriesNetMixin, ClassifierMixin, BaseEstimator):
    """Base class of the time-series net classifiers.

    Labels may be of any type: they are encoded in ``fit`` and ``classes_``
    maps the module's output index back to the label.
    """

    def fit(self, X, y):
        """Train the net.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Any input accepted by :func:`sklearn_tsx.utils.check_time_series`.
        y : array-like of shape (n_samples,) or (n_samples, n_timepoints)
            Labels; one per time step with ``sequence_output=True``.

        Returns
        -------
        self : object
        """
        self._check_common_params()
        X, y = validate_time_series_data(
            self, X, y, reset=True, multi_output=self.sequence_output
        )
        self._validate_sequence_y(X, y)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y.ravel())
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"{type(self).__name__} needs samples of at least 2 classes in y; "
                f"only one class is present: {self.classes_[0]!r}."
            )
        y_encoded = encoder.transform(y.ravel()).reshape(y.shape).astype(np.int64)
        n_classes = len(self.classes_)
        return self._fit_net(
            X,
            y_encoded,
            lambda: self._scaled_input(self._build_module(X.shape[1], n_classes), X),
            SequenceCrossEntropy,
            **self._training_setup(len(X), stratified=self._can_stratify(y_encoded)),
        )

    def _can_stratify(self, y):
        """Whether the validation split can hold every class, in proportion."""
        if self.sequence_output:
            return False
        counts = np.bincount(y)
        n_valid = math.ceil(self.validation_fraction * len(y))
        return counts.min() >= 2 and len(counts) <= min(n_valid, len(y) - n_valid)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel in any format accepted by
            :func:`sklearn_tsx.utils.check_time_series`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes), or
            (n_samples, n_timepoints, n_classes) with ``sequence_output=True``.
        """
        logits = torch.from_numpy(self._forward(X))
        return torch.softmax(logits.double(), dim=-1).numpy()

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel in any format accepted by
            :func:`sklearn_tsx.utils.check_time_series`.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes), or
            (n_samples, n_timepoints, n_classes) with ``sequence_output=True``.
        """
        logits = torch.from_numpy(self._forward(X))
        return torch.log_softmax(logits.double(), dim=-1).numpy()

    def predict(self, X):
        """Predicted labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel in any format accepted by
            :func:`sklearn_tsx.utils.check_time_series`.

        Returns
        -------
        labels : ndarray of shape (n_samples,), or (n_samples, n_timepoints)
            with ``sequence_output=True``.
        """
        indices = self._forward(X).argmax(axis=-1)
        return self.classes_[indices]

    def score(self, X, y, sample_weight=None):
        """Mean accuracy; over every (sample, time step) with ``sequence_output``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel in any format accepted by
            :func:`sklearn_tsx.utils.check_time_series`.
        y : array-like of shape (n_samples,) or (n_samples, n_timepoints)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each series (with ``sequence_output``, of all its steps).

        Returns
        -------
        score : float
        """
        if not self.sequence_output:
            return super().score(X, y, sample_weight=sample_weight)
        correct = self.predict(X) == np.asarray(y)
        if sample_weight is None:
            return float(correct.mean())
        return float(np.average(correct.mean(axis=1), weights=sample_weight))


class TimeSeriesNetRegressor(_TimeSeriesNetMixin, RegressorMixin, BaseEstimator):
    """Base class of the time-series net regressors.

    Targets are standardised for training; the exposed ``module_`` maps back to
    the units of ``y``, so attributions are in those units.
    """

    def fit(self, X, y):
        """Train the net.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Any input accepted by :func:`sklearn_tsx.utils.check_time_series`.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets; of shape (n_samples, n_timepoints) with ``sequence_output=True``.

        Returns
        -------
        self : object
        """
        self._check_common_params()
        X, y = validate_time_series_data(
            self, X, y, reset=True, multi_output=True, y_numeric=True
        )
        self._validate_sequence_y(X, y)
        if self.sequence_output:
            n_outputs, y_train = 1, y[:, :, None]
        else:
            n_outputs = 1 if y.ndim == 1 else y.shape[1]
            y_train = y.reshape(len(y), n_outputs)
        self.n_outputs_ = n_outputs
        self._y_1d = y.ndim == 1 or self.sequence_output
        flat = y_train.reshape(-1, n_outputs).astype(np.float64)
        loc, scale = flat.mean(axis=0), flat.std(axis=0)
        scale[scale <= 1e-12 * np.maximum(np.abs(loc), 1.0)] = 1.0
        return self._fit_net(
            X,
            y_train.astype(np.float32),
            lambda: ScaledOutput(
                self._scaled_input(self._build_module(X.shape[1], n_outputs), X),
                loc,
                scale,
            ),
            StandardisedMSE,
            criterion__scale=scale,
            **self._training_setup(len(X), stratified=False),
        )

    def predict(self, X):
        """Predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel in any format accepted by
            :func:`sklearn_tsx.utils.check_time_series`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs), or
            (n_samples, n_timepoints) with ``sequence_output=True``.
        """
        out = self._forward(X).astype(np.float64)
        return out[..., 0] if self._y_1d else out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
