import pickle
import sys

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tsx.models import (
    GRUClassifier,
    GRURegressor,
    InputCellAttentionClassifier,
    InputCellAttentionRegressor,
    LSTMClassifier,
    LSTMRegressor,
    TCNClassifier,
    TCNRegressor,
    TransformerClassifier,
    TransformerRegressor,
)
from sklearn_tsx.models._modules import (
    InputCellAttentionLSTMNet,
    RecurrentNet,
    TransformerNet,
    _patch_tokens,
)
from sklearn_tsx.preprocessing import TimeSeriesStandardScaler

CLASSIFIERS = [
    GRUClassifier,
    LSTMClassifier,
    InputCellAttentionClassifier,
    TCNClassifier,
    TransformerClassifier,
]
REGRESSORS = [
    GRURegressor,
    LSTMRegressor,
    InputCellAttentionRegressor,
    TCNRegressor,
    TransformerRegressor,
]
ALL = CLASSIFIERS + REGRESSORS
SMALL = dict(hidden_size=8, max_epochs=30, lr=0.01, batch_size=32, random_state=0)


def _small(cls, **params):
    if cls in (TransformerClassifier, TransformerRegressor):
        params.setdefault("n_heads", 2)
    if cls in (TCNClassifier, TCNRegressor):
        params.setdefault("num_layers", 2)
    return cls(**{**SMALL, **params})


def _expected_failures(estimator):
    # float32 matrix and convolution kernels block differently for different
    # batch sizes, so a prediction or a class probability may move by a few
    # float32 ulps (~1e-7) between a batch and a subset of it (seen on the
    # regressors and on the TCN classifier); the check's tolerance is 1e-7 absolute.
    failures = {
        "check_methods_subset_invariance": (
            "float32 forward passes differ by a few ulps between batch compositions"
        )
    }
    # Recurrent nets read sklearn's tabular check data (make_regression, 10
    # features) as a length-10 univariate sequence; with the checks' small
    # training budget they do not reach the R^2 > 0.5 the check asks for. The
    # same nets fit real series (test_regressors_learn, the Covid3Month test).
    if isinstance(estimator, (GRURegressor, LSTMRegressor, InputCellAttentionRegressor)):
        failures["check_regressors_train"] = (
            "recurrent net on tabular data read as a sequence: R^2 below 0.5 within "
            "the checks' training budget"
        )
    return failures


