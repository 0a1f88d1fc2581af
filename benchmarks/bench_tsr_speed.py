"""TSR batched versus one base-explainer call per masked copy (the reference).

Temporal Saliency Rescaling (Ismail et al. 2020) explains ``1 + T + k·C``
masked copies of every sample (``k`` = steps above the percentile threshold).
The authors' code calls the base explainer once per copy; the library hands
all copies of a batch of samples to the base explainer together. This script
runs both, side by side in one process, on the same samples and the same
fitted model: Grad (captum Saliency) on a TCN, T = C = 50, and checks that
they give the same attributions (allclose).

Settings: TCNClassifier(hidden_size=5, num_layers=3, kernel_size=4) fitted for
one epoch on 100 Gaussian series (speed does not depend on the weights: ``k``
is fixed by the percentile), one torch thread, CPU. The per-copy reference is
``TemporalSaliencyRescaling``'s Algorithm 1 written as the authors loop it,
each call through the explainer's public ``explain`` on one row.

Run ``python benchmarks/bench_tsr_speed.py`` (3 samples per seed, about two
minutes per seed on one core, nearly all of it the per-copy reference),
``--quick`` for one sample, ``--seeds 0 1 2`` for more seeds, ``--n-samples``
to change the sample count. Target: the batched TSR takes at least 20x less
time.

Figures of the latest full runs: ``benchmarks/reference/bench_tsr_speed.jsonl`` (notes:
``bench_tsr_speed.rst`` beside it), rendered on the docs' results page.
"""

import argparse
import time

import numpy as np
import torch
from _paper_training import PAPER_TRAINING
from _records import write_record

from sklearn_tsx.explainers import Saliency, TemporalSaliencyRescaling
from sklearn_tsx.models import TCNClassifier


def per_copy_tsr(base, x, target, percentile):
    """The reference: one base-explainer call per masked copy."""
    n_channels, n_timepoints = x.shape

    def attribute(z):
        return base.explain(z[None], target=[target])[0]

    reference = attribute(x)
    delta = np.zeros(n_timepoints)
    for t in range(n_timepoints):
        z = x.copy()
        z[:, t] = 0.0
        delta[t] = np.abs(reference - attribute(z)).sum()
    time_relevance = (delta - delta.min()) / (delta.max() - delta.min())
    threshold = np.quantile(time_relevance, percentile / 100)
    out = np.zeros((n_channels, n_timepoints))
    for t in range(n_timepoints):
        if time_relevance[t] > threshold:
            feature = np.zeros(n_channels)
            for c in range(n_channels):
                z = x.copy()
                z[c, t] = 0.0
                feature[c] = np.abs(reference - attribute(z)).sum()
            feature = (feature - feature.min()) / (feature.max() - feature.min())
        else:
            feature = np.full(n_channels, 0.1)
        out[:, t] = time_relevance[t] * feature
    return out


def run_seed(seed, n_samples, n_channels, n_timepoints, base_batch_size, percentile):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(100 + n_samples, n_channels, n_timepoints)).astype(np.float32)
    y = (X[:, :, 10:40].mean(axis=(1, 2)) > 0).astype(int)
    model = TCNClassifier(hidden_size=5, num_layers=3, kernel_size=4, max_epochs=1,
                          random_state=seed, **PAPER_TRAINING).fit(X[:100], y[:100])
    X_test, y_test = X[100:], y[100:]

    tsr = TemporalSaliencyRescaling(Saliency(model, batch_size=base_batch_size),
                                    percentile=percentile).fit(X[:100])
    start = time.perf_counter()
    batched = tsr.explain(X_test, target=y_test)
    batched_s = time.perf_counter() - start

    base = Saliency(model).fit(X[:100])
    start = time.perf_counter()
    reference = np.stack([per_copy_tsr(base, X_test[i], y_test[i], percentile)
                          for i in range(n_samples)])
    reference_s = time.perf_counter() - start
    max_diff = float(np.abs(batched - reference).max())
    # attributions lie in [0, 1]; float32 gradients batched differently differ
    # by ~1e-6, which the min-max rescaling of the relevances can magnify ~10x
    return batched_s, reference_s, max_diff, np.allclose(batched, reference, rtol=1e-4,
                                                         atol=1e-4)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--n-samples", type=int, default=None,
                        help="samples explained per seed (default 3, 1 with --quick)")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--timepoints", type=int, default=50)
    parser.add_argument("--base-batch-size", type=int, default=256,
                        help="rows per base-explainer call in the batched TSR")
    parser.add_argument("--percentile", type=float, default=55)
    args = parser.parse_args()
    torch.set_num_threads(1)
    n_samples = args.n_samples or (1 if args.quick else 3)

    print(f"TSR + Grad on TCNClassifier(hidden_size=5, num_layers=3, kernel_size=4), "
          f"C = {args.channels}, T = {args.timepoints}, percentile = {args.percentile}, "
          f"{n_samples} samples per seed, base batch_size = {args.base_batch_size}, "
          f"torch threads = {torch.get_num_threads()}, CPU")
    print(f"{'seed':>4}  {'batched s':>10}  {'per-copy s':>11}  {'speed-up':>9}  "
          f"{'max |diff|':>10}  allclose")
    ratios = []
    for seed in args.seeds:
        batched_s, reference_s, max_diff, close = run_seed(
            seed, n_samples, args.channels, args.timepoints, args.base_batch_size,
            args.percentile)
        ratios.append(reference_s / batched_s)
        write_record("bench_tsr_speed", dataset=f"Gaussian, T = {args.timepoints}, "
                     f"C = {args.channels}", method="TSR batched vs per copy",
                     settings=dict(vars(args), n_samples=n_samples), seed=seed,
                     figures={"batched s": batched_s, "per-copy s": reference_s,
                              "speed-up": ratios[-1], "max |diff|": max_diff,
                              "allclose": bool(close)})
        print(f"{seed:>4}  {batched_s:>10.2f}  {reference_s:>11.2f}  {ratios[-1]:>8.1f}x  "
              f"{max_diff:>10.2e}  {close}")
    verdict = "meets" if min(ratios) >= 20 else "MISSES"
    print(f"speed-up: mean {np.mean(ratios):.1f}x, min {min(ratios):.1f}x -- {verdict} the "
          f"target of at least 20x")


if __name__ == "__main__":
    main()
