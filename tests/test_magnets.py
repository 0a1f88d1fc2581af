import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tsx.models import MagnetsClassifier, MagnetsRegressor
from sklearn_tsx.models.magnets import HEAD_PENALTIES, _ridge

TINY = dict(
    n_masks=2, n_concepts=2, unet_depth=1, unet_width=4, kernel_size=3,
    max_epochs=2, batch_size=16, random_state=0,
)


def _expected_failed_checks(estimator):
    reason = (
        "the tiny settings of this suite (2 epochs) are too short to reach the "
        "training score the check asks; test_learns_a_threshold_task checks learning"
    )
    return {"check_classifiers_train": reason, "check_regressors_train": reason}


@parametrize_with_checks(
    [MagnetsRegressor(**TINY), MagnetsClassifier(**TINY)],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _data(n=60, channels=2, length=16, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, channels, length)).astype(np.float32)
    y = np.maximum(X[:, 0], 0).sum(axis=1)
    return X, y


@pytest.mark.parametrize("feature_norm", [True, False])
@pytest.mark.parametrize("aggregation", ["sum", "mean", "max", "lp"])
def test_additive_decomposition_is_exact(aggregation, feature_norm):
    X, y = _data()
    params = {**TINY, "aggregation": aggregation, "feature_norm": feature_norm}
    model = MagnetsRegressor(**params).fit(X, y)
    parts = model.explain(X)
    assert parts.masks.shape == (60, 2, 2, 16)
    assert parts.masks.dtype == bool
    assert parts.features.shape == (60, 2, 2)
    assert parts.concepts.shape == (60, 2)
    assert parts.contributions.shape == (60, 2)
    np.testing.assert_allclose(
        parts.contributions.sum(axis=1) + parts.bias, model.predict(X), rtol=1e-5, atol=1e-5
    )
    # concepts are the bottleneck applied to the features, contributions the head
    concepts = (
        np.einsum("kcm,ncm->nk", model.bottleneck_weights_, parts.features)
        + model.bottleneck_bias_
    )
    np.testing.assert_allclose(concepts, parts.concepts, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(
        parts.contributions, parts.concepts * model.head_weights_[0], rtol=1e-5, atol=1e-6
    )


def test_multi_output_and_classifier_decomposition():
    X, y = _data()
    Y = np.stack([y, -y], axis=1)
    reg = MagnetsRegressor(**TINY).fit(X, Y)
    parts = reg.explain(X)
    assert parts.contributions.shape == (60, 2, 2)
    np.testing.assert_allclose(
        parts.contributions.sum(-1) + parts.bias, reg.predict(X), rtol=1e-5, atol=1e-5
    )
    clf = MagnetsClassifier(**TINY).fit(X, np.where(y > np.median(y), "hi", "lo"))
    parts = clf.explain(X)
    logits = torch.from_numpy(parts.contributions.sum(-1) + parts.bias)
    np.testing.assert_allclose(
        torch.softmax(logits.double(), -1).numpy(), clf.predict_proba(X), rtol=1e-5
    )
    assert set(clf.predict(X)) <= {"hi", "lo"}


def test_masks_binary_and_deterministic_at_inference():
    X, y = _data()
    model = MagnetsRegressor(**TINY).fit(X, y)
    first = model.explain(X).masks
    assert np.array_equal(first, model.explain(X).masks)
    assert set(np.unique(first.astype(int))) <= {0, 1}
    np.testing.assert_array_equal(model.predict(X[:7]), model.predict(X)[:7])


def test_learns_a_threshold_task():
    X, y = _data(n=200, channels=1, length=16)
    model = MagnetsRegressor(**{**TINY, "max_epochs": 30, "unet_width": 8}).fit(X, y)
    assert model.score(X, y) > 0.8


def test_same_seed_clone_pickle():
    X, y = _data()
    a = MagnetsRegressor(**TINY).fit(X, y)
    b = clone(a).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.predict(X), c.predict(X))
    assert not hasattr(clone(a), "net_")
    other = MagnetsRegressor(**{**TINY, "random_state": 1}).fit(X, y)
    assert not np.array_equal(a.predict(X), other.predict(X))


