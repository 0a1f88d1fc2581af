"""Faithfulness of every explainer at its defaults on real classification sets.

Five UCR/UEA sets that ship with sktime (GunPoint and ArrowHead are held out):
BasicMotions, JapaneseVowels (unequal lengths, zero-padded at the end to the
longest series), ItalyPowerDemand, OSULeaf and ACSF1, default train/test
split, raw values (the nets scale their input themselves). Per set, the
classifiers at their defaults and sktime's ``RocketClassifier`` are fitted on
the training split and scored on the test split; the explained model
(``--model``, default ``TCNClassifier()``) must reach a skill
``(accuracy - majority share) / (1 - majority share)`` of at least
``--min-skill`` (default 0.25: a quarter of the way from the majority share to
a perfect score), else the set is refused with the reason: a model near chance
has nothing faithful to explain. So is a set where the random floor already
changes ``--max-floor-drop`` (0.95) of the predictions at 20 %: OSULeaf's TCN
(accuracy 0.975) under mean substitution, where every map scores 0.885.
``--baseline interpolate`` fills removed entries from the kept ones around
them (no spikes); OSULeaf is ranked that way, a column of its own.

Every explainer at its defaults (the prefix and LOF methods with
``--methods`` only: see ``SLOW``) explains the predicted class of
``--n-explain`` test series. Scores (``sklearn_tsx.metrics``, average
substitution, ties in random order): comprehensiveness and sufficiency AOPC
over 10..50 % of the entries, the accuracy drop at 20 %, each on the signed
attributions and on their absolute values, and CPU-s per series. The floor is
``RandomExplainer`` over ``--random-seeds`` seeds (mean ± std); comprehensiveness
is also split between series whose all-mean version keeps their class (where
no map can remove much) and the others.

Run::

    python benchmarks/bench_faithfulness_real.py --quick
    python benchmarks/bench_faithfulness_real.py --sets OSULeaf --methods Dynamask FO
    python benchmarks/bench_faithfulness_real.py --no-explain  # the classifiers alone
    python benchmarks/bench_faithfulness_real.py --cv --cv-params '{"normalization": null}'
    python benchmarks/bench_faithfulness_real.py --sets ItalyPowerDemand \
        --methods Dynamask ExtremalMask --method-params '{"mode": "deletion"}' --classifiers

Target (issue 32): Dynamask, ExtremalMask and ContraLSP at their defaults match
FeatureOcclusion's comprehensiveness AOPC on most sets and beat the random
floor on every set by a clear margin. Records: ``benchmarks/results/
bench_faithfulness_real.jsonl``, one per (set, model) and per (set, method).
"""

import argparse
import json
import time

import numpy as np
import torch
from _records import write_record
from sklearn.model_selection import StratifiedKFold
from sktime.datasets import load_UCR_UEA_dataset
from sktime.datatypes import convert_to
from sktime.transformations.panel.padder import PaddingTransformer

import sklearn_tsx.explainers as ex
import sklearn_tsx.models as models
from sklearn_tsx.metrics import faithfulness_curves

SETS = ("BasicMotions", "JapaneseVowels", "ItalyPowerDemand", "OSULeaf", "ACSF1")
HELD_OUT = ("GunPoint", "ArrowHead")
CLASSIFIERS = ("GRUClassifier", "LSTMClassifier", "TCNClassifier", "TransformerClassifier",
               "InputCellAttentionClassifier")
