import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score

from sklearn_tsx.metrics import (
    aup_score,
    auprc_score,
    aur_score,
    auroc_score,
    mask_entropy,
    mask_information,
    normalize_saliency,
)


@pytest.fixture
def pair():
    rng = np.random.RandomState(0)
    truth = rng.uniform(size=(4, 3, 20)) < 0.2
    scores = rng.normal(size=(4, 3, 20)) + 2.0 * truth
    return truth, scores


def _sklearn_reference(truth, scores, pairing):
    """The reference codes' recipe, written out with scikit-learn."""
    mask = normalize_saliency(scores)
    precision, recall, thresholds = precision_recall_curve(truth.ravel(), mask.ravel())
    if pairing == "dynamask":
        return np.trapezoid(precision[1:], thresholds), np.trapezoid(recall[1:], thresholds)
    return np.trapezoid(precision[:-1], thresholds), np.trapezoid(recall[:-1], thresholds)


def _exact_by_quadrature(truth, mask, n_grid=200_001):
    """Midpoint quadrature of P(tau), R(tau) over (0, 1)."""
    taus = (np.arange(n_grid) + 0.5) / n_grid
    m, y = mask.ravel(), truth.ravel()
    sorted_m = np.sort(m)
    order = np.argsort(m)
    y_cum_from_top = np.cumsum(y[order][::-1])[::-1]  # true positives with m >= sorted_m[k]
    first = np.searchsorted(sorted_m, taus, side="left")
    selected = m.size - first
    tp = np.where(first < m.size, y_cum_from_top[np.minimum(first, m.size - 1)], 0)
    precision = np.divide(tp, selected, out=np.zeros(n_grid), where=selected > 0)
    return precision.mean(), (tp / y.sum()).mean()


def test_hand_computed_tiny_case():
    truth = np.array([[[True, False, True, False]]])
    scores = np.array([[[1.0, 0.5, 0.5, 0.0]]])
    # tau in (0, .5]: selects 3 entries, 2 true; tau in (.5, 1]: selects 1, true.
    assert aup_score(truth, scores) == pytest.approx(0.5 * 2 / 3 + 0.5 * 1)
    assert aur_score(truth, scores) == pytest.approx(0.5 * 1 + 0.5 * 0.5)
    # thresholds [0, .5, 1]; precision [.5, 2/3, 1, 1], recall [1, 1, .5, 0]
    assert aup_score(truth, scores, convention="time_interpret") == pytest.approx(
        0.5 * (0.5 + 2 / 3) / 2 + 0.5 * (2 / 3 + 1) / 2
    )
    assert aur_score(truth, scores, convention="dynamask") == pytest.approx(
        0.5 * (1 + 0.5) / 2 + 0.5 * (0.5 + 0) / 2
    )


def test_perfect_saliency_scores_one(pair):
    truth, _ = pair
    assert aup_score(truth, truth * 1.0) == pytest.approx(1.0)
    assert aur_score(truth, truth * 1.0) == pytest.approx(1.0)
    # the trapezoid of the reference codes interpolates precision from the
    # all-selected point at threshold 0, so a perfect map gets AUP < 1 there
    assert aup_score(truth, truth * 1.0, convention="time_interpret") < 1.0
    assert aur_score(truth, truth * 1.0, convention="time_interpret") == pytest.approx(1.0)
    assert auroc_score(truth, truth * 1.0) == 1.0
    assert auprc_score(truth, truth * 1.0) == 1.0
    assert mask_entropy(truth, truth * 1.0, eps=0) == 0.0


@pytest.mark.parametrize("convention", ["dynamask", "time_interpret"])
def test_conventions_match_sklearn_recipe(pair, convention):
    truth, scores = pair
    expected_p, expected_r = _sklearn_reference(truth, scores, convention)
    aup = aup_score(truth, scores, convention=convention)
    aur = aur_score(truth, scores, convention=convention)
    assert aup == pytest.approx(expected_p, abs=1e-12)
    assert aur == pytest.approx(expected_r, abs=1e-12)