def test_grid_search_over_n_masks():
    X, y = _data()
    search = GridSearchCV(MagnetsRegressor(**TINY), {"n_masks": [1, 2]}, cv=2).fit(X, y)
    assert search.best_params_["n_masks"] in (1, 2)
    assert search.best_estimator_.explain(X[:2]).masks.shape[2] == search.best_params_[
        "n_masks"
    ]


def test_fitted_weights_shapes():
    X, y = _data()
    model = MagnetsRegressor(**TINY).fit(X, y)
    assert model.bottleneck_weights_.shape == (2, 2, 2)
    assert model.bottleneck_bias_.shape == (2,)
    assert model.head_weights_.shape == (1, 2)
    assert model.head_bias_.shape == (1,)


def test_penalties_shrink_bottleneck():
    X, y = _data()
    params = {**TINY, "max_epochs": 15, "lambda_orthogonality": 0.0, "early_stopping": False}
    plain = MagnetsRegressor(**{**params, "lambda_sparsity": 0.0}).fit(X, y)
    sparse = MagnetsRegressor(**{**params, "lambda_sparsity": 1.0}).fit(X, y)
    l1 = lambda m: np.abs(m.module_.bottleneck.weight.detach().numpy()).sum()  # noqa: E731
    assert l1(sparse) < l1(plain)
    assert "penalty" in sparse.net_.history[-1, "batches", -1]


def test_logit_scale_makes_training_masks_less_noisy():
    # Regression: the batch-normalised logits used to start at unit scale, where
    # the logistic noise flips about a third of the training mask entries, so
    # training saw masks far from the noise-free inference ones and underfit.
    X, y = _data()
    x = torch.from_numpy(X)

    def flip_rate(logit_scale):
        model = MagnetsRegressor(**{**TINY, "logit_scale": logit_scale})
        module = model._build_module(X, 1, np.zeros(1), np.ones(1)).train()
        np.testing.assert_array_equal(module.logit_norm.weight.detach().numpy(), logit_scale)
        with torch.no_grad():
            logits = module.logits(x)
        return torch.sigmoid(-logits.abs()).mean().item()

    unit, default = flip_rate(1.0), flip_rate(4.0)
    assert unit > 0.3
    assert default < unit - 0.1


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_masks": 0}, "n_masks"),
        ({"n_concepts": 0}, "n_concepts"),
        ({"temperature": 0.0}, "temperature"),
        ({"temperature": -1.0}, "temperature"),
        ({"logit_scale": 0.0}, "logit_scale"),
        ({"lambda_sparsity": -0.1}, "lambda_sparsity"),
        ({"lambda_orthogonality": -1e-3}, "lambda_orthogonality"),
        ({"aggregation": "median"}, "aggregation"),
        ({"aggregation": "lp", "aggregation_p": 0}, "aggregation_p"),
        ({"kernel_size": 4}, "odd"),
        ({"unet_depth": 0}, "unet_depth"),
        ({"positional_channel": "yes"}, "positional_channel"),
        ({"feature_norm": "yes"}, "feature_norm"),
        ({"anneal_noise": 1}, "anneal_noise"),
        ({"lr_schedule": "step"}, "lr_schedule"),
        ({"n_init": 0}, "n_init"),
        ({"n_init": 1.5}, "n_init"),
    ],
)
def test_bad_parameters(params, match):
    X, y = _data()
    with pytest.raises(ValueError, match=match):
        MagnetsRegressor(**{**TINY, **params}).fit(X, y)