@parametrize_with_checks(
    [_small(cls) for cls in ALL], expected_failed_checks=_expected_failures
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _classification_data(rng, n=80, c=2, t=16):
    X = rng.normal(size=(n, c, t)).astype(np.float32)
    y = np.where(X[:, 0, -4:].mean(axis=1) > 0, "up", "down")
    return X, y


def _regression_data(rng, n=80, c=2, t=16):
    X = rng.normal(size=(n, c, t)).astype(np.float32)
    return X, X[:, 0, -4:].sum(axis=1) + 0.5 * X[:, 1, -1]


@pytest.mark.parametrize("cls", CLASSIFIERS)
def test_classifiers_learn_any_label_type(cls, rng):
    X, y = _classification_data(rng)
    # the training fit, not generalisation: no validation split to stop on
    clf = _small(cls, max_epochs=60, early_stopping=False).fit(X, y)
    assert set(clf.classes_) == {"down", "up"}
    assert clf.predict(X).dtype == clf.classes_.dtype
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert clf.score(X, y) > 0.75


@pytest.mark.parametrize("cls", REGRESSORS)
def test_regressors_learn(cls, rng):
    X, y = _regression_data(rng)
    reg = _small(cls, max_epochs=60, early_stopping=False).fit(X, y)
    assert reg.predict(X).shape == (len(X),)
    assert reg.score(X, y) > 0.5


@pytest.mark.parametrize("cls", [GRURegressor, TCNRegressor])
def test_multi_output_regression(cls, rng):
    X, y = _regression_data(rng)
    Y = np.stack([y, -2 * y], axis=1)
    reg = _small(cls).fit(X, Y)
    assert reg.n_outputs_ == 2
    assert reg.predict(X).shape == (len(X), 2)
    assert reg.module_(torch.from_numpy(X[:3])).shape == (3, 2)


@pytest.mark.parametrize("cls", ALL)
def test_sequence_output(cls, rng):
    X = rng.normal(size=(30, 2, 12)).astype(np.float32)
    if cls in CLASSIFIERS:
        y = (np.cumsum(X[:, 0], axis=1) > 0).astype(int)
    else:
        y = np.cumsum(X[:, 0], axis=1)
    model = _small(cls, max_epochs=3, sequence_output=True).fit(X, y)
    assert model.predict(X).shape == (30, 12)
    if cls in CLASSIFIERS:
        assert model.predict_proba(X).shape == (30, 12, 2)
        assert 0 <= model.score(X, y) <= 1
    with pytest.raises(ValueError, match="one label per time step"):
        clone(model).fit(X, y[:, :5])


@pytest.mark.parametrize("pooling", ["mean", "max"])
def test_tcn_pooling_reaches_steps_beyond_the_receptive_field(pooling, rng):
    # Two blocks of kernel 3 see 1 + 2 * 2 * 3 = 13 steps: the last-step read-out
    # ignores the first 7 of 20 steps; pooled read-outs depend on every step.
    X = rng.normal(size=(40, 2, 20)).astype(np.float32)
    y = X[:, 0, :5].mean(axis=1)
    last = _small(TCNRegressor, max_epochs=2).fit(X, y)
    pooled = _small(TCNRegressor, max_epochs=2, pooling=pooling).fit(X, y)
    x = torch.from_numpy(X[:4]).requires_grad_()
    last.module_(x).sum().backward()
    assert torch.all(x.grad[:, :, :7] == 0)
    x.grad = None
    pooled.module_(x).sum().backward()
    assert torch.all(x.grad[:, :, :7].abs().sum(dim=(1, 2)) > 0)
    assert pooled.predict(X).shape == (40,)
    # With a sequence output, pooling does not apply: one prediction per step.
    seq = _small(TCNRegressor, max_epochs=1, pooling=pooling, sequence_output=True)
    assert seq.fit(X, X[:, 0]).predict(X).shape == (40, 20)


@pytest.mark.parametrize("cls", [GRURegressor, LSTMRegressor])
@pytest.mark.parametrize("pooling", ["last", "mean", "max", "concat"])
def test_recurrent_pooling_reads_out_the_pooled_hidden_states(cls, pooling, rng):
    X = rng.normal(size=(30, 2, 12)).astype(np.float32)
    model = _small(cls, max_epochs=1, pooling=pooling).fit(X, X[:, 0].mean(axis=1))
    net = model.module_.module.module  # behind the input and output scaling
    x = torch.from_numpy(X[:5])
    with torch.no_grad():
        z = (x - model.module_.module.loc) / model.module_.module.scale
        h, _ = net.rnn(z.transpose(1, 2))
        pooled = {
            "last": h[:, -1],
            "mean": h.mean(1),
            "max": h.amax(1),
            "concat": torch.cat([h[:, -1], h.amax(1), h.mean(1)], dim=1),
        }[pooling]
        torch.testing.assert_close(net(z), net.head.linear(pooled))
    message = "pooling must be 'last', 'mean', 'max' or 'concat'"
    with pytest.raises(ValueError, match=message):
        clone(model).set_params(pooling="sum").fit(X, X[:, 0, 0])
    # the recurrent read-out does not extend to the TCN's pooling
    with pytest.raises(ValueError, match="pooling must be 'last', 'mean' or 'max',"):
        _small(TCNRegressor, pooling="concat").fit(X, X[:, 0, 0])


def test_recurrent_classifiers_pool_by_default_regressors_read_the_last_step(rng):
    assert GRUClassifier().pooling == LSTMClassifier().pooling == "concat"
    assert GRURegressor().pooling == LSTMRegressor().pooling == "last"
    X = rng.normal(size=(20, 1, 16)).astype(np.float32)
    model = _small(GRUClassifier, max_epochs=1).fit(X, np.arange(20) % 2)
    assert model.module_.module.head.pooling == "concat"
    assert model.module_.module.head.linear.in_features == 3 * model.hidden_size
    # with one output per step there is nothing to pool
    seq = _small(LSTMClassifier, max_epochs=1, sequence_output=True)
    seq.fit(X, rng.integers(0, 2, size=(20, 16)))
    assert seq.module_.module.head.linear.in_features == seq.hidden_size



def test_recurrent_classifiers_train_faster_with_clipped_gradients(rng):
    assert GRUClassifier().lr == LSTMClassifier().lr == 1e-2
    assert GRURegressor().lr == LSTMRegressor().lr == TCNClassifier().lr == 1e-3
    X = rng.normal(size=(20, 1, 16)).astype(np.float32)
    y = np.arange(20) % 2
    for cls in (GRUClassifier, LSTMClassifier):
        callbacks = dict(_small(cls, max_epochs=1).fit(X, y).net_.callbacks_)
        assert callbacks["gradient_clipping"].gradient_clip_value == 1.0
    for model in (_small(GRUClassifier, max_grad_norm=None), _small(GRURegressor),
                  _small(TCNClassifier)):
        assert "gradient_clipping" not in dict(
            model.set_params(max_epochs=1).fit(X, y).net_.callbacks_)


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), float("inf"), "1", True])
def test_invalid_max_grad_norm_is_refused(value, rng):
    X = rng.normal(size=(20, 1, 16)).astype(np.float32)
    with pytest.raises(ValueError, match="max_grad_norm must be a positive number"):
        _small(GRUClassifier, max_grad_norm=value, max_epochs=1).fit(X, np.arange(20) % 2)

@pytest.mark.parametrize("pooling", ["last", "concat"])
def test_input_cell_attention_pools_its_hidden_states(pooling, rng):
    X = rng.normal(size=(20, 2, 10)).astype(np.float32)
    model = _small(InputCellAttentionRegressor, max_epochs=1, pooling=pooling)
    model.fit(X, X[:, 0].mean(axis=1))
    head = model.module_.module.module.head
    assert head.pooling == pooling
    assert head.linear.in_features == (3 if pooling == "concat" else 1) * 8
    assert model.predict(X).shape == (20,)
    with pytest.raises(ValueError, match="pooling must be 'last', 'mean', 'max' or"):
        clone(model).set_params(pooling="sum").fit(X, X[:, 0, 0])


def test_recurrent_head_unpickled_from_before_pooling_reads_the_last_step(rng):
    model = _small(GRURegressor, max_epochs=1).fit(
        rng.normal(size=(20, 1, 8)).astype(np.float32), rng.normal(size=20)
    )
    head = model.module_.module.module.head
    del head.__dict__["pooling"]
    assert pickle.loads(pickle.dumps(head)).pooling == "last"


