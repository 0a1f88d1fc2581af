"""A 2-D view of time-series models, for scikit-learn's tabular tools.

``permutation_importance``, ``PartialDependenceDisplay``, SHAP and most other
tabular tools pass ``(n_samples, n_features)`` tables. :class:`TabularView`
takes such a table, reshapes it into the ``(n_samples, n_channels,
n_timepoints)`` panel a time-series model expects, and answers as that model
does; :func:`to_tabular` goes the other way.
"""

import numbers
import re

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted, validate_data

from .utils import check_time_series

__all__ = ["TabularView", "tabular_feature_names", "to_tabular"]

_FEATURE_NAME = re.compile(r"c(\d+)_t(\d+)")


def tabular_feature_names(n_channels, n_timepoints):
    """Names of the flattened features: ``c{channel}_t{step}``, channel-major.

    Parameters
    ----------
    n_channels : int
        Number of channels.
    n_timepoints : int
        Number of time points.

    Returns
    -------
    names : ndarray of str of shape (n_channels * n_timepoints,)
        Column ``j`` holds channel ``j // n_timepoints`` at step ``j % n_timepoints``,
        the order of ``X.reshape(n_samples, -1)`` on a panel ``X``.

    Examples
    --------
    >>> from sklearn_tsx.tabular import tabular_feature_names
    >>> tabular_feature_names(2, 2).tolist()
    ['c0_t0', 'c0_t1', 'c1_t0', 'c1_t1']
    """
    return np.asarray(
        [f"c{c}_t{t}" for c in range(n_channels) for t in range(n_timepoints)],
        dtype=object,
    )


def to_tabular(X, *, as_frame=False):
    """Flatten a panel into a ``(n_samples, n_channels * n_timepoints)`` table.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Any input accepted by :func:`sklearn_tsx.utils.check_time_series`.
    as_frame : bool, default=False
        Return a ``pandas.DataFrame`` whose columns are
        :func:`tabular_feature_names`.

    Returns
    -------
    X_2d : ndarray or pandas.DataFrame of shape (n_samples, n_channels * n_timepoints)
        Channel-major: the row of a sample is its channels one after the other.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.tabular import to_tabular
    >>> to_tabular(np.arange(8.0).reshape(2, 2, 2), as_frame=True)
       c0_t0  c0_t1  c1_t0  c1_t1
    0    0.0    1.0    2.0    3.0
    1    4.0    5.0    6.0    7.0
    """
    X = check_time_series(X, dtype=np.float64)
    n_samples, n_channels, n_timepoints = X.shape
    table = X.reshape(n_samples, -1)
    if as_frame:
        return pd.DataFrame(table, columns=tabular_feature_names(n_channels, n_timepoints))
    return table


def _estimator_has(attr):
    """Whether the fitted (or else the given) inner estimator has ``attr``."""

    def check(self):
        inner = self.estimator_ if hasattr(self, "estimator_") else self.estimator
        return hasattr(inner, attr)

    return check


