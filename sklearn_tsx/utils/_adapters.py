"""Model adapters: one interface over every kind of model an explainer accepts.

An explainer may be handed a fitted sklearn_tsx estimator, a fitted skorch net, a
torch ``nn.Module``, a :class:`sklearn.frozen.FrozenEstimator` around any of them,
or (for black-box methods) any fitted object with ``predict_proba`` / ``predict``.
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

__all__ = ["ModelAdapter", "as_model_adapter"]


def _unwrap(estimator):
    """Strip ``FrozenEstimator`` layers."""
    while type(estimator).__name__ == "FrozenEstimator" and hasattr(estimator, "estimator"):
        estimator = estimator.estimator
    return estimator


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
    n_outputs : int, default=1
        Number of classes or regression outputs.
    softmax : bool, default=False
        Whether a softmax turns the module's outputs (logits) into the
        explained probabilities.
    flatten_input : bool, default=False
        Whether ``predict_fn`` takes ``(batch, C * T)`` tables instead of panels.
    name : str, default="model"
        Name used in error messages.

    Attributes
    ----------
    has_gradients : bool
        Whether outputs can be differentiated with respect to the input.

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
                 n_outputs=1, softmax=False, flatten_input=False, name="model"):
        self.module = module
        self.predict_fn = predict_fn
        self.is_classifier = is_classifier
        self.sequence = sequence
        self.n_outputs = n_outputs
        self.softmax = softmax
        self.flatten_input = flatten_input
        self.name = name

    @property
    def has_gradients(self):
        """Whether outputs can be differentiated with respect to the input."""
        return self.module is not None

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
    """Whether ``model`` reads ``(n, C, T)`` panels itself: an sklearn_tsx
    estimator, or a pipeline that starts with one (they record
    ``n_channels_in_``). Other fitted models get flattened ``(n, C * T)`` tables
    when they were fitted on that many columns."""
    model = _unwrap(model)
    while hasattr(model, "steps"):  # Pipeline, possibly nested
        model = _unwrap(model.steps[0][1])
    return hasattr(model, "n_channels_in_")


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


def as_model_adapter(estimator, n_channels, n_timepoints):
    """Wrap ``estimator`` in a :class:`ModelAdapter`.

    Parameters
    ----------
    estimator : object
        A fitted sklearn_tsx estimator, a fitted skorch net, a torch module, a
        ``FrozenEstimator`` around one of these, or a fitted model with
        ``predict_proba`` or ``predict``. Such a model receives ``(n, C, T)``
        panels, or flattened ``(n, C * T)`` tables when it was fitted on
        ``C * T`` columns (``n_features_in_``) and does not read panels
        itself (sklearn_tsx estimators, and pipelines that start with one, do).
    n_channels, n_timepoints : int
        The shape of the series the explainer will see.

    Returns
    -------
    adapter : ModelAdapter

    Raises
    ------
    NotFittedError
        When a scikit-learn or skorch model is not fitted.
    TypeError
        When ``estimator`` is none of the accepted kinds.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.models import GRUClassifier
    >>> from sklearn_tsx.utils import as_model_adapter
    >>> X = np.random.default_rng(0).normal(size=(20, 2, 8)).astype(np.float32)
    >>> clf = GRUClassifier(hidden_size=4, max_epochs=1, random_state=0)
    >>> model = as_model_adapter(clf.fit(X, np.arange(20) % 3), n_channels=2, n_timepoints=8)
    >>> model.is_classifier, model.n_outputs, model.sequence, model.has_gradients
    (True, 3, False, True)
    """
    model = _unwrap(estimator)
    name = type(model).__name__
    if isinstance(model, torch.nn.Module):
        shape = _probe_outputs(model, n_channels, n_timepoints)
        return ModelAdapter(
            module=model, sequence=len(shape) == 3, n_outputs=shape[-1], name=name
        )
    if hasattr(model, "module_") or hasattr(model, "initialized_"):
        # skorch nets and sklearn_tsx estimators
        try:
            if hasattr(model, "initialized_"):
                if not model.initialized_:
                    raise NotFittedError(f"The skorch net {name} is not initialized.")
            else:
                check_is_fitted(model)
        except NotFittedError as exc:
            raise NotFittedError(
                f"The explained model ({name}) is not fitted: fit it first."
            ) from exc
        module = model.module_
        shape = _probe_outputs(module, n_channels, n_timepoints)
        classifier = is_classifier(model) or hasattr(model, "classes_")
        return ModelAdapter(
            module=module, is_classifier=classifier, softmax=classifier,
            sequence=len(shape) == 3, n_outputs=shape[-1], name=name,
        )
    if hasattr(model, "predict_proba") or hasattr(model, "predict"):
        try:
            check_is_fitted(model)
        except NotFittedError as exc:
            raise NotFittedError(
                f"The explained model ({name}) is not fitted: fit it first."
            ) from exc
        except TypeError:
            pass
        flatten = (
            getattr(model, "n_features_in_", None) == n_channels * n_timepoints
            and n_channels > 1
            and not _takes_panels(model)
        )
        if hasattr(model, "predict_proba"):
            return ModelAdapter(
                predict_fn=model.predict_proba, is_classifier=True,
                n_outputs=len(model.classes_), flatten_input=flatten, name=name,
            )
        return ModelAdapter(
            predict_fn=model.predict, n_outputs=getattr(model, "n_outputs_", 1),
            flatten_input=flatten, name=name,
        )
    raise TypeError(
        "estimator must be a fitted sklearn_tsx model, a fitted skorch net, a torch "
        f"nn.Module or a fitted model with predict/predict_proba; got {name}."
    )
