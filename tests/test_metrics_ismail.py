import numpy as np
import pytest
from sklearn.dummy import DummyClassifier

from sklearn_tsx.datasets import make_ismail_background, make_ismail_dataset
from sklearn_tsx.metrics import (
    weighted_accuracy_drop_auc,
    weighted_accuracy_drop_curve,
    weighted_aup,
    weighted_aupr,
    weighted_aur,
    weighted_mass_mask,
    weighted_precision_recall_areas,
    weighted_precision_recall_curve,
)


def _tiny():
    # One sample, 2 channels x 3 time points; truth is channel 0, times 0-1.
    truth = np.array([[[1, 1, 0], [0, 0, 0]]], dtype=bool)
    S = np.array([[[5.0, 1.0, 0.0], [3.0, 1.0, 0.0]]])
    return truth, S


def test_mass_mask_hand_computed():
    _, S = _tiny()
    # Total 10; ranked 5, 3, 1, 1 (ties by position: channel 0 first), 0, 0.
    # 90 % is reached exactly by the top three (5 + 3 + 1 = 9).
    mask = weighted_mass_mask(S, [0, 10, 50, 60, 85, 90, 95, 100], normalize=False)
    sizes = mask.sum(axis=(1, 2, 3))
    np.testing.assert_array_equal(sizes, [0, 1, 1, 2, 3, 3, 4, 6])
    np.testing.assert_array_equal(mask[4, 0], [[1, 1, 0], [1, 0, 0]])


def test_precision_recall_hand_computed():
    truth, S = _tiny()
    P, R, p = weighted_precision_recall_curve(truth, S, percentages=[50, 85, 100],
                                              normalize=False)
    # 50 %: {5}: TP 5, FN 1. 85 %: {5, 3, 1}: TP 6, FP 3. 100 %: all.
    np.testing.assert_allclose(P, [1.0, 6 / 9, 6 / 10])
    np.testing.assert_allclose(R, [5 / 6, 1.0, 1.0])
    np.testing.assert_array_equal(p, [50, 85, 100])


def test_time_and_feature_levels_hand_computed():
    truth, S = _tiny()
    # Time units: k = 1 salient channel per salient time -> scores 5, 1, 0.
    P, R, _ = weighted_precision_recall_curve(truth, S, level="time",
                                              percentages=[50, 90], normalize=False)
    np.testing.assert_allclose(P, [1.0, 1.0])
    np.testing.assert_allclose(R, [5 / 6, 1.0])
    # Feature units: k = 2 salient times -> scores (5+1)/2 = 3 and (3+1)/2 = 2.
    P, R, _ = weighted_precision_recall_curve(truth, S, level="feature",
                                              percentages=[50, 60], normalize=False)
    np.testing.assert_allclose(P, [1.0, 3 / 5])
    np.testing.assert_allclose(R, [1.0, 1.0])


def test_areas_hand_computed():
    truth, S = _tiny()
    p = [50, 85, 100]
    areas = weighted_precision_recall_areas(truth, S, percentages=p, normalize=False)
    P = np.array([1.0, 6 / 9, 6 / 10])
    R = np.array([5 / 6, 1.0, 1.0])
    np.testing.assert_allclose(areas["aup"], np.trapezoid(P, [0.5, 0.85, 1.0]))
    np.testing.assert_allclose(areas["aur"], np.trapezoid(R, [0.5, 0.85, 1.0]))
    np.testing.assert_allclose(areas["aupr"], (1.0 + 6 / 9) / 2 * (1 / 6))
    kw = dict(percentages=p, normalize=False)
    assert weighted_aup(truth, S, **kw) == areas["aup"]
    assert weighted_aur(truth, S, **kw) == areas["aur"]
    assert weighted_aupr(truth, S, **kw) == areas["aupr"]


def test_normalize_is_absolute_min_max():
    truth, S = _tiny()
    a = weighted_precision_recall_curve(truth, -3 * S + 0.0)
    b = weighted_precision_recall_curve(truth, S / 5.0, normalize=False)
    for u, v in zip(a, b):
        np.testing.assert_allclose(u, v)


@pytest.mark.parametrize("level", ["overall", "time", "feature"])
def test_perfect_saliency(level):
    _, _, truth = make_ismail_dataset(30, geometry="moving_middle", random_state=0)
    P, R, p = weighted_precision_recall_curve(truth, truth.astype(float), level=level)
    np.testing.assert_allclose(P, 1.0)
    if level == "overall":
        # Equal weights: the selected share of the true mass is the level itself.
        np.testing.assert_allclose(R, p / 100, atol=0.01)
    else:
        assert np.all(R >= p / 100 - 0.05)
    P, R, _ = weighted_precision_recall_curve(truth, truth.astype(float), level=level,
                                              percentages=[50, 100])
    np.testing.assert_allclose([P[0], R[1]], 1.0)


def test_random_saliency_is_near_the_base_rate():
    _, _, truth = make_ismail_dataset(200, geometry="middle", random_state=0)
    S = np.random.default_rng(0).random(truth.shape)
    P, R, p = weighted_precision_recall_curve(truth, S)
    np.testing.assert_allclose(P, 900 / 2500, atol=0.02)
    # Random ranking: recall follows the level (the true share of the mass is 36 %).
    np.testing.assert_allclose(R, p / 100, atol=0.05)
    assert weighted_aupr(truth, S) < weighted_aupr(truth, truth + 0.1 * S)


