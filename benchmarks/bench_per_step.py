"""Per-step attributions: one pass per perturbed copy (occlusion, Shapley
sampling, LIME) or one backward pass for all steps (gradient methods on a
recurrent net) versus one explanation per step.

:func:`sklearn_tsx.explainers.explain_per_step` explains the output of every time
step by the inputs at that step. Its general route explains each step's output on
its own (``n_timepoints`` explanations per series); for occlusion methods
(FeatureOcclusion, FeatureAblation, AugmentedFeatureOcclusion), Shapley value
sampling and LIME each perturbed copy is passed once and its outputs at all
steps serve all steps. Both routes run here side by side on the rare-time white
box of ContraLSP Table 1 (T = d = 50, one salient set) and on a GRU sequence
classifier (State, T = 200, 3 features, trained briefly), with the same
explainer objects; the general route is reached by calling ``explain(X,
target=t)`` for every step ``t``, which is what it does. Printed: CPU seconds
per series (one torch thread), the ratio, and the largest difference between
the two routes' attributions where they must agree (FO with zero baselines;
SVS on the additive white box, where every ordering gives the same values).
AFO, SVS and LIME otherwise draw differently on the two routes (once per
series on the fast one, once per series and step on the other) and agree in
distribution only.

Gradient methods (Saliency, IntegratedGradients, DeepLift, GradientShap) of
the GRU, LSTM and input-cell attention LSTM of :mod:`sklearn_tsx.models` take
one backward pass for all steps: each step starts from its true incoming state,
held fixed, so the gradient reaching an input comes from its own step's output
only. They run on
the State GRU(32) and on a GRU of the paper's size (200 units, untrained: the
cost does not depend on the weights); Saliency, IG and DeepLIFT must agree with
the step-by-step route to float rounding, GradientSHAP draws differently.

    python benchmarks/bench_per_step.py

Measured 2026-11-23 (default settings: 4 series, one torch thread, another job
on the second core), CPU-s per series, per-step route vs step by step:

* rare-time white box, FO one entry at a time: 0.074 vs 4.62 s, 62x, identical
  attributions (max |diff| 0);
* rare-time white box, AFO, 10 draws: 0.70 vs 55.8 s, 79x;
* State GRU(32), FO one entry at a time: 0.14 vs 34.4 s, 243x, identical;
* State GRU(32), FO one step at a time (its default window): 0.058 vs 11.7 s,
  202x, identical.

Measured 2026-11-24 (``--n-series 2``, after Shapley sampling and LIME joined
the per-step route; two other jobs running): FO 0.035 vs 3.56 s (103x,
identical), AFO 0.47 vs 43.6 s (93x), SVS over single entries, 25 orderings,
1.59 vs 121.8 s (77x, max |diff| 1e-6), LIME over single entries, 50 copies,
0.30 vs 3.61 s (12x: its 50 Lasso fits per series, one per step, are the same
on both routes) on the white box; on the State GRU(32) FO 0.12 vs 25.2 s (203x,
identical) and 0.037 vs 9.4 s (256x, identical), SVS over the 3 channels 0.027
vs 17.7 s (656x), LIME over the 3 channels 0.024 vs 5.7 s (237x).

Measured 2026-11-24 (``--n-series 2``, after gradient methods joined; another
job on the second core), CPU-s per series: on the State GRU(32) Saliency 0.015
vs 2.32 s (153x, max |diff| 8e-8 of attributions up to 0.35), IG with 50 points
0.027 vs 5.19 s (194x, 6e-8 of 0.79), DeepLIFT 0.017 vs 2.68 s (154x, 1e-7 of
0.72), GradientSHAP 0.014 vs 3.20 s (231x); on the GRU(200), one series,
Saliency 0.028 vs 6.13 s (217x, 3e-9 of 9e-3), IG 0.146 vs 28.3 s (194x, 4e-9
of 3e-2), DeepLIFT 0.031 vs 7.87 s (252x, 6e-9 of 3e-2), GradientSHAP 0.041 vs
11.7 s (288x). The occlusion rows of that run: FO 0.034 vs 2.75 s (80x), AFO
0.30 vs 36.0 s (121x), SVS 1.54 vs 85.1 s (55x, 1e-6), LIME 0.23 vs 2.41 s
(11x) on the white box; FO 0.077 vs 16.9 s (220x) and 0.029 vs 6.22 s (216x),
SVS 0.016 vs 10.3 s (652x), LIME 0.014 vs 4.31 s (312x) on the GRU(32).

The ratio exceeds ``n_timepoints`` (50, 200) where the general route's
per-call overheads (captum's set-up, target checks) are paid per step too.
"""