def test_positional_channel_feeds_the_unet_a_time_coordinate():
    # Regression: a mask that depends on *when* (e.g. only the second half of a
    # series counts) needs absolute position, which a U-Net narrower than the
    # series cannot see; the time coordinate is an extra input of the U-Net only.
    X, y = _data()
    for positional, n_in in [(True, 3), (False, 2)]:
        model = MagnetsRegressor(**{**TINY, "positional_channel": positional}).fit(X, y)
        assert model.module_.mask_generator.down[0][0].in_channels == n_in
        assert model.explain(X).masks.shape == (60, 2, 2, 16)
    # a constant panel gets position-dependent logits through the time coordinate
    flat = torch.zeros(1, 2, 64)
    with torch.no_grad():
        plain = model.module_.eval().logits(flat)  # the last model: no time coordinate
        positional = MagnetsRegressor(**TINY).fit(X, y).module_.eval().logits(flat)
    # away from the zero padding, a U-Net without it is shift-equivariant (by
    # multiples of its pooling factor, here 2)
    here, shifted = slice(20, 40), slice(22, 42)
    assert torch.allclose(plain[..., here], plain[..., shifted], atol=1e-5)
    assert not torch.allclose(positional[..., here], positional[..., shifted], atol=1e-5)


def test_noise_is_annealed_to_zero_over_training():
    # Regression: the head was fitted to masks flipped by the training noise and
    # then applied to the noise-free inference masks, which lost accuracy.
    from sklearn_tsx.models.magnets import _NoiseAnnealing

    class Module:
        noise_scale = 1.0

    class Net:
        module_ = Module()
        history = []

    callback, net, scales = _NoiseAnnealing(max_epochs=5), Net(), []
    for _ in range(5):
        net.history.append({})
        callback.on_epoch_begin(net)
        scales.append(net.module_.noise_scale)
    np.testing.assert_allclose(scales, [1.0, 0.75, 0.5, 0.25, 0.0])
    callback.on_train_end(net)
    assert net.module_.noise_scale == 1.0

    from sklearn_tsx.models._magnets_modules import gumbel_sigmoid_st

    logits = torch.randn(4, 50)
    noiseless = gumbel_sigmoid_st(logits, 1.0, training=True, noise_scale=0.0)
    torch.testing.assert_close(noiseless, (logits > 0).float())

    X, y = _data()
    model = MagnetsRegressor(**TINY).fit(X, y)
    assert model.module_.noise_scale == 1.0


def test_lr_schedule():
    X, y = _data()
    cosine = MagnetsRegressor(**{**TINY, "max_epochs": 4}).fit(X, y)
    constant = MagnetsRegressor(**{**TINY, "max_epochs": 4, "lr_schedule": "constant"})
    constant.fit(X, y)
    assert cosine.net_.optimizer_.param_groups[0]["lr"] < 0.1 * cosine.lr
    assert constant.net_.optimizer_.param_groups[0]["lr"] == constant.lr


def test_logit_norm_statistics_are_recomputed_on_the_training_set():
    # Regression: the batch norm's running averages trailed the weights of the
    # last batches, so the inference masks were not those of the final weights.
    X, y = _data()
    module = MagnetsRegressor(**{**TINY, "max_epochs": 3}).fit(X, y).module_
    with torch.no_grad():
        out = module.mask_generator(module._generator_input(torch.from_numpy(X)))
    np.testing.assert_allclose(
        module.logit_norm.running_mean.numpy(), out.mean((0, 2)).numpy(), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        module.logit_norm.running_var.numpy(),
        out.var((0, 2), unbiased=True).numpy(),
        rtol=1e-3,
        atol=1e-6,
    )


def test_feature_norm_statistics_are_those_of_the_training_features():
    # the features' batch norm reads, at inference, the mean and variance of the
    # training set's scale-free features under the inference masks
    X, y = _data()
    model = MagnetsRegressor(**{**TINY, "max_epochs": 3, "feature_norm": True}).fit(X, y)
    module = model.module_
    scale_free = model.explain(X).features.reshape(len(X), -1)
    scale_free = scale_free / module.feature_scale.numpy()
    np.testing.assert_allclose(
        module.feature_norm.running_mean.numpy(), scale_free.mean(0), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        module.feature_norm.running_var.numpy(),
        scale_free.var(0, ddof=1),
        rtol=1e-3,
        atol=1e-6,
    )
    plain = MagnetsRegressor(**{**TINY, "feature_norm": False}).fit(X, y)
    assert plain.module_.feature_norm is None


