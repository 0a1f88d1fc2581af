import numpy as np
import pytest
import torch

from sklearn_tsx.metrics import (
    comprehensiveness,
    faithfulness_accuracy,
    faithfulness_cross_entropy,
    faithfulness_curves,
    sufficiency,
)

C, T = 3, 10


class TwoClass(torch.nn.Module):
    """Logits (0, 3 * sum of the salient entries): only channel 0, times 0..4 count."""

    def forward(self, x):
        score = 3.0 * x[:, 0, :5].sum(1)
        return torch.stack([torch.zeros_like(score), score], dim=1)


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, C, T)).astype(np.float32)
    truth = np.zeros_like(X)
    truth[:, 0, :5] = 1.0
    random = rng.random(X.shape).astype(np.float32)
    return X, truth, random


def test_curves_shapes_and_ranges(setup):
    X, truth, _ = setup
    curves = faithfulness_curves(TwoClass(), X, truth, fractions=[0.1, 0.3, 0.6])
    assert set(curves) == {"accuracy", "cross_entropy", "sufficiency", "comprehensiveness"}
    for values in curves.values():
        assert values.shape == (3,)
    assert np.all((curves["accuracy"] >= 0) & (curves["accuracy"] <= 1))
    assert np.all(curves["cross_entropy"] >= 0)


def test_true_saliency_beats_random(setup):
    X, truth, random = setup
    model = TwoClass()
    for baseline in ("average", "zeros"):
        kw = dict(topk=0.15, baseline=baseline, random_state=0)
        assert faithfulness_accuracy(model, X, truth, **kw) < faithfulness_accuracy(
            model, X, random, **kw)
        assert faithfulness_cross_entropy(model, X, truth, **kw) > (
            faithfulness_cross_entropy(model, X, random, **kw))
        assert comprehensiveness(model, X, truth, **kw) > comprehensiveness(
            model, X, random, **kw)
        # Removing only unimportant entries leaves the prediction untouched.
        assert sufficiency(model, X, truth, **kw) == pytest.approx(0.0, abs=1e-6)
        assert sufficiency(model, X, random, **kw) > 0.01


def test_ties_are_ranked_at_random_not_by_position(setup):
    X, truth, random = setup
    # TwoClass reads the first 5 positions: ranking constant attributions by
    # position would substitute exactly its salient entries
    constant = np.ones_like(X)
    kwargs = dict(fractions=[5 / (C * T)], baseline="zeros", metrics=["comprehensiveness"])
    on_truth = faithfulness_curves(TwoClass(), X, truth, **kwargs)["comprehensiveness"]
    tied = faithfulness_curves(TwoClass(), X, constant, random_state=0, **kwargs)
    assert tied["comprehensiveness"][0] < 0.5 * on_truth[0]
    again = faithfulness_curves(TwoClass(), X, constant, random_state=0, **kwargs)
    other = faithfulness_curves(TwoClass(), X, constant, random_state=1, **kwargs)
    assert again["comprehensiveness"][0] == tied["comprehensiveness"][0]
    assert other["comprehensiveness"][0] != tied["comprehensiveness"][0]
    # without ties the order is the attributions' alone
    np.testing.assert_array_equal(
        comprehensiveness(TwoClass(), X, random, random_state=0),
        comprehensiveness(TwoClass(), X, random, random_state=1),
    )


def test_zero_baseline_removes_the_signal(setup):
    X, truth, _ = setup
    # Substituting every salient entry (5 of 30 = 1/6) by zero gives logits (0, 0).
    ce = faithfulness_cross_entropy(TwoClass(), X, truth, topk=1 / 6, baseline="zeros")
    assert ce == pytest.approx(np.log(2), abs=1e-5)


def test_batch_size_and_array_baseline(setup):
    X, truth, random = setup
    a = faithfulness_curves(TwoClass(), X, random, batch_size=7)
    b = faithfulness_curves(TwoClass(), X, random, batch_size=500)
    for name in a:
        np.testing.assert_allclose(a[name], b[name], atol=1e-6)
    zeros = faithfulness_curves(TwoClass(), X, random, baseline="zeros")
    array = faithfulness_curves(TwoClass(), X, random, baseline=np.zeros((C, T)))
    np.testing.assert_allclose(zeros["accuracy"], array["accuracy"])


