import os

import numpy as np
import pytest

from sklearn_tsx.models import MagnetsRegressor
from sklearn_tsx.quickstart import (
    FIGURES,
    describe_concepts,
    main,
    make_reference_model,
    run_quickstart,
)


def test_quickstart_small_budget(tmp_path, capsys):
    out_dir = tmp_path / "figures"
    results = main(["--max-epochs", "1", "--no-rocket", "--sample", "3",
                    "--output-dir", str(out_dir)])
    assert (results["n_train"], results["n_test"]) == (140, 61)
    assert results["baseline_rmse"] == pytest.approx(0.04472, abs=1e-5)
    assert results["reference"] == "ridge on the flattened series"
    for key in ("rmse", "reference_rmse", "tcn_rmse"):
        assert np.isfinite(results[key]) and results[key] > 0
    # The explained prediction is exactly the bias plus the contributions.
    assert results["bias"] + results["contributions"].sum() == pytest.approx(
        results["prediction"], abs=1e-5
    )
    assert [os.path.basename(p) for p in results["figures"]] == list(FIGURES)
    assert all(os.path.getsize(p) > 0 for p in results["figures"])
    out = capsys.readouterr().out
    for text in ("MagnetsRegressor() (interpretable)", "ridge on the flattened series",
                 "mean predictor", "What MAGNETS learned", "concept 0: weight",
                 "Test country 3: prediction", "Integrated gradients",
                 f"Figures saved to {out_dir}"):
        assert text in out


def test_quickstart_says_when_the_head_keeps_only_the_mean(capsys):
    results = run_quickstart(max_epochs=1, rocket=False, output_dir=None)
    said = "the head keeps only the" in capsys.readouterr().out
    assert said == (not np.isfinite(results["head_alpha"]))


def test_quickstart_without_figures_prints_nothing(capsys):
    results = run_quickstart(max_epochs=1, rocket=False, output_dir=None, verbose=False)
    assert results["figures"] == []
    assert capsys.readouterr().out == ""


def test_sample_out_of_range():
    with pytest.raises(ValueError, match="sample must be in"):
        run_quickstart(sample=61, output_dir=None, verbose=False)


def test_reference_model():
    pytest.importorskip("numba")
    name, model = make_reference_model(num_kernels=50)
    assert name == "ROCKET (sktime)" and model.num_kernels == 50
    name, model = make_reference_model(rocket=False)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 2, 8)), rng.normal(size=30)
    assert model.fit(X, y).predict(X).shape == (30,)


def test_describe_concepts_names_the_masks():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2, 16)).astype(np.float32)
    model = MagnetsRegressor(n_masks=2, n_concepts=3, max_epochs=3, random_state=0)
    lines = describe_concepts(model.fit(X, X[:, 0].sum(axis=1)), X)
    assert [line.split(":")[0] for line in lines] == ["concept 0", "concept 1", "concept 2"]
    assert any("channel" in line and "mask" in line for line in lines)


@pytest.mark.slow
def test_full_quickstart_no_worse_than_mean_predictor(tmp_path):
    # The README's run at the defaults: the validation series see no concept that
    # generalises, and the head keeps the mean rather than overfit.
    results = run_quickstart(output_dir=tmp_path, verbose=False)
    assert results["rmse"] <= results["baseline_rmse"] * (1 + 1e-6)