class TabularView(MetaEstimatorMixin, BaseEstimator):
    """A time-series model seen through ``(n_samples, n_channels * n_timepoints)`` tables.

    Every method takes a table, reshapes each row into a ``(n_channels,
    n_timepoints)`` series (row ``j`` of the panel is columns ``j * T`` to
    ``(j + 1) * T``, the order of :func:`to_tabular`) and calls the inner
    estimator on the panel. So tabular tools such as
    :func:`sklearn.inspection.permutation_importance`,
    :class:`sklearn.inspection.PartialDependenceDisplay` or SHAP's kernel
    explainer run on a time-series model, with one feature per (channel, time
    step), named ``c{channel}_t{step}``.

    Parameters
    ----------
    estimator : estimator object
        A model that takes ``(n_samples, n_channels, n_timepoints)`` panels: an
        sklearn_tsx model, a pipeline starting with a panel transformer, or a
        ``sklearn.frozen.FrozenEstimator`` around an already fitted one.
        ``fit`` always fits a clone of it (``estimator_``), as scikit-learn's
        meta-estimators do, so the view cross-validates; to view a model fitted
        elsewhere without refitting it, wrap it in ``FrozenEstimator``, whose
        ``fit`` does nothing.
    n_channels : int, default=None
        Channels of the panel; the number of columns must be a multiple of it.
        ``None`` takes the ``n_channels_in_`` of a fitted (frozen) model, and 1
        (univariate) otherwise.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    n_channels_ : int
        Channels of the panels the inner model sees.
    n_timepoints_ : int
        Time points of the panels the inner model sees.
    n_features_in_ : int
        ``n_channels_ * n_timepoints_``.
    feature_names_in_ : ndarray of str of shape (`n_features_in_`,)
        Column names of ``X`` in ``fit``, when it is a frame with string names.
    classes_ : ndarray of shape (n_classes,)
        The inner classifier's labels.

    See Also
    --------
    to_tabular : Flatten a panel into the table this view takes.

    Notes
    -----
    A frame whose every column is named ``c{channel}_t{step}`` must list them in
    the channel-major order of :func:`tabular_feature_names`; any other order is
    refused rather than silently reshaped into the wrong panel.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.inspection import permutation_importance
    >>> from sklearn_tsx.models import GRUClassifier
    >>> from sklearn_tsx.tabular import TabularView, to_tabular
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2, 8)).astype("float32")
    >>> y = (X[:, 1, -3:].mean(axis=1) > 0).astype(int)
    >>> view = TabularView(GRUClassifier(max_epochs=20, lr=0.01, random_state=0),
    ...                    n_channels=2).fit(to_tabular(X), y)
    >>> view.get_feature_names_out()[:3].tolist()
    ['c0_t0', 'c0_t1', 'c0_t2']
    >>> result = permutation_importance(view, to_tabular(X), y, n_repeats=3,
    ...                                 random_state=0)
    >>> int(result.importances_mean.argmax()) >= 8  # a step of channel 1
    True
    """

    def __init__(self, estimator, *, n_channels=None):
        self.estimator = estimator
        self.n_channels = n_channels

    def _resolve_n_channels(self):
        if self.n_channels is None:
            return getattr(self.estimator, "n_channels_in_", 1)
        if (
            not isinstance(self.n_channels, numbers.Integral)
            or isinstance(self.n_channels, bool)
            or self.n_channels < 1
        ):
            raise ValueError(f"n_channels must be an integer >= 1; got {self.n_channels!r}.")
        return int(self.n_channels)

    def _check_column_order(self):
        names = getattr(self, "feature_names_in_", None)
        if names is None or not all(_FEATURE_NAME.fullmatch(str(n)) for n in names):
            return
        expected = tabular_feature_names(self.n_channels_, self.n_timepoints_)
        if not np.array_equal(names, expected):
            raise ValueError(
                "X's columns are named c{channel}_t{step} but not in the channel-major "
                f"order of a ({self.n_channels_}, {self.n_timepoints_}) panel "
                f"(expected {expected[:3].tolist()}...; got {names[:3].tolist()}...). "
                "Reorder them, e.g. X[tabular_feature_names(n_channels, n_timepoints)]."
            )

    def _to_panel(self, X, reset):
        X = validate_data(self, X, reset=reset, dtype=np.float32)
        if reset:
            n_channels = self._resolve_n_channels()
            if X.shape[1] % n_channels:
                raise ValueError(
                    f"X has {X.shape[1]} columns, which is not a multiple of "
                    f"n_channels={n_channels}: a table of (n_samples, n_channels * "
                    "n_timepoints) is expected."
                )
            self.n_channels_ = n_channels
            self.n_timepoints_ = X.shape[1] // n_channels
            self._check_column_order()
        return X.reshape(len(X), self.n_channels_, self.n_timepoints_)

    def fit(self, X, y=None, **fit_params):
        """Fit a clone of ``estimator`` on the panels the rows of ``X`` hold.

        Parameters
        ----------
        X : array-like or pandas.DataFrame of shape (n_samples, n_channels * n_timepoints)
            Flattened panel, channel-major (see :func:`to_tabular`).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Targets, passed to the inner estimator as they are.
        **fit_params : dict
            Passed to the inner estimator's ``fit``.

        Returns
        -------
        self : object
        """
        X_3d = self._to_panel(X, reset=True)
        self.estimator_ = clone(self.estimator).fit(X_3d, y, **fit_params)
        return self

    def _predict_with(self, method, X):
        check_is_fitted(self)
        return getattr(self.estimator_, method)(self._to_panel(X, reset=False))

    @available_if(_estimator_has("predict"))
    def predict(self, X):
        """The inner estimator's ``predict`` on the panels.

        Parameters
        ----------
        X : array-like or pandas.DataFrame of shape (n_samples, n_channels * n_timepoints)
            Flattened panel.

        Returns
        -------
        y_pred : ndarray
            As the inner estimator returns it.
        """
        return self._predict_with("predict", X)

    @available_if(_estimator_has("predict_proba"))
    def predict_proba(self, X):
        """The inner estimator's ``predict_proba`` on the panels.

        Parameters
        ----------
        X : array-like or pandas.DataFrame of shape (n_samples, n_channels * n_timepoints)
            Flattened panel.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, in the order of ``classes_``.
        """
        return self._predict_with("predict_proba", X)

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """The inner estimator's ``predict_log_proba`` on the panels.

        Parameters
        ----------
        X : array-like or pandas.DataFrame of shape (n_samples, n_channels * n_timepoints)
            Flattened panel.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Logarithm of the class probabilities.
        """
        return self._predict_with("predict_log_proba", X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """The inner estimator's ``decision_function`` on the panels.

        Parameters
        ----------
        X : array-like or pandas.DataFrame of shape (n_samples, n_channels * n_timepoints)
            Flattened panel.

        Returns
        -------
        scores : ndarray
            As the inner estimator returns them.
        """
        return self._predict_with("decision_function", X)

    @available_if(_estimator_has("score"))
    def score(self, X, y, sample_weight=None):
        """The inner estimator's ``score`` on the panels.

        Parameters
        ----------
        X : array-like or pandas.DataFrame of shape (n_samples, n_channels * n_timepoints)
            Flattened panel.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights, passed on when given.

        Returns
        -------
        score : float
            Accuracy for a classifier, R^2 for a regressor (the inner default).
        """
        check_is_fitted(self)
        X_3d = self._to_panel(X, reset=False)
        if sample_weight is None:
            return self.estimator_.score(X_3d, y)
        return self.estimator_.score(X_3d, y, sample_weight=sample_weight)

    @property
    def classes_(self):
        """The inner classifier's labels."""
        check_is_fitted(self)
        return self.estimator_.classes_

    def get_feature_names_out(self, input_features=None):
        """Names of the table's columns: ``c{channel}_t{step}``.

        Parameters
        ----------
        input_features : array-like of str, default=None
            Ignored unless given, when it must equal ``feature_names_in_`` (or have
            ``n_features_in_`` entries); it is then returned.

        Returns
        -------
        names : ndarray of str of shape (`n_features_in_`,)
            ``input_features`` or the fitted column names when given, else
            :func:`tabular_feature_names`.
        """
        check_is_fitted(self)
        if input_features is None and not hasattr(self, "feature_names_in_"):
            return tabular_feature_names(self.n_channels_, self.n_timepoints_)
        return _check_feature_names_in(self, input_features)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.target_tags = inner.target_tags
        tags.non_deterministic = inner.non_deterministic
        return tags