# name -> how to build it around the fitted model; every explainer at its defaults.
METHODS = {
    "Saliency": lambda m: ex.Saliency(m),
    "IG": lambda m: ex.IntegratedGradients(m),
    "DeepLift": lambda m: ex.DeepLift(m),
    "DeepLiftShap": lambda m: ex.DeepLiftShap(m),
    "GradientShap": lambda m: ex.GradientShap(m),
    "SmoothGrad": lambda m: ex.SmoothGrad(m),
    "InputXGradient": lambda m: ex.InputXGradient(m),
    "GuidedBackprop": lambda m: ex.GuidedBackprop(m),
    "Deconvolution": lambda m: ex.Deconvolution(m),
    "LayerGradCam": lambda m: ex.LayerGradCam(m),
    "TemporalIG": lambda m: ex.TemporalIntegratedGradients(m),
    "SequentialIG": lambda m: ex.SequentialIntegratedGradients(m),
    "FO": lambda m: ex.FeatureOcclusion(m),
    "FeatureAblation": lambda m: ex.FeatureAblation(m),
    "FeaturePermutation": lambda m: ex.FeaturePermutation(m),
    "SVS": lambda m: ex.ShapleyValueSampling(m),
    "Lime": lambda m: ex.Lime(m),
    "KernelShap": lambda m: ex.KernelShap(m),
    "ShapleyValues": lambda m: ex.ShapleyValues(m),
    "LofLime": lambda m: ex.LofLime(m),
    "LofKernelShap": lambda m: ex.LofKernelShap(m),
    "BayesLime": lambda m: ex.BayesLime(m),
    "BayesKernelShap": lambda m: ex.BayesKernelShap(m),
    "TemporalOcclusion": lambda m: ex.TemporalOcclusion(m),
    "TemporalAugmentedOcclusion": lambda m: ex.TemporalAugmentedOcclusion(m),
    "AFO": lambda m: ex.AugmentedFeatureOcclusion(m),
    "FIT": lambda m: ex.FIT(m),
    "TSR(IG)": lambda m: ex.TemporalSaliencyRescaling(ex.IntegratedGradients(m)),
    "Dynamask": lambda m: ex.Dynamask(m),
    "ExtremalMask": lambda m: ex.ExtremalMask(m),
    "ContraLSP": lambda m: ex.ContraLSP(m),
}
# The prefix methods explain a model step by step (made for sequence models; 1-30
# CPU-s per series here) and the LOF methods pay a neighbour search per copy:
# run them with --methods.
SLOW = ("TemporalIG", "SequentialIG", "TemporalOcclusion", "TemporalAugmentedOcclusion",
        "LofLime", "LofKernelShap")
FRACTIONS = (0.1, 0.2, 0.3, 0.4, 0.5)
SCORES = ("comp", "suff", "acc_drop")


def load_set(name):
    """Train and test panels of a UCR/UEA set shipped with sktime, as float32."""
    if name in HELD_OUT:
        raise ValueError(f"{name} is held out as an independent check; do not use it here.")
    splits = [load_UCR_UEA_dataset(name, split=s) for s in ("train", "test")]
    try:
        panels = [convert_to(X, to_type="numpy3D") for X, _ in splits]
    except Exception:  # unequal lengths: pad every series to the longest
        length = max(len(cell) for X, _ in splits for cell in X.iloc[:, 0])
        pad = PaddingTransformer(pad_length=length)
        panels = [convert_to(pad.fit_transform(X), to_type="numpy3D") for X, _ in splits]
    (_, y_train), (_, y_test) = splits
    return (panels[0].astype(np.float32), np.asarray(y_train),
            panels[1].astype(np.float32), np.asarray(y_test))


def skill(accuracy, y):
    """Accuracy above the majority share, as a fraction of what is left above it."""
    majority = np.unique(y, return_counts=True)[1].max() / len(y)
    return (accuracy - majority) / (1 - majority)


def fit_classifiers(name, data, names, seed, rocket_kernels):
    X_train, y_train, X_test, y_test = data
    fitted = {}
    for cls_name in names:
        start = time.process_time()
        if cls_name == "RocketClassifier":
            from sktime.classification.kernel_based import RocketClassifier

            model = RocketClassifier(num_kernels=rocket_kernels, random_state=seed)
        else:
            model = getattr(models, cls_name)(random_state=seed)
        model.fit(X_train, y_train)
        cpu = time.process_time() - start
        accuracy = float(np.mean(model.predict(X_test) == y_test))
        print(f"  {cls_name:<30} accuracy {accuracy:.3f}  skill "
              f"{skill(accuracy, y_test):+.2f}  fit {cpu:6.1f} CPU-s", flush=True)
        write_record("bench_faithfulness_real", dataset=name, method=cls_name, seed=seed,
                     settings={"kind": "classifier", "rocket_kernels": rocket_kernels},
                     figures={"accuracy": accuracy, "skill": float(skill(accuracy, y_test)),
                              "fit_cpu_s": cpu},
                     command="python benchmarks/bench_faithfulness_real.py --no-explain "
                     f"--sets {name} --seed {seed}")
        fitted[cls_name] = (model, accuracy)
    return fitted


