"""The Bayesian linear surrogate of BayesLIME and BayesSHAP (Slack, Hilgard,
Singh and Lakkaraju 2021), solved in closed form, and its captum adapter."""

import numpy as np
import torch

__all__ = ["BayesianLinearSurrogate"]


class BayesianLinearSurrogate:
    """Weighted Bayesian linear regression with an intercept.

    The model of Slack et al. (2021, section 3): ``y = [1, z] @ phi + e`` with
    ``e ~ N(0, sigma^2 / w)`` for a sample of weight ``w``, the prior
    ``phi | sigma^2 ~ N(0, sigma^2 I)`` and the uninformative limit of a
    scaled-inverse-chi-squared prior on ``sigma^2``. The posterior is

    - ``V = (Z' W Z + I)^-1`` and ``phi_hat = V Z' W y`` (a ridge of penalty 1,
      intercept included, as the authors fit it);
    - ``s^2 = ((y - Z phi_hat)' W (y - Z phi_hat) + phi_hat' phi_hat) / N`` and
      ``sigma^2 | data ~ Inv-Gamma(N / 2, N s^2 / 2)``;
    - hence ``phi | data`` a multivariate Student t with ``N`` degrees of freedom,
      location ``phi_hat`` and scale matrix ``s^2 V``, of covariance
      ``N / (N - 2) s^2 V``.

    The authors (and time_interpret) estimate credible intervals by sampling
    this posterior; here they are exact.

    Attributes
    ----------
    coef_, intercept_ : ndarray of shape (n_features,), float
        Posterior means.
    coef_std_ : ndarray of shape (n_features,)
        Posterior standard deviations of ``coef_``.
    coef_scale_ : ndarray of shape (n_features,)
        Student-t scales of ``coef_``, ``sqrt(s^2 V_jj)``.
    dof_ : int
        Degrees of freedom ``N``.
    """

    def fit(self, X, y, sample_weight):
        Z = np.column_stack([np.ones(len(X)), np.asarray(X, dtype=np.float64)])
        y = np.asarray(y, dtype=np.float64)
        w = np.asarray(sample_weight, dtype=np.float64)
        n = len(y)
        if n < 3:
            raise ValueError(
                "The Bayesian surrogate needs at least 3 perturbed samples for a "
                f"posterior variance; got {n}."
            )
        V = np.linalg.inv(Z.T @ (w[:, None] * Z) + np.eye(Z.shape[1]))
        phi = V @ (Z.T @ (w * y))
        residual = y - Z @ phi
        s2 = (residual @ (w * residual) + phi @ phi) / n
        scale = np.sqrt(s2 * np.diag(V))
        self.intercept_, self.coef_ = phi[0], phi[1:]
        self.coef_scale_ = scale[1:]
        self.coef_std_ = scale[1:] * np.sqrt(n / (n - 2))
        self.dof_ = n
        return self


class CaptumBayesSurrogate:
    """captum's interpretable-model interface over
    :class:`BayesianLinearSurrogate`: ``representation`` gives the posterior
    mean; the posterior standard deviation of each fit is appended to
    ``stds``, in the order captum fits its samples."""

    def __init__(self):
        self.stds = []

    def fit(self, train_data, **kwargs):
        inputs, outputs, weights = (torch.cat(parts) for parts in zip(*train_data))
        self.fitted_ = BayesianLinearSurrogate().fit(
            inputs.double().cpu().numpy(), outputs.double().cpu().numpy().ravel(),
            weights.double().cpu().numpy(),
        )
        self.stds.append(self.fitted_.coef_std_)

    def representation(self):
        return torch.as_tensor(self.fitted_.coef_, dtype=torch.float32).reshape(1, -1)
