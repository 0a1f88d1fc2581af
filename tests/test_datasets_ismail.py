import numpy as np
import pytest

from sklearn_tsx.datasets import (
    ISMAIL_GEOMETRIES,
    ISMAIL_PROCESSES,
    make_ismail_background,
    make_ismail_dataset,
)

# (time size, channel size, time start, channel start) at 50 x 50.
FIXED = {
    "middle": (30, 30, 10, 10),
    "small_middle": (14, 14, 18, 18),
    "rare_time": (6, 40, 22, 5),
    "rare_feature": (40, 6, 5, 22),
}


def _box(truth):
    """Bounding rows/columns of one sample's mask, checking it is a full box."""
    channels = np.flatnonzero(truth.any(axis=1))
    times = np.flatnonzero(truth.any(axis=0))
    assert truth.sum() == channels.size * times.size
    return times[0], times.size, channels[0], channels.size


@pytest.mark.parametrize("geometry", sorted(FIXED))
def test_fixed_geometries(geometry):
    X, y, truth = make_ismail_dataset(20, geometry=geometry, random_state=0)
    t_size, c_size, t_start, c_start = FIXED[geometry]
    assert X.shape == truth.shape == (20, 50, 50) and X.dtype == np.float32
    assert truth.dtype == bool and set(np.unique(y)) <= {0, 1}
    for sample in truth:
        assert _box(sample) == (t_start, t_size, c_start, c_size)


@pytest.mark.parametrize("geometry,size", [
    ("moving_middle", (30, 30)), ("moving_small_middle", (15, 15)),
    ("moving_rare_time", (6, 40)), ("moving_rare_feature", (40, 6))])
def test_moving_geometries(geometry, size):
    bunch = make_ismail_dataset(200, geometry=geometry, random_state=0, as_bunch=True)
    assert bunch.box_size == size
    boxes = np.array([_box(m) for m in bunch.true_saliency])
    assert np.all(boxes[:, 1] == size[0]) and np.all(boxes[:, 3] == size[1])
    np.testing.assert_array_equal(boxes[:, [0, 2]], bunch.box_start)
    assert boxes[:, 0].max() + size[0] <= 50 and boxes[:, 2].max() + size[1] <= 50
    # Starts really move: many distinct positions along both axes.
    assert len(np.unique(boxes[:, 0])) > 5 and len(np.unique(boxes[:, 2])) > 5


@pytest.mark.parametrize("geometry,label_axis", [
    ("positional_time", 2), ("positional_feature", 0)])
def test_positional_geometries(geometry, label_axis):
    X, y, truth = make_ismail_dataset(100, geometry=geometry, process="gaussian",
                                      signal=5.0, random_state=0)
    boxes = np.array([_box(m) for m in truth])
    assert np.all(boxes[:, [1, 3]] == 20)
    np.testing.assert_array_equal(boxes[:, label_axis], np.where(y == 1, 1, 29))
    assert len(np.unique(boxes[:, 2 - label_axis])) > 5
    # The box always adds +signal; the label only moves it.
    assert X[truth].mean() > 4.0


def test_label_sets_the_sign_of_the_box():
    X, y, truth = make_ismail_dataset(300, signal=3.0, random_state=0)
    box_mean = (X * truth).sum(axis=(1, 2)) / truth.sum(axis=(1, 2))
    assert np.all(box_mean[y == 1] > 2.0) and np.all(box_mean[y == 0] < -2.0)
    assert abs(X[~truth].mean()) < 0.02
    assert 0.4 < y.mean() < 0.6


@pytest.mark.parametrize("process", ISMAIL_PROCESSES)
def test_seeded_and_shaped(process):
    a = make_ismail_dataset(5, process=process, random_state=3)
    b = make_ismail_dataset(5, process=process, random_state=3)
    c = make_ismail_dataset(5, process=process, random_state=4)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])
    assert np.all(np.isfinite(a[0]))
    background = make_ismail_background(5, process=process, random_state=3)
    assert background.shape == (5, 50, 50) and background.dtype == np.float32


def test_background_has_no_signal():
    X = make_ismail_background(400, process="gaussian", random_state=0)
    np.testing.assert_allclose(X.mean(axis=0)[10:40, 10:40].mean(), 0.0, atol=0.01)
    np.testing.assert_allclose(X.std(), 1.0, atol=0.01)


def test_gaussian_statistics():
    X, y, truth = make_ismail_dataset(200, process="gaussian", random_state=0)
    inside = X[truth] - np.repeat(2.0 * y - 1.0, truth.sum(axis=(1, 2)))
    np.testing.assert_allclose([X[~truth].std(), inside.std()], 1.0, atol=0.02)


