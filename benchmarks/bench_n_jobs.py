"""How explanation time scales with ``n_jobs``, and with a dask cluster.

Explains a fitted ``GRUClassifier`` with ``FeatureOcclusion`` (a forward pass
per occluded time point and channel) and ``IntegratedGradients`` (50 steps) on
a synthetic panel, once per setting: ``n_jobs=1``, ``n_jobs=2`` (joblib's loky
processes), and, with ``--dask``, ``n_jobs=2`` under
``joblib.parallel_config(backend="dask")`` on a local dask cluster of two
single-threaded worker processes. Each worker uses one torch thread. Prints, per
setting, the wall-clock seconds of a first call on two batches (which starts the
workers: each new process imports torch and sklearn_tsx), then the best of
``--repeats`` (3) timings of ``explain`` on the whole panel with the workers
warm, its speed-up over ``n_jobs=1``, and the largest difference from the
``n_jobs=1`` maps, which must be 0: every batch has its own seed, drawn up front.
One JSON-lines record per row goes to ``benchmarks/results/bench_n_jobs.jsonl``.

Run::

    python benchmarks/bench_n_jobs.py --quick     # 64 series
    python benchmarks/bench_n_jobs.py             # 256 series
    python benchmarks/bench_n_jobs.py --dask      # also the dask cluster

The user guide (``docs/user_guide/scaling.rst``) quotes the full run. The
speed-up is bounded by the cores that are free: on a machine shared with other
work (the load average printed) it is below the number of workers.
"""

import argparse
import contextlib
import os
import time

import numpy as np
import torch

torch.set_num_threads(1)

import joblib
from _records import write_record

from sklearn_tsx.explainers import FeatureOcclusion, IntegratedGradients
from sklearn_tsx.models import GRUClassifier

N_CHANNELS, N_TIMEPOINTS = 3, 50
BATCH_SIZE = 32


def _panel(n_samples):
    X = np.random.default_rng(0).normal(size=(n_samples, N_CHANNELS, N_TIMEPOINTS))
    y = (X[:, 1, -10:].mean(axis=1) > 0).astype(int)
    return X.astype(np.float32), y


def _explainers(model):
    return {
        "FeatureOcclusion": lambda n_jobs: FeatureOcclusion(
            model, batch_size=BATCH_SIZE, n_jobs=n_jobs),
        "IntegratedGradients": lambda n_jobs: IntegratedGradients(
            model, n_steps=50, batch_size=BATCH_SIZE, n_jobs=n_jobs),
    }


def _timed_explain(make, n_jobs, X, repeats):
    """Seconds of a first call on two batches (which starts the workers), the
    best of ``repeats`` timings of ``explain(X)`` on the warm workers, and the maps."""
    explainer = make(n_jobs).fit(X)
    start = time.perf_counter()
    explainer.explain(X[: 2 * explainer.batch_size])
    first = time.perf_counter() - start
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        attributions = explainer.explain(X)
        best = min(best, time.perf_counter() - start)
    return first, best, attributions


def main():
    """Time every explainer at every setting and print one row each."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="64 series instead of 256")
    parser.add_argument("--dask", action="store_true", help="also a local dask cluster")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timings of each setting; the best is reported")
    args = parser.parse_args()
    n_samples = 64 if args.quick else 256
    X, y = _panel(n_samples)
    model = GRUClassifier(lr=1e-3, hidden_size=32, max_epochs=10, pooling="last",
                          random_state=0)
    model.fit(X, y)
    settings = [("n_jobs=1", 1, "loky"), ("n_jobs=2", 2, "loky")]
    if args.dask:
        settings.append(("dask, 2 workers", 2, "dask"))
    load = os.getloadavg()[0]
    print(f"{n_samples} series of {N_CHANNELS} x {N_TIMEPOINTS}; GRU hidden_size=32; "
          f"{os.cpu_count()} CPUs, load average {load:.1f} at the start")
    print(f"{'explainer':<20} {'setting':<16} {'start s':>7} {'wall s':>7} "
          f"{'speed-up':>8} {'max |diff|':>10}")
    reference = {}
    for setting, n_jobs, backend in settings:
        with contextlib.ExitStack() as stack:
            if backend == "dask":  # started only now, so that it idles beside no other row
                from distributed import Client, LocalCluster

                cluster = stack.enter_context(
                    LocalCluster(n_workers=2, threads_per_worker=1, processes=True))
                stack.enter_context(Client(cluster))
            stack.enter_context(joblib.parallel_config(backend=backend))
            for name, make in _explainers(model).items():
                first, seconds, attributions = _timed_explain(make, n_jobs, X, args.repeats)
                reference.setdefault(name, (seconds, attributions))
                speedup = reference[name][0] / seconds
                diff = float(np.abs(attributions - reference[name][1]).max())
                print(f"{name:<20} {setting:<16} {first:7.2f} {seconds:7.2f} "
                      f"{speedup:8.2f} {diff:10.2g}")
                write_record(
                    "bench_n_jobs", dataset="synthetic", method=f"{name}, {setting}",
                    seed=0,
                    settings={"explainer": name, "n_jobs": n_jobs, "backend": backend,
                              "n_samples": n_samples, "batch_size": BATCH_SIZE,
                              "repeats": args.repeats, "load_average": load},
                    figures={"first_call_s": first, "wall_s": seconds,
                             "speedup": speedup, "max_abs_diff": diff},
                )


if __name__ == "__main__":
    main()
