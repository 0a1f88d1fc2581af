"""The tie-break of the mask-learning explainers' masks (``break_ties``)."""

import numpy as np
import pytest
import torch

from sklearn_tsx.datasets import WhiteBoxRegressor, make_arma
from sklearn_tsx.explainers import ContraLSP, Dynamask, ExtremalMask
from sklearn_tsx.explainers._mask_learning.ties import TIE_BREAK_WEIGHT, break_ties


@pytest.fixture(scope="module")
def white_box():
    X = make_arma(3, 4, 16, random_state=0)
    salient = np.zeros((4, 16), dtype=bool)
    salient[1, 4:10] = True
    return X, WhiteBoxRegressor(salient)


def tied_share(S):
    return np.mean([1 - np.unique(s).size / s.size for s in S])


def test_break_ties_orders_ties_and_keeps_every_other_pair():
    mask = np.array([1.0, 1.0, 0.0, 0.0, 0.5, 0.5 + 2 * TIE_BREAK_WEIGHT], dtype=np.float32)
    score = np.array([0.9, 0.1, 0.6, 0.2, 1.0, 0.0], dtype=np.float32)
    original = mask.copy()
    out = break_ties(mask, score)
    np.testing.assert_array_equal(mask, original)
    assert out[0] > out[1] and out[2] > out[3]
    # entries whose mask values differ by more than the weight keep their order
    assert out[5] > out[4]
    assert out.min() >= 0 and out.max() <= 1
    assert np.max(np.abs(out - mask)) <= TIE_BREAK_WEIGHT
    torch_out = break_ties(torch.as_tensor(mask), torch.as_tensor(score))
    np.testing.assert_allclose(torch_out.numpy(), out)


def test_dynamask_ties_broken_by_the_area_grid(white_box):
    X, model = white_box
    params = dict(area=[0.1, 0.3, 0.5], max_epochs=80, random_state=0)
    exact = Dynamask(model, break_ties=False, **params).fit(X)
    S_exact = exact.explain(X)
    np.testing.assert_array_equal(S_exact, exact.masks_[np.arange(len(X)), exact.selected_])
    broken = Dynamask(model, **params).fit(X)
    S = broken.explain(X)
    np.testing.assert_array_equal(broken.masks_, exact.masks_)
    np.testing.assert_allclose(
        S, (1 - TIE_BREAK_WEIGHT) * S_exact + TIE_BREAK_WEIGHT * exact.masks_.mean(1),
        rtol=1e-6)
    assert np.max(np.abs(S - S_exact)) <= TIE_BREAK_WEIGHT + 1e-6
    assert tied_share(S) < tied_share(S_exact)


def test_dynamask_single_area_is_left_as_it_is(white_box):
    X, model = white_box
    params = dict(area=0.3, max_epochs=30, random_state=0)
    np.testing.assert_array_equal(
        Dynamask(model, **params).fit(X).explain(X),
        Dynamask(model, break_ties=False, **params).fit(X).explain(X),
    )


@pytest.mark.parametrize(
    "cls, params",
    [(ExtremalMask, dict(max_epochs=60)), (ContraLSP, dict(max_epochs=30, alpha=0.01))],
)
def test_clamped_masks_tie_broken(white_box, cls, params):
    # ExtremalMask orders its ties by the mask's mean over the epochs,
    # ContraLSP by the gate behind the clamp
    X, model = white_box
    exact = cls(model, break_ties=False, random_state=0, **params).fit(X).explain(X)
    S = cls(model, random_state=0, **params).fit(X).explain(X)
    assert np.max(np.abs(S - exact)) <= TIE_BREAK_WEIGHT + 1e-6
    assert S.min() >= 0 and S.max() <= 1
    for clamped in (exact == 0, exact == 1):
        if clamped.sum() > 1:
            assert np.unique(S[clamped]).size > 1


@pytest.mark.parametrize("cls", [Dynamask, ExtremalMask, ContraLSP])
def test_break_ties_must_be_a_bool(white_box, cls):
    X, model = white_box
    with pytest.raises(ValueError, match="break_ties must be True or False"):
        cls(model, break_ties="yes", max_epochs=2).fit(X).explain(X)
