"""RetainClassifier / RetainRegressor and RetainExplainer."""

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_tsx.explainers import RetainExplainer, explain_per_step
from sklearn_tsx.models import GRUClassifier, RetainClassifier, RetainRegressor
from sklearn_tsx.models._retain_module import RetainNet

SMALL = dict(hidden_size=8, embedding_size=8, max_epochs=30, lr=0.01, batch_size=32,
             random_state=0)


@parametrize_with_checks([RetainClassifier(**SMALL), RetainRegressor(**SMALL)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 2, 16)).astype(np.float32)
    return X, X[:, 0, -4:].sum(axis=1)


@pytest.fixture(scope="module")
def classifier(data):
    X, y = data
    labels = np.where(y > 0, "up", "down")
    # the training fit, not generalisation: no validation split to stop on
    return RetainClassifier(**{**SMALL, "max_epochs": 60, "early_stopping": False})\
        .fit(X, labels)


@pytest.mark.parametrize("input_scaling", ["channel", "timepoint", None])
def test_classifier_attributions_sum_to_the_logit(data, input_scaling):
    X, y = data
    model = RetainClassifier(**{**SMALL, "max_epochs": 3, "input_scaling": input_scaling})
    model.fit(X, y > 0)
    logits = model.module_(torch.as_tensor(X)).detach().numpy().astype(np.float64)
    for target, column in [(True, 1), (False, 0)]:
        S = model.explain(X, target=target)
        assert S.shape == X.shape
        np.testing.assert_allclose(S.sum(axis=(1, 2)) + model.intercept_[column],
                                   logits[:, column], atol=1e-5)
    # the default target is the predicted class
    predicted = logits.argmax(axis=1)
    np.testing.assert_allclose(model.explain(X).sum(axis=(1, 2)),
                               logits[np.arange(len(X)), predicted]
                               - model.intercept_[predicted], atol=1e-5)


def test_regressor_attributions_sum_to_the_prediction(data):
    X, y = data
    Y = np.column_stack([100 * y + 5, -y])
    model = RetainRegressor(**{**SMALL, "max_epochs": 3}).fit(X, Y)
    prediction = model.predict(X)
    for output in (0, 1):
        S = model.explain(X, target=output)
        np.testing.assert_allclose(S.sum(axis=(1, 2)) + model.intercept_[output],
                                   prediction[:, output],
                                   atol=1e-5 * np.abs(prediction[:, output]).max())


def test_contributions_follow_the_papers_formula():
    """Eq. 4 of Choi et al. (2016), entry by entry, on a tiny net."""
    torch.manual_seed(0)
    net = RetainNet(n_channels=3, n_outputs=2, embedding_size=4, hidden_size=5,
                    num_layers=1, dropout=0.0).eval()
    x = torch.randn(2, 3, 6)
    with torch.no_grad():
        _, alpha, beta = net.attention(x)
        got = net.contributions(x, torch.tensor([1, 0]))
    for i, o in enumerate([1, 0]):
        for k in range(3):
            for j in range(6):
                expected = alpha[i, j] * (
                    net.output.weight[o] @ (beta[i, j] * net.embedding.weight[:, k])
                ) * x[i, k, j]
                torch.testing.assert_close(got[i, k, j], expected.detach())


def test_attention_reads_time_backwards():
    """The attention at step j depends on steps j..T-1 only (reverse-time GRUs)."""
    torch.manual_seed(0)
    net = RetainNet(2, 1, 4, 4, 1, 0.0).eval()
    x = torch.randn(1, 2, 8)
    changed = x.clone()
    changed[:, :, 0] += 1.0
    with torch.no_grad():
        _, _, beta = net.attention(x)
        _, _, beta_changed = net.attention(changed)
    torch.testing.assert_close(beta[:, 1:], beta_changed[:, 1:])
    assert not torch.allclose(beta[:, 0], beta_changed[:, 0])


def test_explainer_matches_model_explain_and_learns_the_salient_steps(classifier, data):
    X, y = data
    S = RetainExplainer(FrozenEstimator(classifier), batch_size=7).fit(X).explain(X)
    np.testing.assert_allclose(S, classifier.explain(X), atol=1e-6)
    # the label is the sign of the sum of channel 0's last 4 steps
    assert classifier.score(X, np.where(y > 0, "up", "down")) > 0.9
    share = np.abs(S).sum(axis=0)
    assert share[0, -4:].sum() > 0.5 * share.sum()


def test_explainer_transform(classifier, data):
    X, _ = data
    Z = RetainExplainer(classifier).fit(X).transform(X[:4])
    assert Z.shape == (4, 32)


def test_explainer_refuses_other_models(data):
    X, y = data
    gru = GRUClassifier(hidden_size=4, max_epochs=1, random_state=0).fit(X, y > 0)
    with pytest.raises(TypeError, match="RetainExplainer explains RetainClassifier"):
        RetainExplainer(gru).fit(X)


def test_bad_input(classifier, data):
    X, y = data
    with pytest.raises(NotFittedError):
        RetainClassifier().explain(X)
    with pytest.raises(ValueError, match="embedding_size"):
        RetainRegressor(embedding_size=0).fit(X, y)
    with pytest.raises(ValueError, match="channels"):
        classifier.explain(X[:, :1])
    bad = X[:2].copy()
    bad[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        classifier.explain(bad)
    with pytest.raises(ValueError, match="target"):
        classifier.explain(X[:2], target="sideways")
    X_before = X.copy()
    classifier.explain(X)
    np.testing.assert_array_equal(X, X_before)


@pytest.mark.parametrize("cls", [RetainClassifier, RetainRegressor])
def test_sequence_output_attributions_sum_to_the_steps_output(cls, data):
    X, _ = data
    y = np.cumsum(X[:, 0], axis=1)
    model = cls(**{**SMALL, "max_epochs": 3, "sequence_output": True})
    model.fit(X, y > 0 if cls is RetainClassifier else y)
    out = model.module_(torch.as_tensor(X[:6])).detach().numpy().astype(np.float64)
    step = 9
    explained = out[:, step].argmax(axis=1) if cls is RetainClassifier else np.zeros(6, int)
    S = model.explain(X[:6], target=step)
    np.testing.assert_allclose(
        S.sum(axis=(1, 2)) + model.intercept_[explained],
        out[np.arange(6), step, explained], atol=1e-5 * max(1.0, np.abs(out).max()))
    # causal: later steps contribute nothing, and do not move earlier outputs
    np.testing.assert_array_equal(S[:, :, step + 1:], 0)
    changed = X[:6].copy()
    changed[:, :, step + 1:] += 1.0
    out_changed = model.module_(torch.as_tensor(changed)).detach().numpy()
    np.testing.assert_allclose(out_changed[:, : step + 1], out[:, : step + 1], atol=1e-5)
    per_step = explain_per_step(RetainExplainer(model).fit(X), X[:2])
    assert per_step.shape == X[:2].shape
