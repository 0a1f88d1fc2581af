"""Benchmark results as data: one JSON-lines record per measured row.

Every record carries the benchmark's name, its own fields (dataset, method,
settings, seed, figures...), the command that ran it, the process's CPU seconds
and peak resident memory so far, the time it was written, the package versions,
the git commit and the machine, and is appended to
``benchmarks/results/<benchmark>.jsonl`` (git-ignored). The latest full runs
are kept, as the same records, in ``benchmarks/reference/<benchmark>.jsonl``
(committed), which the docs' results page renders; the published figures a
benchmark compares against live in ``benchmarks/published/<paper>.json``.
"""

import datetime
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import time
from functools import cache
from importlib import metadata
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
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


def command_line():
    """The command that ran this process, as typed from the repository root."""
    script = Path(sys.argv[0]).resolve()
    root = Path(__file__).resolve().parent.parent
    if script.is_relative_to(root):
        script = script.relative_to(root)
    return shlex.join(["python", str(script), *sys.argv[1:]])


def process_usage():
    """The process's CPU seconds (user + system, children included) and peak
    resident memory in MiB so far."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "process_cpu_s": round(time.process_time() + children.ru_utime + children.ru_stime, 3),
        # ru_maxrss is in KiB on Linux
        "peak_rss_mib": round(max(own.ru_maxrss, children.ru_maxrss) / 1024, 1),
    }


def _jsonable(value):
    """numpy scalars and arrays as numbers and lists; anything else as its str."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


def write_record(benchmark, **fields):
    """Append one record to ``benchmarks/results/<benchmark>.jsonl``; return it.

    ``fields`` are the row's own (dataset, method, settings, seed, figures,
    ``cpu_s`` of the row...); ``command`` defaults to this process's command line.
    """
    record = {
        "benchmark": benchmark,
        **fields,
        "command": fields.get("command") or command_line(),
        **process_usage(),
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        **environment(),
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    with open(RESULTS_DIR / f"{benchmark}.jsonl", "a") as f:
        f.write(json.dumps(record, default=_jsonable) + "\n")
    return record


def load_records(path):
    """The records of a JSON-lines file, in order."""
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def load_published(name):
    """The published figures in ``benchmarks/published/<name>.json``."""
    with open(PUBLISHED_DIR / f"{name}.json") as f:
        return json.load(f)