def test_tcn_classifier_reads_out_every_step_by_default(rng):
    X = rng.normal(size=(20, 2, 30)).astype(np.float32)
    model = TCNClassifier(hidden_size=4, num_layers=2, max_epochs=1, random_state=0)
    model.fit(X, np.arange(20) % 2)
    assert model.pooling == "mean" and TCNRegressor().pooling == "last"
    x = torch.from_numpy(X[:3]).requires_grad_()
    model.module_(x).sum().backward()
    assert torch.all(x.grad[:, :, :10].abs().sum(dim=(1, 2)) > 0)


def test_tcn_classifier_batch_normalises_by_default(rng):
    # 3-fold CV accuracy on OSULeaf's training split: 0.935 with batch
    # normalisation, 0.655 without (see TCNClassifier's docstring).
    assert TCNClassifier().normalization == "batch"
    assert TCNRegressor().normalization is None
    X = rng.normal(size=(20, 2, 16)).astype(np.float32)
    y = np.arange(20) % 2
    for cls, expected in ((TCNClassifier, 4), (TCNRegressor, 0)):
        model = _small(cls, max_epochs=1).fit(X, y)
        n_norm = sum(isinstance(m, torch.nn.BatchNorm1d) for m in model.module_.modules())
        assert n_norm == expected


def test_tcn_batch_norm_trains_on_a_single_value_per_channel():
    from sklearn_tsx.models._modules import _TemporalBatchNorm

    norm = _TemporalBatchNorm(3).train()
    x = torch.ones(1, 3, 1)
    np.testing.assert_allclose(norm(x).detach().numpy(), norm.eval()(x).detach().numpy())
    # one sample of several steps has a spread: batch statistics apply
    out = norm.train()(torch.arange(6.0).reshape(1, 3, 2))
    np.testing.assert_allclose(out.mean(dim=2).detach().numpy(), 0.0, atol=1e-6)


def test_tcn_pickled_before_relu_and_norm_modules_still_loads(rng):
    import pickle

    X = rng.normal(size=(20, 2, 16)).astype(np.float32)
    model = TCNClassifier(hidden_size=4, num_layers=2, max_epochs=1, random_state=0,
                          normalization=None)
    model.fit(X, np.arange(20) % 2)
    expected = model.predict_proba(X)
    old = pickle.loads(pickle.dumps(model))
    for block in old.module_.modules():
        for name in ("relu1", "relu2", "relu_out", "norm1", "norm2"):
            block._modules.pop(name, None)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(old)).predict_proba(X), expected)


def test_patches_hold_consecutive_steps_of_every_channel(rng):
    x = torch.as_tensor(rng.normal(size=(5, 2, 10)).astype(np.float32))
    tokens = _patch_tokens(x, 4)
    # 10 steps, zero-padded at the start to 12: three patches, the last ends at step 9
    assert tokens.shape == (5, 3, 8)
    torch.testing.assert_close(tokens[:, 2], torch.cat([x[:, 0, 6:], x[:, 1, 6:]], 1))
    torch.testing.assert_close(tokens[:, 0, :2], torch.zeros(5, 2))
    torch.testing.assert_close(tokens[:, 0, 2:4], x[:, 0, :2])
    torch.testing.assert_close(tokens[:, 0, 6:], x[:, 1, :2])
    torch.testing.assert_close(_patch_tokens(x, 1), x.transpose(1, 2))


# nets that attend over patches by default
PATCHED = [TransformerClassifier, TransformerRegressor, InputCellAttentionClassifier,
           InputCellAttentionRegressor]


def _net_of(model):
    module = model.module_
    while not isinstance(module, (TransformerNet, InputCellAttentionLSTMNet, RecurrentNet)):
        module = module.module
    return module


def _fit_patched(cls, n_timepoints, params, rng):
    X = rng.normal(size=(12, 2, n_timepoints)).astype(np.float32)
    if cls in REGRESSORS:
        y = X[:, 0] if params.get("sequence_output") else X[:, 0, -3:].mean(1)
    else:
        y = (X[:, 0] > 0).astype(int) if params.get("sequence_output") else np.arange(12) % 2
    model = _small(cls, max_epochs=1, **params).fit(X, y)
    assert model.predict(X).shape == y.shape
    assert _net_of(model).patch_size == model.patch_size_
    return model.patch_size_


@pytest.mark.parametrize("cls", PATCHED)
@pytest.mark.parametrize(
    "n_timepoints, params, expected",
    [(100, {}, 4), (32, {}, 1), (33, {}, 2), (427, {}, 14), (100, {"patch_size": 1}, 1),
     (100, {"patch_size": 7}, 7), (100, {"sequence_output": True}, 1)],
)
def test_auto_patch_size_keeps_at_most_32_tokens(cls, n_timepoints, params, expected, rng):
    assert _fit_patched(cls, n_timepoints, params, rng) == expected


@pytest.mark.parametrize("cls", [TransformerClassifier, TransformerRegressor])
@pytest.mark.parametrize(
    "params, resolved",
    [({"positional_encoding": "auto"}, None),
     ({"positional_encoding": "auto", "patch_size": 1}, "sinusoidal"),
     ({"positional_encoding": "sinusoidal"}, "sinusoidal"),
     ({"patch_size": 1, "positional_encoding": None}, None)],
)
def test_transformer_positions_over_single_steps_only_by_default(cls, params, resolved,
                                                                 rng):
    X = rng.normal(size=(12, 2, 40)).astype(np.float32)
    y = np.arange(12) % 2 if cls is TransformerClassifier else X[:, 0, -3:].mean(1)
    model = _small(cls, max_epochs=1, **params).fit(X, y)
    assert model.positional_encoding_ == resolved
    assert _net_of(model).positions is (resolved is not None)


