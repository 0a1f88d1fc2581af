import numpy as np
import pytest

from sklearn_tsx.datasets import magnets_synthetic_target, make_magnets_synthetic

TASKS = {"univariate": 1, "bivariate": 2, "trivariate_1": 3, "trivariate_2": 3}


def test_targets_on_a_hand_made_series():
    x0 = np.array([0.2, 0.9, 0.6, 0.4, 1.0])
    x1 = np.array([0.7, 0.1, 0.8, 0.3, 0.0])
    x2 = np.array([0.5, 0.3, 0.9, 0.2, 0.6])
    cases = {
        "univariate": ([x0], (0.9 + 0.6 + 1.0) / 5.16),
        "bivariate": ([x0, x1], (0.2 + 0.6) / 2.57),
        # x1 > x2 at t = 0, 3; x0 > x1 at t = 1, 3, 4; x2 > x0 at t = 0, 2
        "trivariate_1": ([x0, x1, x2], (0.2 + 0.4) / 8.55),
        "trivariate_2": (
            [x0, x1, x2],
            ((0.2 + 0.4) + 5 * (0.3 + 0.2 + 0.6) - 2 * (0.7 + 0.8)) / 48.30,
        ),
    }
    for task, (channels, expected) in cases.items():
        y, _ = magnets_synthetic_target(np.array([channels]), task)
        np.testing.assert_allclose(y, [expected], rtol=1e-12, err_msg=task)
    _, masks = magnets_synthetic_target(np.array([[x0, x1, x2]]), "trivariate_2")
    np.testing.assert_array_equal(
        masks[0].astype(int), [[1, 0, 0, 1, 0], [1, 0, 1, 0, 0], [0, 1, 0, 1, 1]]
    )


@pytest.mark.parametrize("task, n_channels", TASKS.items())
def test_generator_shapes_determinism_and_ground_truth(task, n_channels):
    a = make_magnets_synthetic(task, n_samples=40, n_timepoints=60, random_state=0)
    b = make_magnets_synthetic(task, n_samples=40, n_timepoints=60, random_state=0)
    c = make_magnets_synthetic(task, n_samples=40, n_timepoints=60, random_state=1)
    X = a.data
    assert X.shape == a.masks.shape == (40, n_channels, 60) and X.dtype == np.float32
    assert a.target.shape == (40,) and a.target.dtype == np.float32
    assert a.bump_center.shape == (40, n_channels, 3)
    np.testing.assert_array_equal(X, b.data)
    np.testing.assert_array_equal(a.target, b.target)
    assert not np.array_equal(X, c.data)
    assert a.masks.any()
    # the ground truth marks exactly the entries whose values are summed, and
    # the target is their weighted sum over the authors' divisor
    x0, x1 = X[:, 0], X[:, min(1, n_channels - 1)]
    expected_masks = np.zeros_like(a.masks)
    weights = np.zeros(n_channels)
    if task == "univariate":
        expected_masks[:, 0], weights[0] = x0 > 0.5, 1.0
    elif task == "bivariate":
        expected_masks[:, 0], weights[0] = x1 > 0.5, 1.0
    else:
        x2 = X[:, 2]
        expected_masks[:, 0], weights[0] = x1 > x2, 1.0
        if task == "trivariate_2":
            expected_masks[:, 1], weights[1] = x2 > x0, -2.0
            expected_masks[:, 2], weights[2] = x0 > x1, 5.0
    np.testing.assert_array_equal(a.masks, expected_masks)
    divisor = {"univariate": 5.16, "bivariate": 2.57, "trivariate_1": 8.55}.get(task, 48.30)
    expected = (X.astype(np.float64) * expected_masks * weights[:, None]).sum(axis=(1, 2))
    np.testing.assert_allclose(a.target, expected / divisor, rtol=1e-5, atol=1e-6)


def test_bivariate_gate_values_do_not_enter():
    data = make_magnets_synthetic("bivariate", n_samples=20, random_state=0)
    X = data.data.copy()
    gate = X[:, 1] > 0.5
    X[:, 1] = np.where(gate, 5.0, -5.0)  # new gate values, same gates
    y, masks = magnets_synthetic_target(X, "bivariate")
    np.testing.assert_array_equal(y, data.target)
    assert not masks[:, 1].any()


def test_bad_input():
    with pytest.raises(ValueError, match="task"):
        make_magnets_synthetic("quadvariate")
    with pytest.raises(ValueError, match="n_samples"):
        make_magnets_synthetic(n_samples=0)
    with pytest.raises(ValueError, match="width"):
        make_magnets_synthetic(width=(0.0, 1.0))
    with pytest.raises(ValueError, match="noise"):
        make_magnets_synthetic(noise=-1.0)
    with pytest.raises(ValueError, match=r"\(n_samples, 3, n_timepoints\)"):
        magnets_synthetic_target(np.zeros((2, 2, 5)), "trivariate_1")
    with pytest.raises(ValueError, match="NaN"):
        magnets_synthetic_target(np.full((1, 1, 3), np.nan), "univariate")
