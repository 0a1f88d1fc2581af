"""Explainer defaults, measured: Dynamask's area selection and the perturbation
methods' baseline.

``dynamask``: ``Dynamask`` (every other parameter at its default) fitted once
on the grid of areas 0.05..0.5; each area's masks alone and several selection
rules on the grid are scored, on State and Switch-Feature explained through
small GRU black boxes trained here (one prediction per step, as in
``bench_state.py``) and on the rare-feature and rare-time white boxes (one
model per series, as ``bench_dynamask_rare.py``). Printed: AUP, AUR (exact
integrals), AUROC against the true saliency, the mean selected area, and the
wall time per series of the fit.

``baselines``: FeatureOcclusion, FeatureAblation and ShapleyValueSampling with
``baselines="zeros"`` and ``"mean"`` (the mean training series, learned in
``fit``). On State and Switch-Feature they explain each step's output
(``explain_per_step``, absolute values, scored as above); on the rare white
boxes the sum of the outputs over time. "zeros of State + 5" is what zeros
mean for the same series and model in units where every value is 5 more (a
net that standardises its input learns the same function there): the
baseline -5 here, far outside the data; the mean series moves with the data.

    python benchmarks/bench_explainer_defaults.py --quick
    python benchmarks/bench_explainer_defaults.py --parts dynamask --seeds 0 1

One torch thread. Figures of the latest full runs:
``benchmarks/reference/bench_explainer_defaults.jsonl`` (notes:
``bench_explainer_defaults.rst`` beside it), rendered on the docs' results page.
"""

import argparse
import time
from types import SimpleNamespace

import numpy as np
import torch
from _paper_training import PAPER_TRAINING
from _records import write_record
from bench_dynamask_rare import SummedOutput

from sklearn_tsx.datasets import (
    make_rare_feature,
    make_rare_time,
    make_state,
    make_switch_feature,
)
from sklearn_tsx.explainers import (
    Dynamask,
    FeatureAblation,
    FeatureOcclusion,
    ShapleyValueSampling,
    explain_per_step,
)
from sklearn_tsx.metrics import aup_score, aur_score, auroc_score
from sklearn_tsx.models import GRUClassifier

# Masks of different areas are independent problems, so one fit on this grid
# gives every single area's mask and every selection rule on the grid
AREAS = np.round(np.linspace(0.05, 0.5, 10), 2)


# method -> (class, settings other than the baseline): occlusion by windows of 5
# steps (every channel of a step, so it cannot tell the salient channel on State
# and Switch-Feature: AUROC 0.5 there), ablation and Shapley sampling (3
# orderings, to keep it cheap) of single entries
BASELINE_METHODS = {
    "FeatureOcclusion": (FeatureOcclusion, dict(window=5)),
    "FeatureAblation": (FeatureAblation, {}),
    "ShapleyValueSampling": (ShapleyValueSampling, dict(n_samples=3)),
}


def gru_task(make, seed, args):
    """A GRU trained on 80 % of the set, the training panel, and the first test
    series to explain with their saliency."""
    data = make(args.n_samples, n_timepoints=args.n_timepoints, random_state=seed)
    X = data.data
    n_train = int(0.8 * args.n_samples)
    model = GRUClassifier(lr=1e-3, hidden_size=args.hidden_size, sequence_output=True,
                          max_epochs=args.epochs, random_state=seed, **PAPER_TRAINING)
    model.fit(X[:n_train], data.target[:n_train])
    accuracy = model.score(X[n_train:], data.target[n_train:])
    print(f"{make.__name__} seed {seed}: GRU({args.hidden_size}) per-step test accuracy "
          f"{accuracy:.3f}", flush=True)
    rows = slice(n_train, n_train + args.n_explain)
    return model, X[:n_train], X[rows], data.saliency[rows]


def figures(truth, saliency):
    return {"AUP": aup_score(truth, saliency), "AUR": aur_score(truth, saliency),
            "AUROC": auroc_score(truth, saliency)}


def scores(truth, saliency):
    return "  ".join(f"{k} {v:.2f}" for k, v in figures(truth, saliency).items())


def selection_report(explainer, truth, seconds, dataset, seed, args):
    """Scores of each area's masks alone and of each selection rule on the grid,
    from a fitted Dynamask's (or pooled) ``masks_`` and ``errors_``."""
    masks, errors = explainer.masks_, explainer.errors_
    if args.dynamask_mode == "deletion":  # the rules below read "lowest" as "best"
        errors = -errors
    rows = np.arange(len(masks))
    low, high = errors.min(1, keepdims=True), errors.max(1, keepdims=True)
    rules = {f"area {a:.2f} alone": np.full(len(masks), i) for i, a in enumerate(AREAS)}
    rules["grid, lowest error"] = errors.argmin(1)
    for tol in (0.05, 0.1, 0.2):
        # smallest area whose error is within tol of the grid's error range
        # above its lowest error
        rules[f"grid, within {tol:.2f} of lowest"] = (
            errors - low <= tol * (high - low)).argmax(1)
    for name, selected in rules.items():
        saliency = masks[rows, selected]
        print(f"  {name:26s} {scores(truth, saliency)}  area "
              f"{AREAS[selected].mean():.2f}", flush=True)
        write_record("bench_explainer_defaults", dataset=dataset, method=f"Dynamask, {name}",
                     settings=vars(args), seed=seed,
                     figures=dict(figures(truth, saliency),
                                  **{"mean selected area": AREAS[selected].mean()}),
                     wall_s_per_series=seconds)
    print(f"  (one fit of the {len(AREAS)} areas: {seconds:.2f} s/series)", flush=True)


