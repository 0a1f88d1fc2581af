"""Preprocessing of time-series panels, as scikit-learn transformers."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .utils import check_time_series, validate_time_series_data

__all__ = ["TimeSeriesStandardScaler"]


def _safe_scale(std, mean):
    """Replace the standard deviation of (numerically) constant series by 1."""
    constant = std <= 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1.0)
    return np.where(constant, 1.0, std)


def _can_invert(scaler):
    if scaler.per_sample:
        raise AttributeError(
            "inverse_transform is not available with per_sample=True: the statistics "
            "of each series are not stored, so the scaling cannot be undone."
        )
    return True


class TimeSeriesStandardScaler(TransformerMixin, BaseEstimator):
    """Standardise each channel of a panel of time series.

    With ``per_sample=False`` (the default), ``fit`` learns one mean and one
    standard deviation per channel, pooled over all samples and all time points,
    and ``transform`` maps every series of channel ``c`` to
    ``(x - mean_[c]) / scale_[c]``: the relative levels of the series are kept.
    With ``per_sample=True`` each series of each sample is standardised over its
    own time points (z-normalisation), which removes its level and amplitude.

    Input may be any panel accepted by :func:`sklearn_tsx.utils.check_time_series`
    (3-D arrays, 2-D arrays read as univariate, sktime ``pd-multiindex`` or nested
    frames); the output is always a float32 array of shape
    ``(n_samples, n_channels, n_timepoints)``, so the scaler fits in a
    :class:`~sklearn.pipeline.Pipeline` before any sklearn_tsx model.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract the mean.
    with_std : bool, default=True
        Divide by the standard deviation. A channel (or, with ``per_sample=True``,
        a series) that is constant is left unscaled.
    per_sample : bool, default=False
        Standardise each series of each sample by its own statistics instead of
        by statistics learned in ``fit``.

    Attributes
    ----------
    mean_ : ndarray of shape (n_channels,) or None
        Mean of each channel over the samples and time points seen in ``fit``;
        ``None`` when ``with_mean=False``. Not set when ``per_sample=True``.
    scale_ : ndarray of shape (n_channels,) or None
        Standard deviation of each channel (1 for a constant channel); ``None``
        when ``with_std=False``. Not set when ``per_sample=True``.
    n_features_in_ : int
        ``n_channels_in_ * n_timepoints_in_``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``fit`` was given a plain numeric ``pandas.DataFrame``.
    n_channels_in_ : int
        Number of channels seen in ``fit``.
    n_timepoints_in_ : int
        Number of time points seen in ``fit``.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The same per column of a 2-D table.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.preprocessing import TimeSeriesStandardScaler
    >>> X = np.array([[[0.0, 2.0, 4.0], [10.0, 10.0, 40.0]],
    ...               [[2.0, 4.0, 6.0], [10.0, 10.0, 40.0]]])
    >>> scaler = TimeSeriesStandardScaler().fit(X)
    >>> scaler.mean_
    array([ 3., 20.])
    >>> Xt = scaler.transform(X)
    >>> Xt.shape, Xt.dtype
    ((2, 2, 3), dtype('float32'))
    >>> np.allclose(scaler.inverse_transform(Xt), X)
    True
    >>> TimeSeriesStandardScaler(per_sample=True).fit_transform(X)[0, 0]
    array([-1.2247449,  0.       ,  1.2247449], dtype=float32)
    """

    _parameter_constraints = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "per_sample": ["boolean"],
    }

    def __init__(self, *, with_mean=True, with_std=True, per_sample=False):
        self.with_mean = with_mean
        self.with_std = with_std
        self.per_sample = per_sample

    def fit(self, X, y=None):
        """Learn the mean and standard deviation of each channel.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Any input accepted by :func:`sklearn_tsx.utils.check_time_series`.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted scaler.
        """
        self._validate_params()
        X = validate_time_series_data(self, X, reset=True)
        if self.per_sample:
            return self
        X64 = X.astype(np.float64)
        mean = X64.mean(axis=(0, 2))
        self.mean_ = mean if self.with_mean else None
        self.scale_ = _safe_scale(X64.std(axis=(0, 2)), mean) if self.with_std else None
        return self

    def transform(self, X):
        """Standardise ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Any input accepted by :func:`sklearn_tsx.utils.check_time_series`,
            with the channels and time points seen in ``fit``.

        Returns
        -------
        X_scaled : ndarray of shape (n_samples, n_channels, n_timepoints), float32
            A new array; ``X`` is not modified.
        """
        check_is_fitted(self, "n_channels_in_")
        X = validate_time_series_data(self, X, reset=False).astype(np.float64)
        if self.per_sample:
            mean = X.mean(axis=2, keepdims=True)
            if self.with_mean:
                X -= mean
            if self.with_std:
                X /= _safe_scale(X.std(axis=2, keepdims=True), mean)
            return X.astype(np.float32)
        if self.mean_ is not None:
            X -= self.mean_[:, np.newaxis]
        if self.scale_ is not None:
            X /= self.scale_[:, np.newaxis]
        return X.astype(np.float32)

    @available_if(_can_invert)
    def inverse_transform(self, X):
        """Map standardised series back to the units of the input.

        Only available with ``per_sample=False``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Standardised series, in any format accepted by
            :func:`sklearn_tsx.utils.check_time_series`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_channels, n_timepoints), float32
        """
        check_is_fitted(self, "n_channels_in_")
        X = check_time_series(X, estimator=self).astype(np.float64)
        if X.shape[1:] != (self.n_channels_in_, self.n_timepoints_in_):
            raise ValueError(
                f"X has shape {X.shape[1:]} (channels, time points); the scaler was "
                f"fitted on ({self.n_channels_in_}, {self.n_timepoints_in_})."
            )
        if self.scale_ is not None:
            X *= self.scale_[:, np.newaxis]
        if self.mean_ is not None:
            X += self.mean_[:, np.newaxis]
        return X.astype(np.float32)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