def cross_validate(name, data, cls_name, params, seed):
    """3-fold stratified CV accuracy of a classifier on the training split alone
    (how the classifier defaults were chosen; the test split is for reporting)."""
    X_train, y_train = data[:2]
    folds = StratifiedKFold(3, shuffle=True, random_state=0).split(X_train, y_train)
    start = time.process_time()
    accuracy = [float(np.mean(getattr(models, cls_name)(random_state=seed, **params)
                              .fit(X_train[fit], y_train[fit]).predict(X_train[valid])
                              == y_train[valid])) for fit, valid in folds]
    cpu = time.process_time() - start
    print(f"  {cls_name} {params or 'defaults'}: 3-fold CV accuracy "
          f"{np.mean(accuracy):.3f} (folds {', '.join(f'{a:.3f}' for a in accuracy)}), "
          f"{cpu:.1f} CPU-s", flush=True)
    write_record("bench_faithfulness_real", dataset=name, method=cls_name, seed=seed,
                 settings={"kind": "cv", "params": params},
                 figures={"cv_accuracy": float(np.mean(accuracy)), "folds": accuracy,
                          "cpu_s": cpu})


def scores(model, X, saliency, seed, baseline="average"):
    """Comprehensiveness / sufficiency AOPC and accuracy drop at 20 %."""
    curves = faithfulness_curves(model, X, saliency, fractions=FRACTIONS,
                                 metrics=("comprehensiveness", "sufficiency", "accuracy"),
                                 baseline=baseline, random_state=seed)
    return {"comp": float(curves["comprehensiveness"].mean()),
            "suff": float(curves["sufficiency"].mean()),
            "acc_drop": float(1.0 - curves["accuracy"][FRACTIONS.index(0.2)])}


def mean_keeps_class(model, X):
    """Which series are predicted as the same class once every entry is
    substituted by its channel's mean: for them the substitution itself argues
    for the explained class, and removing entries can only move the prediction
    so far (a preservation mask has nothing it must keep)."""
    flat = np.broadcast_to(X.mean(-1, keepdims=True), X.shape).astype(X.dtype)
    return model.predict(flat) == model.predict(X)


def split_comp(model, X, saliency, keeps, seed, baseline):
    """Comprehensiveness AOPC (signed attributions) on the series whose mean
    series keeps their class and on the others (``None`` where there are none)."""
    return {part: (scores(model, X[rows], saliency[rows], seed, baseline)["comp"]
                   if rows.any() else None)
            for part, rows in (("keeps", keeps), ("changes", ~keeps))}


