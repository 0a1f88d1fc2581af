"""Model adapters: one interface over every kind of model an explainer accepts.

An explainer may be handed a fitted sklearn_tsx estimator, a fitted skorch net, a
torch ``nn.Module``, a :class:`sklearn.frozen.FrozenEstimator` around any of them,
or (for black-box methods) any fitted object with ``predict_proba`` / ``predict``:
sktime and aeon estimators, scikit-learn models and pipelines.
:func:`as_model_adapter` turns each into a :class:`ModelAdapter`, whose
:meth:`~ModelAdapter.forward` maps a ``(batch, C, T)`` tensor to the explained
scores: class probabilities for classifiers, predictions for regressors.
"""

import contextlib

import numpy as np
import torch
from sklearn.base import is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ._torch_transforms import StandardisedInput

__all__ = ["ModelAdapter", "as_model_adapter"]

NOT_FITTED = (
    "The explained model ({name}) is not fitted. Either pass the targets y to the "
    "explainer's fit, which then fits a clone of the model (as Pipeline, "
    "cross_val_score and GridSearchCV do), or pass a fitted model, wrapped in "
    "sklearn.frozen.FrozenEstimator to stay fitted through clone."
)


def _unwrap(estimator):
    """Strip ``FrozenEstimator`` layers."""
    while type(estimator).__name__ == "FrozenEstimator" and hasattr(estimator, "estimator"):
        estimator = estimator.estimator
    return estimator


def _skbase_fitted(model):
    """sktime's and aeon's own fitted flag (``is_fitted``), or ``None`` for other
    models; scikit-learn's check fails on sktime estimators (no
    ``__sklearn_tags__``)."""
    fitted = getattr(model, "is_fitted", None)
    return bool(fitted) if isinstance(fitted, (bool, np.bool_)) else None


def is_fitted_model(estimator):
    """Whether ``estimator`` can be explained as it is.

    Torch modules always can; sktime and aeon estimators answer with their own
    ``is_fitted``; a pipeline is fitted when all its steps are; other models go
    through :func:`sklearn.utils.validation.check_is_fitted` (skorch nets answer
    there whether they are initialized). An object that cannot be fitted (no
    ``fit``) counts as fitted.
    """
    model = _unwrap(estimator)
    if isinstance(model, torch.nn.Module):
        return True
    if hasattr(model, "steps"):
        return all(is_fitted_model(step) for _, step in model.steps
                   if step is not None and not isinstance(step, str))
    fitted = _skbase_fitted(model)
    if fitted is not None:
        return fitted
    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    except TypeError:  # no fit method: nothing to fit
        return True
    except AttributeError:  # a duck-typed estimator without sklearn tags
        return any(k.endswith("_") and not k.startswith("__") for k in vars(model))
    return True