import argparse
import time

import numpy as np
import torch
from _paper_training import PAPER_TRAINING

from sklearn_tsx.datasets import make_rare_time, make_state
from sklearn_tsx.explainers import (
    AugmentedFeatureOcclusion,
    DeepLift,
    FeatureOcclusion,
    GradientShap,
    IntegratedGradients,
    Lime,
    Saliency,
    ShapleyValueSampling,
    explain_per_step,
)
from sklearn_tsx.models import GRUClassifier


def step_by_step(explainer, X):
    """The general route: each step's output explained on its own."""
    return np.stack(
        [explainer.explain(X, target=t)[:, :, t] for t in range(X.shape[-1])], axis=-1
    )


def timed(function, *args):
    start = time.process_time()
    out = function(*args)
    return out, time.process_time() - start


def compare(label, explainer, X, exact):
    fast, t_fast = timed(explain_per_step, explainer, X)
    slow, t_slow = timed(step_by_step, explainer, X)
    if exact:
        diff = (f"max |diff| {np.abs(fast - slow).max():.1e} of max |attribution| "
                f"{np.abs(slow).max():.1e}")
    else:
        diff = "draws differ"
    n = len(X)
    print(f"{label:<36} per step {t_fast / n:7.3f} CPU-s/series, step by step "
          f"{t_slow / n:7.2f}: {t_slow / t_fast:5.1f}x  ({diff})", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-series", type=int, default=4)
    parser.add_argument("--n-series-200", type=int, default=1,
                        help="series explained step by step by the GRU(200)'s gradients")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"settings: {args.n_series} series, seed {args.seed}, torch threads=1")

    data = make_rare_time(n_samples=args.n_series, shared_salient_set=True,
                          random_state=args.seed)
    model, X = data.model.select(0), data.data
    # zeros, the default when these figures were measured (now the mean series)
    fo = FeatureOcclusion(model, window=1, channel_window=1, baselines="zeros").fit(X)
    afo = AugmentedFeatureOcclusion(model, random_state=args.seed).fit(X)
    compare("rare-time white box, FO (entries)", fo, X, exact=True)
    compare("rare-time white box, AFO (10 draws)", afo, X, exact=False)
    # additive white box: every ordering gives each entry its own term, so the two
    # routes' different orderings give the same values
    svs = ShapleyValueSampling(model, baselines="zeros", random_state=args.seed).fit(X)
    compare("rare-time white box, SVS (entries)", svs, X, exact=True)
    lime = Lime(model, random_state=args.seed).fit(X)
    compare("rare-time white box, LIME (entries)", lime, X, exact=False)

    state = make_state(200, random_state=args.seed)
    gru = GRUClassifier(hidden_size=32, sequence_output=True, max_epochs=5, lr=1e-2,
                        random_state=args.seed, **PAPER_TRAINING).fit(state.data, state.target)
    X = state.data[: args.n_series]
    fo = FeatureOcclusion(gru, window=1, channel_window=1, baselines="zeros").fit(state.data)
    compare("State GRU(32), FO (entries)", fo, X, exact=True)
    compare("State GRU(32), FO (steps)",
            FeatureOcclusion(gru, baselines="zeros").fit(state.data), X, exact=True)
    svs = ShapleyValueSampling(gru, feature_mask="channel", baselines="zeros",
                               random_state=args.seed)
    compare("State GRU(32), SVS (channels)", svs.fit(state.data), X, exact=False)
    lime = Lime(gru, feature_mask="channel", random_state=args.seed)
    compare("State GRU(32), LIME (channels)", lime.fit(state.data), X, exact=False)
    compare_gradients("State GRU(32)", gru, state.data, X, args.seed)

    gru200 = GRUClassifier(hidden_size=200, sequence_output=True, max_epochs=1,
                           random_state=args.seed, **PAPER_TRAINING)
    gru200.fit(state.data[:8], state.target[:8])
    compare_gradients("State GRU(200)", gru200, state.data, X[: args.n_series_200],
                      args.seed)


def compare_gradients(label, model, X_fit, X, seed):
    compare(f"{label}, Saliency", Saliency(model).fit(X_fit), X, exact=True)
    compare(f"{label}, IG (50 points)", IntegratedGradients(model).fit(X_fit), X,
            exact=True)
    compare(f"{label}, DeepLIFT", DeepLift(model).fit(X_fit), X, exact=True)
    shap = GradientShap(model, random_state=seed).fit(X_fit)
    compare(f"{label}, GradientSHAP", shap, X, exact=False)


if __name__ == "__main__":
    main()
