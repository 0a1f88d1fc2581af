"""BayesLIME and BayesSHAP (Slack et al. 2021): LIME and KernelShap whose linear
surrogate is Bayesian, so each attribution comes with its posterior spread."""

import warnings

import numpy as np
import torch
from captum import attr

from ._bayes_linear import CaptumBayesSurrogate
from ._captum import CaptumExplainer, captum_target, fill_common_docs
from ._gradient import _check_positive_int

__all__ = ["BayesKernelShap", "BayesLime"]


class _BayesSurrogateExplainer(CaptumExplainer):
    """A captum LIME-family method fitted with :class:`CaptumBayesSurrogate`;
    ``explain(..., return_std=True)`` also returns the posterior standard
    deviations. Subclasses define ``_make_bayes_method(forward, surrogate)``."""

    def __init__(self, estimator, *, baselines="zeros", feature_mask=None, n_samples=50,
                 batch_size=64, n_jobs=None, device="cpu", random_state=None, verbose=0):
        self.estimator = estimator
        self.baselines = baselines
        self.feature_mask = feature_mask
        self.n_samples = n_samples
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _validate_params_values(self):
        _check_positive_int(self.n_samples, "n_samples")
        if self.n_samples < 3:
            raise ValueError(
                f"{type(self).__name__} needs n_samples >= 3 for a posterior variance; "
                f"got {self.n_samples}."
            )

    def explain(self, X, target=None, *, return_std=False):
        """Attributions of ``X``: the posterior means of the surrogate's coefficients.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel to explain.
        target : label, int, array-like or None, default=None
            Class label as ``predict`` returns it, output index or time step,
            one for all samples or one per sample (see
            :meth:`BaseExplainer.explain <sklearn_tsx.explainers.BaseExplainer.explain>`);
            ``None`` explains the predicted class, the single output, or the
            last time step.
        return_std : bool, default=False
            Also return the posterior standard deviation of each attribution.

        Returns
        -------
        attributions : ndarray of shape (n_samples, n_channels, n_timepoints)
            Posterior mean of the coefficient of each entry's feature group.
        std : ndarray of shape (n_samples, n_channels, n_timepoints)
            Its posterior standard deviation; only with ``return_std=True``.
        """
        X = self._check_X(X)
        target = self._resolve_target(X, target)
        if not return_std:
            return np.concatenate(self._run_batches(X, target)).astype(np.float32)
        means, stds = zip(*self._run_batches(X, target, self._posterior), strict=True)
        return (np.concatenate(means).astype(np.float32),
                np.concatenate(stds).astype(np.float32))

    def _explain_batch(self, X, target, rng):
        return self._posterior(X, target, rng)[0]

    def _posterior(self, X, target, rng):
        """Posterior means and standard deviations of one batch."""
        x = torch.as_tensor(X, device=self._device)
        surrogate = CaptumBayesSurrogate()
        method = self._make_bayes_method(self.model_.forward, surrogate)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="You are providing multiple inputs")
            mean = method.attribute(x, target=captum_target(target, x.device),
                                    **self._attribute_kwargs(x, rng))
        if self.feature_mask is None:
            groups = np.arange(self.n_features_in_).reshape(X.shape[1:])
        else:
            groups = self.feature_mask_
        std = np.stack(surrogate.stds)[:, groups]
        return mean.detach().cpu().numpy().reshape(X.shape), std

    def _attribute_kwargs(self, x, rng):
        return {
            "baselines": self._baselines(x, rng),
            "feature_mask": self._feature_mask(x.device),
            "n_samples": self.n_samples,
            "perturbations_per_eval": self.batch_size,
        }


