"""Meta-explainers over a gradient explainer, time_interpret's tunnels: explain
each prefix of the series (TimeForwardTunnel), or a smoothed copy of the model
(NonLinearitiesTunnel)."""

import torch
import torch.nn.functional as F
from sklearn.base import clone
from torch.overrides import TorchFunctionMode

from ..utils import check_time_series
from ._gradient import _GradientExplainer
from ._time_forward import PrefixForward, PrefixTargetMixin, check_prefix_model
from .base import BaseExplainer

__all__ = ["NonLinearitiesTunnel", "TimeForwardTunnel"]

_COMMON_DOC = """batch_size : int, default=64
        Samples per batch.
    n_jobs : int or None, default=None
        Workers over which batches are spread (``None`` means 1).
    random_state : int, RandomState instance or None, default=None
        Seeds the base explainer's random draws; each batch gets its own seed.
    verbose : int, default=0
        Progress bar over batches when positive."""

_ATTRIBUTES_DOC = """base_explainer_ : BaseExplainer
        The fitted base explainer.
    estimator_ : object
        The explained model, ``base_explainer_.estimator_``.
    model_ : ModelAdapter
        The wrapped model, shared with ``base_explainer_``.
    n_channels_in_, n_timepoints_in_ : int
        Shape of the panel seen in ``fit``.
    n_features_in_ : int
        ``n_channels_in_ * n_timepoints_in_``."""


def _clone_keeping_model(explainer):
    """A clone of ``explainer`` (and of the explainers it wraps) holding the
    model itself: ``clone`` would unfit a fitted model."""
    params = explainer.get_params(deep=False)
    new = clone(explainer)
    if "estimator" in params:
        new.set_params(estimator=params["estimator"])
    if isinstance(params.get("base_explainer"), BaseExplainer):
        new.set_params(base_explainer=_clone_keeping_model(params["base_explainer"]))
    return new


class _Tunnel(BaseExplainer):
    """A meta-explainer that runs a fitted base explainer's batches its own way."""

    requires_gradients = True

    def fit(self, X, y=None):
        """Check, clone and fit the base explainer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Training panel.
        y : array-like of shape (n_samples,) or None, default=None
            Passed to the base explainer's ``fit``: the targets on which an
            unfitted model is fitted.

        Returns
        -------
        self : object
        """
        self._validate_common_params()
        self._check_base(self.base_explainer)
        X_3d = check_time_series(X, estimator=self)
        self.base_explainer_ = _clone_keeping_model(self.base_explainer).fit(X, y)
        self.estimator_ = self.base_explainer_.estimator_
        self.model_ = self.base_explainer_.model_
        self.n_channels_in_, self.n_timepoints_in_ = X_3d.shape[1:]
        self.n_features_in_ = X_3d.shape[1] * X_3d.shape[2]
        self._fit(X_3d, y)
        return self

    def _check_base(self, base):
        name = type(self).__name__
        if not isinstance(base, BaseExplainer):
            raise TypeError(
                f"{name}: base_explainer must be an explainer of sklearn_tsx (a "
                f"BaseExplainer); got {type(base).__name__}."
            )
        if not base.requires_gradients:
            raise TypeError(
                f"{name} runs a gradient explainer, but {type(base).__name__} does not "
                f"differentiate the model. {self._instead}"
            )

    @property
    def _device(self):
        return self.base_explainer_._device


