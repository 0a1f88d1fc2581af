"""Every scikit-learn workflow of issue 29, run end to end on small data.

Usage::

    python benchmarks/check_sklearn_workflows.py

prints one line per workflow, ``PASS <name>: <what was checked>`` or
``FAIL <name>: <error>``, and exits with status 1 when any fails. It takes about
a minute on two CPU cores (one torch thread); ``tests/test_check_workflows.py``
runs it in-process.
"""

import contextlib
import functools
import io
import pickle
import sys
import time
import traceback

import numpy as np
import pandas as pd
import torch
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.frozen import FrozenEstimator
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline

from sklearn_tsx.explainers import (
    Dynamask,
    FeatureAblation,
    FeatureOcclusion,
    IntegratedGradients,
    Lime,
    Saliency,
    ShapleyValueSampling,
)
from sklearn_tsx.metrics import make_explanation_scorer
from sklearn_tsx.models import GRUClassifier
from sklearn_tsx.preprocessing import TimeSeriesStandardScaler
from sklearn_tsx.tabular import TabularView, to_tabular
from sklearn_tsx.utils import check_time_series

#: (name, check) pairs; a check raises on failure and returns what it checked.
WORKFLOWS = []

N_CHANNELS, N_TIMEPOINTS = 2, 12


def workflow(name):
    """Register ``check`` as the workflow ``name``."""
    def register(check):
        WORKFLOWS.append((name, check))
        return check
    return register


def _panel(n=48, seed=0, offset=0.0):
    """A panel whose class is planted in the last steps of channel 1."""
    X = np.random.default_rng(seed).normal(size=(n, N_CHANNELS, N_TIMEPOINTS))
    y = (X[:, 1, -4:].mean(axis=1) > 0).astype(int)
    return (X + offset).astype(np.float32), y


def _gru(**params):
    return GRUClassifier(**{"hidden_size": 8, "max_epochs": 20, "lr": 0.01,
                            "random_state": 0, **params})


@functools.cache
def _fitted_gru():
    """One GRU fitted on ``_panel()``, shared by the workflows that leave it as it is."""
    return _gru().fit(*_panel())


def _weights(model):
    return torch.cat([p.detach().flatten() for p in model.module_.parameters()])


def _comprehensiveness():
    return make_explanation_scorer("comprehensiveness", random_state=0)


@workflow("cross-validation-unfitted-model")
def _cross_val_unfitted():
    X, y = _panel()
    model = _gru()
    result = cross_validate(FeatureOcclusion(model), X, y, cv=3,
                            scoring=_comprehensiveness(), return_estimator=True)
    assert np.isfinite(result["test_score"]).all(), result["test_score"]
    fitted = [fold.estimator_ for fold in result["estimator"]]
    assert not hasattr(model, "module_"), "the given model was fitted in place"
    assert len({id(m) for m in fitted}) == 3 and model not in fitted
    assert not torch.equal(_weights(fitted[0]), _weights(fitted[1]))
    return "FeatureOcclusion(unfitted GRU), 3 folds, a model refitted per fold"


@workflow("cross-validation-FrozenEstimator")
def _cross_val_frozen():
    X, y = _panel()
    model = _fitted_gru()
    before = _weights(model).clone()
    result = cross_validate(IntegratedGradients(FrozenEstimator(model), n_steps=8), X,
                            y, cv=3, scoring=_comprehensiveness(), return_estimator=True)
    assert np.isfinite(result["test_score"]).all(), result["test_score"]
    assert all(fold.estimator_.estimator is model for fold in result["estimator"])
    assert torch.equal(_weights(model), before), "the frozen model was refitted"
    return "IntegratedGradients(FrozenEstimator(GRU)), one model in every fold, unchanged"


@workflow("GridSearchCV-explainer")
def _grid_search():
    X, y = _panel()
    model = _fitted_gru()
    search = GridSearchCV(
        IntegratedGradients(FrozenEstimator(model), n_steps=8),
        {"baselines": ["zeros", "mean"]}, cv=2, scoring=_comprehensiveness(),
    ).fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert np.isfinite(scores).all(), scores
    assert search.best_params_["baselines"] in ("zeros", "mean")
    return (f"IntegratedGradients baselines tuned by comprehensiveness "
            f"(zeros {scores[0]:.3f}, mean {scores[1]:.3f})")