def test_transformer_classifier_drops_positions_over_patches_by_default():
    # measured: the classifier's CV gained on long series, the regressor's lost on spectra
    assert TransformerClassifier().positional_encoding == "auto"
    assert TransformerRegressor().positional_encoding == "sinusoidal"


def test_transformer_without_positions_sees_its_patches_as_a_set(rng):
    X = rng.normal(size=(12, 1, 16)).astype(np.float32)
    model = _small(TransformerClassifier, max_epochs=2, patch_size=4).fit(
        X, np.arange(12) % 2)
    shuffled = X.reshape(12, 1, 4, 4)[:, :, [2, 0, 3, 1]].reshape(12, 1, 16)
    np.testing.assert_allclose(model.predict_proba(shuffled), model.predict_proba(X),
                               rtol=1e-5, atol=1e-6)
    positioned = clone(model).set_params(positional_encoding="sinusoidal").fit(
        X, np.arange(12) % 2)
    assert not np.allclose(positioned.predict_proba(shuffled), positioned.predict_proba(X))


@pytest.mark.parametrize("value", ["learned", 1, True])
def test_bad_positional_encoding_is_refused(value, rng):
    X = rng.normal(size=(10, 2, 12)).astype(np.float32)
    with pytest.raises(ValueError, match="positional_encoding must be 'auto'"):
        TransformerClassifier(positional_encoding=value).fit(X, np.arange(10) % 2)


def test_transformer_pickled_before_positional_encoding_keeps_its_positions(rng):
    X = rng.normal(size=(12, 2, 10)).astype(np.float32)
    model = _small(TransformerClassifier, max_epochs=1, patch_size=1).fit(
        X, np.arange(12) % 2)
    expected = model.predict_proba(X)
    old = pickle.loads(pickle.dumps(model))
    del _net_of(old).positions
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(old)).predict_proba(X), expected)


RECURRENT = [GRUClassifier, GRURegressor, LSTMClassifier, LSTMRegressor]


@pytest.mark.parametrize("cls", RECURRENT)
@pytest.mark.parametrize(
    "n_timepoints, params, expected",
    [(512, {}, 1), (513, {}, 2), (1460, {}, 3), (100, {"patch_size": 7}, 7),
     (600, {"sequence_output": True}, 1)],
)
def test_auto_patch_size_keeps_a_recurrence_to_at_most_512_inputs(
        cls, n_timepoints, params, expected, rng):
    params = {"patch_size": "auto", **params}
    assert _fit_patched(cls, n_timepoints, params, rng) == expected


def test_recurrent_classifiers_patch_long_series_by_default():
    # measured for classification only (see patch_size); the regressors keep steps
    assert GRUClassifier().patch_size == LSTMClassifier().patch_size == "auto"
    assert GRURegressor().patch_size == LSTMRegressor().patch_size == 1


@pytest.mark.parametrize("cls", [TransformerClassifier, InputCellAttentionClassifier,
                                 GRUClassifier])
def test_patches_pass_gradients_to_every_step(cls, rng):
    X = rng.normal(size=(12, 1, 30)).astype(np.float32)
    model = _small(cls, max_epochs=2, patch_size=8).fit(X, np.arange(12) % 2)
    x = torch.as_tensor(X[:2], dtype=torch.float32).requires_grad_()
    model.module_.eval()
    model.module_(x)[:, 1].sum().backward()
    assert (x.grad.abs().sum(0) > 0).all()


@pytest.mark.parametrize("cls", [TransformerClassifier, InputCellAttentionClassifier,
                                 LSTMClassifier])
@pytest.mark.parametrize(
    "params, message",
    [({"patch_size": 0}, "patch_size must be an integer >= 1"),
     ({"patch_size": 2.5}, "patch_size must be an integer >= 1"),
     ({"patch_size": "big"}, "patch_size must be an integer >= 1"),
     ({"patch_size": 4, "sequence_output": True}, "needs patch_size=1")],
)
def test_bad_patch_size_is_refused(cls, params, message, rng):
    X = rng.normal(size=(10, 2, 12)).astype(np.float32)
    y = (X[:, 0] > 0).astype(int) if params.get("sequence_output") else np.arange(10) % 2
    with pytest.raises(ValueError, match=message):
        cls(**params).fit(X, y)


@pytest.mark.parametrize("cls", [TransformerClassifier, InputCellAttentionClassifier,
                                 GRUClassifier])
def test_net_pickled_before_patching_still_loads(cls, rng):
    X = rng.normal(size=(12, 2, 10)).astype(np.float32)
    model = _small(cls, max_epochs=1, patch_size=1).fit(X, np.arange(12) % 2)
    expected = model.predict_proba(X)
    old = pickle.loads(pickle.dumps(model))
    del _net_of(old).patch_size
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(old)).predict_proba(X), expected)


