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

Figures of the latest full runs: ``benchmarks/reference/bench_per_step.jsonl`` (notes:
``bench_per_step.rst`` beside it), rendered on the docs' results page.
"""

import argparse
import time

import numpy as np
import torch
from _paper_training import PAPER_TRAINING
from _records import write_record

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
    dataset, method = label.split(", ", 1)
    write_record("bench_per_step", dataset=dataset, method=method, settings={"n_series": n},
                 seed=None, figures={"per-step route CPU-s per series": t_fast / n,
                                     "step by step CPU-s per series": t_slow / n,
                                     "ratio": t_slow / t_fast, "max |diff|": diff})
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

    gru200 = GRUClassifier(lr=1e-3, hidden_size=200, sequence_output=True, max_epochs=1,
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