def test_validation_loss_is_that_of_the_inference_model_of_each_epoch():
    # Regression: validation ran on batch-norm statistics trailing the weights, so
    # the inference masks lagged and early stopping kept an arbitrary epoch. Now
    # the norms are recalibrated on the training part before each validation.
    X, y = _data()
    model = MagnetsRegressor(
        **{**TINY, "max_epochs": 1, "early_stopping": True, "head_penalty": "none"}
    ).fit(X, y)
    train, valid = (np.asarray(p.indices) for p in model.net_.get_split_datasets(X, y))
    module = model.module_
    # the weights validated (before the head refit), then their norms on the
    # training part only
    module.load_state_dict(dict(model.net_.callbacks_)["early_stopping"].best_model_weights_)
    module.calibrate(torch.from_numpy(X[train]), 16)
    module.eval()
    with torch.no_grad():
        pred = module(torch.from_numpy(X[valid])).numpy()[:, 0]
    expected = np.mean(((pred - y[valid]) / module.scale.item()) ** 2)
    np.testing.assert_allclose(model.net_.history[-1, "valid_loss"], expected, rtol=1e-4)


def test_regressor_head_is_refitted_by_least_squares_without_validation_split():
    # Regression: the head was trained on noisy masks and batch statistics, so it
    # was off for the inference masks; after the refit the training residuals are
    # orthogonal to the concepts and to the constant.
    X, y = _data()
    model = MagnetsRegressor(**{**TINY, "max_epochs": 3, "early_stopping": False})
    model.fit(X, y)
    assert model.head_alpha_ == 0.0
    concepts = model.explain(X).concepts.astype(np.float64)
    design = np.hstack([concepts, np.ones((len(X), 1))])
    residual = y - model.predict(X)
    scale = np.abs(design).max(0) * np.abs(y).max() * len(X)
    assert np.all(np.abs(design.T @ residual) < 1e-4 * scale)


def test_ridge_helper_spans_least_squares_to_the_mean():
    rng = np.random.default_rng(0)
    design = rng.normal(size=(50, 3)) * [1.0, 10.0, 0.1] + 5.0
    target = rng.normal(size=(50, 2))
    weight, bias = _ridge(design, target, 0.0)
    coef = np.linalg.lstsq(np.hstack([design, np.ones((50, 1))]), target, rcond=None)[0]
    np.testing.assert_allclose(weight, coef[:-1], atol=1e-10)
    np.testing.assert_allclose(bias, coef[-1], atol=1e-10)
    weight, bias = _ridge(design, target, np.inf)
    assert not weight.any()
    np.testing.assert_allclose(bias, target.mean(0))
    design[:, 1] = 3.0  # a dead concept gets no weight
    assert not _ridge(design, target, 1.0)[0][1].any()


def test_regressor_head_is_a_ridge_with_the_validation_penalty():
    X, y = _data(n=120)
    model = MagnetsRegressor(**{**TINY, "max_epochs": 10}).fit(X, y)
    assert np.isclose(model.head_alpha_ / len(X), HEAD_PENALTIES).any()
    # predictions are the ridge fit on the concepts with the chosen penalty
    concepts = model.explain(X).concepts.astype(np.float64)
    loc, scale = y.mean(), y.std()
    weight, bias = _ridge(concepts, ((y - loc) / scale)[:, None], model.head_alpha_)
    np.testing.assert_allclose(
        model.predict(X), ((concepts @ weight + bias) * scale + loc)[:, 0],
        rtol=1e-4, atol=1e-4 * scale,
    )
    assert model.score(X, y) > 0.5  # a learnable target keeps a light penalty