def test_conventions_differ_as_reported():
    # REFERENCE.md: on a rare-feature map the dynamask pairing roughly halves AUR.
    truth = np.zeros((1, 2, 10), dtype=bool)
    truth[0, 0, 3:7] = True
    scores = np.where(truth, np.linspace(0.2, 1.0, 20).reshape(1, 2, 10), 0.0)
    off_by_one = aur_score(truth, scores, convention="dynamask")
    aligned = aur_score(truth, scores, convention="time_interpret")
    assert off_by_one < aligned


def test_exact_matches_quadrature(pair):
    truth, scores = pair
    mask = normalize_saliency(scores)
    precision, recall = _exact_by_quadrature(truth, mask)
    assert aup_score(truth, scores) == pytest.approx(precision, abs=1e-4)
    assert aur_score(truth, scores) == pytest.approx(recall, abs=1e-4)


def test_auroc_auprc_match_sklearn(pair):
    truth, scores = pair
    mask = normalize_saliency(scores)
    expected = roc_auc_score(truth.ravel(), mask.ravel())
    assert auroc_score(truth, scores) == pytest.approx(expected)
    assert auprc_score(truth, scores) == pytest.approx(
        average_precision_score(truth.ravel(), mask.ravel())
    )


def test_normalize_saliency_per_sample():
    scores = np.stack([np.full((2, 3), 5.0), np.arange(6.0).reshape(2, 3)])
    mask = normalize_saliency(scores)
    np.testing.assert_array_equal(mask[0], 0.0)
    np.testing.assert_allclose(mask[1].ravel(), np.arange(6) / 5)


def test_information_and_entropy_formulas():
    truth = np.array([[[True, True, False]]])
    mask = np.array([[[0.25, 0.9, 0.6]]])
    m = np.array([0.25, 0.9])
    info = -np.log2(1 - m + 1e-5).sum()
    entropy = -(m * np.log2(m + 1e-5) + (1 - m) * np.log2(1 - m + 1e-5)).sum()
    assert mask_information(truth, mask, normalize=False) == pytest.approx(info)
    assert mask_entropy(truth, mask, normalize=False) == pytest.approx(entropy)
    assert mask_information(truth, mask, normalize=False, base=np.e, eps=0) == pytest.approx(
        -np.log(1 - m).sum()
    )
    # the paper's example: three 0.9 and seven 0 in A give I ~ 6.9 nats, S ~ 0.98
    truth_a = np.ones((1, 1, 10), dtype=bool)
    mask_a = np.r_[[0.9] * 3, [0.0] * 7].reshape(1, 1, 10)
    assert mask_information(truth_a, mask_a, normalize=False, base=np.e, eps=0) == (
        pytest.approx(6.9, abs=0.01)
    )
    assert mask_entropy(truth_a, mask_a, normalize=False, base=np.e, eps=0) == (
        pytest.approx(0.98, abs=0.01)
    )


@pytest.mark.parametrize("metric", [aup_score, aur_score, auroc_score, auprc_score,
                                    mask_information, mask_entropy])
def test_bad_input(metric, pair):
    truth, scores = pair
    with pytest.raises(ValueError, match="same shape"):
        metric(truth, scores[:, :, :-1])
    with pytest.raises(ValueError, match="NaN"):
        metric(truth, np.where(truth, np.nan, scores))
    with pytest.raises(ValueError, match="0 sample|empty|minimum of 1"):
        metric(truth[:0], scores[:0])
    with pytest.raises(ValueError, match="boolean"):
        metric(truth * 2, scores)


def test_bad_parameters(pair):
    truth, scores = pair
    with pytest.raises(ValueError, match="convention"):
        aup_score(truth, scores, convention="trapezoid")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        aur_score(truth, scores, normalize=False)
    with pytest.raises(ValueError, match="no salient"):
        aur_score(np.zeros_like(truth), scores)
    with pytest.raises(ValueError, match="every entry"):
        auroc_score(np.ones_like(truth), scores)
    with pytest.raises(ValueError, match="base"):
        mask_entropy(truth, scores, base=1)
    with pytest.raises(ValueError, match="eps"):
        mask_information(truth, scores, eps=-1)
