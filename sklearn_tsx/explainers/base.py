"""The explainer contract shared by every attribution method of the library.

An explainer holds a fitted model, learns in ``fit`` what its method needs, and
returns in ``explain`` attributions of exactly the shape of the explained panel.
Work is cut into batches of ``batch_size`` samples; each batch gets its own seed,
drawn up front from ``random_state``, and the batches are spread over ``n_jobs``
workers by :class:`sklearn.utils.parallel.Parallel`, so results do not depend on
``n_jobs`` or on the joblib backend (a ``joblib.parallel_config(backend="dask")``
block runs them on a dask cluster).
"""

import numbers
import threading
from abc import abstractmethod

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ..utils import check_target_index, check_time_series, resolve_device
from ..utils._adapters import NOT_FITTED, _unwrap, as_model_adapter, is_fitted_model
from ..utils._progress import progress

__all__ = ["BaseExplainer"]

# torch's global generator is shared by the threads of a process: batches seeded
# on it run one at a time there (thread backends, a threaded dask cluster), so a
# batch's draws never interleave with another's. Process backends still run in
# parallel. Reentrant for meta-explainers whose batches run inner batches.
_TORCH_GLOBAL_RNG = threading.RLock()


def fitted_estimator(estimator, X, y):
    """``estimator`` itself when it is fitted, else a clone of it fitted on
    ``(X, y)``."""
    if is_fitted_model(estimator):
        return estimator
    model = _unwrap(estimator)
    if model is not estimator:
        raise NotFittedError(
            f"The FrozenEstimator holds an unfitted {type(model).__name__}: fit the "
            "model before freezing it, or pass it unfrozen with y to the "
            "explainer's fit."
        )
    if y is None:
        raise NotFittedError(NOT_FITTED.format(name=type(model).__name__))
    return clone(estimator).fit(X, y)


