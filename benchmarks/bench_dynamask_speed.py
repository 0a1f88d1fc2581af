"""Dynamask speed: batched fit versus one area at a time, rare-feature protocol.

The protocol of Dynamask Table 1 (T = d = 50, 50 areas 0.001..0.050, 1000
epochs, Gaussian blur sigma_max = 2, lambda_0 = 1, delta = 1000, lr 1/50 per
mask, momentum 0.9) per explained series, run two ways in one process with the
same code:

* batched: all 50 areas of a series fitted as one tensor, one model call per
  epoch (``Dynamask(area=grid)``);
* one at a time: one ``Dynamask(area=a)`` per area, as the reference fits them
  (one sample, one area, one model call per area and epoch).

Each series has its own white box, so a batch holds one series' 50 areas.
The one-at-a-time run is timed on ``--sub-areas`` areas spread over the grid
and extrapolated to 50 (printed as such), unless ``--all-areas``; its masks are
compared with the batched masks of the same areas, and, with ``--all-areas``,
its lowest-error mask's AUR with the batched one's. CPU time is
``time.process_time`` (one torch thread). The reference code needed about
457 CPU-s per series on this kind of machine (REFERENCE.md).

    python benchmarks/bench_dynamask_speed.py --quick
    python benchmarks/bench_dynamask_speed.py --all-areas     # full comparison

Target: the batched fit 100x faster than one area at a time.

Figures of the latest full runs: ``benchmarks/reference/bench_dynamask_speed.jsonl`` (notes:
``bench_dynamask_speed.rst`` beside it), rendered on the docs' results page.
"""

import argparse
import time

import numpy as np
import torch
from _records import write_record

from sklearn_tsx.datasets import make_rare_feature
from sklearn_tsx.explainers import Dynamask
from sklearn_tsx.metrics import aur_score
from sklearn_tsx.utils import keep_freed_memory

REFERENCE_CPU_S = 457.0
AREAS = np.arange(1, 51) / 1000


def explainer(model, area, epochs):
    return Dynamask(model, area=area, sigma_max=2.0, max_epochs=epochs,
                    lr=1.0 / 50, momentum=0.9, size_reg_init=1.0,
                    size_reg_dilation=1000.0, batch_size=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--n-series", type=int, default=3)
    parser.add_argument("--sub-areas", type=int, default=5)
    parser.add_argument("--all-areas", action="store_true")
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="1 series, 2 sub-areas")
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="call sklearn_tsx.utils.keep_freed_memory() first")
    args = parser.parse_args()
    if args.keep_freed_memory and not keep_freed_memory():
        print("--keep-freed-memory: not glibc, nothing changed")
    if args.quick:
        args.n_series, args.sub_areas = 1, 2
    torch.set_num_threads(1)
    n_sub = len(AREAS) if args.all_areas else args.sub_areas
    subset = np.unique(np.linspace(0, len(AREAS) - 1, n_sub).round().astype(int))
    scope = "all" if len(subset) == 50 else f"extrapolated x{50 / len(subset):.1f}"
    print(f"settings: seeds={args.seeds} series/seed={args.n_series} areas=50 "
          f"epochs={args.epochs} one-at-a-time on {len(subset)} areas ({scope}), "
          f"torch threads=1 keep_freed_memory={args.keep_freed_memory}")
    # The first fit of a process pays one-off costs (allocator, kernel set-up:
    # about 1.7 CPU-s here) that would be charged to whichever run comes first.
    warm_up = make_rare_feature(n_samples=1, random_state=0)
    for area in (AREAS, AREAS[0]):
        explainer(warm_up.model.select(0), area, 5).fit(warm_up.data).explain(warm_up.data)
    rows = []
    for seed in args.seeds:
        data = make_rare_feature(n_samples=args.n_series, random_state=seed)
        for i in range(args.n_series):
            model = data.model.select(i)
            x, truth = data.data[i : i + 1], data.saliency[i : i + 1]
            start = time.process_time()
            batched = explainer(model, AREAS, args.epochs).fit(x)
            S_batched = batched.explain(x)
            t_batched = time.process_time() - start
            t_single, masks, errors = 0.0, [], []
            for a in subset:
                start = time.process_time()
                single = explainer(model, AREAS[a], args.epochs).fit(x)
                single.explain(x)
                t_single += time.process_time() - start
                masks.append(single.masks_[0, 0])
                errors.append(single.errors_[0, 0])
            t_single *= len(AREAS) / len(subset)
            diff = np.abs(np.stack(masks) - batched.masks_[0, subset]).max()
            aur_b = aur_score(truth, S_batched, normalize=False, convention="dynamask")
            aur_s = (aur_score(truth, masks[int(np.argmin(errors))][None], normalize=False,
                               convention="dynamask") if len(subset) == 50 else np.nan)
            rows.append((t_batched, t_single, diff, aur_b, aur_s))
            write_record("bench_dynamask_speed", dataset="rare feature",
                         method="Dynamask batched vs one area at a time", settings=vars(args),
                         seed=seed, series=i,
                         figures={"batched CPU-s": t_batched, "one at a time CPU-s": t_single,
                                  "speed-up": t_single / t_batched, "max |mask diff|": diff,
                                  "AUR batched": aur_b, "AUR one at a time": aur_s},
                         one_at_a_time_areas=len(subset))
            print(f"seed {seed} series {i}: batched {t_batched:7.1f} CPU-s, one at a time "
                  f"{t_single:7.1f} CPU-s, speed-up {t_single / t_batched:5.1f}x, max |mask "
                  f"diff| {diff:.1e}, AUR batched {aur_b:.3f} one-at-a-time {aur_s:.3f}")
    r = np.array(rows)
    print(f"\nCPU-s per series (mean over {len(r)}): batched {r[:, 0].mean():.1f}, "
          f"one at a time {r[:, 1].mean():.1f}, reference code ~{REFERENCE_CPU_S:.0f}")
    ratio = r[:, 1].mean() / r[:, 0].mean()
    print(f"speed-up vs one area at a time (same code): {ratio:.1f}x "
          f"(target >= 100x: {'met' if ratio >= 100 else 'missed'})")
    print(f"CPU time vs the reference code's {REFERENCE_CPU_S:.0f} CPU-s per series: "
          f"{REFERENCE_CPU_S / r[:, 0].mean():.1f}x less")
    if not np.isnan(r[:, 4]).all():
        print(f"AUR batched {r[:, 3].mean():.3f} vs one at a time {np.nanmean(r[:, 4]):.3f} "
              "(target: equal within 0.02)")


if __name__ == "__main__":
    main()
