"""The data contract: every estimator and explainer turns its input into a float32
``(n_samples, n_channels, n_timepoints)`` array through :func:`check_time_series`."""

import numbers

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array, validate_data

__all__ = [
    "check_time_series",
    "validate_time_series_data",
    "check_target_index",
]


def _is_nested_frame(X):
    """A nested sktime frame holds a ``pd.Series`` in each cell."""
    return (
        isinstance(X, pd.DataFrame)
        and X.shape[0] > 0
        and X.shape[1] > 0
        and all(isinstance(v, pd.Series) for v in X.iloc[0])
    )


def _is_tabular_frame(X):
    """A plain frame of numbers: one row per sample, one column per time point."""
    return (
        isinstance(X, pd.DataFrame)
        and not isinstance(X.index, pd.MultiIndex)
        and not _is_nested_frame(X)
    )


def _is_df_list(X):
    """sktime's ``df-list``: one ``(n_timepoints, n_channels)`` frame per sample."""
    return (
        isinstance(X, list | tuple)
        and len(X) > 0
        and all(isinstance(x, pd.DataFrame) for x in X)
    )


def _sktime_to_numpy3d(X, mtype, input_name):
    from sktime.datatypes import check_is_mtype, convert_to

    valid, msg, metadata = check_is_mtype(
        X, mtype, return_metadata=["is_equal_length"], msg_return_dict="list"
    )
    if not valid:
        raise ValueError(f"{input_name} is not a valid sktime {mtype!r} panel: {msg}")
    if not metadata["is_equal_length"]:
        raise ValueError(
            f"{input_name} holds series of unequal length; sklearn_tsx needs every "
            "series of a panel to have the same number of time points. Resample or "
            "pad them first (for example with sktime's PaddingTransformer)."
        )
    return convert_to(X, to_type="numpy3D")


def _df_list_to_numpy3d(X, input_name):
    columns = X[0].columns
    for i, frame in enumerate(X):
        if not frame.columns.equals(columns):
            raise ValueError(
                f"{input_name} is a list of frames (sktime's 'df-list', one "
                "(n_timepoints, n_channels) frame per sample) whose channels differ: "
                f"frame 0 has columns {list(columns)}, frame {i} has "
                f"{list(frame.columns)}."
            )
    return _sktime_to_numpy3d(X, "df-list", input_name)


def check_time_series(X, *, input_name="X", estimator=None, dtype=np.float32):
    """Turn a panel of time series into a validated 3-D array.

    Parameters
    ----------
    X : array-like or pandas.DataFrame
        One of: a numpy array of shape ``(n_samples, n_channels, n_timepoints)``;
        a 2-D array ``(n_samples, n_timepoints)``, read as univariate; a plain
        numeric ``pandas.DataFrame`` (rows are samples, columns time points); an
        sktime ``pd-multiindex`` frame; an sktime nested ``pd.DataFrame``; a list
        of ``(n_timepoints, n_channels)`` frames, one per sample (sktime's
        ``df-list``).
    input_name : str, default="X"
        Name used in error messages.
    estimator : object, default=None
        Estimator named in error messages.
    dtype : numpy dtype, default=np.float32
        Output dtype.

    Returns
    -------
    X_3d : ndarray of shape (n_samples, n_channels, n_timepoints)
        A new array: the input is never modified, nor shared.

    Raises
    ------
    ValueError
        On NaN or infinite values, empty input, a wrong number of dimensions,
        unequal-length series or an invalid sktime frame.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.utils import check_time_series
    >>> check_time_series(np.zeros((4, 10))).shape
    (4, 1, 10)
    """
    if isinstance(X, pd.DataFrame):
        if isinstance(X.index, pd.MultiIndex):
            X = _sktime_to_numpy3d(X, "pd-multiindex", input_name)
        elif _is_nested_frame(X):
            X = _sktime_to_numpy3d(X, "nested_univ", input_name)
    elif _is_df_list(X):
        X = _df_list_to_numpy3d(list(X), input_name)
    if isinstance(X, np.ndarray) and X.ndim not in (2, 3):
        raise ValueError(
            f"{input_name} must be 3-D (n_samples, n_channels, n_timepoints) or 2-D "
            f"(n_samples, n_timepoints); got an array with {X.ndim} dimension(s) of "
            f"shape {X.shape}. Reshape your data: a single series of length T is "
            "X.reshape(1, -1)."
        )
    X = check_array(
        X,
        dtype=dtype,
        allow_nd=True,
        ensure_all_finite=True,
        ensure_min_samples=1,
        input_name=input_name,
        estimator=estimator,
        copy=True,
    )
    if X.ndim == 2:
        X = X[:, np.newaxis, :]
    elif X.ndim != 3:
        raise ValueError(
            f"{input_name} must be 3-D (n_samples, n_channels, n_timepoints) or 2-D "
            f"(n_samples, n_timepoints); got shape {X.shape}."
        )
    if X.shape[1] == 0 or X.shape[2] == 0:
        raise ValueError(
            f"{input_name} has shape {X.shape}: at least one channel and one time "
            "point are required."
        )
    return np.ascontiguousarray(X)


