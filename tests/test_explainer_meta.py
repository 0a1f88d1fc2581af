"""Explainers as meta-estimators (an unfitted model is fitted in ``fit``, a fitted
one used as it is), targets by class label, mask methods that take a target, and
the model adapter on any fitted model."""

import numpy as np
import pytest
import torch
from _explainer_fixtures import ReluNet, make_panel
from sklearn.base import clone
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tsx.explainers import (
    ContraLSP,
    Dynamask,
    ExtremalMask,
    FeatureAblation,
    FeatureOcclusion,
    IntegratedGradients,
    Saliency,
    TemporalSaliencyRescaling,
)
from sklearn_tsx.metrics import make_explanation_scorer
from sklearn_tsx.models import GRUClassifier
from sklearn_tsx.utils import as_model_adapter


def _data(n=24, seed=0):
    X = make_panel(n, seed)
    return X, (X[:, 1, 4:].mean(axis=1) > 0).astype(int)


def _gru(**params):
    return GRUClassifier(hidden_size=4, max_epochs=2, random_state=0, **params)


def _weights(model):
    return torch.cat([p.detach().flatten() for p in model.module_.parameters()])


# --- 1. meta-estimator semantics ------------------------------------------------

def test_unfitted_model_is_cloned_and_fitted_fitted_one_used_as_is():
    X, y = _data()
    model = _gru()
    explainer = IntegratedGradients(model, n_steps=4).fit(X, y)
    assert explainer.estimator is model and not hasattr(model, "net_")
    assert explainer.estimator_ is not model
    np.testing.assert_array_equal(explainer.estimator_.classes_, [0, 1])
    assert explainer.explain(X).shape == X.shape

    fitted = _gru().fit(X, y)
    before = _weights(fitted).clone()
    explainer = IntegratedGradients(fitted, n_steps=4).fit(X[:6], 1 - y[:6])
    assert explainer.estimator_ is fitted
    torch.testing.assert_close(_weights(fitted), before)  # not refitted


def test_unfitted_model_without_y_names_both_ways_out():
    X, _ = _data()
    for model in (_gru(), Ridge()):
        with pytest.raises(NotFittedError, match="pass the targets y.*FrozenEstimator"):
            FeatureAblation(model).fit(X)
    with pytest.raises(NotFittedError, match="FrozenEstimator holds an unfitted"):
        FeatureAblation(FrozenEstimator(_gru())).fit(X, np.zeros(len(X)))
    with pytest.raises(NotFittedError, match="pass the targets y.*FrozenEstimator"):
        as_model_adapter(_gru(), 3, 8)


def test_pipeline_in_cross_validation_refits_the_model_per_fold():
    X, y = _data(30)
    pipe = Pipeline([
        ("explain", IntegratedGradients(_gru(), n_steps=4)),
        ("clf", LogisticRegression()),
    ])
    result = cross_validate(pipe, X, y, cv=3, return_estimator=True)
    assert np.all(np.isfinite(result["test_score"]))
    models = [fold["explain"].estimator_ for fold in result["estimator"]]
    assert len({id(m) for m in models}) == 3
    for a, b in [(0, 1), (0, 2), (1, 2)]:
        assert not torch.allclose(_weights(models[a]), _weights(models[b]))


def test_frozen_model_is_explained_in_every_fold_while_the_explainer_is_tuned():
    X, y = _data(30)
    model = _gru().fit(X, y)
    pipe = Pipeline([
        ("explain", IntegratedGradients(FrozenEstimator(model))),
        ("clf", LogisticRegression()),
    ])
    result = cross_validate(pipe, X, y, cv=3, return_estimator=True)
    assert all(fold["explain"].estimator_.estimator is model
               for fold in result["estimator"])
    search = GridSearchCV(pipe, {"explain__n_steps": [2, 4]}, cv=2).fit(X, y)
    assert search.best_estimator_["explain"].estimator_.estimator is model