@workflow("Pipeline-explainer-step")
def _pipeline_step():
    X, y = _panel(60)
    pipe = Pipeline([("explain", IntegratedGradients(_gru(), n_steps=8)),
                     ("clf", LogisticRegression())])
    result = cross_validate(pipe, X, y, cv=3, return_estimator=True)
    assert np.isfinite(result["test_score"]).all(), result["test_score"]
    models = {id(fold["explain"].estimator_) for fold in result["estimator"]}
    assert len(models) == 3
    return (f"Pipeline(IntegratedGradients(GRU), LogisticRegression), accuracy "
            f"{result['test_score'].mean():.2f} over 3 folds, GRU refitted per fold")


@workflow("targets-by-label")
def _targets():
    X, y = _panel()
    labels = np.where(y == 1, "dog", "cat")
    model = _gru().fit(X, labels)
    explainer = Saliency(model, absolute=False).fit(X)
    dog, cat = explainer.explain(X[:4], target="dog"), explainer.explain(X[:4], target="cat")
    assert not np.allclose(dog, cat)
    predicted = explainer.explain(X[:4], target=model.predict(X[:4]))
    np.testing.assert_allclose(predicted, explainer.explain(X[:4]), atol=1e-6)
    try:
        explainer.explain(X[:4], target=1)
    except ValueError:
        pass
    else:
        raise AssertionError("target=1, not a label, was accepted")
    return 'target="dog", target=model.predict(X) (= default), integer 1 refused'


@workflow("sktime-RocketRegressor")
def _rocket():
    from sktime.regression.kernel_based import RocketRegressor

    X, _ = _panel()
    y = X[:, 1, -4:].mean(axis=1)
    rocket = RocketRegressor(num_kernels=100, random_state=0).fit(X, y)
    attributions = FeatureOcclusion(rocket).fit(X).explain(X[:3])
    assert attributions.shape == (3, N_CHANNELS, N_TIMEPOINTS)
    assert np.isfinite(attributions).all() and np.abs(attributions).max() > 0
    try:
        Saliency(rocket).fit(X)
    except TypeError as exc:
        assert "offers no gradients" in str(exc), exc
    else:
        raise AssertionError("Saliency accepted a model without gradients")
    return "FeatureOcclusion(RocketRegressor(num_kernels=100)) maps; Saliency refused clearly"


@workflow("sklearn-regressor-on-flattened-series")
def _flattened():
    X, _ = _panel(80)
    X = X[:, 1:]  # univariate
    y = X[:, 0, -4:].sum(axis=1)
    model = GradientBoostingRegressor(n_estimators=50, random_state=0).fit(
        X.reshape(len(X), -1), y)
    explainer = FeatureOcclusion(model).fit(X)
    assert explainer.model_.flatten_input, "the model was not given flattened input"
    attributions = np.abs(explainer.explain(X[:10]))
    planted, rest = attributions[..., -4:].mean(), attributions[..., :-4].mean()
    assert planted > 3 * rest, (planted, rest)
    return (f"GradientBoostingRegressor on (n, T) tables: planted steps "
            f"{planted / rest:.0f}x the others")


@workflow("gradients-through-scaler-pipeline")
def _scaler_pipeline():
    X, y = _panel(offset=50.0)
    pipe = make_pipeline(TimeSeriesStandardScaler(), _gru()).fit(X, y)
    on_raw = Saliency(pipe, absolute=False).fit(X).explain(X[:6])
    scaler, net = pipe
    X_scaled = scaler.transform(X[:6])
    on_scaled = Saliency(net, absolute=False).fit(X_scaled).explain(
        X_scaled, target=pipe.predict(X[:6]))
    np.testing.assert_allclose(on_raw, on_scaled / scaler.scale_[:, None], atol=1e-5)
    return "Saliency(Pipeline(TimeSeriesStandardScaler, GRU)) = chain rule (1e-5)"


@workflow("permutation_importance-TabularView")
def _permutation_importance():
    X, y = _panel(60)
    view = TabularView(_gru(), n_channels=N_CHANNELS).fit(to_tabular(X), y)
    result = permutation_importance(view, to_tabular(X), y, n_repeats=3, random_state=0)
    top = int(result.importances_mean.argmax())
    assert top >= 2 * N_TIMEPOINTS - 4, view.get_feature_names_out()[top]
    return f"top feature {view.get_feature_names_out()[top]} (planted: c1, last 4 steps)"


