"""benchmarks/bench_faithfulness_real.py: data loading, held-out sets, the refusal
to rank explainers on a model near chance, and the scores of one method."""

import sys
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def bench(monkeypatch, tmp_path):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import _records
    import bench_faithfulness_real

    monkeypatch.setattr(_records, "RESULTS_DIR", tmp_path)
    return bench_faithfulness_real


@pytest.mark.parametrize("name", ["GunPoint", "ArrowHead"])
def test_held_out_sets_are_refused(bench, name):
    with pytest.raises(ValueError, match="held out"):
        bench.load_set(name)


def test_unequal_lengths_are_padded(bench):
    X_train, y_train, X_test, y_test = bench.load_set("JapaneseVowels")
    assert X_train.shape[1:] == X_test.shape[1:] == (12, 29)
    assert X_train.dtype == np.float32 and len(X_train) == len(y_train) == 270
    assert np.isfinite(X_test).all() and len(X_test) == len(y_test) == 370


def test_skill_is_zero_at_the_majority_share_and_one_when_perfect(bench):
    y = np.array([0, 0, 0, 1])
    assert bench.skill(0.75, y) == pytest.approx(0.0)
    assert bench.skill(1.0, y) == pytest.approx(1.0)


def test_model_near_chance_is_refused(bench, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys, "argv", [
        "bench_faithfulness_real.py", "--sets", "ItalyPowerDemand", "--classifiers",
        "--min-skill", "1.01", "--methods", "FO"])
    bench.main()
    out = capsys.readouterr().out
    assert "refused: TCNClassifier has test accuracy" in out
    assert "no explainer is ranked" in out
    assert "Comprehensiveness AOPC" not in out
    assert (tmp_path / "bench_faithfulness_real.jsonl").exists()


def test_set_where_random_substitution_flips_every_prediction_is_refused(
        bench, monkeypatch, capsys, tmp_path):
    import json

    monkeypatch.setattr(sys, "argv", [
        "bench_faithfulness_real.py", "--sets", "ItalyPowerDemand", "--classifiers",
        "--max-floor-drop", "0.0", "--methods", "FO", "--n-explain", "5",
        "--random-seeds", "2"])
    bench.main()
    out = capsys.readouterr().out
    assert "refused: substituting a random 20 % of the entries already changes" in out
    assert "no explainer is ranked" in out and "Comprehensiveness AOPC" not in out
    records = [json.loads(line)
               for line in (tmp_path / "bench_faithfulness_real.jsonl").open()]
    refused = [r for r in records if r["settings"]["kind"] == "refused"]
    assert len(refused) == 1 and "random_floor" in refused[0]["figures"]
    assert not [r for r in records if r["settings"]["kind"] == "explainer"]


def test_cv_scores_the_model_on_the_training_split_only(bench, monkeypatch, capsys,
                                                         tmp_path):
    import json

    monkeypatch.setattr(sys, "argv", [
        "bench_faithfulness_real.py", "--sets", "ItalyPowerDemand", "--cv",
        "--cv-params", '{"hidden_size": 4, "max_epochs": 2}'])
    bench.main()
    out = capsys.readouterr().out
    assert "3-fold CV accuracy" in out and "Comprehensiveness" not in out
    (record,) = [json.loads(line)
                 for line in (tmp_path / "bench_faithfulness_real.jsonl").open()]
    assert record["settings"] == {"kind": "cv", "params": {"hidden_size": 4,
                                                            "max_epochs": 2}}
    assert len(record["figures"]["folds"]) == 3
    assert 0.0 <= record["figures"]["cv_accuracy"] <= 1.0


def test_interpolated_substitution_is_recorded_with_its_command(bench, monkeypatch,
                                                                 capsys, tmp_path):
    import json

    monkeypatch.setattr(sys, "argv", [
        "bench_faithfulness_real.py", "--sets", "ItalyPowerDemand", "--classifiers",
        "--baseline", "interpolate", "--methods", "Saliency", "--n-explain", "5",
        "--random-seeds", "2"])
    bench.main()
    (record,) = [r for r in map(json.loads,
                                (tmp_path / "bench_faithfulness_real.jsonl").open())
                 if r["settings"]["kind"] == "explainer"]
    assert record["settings"]["baseline"] == "interpolate"
    assert "--baseline interpolate" in record["command"]


def test_method_params_are_recorded_as_a_variant_with_its_command(bench, monkeypatch,
                                                                   capsys, tmp_path):
    import json

    monkeypatch.setattr(sys, "argv", [
        "bench_faithfulness_real.py", "--sets", "ItalyPowerDemand", "--classifiers",
        "--methods", "FO", "--method-params", '{"window": 2}',
        "--n-explain", "5", "--random-seeds", "2"])
    bench.main()
    records = [json.loads(line)
               for line in (tmp_path / "bench_faithfulness_real.jsonl").open()]
    # the choosing page reads records of kind "explainer": a variant is not a default
    assert not [r for r in records if r["settings"]["kind"] == "explainer"]
    (record,) = [r for r in records if r["settings"]["kind"] == "variant"]
    assert record["settings"]["params"] == {"window": 2}
    assert """--method-params '{"window": 2}'""" in record["command"]


def test_mean_keeps_class_marks_series_the_mean_substitution_does_not_flip(bench):
    import torch

    class PeakAboveOne(torch.nn.Module):  # class 1 when some entry exceeds 1
        def forward(self, x):
            peak = x.amax(dim=(1, 2))[:, None]
            return torch.cat([torch.zeros_like(peak), 10 * (peak - 1)], dim=1)

        def predict(self, X):
            with torch.no_grad():
                return self(torch.as_tensor(X)).argmax(1).numpy()

    model = PeakAboveOne()
    X = np.zeros((3, 1, 4), dtype=np.float32)
    X[0] = [[3, -3, 0, 0]]  # a peak: class 1; its mean series (0) is class 0
    X[1] = [[2, 2, 2, 2]]  # class 1, and so is its mean series
    X[2] = [[0, 0, 0, 0.5]]  # class 0 either way
    assert bench.mean_keeps_class(model, X).tolist() == [False, True, True]
    split = bench.split_comp(model, X, np.abs(X), np.array([True, False, True]), 0,
                             "average")
    assert set(split) == {"keeps", "changes"}
    assert all(isinstance(v, float) for v in split.values())
    assert bench.split_comp(model, X, np.abs(X), np.ones(3, bool), 0,
                            "average")["changes"] is None


def test_explainer_records_carry_the_split_by_the_mean_series_class(bench, monkeypatch,
                                                                    capsys, tmp_path):
    import json

    monkeypatch.setattr(sys, "argv", [
        "bench_faithfulness_real.py", "--sets", "ItalyPowerDemand", "--classifiers",
        "--methods", "FO", "--n-explain", "8", "--random-seeds", "2"])
    bench.main()
    assert "series keep their class when every entry is substituted" in (
        capsys.readouterr().out)
    (record,) = [r for r in map(json.loads,
                                (tmp_path / "bench_faithfulness_real.jsonl").open())
                 if r["settings"]["kind"] == "explainer"]
    split = record["figures"]["comp_by_mean_class"]
    assert 0 <= split["n_keeps"] <= 8
    assert set(split["random_floor"]) == {"keeps", "changes"}