class TimeForwardTunnel(PrefixTargetMixin, _Tunnel):
    """Any captum gradient explainer on each prefix of the series
    (time_interpret's ``TimeForwardTunnel``).

    The attribution of time step ``t`` is the base explainer's attribution, to
    the entries of step ``t``, of the model's prediction from the steps up to
    ``t`` (the series cut after ``t``): each step is judged by the prediction
    made when it arrives, without the future, as time_interpret's State and
    Switch-Feature experiments explain their classifiers.

    All samples of a batch are explained together, one base call per prefix
    length (prefixes of different lengths cannot share a tensor).

    Parameters
    ----------
    base_explainer : BaseExplainer
        An unfitted gradient explainer of the library computed by captum
        (:class:`Saliency`, :class:`IntegratedGradients`, :class:`SmoothGrad`,
        :class:`DeepLift`, :class:`GradientShap`, :class:`DeepLiftShap`, or a
        :class:`NonLinearitiesTunnel` over one), holding the model to explain;
        cloned (keeping the model itself) and fitted in ``fit``. Its parameters
        (baselines, path points, noise) are used; its ``device`` too. The model
        must predict from series of any length (a recurrent or convolutional
        net; for a sequence model, the prediction of a prefix is the one at its
        last step).
    {common}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    TemporalIntegratedGradients : Integrated Gradients on each prefix, moving
        only its last step.
    TemporalOcclusion : Occlusion on each prefix.
    explain_per_step : Each step's output of a sequence model explained.

    Notes
    -----
    ``explain(X, target)`` explains the given class (or output) at every
    prefix; ``target=None`` explains at each prefix the class the model
    predicts from it (time_interpret's ``task="binary"`` or ``"multiclass"``).
    Perturbation explainers are refused: :class:`TemporalOcclusion` and
    :class:`TemporalAugmentedOcclusion` are the occlusions of prefixes.

    References
    ----------
    J. Enguehard. Time Interpret: a unified model interpretability library for
    time series. arXiv:2306.02968, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.explainers import IntegratedGradients, TimeForwardTunnel
    >>> from sklearn_tsx.models import GRUClassifier
    >>> X = np.random.default_rng(0).normal(size=(20, 2, 6)).astype(np.float32)
    >>> y = (X[:, 0, -1] > 0).astype(int)
    >>> model = GRUClassifier(hidden_size=4, max_epochs=2, random_state=0).fit(X, y)
    >>> tunnel = TimeForwardTunnel(IntegratedGradients(model, n_steps=8)).fit(X)
    >>> tunnel.explain(X[:3]).shape
    (3, 2, 6)
    """

    _instead = ("Occlusion of prefixes is TemporalOcclusion or "
                "TemporalAugmentedOcclusion.")

    def __init__(self, base_explainer, *, batch_size=64, n_jobs=None, random_state=None,
                 verbose=0):
        self.base_explainer = base_explainer
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _check_base(self, base):
        super()._check_base(base)
        inner = base.base_explainer if isinstance(base, NonLinearitiesTunnel) else base
        if not isinstance(inner, _GradientExplainer):
            raise TypeError(
                "TimeForwardTunnel runs a captum gradient explainer (Saliency, "
                "IntegratedGradients, SmoothGrad, DeepLift, GradientShap, DeepLiftShap, "
                f"or a NonLinearitiesTunnel over one) on each prefix; got "
                f"{type(inner).__name__}, which explains the whole series its own way."
            )

    def _fit(self, X, y):
        check_prefix_model(self, X)

    def _explain_batch(self, X, target, rng):
        base = self.base_explainer_
        inner = base.base_explainer_ if isinstance(base, NonLinearitiesTunnel) else base
        # baselines taken from the training panel have its length: those methods
        # get the whole series (the prefix's forward ignores the rest); others
        # get the prefix alone, less to compute
        whole = getattr(inner, "baselines", None) in ("mean", "train")
        x = torch.as_tensor(X, device=self._device)
        target = torch.as_tensor(target, device=x.device)
        attributions = torch.zeros_like(x)
        for length in range(1, x.shape[-1] + 1):
            forward = PrefixForward(self.model_, length)
            given = (x if whole else x[..., :length]).clone().requires_grad_()
            attributions[..., length - 1] = base._attribute(
                forward, given, target[:, length - 1], rng
            )[..., length - 1].detach()
        return attributions


# torch functions computing each replaceable non-linearity (module layers call
# the functional form)
_FUNCTIONS = {
    torch.nn.ReLU: (torch.relu, torch.relu_, F.relu, F.relu_, torch.Tensor.relu,
                    torch.Tensor.relu_),
    torch.nn.Tanh: (torch.tanh, torch.tanh_, F.tanh, torch.Tensor.tanh),
    torch.nn.Sigmoid: (torch.sigmoid, torch.sigmoid_, F.sigmoid, torch.Tensor.sigmoid),
    torch.nn.ELU: (F.elu, F.elu_),
    torch.nn.LeakyReLU: (F.leaky_relu, F.leaky_relu_),
    torch.nn.GELU: (F.gelu,),
    torch.nn.SiLU: (F.silu,),
    torch.nn.Softplus: (F.softplus,),
}


class _Replacing(TorchFunctionMode):
    """Inside this mode the given torch functions compute their replacement
    module instead; ``calls`` counts the replaced calls. A mode is local to its
    thread, so batches explained in other threads are untouched."""

    def __init__(self, replacements):
        super().__init__()
        self.replacements = replacements
        self.calls = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        replacement = self.replacements.get(func)
        if replacement is None:
            return func(*args, **(kwargs or {}))
        self.calls += 1
        return replacement(args[0])


def _as_tuple(value):
    return value if isinstance(value, tuple) else (value,)


def _as_module(value, name):
    if isinstance(value, type) and issubclass(value, torch.nn.Module):
        value = value()
    if not isinstance(value, torch.nn.Module):
        raise TypeError(
            f"{name} must be a torch.nn.Module class or instance (or a tuple of "
            f"them); got {value!r}."
        )
    return value