@workflow("sklearn_tsx.io-round-trip")
def _io_round_trip():
    from sklearn_tsx.io import dump, load

    X, y = _panel()
    model = _fitted_gru()
    explainer = IntegratedGradients(model, n_steps=8).fit(X)

    def round_trip(obj):
        buffer = io.BytesIO()
        dump(obj, buffer)
        buffer.seek(0)
        return load(buffer)

    np.testing.assert_array_equal(round_trip(model).predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(round_trip(explainer).explain(X[:4]),
                                  explainer.explain(X[:4]))
    return "fitted GRU (equal probabilities) and IntegratedGradients (equal maps)"


@workflow("pickle-round-trip")
def _pickle_round_trip():
    X, y = _panel()
    model = _fitted_gru()
    explainer = IntegratedGradients(model, n_steps=8).fit(X)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict_proba(X),
                                  model.predict_proba(X))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(explainer)).explain(X[:4]),
                                  explainer.explain(X[:4]))
    return "fitted GRU and IntegratedGradients"


@workflow("df-list-input")
def _df_list():
    X, y = _panel()
    frames = [pd.DataFrame(x.T, columns=["a", "b"]) for x in X]  # (T, C) each
    np.testing.assert_allclose(check_time_series(frames), X, rtol=1e-6)
    model = _fitted_gru()
    np.testing.assert_allclose(model.predict_proba(frames), model.predict_proba(X),
                               atol=1e-6)
    return f"{len(frames)} (T, C) frames read as (n, C, T); equal predictions"


@workflow("plot_saliency-NaN")
def _plot_nan():
    import matplotlib

    matplotlib.use("Agg")
    from sklearn_tsx.plotting import plot_saliency

    attributions = np.ones((N_CHANNELS, N_TIMEPOINTS))
    attributions[0, 3] = np.nan
    try:
        plot_saliency(attributions)
    except ValueError as exc:
        return f"refused: {str(exc)[:60]}"
    raise AssertionError("a NaN map was plotted")


@workflow("Lime-informative")
def _lime():
    X, y = _panel()
    model = _fitted_gru()
    attributions = np.abs(Lime(model, random_state=0).fit(X).explain(X[:8]))
    share = np.mean(attributions > 0)
    planted = attributions[:, 1, -4:].mean() / attributions.mean()
    assert share >= 0.2, f"only {share:.0%} of the entries are non-zero"
    assert (attributions.max(axis=(1, 2)) > 0).all(), "an all-zero map"
    assert planted > 2, f"planted entries only {planted:.1f}x the mean"
    return (f"Lime at its defaults: {share:.0%} of the entries non-zero, planted "
            f"ones {planted:.1f}x the mean")


@workflow("Dynamask-progress")
def _dynamask_progress():
    X, y = _panel(8)
    model = _gru(max_epochs=2).fit(X, y)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        Dynamask(model, max_epochs=5, verbose=1).fit(X).explain(X[:2])
    epochs = [line for line in err.getvalue().splitlines()
              if line.startswith("Dynamask") and "5/5" in line]
    assert epochs, err.getvalue()[-300:]
    assert "\r" not in err.getvalue()
    return f"plain lines, no carriage return: {epochs[-1].split('[')[0].strip()}"


@workflow("default-baselines")
def _default_baselines():
    X, y = _panel(offset=100.0)  # far from zero: a zero baseline is meaningless
    model = make_pipeline(TimeSeriesStandardScaler(), _gru(max_epochs=2)).fit(X, y)
    defaults = {}
    for cls in (FeatureAblation, FeatureOcclusion, ShapleyValueSampling):
        explainer = cls(model).fit(X)
        defaults[cls.__name__] = explainer.baselines
        assert explainer.baselines == "mean", (cls.__name__, explainer.baselines)
        np.testing.assert_allclose(explainer.baseline_, X.mean(axis=0), rtol=1e-5)
    return "training mean by default for " + ", ".join(defaults)


def run(stream=None):
    """Run every workflow, writing one line each.

    Parameters
    ----------
    stream : file-like, default=None
        Where the lines go; ``None`` is ``sys.stdout``.

    Returns
    -------
    results : dict
        ``{name: (passed, message)}``.
    """
    stream = stream or sys.stdout
    results = {}
    for name, check in WORKFLOWS:
        start = time.perf_counter()
        try:
            message, passed = check(), True
        except Exception as exc:  # a failing workflow is reported, not raised
            detail = str(exc).strip().splitlines()
            message = f"{type(exc).__name__}: {detail[0] if detail else ''}".strip()
            message += f" ({traceback.extract_tb(exc.__traceback__)[-1].name})"
            passed = False
        results[name] = (passed, message)
        print(f"{'PASS' if passed else 'FAIL'} {name}: {message} "
              f"[{time.perf_counter() - start:.1f} s]", file=stream, flush=True)
    return results


def main():
    """Run every workflow; 0 when all pass, else 1.

    Returns
    -------
    status : int
    """
    torch.set_num_threads(1)
    results = run()
    return 0 if all(passed for passed, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