def _check_fitted_shape(estimator, X, input_name):
    n_channels, n_timepoints = X.shape[1:]
    fit_channels, fit_timepoints = estimator.n_channels_in_, estimator.n_timepoints_in_
    if (n_channels, n_timepoints) != (fit_channels, fit_timepoints):
        name = type(estimator).__name__
        what = "channels" if n_channels != fit_channels else "time points"
        raise ValueError(
            f"{input_name} has {n_channels * n_timepoints} features, but {name} is "
            f"expecting {fit_channels * fit_timepoints} features as input: {input_name} "
            f"has {n_channels} channels x {n_timepoints} time points, the estimator was "
            f"fitted on {fit_channels} x {fit_timepoints} (mismatch in {what})."
        )


def validate_time_series_data(estimator, X, y="no_validation", *, reset=True, **y_params):
    """Validate ``X`` (and ``y``) for an estimator and keep sklearn's bookkeeping.

    ``X`` goes through :func:`check_time_series`; ``n_features_in_`` counts the
    flattened ``n_channels * n_timepoints`` features (so a 2-D univariate input
    keeps its column count), and ``n_channels_in_`` / ``n_timepoints_in_`` record
    the panel's shape. With ``reset=False`` a shape that differs from the fitted
    one raises a ``ValueError`` that names both shapes.

    Parameters
    ----------
    estimator : BaseEstimator
        The estimator being fitted or used.
    X : array-like or pandas.DataFrame
        Any input accepted by :func:`check_time_series`.
    y : array-like, default="no_validation"
        Target, validated by :func:`sklearn.utils.validation.validate_data`.
    reset : bool, default=True
        Whether to record the input shape (``fit``) or check it (other methods).
    **y_params : dict
        Passed to ``validate_data`` (for example ``multi_output=True``).

    Returns
    -------
    X_3d : ndarray of shape (n_samples, n_channels, n_timepoints)
    y : ndarray
        Only when ``y`` is given.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from sklearn_tsx.utils import validate_time_series_data
    >>> est = BaseEstimator()
    >>> X, y = validate_time_series_data(est, np.zeros((5, 2, 7)), np.arange(5))
    >>> X.shape, est.n_features_in_, est.n_channels_in_, est.n_timepoints_in_
    ((5, 2, 7), 14, 2, 7)
    >>> validate_time_series_data(est, np.zeros((3, 2, 8)), reset=False)
    Traceback (most recent call last):
    ...
    ValueError: ...
    """
    X_3d = check_time_series(X, estimator=estimator)
    if not reset and hasattr(estimator, "n_channels_in_"):
        _check_fitted_shape(estimator, X_3d, "X")
    # A plain numeric frame keeps its column names for sklearn's feature-name checks.
    X_flat = X if _is_tabular_frame(X) else X_3d.reshape(len(X_3d), -1)
    out = validate_data(estimator, X_flat, y, reset=reset, dtype=np.float32, **y_params)
    if reset:
        estimator.n_channels_in_, estimator.n_timepoints_in_ = X_3d.shape[1:]
    if isinstance(y, str) and y == "no_validation":
        return X_3d
    return X_3d, out[1]