def test_explainer_scored_in_cross_val_score_with_an_unfitted_model():
    X, y = _data(30)
    scores = cross_val_score(
        FeatureOcclusion(_gru()), X, y, cv=2,
        scoring=make_explanation_scorer("comprehensiveness", random_state=0),
    )
    assert np.all(np.isfinite(scores))


class _CountingGRU(GRUClassifier):
    n_fits = 0

    def fit(self, X, y):
        type(self).n_fits += 1
        return super().fit(X, y)


def test_tsr_fits_its_base_explainers_model_once():
    X, y = _data()
    model = _CountingGRU(hidden_size=4, max_epochs=2, random_state=0)
    tsr = TemporalSaliencyRescaling(Saliency(model)).fit(X, y)
    assert _CountingGRU.n_fits == 1
    assert tsr.estimator_ is tsr.base_explainer_.estimator_ is not model
    assert tsr.explain(X[:2]).shape == (2, 3, 8)
    fitted = tsr.estimator_
    tsr = TemporalSaliencyRescaling(Saliency(fitted)).fit(X, y)
    assert _CountingGRU.n_fits == 1 and tsr.estimator_ is fitted
    clone(tsr).fit(X, y)  # as in GridSearchCV: the clone's model is refitted
    assert _CountingGRU.n_fits == 2


# --- 2. targets by class label --------------------------------------------------

def test_targets_are_class_labels():
    X, y = _data()
    model = _gru().fit(X, np.where(y == 1, 20, 10))
    explainer = IntegratedGradients(model, n_steps=4).fit(X)
    on_20 = explainer.explain(X, target=20)
    np.testing.assert_array_equal(on_20, explainer.explain(X, target=np.full(len(X), 20)))
    assert not np.allclose(on_20, explainer.explain(X, target=10))
    np.testing.assert_array_equal(explainer.explain(X, target=model.predict(X)),
                                  explainer.explain(X))
    for bad in (1, 0, [10] * (len(X) - 1) + [15]):
        with pytest.raises(ValueError, match=r"not a class label.*\[10, 20\]"):
            explainer.explain(X, target=bad)


def test_string_labels_for_white_and_black_boxes():
    X, y = _data()
    labels = np.array(["cat", "dog"])[y]
    gru = _gru().fit(X, labels)
    explainer = Saliency(gru, absolute=False).fit(X)
    dog, cat = explainer.explain(X, target="dog"), explainer.explain(X, target="cat")
    assert np.abs(dog).max() > 0
    np.testing.assert_allclose(dog, -cat, atol=1e-6)  # p(dog) = 1 - p(cat)
    with pytest.raises(ValueError, match=r"'cow' is not a class label.*\['cat', 'dog'\]"):
        explainer.explain(X, target="cow")

    table = LogisticRegression().fit(X.reshape(len(X), -1), labels)
    got = FeatureAblation(table, baselines=0.0).fit(X).explain(X, target="dog")
    X_off = X.copy()
    X_off[:, 1, 5] = 0.0
    proba = table.predict_proba
    np.testing.assert_allclose(
        got[:, 1, 5],
        proba(X.reshape(len(X), -1))[:, 1] - proba(X_off.reshape(len(X), -1))[:, 1],
        rtol=1e-4, atol=1e-6,
    )


def test_models_without_classes_keep_indices():
    X = make_panel()
    explainer = Saliency(ReluNet()).fit(X)
    assert explainer.explain(X, target=1).shape == X.shape
    with pytest.raises(ValueError, match="out of range"):
        explainer.explain(X, target=2)


# --- 3. mask methods take a target ----------------------------------------------

class _TwoClasses(torch.nn.Module):
    """Class 0's logit reads channel 0, class 1's channel 2."""

    def forward(self, x):
        return torch.stack([(x[:, 0] ** 2).sum(-1), (x[:, 2] ** 2).sum(-1)], dim=1)