class BaseExplainer(TransformerMixin, BaseEstimator):
    """Base class of all explainers.

    Subclasses define ``__init__`` (storing their parameters, among them the
    common ones below) and :meth:`_explain_batch`; they may extend :meth:`_fit`.
    Class attribute ``requires_gradients`` marks methods that differentiate the
    model.

    An explainer is a meta-estimator, with the semantics of
    :class:`sklearn.feature_selection.SelectFromModel`: a fitted ``estimator``
    is explained as it is; an unfitted one is cloned and fitted in
    ``fit(X, y)`` on ``X`` and ``y`` as given (``estimator_`` holds the model
    explained). So an explainer in a :class:`~sklearn.pipeline.Pipeline`, in
    :func:`~sklearn.model_selection.cross_val_score` or in
    :class:`~sklearn.model_selection.GridSearchCV`, which clone it (and a clone
    of a fitted model is unfitted), refits the model on each training fold. To
    explain one fitted model in every fold while tuning the explainer's own
    parameters, wrap it in :class:`sklearn.frozen.FrozenEstimator`, which
    ``clone`` leaves as it is. An unfitted model and no ``y`` is an error that
    names both ways out.

    Targets are class labels, as ``predict`` returns them, for classifiers that
    record their ``classes_``; class indices for models without them (torch
    modules, skorch nets fitted without classes); output indices for
    regressors; time steps for sequence models.

    Parameters
    ----------
    estimator : object
        The model to explain, fitted or not (see above): an sklearn_tsx
        estimator, a skorch net, a torch ``nn.Module``, a
        :class:`sklearn.frozen.FrozenEstimator` around one of them, or, for
        black-box methods, any model with ``predict_proba`` / ``predict``
        (sktime and aeon estimators, scikit-learn models fitted on flattened
        ``(n, C * T)`` tables, pipelines; see
        :func:`sklearn_tsx.utils.as_model_adapter`). Gradient methods also
        take a pipeline of ``TimeSeriesStandardScaler`` steps before an
        sklearn_tsx or skorch net, differentiated through the scaling, so
        attributions are in the units of the raw input.
    batch_size : int, default=64
        Samples per batch (per forward pass of the model, before any expansion
        the method itself does).
    n_jobs : int or None, default=None
        Workers over which batches are spread (``None`` means 1).
    device : str, default="cpu"
        Torch device for the computation; ``"auto"`` picks CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds every random draw; each batch gets its own seed drawn up front.
    verbose : int, default=0
        Show progress over batches when positive (plain lines, not an animated
        bar, when stderr is not a terminal).

    Attributes
    ----------
    estimator_ : object
        The explained model: ``estimator`` itself when it was fitted, else a
        clone of it fitted in ``fit``.
    model_ : ModelAdapter
        The wrapped ``estimator_``.
    n_channels_in_, n_timepoints_in_ : int
        Shape of the panel seen in ``fit``.
    n_features_in_ : int
        ``n_channels_in_ * n_timepoints_in_``.

    Examples
    --------
    A new method stores its parameters and explains one batch at a time; input
    checks, targets, batching, seeding and ``n_jobs`` come from the base class:

    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import BaseExplainer
    >>> class Magnitude(BaseExplainer):  # |x|, whatever the model
    ...     def __init__(self, estimator, *, batch_size=64, n_jobs=None, device="cpu",
    ...                  random_state=None, verbose=0):
    ...         self.estimator = estimator
    ...         self.batch_size = batch_size
    ...         self.n_jobs = n_jobs
    ...         self.device = device
    ...         self.random_state = random_state
    ...         self.verbose = verbose
    ...     def _explain_batch(self, X, target, rng):
    ...         return np.abs(X)
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 1))
    >>> X = np.array([[[-2.0, 1.0, 0.0], [0.5, -0.5, 3.0]]], dtype=np.float32)
    >>> Magnitude(model).fit(X).explain(X)
    array([[[2. , 1. , 0. ],
            [0.5, 0.5, 3. ]]], dtype=float32)
    """

    requires_gradients = False

    def _validate_common_params(self):
        for name in ("batch_size",):
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}.")
        if self.n_jobs is not None and (
            not isinstance(self.n_jobs, numbers.Integral) or self.n_jobs == 0
        ):
            raise ValueError(
                f"n_jobs must be None or a non-zero integer; got {self.n_jobs!r}."
            )

    def fit(self, X, y=None):
        """Fit the model if it is not fitted, validate it and the data, and learn
        what the method needs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Training panel, in any format accepted by
            :func:`sklearn_tsx.utils.check_time_series`.
        y : array-like of shape (n_samples,) or None, default=None
            Targets of ``X``: an unfitted ``estimator`` is cloned and fitted on
            ``X`` (as given) and ``y``; ignored when it is fitted.

        Returns
        -------
        self : object
        """
        self._validate_common_params()
        X_3d = check_time_series(X, estimator=self)
        self.n_channels_in_, self.n_timepoints_in_ = X_3d.shape[1:]
        self.n_features_in_ = X_3d.shape[1] * X_3d.shape[2]
        self.estimator_ = fitted_estimator(self.estimator, X, y)
        self.model_ = as_model_adapter(self.estimator_, *X_3d.shape[1:])
        if self.requires_gradients and not self.model_.has_gradients:
            raise TypeError(
                f"{type(self).__name__} differentiates the model, but "
                f"{self.model_.why_no_gradients}"
            )
        self._fit(X_3d, y)
        return self

    def _fit(self, X, y):
        """Hook for methods that learn from the training panel."""

    def _check_X(self, X):
        check_is_fitted(self, "model_")
        X = check_time_series(X, estimator=self)
        if X.shape[1:] != (self.n_channels_in_, self.n_timepoints_in_):
            raise ValueError(
                f"X has {X.shape[1]} channels x {X.shape[2]} time points, but "
                f"{type(self).__name__} was fitted on {self.n_channels_in_} x "
                f"{self.n_timepoints_in_}."
            )
        return X

    @property
    def _device(self):
        return resolve_device(self.device)

    def _scores(self, X, batch_size=None):
        """Explained scores of ``X`` (numpy), computed in batches without gradients."""
        device = self._device
        self.model_.to(device)
        batch_size = batch_size or self.batch_size
        outs = []
        with self.model_.evaluating(), torch.no_grad():
            for start in range(0, len(X), batch_size):
                x = torch.as_tensor(X[start : start + batch_size], device=device)
                outs.append(self.model_.forward(x).cpu().numpy())
        return np.concatenate(outs)

    def _resolve_target(self, X, target):
        """One target per sample: an int index for models with one prediction per
        series; a ``(time step, output)`` pair for sequence models.

        ``None`` picks the predicted class for classifiers and output 0 for
        single-output regressors; class labels become their indices; for
        sequence models ``target`` is the explained time step (default: the
        last one).
        """
        n = len(X)
        model = self.model_
        if model.sequence:
            steps = check_target_index(
                self.n_timepoints_in_ - 1 if target is None else target,
                n, self.n_timepoints_in_, name="target (time step)",
            )
            outputs = self._step_outputs(X)[np.arange(n), steps]
            return np.stack([steps, outputs], axis=1)
        if target is None and model.is_classifier:
            return self._scores(X).argmax(axis=1).astype(np.int64)
        if model.is_classifier and model.classes is not None:
            return check_target_index(target, n, model.n_outputs, labels=model.classes,
                                      name="target (class label)")
        name = "target (class index)" if model.is_classifier else "target (output index)"
        return check_target_index(target, n, model.n_outputs, name=name)

    def _step_outputs(self, X):
        """Explained output at every time step of a sequence model, shape
        ``(n_samples, n_timepoints)``: the class predicted there (classifiers) or
        output 0 (single-output regressors)."""
        if self.model_.is_classifier:
            return self._scores(X).argmax(axis=-1)
        if self.model_.n_outputs != 1:
            raise ValueError(
                "A multi-output sequence model is explained one output at a "
                "time; this explainer explains output 0 only."
            )
        return np.zeros((len(X), self.n_timepoints_in_), dtype=np.int64)

    def explain(self, X, target=None):
        """Attributions of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel to explain.
        target : label, int, array-like or None, default=None
            Class label as ``predict`` returns it (classifiers with
            ``classes_``; a class index for those without, such as torch
            modules), output index (multi-output regressors) or time step
            (sequence models), one for all samples or one per sample:
            ``target=model.predict(X)`` explains each predicted class. ``None``
            explains the predicted class, the single output, or the last time
            step.

        Returns
        -------
        attributions : ndarray of shape (n_samples, n_channels, n_timepoints)
        """
        X = self._check_X(X)
        target = self._resolve_target(X, target)
        return np.concatenate(self._run_batches(X, target)).astype(np.float32, copy=False)

    def _run_batches(self, X, target, batch_method=None):
        """Outputs of :meth:`_explain_batch` (or ``batch_method``, of the same
        signature) on consecutive batches of ``X``, in order: one seed per batch
        drawn up front, batches spread over ``n_jobs`` workers."""
        n_batches = -(-len(X) // self.batch_size)
        seeds = check_random_state(self.random_state).randint(
            np.iinfo(np.int32).max, size=n_batches
        )
        batches = [
            (X[i * self.batch_size : (i + 1) * self.batch_size],
             target[i * self.batch_size : (i + 1) * self.batch_size], seeds[i])
            for i in range(n_batches)
        ]
        batches = progress(batches, verbose=self.verbose, desc=type(self).__name__,
                           unit="batch")
        return Parallel(n_jobs=self.n_jobs)(
            delayed(self._explain_seeded)(x, t, seed, batch_method)
            for x, t, seed in batches
        )

    def _explain_rows(self, X, target, rng, verbose=0, desc=None):
        """Attributions of validated rows with resolved targets, in consecutive
        batches of ``batch_size`` run here, one seed per batch drawn from ``rng``.

        For meta-explainers (TSR) that hand many derived rows to a fitted
        explainer from inside their own worker; ``verbose`` shows progress over
        these batches, labelled ``desc``.
        """
        seeds = rng.integers(np.iinfo(np.int32).max, size=-(-len(X) // self.batch_size))
        batches = progress(range(len(seeds)), verbose=verbose, desc=desc, unit="batch",
                           leave=False)
        return np.concatenate([
            self._explain_seeded(X[i * self.batch_size : (i + 1) * self.batch_size],
                                 target[i * self.batch_size : (i + 1) * self.batch_size],
                                 seeds[i])
            for i in batches
        ])

    def _explain_seeded(self, X, target, seed, batch_method=None):
        batch_method = batch_method or self._explain_batch
        device = self._device
        cuda = [device] if device.type == "cuda" else []
        self.model_.to(device)
        with _TORCH_GLOBAL_RNG, torch.random.fork_rng(devices=cuda), \
                self.model_.evaluating():
            torch.manual_seed(int(seed))
            out = batch_method(X, target, np.random.default_rng(int(seed)))
        if isinstance(out, tuple):
            # methods that also return per-batch by-products (e.g. Dynamask's masks
            # per area) gather them in their own ``explain``
            return tuple(
                o.detach().cpu().numpy() if isinstance(o, torch.Tensor) else o for o in out
            )
        if isinstance(out, torch.Tensor):
            out = out.detach().cpu().numpy()
        return np.asarray(out, dtype=np.float32).reshape(X.shape)

    @abstractmethod
    def _explain_batch(self, X, target, rng):
        """Attributions of one batch.

        Parameters
        ----------
        X : ndarray of shape (batch, C, T), float32
        target : ndarray of shape (batch,) or (batch, 2)
            As returned by :meth:`_resolve_target`.
        rng : numpy.random.Generator
            This batch's generator; torch's global RNG is seeded too.

        Returns
        -------
        attributions : ndarray or tensor of shape (batch, C, T)
        """

    def transform(self, X):
        """Attributions flattened to ``(n_samples, n_channels * n_timepoints)``,
        explaining the default target (see :meth:`explain`).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel to explain.

        Returns
        -------
        attributions : ndarray of shape (n_samples, n_channels * n_timepoints)
            Columns named by :meth:`get_feature_names_out`.
        """
        attributions = self.explain(X)
        return attributions.reshape(len(attributions), -1)

    def get_feature_names_out(self, input_features=None):
        """Names ``c{channel}_t{time}`` of the columns of :meth:`transform`.

        Parameters
        ----------
        input_features : None
            Ignored; the names follow the fitted panel's shape.

        Returns
        -------
        feature_names_out : ndarray of str objects, shape (n_channels * n_timepoints,)
        """
        check_is_fitted(self, "model_")
        return np.asarray(
            [f"c{c}_t{t}" for c in range(self.n_channels_in_)
             for t in range(self.n_timepoints_in_)],
            dtype=object,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.requires_fit = True
        tags.non_deterministic = False
        return tags
