"""The benchmarks' records, their docstrings, and the docs' results page built from them."""

import ast
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
sys.path.insert(0, str(ROOT / "docs" / "sphinxext"))
sys.path.insert(0, str(BENCHMARKS))

import _records  # noqa: E402
from results_page import SECTIONS, load_reference, write_results_page  # noqa: E402

RECORDS = [r for records in load_reference().values() for r in records]
SCRIPTS = sorted(BENCHMARKS.glob("bench_*.py")) + sorted(BENCHMARKS.glob("check_*.py"))


def test_reference_records_exist():
    assert len(RECORDS) > 50
    assert {"bench_state", "bench_contralsp_rare", "bench_tser_real"} <= set(load_reference())


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: f"{r['benchmark']}-{r['method']}")
def test_every_record_names_its_command(record):
    assert record["command"].startswith("python benchmarks/"), record["command"]
    script = record["command"].split()[1]
    assert (ROOT / script).name == f"{record['benchmark']}.py"
    assert record["figures"], "a record without figures"
    assert {"dataset", "method", "seed", "settings", "machine"} <= set(record)


def test_write_record_appends_one_line_with_its_context(tmp_path, monkeypatch):
    monkeypatch.setattr(_records, "RESULTS_DIR", tmp_path)
    for seed in (0, 1):
        _records.write_record("bench_x", dataset="State", method="IG", seed=seed,
                              settings={"n": 2}, figures={"AUP": np.float32(0.5)})
    first, second = _records.load_records(tmp_path / "bench_x.jsonl")
    assert (first["seed"], second["seed"]) == (0, 1)
    assert first["figures"] == {"AUP": 0.5}
    assert first["command"].startswith("python ")
    assert first["peak_rss_mib"] > 0 and first["process_cpu_s"] >= 0
    assert {"versions", "git_commit", "machine", "time"} <= set(first)


def test_every_published_file_names_its_source():
    for path in (BENCHMARKS / "published").glob("*.json"):
        assert json.loads(path.read_text())["source"], path.name


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_benchmark_docstring_is_at_most_40_lines(script):
    docstring = ast.get_docstring(ast.parse(script.read_text()), clean=False)
    assert docstring, f"{script.name} has no module docstring"
    assert len(docstring.strip("\n").splitlines()) <= 40


def test_results_page_builds_from_the_records(tmp_path):
    sphinx_main = pytest.importorskip("sphinx.cmd.build").main
    source = tmp_path / "source"
    page = write_results_page(source / "results")
    text = page.read_text()
    for _, _, tables in SECTIONS:
        for table in tables:
            assert table.title in text
    # ours beside the paper's: Dynamask on State, 5-seed mean [paper]
    assert "0.926 [0.93]" in text
    assert "published RMSE, fold 0" in text
    for record in RECORDS:
        for command in record["command"].split("; "):
            assert command in text
    (source / "conf.py").write_text('project = "results"\n')
    (source / "index.rst").write_text("Results\n=======\n\n.. toctree::\n\n   results/index\n")
    out = tmp_path / "html"
    # -W: a warning (a broken table, an unescaped substitution) fails the build
    assert sphinx_main(["-q", "-W", "-b", "html", str(source), str(out)]) == 0
    html = (out / "results" / "index.html").read_text()
    assert "Table 3: State" in html
    assert (out / "_images" / "state_aup_aur.png").exists()
    assert (out / "_images" / "tser_rmse.png").exists()