@pytest.mark.parametrize("make", [
    lambda m: Dynamask(m, area=0.25, max_epochs=60, lr=0.5),
    lambda m: ExtremalMask(m, max_epochs=60, lr=0.05, lambda_1=0.1, random_state=0),
    lambda m: ContraLSP(m, max_epochs=30, random_state=0),
], ids=["Dynamask", "ExtremalMask", "ContraLSP"])
def test_mask_methods_explain_the_targeted_class(make):
    X = make_panel(4)
    model = _TwoClasses()
    explainer = make(model).fit(X)
    predicted = model(torch.as_tensor(X)).argmax(1).numpy()
    on_predicted = explainer.explain(X, target=predicted)
    on_other = explainer.explain(X, target=1 - predicted)
    assert on_predicted.shape == X.shape
    assert np.abs(on_predicted - on_other).max() > 0.1
    # each class's map weighs the channel its logit reads
    on_0, on_1 = explainer.explain(X, target=0), explainer.explain(X, target=1)
    assert on_0[:, 0].mean() > on_0[:, 2].mean()
    assert on_1[:, 2].mean() > on_1[:, 0].mean()
    with pytest.raises(ValueError, match="out of range"):
        explainer.explain(X, target=2)


# --- 4. any fitted model in the adapter -------------------------------------------

@pytest.fixture(scope="module")
def rocket():
    from sktime.regression.kernel_based import RocketRegressor

    X = make_panel(20)
    return RocketRegressor(num_kernels=100, random_state=0).fit(X, X[:, 0].sum(1)), X


def test_sktime_model_is_explained_by_a_perturbation_method(rocket):
    model, X = rocket
    got = FeatureOcclusion(model, baselines=0.0).fit(X).explain(X[:3])
    X_off = X[:3].copy()
    X_off[:, :, 2] = 0.0  # the default window: one time step, every channel
    np.testing.assert_allclose(got[:, 0, 2], model.predict(X[:3]) - model.predict(X_off),
                               rtol=1e-4, atol=1e-5)
    with pytest.raises(TypeError, match="offers no gradients"):
        Saliency(model).fit(X)


def test_unfitted_sktime_model_is_fitted_in_fit():
    from sktime.regression.kernel_based import RocketRegressor

    X = make_panel(20)
    model = RocketRegressor(num_kernels=100, random_state=0)
    with pytest.raises(NotFittedError, match="FrozenEstimator"):
        FeatureOcclusion(model).fit(X)
    explainer = FeatureOcclusion(model).fit(X, X[:, 0].sum(1))
    assert explainer.estimator_.is_fitted and not model.is_fitted


def test_sklearn_model_on_flattened_univariate_series():
    X = make_panel(30)[:, :1]
    y = X[:, 0, 2:5].sum(1)
    model = GradientBoostingRegressor(n_estimators=10, random_state=0).fit(X[:, 0], y)
    assert as_model_adapter(model, 1, 8).flatten_input
    got = FeatureAblation(model, baselines=0.0).fit(X[:, 0]).explain(X[:4, 0])
    X_off = X[:4, 0].copy()
    X_off[:, 3] = 0.0
    np.testing.assert_allclose(got[:, 0, 3], model.predict(X[:4, 0]) - model.predict(X_off),
                               rtol=1e-4, atol=1e-6)


def test_sklearn_pipeline_on_flattened_series():
    X = make_panel(30)
    flat = X.reshape(len(X), -1)
    model = make_pipeline(StandardScaler(), Ridge()).fit(flat, X[:, 2, :3].sum(1))
    got = FeatureAblation(model, baselines=0.0).fit(X).explain(X[:4])
    X_off = X[:4].copy()
    X_off[:, 2, 1] = 0.0
    np.testing.assert_allclose(
        got[:, 2, 1], model.predict(flat[:4]) - model.predict(X_off.reshape(4, -1)),
        rtol=1e-4, atol=1e-5,
    )


def test_model_it_cannot_read_says_what_was_tried():
    X = make_panel()
    model = LogisticRegression().fit(X[:, 0, :5], np.arange(6) % 2)
    with pytest.raises(TypeError, match=r"predict_proba on \(n, 3, 8\) panels "
                                        r"\(its n_features_in_ \(5\) is not 3 channels"):
        FeatureAblation(model).fit(X)