class ModelAdapter:
    """A model seen by explainers.

    Usually built by :func:`as_model_adapter`; explainers keep theirs as
    ``model_``.

    Parameters
    ----------
    module : torch.nn.Module, default=None
        The differentiable module, or ``None`` for a black box.
    predict_fn : callable, default=None
        For a black box: maps a numpy batch to its scores.
    is_classifier : bool, default=False
        Whether outputs are class scores.
    sequence : bool, default=False
        Whether the model predicts at every time step: outputs are
        ``(batch, T, n_outputs)`` instead of ``(batch, n_outputs)``.
    causal : bool, default=False
        For a sequence model, whether its output at step ``t`` depends on the
        steps up to ``t`` only (the library's nets with ``sequence_output=True``
        are); per-step occlusion then passes each copy only up to the last step
        it changes.
    n_outputs : int, default=1
        Number of classes or regression outputs.
    classes : array-like or None, default=None
        Class labels, in the order of the outputs; explainers then take targets
        by label. ``None`` (models without ``classes_``): targets are indices.
    softmax : bool, default=False
        Whether a softmax turns the module's outputs (logits) into the
        explained probabilities.
    flatten_input : bool, default=False
        Whether ``predict_fn`` takes ``(batch, C * T)`` tables instead of panels.
    name : str, default="model"
        Name used in error messages.
    no_gradients_reason : str or None, default=None
        For a black box, why it offers no gradients and what to do instead;
        ``None`` says it has only ``predict`` / ``predict_proba``.

    Attributes
    ----------
    has_gradients : bool
        Whether outputs can be differentiated with respect to the input.
    why_no_gradients : str or None
        For a black box, why it offers no gradients and what to do instead;
        ``None`` for a differentiable model.

    Examples
    --------
    >>> import torch
    >>> from sklearn_tsx.utils import ModelAdapter
    >>> net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(6, 3))
    >>> model = ModelAdapter(module=net, is_classifier=True, softmax=True, n_outputs=3)
    >>> probabilities = model(torch.randn(4, 2, 3))
    >>> probabilities.shape, bool(torch.allclose(probabilities.sum(-1), torch.ones(4)))
    (torch.Size([4, 3]), True)
    """

    def __init__(self, *, module=None, predict_fn=None, is_classifier=False, sequence=False,
                 causal=False, n_outputs=1, classes=None, softmax=False,
                 flatten_input=False, name="model", no_gradients_reason=None):
        self.module = module
        self.predict_fn = predict_fn
        self.is_classifier = is_classifier
        self.sequence = sequence
        self.causal = causal
        self.n_outputs = n_outputs
        self.classes = classes
        self.softmax = softmax
        self.flatten_input = flatten_input
        self.name = name
        self.no_gradients_reason = no_gradients_reason

    @property
    def has_gradients(self):
        """Whether outputs can be differentiated with respect to the input."""
        return self.module is not None

    @property
    def why_no_gradients(self):
        """For a black box, why it offers no gradients and what to do instead."""
        if self.has_gradients:
            return None
        if self.no_gradients_reason is not None:
            return self.no_gradients_reason
        return (
            f"{self.name} offers no gradients (only predict/predict_proba). Explain "
            "it with a perturbation method such as FeatureAblation or "
            "FeatureOcclusion, or pass a torch model."
        )

    def to(self, device):
        """Move the module to ``device`` (a copy when it lives elsewhere).

        Parameters
        ----------
        device : str or torch.device

        Returns
        -------
        self : ModelAdapter
        """
        if self.module is not None:
            params = list(self.module.parameters()) + list(self.module.buffers())
            if params and params[0].device != torch.device(device):
                import copy

                self.module = copy.deepcopy(self.module).to(device)
        return self

    def forward(self, x):
        """Explained scores of a batch.

        Differentiable for white-box models. Classifier scores are probabilities.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, C, T)

        Returns
        -------
        scores : torch.Tensor of shape (batch, n_outputs), or
            (batch, T, n_outputs) for sequence models.
        """
        if self.module is not None:
            out = self.module(x)
            return torch.softmax(out, dim=-1) if self.softmax else out
        x_np = x.detach().cpu().numpy()
        if self.flatten_input:
            x_np = x_np.reshape(len(x_np), -1)
        out = np.asarray(self.predict_fn(x_np), dtype=np.float32)
        if out.ndim == 1:
            out = out[:, None]
        return torch.from_numpy(out).to(x.device)

    def __call__(self, x):
        return self.forward(x)

    @contextlib.contextmanager
    def evaluating(self):
        """Put the module in eval mode (restored on exit); RNN gradients on CUDA need
        cuDNN off in eval mode.

        Yields
        ------
        self : ModelAdapter
        """
        if self.module is None:
            yield self
            return
        was_training = self.module.training
        self.module.eval()
        try:
            with torch.backends.cudnn.flags(enabled=False):
                yield self
        finally:
            self.module.train(was_training)


def _takes_panels(model):
    """Why ``model`` reads ``(n, C, T)`` panels itself, or ``None``: an
    sklearn_tsx estimator or a pipeline that starts with one (they record
    ``n_channels_in_``), or an sktime / aeon estimator."""
    model = _unwrap(model)
    if _skbase_fitted(model) is not None:
        return "an sktime / aeon estimator"
    while hasattr(model, "steps"):  # Pipeline, possibly nested
        model = _unwrap(model.steps[0][1])
    if hasattr(model, "n_channels_in_"):
        return f"{type(model).__name__} records n_channels_in_"
    return None


def _black_box_input(model, n_channels, n_timepoints):
    """Whether ``model`` gets flattened ``(n, C * T)`` tables, and why."""
    panels = _takes_panels(model)
    if panels:
        return False, f"(n, {n_channels}, {n_timepoints}) panels ({panels})"
    n_features = getattr(model, "n_features_in_", None)
    n_entries = n_channels * n_timepoints
    if n_features == n_entries:
        return True, (
            f"flattened (n, {n_entries}) tables (it was fitted on {n_features} "
            f"columns = {n_channels} channels x {n_timepoints} time points)"
        )
    why = ("it records no n_features_in_" if n_features is None else
           f"its n_features_in_ ({n_features}) is not {n_channels} channels x "
           f"{n_timepoints} time points")
    return False, f"(n, {n_channels}, {n_timepoints}) panels ({why})"


