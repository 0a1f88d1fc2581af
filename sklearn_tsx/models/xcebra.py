"""xCEBRA: regularized multi-objective contrastive learning with attribution maps.

Wraps the implementation of Schneider et al. (AISTATS 2025) shipped in ``cebra``
(>= 0.6): the multi-objective contrastive solver, the Jacobian regularizer ramped
in during training, and ``cebra.attribution``. The Jacobians behind the gradient
attributions are computed batched with ``torch.func`` (the default); perturbation
and path methods go through captum's neuron attributions, as ``cebra.attribution``
does. ``cebra.attribution`` itself imports ``cvxpy`` (``cebra``'s ``integrations``
extra), so it is only imported for ``jacobian_backend="cebra"``.
"""

import contextlib
import copy
import io
import numbers
import warnings

import numpy as np
import pandas as pd
import torch
from captum.attr import (
    NeuronFeatureAblation,
    NeuronIntegratedGradients,
    ShapleyValueSampling,
)
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ..utils import check_time_series, resolve_device, seeded_torch, torch_seed
from ..utils.validation import _is_nested_frame

__all__ = ["XCEBRA"]

ATTRIBUTION_METHODS = (
    "inverted-neuron-gradient",
    "neuron-gradient",
    "feature-ablation",
    "shapley-value-sampling",
    "integrated-gradients",
)
JACOBIAN_BACKENDS = ("torch.func", "cebra")

# The seed of the positive/negative pairs drawn by ``score``: every fitted model
# of a grid search is scored on the same held-out pairs.
_SCORE_SEED = 0


# Fraction of saturated embedding values above which ``fit`` warns.
_MAX_SATURATION = 0.1


def _saturation(encoder, Z):
    """Fraction of the values of the embedding ``Z`` at which the bounded output
    nonlinearity of a ``cebra`` encoder is saturated (0 for an unbounded output)."""
    cebra = _import_cebra()
    clamp = getattr(encoder, "clamp", None)
    if isinstance(clamp, torch.nn.Hardtanh):
        return float(np.mean((Z <= clamp.min_val) | (Z >= clamp.max_val)))
    layers = [
        layer for layer in encoder.net if not isinstance(layer, cebra.models.layers.Squeeze)
    ]
    if isinstance(layers[-1], torch.nn.Tanh):
        return float(np.mean(1.0 - Z.astype(np.float64) ** 2 < 0.05))
    return 0.0


def _check_int(value, name, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}.")


def _check_real(value, name, low, high, *, low_open=False):
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and (low < value if low_open else low <= value) and value <= high
    if not ok:
        bracket = "(" if low_open else "["
        raise ValueError(f"{name} must be a float in {bracket}{low}, {high}]; got {value!r}.")


