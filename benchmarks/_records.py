"""Benchmark results as data: one JSON-lines record per measured row.

Every record carries the benchmark's name, its own fields (dataset, model,
settings, seed, figures...), the time it was written, the package versions,
the git commit and the machine, and is appended to
``benchmarks/results/<benchmark>.jsonl`` (git-ignored).
"""

import datetime
import json
import os
import platform
import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PUBLISHED_DIR = Path(__file__).resolve().parent / "published"
PACKAGES = (
    "sklearn_tsx", "numpy", "scikit-learn", "torch", "skorch", "sktime", "aeon", "numba"
)


@cache
def environment():
    """Package versions, git commit (with a ``+dirty`` mark) and machine, computed once."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root, capture_output=True, text=True, check=True,
        ).stdout.strip()
        commit += "+dirty" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = None
    machine = {
        "node": platform.node(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
    }
    return {"versions": versions, "git_commit": commit, "machine": machine}


def write_record(benchmark, **fields):
    """Append one record to ``benchmarks/results/<benchmark>.jsonl``; return it."""
    record = {
        "benchmark": benchmark,
        **fields,
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **environment(),
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    with open(RESULTS_DIR / f"{benchmark}.jsonl", "a") as f:
        f.write(json.dumps(record, default=str) + "\n")
    return record


def load_published(name):
    """The published figures in ``benchmarks/published/<name>.json``."""
    with open(PUBLISHED_DIR / f"{name}.json") as f:
        return json.load(f)
