import numpy as np
import pytest

from sklearn_tsx.quickstart import main, make_quickstart_model, run_quickstart


def test_quickstart_small_budget(capsys):
    results = main(["--max-epochs", "1", "--random-state", "3"])
    assert (results["n_train"], results["n_test"]) == (140, 61)
    assert np.isfinite(results["rmse"]) and results["rmse"] > 0
    assert results["baseline_rmse"] == pytest.approx(0.04472, abs=1e-5)
    assert results["fit_time"] > 0
    out = capsys.readouterr().out
    assert "Test RMSE, GRU regressor" in out
    assert "mean predictor (baseline)" in out
    assert "1 epochs" in out


def test_model_is_seeded():
    from sklearn_tsx.datasets import load_covid3month

    X, y = load_covid3month(split="train")
    first = make_quickstart_model(max_epochs=1).fit(X[:40], y[:40]).predict(X[40:50])
    second = make_quickstart_model(max_epochs=1).fit(X[:40], y[:40]).predict(X[40:50])
    np.testing.assert_array_equal(first, second)


@pytest.mark.slow
def test_quickstart_beats_mean_predictor():
    results = run_quickstart(verbose=False)
    assert results["rmse"] < results["baseline_rmse"]