@contextlib.contextmanager
def _quiet():
    """Silence the progress prints of ``cebra``'s multi-objective and attribution code,
    and the deprecation warning its ``JacobianReg`` triggers in torch at every step."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="This overload of addcdiv", category=UserWarning
        )
        yield


def _import_cebra():
    """Import ``cebra`` on first use: it takes seconds and only XCEBRA needs it."""
    import cebra.data
    import cebra.data.multiobjective
    import cebra.models
    import cebra.models.jacobian_regularizer
    import cebra.models.layers
    import cebra.solver
    import cebra.solver.schedulers

    return cebra


class XCEBRA(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Regularized contrastive embedding with identifiable attribution maps (xCEBRA).

    An encoder maps each time step of a multichannel recording to ``n_latents``
    latents. The first ``n_behavior_latents`` are trained by a behaviour-contrastive
    InfoNCE objective (positive pairs share a change of the auxiliary variables
    ``y``, ``cebra``'s ``"time_delta"`` distribution); the whole embedding is
    trained by a time-contrastive objective (positive pairs are ``time_offset``
    steps apart), so the remaining latents capture what the behaviour does not
    explain. The squared Frobenius norm of the encoder's Jacobian is penalised
    with a weight ramped linearly from 0 to ``jacobian_reg_weight`` between the
    fractions ``reg_ramp_start`` and ``reg_ramp_end`` of training, then held.
    :meth:`explain` then gives the attribution map between latents and channels
    by the Inverted Neuron Gradient: the pseudo-inverse of the encoder Jacobian,
    which estimates the Jacobian of the data-generating mixing.

    Training is ``cebra``'s ``"multiobjective-solver"`` with its
    ``ContrastiveMultiObjectiveLoader``, ``FixedEuclideanInfoNCE`` losses,
    ``JacobianReg`` and ``LinearRampUp`` scheduler.

    Parameters
    ----------
    n_latents : int, default=4
        Dimension of the embedding.
    n_behavior_latents : int, default=2
        Number of leading latents supervised by the behaviour; the latent split.
        Between 1 and ``n_latents - 1``.
    jacobian_reg_weight : float, default=0.01
        Final weight of the Jacobian regularizer; 0 trains without it.
    reg_ramp_start : float, default=0.25
        Fraction of the iterations after which the regularizer is switched on.
    reg_ramp_end : float, default=0.5
        Fraction of the iterations at which it reaches its final weight.
    max_iterations : int, default=2000
        Number of gradient steps.
    batch_size : int, default=512
        Reference samples per step (capped at the number of time steps).
    learning_rate : float, default=3e-4
        Adam learning rate.
    temperature : float, default=1.0
        Temperature of both InfoNCE losses. It sets the scale of the embedding
        the losses ask for: with the squared Euclidean similarity, latents whose
        step between positive pairs has variance ``s2`` are best embedded at
        ``sqrt(temperature / (2 * s2))`` times their own scale. That scale must
        fit within the output range of ``model_architecture``; a fit that
        saturates the output warns (see ``saturation_``) and gives a poor map.
    time_offset : int, default=1
        Distance in time steps of the time-contrastive positive pairs.
    time_delta : int, default=1
        Lag over which behaviour changes are taken for the behaviour positive pairs.
    model_architecture : str, default="offset1-model-mse-clip-5-5"
        A ``cebra.models`` name with a one-time-step receptive field
        (``cebra.models.get_options("offset1-model*")``). The default, the
        architecture of ``cebra``'s xCEBRA synthetic experiments, is linear up
        to its output clipped to [-5, 5].
    num_hidden_units : int, default=32
        Hidden units, for the architectures that take them (some, like the
        default, size their layers from ``n_latents``).
    device : str or torch.device, default="cpu"
        Training device; ``"auto"`` picks CUDA when available.
    random_state : int, RandomState instance or None, default=None
        Seeds the encoder initialisation and every sampled pair.
    verbose : int, default=0
        0 trains silently; above 0 shows ``cebra``'s progress bar over the
        iterations. A bool is read as 0 or 1.

    Attributes
    ----------
    encoder_ : cebra.models.Model
        The trained encoder, ``(batch, n_channels, 1)`` in, ``(batch, n_latents)`` out.
    criterion_ : cebra.models.MultiCriterions
        The two InfoNCE objectives, used by :meth:`score`.
    loss_curve_ : list of float
        Training loss (both objectives plus the weighted regularizer) per iteration.
    saturation_ : float
        Fraction of the embedding values of the training recording at which
        the encoder's bounded output nonlinearity is saturated (a clip at its
        bound, a tanh with derivative below 0.05); 0 for an unbounded output.
        Saturated latents carry no gradient, which corrupts the Jacobian and
        so the attribution map; above 0.1, ``fit`` warns.
    n_features_in_ : int
        Number of channels seen in ``fit``.
    n_channels_in_ : int
        Same as ``n_features_in_``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Channel names, when ``X`` was a DataFrame with string column names.

    Notes
    -----
    **Input layout.** As in ``cebra.CEBRA``, a 2-D ``X`` of shape
    ``(n_timesteps, n_channels)`` is one recording, one row per time step, and
    ``y`` holds the behaviour per time step, of shape ``(n_timesteps,)`` or
    ``(n_timesteps, n_behavior_variables)``. (This differs from the rest of
    sklearn_tsx, where a 2-D array is a panel of univariate series.) A 3-D panel
    ``(n_samples, n_channels, n_timepoints)``, or an sktime frame, is read as
    its samples concatenated in time into one recording of ``n_samples *
    n_timepoints`` steps, with ``y`` of shape ``(n_samples, n_timepoints)`` or
    ``(n_samples, n_behavior_variables, n_timepoints)``; the few
    time-contrastive pairs that straddle two samples are a negligible noise for
    panels of long series. :meth:`transform` then returns ``(n_samples,
    n_latents, n_timepoints)``.

    **Scoring.** :meth:`score` is the negative mean InfoNCE loss (both
    objectives summed, regularizer excluded) on positive pairs drawn from the
    held-out recording with a fixed seed, so that ``GridSearchCV`` can tune the
    latent split and the regularizer weight. The value depends on
    ``batch_size``: compare models scored with the same one. It measures how
    well the embedding fits the contrastive objectives, not the quality of the
    attribution map, and a larger regularizer trades some of that fit for a
    sparser map.

    References
    ----------
    .. [1] S. Schneider, R. González Laiz, A. Filippova, M. Frey and M. W. Mathis,
       "Time-series attribution maps with regularized contrastive learning",
       AISTATS 2025, arXiv:2502.12977.

    Examples
    --------
    >>> from sklearn_tsx.datasets import make_xcebra_recording
    >>> from sklearn_tsx.models import XCEBRA
    >>> X, y, true_map = make_xcebra_recording(500, 10, random_state=0)
    >>> model = XCEBRA(max_iterations=20, batch_size=64, random_state=0).fit(X, y)
    >>> model.transform(X).shape
    (500, 4)
    >>> model.explain(X).shape
    (4, 10)
    """

    def __init__(
        self,
        *,
        n_latents=4,
        n_behavior_latents=2,
        jacobian_reg_weight=0.01,
        reg_ramp_start=0.25,
        reg_ramp_end=0.5,
        max_iterations=2000,
        batch_size=512,
        learning_rate=3e-4,
        temperature=1.0,
        time_offset=1,
        time_delta=1,
        model_architecture="offset1-model-mse-clip-5-5",
        num_hidden_units=32,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.n_latents = n_latents
        self.n_behavior_latents = n_behavior_latents
        self.jacobian_reg_weight = jacobian_reg_weight
        self.reg_ramp_start = reg_ramp_start
        self.reg_ramp_end = reg_ramp_end
        self.max_iterations = max_iterations
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.temperature = temperature
        self.time_offset = time_offset
        self.time_delta = time_delta
        self.model_architecture = model_architecture
        self.num_hidden_units = num_hidden_units
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    # -- validation -----------------------------------------------------------------

    def _check_params(self):
        cebra = _import_cebra()
        _check_int(self.n_latents, "n_latents", 2)
        _check_int(self.n_behavior_latents, "n_behavior_latents", 1)
        if self.n_behavior_latents >= self.n_latents:
            raise ValueError(
                f"Bad latent split: n_behavior_latents ({self.n_behavior_latents}) must "
                f"be smaller than n_latents ({self.n_latents}), so that some latents "
                "are left to the time-contrastive objective."
            )
        _check_real(self.jacobian_reg_weight, "jacobian_reg_weight", 0, np.inf)
        _check_real(self.reg_ramp_start, "reg_ramp_start", 0, 1)
        _check_real(self.reg_ramp_end, "reg_ramp_end", 0, 1)
        if self.reg_ramp_end < self.reg_ramp_start:
            raise ValueError(
                f"reg_ramp_end ({self.reg_ramp_end}) must not be smaller than "
                f"reg_ramp_start ({self.reg_ramp_start})."
            )
        _check_int(self.max_iterations, "max_iterations", 1)
        _check_int(self.batch_size, "batch_size", 2)
        _check_real(self.learning_rate, "learning_rate", 0, np.inf, low_open=True)
        _check_real(self.temperature, "temperature", 0, np.inf, low_open=True)
        _check_int(self.time_offset, "time_offset", 1)
        _check_int(self.time_delta, "time_delta", 1)
        _check_int(self.num_hidden_units, "num_hidden_units", 2)
        if not isinstance(self.verbose, numbers.Integral) or self.verbose < 0:
            raise ValueError(f"verbose must be an integer >= 0; got {self.verbose!r}.")
        options = cebra.models.get_options("offset1-model*")
        if self.model_architecture not in options:
            raise ValueError(
                f"model_architecture must be a cebra model with a one-time-step "
                f"receptive field, one of {options}; got {self.model_architecture!r}."
            )

    def _validate_X(self, X, y=None, *, reset):
        """Return the recording ``(n_timesteps, n_channels)``, the panel shape (or
        None for a 2-D recording) and, when given, ``y`` as ``(n_timesteps, n_vars)``."""
        panel_shape = None
        if getattr(X, "ndim", 2) > 3:
            raise ValueError(
                "X must be a 2-D recording (n_timesteps, n_channels) or a 3-D panel "
                f"(n_samples, n_channels, n_timepoints); got {X.ndim} dimensions."
            )
        is_panel = getattr(X, "ndim", None) == 3 or (
            isinstance(X, pd.DataFrame)
            and (isinstance(X.index, pd.MultiIndex) or _is_nested_frame(X))
        )
        if is_panel:
            X3 = check_time_series(X, estimator=self)
            panel_shape = X3.shape
            X = X3.transpose(0, 2, 1).reshape(-1, X3.shape[1])
            if y is not None:
                y = self._panel_y_to_recording(y, panel_shape)
        if not reset and is_panel and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} channels, but {type(self).__name__} is expecting "
                f"{self.n_features_in_} channels as input (the number it was fitted on)."
            )
        if reset:
            X, y = validate_data(
                self, X, y, reset=True, dtype=np.float32, multi_output=True, y_numeric=True
            )
        elif y is not None:
            X, y = validate_data(
                self, X, y, reset=False, dtype=np.float32, multi_output=True, y_numeric=True
            )
        else:
            X = validate_data(self, X, reset=False, dtype=np.float32)
        if y is not None:
            y = np.asarray(y, dtype=np.float32).reshape(len(X), -1)
        return np.ascontiguousarray(X), panel_shape, y

    @staticmethod
    def _panel_y_to_recording(y, panel_shape):
        n_samples, _, n_timepoints = panel_shape
        y = np.asarray(y)
        if y.ndim == 2 and y.shape == (n_samples, n_timepoints):
            return y.reshape(-1)
        if y.ndim == 3 and (y.shape[0], y.shape[2]) == (n_samples, n_timepoints):
            return y.transpose(0, 2, 1).reshape(n_samples * n_timepoints, -1)
        raise ValueError(
            "For a panel X of shape (n_samples, n_channels, n_timepoints) = "
            f"{panel_shape}, y must hold the behaviour per time step, of shape "
            f"({n_samples}, {n_timepoints}) or ({n_samples}, n_behavior_variables, "
            f"{n_timepoints}); got shape {y.shape}."
        )

    # -- training -------------------------------------------------------------------

    def _make_loader(self, X, y, batch_size, num_steps, device, seed):
        cebra = _import_cebra()
        dataset = cebra.data.DatasetxCEBRA(
            torch.from_numpy(X), device=str(device), behavior=torch.from_numpy(y)
        )
        dataset.to(device)
        loader = cebra.data.multiobjective.ContrastiveMultiObjectiveLoader(
            dataset=dataset,
            num_steps=num_steps,
            batch_size=min(batch_size, len(X)),
        )
        loader.add_config(
            dict(
                distribution="time_delta",
                kwargs=dict(time_delta=self.time_delta, label_name="behavior"),
            )
        )
        loader.add_config(dict(distribution="time", kwargs=dict(time_offset=self.time_offset)))
        # cebra's samplers draw their own generator seeds from the OS: reseed them.
        loader.prior.generator.manual_seed(seed)
        for i, distribution in enumerate(loader.distributions, start=1):
            distribution.generator.manual_seed(seed + i)
        return dataset, loader

    def _make_criterion(self):
        cebra = _import_cebra()
        loss = dict(
            name="FixedEuclideanInfoNCE", kwargs=dict(temperature=float(self.temperature))
        )
        return cebra.models.MultiCriterions(
            losses=[
                dict(indices=(0, self.n_behavior_latents), contrastive_loss=loss),
                dict(indices=(0, self.n_latents), contrastive_loss=loss),
            ],
            mode="contrastive",
        )

    def fit(self, X, y):
        """Train the encoder.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_channels) or (n, C, T)
            A recording, one row per time step, or a panel (see Notes).
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_behavior_variables)
            The behaviour at each time step (for a panel: ``(n_samples,
            n_timepoints)`` or ``(n_samples, n_behavior_variables, n_timepoints)``).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        cebra = _import_cebra()
        self._check_params()
        X, _, y = self._validate_X(X, y, reset=True)
        self.n_channels_in_ = self.n_features_in_
        if len(X) < 2:
            raise ValueError(
                f"{type(self).__name__} needs a recording of at least 2 time steps; "
                f"got {len(X)} sample."
            )
        device = resolve_device(self.device)
        seed = torch_seed(self.random_state)
        with seeded_torch(seed, device), _quiet():
            encoder = cebra.models.init(
                self.model_architecture,
                num_neurons=X.shape[1],
                num_units=self.num_hidden_units,
                num_output=self.n_latents,
            ).to(device)
            dataset, loader = self._make_loader(
                X, y, self.batch_size, self.max_iterations, device, seed % (2**62)
            )
            dataset.configure_for(encoder)
            criterion = self._make_criterion().to(device)
            solver = cebra.solver.init(
                "multiobjective-solver",
                model=encoder,
                feature_ranges=[slice(0, self.n_behavior_latents), slice(0, self.n_latents)],
                regularizer=cebra.models.jacobian_regularizer.JacobianReg(),
                renormalize=False,
                use_sam=False,
                criterion=criterion,
                optimizer=torch.optim.Adam(
                    list(encoder.parameters()) + list(criterion.parameters()),
                    lr=self.learning_rate,
                ),
                tqdm_on=self.verbose > 0,
            )
            scheduler = None
            if self.jacobian_reg_weight > 0:
                start = int(self.reg_ramp_start * self.max_iterations)
                scheduler = cebra.solver.schedulers.LinearRampUp(
                    n_splits=2,
                    step_to_switch_on_reg=start,
                    step_to_switch_off_reg=max(
                        int(self.reg_ramp_end * self.max_iterations), start + 1
                    ),
                    start_weight=0.0,
                    end_weight=float(self.jacobian_reg_weight),
                )
            solver.fit(loader=loader, scheduler_regularizer=scheduler)

        self.encoder_ = encoder.cpu().eval() if device.type != "cpu" else encoder.eval()
        self.criterion_ = criterion.cpu()
        self.loss_curve_ = list(solver.log[("sum_loss_train",)])
        self.saturation_ = _saturation(self.encoder_, self._encode(X))
        if self.saturation_ > _MAX_SATURATION:
            warnings.warn(
                f"{self.saturation_:.0%} of the embedding values of the training "
                f"recording saturate the output of {self.model_architecture!r}: the "
                "Jacobian, and so the attribution map, is unreliable there. Lower "
                "temperature (it sets the scale of the embedding) or choose an "
                "architecture with a wider output range.",
                UserWarning,
                stacklevel=2,
            )
        return self

    # -- embedding ------------------------------------------------------------------

    @property
    def _n_features_out(self):
        return self.n_latents

    def _encode(self, X, batch_size=8192):
        # In float64, so that a row's embedding does not depend on the other rows
        # of its batch through the blocking of float32 matrix products.
        encoder = copy.deepcopy(self.encoder_).double()
        with torch.no_grad():
            chunks = [
                encoder(torch.from_numpy(chunk).double()[:, :, None])
                for chunk in np.array_split(X, max(1, -(-len(X) // batch_size)))
            ]
        return torch.cat(chunks).numpy().astype(np.float32)

    def transform(self, X):
        """Embed each time step.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_channels) or (n, C, T)
            A recording or a panel (see Notes of :class:`XCEBRA`).

        Returns
        -------
        Z : ndarray of shape (n_timesteps, n_latents) or (n_samples, n_latents, n_timepoints)
            The embedding, float32; the behaviour latents come first.
        """
        check_is_fitted(self)
        X, panel_shape, _ = self._validate_X(X, reset=False)
        Z = self._encode(X)
        if panel_shape is None:
            return Z
        n_samples, _, n_timepoints = panel_shape
        return Z.reshape(n_samples, n_timepoints, -1).transpose(0, 2, 1).copy()

    def score(self, X, y):
        """Negative InfoNCE loss on a held-out recording (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_channels) or (n, C, T)
            Held-out recording or panel.
        y : array-like of shape (n_timesteps,) or (n_timesteps, n_behavior_variables)
            Its behaviour.

        Returns
        -------
        score : float
            Minus the mean, over 10 batches of pairs drawn with a fixed seed, of
            the sum of the behaviour and time InfoNCE losses.
        """
        cebra = _import_cebra()
        check_is_fitted(self)
        X, _, y = self._validate_X(X, y, reset=False)
        if len(X) < 2:
            raise ValueError("score needs a recording of at least 2 time steps.")
        with torch.no_grad(), _quiet():
            _, loader = self._make_loader(
                X, y, self.batch_size, 10, torch.device("cpu"), _SCORE_SEED
            )
            losses = []
            for batch in loader:
                ref = self.encoder_(batch.reference)
                neg = self.encoder_(batch.negative)
                predictions = [
                    cebra.data.Batch(ref[:, s], self.encoder_(pos)[:, s], neg[:, s])
                    for s, pos in zip(
                        (slice(0, self.n_behavior_latents), slice(0, self.n_latents)),
                        batch.positive,
                    )
                ]
                losses.append(sum(self.criterion_(predictions)).item())
        return -float(np.mean(losses))

    # -- attribution ----------------------------------------------------------------

    def jacobian(self, X, *, backend="torch.func"):
        """Jacobian of the encoder at each time step.

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_channels) or (n, C, T)
            A recording or a panel (see Notes of :class:`XCEBRA`).
        backend : {"torch.func", "cebra"}, default="torch.func"
            ``"torch.func"`` computes all Jacobians at once with
            ``vmap(jacrev(...))``; ``"cebra"`` uses ``cebra``'s
            ``"jacobian-based"`` attribution (one backward pass per latent).

        Returns
        -------
        J : ndarray of shape (n_timesteps_total, n_latents, n_channels)
            ``J[t, k, c]`` is the derivative of latent ``k`` with respect to
            channel ``c`` at time step ``t`` (panels flattened in time).
        """
        check_is_fitted(self)
        X, _, _ = self._validate_X(X, reset=False)
        return self._jacobian(X, backend)

    def _jacobian(self, X, backend):
        if backend not in JACOBIAN_BACKENDS:
            raise ValueError(f"backend must be one of {JACOBIAN_BACKENDS}; got {backend!r}.")
        if backend == "cebra":
            return self._cebra_attribution("jacobian-based", X)["jf"]
        encoder = self.encoder_

        def embed(x):
            return encoder(x[None, :, None])[0]

        with torch.no_grad():
            J = torch.func.vmap(torch.func.jacrev(embed))(torch.from_numpy(X))
        return J.numpy()

    def _cebra_attribution(self, name, X, **kwargs):
        try:
            import cebra.attribution
        except ImportError as exc:
            raise ImportError(
                "jacobian_backend='cebra' needs cebra.attribution, which imports cvxpy: "
                "pip install 'sklearn_tsx[cebra-attribution]' (or cvxpy), or use the default "
                f"jacobian_backend='torch.func'. ({exc})"
            ) from exc
        # cebra's attribution freezes the parameters of the model it is given.
        encoder = copy.deepcopy(self.encoder_)
        with _quiet():
            method = cebra.attribution.init(
                name,
                model=encoder,
                input_data=torch.from_numpy(X).requires_grad_(True),
                output_dimension=self.n_latents,
            )
            return method.compute_attribution_map(**kwargs)

    def explain(
        self,
        X,
        method="inverted-neuron-gradient",
        *,
        jacobian_backend="torch.func",
        n_shapley_samples=25,
        n_ig_steps=50,
        random_state=None,
    ):
        """Attribution map between latents and input channels.

        Each method gives an attribution per time step, of shape ``(n_latents,
        n_channels)``; the map is the mean of their absolute values over all
        time steps of ``X`` (over every sample and time point of a panel).

        Parameters
        ----------
        X : array-like of shape (n_timesteps, n_channels) or (n, C, T)
            A recording or a panel (see Notes of :class:`XCEBRA`). Attribution
            cost grows linearly with its length: a few thousand steps suffice.
        method : str, default="inverted-neuron-gradient"
            - ``"inverted-neuron-gradient"``: the transposed pseudo-inverse of the
              encoder Jacobian, an estimate of the mixing's Jacobian (xCEBRA).
            - ``"neuron-gradient"``: the encoder Jacobian itself.
            - ``"feature-ablation"``: change of each latent when a channel is set
              to 0 (captum's ``NeuronFeatureAblation``, as ``cebra``'s
              ``"feature-ablation"``).
            - ``"shapley-value-sampling"``: Shapley values of the channels for each
              latent, with a 0 baseline (captum's ``ShapleyValueSampling``).
            - ``"integrated-gradients"``: integrated gradients from a 0 baseline
              (captum's ``NeuronIntegratedGradients``, as ``cebra``'s
              ``"integrated-gradients"``).
        jacobian_backend : {"torch.func", "cebra"}, default="torch.func"
            How the two gradient methods get the Jacobian; with ``"cebra"``
            they are ``cebra``'s own ``"jacobian-based"`` (pseudo-inverse by
            SVD) and ``"neuron-gradient-batched"`` attributions, which need
            ``cvxpy`` (``cebra``'s ``integrations`` extra).
        n_shapley_samples : int, default=25
            Permutations drawn per time step by Shapley value sampling.
        n_ig_steps : int, default=50
            Integration steps of integrated gradients.
        random_state : int, RandomState instance or None, default=None
            Seeds the permutations of Shapley value sampling.

        Returns
        -------
        attribution_map : ndarray of shape (n_latents, n_channels)
            Non-negative; larger means the latent depends more on the channel.
        """
        check_is_fitted(self)
        if method not in ATTRIBUTION_METHODS:
            raise ValueError(
                f"Unknown attribution method {method!r}; choose one of {ATTRIBUTION_METHODS}."
            )
        if jacobian_backend not in JACOBIAN_BACKENDS:
            raise ValueError(
                f"jacobian_backend must be one of {JACOBIAN_BACKENDS}; "
                f"got {jacobian_backend!r}."
            )
        _check_int(n_shapley_samples, "n_shapley_samples", 1)
        _check_int(n_ig_steps, "n_ig_steps", 1)
        X, _, _ = self._validate_X(X, reset=False)

        if method == "inverted-neuron-gradient":
            if jacobian_backend == "cebra":
                per_step = self._cebra_attribution("jacobian-based", X)["jf-inv-svd"]
            else:
                J = torch.from_numpy(self._jacobian(X, "torch.func")).double()
                per_step = torch.linalg.pinv(J).transpose(1, 2).numpy()
        elif method == "neuron-gradient":
            if jacobian_backend == "cebra":
                per_step = self._cebra_attribution("neuron-gradient-batched", X)[
                    "neuron-gradient"
                ]
            else:
                per_step = self._jacobian(X, "torch.func")
        elif method == "feature-ablation":
            per_step = self._captum(NeuronFeatureAblation, X)
        elif method == "integrated-gradients":
            per_step = self._captum(
                NeuronIntegratedGradients, X, n_steps=n_ig_steps, internal_batch_size=4096
            )
        else:
            with seeded_torch(random_state):
                per_step = self._captum(ShapleyValueSampling, X, n_samples=n_shapley_samples)
        return np.abs(per_step).mean(axis=0).astype(np.float64)

    def _captum(self, method, X, **kwargs):
        """Per-step attributions ``(n_timesteps, n_latents, n_channels)`` of a captum
        method, one latent at a time (``cebra.attribution``'s loop)."""
        inputs = torch.from_numpy(X)
        if method is ShapleyValueSampling:
            attribution = method(self.encoder_)
            per_latent = [
                attribution.attribute(inputs, target=k, **kwargs)
                for k in range(self.n_latents)
            ]
        else:
            attribution = method(self.encoder_, layer=self.encoder_)
            per_latent = [
                attribution.attribute(inputs, neuron_selector=k, **kwargs)
                for k in range(self.n_latents)
            ]
        return torch.stack([a.detach() for a in per_latent], dim=1).numpy()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.required = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = False
        return tags