def dynamask_part(args):
    for seed in args.seeds:
        for make in (make_state, make_switch_feature):
            model, _, X, truth = gru_task(make, seed, args)
            start = time.perf_counter()
            explainer = Dynamask(model, area=AREAS, loss=args.dynamask_loss,
                                 mode=args.dynamask_mode, random_state=seed).fit(X)
            explainer.explain(X)
            selection_report(explainer, truth, (time.perf_counter() - start) / len(X),
                             make.__name__, seed, args)
        for make in (make_rare_feature, make_rare_time):
            data = make(n_samples=args.n_white_box, random_state=seed)
            print(f"{make.__name__} seed {seed}: {len(data.data)} white boxes", flush=True)
            start = time.perf_counter()
            fits = [Dynamask(data.model.select(i), area=AREAS, mode=args.dynamask_mode)
                    .fit(x[None])
                    for i, x in enumerate(data.data)]
            for explainer, x in zip(fits, data.data):
                explainer.explain(x[None])
            seconds = (time.perf_counter() - start) / len(fits)
            pooled = SimpleNamespace(masks_=np.concatenate([f.masks_ for f in fits]),
                                     errors_=np.concatenate([f.errors_ for f in fits]))
            selection_report(pooled, data.saliency, seconds, make.__name__, seed, args)


def baselines_part(args):
    # State + c, the same series in other units, explained by the same model in
    # those units: its zeros are -c here, and its mean series this one plus c
    specs = {
        make_state: {"zeros": "zeros", "mean": "mean", "zeros of State + 5": -5.0,
                     "zeros of State + 20": -20.0},
        make_switch_feature: {"zeros": "zeros", "mean": "mean"},
    }
    for seed in args.seeds:
        for make, baselines in specs.items():
            model, X_train, X, truth = gru_task(make, seed, args)
            for name, (cls, params) in BASELINE_METHODS.items():
                for label, spec in baselines.items():
                    explainer = cls(model, baselines=spec, random_state=seed, **params)
                    saliency = np.abs(explain_per_step(explainer.fit(X_train), X))
                    print(f"  {name:21s} {label:19s}  {scores(truth, saliency)}",
                          flush=True)
                    write_record("bench_explainer_defaults", dataset=make.__name__,
                                 method=f"{name}, baselines {label}", settings=vars(args),
                                 seed=seed, figures=figures(truth, saliency))
        for make in (make_rare_feature, make_rare_time):
            data = make(n_samples=args.n_white_box, random_state=seed)
            print(f"{make.__name__} seed {seed}: {len(data.data)} white boxes", flush=True)
            # the white boxes read ARMA series of mean 0: a training panel of their kind
            X_train = make(n_samples=100, random_state=seed + 100).data
            for name, (cls, params) in BASELINE_METHODS.items():
                for baselines in ("zeros", "mean"):
                    saliency = np.zeros_like(data.data)
                    for i, x in enumerate(data.data):
                        model = SummedOutput(data.model.select(i))
                        explainer = cls(model, baselines=baselines, random_state=seed,
                                        **params).fit(X_train)
                        saliency[i] = np.abs(explainer.explain(x[None], target=0)[0])
                    print(f"  {name:21s} {baselines:5s}  {scores(data.saliency, saliency)}",
                          flush=True)
                    write_record("bench_explainer_defaults", dataset=make.__name__,
                                 method=f"{name}, baselines {baselines}", settings=vars(args),
                                 seed=seed, figures=figures(data.saliency, saliency))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", nargs="+", default=["dynamask", "baselines"],
                        choices=["dynamask", "baselines"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--n-samples", type=int, default=400, help="series per GRU task")
    parser.add_argument("--dynamask-loss", default="auto",
                        choices=["auto", "cross_entropy", "log_loss", "mse"],
                        help="Dynamask's loss on the GRU tasks (the white boxes: auto)")
    parser.add_argument("--dynamask-mode", default="preservation",
                        choices=["preservation", "deletion"])
    parser.add_argument("--n-timepoints", type=int, default=100)
    parser.add_argument("--n-explain", type=int, default=20)
    parser.add_argument("--n-white-box", type=int, default=5,
                        help="rare-feature / rare-time series (one white box each)")
    parser.add_argument("--hidden-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20, help="GRU training epochs")
    parser.add_argument("--quick", action="store_true",
                        help="T=50, 200 series, GRU(32) 10 epochs, 4 explained, 2 white boxes")
    args = parser.parse_args()
    if args.quick:
        args.n_samples, args.n_timepoints, args.hidden_size = 200, 50, 32
        args.epochs, args.n_explain, args.n_white_box = 10, 4, 2
    torch.set_num_threads(1)
    print("settings:", vars(args), flush=True)
    if "dynamask" in args.parts:
        dynamask_part(args)
    if "baselines" in args.parts:
        baselines_part(args)


if __name__ == "__main__":
    main()