@pytest.mark.parametrize(
    "cls, params",
    [(GRURegressor, {}), (InputCellAttentionRegressor, {}), (TCNRegressor, {}),
     (TCNRegressor, {"normalization": "batch"}), (TransformerRegressor, {})],
)
def test_sequence_output_is_causal(cls, params, rng):
    X = rng.normal(size=(10, 2, 12)).astype(np.float32)
    model = _small(cls, max_epochs=2, sequence_output=True, **params).fit(X, X[:, 0])
    X_future = X.copy()
    X_future[:, :, 8:] += 5.0
    np.testing.assert_allclose(
        model.predict(X)[:, :8], model.predict(X_future)[:, :8], rtol=1e-4, atol=1e-5
    )


def test_input_cell_attention_matches_stepwise_definition(rng):
    torch.manual_seed(0)
    net = InputCellAttentionLSTMNet(3, 2, 5, 1, attention_hops=2, attention_size=4,
                                    dropout=0.0, sequence_output=True).eval()
    x = torch.from_numpy(rng.normal(size=(2, 3, 7)).astype(np.float32))
    steps = []
    inputs = x.transpose(1, 2)
    for t in range(7):
        past = inputs[:, : t + 1]  # (batch, t+1, channels)
        weights = torch.softmax(net.w2(torch.tanh(net.w1(past))), dim=1)  # over past steps
        steps.append(torch.einsum("bsr,bsc->brc", weights, past).flatten(1))
    h, _ = net.rnn(torch.stack(steps, dim=1))
    with torch.no_grad():
        np.testing.assert_allclose(net(x), net.head(h), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", ALL)
def test_predictions_do_not_depend_on_the_batch(cls, rng):
    # scikit-learn's subset-invariance check at a float32 tolerance (its own 1e-7
    # absolute is a few ulps: expected to fail, see _expected_failures)
    make = _classification_data if cls in CLASSIFIERS else _regression_data
    X, y = make(rng, n=40)
    model = _small(cls, max_epochs=2).fit(X, y)
    methods = ["predict_proba"] if cls in CLASSIFIERS else ["predict"]
    for method in methods:
        whole = getattr(model, method)(X)
        parts = np.concatenate([getattr(model, method)(X[i : i + 7]) for i in range(0, 40, 7)])
        np.testing.assert_allclose(parts, whole, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", [GRUClassifier, TransformerRegressor])
def test_same_random_state_same_predictions(cls, rng):
    X, y = (_classification_data if cls in CLASSIFIERS else _regression_data)(rng)
    a = _small(cls, max_epochs=5, dropout=0.2).fit(X, y)
    b = _small(cls, max_epochs=5, dropout=0.2).fit(X, y)
    c = _small(cls, max_epochs=5, dropout=0.2, random_state=1).fit(X, y)
    method = "predict_proba" if cls in CLASSIFIERS else "predict"
    np.testing.assert_array_equal(getattr(a, method)(X), getattr(b, method)(X))
    assert not np.allclose(getattr(a, method)(X), getattr(c, method)(X))


def test_fit_leaves_global_torch_rng_alone(rng):
    X, y = _regression_data(rng)
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _small(TCNRegressor, max_epochs=2).fit(X, y)
    np.testing.assert_array_equal(torch.rand(3), expected)


@pytest.mark.parametrize("cls", [LSTMClassifier, TCNRegressor])
def test_pickle_round_trip(cls, rng):
    X, y = (_classification_data if cls in CLASSIFIERS else _regression_data)(rng)
    model = _small(cls, max_epochs=3).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(model.predict(X), restored.predict(X))


def test_clone_is_unfitted_with_same_params(rng):
    model = _small(GRUClassifier).fit(*_classification_data(rng))
    cloned = clone(model)
    assert cloned.get_params() == model.get_params()
    assert not hasattr(cloned, "net_")


def test_pipeline_grid_search_and_cross_validation(rng):
    X, y = _regression_data(rng, n=60)
    pipe = make_pipeline(TimeSeriesStandardScaler(), _small(TCNRegressor, max_epochs=10))
    search = GridSearchCV(pipe, {"tcnregressor__hidden_size": [4, 8]}, cv=2, n_jobs=2)
    search.fit(X, y)
    assert search.best_params_["tcnregressor__hidden_size"] in (4, 8)
    assert search.predict(X).shape == (60,)
    scores = cross_val_score(_small(TCNRegressor, max_epochs=10), X, y, cv=3)
    assert scores.shape == (3,) and np.all(np.isfinite(scores))


def test_sktime_formats_give_identical_predictions(rng):
    from sktime.datatypes import convert_to

    X, y = _classification_data(rng, n=40)
    model = _small(GRUClassifier, max_epochs=3).fit(convert_to(X, to_type="nested_univ"), y)
    expected = model.predict_proba(X)
    for mtype in ("nested_univ", "pd-multiindex"):
        np.testing.assert_allclose(
            model.predict_proba(convert_to(X, to_type=mtype)), expected, rtol=1e-6
        )


class TestBadInput:
    @pytest.fixture
    def fitted(self, rng):
        X, y = _classification_data(rng, n=30)
        return _small(GRUClassifier, max_epochs=1).fit(X, y), X, y

    def test_nan_and_inf(self, fitted):
        model, X, y = fitted
        for bad in (np.nan, np.inf):
            X_bad = X.copy()
            X_bad[0, 1, 3] = bad
            with pytest.raises(ValueError, match="NaN|infinity"):
                model.predict(X_bad)
            with pytest.raises(ValueError, match="NaN|infinity"):
                clone(model).fit(X_bad, y)

    def test_channel_and_length_mismatch(self, fitted):
        model, X, y = fitted
        with pytest.raises(ValueError, match="3 channels x 16 time points.*2 x 16"):
            model.predict(np.concatenate([X, X[:, :1]], axis=1))
        with pytest.raises(ValueError, match="mismatch in time points"):
            model.predict(X[:, :, :10])

    def test_wrong_dimensions_and_empty(self, fitted):
        model, X, y = fitted
        with pytest.raises(ValueError, match="Reshape your data"):
            model.predict(X[0, 0])
        with pytest.raises(ValueError, match="minimum of 1"):
            model.predict(X[:0])

    def test_unfitted(self, rng):
        from sklearn.exceptions import NotFittedError

        X, _ = _classification_data(rng, n=5)
        with pytest.raises(NotFittedError):
            GRUClassifier().predict(X)
        with pytest.raises(NotFittedError):
            _ = GRUClassifier().module_

    def test_input_untouched(self, fitted):
        model, X, y = fitted
        X_before = X.copy()
        model.predict(X)
        clone(model).fit(X, y)
        np.testing.assert_array_equal(X, X_before)

    @pytest.mark.parametrize(
        "params, message",
        [
            (dict(hidden_size=0), "hidden_size"),
            (dict(num_layers=1.5), "num_layers"),
            (dict(dropout=1.0), "dropout"),
            (dict(lr=0), "lr"),
            (dict(batch_size=-1), "batch_size"),
            (dict(weight_decay=-1.0), "weight_decay"),
        ],
    )
    def test_bad_params(self, fitted, params, message):
        model, X, y = fitted
        with pytest.raises(ValueError, match=message):
            clone(model).set_params(**params).fit(X, y)

    def test_architecture_params(self, rng):
        X, y = _classification_data(rng, n=10)
        with pytest.raises(ValueError, match="multiple of n_heads"):
            TransformerClassifier(hidden_size=10, n_heads=4).fit(X, y)
        with pytest.raises(ValueError, match="kernel_size"):
            TCNClassifier(kernel_size=0).fit(X, y)
        with pytest.raises(ValueError, match="pooling must be 'last', 'mean' or 'max'"):
            TCNClassifier(pooling="sum").fit(X, y)
        with pytest.raises(ValueError, match="normalization must be 'batch' or None"):
            TCNClassifier(normalization="layer").fit(X, y)
        with pytest.raises(ValueError, match="attention_hops"):
            InputCellAttentionClassifier(attention_hops=0).fit(X, y)

    def test_single_class_and_cuda(self, rng):
        X, _ = _classification_data(rng, n=10)
        with pytest.raises(ValueError, match="only one class"):
            GRUClassifier().fit(X, np.zeros(10))
        if not torch.cuda.is_available():
            with pytest.raises(ValueError, match="CUDA is not available"):
                GRUClassifier(device="cuda").fit(X, np.arange(10) % 2)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gpu_trained_model_unpickles_on_cpu(rng, tmp_path, monkeypatch):
    X, y = _classification_data(rng, n=40)
    model = _small(GRUClassifier, device="cuda", max_epochs=3).fit(X, y)
    expected = model.predict_proba(X)
    blob = pickle.dumps(model)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(Warning):
        restored = pickle.loads(blob)
    np.testing.assert_allclose(restored.predict_proba(X), expected, rtol=1e-4, atol=1e-5)



class TestTraining:
    """Validation split, early stopping, budget, schedule, input scaling and the
    non-finite loss guard."""

    def test_early_stopping_restores_the_best_epoch(self, rng, monkeypatch):
        # misses from the first epoch on (a net fitting noise may never leave its
        # plateau: see test_early_stopping_waits_out_the_initial_plateau)
        monkeypatch.setattr("sklearn_tsx.models._base.PLATEAU_DROP", 0.0)
        X = rng.normal(size=(60, 2, 8)).astype(np.float32)
        y = rng.normal(size=60)  # noise: the validation loss soon stops improving
        # 54 training series in batches of 2: 27 steps an epoch, so the patience
        # is n_iter_no_change epochs, more than the minimum of 100 steps
        model = _small(GRURegressor, early_stopping=True, n_iter_no_change=4,
                       batch_size=2, max_epochs=40).fit(X, y)
        valid = np.array(model.validation_loss_curve_)
        assert len(valid) == len(model.loss_curve_) == model.n_iter_ < 40
        best = int(np.argmin(valid))
        assert model.n_iter_ == best + 1 + 4
        # the restored weights are the best epoch's: their validation loss is its
        held_out = model.net_.train_split(X, y)[1].indices
        assert len(held_out) == 6  # ceil(0.1 * 60)
        loss = np.mean(((model.predict(X[held_out]) - y[held_out]) / y.std()) ** 2)
        np.testing.assert_allclose(loss, valid[best], rtol=1e-4)

    def test_patience_is_at_least_100_steps(self, rng, monkeypatch):
        # 36 training series in one batch: an epoch is one step, and 10 epochs
        # of patience used to stop a small set before it learned anything
        monkeypatch.setattr("sklearn_tsx.models._base.PLATEAU_DROP", 0.0)
        X = rng.normal(size=(40, 1, 6)).astype(np.float32)
        y = rng.normal(size=40)  # noise: nothing to improve on
        model = _small(GRURegressor, hidden_size=2, early_stopping=True,
                       batch_size=64, max_epochs=300).fit(X, y)
        early = dict(model.net_.callbacks_)["early_stopping"]
        assert early.patience == 100
        assert 100 < model.n_iter_ < 300

    def test_early_stopping_waits_out_the_initial_plateau(self):
        # Regression: an LSTM whose training loss sat at its first value for 150
        # steps was stopped there, as the mean predictor. Misses count only once
        # the training loss has fallen PLATEAU_DROP below its first epoch's.
        from skorch.history import History

        from sklearn_tsx.models._base import PLATEAU_DROP, _PlateauAwareEarlyStopping

        class Net:
            module_ = torch.nn.Linear(1, 1)
            history = History()
            verbose = 0

        net = Net()
        early = _PlateauAwareEarlyStopping(patience=3, load_best=True)
        early.on_train_begin(net)

        def epoch(train_loss, valid_loss):
            net.history.new_epoch()
            net.history.record("epoch", len(net.history))
            net.history.record("train_loss", train_loss)
            net.history.record("valid_loss", valid_loss)
            early.on_epoch_end(net)

        epoch(1.0, 0.5)  # the best validation loss comes first
        for _ in range(10):  # a plateau longer than the patience: no stop
            epoch(1.0 - PLATEAU_DROP / 2, 0.6)
        assert early.best_epoch_ == 1 and early.misses_ == 0
        epoch(0.9 - PLATEAU_DROP, 0.4)  # learning starts, and improves
        assert early.best_epoch_ == 12
        epoch(0.5, 0.45)
        epoch(0.4, 0.45)
        with pytest.raises(KeyboardInterrupt):
            epoch(0.3, 0.45)
        assert early.best_epoch_ == 12

    def test_classifier_split_is_stratified(self, rng):
        X, y = _classification_data(rng, n=40)
        model = _small(GRUClassifier, early_stopping=True, max_epochs=2).fit(X, y)
        assert model.net_.train_split.stratified
        held_out = model.net_.train_split(X, model.classes_.searchsorted(y))[1].indices
        assert set(y[held_out]) == {"down", "up"}
        seq = _small(GRUClassifier, early_stopping=True, max_epochs=1,
                     sequence_output=True).fit(X, (X[:, 0] > 0).astype(int))
        assert not seq.net_.train_split.stratified

    def test_without_early_stopping_all_epochs_run(self, rng):
        X, y = _regression_data(rng, n=30)
        model = _small(TCNRegressor, early_stopping=False, max_epochs=4).fit(X, y)
        assert model.n_iter_ == 4 and model.net_.train_split is None
        assert model.validation_loss_curve_ is None

    @pytest.mark.parametrize(
        "early_stopping, min_epochs, expected",
        # 40 series, batch 4: 10 steps an epoch, 9 once 4 are held out for validation
        [(False, 2, 3), (True, 2, 4), (False, 5, 5)],
    )
    def test_auto_budget_counts_optimisation_steps(
        self, rng, monkeypatch, early_stopping, min_epochs, expected
    ):
        from sklearn_tsx.models import _base

        monkeypatch.setattr(_base, "AUTO_MIN_STEPS", 30)
        monkeypatch.setattr(_base, "AUTO_MIN_EPOCHS", min_epochs)
        X, y = _regression_data(rng, n=40, t=4)
        model = TCNRegressor(hidden_size=2, num_layers=1, batch_size=4,
                             early_stopping=early_stopping, random_state=0).fit(X, y)
        assert model.net_.max_epochs == expected

    def test_cosine_schedule_anneals_to_zero(self, rng):
        X, y = _regression_data(rng, n=30)
        model = _small(TCNRegressor, early_stopping=False, max_epochs=5, lr=0.01).fit(X, y)
        lrs = model.net_.history[:, "event_lr"]
        assert lrs[0] == 0.01 and np.all(np.diff(lrs) < 0)
        const = _small(TCNRegressor, early_stopping=False, max_epochs=5,
                       lr_schedule="constant").fit(X, y)
        assert "event_lr" not in const.net_.history[-1]

    @pytest.mark.parametrize("cls", [TCNRegressor, GRUClassifier])
    def test_input_scaling_makes_the_units_irrelevant(self, cls, rng):
        make = _classification_data if cls in CLASSIFIERS else _regression_data
        X, y = make(rng, n=40)
        raw = X * np.array([1e4, 1e-3], dtype=np.float32)[:, None] + 50
        method = "predict_proba" if cls in CLASSIFIERS else "predict"
        a = _small(cls, max_epochs=3).fit(X, y)
        b = _small(cls, max_epochs=3).fit(raw, y)
        np.testing.assert_allclose(getattr(b, method)(raw), getattr(a, method)(X),
                                   rtol=1e-3, atol=1e-3)

    @pytest.mark.parametrize("per, shape", [("channel", (2, 1)), ("timepoint", (2, 16))])
    def test_input_scaling_is_part_of_the_module(self, per, shape, rng):
        from sklearn_tsx.models._modules import ScaledInput
        from sklearn_tsx.preprocessing import _standardisation_statistics

        X, y = _regression_data(rng, n=30)
        model = _small(GRURegressor, max_epochs=1, input_scaling=per).fit(X, y)
        scaled = model.module_.module
        assert isinstance(scaled, ScaledInput) and scaled.loc.shape == shape
        loc, scale = _standardisation_statistics(X, per)
        np.testing.assert_allclose(scaled.loc, loc, rtol=1e-5)
        np.testing.assert_allclose(scaled.scale, scale, rtol=1e-5)
        none = _small(GRURegressor, max_epochs=1, input_scaling=None).fit(X, y)
        assert not isinstance(none.module_.module, ScaledInput)

    def test_huge_targets_train_in_standardised_units(self, rng):
        X, y = _regression_data(rng)
        model = _small(TCNRegressor, max_epochs=30, early_stopping=False).fit(X, 1e30 * y)
        pred = model.predict(X)
        assert np.all(np.isfinite(pred)) and model.score(X, 1e30 * y) > 0.3
        with np.errstate(over="ignore", invalid="ignore"), pytest.raises(
            ValueError, match="too large for dtype..float32"
        ):
            clone(model).fit(X, 1e300 * y)

    @pytest.mark.parametrize(
        "params, X_scale",
        [(dict(input_scaling=None), 1e37), (dict(lr=1e20), 1.0)],
    )
    def test_non_finite_loss_raises(self, params, X_scale, rng):
        X, y = _regression_data(rng, n=20)
        model = _small(TCNRegressor, max_epochs=3, early_stopping=False, **params)
        with pytest.raises(FloatingPointError, match=r"at epoch \d+ .*lower lr"):
            model.fit(X * np.float32(X_scale), y)

    def test_steps_with_non_finite_gradients_are_skipped(self):
        from types import SimpleNamespace

        from sklearn_tsx.models._base import MAX_SKIPPED_STEPS, _FiniteGradientGuard

        guard = _FiniteGradientGuard().initialize()
        net = SimpleNamespace(history=[{}] * 3, lr=0.01)
        weight = torch.nn.Parameter(torch.ones(3))
        named = [("weight", weight)]
        weight.grad = torch.tensor([1.0, float("nan"), 2.0])
        guard.on_grad_computed(net, named)
        assert weight.grad is None and guard.skipped_steps_ == 1
        optimizer = torch.optim.AdamW([weight], lr=0.1)
        optimizer.step()  # a parameter without a gradient is left as it was
        assert torch.equal(weight.detach(), torch.ones(3))
        weight.grad = torch.tensor([1.0, 2.0, 3.0])  # a finite step resets the run
        guard.on_grad_computed(net, named)
        assert weight.grad is not None and guard._in_a_row == 0
        with pytest.warns(RuntimeWarning, match="1 optimisation step.* skipped"):
            guard.on_train_end(net)
        for _ in range(MAX_SKIPPED_STEPS - 1):
            weight.grad = torch.tensor([float("inf"), 0.0, 0.0])
            guard.on_grad_computed(net, named)
        weight.grad = torch.tensor([float("inf"), 0.0, 0.0])
        with pytest.raises(FloatingPointError, match=f"{MAX_SKIPPED_STEPS} optimisation "
                           r"steps in a row \(epoch 3\).*lower lr"):
            guard.on_grad_computed(net, named)

    def test_every_net_guards_its_gradients(self, rng):
        X, y = _regression_data(rng, n=20)
        model = _small(TCNRegressor, max_epochs=1, early_stopping=False).fit(X, y)
        callbacks = dict(model.net_.callbacks_)
        assert callbacks["finite_gradients"].skipped_steps_ == 0
        # it runs first, before clipping could spread a non-finite norm
        names = [name for name, _ in model.net_.callbacks_]
        clipped = _small(GRUClassifier, max_epochs=1).fit(
            X, np.arange(20) % 2).net_.callbacks_
        order = [name for name, _ in clipped]
        assert order.index("finite_gradients") < order.index("gradient_clipping")
        assert "finite_gradients" in names

    def test_epoch_table_is_plain_text_unless_a_terminal(self, rng, capsys, monkeypatch):
        X, y = _regression_data(rng, n=30)
        model = _small(TCNRegressor, max_epochs=3, early_stopping=True, verbose=1)
        model.fit(X, y)
        out = capsys.readouterr().out
        assert "valid_loss" in out and "\x1b[" not in out
        monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
        clone(model).fit(X, y)
        assert "\x1b[" in capsys.readouterr().out
        clone(model).set_params(verbose=0).fit(X, y)
        assert capsys.readouterr().out == ""

    @pytest.mark.parametrize(
        "params, message",
        [
            (dict(max_epochs=0), "max_epochs must be an integer >= 1"),
            (dict(max_epochs="many"), "max_epochs"),
            (dict(lr_schedule="step"), "lr_schedule must be one of"),
            (dict(early_stopping="yes"), "early_stopping must be a bool"),
            (dict(validation_fraction=0.0), r"validation_fraction must be a float in \(0, 1"),
            (dict(validation_fraction=1.0), "validation_fraction"),
            (dict(n_iter_no_change=0), "n_iter_no_change"),
            (dict(tol=-1.0), "tol must be a float >= 0"),
            (dict(input_scaling="minmax"), "input_scaling must be one of"),
        ],
    )
    def test_bad_training_params(self, params, message, rng):
        X, y = _regression_data(rng, n=10)
        with pytest.raises(ValueError, match=message):
            _small(GRURegressor, **params).fit(X, y)

    def test_validation_split_leaving_no_training_sample(self, rng):
        X, y = _regression_data(rng, n=2)
        with pytest.raises(ValueError, match="leaves none to train on"):
            _small(GRURegressor, validation_fraction=0.6).fit(X, y)