def test_harmonic_is_a_sinusoid_of_frequency_two():
    X = make_ismail_background(3, process="harmonic", noise=0.0, sampling="regular",
                               random_state=0)
    t = np.linspace(0, 20, 50)
    np.testing.assert_allclose(X, np.broadcast_to(np.sin(4 * np.pi * t), X.shape), atol=1e-6)
    noisy = make_ismail_background(50, process="harmonic", sampling="regular",
                                   random_state=0)
    np.testing.assert_allclose((noisy - X[:1]).std(), 0.3, atol=0.01)


def test_irregular_sampling_changes_times_per_sample():
    X = make_ismail_background(2, process="harmonic", noise=0.0, random_state=0)
    # Channels of one sample share their times; samples do not.
    np.testing.assert_array_equal(X[0, 0], X[0, 1])
    assert not np.allclose(X[0, 0], X[1, 0])


def test_autoregressive_coefficient():
    X = make_ismail_background(200, process="autoregressive", noise=0.0, random_state=0)
    x_prev, x_next = X[..., :-1].ravel(), X[..., 1:].ravel()
    coef = np.dot(x_prev, x_next) / np.dot(x_prev, x_prev)
    np.testing.assert_allclose(coef, 0.9, atol=0.01)
    np.testing.assert_allclose((x_next - 0.9 * x_prev).std(), 0.5, atol=0.01)


def test_continuous_autoregressive_is_small_and_starts_at_001():
    X = make_ismail_background(50, process="continuous_autoregressive", noise=0.0,
                               random_state=0)
    np.testing.assert_allclose(X[..., 0], 0.01, atol=1e-7)
    assert X.std() < 0.02


def test_gaussian_process_is_smooth_with_unit_variance():
    X = make_ismail_background(300, process="gaussian_process", noise=0.0,
                               sampling="regular", random_state=0)
    np.testing.assert_allclose(X.var(), 1.0, atol=0.05)
    # Matern 3/2 at lag 20/49: (1 + sqrt(3) d) exp(-sqrt(3) d) ~ 0.84.
    lag1 = np.mean(X[..., :-1] * X[..., 1:]) / X.var()
    d = np.sqrt(3) * 20 / 49
    np.testing.assert_allclose(lag1, (1 + d) * np.exp(-d), atol=0.03)


def test_pseudo_periodic_amplitude():
    X = make_ismail_background(300, process="pseudo_periodic", noise=0.0,
                               sampling="regular", random_state=0)
    t = np.linspace(0, 20, 50)
    carrier = np.sin(2 * t)
    # E[A sin(w t)] ~ sin(2 t) early on, where the frequency jitter is small.
    np.testing.assert_allclose(X.mean(axis=(0, 1))[:10], carrier[:10], atol=0.05)
    np.testing.assert_allclose((X / np.where(np.abs(carrier) > 0.5, carrier, np.nan))
                               [..., :10][..., np.abs(carrier[:10]) > 0.5].std(),
                               0.5, atol=0.05)


def test_narma_follows_its_recurrence():
    y = make_ismail_background(20, process="narma", noise=0.0, random_state=0)
    y = y.astype(np.float64)
    window = np.stack([y[..., k - 9:k + 1].sum(axis=-1) for k in range(9, 49)], axis=-1)
    rest = y[..., 10:] - 0.3 * y[..., 9:-1] - 0.05 * y[..., 9:-1] * window - 0.1
    # The remainder is 1.5 u u' with u, u' ~ U(0, 0.5).
    assert rest.min() > -1e-4 and rest.max() < 1.5 * 0.25 + 1e-4
    assert not np.allclose(y[0, 0], y[1, 0])


def test_other_sizes_scale_the_box():
    X, y, truth = make_ismail_dataset(3, geometry="middle", n_timepoints=100,
                                      n_channels=20, random_state=0)
    assert X.shape == (3, 20, 100)
    assert _box(truth[0]) == (20, 60, 4, 12)


@pytest.mark.parametrize("kwargs,match", [
    ({"geometry": "square"}, "geometry must be one of"),
    ({"process": "brownian"}, "process must be one of"),
    ({"sampling": "random"}, "sampling must be one of"),
    ({"n_samples": 0}, "n_samples must be an integer >= 1"),
    ({"n_timepoints": 1.5}, "n_timepoints must be an integer"),
    ({"noise": -1.0}, "noise must be a finite number >= 0"),
    ({"signal": np.nan}, "signal must be a finite number"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_ismail_dataset(**{"n_samples": 4, **kwargs})


def test_every_geometry_runs():
    for geometry in ISMAIL_GEOMETRIES:
        X, y, truth = make_ismail_dataset(4, geometry=geometry, random_state=0)
        assert truth.any(axis=(1, 2)).all()