def test_head_penalty_rules_order_the_shrinkage():
    X, y = _data(n=120)
    fits = {
        rule: MagnetsRegressor(**{**TINY, "max_epochs": 10, "head_penalty": rule}).fit(X, y)
        for rule in ("none", "min", "one_se", "min_or_mean")
    }
    # same seed, same masks and bottleneck: only the head differs
    np.testing.assert_array_equal(
        fits["min"].bottleneck_weights_, fits["one_se"].bottleneck_weights_
    )
    assert fits["none"].head_alpha_ == 0.0
    assert 0.0 < fits["min"].head_alpha_ <= fits["one_se"].head_alpha_
    # all or nothing: the best penalty, or the intercept alone
    assert fits["min_or_mean"].head_alpha_ in (fits["min"].head_alpha_, np.inf)
    train_r2 = {rule: model.score(X, y) for rule, model in fits.items()}
    assert train_r2["none"] >= train_r2["min"] >= train_r2["one_se"]


def test_min_or_mean_keeps_a_strong_signal_at_its_best_penalty():
    X, y = _data(n=120)
    rules = ("min", "min_or_mean")
    fits = [MagnetsRegressor(**{**TINY, "max_epochs": 10, "head_penalty": r}).fit(X, y)
            for r in rules]
    assert fits[0].head_alpha_ == fits[1].head_alpha_ < np.inf
    np.testing.assert_allclose(fits[0].predict(X), fits[1].predict(X))


def test_head_penalty_is_validated():
    X, y = _data()
    with pytest.raises(ValueError, match="head_penalty must be one of"):
        MagnetsRegressor(**{**TINY, "head_penalty": "lasso"}).fit(X, y)


def test_regressor_head_shrinks_to_the_mean_on_noise():
    # Regression: on real sets with a weak signal the least-squares head
    # overfitted (CardanoSentiment CV RMSE 0.2953 against the mean's 0.2753).
    X = np.random.default_rng(0).normal(size=(120, 2, 16)).astype(np.float32)
    y = np.random.default_rng(1).normal(size=120)
    model = MagnetsRegressor(**{**TINY, "max_epochs": 10, "random_state": 1}).fit(X, y)
    assert model.head_alpha_ == np.inf
    np.testing.assert_allclose(model.predict(X), y.mean(), rtol=1e-4)


def test_series_too_short_for_unet():
    X, y = _data(length=8)
    with pytest.raises(ValueError, match="needs at least 16 time points"):
        MagnetsRegressor(**{**TINY, "unet_depth": 4}).fit(X, y)


def test_length_not_multiple_of_pooling():
    X, y = _data(length=13)
    model = MagnetsRegressor(**{**TINY, "unet_depth": 2}).fit(X, y)
    assert model.explain(X).masks.shape[-1] == 13


def test_wrong_shape_and_unfitted():
    X, y = _data()
    model = MagnetsRegressor(**TINY)
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        model.explain(X)
    model.fit(X, y)
    with pytest.raises(ValueError, match="time points"):
        model.explain(X[:, :, :10])


@pytest.mark.parametrize("aggregation", ["sum", "mean", "max", "lp"])
def test_magnets_explainer_sums_to_prediction(aggregation):
    from sklearn.frozen import FrozenEstimator

    from sklearn_tsx.explainers import MagnetsExplainer

    X, y = _data()
    model = MagnetsRegressor(**{**TINY, "aggregation": aggregation}).fit(X, y)
    S = MagnetsExplainer(FrozenEstimator(model), batch_size=7).fit(X).explain(X)
    assert S.shape == X.shape
    const = model.head_weights_[0] @ model.bottleneck_bias_ + model.head_bias_[0]
    np.testing.assert_allclose(S.sum(axis=(1, 2)) + const, model.predict(X), atol=1e-4)
    outside = ~model.explain(X).masks.any(axis=2)
    assert np.all(S[outside] == 0)