def test_sklearn_tsx_classifier(setup):
    from sklearn_tsx.models import GRUClassifier

    X, truth, _ = setup
    y = (X[:, 0, :5].sum(1) > 0).astype(int)
    clf = GRUClassifier(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    value = comprehensiveness(clf, X, truth)
    assert np.isfinite(value)


def test_several_topk_give_the_mean_of_the_curve(setup):
    X, truth, _ = setup
    rng = np.random.default_rng(1)
    saliency = truth + rng.random(truth.shape).astype(np.float32)
    curves = faithfulness_curves(TwoClass(), X, saliency, fractions=[0.1, 0.3, 0.6])
    for name, metric in (("comprehensiveness", comprehensiveness),
                         ("accuracy", faithfulness_accuracy)):
        aopc = metric(TwoClass(), X, saliency, topk=[0.1, 0.3, 0.6])
        assert aopc == pytest.approx(curves[name].mean())
        assert metric(TwoClass(), X, saliency, topk=[0.3]) == pytest.approx(curves[name][1])


def test_errors(setup):
    X, truth, _ = setup
    model = TwoClass()
    with pytest.raises(ValueError, match="shape"):
        faithfulness_curves(model, X, truth[:, :2])
    with pytest.raises(ValueError, match="fractions"):
        faithfulness_curves(model, X, truth, fractions=[0.0, 0.5])
    with pytest.raises(ValueError, match="topk"):
        comprehensiveness(model, X, truth, topk=[0.1, 1.0])
    with pytest.raises(ValueError, match="Unknown faithfulness metric"):
        faithfulness_curves(model, X, truth, metrics=["aup"])
    with pytest.raises(ValueError, match="baseline"):
        faithfulness_curves(model, X, truth, baseline="median")
    with pytest.raises(ValueError, match="baseline"):
        faithfulness_curves(model, X, truth, baseline=np.zeros(7))
    with pytest.raises(ValueError, match="batch_size"):
        faithfulness_curves(model, X, truth, batch_size=0)
    regressor = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(C * T, 1))
    with pytest.raises(ValueError, match="classifier"):
        faithfulness_curves(regressor, X, truth)
    with pytest.raises(ValueError, match="NaN|infinity"):
        faithfulness_curves(model, np.full_like(X, np.nan), truth)


def test_interpolated_substitution_follows_the_kept_entries():
    from sklearn_tsx.metrics._faithfulness import _interpolated

    X = np.array([[[0.0, 1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 9.0, 1.0]]],
                 dtype=np.float32)
    selected = np.array([[[False, True, True, False, True],
                          [True, True, True, True, True]]])
    out = _interpolated(X, selected)
    # channel 0: a ramp in between, held flat after the last kept entry
    np.testing.assert_allclose(out[0, 0], [0.0, 1.0, 2.0, 3.0, 3.0])
    np.testing.assert_allclose(out[0, 1], 5.0)  # nothing kept: the channel's mean
    assert X[0, 1, 3] == 9.0  # the input is left as it was


def test_interpolated_baseline_leaves_a_straight_line_unchanged():
    # A ramp is its own interpolation: removing interior entries changes nothing,
    # where the channel mean moves the prediction.
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(T, 2))
    X = np.tile(np.linspace(-1, 1, T, dtype=np.float32), (4, 1, 1))
    attributions = np.zeros_like(X)
    attributions[:, 0, 3:6] = 1.0
    kwargs = dict(fractions=[0.3], metrics=["comprehensiveness"], random_state=0)
    interp = faithfulness_curves(model, X, attributions, baseline="interpolate", **kwargs)
    mean = faithfulness_curves(model, X, attributions, baseline="average", **kwargs)
    assert interp["comprehensiveness"][0] == pytest.approx(0.0, abs=1e-6)
    assert abs(mean["comprehensiveness"][0]) > 1e-4