def _probe_predictions(predict_fn, flatten, n_channels, n_timepoints, name, how):
    """Shape of the black box's output on two zero series, or an error that says
    what was tried."""
    x = np.zeros((2, n_channels, n_timepoints), dtype=np.float32)
    try:
        out = np.asarray(predict_fn(x.reshape(2, -1) if flatten else x), dtype=np.float32)
    except Exception as exc:
        raise TypeError(
            f"{name} cannot be explained as a black box: called its "
            f"{predict_fn.__name__} on {how}, which failed with "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    return out.shape


def _classes(model, n_outputs):
    """The model's class labels when they match its outputs, else ``None``."""
    classes = getattr(model, "classes_", None)
    if classes is None or np.ndim(classes) != 1 or len(classes) != n_outputs:
        return None
    return np.asarray(classes)


def _probe_outputs(module, n_channels, n_timepoints):
    params = list(module.parameters()) + list(module.buffers())
    device = params[0].device if params else torch.device("cpu")
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            out = module(torch.zeros(2, n_channels, n_timepoints, device=device))
    finally:
        module.train(was_training)
    return out.shape


#: The steps before a pipeline's model that gradients pass through.
DIFFERENTIABLE_STEPS = (
    "TimeSeriesStandardScaler, FunctionTransformer() without a func and 'passthrough'"
)


def _step_module(step):
    """A function wrapping a module in ``step``'s transform, or ``None`` when the
    step cannot be differentiated."""
    from sklearn.preprocessing import FunctionTransformer

    from ..preprocessing import TimeSeriesStandardScaler  # it imports this package

    if step is None or isinstance(step, str):  # "passthrough"
        return lambda module: module
    if isinstance(step, TimeSeriesStandardScaler):
        return lambda module: StandardisedInput(module, step)
    if isinstance(step, FunctionTransformer) and step.func is None:
        return lambda module: module
    return None


def _pipeline_module(pipeline):
    """The fitted ``pipeline`` as one differentiable module, or why it is not one.

    Parameters
    ----------
    pipeline : sklearn.pipeline.Pipeline
        Fitted. Differentiable when its last step has a torch ``module_`` (an
        sklearn_tsx estimator or a skorch net) and every other step is one of
        ``DIFFERENTIABLE_STEPS``, possibly inside a ``FrozenEstimator``.

    Returns
    -------
    module : torch.nn.Module or None
        The pipeline's transforms then the last step's module, outputs as that
        module's (logits for classifiers); ``None`` when not differentiable.
    why_not : str or None
        When ``module`` is ``None``: which step blocks the gradients, and the
        ways out.
    """
    *transformers, (last_name, last) = pipeline.steps
    wrappers = [_step_module(_unwrap(step)) for _, step in transformers]
    module = getattr(_unwrap(last), "module_", None)
    blocked = [f"its step {name!r} ({type(_unwrap(step)).__name__})"
               for (name, step), wrap in zip(transformers, wrappers) if wrap is None]
    reasons = []
    if blocked:
        reasons.append(
            f"{', '.join(blocked)} cannot be differentiated (gradients pass "
            f"through {DIFFERENTIABLE_STEPS} steps only)"
        )
    if not isinstance(module, torch.nn.Module):
        reasons.append(
            f"its last step {last_name!r} ({type(_unwrap(last)).__name__}) is not a "
            "torch-backed model (an sklearn_tsx estimator or a skorch net)"
        )
    if reasons:
        ways_out = ("Explain the pipeline with a perturbation method such as "
                    "FeatureAblation or FeatureOcclusion")
        if isinstance(module, torch.nn.Module):
            ways_out += (
                ", or explain its last step on the transformed input, e.g. "
                "Saliency(pipe[-1]).fit(pipe[:-1].transform(X)), attributions then "
                "in the units of the transformed input"
            )
        return None, f"the Pipeline offers no gradients: {'; and '.join(reasons)}. {ways_out}."
    for wrap in reversed(wrappers):
        module = wrap(module)
    return module, None


def _module_adapter(model, module, n_channels, n_timepoints, **params):
    """The adapter of a fitted model explained through ``module``."""
    shape = _probe_outputs(module, n_channels, n_timepoints)
    classifier = is_classifier(model) or hasattr(model, "classes_")
    return ModelAdapter(
        module=module, is_classifier=classifier, softmax=classifier,
        sequence=len(shape) == 3, n_outputs=shape[-1],
        classes=_classes(model, shape[-1]) if classifier else None, **params,
    )


def as_model_adapter(estimator, n_channels, n_timepoints):
    """Wrap a fitted model in a :class:`ModelAdapter`.

    What the adapter decides, in order:

    - a torch ``nn.Module`` (always fitted) is differentiated; its output shape
      on a probe batch tells a sequence model (``(batch, T, k)``) and the number
      of outputs;
    - a model that is not fitted gets a ``NotFittedError`` naming the two ways
      out (fitted: sktime and aeon estimators by their own ``is_fitted``,
      pipelines when all their steps are, others by
      :func:`sklearn.utils.validation.check_is_fitted`);
    - an sklearn_tsx estimator or a skorch net is differentiated through its
      ``module_``; a classifier's logits go through a softmax;
    - a pipeline whose last step is such a model and whose other steps are
      :class:`~sklearn_tsx.preprocessing.TimeSeriesStandardScaler`,
      ``FunctionTransformer()`` without a ``func`` or ``"passthrough"`` is
      differentiated through its steps' transforms written in torch, so
      gradients are in the units of the pipeline's input; any other pipeline is
      a black box (below) whose ``why_no_gradients`` names the step that blocks
      them;
    - any other model with ``predict_proba`` (a classifier, its scores the
      probabilities) or ``predict`` (a regressor) is a black box, without
      gradients. It gets ``(n, C, T)`` panels when it reads them itself
      (sktime and aeon estimators, sklearn_tsx estimators and pipelines that
      start with one), flattened ``(n, C * T)`` tables when it was fitted on
      ``C * T`` columns (``n_features_in_``, whatever ``C``), panels otherwise.
      It is called once on two zero series; if that fails, the error says what
      was tried.

    A classifier's ``classes_`` become the adapter's ``classes``, so explainers
    take targets by label.

    Parameters
    ----------
    estimator : object
        A fitted model of one of the kinds above, possibly inside
        :class:`sklearn.frozen.FrozenEstimator`.
    n_channels, n_timepoints : int
        The shape of the series the explainer will see.

    Returns
    -------
    adapter : ModelAdapter

    Raises
    ------
    NotFittedError
        When the model is not fitted.
    TypeError
        When ``estimator`` is none of the accepted kinds, or a black box fails
        on the input it was given.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn_tsx.models import GRUClassifier
    >>> from sklearn_tsx.utils import as_model_adapter
    >>> X = np.random.default_rng(0).normal(size=(20, 2, 8)).astype(np.float32)
    >>> clf = GRUClassifier(hidden_size=4, max_epochs=1, random_state=0)
    >>> model = as_model_adapter(clf.fit(X, np.arange(20) % 3), n_channels=2, n_timepoints=8)
    >>> model.is_classifier, model.n_outputs, model.sequence, model.has_gradients
    (True, 3, False, True)
    >>> ridge = Ridge().fit(X.reshape(20, -1), X.sum(axis=(1, 2)))
    >>> model = as_model_adapter(ridge, n_channels=2, n_timepoints=8)
    >>> model.has_gradients, model.flatten_input
    (False, True)
    """
    model = _unwrap(estimator)
    name = type(model).__name__
    if isinstance(model, torch.nn.Module):
        shape = _probe_outputs(model, n_channels, n_timepoints)
        return ModelAdapter(
            module=model, sequence=len(shape) == 3, n_outputs=shape[-1], name=name
        )
    if not any(hasattr(model, a) for a in ("module_", "predict_proba", "predict")):
        raise TypeError(
            "estimator must be a fitted sklearn_tsx model, a fitted skorch net, a "
            "torch nn.Module or a fitted model with predict/predict_proba; got "
            f"{name}."
        )
    if not is_fitted_model(model):
        raise NotFittedError(NOT_FITTED.format(name=name))
    if hasattr(model, "module_"):
        # skorch nets and sklearn_tsx estimators
        causal = bool(getattr(model, "_causal_sequence_output", False)
                      and getattr(model, "sequence_output", False))
        return _module_adapter(model, model.module_, n_channels, n_timepoints, name=name,
                               causal=causal)
    why_not = None
    if hasattr(model, "steps"):
        module, why_not = _pipeline_module(model)
        if module is not None:
            return _module_adapter(model, module, n_channels, n_timepoints, name=name)
    classifier = hasattr(model, "predict_proba")
    predict_fn = model.predict_proba if classifier else model.predict
    flatten, how = _black_box_input(model, n_channels, n_timepoints)
    shape = _probe_predictions(predict_fn, flatten, n_channels, n_timepoints, name, how)
    n_outputs = shape[1] if len(shape) > 1 else 1
    return ModelAdapter(
        predict_fn=predict_fn, is_classifier=classifier, n_outputs=n_outputs,
        classes=_classes(model, n_outputs) if classifier else None,
        flatten_input=flatten, name=name, no_gradients_reason=why_not,
    )
