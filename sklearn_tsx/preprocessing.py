"""Preprocessing of time-series panels, as scikit-learn transformers."""

import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Hidden, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from .utils import check_time_series, validate_time_series_data

__all__ = ["TimeSeriesStandardScaler"]


def _safe_scale(std, mean):
    """Replace the standard deviation of (numerically) constant series by 1."""
    constant = std <= 10 * np.finfo(np.float64).eps * np.maximum(np.abs(mean), 1.0)
    return np.where(constant, 1.0, std)


#: What ``per`` pools over when learning the statistics in ``fit``.
_POOLED_AXES = {"channel": (0, 2), "timepoint": (0,)}


def _standardisation_statistics(X, per):
    """Mean and (safe) standard deviation of a panel, pooled as ``per`` says.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_channels, n_timepoints)
    per : {"channel", "timepoint"}

    Returns
    -------
    mean, scale : ndarray of shape (n_channels, 1) or (n_channels, n_timepoints)
        float64; ``scale`` is 1 where the panel is (numerically) constant.
    """
    X = np.asarray(X, dtype=np.float64)
    axis = _POOLED_AXES[per]
    mean = X.mean(axis=axis)
    scale = _safe_scale(X.std(axis=axis), mean)
    if per == "channel":
        mean, scale = mean[:, np.newaxis], scale[:, np.newaxis]
    return mean, scale


def _resolve_per(scaler):
    """``per``, or what the deprecated ``per_sample`` asks for."""
    if isinstance(scaler.per_sample, str):
        return scaler.per
    warnings.warn(
        "per_sample was deprecated in 0.2 and will be removed in 0.4; use "
        "per='series' instead of per_sample=True (per='channel' is the default).",
        FutureWarning,
        stacklevel=3,
    )
    return "series" if scaler.per_sample else scaler.per


def _can_invert(scaler):
    if getattr(scaler, "per_", scaler.per) == "series":
        raise AttributeError(
            "inverse_transform is not available with per='series': the statistics "
            "of each series are not stored, so the scaling cannot be undone."
        )
    return True


def _broadcast(stat):
    """Per-channel statistics ``(C,)`` or per-time-point ones ``(C, T)`` as
    ``(C, 1)`` or ``(C, T)``, to broadcast over a panel."""
    return stat[:, np.newaxis] if stat.ndim == 1 else stat


class TimeSeriesStandardScaler(TransformerMixin, BaseEstimator):
    """Standardise a panel of time series per channel, per time point or per series.

    ``per`` chooses which statistics standardise each value ``x[i, c, t]``:

    - ``"channel"`` (the default): one mean and one standard deviation per
      channel, learned in ``fit`` over all samples and all time points. The
      shape of every series and the relative levels of the series are kept.
    - ``"timepoint"``: one mean and one standard deviation per channel and time
      point, learned in ``fit`` over the samples: what
      :class:`~sklearn.preprocessing.StandardScaler` does on the flattened
      ``(n_samples, n_channels * n_timepoints)`` table. Each time point becomes
      a feature of unit variance; the shape of the series is not kept.
    - ``"series"``: each series of each sample is standardised over its own
      time points (z-normalisation), which removes its level and amplitude;
      nothing is learned in ``fit``.

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
        Divide by the standard deviation. A channel, time point or series that
        is constant is left unscaled.
    per : {"channel", "timepoint", "series"}, default="channel"
        Which statistics standardise each value, see above.
    per_sample : bool, default="deprecated"
        ``per_sample=True`` is ``per="series"``; ``per_sample=False`` keeps
        ``per``.

        .. deprecated:: 0.2
           ``per_sample`` will be removed in 0.4; use ``per``.

    Attributes
    ----------
    mean_ : ndarray of shape (n_channels,) or (n_channels, n_timepoints), or None
        Mean of each channel (``per="channel"``) or of each channel and time
        point (``per="timepoint"``) over what ``fit`` saw; ``None`` when
        ``with_mean=False``. Not set when ``per="series"``.
    scale_ : ndarray of the shape of ``mean_``, or None
        The matching standard deviations (1 where constant); ``None`` when
        ``with_std=False``. Not set when ``per="series"``.
    per_ : str
        The ``per`` applied (``"series"`` under ``per_sample=True``).
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
    >>> TimeSeriesStandardScaler(per="timepoint").fit(X).mean_
    array([[ 1.,  3.,  5.],
           [10., 10., 40.]])
    >>> TimeSeriesStandardScaler(per="series").fit_transform(X)[0, 0]
    array([-1.2247449,  0.       ,  1.2247449], dtype=float32)
    """

    _parameter_constraints = {
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
        "per": [StrOptions({"channel", "timepoint", "series"})],
        "per_sample": ["boolean", Hidden(StrOptions({"deprecated"}))],
    }

    def __init__(
        self, *, with_mean=True, with_std=True, per="channel", per_sample="deprecated"
    ):
        self.with_mean = with_mean
        self.with_std = with_std
        self.per = per
        self.per_sample = per_sample

    def fit(self, X, y=None):
        """Learn the means and standard deviations that ``per`` asks for.

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
        self.per_ = _resolve_per(self)
        X = validate_time_series_data(self, X, reset=True)
        if self.per_ == "series":
            return self
        mean, scale = _standardisation_statistics(X, self.per_)
        if self.per_ == "channel":
            mean, scale = mean[:, 0], scale[:, 0]
        self.mean_ = mean if self.with_mean else None
        self.scale_ = scale if self.with_std else None
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
        if self.per_ == "series":
            mean = X.mean(axis=2, keepdims=True)
            if self.with_mean:
                X -= mean
            if self.with_std:
                X /= _safe_scale(X.std(axis=2, keepdims=True), mean)
            return X.astype(np.float32)
        if self.mean_ is not None:
            X -= _broadcast(self.mean_)
        if self.scale_ is not None:
            X /= _broadcast(self.scale_)
        return X.astype(np.float32)

    @available_if(_can_invert)
    def inverse_transform(self, X):
        """Map standardised series back to the units of the input.

        Not available with ``per="series"``.

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
            X *= _broadcast(self.scale_)
        if self.mean_ is not None:
            X += _broadcast(self.mean_)
        return X.astype(np.float32)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
