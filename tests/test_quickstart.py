import numpy as np
import pytest

from sklearn_tsx.quickstart import (
    main,
    make_quickstart_model,
    run_quickstart,
    weekly_log_counts,
)


def test_quickstart_small_budget(capsys):
    results = main(["--max-epochs", "1", "--random-state", "3", "--n-seeds", "2"])
    assert (results["n_train"], results["n_test"]) == (140, 61)
    assert np.isfinite(results["rmse"]) and results["rmse"] > 0
    assert results["baseline_rmse"] == pytest.approx(0.04472, abs=1e-5)
    assert results["fit_time"] > 0
    out = capsys.readouterr().out
    assert len(results["seed_rmses"]) == 2 and results["seed_rmses"][0] == results["rmse"]
    assert "Test RMSE, TCN regressor (seed 3)" in out
    assert "over seeds 3..4" in out
    assert "mean predictor (baseline)" in out
    assert "1 epochs" in out


def test_model_is_seeded():
    from sklearn_tsx.datasets import load_covid3month

    X, y = load_covid3month(split="train")
    first = make_quickstart_model(max_epochs=1).fit(X[:40], y[:40]).predict(X[40:50])
    second = make_quickstart_model(max_epochs=1).fit(X[:40], y[:40]).predict(X[40:50])
    np.testing.assert_array_equal(first, second)


def test_weekly_log_counts():
    X = np.arange(2 * 1 * 16, dtype=float).reshape(2, 1, 16) - 3
    weekly = weekly_log_counts(X)
    assert weekly.shape == (2, 1, 2)
    # The first two days are dropped; negative counts count as 0.
    expected = np.log1p(np.clip(X[0, 0, 2:9], 0, None)).mean()
    np.testing.assert_allclose(weekly[0, 0, 0], expected)
    assert np.all(X[0, 0, :3] < 0)  # input untouched
    with pytest.raises(ValueError, match="at least 7 days"):
        weekly_log_counts(X[:, :, :6])


def test_n_seeds_validated():
    with pytest.raises(ValueError, match="n_seeds"):
        run_quickstart(n_seeds=0, verbose=False)


def test_quickstart_beats_mean_predictor():
    # The README's claim, at the default settings (about 10 s on one core).
    results = run_quickstart(verbose=False)
    assert results["rmse"] < results["baseline_rmse"]
    assert all(r < results["baseline_rmse"] for r in results["seed_rmses"])