def _label_positions(target, n_samples, labels, name):
    """Each target label's position in ``labels``, one per sample."""
    labels = np.asarray(labels)
    position = {label: i for i, label in enumerate(labels.tolist())}
    values = np.asarray(target)
    if values.ndim == 0:
        values = np.full(n_samples, values.item(), dtype=object)
    elif values.ndim != 1 or len(values) != n_samples:
        raise ValueError(
            f"{name} must be a class label or an array of {n_samples} labels, one per "
            f"sample; got shape {values.shape}."
        )
    out = np.empty(n_samples, dtype=np.int64)
    for i, value in enumerate(values.tolist()):
        index = position.get(value)
        if index is None:
            raise ValueError(
                f"{name}: {value!r} is not a class label of the model; its labels are "
                f"{labels.tolist()} (targets are labels, as predict returns them)."
            )
        out[i] = index
    return out


def check_target_index(target, n_samples, n_targets, *, labels=None, name="target"):
    """Validate an explanation target and broadcast it to one index per sample.

    Parameters
    ----------
    target : None, int, label or array-like
        Indices in ``[0, n_targets)``, or, when ``labels`` is given, labels
        among them. ``None`` selects index 0 (``n_targets == 1``) and is refused
        otherwise.
    n_samples : int
        Number of samples explained.
    n_targets : int
        Number of valid indices (classes, outputs or time steps).
    labels : array-like of shape (n_targets,) or None, default=None
        The labels of the indices (a classifier's ``classes_``): ``target``
        then holds labels, each turned into its position in ``labels``.
    name : str, default="target"
        Name used in error messages.

    Returns
    -------
    target : ndarray of shape (n_samples,), dtype int64

    Raises
    ------
    ValueError
        When ``target`` is missing for a model of several outputs, has the wrong
        length, holds an index outside ``[0, n_targets)``, or a value that is
        not one of ``labels`` (the error lists them).

    Examples
    --------
    >>> from sklearn_tsx.utils import check_target_index
    >>> check_target_index(2, n_samples=3, n_targets=4)
    array([2, 2, 2])
    >>> check_target_index(None, n_samples=2, n_targets=1)
    array([0, 0])
    >>> check_target_index(["dog", "cat"], n_samples=2, n_targets=2,
    ...                    labels=["cat", "dog"])
    array([1, 0])
    """
    if target is None:
        if n_targets != 1:
            raise ValueError(
                f"{name} must be given: the model has {n_targets} outputs to choose from."
            )
        return np.zeros(n_samples, dtype=np.int64)
    if labels is not None:
        return _label_positions(target, n_samples, labels, name)
    if isinstance(target, numbers.Integral):
        target = np.full(n_samples, target, dtype=np.int64)
    else:
        given = target
        target = np.asarray(target)
        if target.ndim != 1 or len(target) != n_samples:
            got = f"{given!r}" if target.ndim == 0 else f"shape {target.shape}"
            raise ValueError(
                f"{name} must be an int or an array of {n_samples} ints, one per "
                f"sample; got {got}."
            )
        if not np.issubdtype(target.dtype, np.integer):
            raise ValueError(f"{name} must hold integers; got dtype {target.dtype}.")
        target = target.astype(np.int64)
    if target.size and (target.min() < 0 or target.max() >= n_targets):
        raise ValueError(
            f"{name} out of range: valid indices are 0..{n_targets - 1}, got "
            f"values in [{target.min()}, {target.max()}]."
        )
    return target
