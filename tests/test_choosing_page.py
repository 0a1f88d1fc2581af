"""The docs' "Choosing an explainer" page, built from benchmark records."""

import inspect
import json
import sys
from pathlib import Path

import pytest

import sklearn_tsx.explainers as explainers

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "docs" / "sphinxext"))

from choosing_page import (  # noqa: E402
    ALIASES,
    EXPLAINERS,
    explainer_name,
    write_choosing_page,
)

FAMILIES = {"gradient", "perturbation", "surrogate", "mask-learning", "temporal prefix",
            "model's own", "random floor"}
REAL_COMMAND = "python benchmarks/bench_faithfulness_real.py --sets {} --methods {} --seed 0"


def public_explainers():
    return {name for name in explainers.__all__
            if inspect.isclass(getattr(explainers, name))
            and issubclass(getattr(explainers, name), explainers.BaseExplainer)
            and name != "BaseExplainer"}


def test_every_public_explainer_is_listed_once():
    assert set(EXPLAINERS) == public_explainers()
    for name, (family, access, good_at) in EXPLAINERS.items():
        assert family in FAMILIES, name
        assert access and good_at, name


def test_benchmark_labels_name_explainers():
    assert set(ALIASES.values()) <= set(EXPLAINERS)
    assert explainer_name("IG") == "IntegratedGradients"
    assert explainer_name("SmoothGrad vargrad (TCN)") == "SmoothGrad"
    assert explainer_name("Occlusion") == "FeatureOcclusion"
    assert explainer_name("FO-ref") is None
    assert explainer_name("w/o triplet") is None


def _write(folder, benchmark, records):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{benchmark}.jsonl", "w") as f:
        for record in records:
            f.write(json.dumps({"benchmark": benchmark, **record}) + "\n")


def _real(dataset, method, signed, absolute, floor, cpu, n_explain=30):
    return {"dataset": dataset, "kind": "explainer", "model": "TCNClassifier",
            "method": method, "seed": 0, "n_explain": n_explain,
            "signed": {"comp": signed, "suff": 0.0, "acc_drop": 0.0},
            "absolute": {"comp": absolute, "suff": 0.0, "acc_drop": 0.0},
            "cpu_s_per_series": cpu, "random_floor": {"comp": [floor, 0.01]},
            "command": REAL_COMMAND.format(dataset, method)}


@pytest.fixture
def records(tmp_path):
    reference, results = tmp_path / "reference", tmp_path / "results"
    _write(reference, "bench_state", [
        {"dataset": "State", "method": "IG", "seed": seed,
         "figures": {"AUP": aup, "AUR": 0.5, "AUROC": 0.9},
         "command": "python benchmarks/bench_state.py --methods IG"}
        for seed, aup in ((0, 0.8), (1, 0.9))] + [
        {"dataset": "State", "method": "FO-ref", "seed": 0, "figures": {"AUP": 0.1},
         "command": "python benchmarks/bench_state.py --methods FO-ref"}])
    _write(results, "bench_vs_tint", [
        {"dataset": "State", "method": "IG", "seed": 0, "command": command,
         "figures": {"ours AUP": 0.1, "ours CPU-s per series": cpu}}
        for command, cpu in (("python benchmarks/bench_vs_tint.py", 0.07),
                             ("python benchmarks/bench_vs_tint.py --quick", 99.0))])
    _write(results, "bench_faithfulness_real", [
        {"dataset": "OSULeaf", "kind": "classifier", "model": "TCNClassifier",
         "accuracy": 0.9, "command": "python benchmarks/bench_faithfulness_real.py"},
        _real("OSULeaf", "IG", 0.6, 0.4, 0.2, 0.05),
        _real("BasicMotions", "IG", 0.3, 0.5, 0.1, 0.03),
        # a quick run on fewer series: the run on 30 series is kept
        _real("BasicMotions", "IG", 0.9, 0.9, 0.1, 0.03, n_explain=5),
        _real("OSULeaf", "Dynamask", 0.2, 0.2, 0.2, 2.0)])
    return reference, results


def test_page_reads_each_figure_from_its_records(tmp_path, records):
    text = write_choosing_page(tmp_path / "page", *records).read_text()
    for name in EXPLAINERS:
        assert f":class:`~sklearn_tsx.explainers.{name}`" in text
    assert "**Real data**" in text and "**Synthetic**" in text
    # IG: comprehensiveness over the floor 3.0 (OSULeaf, signed) and 5.0
    # (BasicMotions, absolute), median 4.0; CPU-s median 0.04
    assert "4.0x (2 sets)" in text and "0.04 [" in text
    assert "1.0x (1 set)" in text  # Dynamask at the floor
    assert "0.6 \\| 0.4 (floor 0.2; 0.05 s)" in text
    # State scores averaged over the seeds of bench_state, before bench_vs_tint's
    assert "0.85 / 0.50 / 0.90" in text
    # CPU-s of the full run, not the --quick one
    assert "0.07 [" in text and "99" not in text
    assert "python benchmarks/bench_state.py --methods IG" in text
    assert "python benchmarks/bench_faithfulness_real.py --sets OSULeaf" in text
    assert "FO-ref" not in text
    assert "from local runs" in text  # the real-data records are not a reference run


