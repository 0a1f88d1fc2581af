"""Gradient explainers differentiate a pipeline through the library's own
transformers, so attributions are in the units of the raw input; a pipeline they
cannot differentiate is refused, naming the step that blocks it."""

import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from sklearn_tsx.explainers import (
    DeepLift,
    FeatureAblation,
    FeatureOcclusion,
    IntegratedGradients,
    Saliency,
)
from sklearn_tsx.metrics import make_explanation_scorer
from sklearn_tsx.models import GRUClassifier, GRURegressor
from sklearn_tsx.preprocessing import TimeSeriesStandardScaler
from sklearn_tsx.tabular import TabularView, to_tabular
from sklearn_tsx.utils._torch_transforms import StandardisedInput


def _data(n=24, seed=0):
    """Channels far from zero mean and unit scale, so the scaler matters."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2, 8)) * [[5.0], [0.1]] + [[100.0], [-3.0]]
    return X.astype(np.float32), (X[:, 0, 4:].mean(axis=1) > 100).astype(int)


def _gru(cls=GRUClassifier):
    return cls(hidden_size=4, max_epochs=3, random_state=0)


def _pipe(per="channel", cls=GRUClassifier):
    X, y = _data()
    target = y if cls is GRUClassifier else X[:, 0, 4:].mean(axis=1)
    return make_pipeline(TimeSeriesStandardScaler(per=per), _gru(cls)).fit(X, target)


@pytest.mark.parametrize("per", ["channel", "timepoint"])
@pytest.mark.parametrize("cls", [GRUClassifier, GRURegressor])
def test_saliency_is_the_chain_rule_through_the_scaler(per, cls):
    X, _ = _data()
    pipe = _pipe(per, cls)
    on_raw = Saliency(pipe, absolute=False).fit(X).explain(X)
    scaler, net = pipe
    X_scaled = scaler.transform(X)
    target = pipe.predict(X) if cls is GRUClassifier else None
    on_scaled = Saliency(net, absolute=False).fit(X_scaled).explain(X_scaled, target=target)
    scale = scaler.scale_ if per == "timepoint" else scaler.scale_[:, np.newaxis]
    np.testing.assert_allclose(on_raw, on_scaled / scale, atol=1e-5, rtol=1e-5)
    assert np.abs(on_raw).max() > 1e-4  # not trivially zero


@pytest.mark.parametrize("per, baselines", [
    ("channel", "zeros"), ("timepoint", "zeros"),
    # z-normalising each series sends every point of the path from zero but zero
    # itself to the same series: a path from the training mean instead
    ("series", "mean"),
])
def test_integrated_gradients_is_complete_in_raw_units(per, baselines):
    X, _ = _data()
    pipe = _pipe(per)
    explainer = IntegratedGradients(pipe, baselines=baselines, n_steps=200).fit(X)
    labels = pipe.predict(X[:6])
    attributions = explainer.explain(X[:6], target=labels)
    columns = np.searchsorted(pipe.classes_, labels)
    baseline = np.zeros_like(X[:6]) + (0 if baselines == "zeros" else X.mean(axis=0))
    at_x = pipe.predict_proba(X[:6])[np.arange(6), columns]
    at_baseline = pipe.predict_proba(baseline)[np.arange(6), columns]
    np.testing.assert_allclose(attributions.sum(axis=(1, 2)), at_x - at_baseline,
                               atol=2e-3)
    assert np.abs(at_x - at_baseline).max() > 1e-2  # a real test of completeness


def test_the_pipeline_module_answers_as_the_pipeline():
    X, y = _data()
    pipe = make_pipeline(TimeSeriesStandardScaler(per="series"), _gru()).fit(X, y)
    explainer = Saliency(pipe).fit(X)
    assert isinstance(explainer.model_.module, StandardisedInput)
    X_const = X[:3].copy()
    X_const[0, 1] = 7.0  # a constant series is centred, not scaled
    with torch.no_grad():
        probabilities = explainer.model_(torch.as_tensor(X_const)).numpy()
    np.testing.assert_allclose(probabilities, pipe.predict_proba(X_const), atol=1e-6)
    assert np.isfinite(explainer.explain(X_const)).all()


def test_targets_are_the_pipelines_labels():
    X, y = _data()
    pipe = make_pipeline(TimeSeriesStandardScaler(), _gru()).fit(X, np.where(y, "b", "a"))
    explainer = Saliency(pipe).fit(X)
    np.testing.assert_array_equal(explainer.model_.classes, ["a", "b"])
    assert explainer.explain(X[:2], target="b").shape == (2, 2, 8)
    with pytest.raises(ValueError, match="label"):
        explainer.explain(X[:2], target=1)


def test_identity_steps_and_frozen_steps_are_differentiated():
    X, y = _data()
    scaler = TimeSeriesStandardScaler().fit(X)
    net = _gru().fit(scaler.transform(X), y)
    pipe = Pipeline([
        ("identity", FunctionTransformer()),
        ("skip", "passthrough"),
        ("scale", FrozenEstimator(scaler)),
        ("net", net),
    ]).fit(X, y)
    plain = make_pipeline(scaler, net)
    np.testing.assert_allclose(
        DeepLift(pipe).fit(X).explain(X[:4]), DeepLift(plain).fit(X).explain(X[:4]),
        atol=1e-6,
    )


def test_a_pipeline_that_cannot_be_differentiated_names_the_blocking_step():
    X, y = _data()
    tabular = make_pipeline(
        StandardScaler(), TabularView(_gru(), n_channels=2)
    ).fit(to_tabular(X), y)
    with pytest.raises(TypeError, match=r"'standardscaler' \(StandardScaler\).*"
                       r"'tabularview' \(TabularView\).*FeatureOcclusion"):
        Saliency(tabular).fit(X)
    numpy_step = make_pipeline(FunctionTransformer(np.tanh), _gru()).fit(X, y)
    with pytest.raises(TypeError, match=r"'functiontransformer' \(FunctionTransformer\)"
                       r".*FeatureOcclusion.*explain its last step on the transformed"):
        IntegratedGradients(numpy_step).fit(X)
    for pipe in (tabular, numpy_step):  # perturbation methods keep working
        attributions = FeatureAblation(pipe).fit(X).explain(X[:3])
        assert attributions.shape == (3, 2, 8) and np.isfinite(attributions).all()


def test_perturbation_methods_on_a_differentiable_pipeline():
    X, _ = _data()
    pipe = _pipe()
    explainer = FeatureOcclusion(pipe, baselines="mean").fit(X)
    X_before = X.copy()
    attributions = explainer.explain(X[:4])
    np.testing.assert_array_equal(X, X_before)
    assert attributions.shape == (4, 2, 8) and np.abs(attributions).max() > 0


def test_unfitted_pipeline_is_refitted_per_fold_in_cross_validation():
    X, y = _data(30)
    pipe = make_pipeline(TimeSeriesStandardScaler(), _gru())
    result = cross_validate(
        IntegratedGradients(pipe, n_steps=8), X, y, cv=3, return_estimator=True,
        scoring=make_explanation_scorer("comprehensiveness", random_state=0),
    )
    assert np.all(np.isfinite(result["test_score"]))
    fitted = [fold.estimator_ for fold in result["estimator"]]
    assert pipe not in fitted and len({id(model) for model in fitted}) == 3
    means = [model[0].mean_ for model in fitted]
    assert not np.allclose(means[0], means[1])  # each fold's own statistics
    assert all(isinstance(fold.model_.module, StandardisedInput)
               for fold in result["estimator"])
