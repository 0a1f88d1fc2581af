"""Dynamask memory: one long series (T = 2000, C = 20) with a Gaussian blur.

Fits Dynamask masks to one series of a white box reading 5 random channels
over the middle half of the time axis, with the windowed Gaussian kernel
(``blur_window="auto"``, 4 sigma_max) and prints the peak resident memory of
the process (``resource.getrusage`` max RSS, which includes the interpreter
and torch, about 0.3-0.5 GB) against the 4 GB target. The run also prints
what the dense O(T^2) kernel would need instead (estimated, not allocated,
unless ``--run-full`` is given).

    python benchmarks/bench_dynamask_memory.py --quick
    python benchmarks/bench_dynamask_memory.py --areas 5 --epochs 200
"""

import argparse
import resource
import time

import numpy as np
import torch
from _records import write_record

from sklearn_tsx.datasets import WhiteBoxRegressor, make_arma
from sklearn_tsx.explainers import Dynamask
from sklearn_tsx.metrics import auroc_score


def peak_rss_gb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--timepoints", type=int, default=2000)
    parser.add_argument("--channels", type=int, default=20)
    parser.add_argument("--areas", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--run-full", action="store_true",
                        help="also run the dense O(T^2) kernel "
                        "(several times the size printed)")
    parser.add_argument("--quick", action="store_true", help="1 area, 30 epochs")
    args = parser.parse_args()
    if args.quick:
        args.areas, args.epochs = 1, 30
    torch.set_num_threads(1)
    T, C = args.timepoints, args.channels
    areas = np.linspace(0.05, 0.15, args.areas)
    print(f"settings: T={T} C={C} areas={np.round(areas, 3).tolist()} epochs={args.epochs} "
          "sigma_max=2 blur_window=auto (8 steps), lr 0.1, momentum 0.9, torch threads=1")
    print(f"peak RSS before fitting: {peak_rss_gb():.2f} GB")
    for seed in args.seeds:
        rng = np.random.default_rng(seed)
        X = make_arma(1, C, T, random_state=seed)
        salient = np.zeros((C, T), dtype=bool)
        salient[rng.choice(C, 5, replace=False), T // 4 : 3 * T // 4] = True
        model = WhiteBoxRegressor(salient)
        start = time.process_time()
        explainer = Dynamask(model, area=areas, sigma_max=2.0, max_epochs=args.epochs,
                             lr=0.1, size_reg_init=1.0,
                             size_reg_dilation=100.0).fit(X)
        S = explainer.explain(X)
        cpu = time.process_time() - start
        peak = peak_rss_gb()
        write_record("bench_dynamask_memory", dataset=f"make_arma, T = {T}, C = {C}",
                     method="Dynamask, windowed blur", settings=vars(args), seed=seed,
                     figures={"peak RSS GB": peak,
                              "AUROC": auroc_score(salient[None], S, normalize=False)},
                     cpu_s=cpu)
        print(f"seed {seed}: windowed kernel peak RSS {peak:.2f} GB (target <= 4 GB: "
              f"{'meets' if peak <= 4 else 'MISSES'}), {cpu:.1f} CPU-s, "
              f"AUROC {auroc_score(salient[None], S, normalize=False):.3f}")
    dense = len(areas) * C * T * T * 4 / 1024**3
    print(f"dense O(T^2) kernel: one (areas, C, T, T) float32 weight tensor alone is "
          f"{dense:.1f} GB, and autograd keeps several")
    if args.run_full:
        explainer.set_params(blur_window=None).explain(X)
        print(f"dense kernel peak RSS {peak_rss_gb():.2f} GB")


if __name__ == "__main__":
    main()