class NonLinearitiesTunnel(_Tunnel):
    """A gradient explainer run on a copy of the model whose non-linearities are
    smoothed (time_interpret's ``NonLinearitiesTunnel``).

    Each ReLU (by default) becomes a Softplus while the base explainer
    computes: ReLU's gradient jumps from 0 to 1, so gradient maps of ReLU nets
    are noisy and can be manipulated; a smooth substitute gives gradients that
    change gradually (Dombrowski et al. 2019). The model itself is not
    modified: the calls are redirected inside the explanation only, through a
    :class:`torch.overrides.TorchFunctionMode`, so functional calls
    (``torch.relu``) are replaced as well as layers (``nn.ReLU``).

    Parameters
    ----------
    base_explainer : BaseExplainer
        An unfitted gradient explainer of the library (any that differentiates
        the model, :class:`TimeForwardTunnel` included), holding the model to
        explain; cloned (keeping the model itself) and fitted in ``fit``. Its
        parameters and ``device`` are used.
    to_replace : torch.nn.Module class or instance, or tuple of them, \
default=torch.nn.ReLU
        The non-linearities replaced: among ``ReLU``, ``Tanh``, ``Sigmoid``,
        ``ELU``, ``LeakyReLU``, ``GELU``, ``SiLU``, ``Softplus``.
    replace_with : torch.nn.Module class or instance, or tuple of them, \
default=torch.nn.Softplus
        What computes them instead: one module for all, or one per entry of
        ``to_replace``; ``torch.nn.Softplus(beta=10)`` stays closer to ReLU.
    {common}

    Attributes
    ----------
    {attributes}

    Notes
    -----
    Targets are chosen as the base explainer chooses them, on the unmodified
    model. Recurrent layers (``nn.GRU``, ``nn.LSTM``) compute their tanh and
    sigmoid inside torch's kernels, where they cannot be replaced: a model whose
    only non-linearities are there is refused.

    References
    ----------
    A.-K. Dombrowski, M. Alber, C. Anders, M. Ackermann, K.-R. Müller and P.
    Kessel. Explanations can be manipulated and geometry is to blame. NeurIPS
    2019.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import NonLinearitiesTunnel, Saliency
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 4),
    ...                             torch.nn.ReLU(), torch.nn.Linear(4, 2))
    >>> X = np.random.default_rng(0).normal(size=(5, 2, 6)).astype(np.float32)
    >>> tunnel = NonLinearitiesTunnel(Saliency(model)).fit(X)
    >>> tunnel.explain(X, target=1).shape
    (5, 2, 6)
    """

    _instead = "Smoothing non-linearities only changes gradients."

    def __init__(self, base_explainer, *, to_replace=torch.nn.ReLU,
                 replace_with=torch.nn.Softplus, batch_size=64, n_jobs=None,
                 random_state=None, verbose=0):
        self.base_explainer = base_explainer
        self.to_replace = to_replace
        self.replace_with = replace_with
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def _replacements(self):
        """The torch functions replaced, each mapped to its replacement module."""
        old = _as_tuple(self.to_replace)
        new = _as_tuple(self.replace_with)
        if len(new) == 1:
            new = new * len(old)
        if len(new) != len(old):
            raise ValueError(
                f"replace_with holds {len(new)} modules for the {len(old)} of "
                "to_replace: give one for all or one each."
            )
        replacements = {}
        for before, after in zip(old, new):
            kind = type(_as_module(before, "to_replace"))
            if kind not in _FUNCTIONS:
                raise ValueError(
                    f"to_replace: {kind.__name__} cannot be replaced; choose among "
                    f"{', '.join(k.__name__ for k in _FUNCTIONS)}."
                )
            after = _as_module(after, "replace_with")
            replacements.update(dict.fromkeys(_FUNCTIONS[kind], after))
        return replacements

    def _fit(self, X, y):
        self.model_.to(self._device)
        mode = _Replacing(self._replacements())
        x = torch.as_tensor(X[:1], device=self._device)
        with self.model_.evaluating(), torch.no_grad(), mode:
            self.model_.forward(x)
        if not mode.calls:
            names = ", ".join(type(_as_module(m, "to_replace")).__name__
                              for m in _as_tuple(self.to_replace))
            raise ValueError(
                f"NonLinearitiesTunnel replaces {names}, but {self.model_.name} "
                "computes none, so the explanation would not change. (Recurrent "
                "layers compute their tanh and sigmoid inside torch's kernels, where "
                "they cannot be replaced.)"
            )

    def _resolve_target(self, X, target):
        return self.base_explainer_._resolve_target(X, target)

    def _explain_batch(self, X, target, rng):
        with _Replacing(self._replacements()):
            return self.base_explainer_._explain_batch(X, target, rng)

    def _attribute(self, forward, x, target, rng, additional_forward_args=None):
        with _Replacing(self._replacements()):
            return self.base_explainer_._attribute(forward, x, target, rng,
                                                   additional_forward_args)

    @property
    def _explain_steps_batch(self):
        steps_batch = getattr(self.base_explainer_, "_explain_steps_batch", None)
        if steps_batch is None:
            return None

        def explain_steps(X, outputs, rng):
            with _Replacing(self._replacements()):
                return steps_batch(X, outputs, rng)

        return explain_steps


for _cls in (TimeForwardTunnel, NonLinearitiesTunnel):
    _cls.__doc__ = (_cls.__doc__.replace("{common}", _COMMON_DOC)
                    .replace("{attributes}", _ATTRIBUTES_DOC))