def test_inverted_saliency_has_zero_precision():
    _, _, truth = make_ismail_dataset(10, geometry="rare_time", random_state=0)
    P, R, _ = weighted_precision_recall_curve(truth, (~truth).astype(float))
    np.testing.assert_allclose(P, 0.0)


def test_vectorised_matches_per_sample_average():
    _, _, truth = make_ismail_dataset(6, geometry="moving_rare_feature", random_state=1)
    S = np.random.default_rng(1).normal(size=truth.shape)
    P, R, _ = weighted_precision_recall_curve(truth, S)
    singles = np.array([weighted_precision_recall_curve(truth[i:i + 1], S[i:i + 1])[:2]
                        for i in range(6)])
    np.testing.assert_allclose(P, singles[:, 0].mean(axis=0))
    np.testing.assert_allclose(R, singles[:, 1].mean(axis=0))


def test_all_zero_saliency_is_undefined_not_an_error():
    truth, _ = _tiny()
    P, R, _ = weighted_precision_recall_curve(truth, np.zeros(truth.shape))
    assert np.all(np.isnan(P)) and np.all(np.isnan(R))


class _FirstBoxCellModel:
    """Predicts the label from the sign of the box's first cell (fragile on purpose)."""

    def __init__(self, truth):
        self.cell = np.unravel_index(np.argmax(truth[0]), truth.shape[1:])

    def predict(self, X):
        return (X[:, self.cell[0], self.cell[1]] > 0).astype(int)


def test_accuracy_drop_truth_saliency_drops_faster_than_random():
    X, y, truth = make_ismail_dataset(200, signal=3.0, random_state=0)
    replacement = make_ismail_background(200, random_state=1)
    model = _FirstBoxCellModel(truth)
    # Equal saliency on the box: ties go by position, so the model's cell ranks first.
    acc_true, p = weighted_accuracy_drop_curve(model, X, y, truth.astype(float), replacement)
    noise = np.random.default_rng(0).random(X.shape)
    acc_rand, _ = weighted_accuracy_drop_curve(model, X, y, noise, replacement)
    assert acc_true[0] == acc_rand[0] > 0.99
    assert acc_true[1] < 0.65 and acc_rand[1] > 0.85
    assert 0.35 < acc_true[-1] < 0.65 and 0.35 < acc_rand[-1] < 0.65
    np.testing.assert_array_equal(p, np.arange(0, 101, 10))
    auc_true = weighted_accuracy_drop_auc(model, X, y, truth.astype(float), replacement)
    auc_rand = weighted_accuracy_drop_auc(model, X, y, noise, replacement)
    np.testing.assert_allclose(auc_true, np.trapezoid(acc_true, p / 100))
    assert auc_true < auc_rand - 0.2


def test_accuracy_drop_replaces_selected_cells_only():
    seen = []

    class Recorder:
        def predict(self, X):
            seen.append(X.copy())
            return np.zeros(len(X), dtype=int)

    X = np.arange(6, dtype=float).reshape(1, 1, 6)
    S = np.array([[[0, 0, 0, 0, 1, 1]]], dtype=float)
    weighted_accuracy_drop_curve(Recorder(), X, [0], S, -np.ones((1, 1, 6)),
                                 percentages=[0, 50, 100], normalize=False)
    np.testing.assert_array_equal(seen[0], X)
    np.testing.assert_array_equal(seen[1], [[[0, 1, 2, 3, -1, 5]]])
    np.testing.assert_array_equal(seen[2], -np.ones((1, 1, 6)))


def test_bad_inputs_raise_clear_errors():
    truth, S = _tiny()
    with pytest.raises(ValueError, match="must match"):
        weighted_precision_recall_curve(truth, np.ones((1, 2, 4)))
    with pytest.raises(ValueError, match="at least one|empty|0 sample"):
        weighted_precision_recall_curve(truth[:0], S[:0])
    with pytest.raises(ValueError, match="NaN|nan|infinity"):
        weighted_precision_recall_curve(truth, np.full(S.shape, np.nan))
    with pytest.raises(ValueError, match="level must be one of"):
        weighted_precision_recall_curve(truth, S, level="channel")
    with pytest.raises(ValueError, match="strictly increasing"):
        weighted_precision_recall_curve(truth, S, percentages=[50, 10])
    with pytest.raises(ValueError, match=r"lie in \[0, 100\]"):
        weighted_mass_mask(S, [10, 150])
    with pytest.raises(ValueError, match="negative values"):
        weighted_mass_mask(-S, normalize=False)
    with pytest.raises(ValueError, match="boolean"):
        weighted_precision_recall_curve(truth * 2, S)
    model = DummyClassifier().fit(np.zeros((2, 6)), [0, 1])
    with pytest.raises(ValueError, match="one label per sample"):
        weighted_accuracy_drop_curve(model, S, [0, 1], S, S)
    with pytest.raises(ValueError, match="X_replacement has shape"):
        weighted_accuracy_drop_curve(model, S, [0], S, np.ones((1, 2, 4)))