def test_sufficiency_of_the_same_runs_is_a_table_of_its_own(tmp_path):
    record = _real("OSULeaf", "ExtremalMask", 0.2, 0.2, 0.2, 1.5)
    record["signed"]["suff"], record["absolute"]["suff"] = 0.01, 0.02
    record["random_floor"]["suff"] = [0.29, 0.01]
    _write(tmp_path / "reference", "bench_faithfulness_real", [record])
    text = write_choosing_page(tmp_path / "page", tmp_path / "reference",
                               tmp_path / "none").read_text()
    assert "Sufficiency AOPC" in text
    assert "0.01 \\| 0.02 (floor 0.29)" in text


def test_real_data_figures_read_under_figures_too(tmp_path):
    record = _real("OSULeaf", "IG", 0.6, 0.4, 0.2, 0.05)
    record["figures"] = {k: record.pop(k) for k in
                         ("signed", "absolute", "random_floor", "cpu_s_per_series")}
    _write(tmp_path / "reference", "bench_faithfulness_real", [record])
    text = write_choosing_page(tmp_path / "page", tmp_path / "reference",
                               tmp_path / "none").read_text()
    assert "3.0x (1 set)" in text and "from local runs" not in text


def test_a_real_data_record_without_its_figures_is_an_error(tmp_path):
    record = _real("OSULeaf", "IG", 0.6, 0.4, 0.2, 0.05)
    del record["random_floor"]
    _write(tmp_path / "reference", "bench_faithfulness_real", [record])
    with pytest.raises(ValueError, match="of IntegratedGradients on OSULeaf lacks"):
        write_choosing_page(tmp_path / "page", tmp_path / "reference", tmp_path / "none")


def test_page_without_records_says_so(tmp_path):
    text = write_choosing_page(tmp_path / "page", tmp_path / "none",
                               tmp_path / "none").read_text()
    assert "No record of ``python benchmarks/bench_faithfulness_real.py``" in text
    assert "No benchmark record is there yet." in text


def test_page_from_the_repository_records_lists_every_explainer(tmp_path):
    text = write_choosing_page(tmp_path / "page").read_text()
    assert all(f"explainers.{name}`" in text for name in EXPLAINERS)
    assert "benchmarks/reference/bench_state.jsonl" in text


@pytest.mark.parametrize("with_records", [True, False])
def test_page_builds_without_warnings(tmp_path, records, with_records):
    sphinx_main = pytest.importorskip("sphinx.cmd.build").main
    source = tmp_path / "source"
    dirs = records if with_records else (tmp_path / "none", tmp_path / "none")
    write_choosing_page(source / "choosing", *dirs)
    (source / "conf.py").write_text('project = "choosing"\n')
    (source / "black_box.rst").write_text(".. _user_guide_black_box:\n\nBlack box\n"
                                          "=========\n")
    (source / "index.rst").write_text("Docs\n====\n\n.. toctree::\n\n   choosing/index\n"
                                      "   black_box\n")
    # -W: a warning (a broken table, an unescaped substitution) fails the build
    assert sphinx_main(["-q", "-W", "-b", "html", str(source), str(tmp_path / "html")]) == 0


def test_sets_the_benchmark_refused_to_rank_are_named_with_the_reason(tmp_path):
    refused = {"dataset": "ACSF1", "method": "Random",
               "settings": {"kind": "refused", "model": "TCNClassifier"},
               "figures": {"random_floor": {"comp": [0.885, 0.0], "suff": [0.885, 0.0],
                                            "acc_drop": [1.0, 0.0]}}}
    _write(tmp_path / "reference", "bench_faithfulness_real",
           [_real("BasicMotions", "IG", 0.6, 0.4, 0.2, 0.05), refused])
    text = write_choosing_page(tmp_path / "page", tmp_path / "reference",
                               tmp_path / "none").read_text()
    assert "Not ranked:" in text
    assert ("- ACSF1: substituting a random 20 % of the entries already changes 100% "
            "of the TCNClassifier's predictions") in text
    assert "(comprehensiveness 0.885)" in text


def test_a_run_with_another_substitution_is_a_column_of_its_own(tmp_path):
    interpolated = _real("OSULeaf", "IG", 0.3, 0.2, 0.1, 0.05)
    interpolated["settings"] = {"kind": "explainer", "model": "TCNClassifier",
                                "n_explain": 20, "baseline": "interpolate"}
    refused = {"dataset": "OSULeaf", "method": "Random",
               "settings": {"kind": "refused", "model": "TCNClassifier"},
               "figures": {"random_floor": {"comp": [0.885, 0.0], "suff": [0.885, 0.0],
                                            "acc_drop": [1.0, 0.0]}}}
    _write(tmp_path / "reference", "bench_faithfulness_real",
           [_real("OSULeaf", "IG", 0.6, 0.4, 0.2, 0.05), interpolated, refused])
    text = write_choosing_page(tmp_path / "page", tmp_path / "reference",
                               tmp_path / "none").read_text()
    assert "OSULeaf, interpolated" in text
    assert "--sets OSULeaf --baseline interpolate" in text
    assert "0.3 \\| 0.2 (floor 0.1; 0.05 s)" in text
    assert "the column OSULeaf, interpolated ranks the maps" in text