def explain_all(name, model, data, args):
    X_train, y_train, X_test, _ = data
    rng = np.random.default_rng(args.seed)
    rows = np.sort(rng.choice(len(X_test), min(args.n_explain, len(X_test)), replace=False))
    X = X_test[rows]
    results = {}
    keeps = mean_keeps_class(model, X)
    random_maps = [ex.RandomExplainer(model, random_state=s).fit(X_train).explain(X)
                   for s in range(args.random_seeds)]
    floor = [scores(model, X, r, args.seed, args.baseline) for r in random_maps]
    floor_split = [split_comp(model, X, r, keeps, args.seed, args.baseline)
                   for r in random_maps]
    floor_by_class = {part: (None if floor_split[0][part] is None
                             else float(np.mean([f[part] for f in floor_split])))
                      for part in ("keeps", "changes")}
    print(f"  {keeps.sum()} of {len(X)} series keep their class when every entry is "
          f"substituted; random floor on those / the others: "
          f"{_fmt(floor_by_class['keeps'])} / {_fmt(floor_by_class['changes'])}",
          flush=True)
    # the substitution, when not the default, is part of every record and command
    baseline = {} if args.baseline == "average" else {"baseline": args.baseline}
    flag = "" if args.baseline == "average" else f" --baseline {args.baseline}"
    results["Random"] = {k: (float(np.mean([f[k] for f in floor])),
                             float(np.std([f[k] for f in floor]))) for k in SCORES}
    floor_drop = results["Random"]["acc_drop"][0]
    if floor_drop >= args.max_floor_drop:
        print(f"  refused: substituting a random 20 % of the entries already changes "
              f"{floor_drop:.0%} of {args.model}'s predictions (random floor: "
              f"comprehensiveness {results['Random']['comp'][0]:.3f}, sufficiency "
              f"{results['Random']['suff'][0]:.3f}); any map scores as the floor does, "
              "so no explainer is ranked on this set.", flush=True)
        write_record("bench_faithfulness_real", dataset=name, method="Random",
                     seed=args.seed,
                     settings={"kind": "refused", "model": args.model,
                               "n_explain": len(X), "fractions": FRACTIONS,
                               "max_floor_drop": args.max_floor_drop, **baseline},
                     figures={"random_floor": results["Random"]},
                     command="python benchmarks/bench_faithfulness_real.py "
                     f"--sets {name} --seed {args.seed} --n-explain {len(X)}{flag} "
                     "--classifiers")
        return None
    # a variant's records are of kind "variant": the defaults' rows stay the defaults'
    kind = "variant" if args.method_params else "explainer"
    variant = {"params": args.method_params} if args.method_params else {}
    option = f" --method-params '{json.dumps(args.method_params)}'" if variant else ""
    for method in args.methods:
        explainer = METHODS[method](model).set_params(**args.method_params)
        if "random_state" in explainer.get_params(deep=False):
            explainer.set_params(random_state=args.seed)
        start = time.process_time()
        saliency = explainer.fit(X_train, y_train).explain(X)
        cpu = (time.process_time() - start) / len(X)
        signed = scores(model, X, saliency, args.seed, args.baseline)
        absolute = scores(model, X, np.abs(saliency), args.seed, args.baseline)
        by_class = split_comp(model, X, saliency, keeps, args.seed, args.baseline)
        tied = float(np.mean([1 - np.unique(s).size / s.size for s in saliency]))
        results[method] = {"signed": signed, "absolute": absolute, "cpu": cpu, "tied": tied}
        print(f"  {method:<16} comp {signed['comp']:.3f} / |.| {absolute['comp']:.3f}  "
              f"(kept / changed by the mean: {_fmt(by_class['keeps'])} / "
              f"{_fmt(by_class['changes'])})  "
              f"suff {signed['suff']:.3f} / {absolute['suff']:.3f}  acc drop "
              f"{signed['acc_drop']:.2f} / {absolute['acc_drop']:.2f}  tied "
              f"{tied:.2f}  {cpu:.3f} CPU-s per series", flush=True)
        write_record("bench_faithfulness_real", dataset=name, method=method, seed=args.seed,
                     settings={"kind": kind, "model": args.model, "n_explain": len(X),
                               "fractions": FRACTIONS, **baseline, **variant},
                     figures={"signed": signed, "absolute": absolute,
                              "cpu_s_per_series": cpu, "tied_share": tied,
                              "random_floor": results["Random"],
                              "comp_by_mean_class": {**by_class,
                                                     "n_keeps": int(keeps.sum()),
                                                     "random_floor": floor_by_class}},
                     command="python benchmarks/bench_faithfulness_real.py "
                     f"--sets {name} --methods '{method}' --seed {args.seed} "
                     f"--n-explain {len(X)}{flag}{option} --classifiers")
    return results


def _fmt(value):
    return "-" if value is None else f"{value:.3f}"


