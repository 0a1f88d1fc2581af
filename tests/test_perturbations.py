"""Perturbation operators of Dynamask: identities, batching, gradients, errors."""

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_tsx.explainers import (
    fade_moving_average,
    fade_past_moving_average,
    fade_reference,
    gaussian_blur,
)
from sklearn_tsx.explainers._mask_learning.perturbation_operators import (
    PERTURBATIONS,
    perturbation_of,
)

OPERATORS = {
    "blur_full": lambda x, m: gaussian_blur(x, m, sigma_max=2.0),
    "blur_window": lambda x, m: gaussian_blur(x, m, sigma_max=2.0, window=3),
    "moving_average": lambda x, m: fade_moving_average(x, m, window_size=2),
    "past_moving_average": lambda x, m: fade_past_moving_average(x, m, window_size=2),
    "reference": lambda x, m: fade_reference(x, m, reference=1.5),
}

series = hnp.arrays(
    np.float32,
    hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=9),
    elements=st.floats(-100, 100, width=32),
)


@pytest.mark.parametrize("name", OPERATORS)
@given(x=series, n_areas=st.sampled_from([None, 1, 3]))
@settings(max_examples=8, deadline=None)
def test_mask_one_returns_the_input(name, x, n_areas):
    x = torch.from_numpy(x)
    shape = x.shape if n_areas is None else (x.shape[0], n_areas, *x.shape[1:])
    out = OPERATORS[name](x, torch.ones(shape))
    assert out.shape == shape
    expected = x if n_areas is None else x[:, None].expand(shape)
    torch.testing.assert_close(out, expected, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("name", OPERATORS)
def test_masks_of_a_batch_are_independent(name, rng):
    x = torch.from_numpy(rng.normal(size=(2, 3, 12)).astype(np.float32))
    masks = torch.from_numpy(rng.random((2, 4, 3, 12)).astype(np.float32))
    out = OPERATORS[name](x, masks)
    for a in range(4):
        torch.testing.assert_close(out[:, a], OPERATORS[name](x, masks[:, a]))


def test_fades_at_mask_zero(rng):
    x = torch.from_numpy(rng.normal(size=(2, 3, 7)).astype(np.float32))
    zero = torch.zeros_like(x)
    torch.testing.assert_close(fade_reference(x, zero, reference=2.0), torch.full_like(x, 2.0))
    # a window wider than the series fades to the series mean
    mean = x.mean(-1, keepdim=True).expand_as(x)
    torch.testing.assert_close(fade_moving_average(x, zero, window_size=50), mean)
    # the past average at t only sees x[..., :t + 1]
    past = fade_past_moving_average(x, zero, window_size=50)
    torch.testing.assert_close(past, x.cumsum(-1) / torch.arange(1, 8))


def test_blur_at_mask_zero_is_a_normalised_gaussian():
    x = torch.zeros(1, 1, 61)
    x[0, 0, 30] = 1.0
    out = gaussian_blur(x, torch.zeros_like(x), sigma_max=2.0)[0, 0]
    d = torch.arange(-10.0, 11.0)
    # far from the edges, a unit impulse spreads as a normalised Gaussian of width sigma_max
    kernel = torch.exp(-(d**2) / (2 * 2.0**2))
    torch.testing.assert_close(out[20:41], kernel / kernel.sum(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("window", [1, 4, 29])
def test_windowed_blur_matches_the_full_kernel_in_values_and_gradients(window):
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3, 30, dtype=torch.float64, generator=g)
    mask = torch.rand(2, 5, 3, 30, dtype=torch.float64, generator=g)
    mask[0, 0, 0, :6] = 1.0
    mask[1, 2, 1, :6] = 0.0
    mask.requires_grad_(True)
    weights = torch.randn(mask.shape, dtype=torch.float64, generator=g)
    # the fast path (x without gradients) against plain autograd (x with gradients)
    fast = gaussian_blur(x, mask, window=window)
    (g_fast,) = torch.autograd.grad((fast * weights).sum(), [mask])
    slow = gaussian_blur(x.clone().requires_grad_(True), mask, window=window)
    (g_slow,) = torch.autograd.grad((slow * weights).sum(), [mask])
    torch.testing.assert_close(fast, slow)
    torch.testing.assert_close(g_fast, g_slow)
    assert torch.isfinite(g_fast).all()
    if window == 29:
        torch.testing.assert_close(fast, gaussian_blur(x, mask.detach(), window=None))


def test_windowed_blur_stays_close_to_full_kernel_when_truncated_at_4_sigma(rng):
    x = torch.from_numpy(rng.normal(size=(1, 2, 40)).astype(np.float32))
    mask = torch.from_numpy(rng.random((1, 2, 40)).astype(np.float32))
    full = gaussian_blur(x, mask, sigma_max=2.0)
    windowed = gaussian_blur(x, mask, sigma_max=2.0, window=8)
    assert (full - windowed).abs().max() < 1e-3


@pytest.mark.parametrize("window", [8, None])
def test_blur_of_sharp_float32_masks_matches_float64(window, rng):
    # widths near zero (masks near 1) take the blur's weights below float32's
    # smallest normal number, where they are set to zero: no effect on the
    # output nor on the gradient, to float32 precision
    x = rng.normal(size=(2, 3, 30))
    mask = 0.9 + 0.1 * rng.random((2, 4, 3, 30))
    mask[..., ::7] = 1.0
    weights = rng.normal(size=mask.shape)
    results = []
    for dtype in (torch.float32, torch.float64):
        m = torch.tensor(mask, dtype=dtype, requires_grad=True)
        out = gaussian_blur(torch.tensor(x, dtype=dtype), m, window=window)
        (grad,) = torch.autograd.grad((out * torch.tensor(weights, dtype=dtype)).sum(), [m])
        results.append((out.double(), grad.double()))
    (out32, grad32), (out64, grad64) = results
    torch.testing.assert_close(out32, out64, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(grad32, grad64, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name, params", [
    ("gaussian_blur", {"sigma_max": 1.5, "window": 4}),
    ("gaussian_blur", {"sigma_max": 1.5, "window": None}),
    ("fade_moving_average", {"window_size": 2}),
    ("fade_past_moving_average", {"window_size": 3}),
    ("fade_reference", {"reference": 0.5}),
])
def test_operator_of_a_fixed_batch_equals_the_function(name, params, rng):
    x = torch.from_numpy(rng.normal(size=(2, 3, 12)).astype(np.float32))
    perturb = perturbation_of(x, name, **params)
    for shape in ((2, 3, 12), (2, 5, 3, 12)):
        mask = torch.from_numpy(rng.random(shape).astype(np.float32)).requires_grad_(True)
        out = perturb(mask)
        expected = PERTURBATIONS[name](x, mask, **params)
        torch.testing.assert_close(out, expected)
        (grad,) = torch.autograd.grad(out.sum(), [mask])
        (expected_grad,) = torch.autograd.grad(expected.sum(), [mask])
        torch.testing.assert_close(grad, expected_grad)
    with pytest.raises(ValueError, match="mask must have"):
        perturb(torch.zeros(2, 3, 11))


def test_gradients_are_finite_at_the_bounds():
    x = torch.randn(1, 2, 10)
    for value in (0.0, 1.0):
        for window in (None, 3):
            mask = torch.full((1, 2, 10), value, requires_grad=True)
            (grad,) = torch.autograd.grad(gaussian_blur(x, mask, window=window).sum(), [mask])
            assert torch.isfinite(grad).all()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: gaussian_blur(torch.zeros(2, 3), torch.zeros(2, 3)), "x must have shape"),
        (lambda: gaussian_blur(torch.zeros(1, 2, 5), torch.zeros(1, 2, 4)), "mask must have"),
        (lambda: gaussian_blur(torch.zeros(1, 2, 5), torch.zeros(2, 2, 5)), "mask must have"),
        (lambda: gaussian_blur(torch.zeros(1, 1, 5), torch.zeros(1, 1, 5), sigma_max=0),
         "sigma_max"),
        (lambda: gaussian_blur(torch.zeros(1, 1, 5), torch.zeros(1, 1, 5), window=-1),
         "window_size"),
        (lambda: fade_moving_average(torch.zeros(1, 1, 5), torch.zeros(1, 1, 5),
                                     window_size=1.5), "window_size"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
