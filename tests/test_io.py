"""sklearn_tsx.io: fitted models and explainers round-trip, and loading runs no code."""

import io
import os
import pickle

import numpy as np
import pytest
import torch
from skorch import NeuralNet

from sklearn_tsx import explainers, models
from sklearn_tsx.datasets import make_xcebra_recording
from sklearn_tsx.io import UntrustedTypeError, dump, load

NETS = [name for name in models.__all__ if name != "XCEBRA"]


def _round_trip(obj, **load_params):
    buffer = io.BytesIO()
    dump(obj, buffer)
    buffer.seek(0)
    return load(buffer, **load_params)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2, 8)).astype(np.float32)
    return X, (X[:, 0, -1] > 0).astype(int), X[:, 0, -2:].mean(axis=1)


def _fit(name, data):
    X, y_class, y_reg = data
    params = dict(max_epochs=1, random_state=0)
    if name.startswith("TCN"):
        params["num_layers"] = 2
    if name.startswith("Transformer"):
        params["n_heads"] = 2
    model = getattr(models, name)(**params)
    return model.fit(X, y_class if name.endswith("Classifier") else y_reg)


@pytest.fixture(scope="module")
def gru(data):
    return _fit("GRUClassifier", data)


@pytest.mark.parametrize("name", NETS)
def test_every_net_round_trips(name, data):
    X = data[0]
    model = _fit(name, data)
    loaded = _round_trip(model)
    assert type(loaded) is type(model) and loaded is not model
    assert loaded.get_params() == model.get_params()
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    if hasattr(model, "predict_proba"):
        np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    if hasattr(model, "explain"):  # the model's own explanation (MAGNETS: a dict of arrays)
        expected, got = model.explain(X), loaded.explain(X)
        if isinstance(expected, dict):
            assert got.keys() == expected.keys()
            for key in expected:
                np.testing.assert_array_equal(got[key], expected[key])
        else:
            np.testing.assert_array_equal(got, expected)


def test_xcebra_round_trips():
    X, y, _ = make_xcebra_recording(200, 6, random_state=0)
    model = models.XCEBRA(
        n_latents=3, n_behavior_latents=1, max_iterations=3, batch_size=16, random_state=0
    ).fit(X, y)
    loaded = _round_trip(model)
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))
    np.testing.assert_array_equal(loaded.explain(X), model.explain(X))


@pytest.mark.parametrize(
    "name, params, target",
    [
        ("IntegratedGradients", {}, 1),
        ("FeatureOcclusion", {}, 1),
        ("Lime", dict(random_state=0), 1),
        ("Dynamask", dict(max_epochs=2, random_state=0), None),
        ("FIT", dict(max_epochs=1, random_state=0), 1),  # trains a generator in fit
        ("ContraLSP", dict(max_epochs=1, random_state=0), None),  # trains its nets
    ],
)
def test_explainers_round_trip(name, params, target, data, gru):
    X, y, _ = data
    explainer = getattr(explainers, name)(gru, **params).fit(X, y)
    loaded = _round_trip(explainer)
    np.testing.assert_array_equal(
        loaded.explain(X[:4], target=target), explainer.explain(X[:4], target=target)
    )


def test_tsr_round_trips(data, gru):
    X, y, _ = data
    explainer = explainers.TemporalSaliencyRescaling(explainers.Saliency(gru)).fit(X, y)
    loaded = _round_trip(explainer)
    np.testing.assert_array_equal(
        loaded.explain(X[:4], target=1), explainer.explain(X[:4], target=1)
    )


def test_shared_parameters_stay_shared(gru):
    loaded = _round_trip(gru)
    module_params = set(map(id, loaded.net_.module_.parameters()))
    groups = loaded.net_.optimizer_.param_groups
    optimised = {id(p) for group in groups for p in group["params"]}
    assert optimised == module_params


def test_loaded_model_refits_and_saves_again(data, gru):
    X, y, _ = data
    loaded = _round_trip(gru).fit(X, y)
    np.testing.assert_array_equal(_round_trip(loaded).predict(X), loaded.predict(X))


def test_path_and_pickle(tmp_path, data, gru):
    X = data[0]
    path = tmp_path / "model.tsx"
    dump(gru, path)
    np.testing.assert_array_equal(load(path).predict(X), gru.predict(X))
    np.testing.assert_array_equal(load(str(path)).predict(X), gru.predict(X))
    # pickle keeps working, on the original and on a loaded model
    for model in (gru, load(path)):
        np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X),
                                      gru.predict(X))


# -- what loading refuses ----------------------------------------------------------------


def _forged(payload):
    """A file of dump's format around a hand-made pickle."""
    buffer = io.BytesIO()
    torch.save({"format": "sklearn_tsx.io", "version": 1, "pickle": payload,
                "tensors": []}, buffer)
    buffer.seek(0)
    return buffer


class _RunsCommand:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def test_code_in_the_file_is_not_run(tmp_path):
    marker = tmp_path / "pwned"
    forged = _forged(pickle.dumps(_RunsCommand(f"touch {marker}")))
    with pytest.raises(UntrustedTypeError, match="'posix.system'|'os.system'"):
        load(forged)
    assert not marker.exists()


def test_skorch_setstate_is_never_called(gru):
    # plain pickle stores a skorch net as bytes that its __setstate__ unpickles
    # with pickle itself, which would run code
    forged = _forged(pickle.dumps(gru.net_))
    with pytest.raises(UntrustedTypeError, match="skorch nets are restored"):
        load(forged)
    assert isinstance(_round_trip(gru.net_), NeuralNet)


@pytest.mark.parametrize("name", ["__builtins__.eval", "__init__.__globals__"])
def test_attribute_chains_are_refused(name):
    payload = b"\x80\x04csklearn_tsx.io\n" + name.encode() + b"\n."  # GLOBAL opcode
    with pytest.raises(UntrustedTypeError, match="not a plain name"):
        load(_forged(payload))


class Custom:
    """A user's own class: refused unless trusted."""

    def __init__(self, value):
        self.value = value


def test_user_types_need_trust():
    with pytest.raises(UntrustedTypeError, match=r"trusted=\['test_io.Custom'\]"):
        _round_trip(Custom(3))
    assert _round_trip(Custom(3), trusted=["test_io.Custom"]).value == 3


def test_missing_name():
    with pytest.raises(ValueError, match="'sklearn_tsx.models.NoSuchNet'"):
        load(_forged(b"\x80\x04csklearn_tsx.models\nNoSuchNet\n."))


def test_not_a_dump_file(tmp_path):
    path = tmp_path / "weights.pt"
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(ValueError, match="Not a file written by sklearn_tsx.io.dump"):
        load(path)
    path.write_bytes(pickle.dumps(_RunsCommand("true")))
    with pytest.raises(ValueError, match="Not a file written by sklearn_tsx.io.dump"):
        load(path)