def test_magnets_explainer_classifier_and_bad_model():
    from sklearn_tsx.explainers import MagnetsExplainer
    from sklearn_tsx.models import GRURegressor

    X, y = _data()
    clf = MagnetsClassifier(**TINY).fit(X, y > np.median(y))
    parts = clf.explain(X)
    S = MagnetsExplainer(clf).fit(X).explain(X, target=1)
    const = clf.head_weights_[1] @ clf.bottleneck_bias_ + clf.head_bias_[1]
    logits = parts.contributions.sum(-1) + parts.bias
    np.testing.assert_allclose(S.sum(axis=(1, 2)) + const, logits[:, 1], atol=1e-4)
    gru = GRURegressor(hidden_size=2, max_epochs=1, random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="MagnetsRegressor"):
        MagnetsExplainer(gru).fit(X)


def test_plots_return_figures():
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from sklearn_tsx.plotting import (
        plot_magnets_bottleneck,
        plot_magnets_contributions,
        plot_magnets_masks,
    )

    X, y = _data()
    model = MagnetsRegressor(**TINY).fit(X, y)
    figs = [
        plot_magnets_masks(model, X, sample=1),
        plot_magnets_bottleneck(model),
        plot_magnets_contributions(model, X, sample=2),
    ]
    assert all(isinstance(f, Figure) for f in figs)
    assert len(figs[0].axes) == 2
    # bias + 2 concepts + prediction
    assert len(figs[2].axes[0].patches) == 4
    with pytest.raises(ValueError, match="sample"):
        plot_magnets_masks(model, X, sample=60)
    multi = MagnetsRegressor(**TINY).fit(X, np.stack([y, y], axis=1))
    with pytest.raises(ValueError, match="output"):
        plot_magnets_contributions(multi, X, output=2)
    plt.close("all")


def test_n_init_keeps_the_training_of_lowest_validation_loss():
    X, y = _data()
    model = MagnetsRegressor(**{**TINY, "max_epochs": 4, "n_init": 3}).fit(X, y)
    assert MagnetsRegressor().n_init == 3 and MagnetsClassifier().n_init == 1
    assert model.init_losses_.shape == (3,)
    assert len(np.unique(model.init_losses_)) == 3  # three different trainings
    assert min(model.validation_loss_curve_) == pytest.approx(model.init_losses_.min())
    assert len(model.loss_curve_) == model.n_iter_
    # the first training is the plain fit of random_state: n_init=1 reproduces it
    single = MagnetsRegressor(**{**TINY, "max_epochs": 4, "n_init": 1}).fit(X, y)
    assert single.init_losses_ == pytest.approx(model.init_losses_[:1])
    # same seed, same choice
    again = clone(model).fit(X, y)
    np.testing.assert_allclose(again.predict(X), model.predict(X), rtol=1e-5)


def test_n_init_without_validation_selects_on_the_final_training_loss():
    X, y = _data()
    model = MagnetsRegressor(
        **{**TINY, "max_epochs": 3, "n_init": 2, "early_stopping": False}
    ).fit(X, y)
    assert model.validation_loss_curve_ is None
    assert model.loss_curve_[-1] == pytest.approx(model.init_losses_.min())


def test_verbose_names_each_training(capsys):
    X, y = _data()
    MagnetsRegressor(**{**TINY, "n_init": 2, "verbose": 1}).fit(X, y)
    out = capsys.readouterr().out
    assert "training 1 of 2" in out and "training 2 of 2" in out
    MagnetsRegressor(**{**TINY, "n_init": 1, "verbose": 1}).fit(X, y)
    assert "training 1 of" not in capsys.readouterr().out


@pytest.mark.parametrize("random_state", [0, np.random.RandomState(0), None])
def test_n_init_validates_every_training_on_the_same_series(random_state, monkeypatch):
    X, y = _data()
    splits = []
    fit_net = MagnetsRegressor._fit_net

    def spy(self, *args, train_split=None, **kwargs):
        splits.append(train_split)
        return fit_net(self, *args, train_split=train_split, **kwargs)

    monkeypatch.setattr(MagnetsRegressor, "_fit_net", spy)
    params = {**TINY, "n_init": 3, "random_state": random_state}
    MagnetsRegressor(**params).fit(X, y)
    assert len(splits) == 3 and splits[0] is splits[1] is splits[2]