def summary(all_results):
    print("\nComprehensiveness AOPC, signed | absolute (x the random floor's mean); "
          "random floor mean ± std")
    sets = list(all_results)
    print(f"{'method':<16}" + "".join(f"{s:>26}" for s in sets))
    methods = [m for m in METHODS if any(m in r for r in all_results.values())]
    for method in methods:
        cells = []
        for s in sets:
            r = all_results[s].get(method)
            if r is None:
                cells.append(f"{'-':>26}")
                continue
            floor = all_results[s]["Random"]["comp"][0]
            best = max(r["signed"]["comp"], r["absolute"]["comp"])
            cells.append(f"{r['signed']['comp']:.3f} | {r['absolute']['comp']:.3f} "
                         f"({best / floor if floor > 0 else float('nan'):.1f}x)".rjust(26))
        print(f"{method:<16}" + "".join(cells))
    floors = [all_results[s]["Random"]["comp"] for s in sets]
    print(f"{'Random':<16}" + "".join(f"{m:.3f} ± {sd:.3f}".rjust(26) for m, sd in floors))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    parser.add_argument("--methods", nargs="+", choices=list(METHODS),
                        default=[m for m in METHODS if m not in SLOW])
    parser.add_argument("--model", default="TCNClassifier", choices=CLASSIFIERS)
    parser.add_argument("--classifiers", nargs="*", default=None,
                        help="classifiers to fit and score beside --model (default: every "
                        "net and RocketClassifier); pass none to fit --model alone")
    parser.add_argument("--rocket-kernels", type=int, default=10000)
    parser.add_argument("--n-explain", type=int, default=30)
    parser.add_argument("--random-seeds", type=int, default=5)
    parser.add_argument("--min-skill", type=float, default=0.25)
    parser.add_argument("--max-floor-drop", type=float, default=0.95,
                        help="refuse to rank a set where random substitution of 20 %% "
                        "of the entries changes at least this share of the predictions")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-explain", action="store_true",
                        help="fit and score the classifiers only")
    parser.add_argument("--baseline", choices=("average", "interpolate"),
                        default="average",
                        help="what replaces the substituted entries: each series' "
                        "channel mean, or the interpolation of the entries kept around "
                        "them (for models that any scattered spike flips)")
    parser.add_argument("--cv", action="store_true",
                        help="3-fold CV accuracy of --model on each training split only")
    parser.add_argument("--cv-params", type=json.loads, default={},
                        help="with --cv, JSON parameters of --model, e.g. "
                        "'{\"normalization\": null}'")
    parser.add_argument("--method-params", type=json.loads, default={},
                        help="JSON parameters set on every explainer of --methods, e.g. "
                        "'{\"mode\": \"deletion\"}'; recorded as a variant, not as the "
                        "explainer's defaults")
    parser.add_argument("--quick", action="store_true",
                        help="BasicMotions and ItalyPowerDemand, 10 series, no other "
                        "classifiers, fast methods only")
    args = parser.parse_args()
    if args.quick:
        args.sets = ["BasicMotions", "ItalyPowerDemand"]
        args.n_explain, args.random_seeds = 10, 3
        args.classifiers = args.classifiers or []
        if args.methods == parser.get_default("methods"):
            args.methods = ["Saliency", "IG", "DeepLift", "FO", "Dynamask"]
    if args.classifiers is None:
        args.classifiers = [*CLASSIFIERS, "RocketClassifier"]
    torch.set_num_threads(1)
    print("settings:", vars(args), flush=True)
    all_results = {}
    for name in args.sets:
        data = load_set(name)
        print(f"\n{name}: train {data[0].shape}, test {data[2].shape}, "
              f"{np.unique(data[1]).size} classes", flush=True)
        if args.cv:
            cross_validate(name, data, args.model, args.cv_params, args.seed)
            continue
        names = [args.model] + [c for c in args.classifiers if c != args.model]
        fitted = fit_classifiers(name, data, names, args.seed, args.rocket_kernels)
        model, accuracy = fitted[args.model]
        s = skill(accuracy, data[3])
        if s < args.min_skill:
            print(f"  refused: {args.model} has test accuracy {accuracy:.3f} (skill "
                  f"{s:+.2f} < {args.min_skill}); explanations of a model near chance "
                  "say nothing about the data, so no explainer is ranked on this set.")
            continue
        if not args.no_explain:
            results = explain_all(name, model, data, args)
            if results is not None:
                all_results[name] = results
    if all_results:
        summary(all_results)


if __name__ == "__main__":
    main()