class BayesLime(_BayesSurrogateExplainer):
    """BayesLIME (Slack et al. 2021): LIME whose linear surrogate is Bayesian,
    giving each attribution a posterior mean and standard deviation.

    The perturbed copies and their weights are captum's LIME ones
    (:class:`captum.attr.Lime`: each feature group kept with probability 1/2,
    the others set to the baseline; weight the exponential kernel of the
    cosine distance, width 1). The surrogate is the authors' weighted Bayesian
    linear regression (prior ``N(0, sigma^2 I)`` on the coefficients and the
    intercept, uninformative prior on ``sigma^2``), solved in closed form: the
    posterior mean is a weighted ridge of penalty 1, and each coefficient's
    marginal posterior is a Student t with ``n_samples`` degrees of freedom.
    ``explain(X, return_std=True)`` returns the posterior standard deviations
    beside the means.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    {baselines}
    {feature_mask}
    n_samples : int, default=50
        Perturbed copies per sample the surrogate is fitted on; at least 3.
        The posterior narrows as they grow.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"``.
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The feature groups, when ``feature_mask`` is given.

    See Also
    --------
    Lime : The same perturbations with a Lasso, ridge or least-squares surrogate.
    BayesKernelShap : The Bayesian surrogate over KernelShap's perturbations.

    Notes
    -----
    The ``q`` credible interval of an attribution ``m`` of standard deviation
    ``s`` is ``m +- scipy.stats.t.ppf((1 + q) / 2, n) * s * sqrt((n - 2) / n)``
    with ``n = n_samples``; time_interpret's ``BayesLime`` estimates the
    same interval by sampling the posterior.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import BayesLime
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> explainer = BayesLime(model, feature_mask="time", random_state=0).fit(X)
    >>> S, std = explainer.explain(X, target=0, return_std=True)
    >>> S.shape, std.shape, bool((std > 0).all())
    ((4, 2, 10), (4, 2, 10), True)
    """

    def _make_bayes_method(self, forward, surrogate):
        return attr.Lime(forward, interpretable_model=surrogate)


class BayesKernelShap(_BayesSurrogateExplainer):
    """BayesSHAP (Slack et al. 2021): KernelShap whose linear surrogate is
    Bayesian, giving each attribution a posterior mean and standard deviation.

    The perturbed copies and their weights are captum's KernelShap ones
    (:class:`captum.attr.KernelShap`: coalitions drawn from the Shapley kernel,
    groups switched off set to the baseline); the surrogate is the Bayesian
    linear regression of :class:`BayesLime`. ``explain(X, return_std=True)``
    returns the posterior standard deviations beside the means.

    Parameters
    ----------
    estimator : object
        The model to explain: used as it is when fitted, else cloned and
        fitted in ``fit(X, y)`` (see :class:`~sklearn_tsx.explainers.BaseExplainer`).
        Any kind, black boxes included.
    {perturbation_baselines}
    {feature_mask}
    n_samples : int, default=100
        Coalitions per sample the surrogate is fitted on; at least 3.
    {common}

    Attributes
    ----------
    model_ : ModelAdapter
        The wrapped model.
    baseline_ : ndarray of shape (n_channels, n_timepoints)
        Mean training series, when ``baselines="mean"`` (the default).
    feature_mask_ : ndarray of shape (n_channels, n_timepoints)
        The feature groups, when ``feature_mask`` is given.

    See Also
    --------
    KernelShap : The same coalitions with a least-squares surrogate.
    BayesLime : The Bayesian surrogate over LIME's perturbations.

    Notes
    -----
    captum weights the coalitions of no group and of all groups 10^6 times
    the others, which pins the surrogate's intercept and sum to the outputs
    at the baseline and at the sample, as Kernel SHAP's efficiency asks. The
    credible intervals follow from the standard deviations as in
    :class:`BayesLime`.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from sklearn_tsx.explainers import BayesKernelShap
    >>> model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(20, 2))
    >>> X = np.random.default_rng(0).normal(size=(4, 2, 10)).astype(np.float32)
    >>> explainer = BayesKernelShap(model, feature_mask="time", random_state=0).fit(X)
    >>> S, std = explainer.explain(X, target=0, return_std=True)
    >>> S.shape, std.shape
    ((4, 2, 10), (4, 2, 10))
    """

    def __init__(self, estimator, *, baselines="mean", feature_mask=None, n_samples=100,
                 batch_size=64, n_jobs=None, device="cpu", random_state=None, verbose=0):
        super().__init__(
            estimator, baselines=baselines, feature_mask=feature_mask,
            n_samples=n_samples, batch_size=batch_size, n_jobs=n_jobs, device=device,
            random_state=random_state, verbose=verbose,
        )

    def _make_bayes_method(self, forward, surrogate):
        method = attr.KernelShap(forward)
        method.interpretable_model = surrogate
        return method


fill_common_docs(BayesLime, BayesKernelShap)
