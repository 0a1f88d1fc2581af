import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tsx.datasets import make_xcebra_recording
from sklearn_tsx.models import XCEBRA
from sklearn_tsx.models.xcebra import ATTRIBUTION_METHODS

TINY = dict(n_latents=3, n_behavior_latents=1, max_iterations=3, batch_size=16)


@pytest.fixture(scope="module")
def recording():
    return make_xcebra_recording(300, 8, random_state=0)


@pytest.fixture(scope="module")
def fitted(recording):
    X, y, _ = recording
    return XCEBRA(max_iterations=30, batch_size=64, random_state=0).fit(X, y)


@parametrize_with_checks([XCEBRA(**TINY, random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


# -- the synthetic recording ------------------------------------------------------------


def test_recording_shapes_and_seed():
    X, y, true_map, z = make_xcebra_recording(
        100, 10, n_behavior_latents=2, n_time_latents=3, return_latents=True, random_state=1
    )
    assert X.shape == (100, 10) and X.dtype == np.float32
    assert y.shape == (100, 2)
    assert true_map.shape == (5, 10) and true_map.dtype == bool
    assert z.shape == (100, 5)
    np.testing.assert_array_equal(y, z[:, :2].astype(np.float32))
    # Every channel has a parent, and the latents of a group share their row.
    assert true_map.any(axis=0).all()
    assert (true_map[:2] == true_map[0]).all() and (true_map[2:] == true_map[2]).all()
    X2, _, map2 = make_xcebra_recording(
        100, 10, n_behavior_latents=2, n_time_latents=3, random_state=1
    )
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(true_map, map2)


def test_recording_channels_follow_the_map():
    X, _, true_map, z = make_xcebra_recording(
        400, 12, nonlinear=False, noise=0.0, return_latents=True, random_state=0
    )
    coef, *_ = np.linalg.lstsq(z, X, rcond=None)
    np.testing.assert_allclose(coef[~true_map], 0, atol=1e-5)
    assert (np.abs(coef[true_map]) > 1e-5).all()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_channels=4), "must exceed"),
        (dict(connectivity=0), "connectivity"),
        (dict(smoothness=1.0), "smoothness"),
        (dict(n_time_latents=0), "n_time_latents"),
        (dict(noise=-1), "noise"),
    ],
)
def test_recording_bad_params(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_xcebra_recording(**{"n_timesteps": 50, "n_channels": 10, **kwargs})


# -- fit, transform, explain ------------------------------------------------------------


def test_transform_and_explain_shapes(recording, fitted):
    X, y, _ = recording
    Z = fitted.transform(X)
    assert Z.shape == (300, 4) and Z.dtype == np.float32
    assert fitted.n_features_in_ == fitted.n_channels_in_ == 8
    for method in ATTRIBUTION_METHODS:
        attribution_map = fitted.explain(X[:40], method, n_shapley_samples=2, n_ig_steps=4)
        assert attribution_map.shape == (4, 8), method
        assert np.isfinite(attribution_map).all() and (attribution_map >= 0).all()
    assert fitted.jacobian(X[:5]).shape == (5, 4, 8)
    assert np.isfinite(fitted.score(X, y))


def test_panel_input_is_concatenated_in_time(recording, fitted):
    X, y, _ = recording
    panel = X.reshape(3, 100, 8).transpose(0, 2, 1)
    Z = fitted.transform(panel)
    assert Z.shape == (3, 4, 100)
    np.testing.assert_allclose(Z.transpose(0, 2, 1).reshape(300, 4), fitted.transform(X))
    np.testing.assert_allclose(fitted.explain(panel), fitted.explain(X), rtol=1e-5)
    panel_y = y.reshape(3, 100, 2).transpose(0, 2, 1)
    model = XCEBRA(**TINY, random_state=0)
    np.testing.assert_allclose(
        model.fit(panel, panel_y).transform(X), clone(model).fit(X, y).transform(X)
    )
    assert model.score(panel, panel_y) == pytest.approx(model.score(X, y))


def test_clone_pickle_and_determinism(recording, fitted):
    X, y, _ = recording
    Z = fitted.transform(X)
    refit = clone(fitted).fit(X, y)
    np.testing.assert_array_equal(refit.transform(X), Z)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(X), Z)
    np.testing.assert_array_equal(restored.explain(X), fitted.explain(X))
    other = clone(fitted).set_params(random_state=1).fit(X, y)
    assert not np.allclose(other.transform(X), Z)
    shapley = [
        fitted.explain(X[:20], "shapley-value-sampling", n_shapley_samples=2, random_state=3)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(*shapley)


def test_regularizer_is_ramped_in(recording):
    X, y, _ = recording
    params = dict(max_iterations=8, batch_size=32, random_state=0)
    plain = XCEBRA(jacobian_reg_weight=0.0, **params).fit(X, y)
    regularized = XCEBRA(jacobian_reg_weight=5.0, reg_ramp_start=0.5, **params).fit(X, y)
    # Identical until the ramp starts (same seed, same pairs), different after.
    np.testing.assert_allclose(plain.loss_curve_[:4], regularized.loss_curve_[:4], rtol=1e-5)
    assert regularized.loss_curve_[-1] > plain.loss_curve_[-1]


def test_saturated_output_warns(recording):
    X, y, _ = recording
    # A tanh output with a temperature that asks for an embedding far wider than 1.
    model = XCEBRA(
        model_architecture="offset1-model-mse-tanh",
        temperature=100.0,
        learning_rate=1e-2,
        max_iterations=60,
        batch_size=64,
        random_state=0,
    )
    with pytest.warns(UserWarning, match="saturate the output"):
        model.fit(X, y)
    assert model.saturation_ > 0.1
    unbounded = XCEBRA(model_architecture="offset1-model-mse", **TINY).fit(X, y)
    assert unbounded.saturation_ == 0.0


def test_default_recovers_the_ground_truth_map():
    # The default architecture is linear inside its clip: at a temperature that asks
    # for an embedding within it, a short regularized fit already finds the map.
    X, y, true_map = make_xcebra_recording(1000, 12, random_state=1)
    model = XCEBRA(
        temperature=0.1,
        jacobian_reg_weight=0.1,
        max_iterations=300,
        batch_size=128,
        learning_rate=3e-3,
        random_state=0,
    ).fit(X, y)
    assert model.saturation_ < 0.1
    attribution_map = model.explain(X[:300])
    scaled = attribution_map / attribution_map.max(axis=1, keepdims=True)
    assert roc_auc_score(true_map.ravel(), scaled.ravel()) > 0.75


def test_grid_search_over_regularizer_and_latent_split(recording):
    X, y, _ = recording
    search = GridSearchCV(
        XCEBRA(n_latents=3, max_iterations=5, batch_size=32, random_state=0),
        {"jacobian_reg_weight": [0.0, 0.1], "n_behavior_latents": [1, 2]},
        cv=KFold(2),
        n_jobs=1,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.transform(X).shape == (300, 3)


def test_batched_jacobian_matches_cebra(recording, fitted):
    pytest.importorskip("cvxpy", reason="cebra.attribution imports cvxpy")
    X = recording[0][:50]
    ours = fitted.jacobian(X)
    np.testing.assert_allclose(ours, fitted.jacobian(X, backend="cebra"), rtol=1e-4, atol=1e-6)
    for method in ("inverted-neuron-gradient", "neuron-gradient"):
        np.testing.assert_allclose(
            fitted.explain(X, method),
            fitted.explain(X, method, jacobian_backend="cebra"),
            rtol=1e-3,
            atol=1e-6,
        )


# -- bad input --------------------------------------------------------------------------


def test_nan_rejected(recording):
    X, y, _ = recording
    X = X.copy()
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        XCEBRA(**TINY).fit(X, y)
    panel = X.reshape(3, 100, 8).transpose(0, 2, 1)
    with pytest.raises(ValueError, match="NaN"):
        XCEBRA(**TINY).fit(panel, y.reshape(3, 100, 2).transpose(0, 2, 1))


def test_wrong_dimensions(recording, fitted):
    X, y, _ = recording
    with pytest.raises(ValueError, match="2D array"):
        XCEBRA(**TINY).fit(X[:, 0], y)
    with pytest.raises(ValueError, match="dimension"):
        fitted.transform(X.reshape(1, 2, 150, 8))


def test_y_length_mismatch(recording):
    X, y, _ = recording
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        XCEBRA(**TINY).fit(X, y[:-1])
    panel = X.reshape(3, 100, 8).transpose(0, 2, 1)
    with pytest.raises(ValueError, match="behaviour per time step"):
        XCEBRA(**TINY).fit(panel, y)


def test_channel_mismatch_after_fit(recording, fitted):
    X, y, _ = recording
    with pytest.raises(ValueError, match="expecting 8 features"):
        fitted.transform(X[:, :5])
    with pytest.raises(ValueError, match="expecting 8 channels"):
        fitted.explain(X[:, :5].reshape(3, 100, 5).transpose(0, 2, 1))
    with pytest.raises(ValueError, match="expecting 8 features"):
        fitted.score(X[:, :5], y)


def test_unfitted(recording):
    X, y, _ = recording
    model = XCEBRA()
    for call in (model.transform, model.explain, model.jacobian):
        with pytest.raises(NotFittedError):
            call(X)
    with pytest.raises(NotFittedError):
        model.score(X, y)


def test_unknown_method(recording, fitted):
    X = recording[0]
    with pytest.raises(ValueError, match="Unknown attribution method 'lime'"):
        fitted.explain(X, "lime")
    with pytest.raises(ValueError, match="jacobian_backend"):
        fitted.explain(X, jacobian_backend="jax")
    with pytest.raises(ValueError, match="backend"):
        fitted.jacobian(X, backend="jax")


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_latents=3, n_behavior_latents=3), "Bad latent split"),
        (dict(n_latents=3, n_behavior_latents=0), "n_behavior_latents"),
        (dict(n_latents=1), "n_latents"),
        (dict(jacobian_reg_weight=-1.0), "jacobian_reg_weight"),
        (dict(reg_ramp_start=0.6, reg_ramp_end=0.5), "reg_ramp_end"),
        (dict(model_architecture="offset10-model"), "model_architecture"),
        (dict(batch_size=1), "batch_size"),
    ],
)
def test_bad_params(recording, params, match):
    X, y, _ = recording
    with pytest.raises(ValueError, match=match):
        XCEBRA(**{**TINY, **params}).fit(X, y)


def test_too_short_recording(recording):
    X, y, _ = recording
    with pytest.raises(ValueError, match="at least 2 time steps"):
        XCEBRA(**TINY).fit(X[:1], y[:1])
