import numpy as np
import pytest
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV

from sklearn_tsx.explainers import ContraLSP
from sklearn_tsx.metrics import aur_score, faithfulness_curves, make_explanation_scorer

C, T = 3, 8


class WhiteBox(torch.nn.Module):
    """Output per time step: x^2 on channel 0, times 2..4."""

    def forward(self, x):
        return (x[:, 0, 2:5] ** 2).sum(1)[:, None]


class TwoClass(torch.nn.Module):
    def forward(self, x):
        score = 3.0 * x[:, 0, 2:5].sum(1)
        return torch.stack([torch.zeros_like(score), score], dim=1)


@pytest.fixture(scope="module")
def data():
    X = np.random.default_rng(0).normal(size=(16, C, T)).astype(np.float32)
    truth = np.zeros_like(X)
    truth[:, 0, 2:5] = 1
    return X, truth


def test_ground_truth_scorer_tunes_alpha(data):
    X, truth = data
    search = GridSearchCV(
        ContraLSP(WhiteBox(), max_epochs=40, random_state=0),
        {"alpha": [0.1, 50.0]},
        scoring=make_explanation_scorer("aur"),
        cv=2,
    )
    search.fit(X, truth)
    scores = search.cv_results_["mean_test_score"]
    # alpha = 50 closes every gate, including the salient ones.
    assert search.best_params_ == {"alpha": 0.1}
    assert scores[0] > scores[1]


def test_faithfulness_scorer_with_frozen_estimator(data):
    from sklearn_tsx.models import GRUClassifier

    X, _ = data
    y = (X[:, 0, 2:5].sum(1) > 0).astype(int)
    clf = GRUClassifier(hidden_size=8, max_epochs=2, random_state=0).fit(X, y)
    search = GridSearchCV(
        ContraLSP(FrozenEstimator(clf), max_epochs=5, random_state=0),
        {"alpha": [0.1, 1.0]},
        scoring={
            "comp": make_explanation_scorer("comprehensiveness"),
            "acc": make_explanation_scorer("accuracy"),
        },
        refit="comp",
        cv=2,
    )
    search.fit(X)
    assert np.all(np.isfinite(search.cv_results_["mean_test_comp"]))
    # accuracy is lower-is-better, hence negated
    assert np.all(search.cv_results_["mean_test_acc"] <= 0)


def test_scorer_values_and_signs(data):
    X, truth = data
    explainer = ContraLSP(TwoClass(), max_epochs=40, random_state=0).fit(X)
    masks = explainer.explain(X)
    assert make_explanation_scorer("aur")(explainer, X, truth) == pytest.approx(
        aur_score(truth, masks))
    entropy = make_explanation_scorer("entropy")(explainer, X, truth)
    assert entropy <= 0
    custom = make_explanation_scorer(lambda t, a: float(np.mean(a[t > 0])))
    assert custom(explainer, X, truth) == pytest.approx(masks[truth > 0].mean())
    comp = make_explanation_scorer("comprehensiveness", fractions=0.1, baseline="zeros")
    assert np.isfinite(comp(explainer, X))
    # several fractions: the mean of the curve (AOPC), not its first point
    aopc = make_explanation_scorer("comprehensiveness", fractions=(0.1, 0.5),
                                   baseline="zeros", random_state=0)
    curve = faithfulness_curves(TwoClass(), X, masks, fractions=(0.1, 0.5),
                                baseline="zeros", random_state=0)["comprehensiveness"]
    assert aopc(explainer, X) == pytest.approx(curve.mean())
    assert "comprehensiveness" in repr(comp)


def test_errors(data):
    X, truth = data
    with pytest.raises(ValueError, match="Unknown explanation metric"):
        make_explanation_scorer("f1")
    explainer = ContraLSP(TwoClass(), max_epochs=2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="true saliency"):
        make_explanation_scorer("aup")(explainer, X)
