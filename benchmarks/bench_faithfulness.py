"""Faithfulness without ground truth on a real multivariate dataset (in place of
ContraLSP Table 4 / Figure 7, whose MIMIC-III data cannot be had here).

BasicMotions (sktime, shipped with the package: 6 channels, T = 100, 4 classes,
40 train / 40 test series), channels standardised with the training statistics.
A one-layer GRU black box (``--hidden-size``, default 200 as the paper) is
trained on the training split; every explainer explains its predicted class on
the test split. The top-k (10..60 %) entries are substituted by each series'
average over time of the channel, or by zeros, and we report accuracy (lower is
better), cross-entropy (higher), sufficiency (lower; least salient k % removed,
time_interpret's convention) and comprehensiveness (higher), at 20 % in the
table (as the paper's Table 4) and over 10..60 % in the saved plot.

ContraLSP uses the paper's MIMIC-III settings (200 epochs, lr 0.1, sigma 0.5,
alpha 0.005, beta 0.01). ContraLSP-CV is the same with alpha chosen on the
training split alone: ``GridSearchCV`` over ``--alphas`` (0.005 .. 5) with
``--cv`` shuffled folds, scored by comprehensiveness averaged over
``--cv-fractions`` (10..60 %: the AOPC; average substitution,
``make_explanation_scorer``, no ground truth), then fitted on the
whole training split and run on the test split like the others. The paper's
MIMIC figures are printed for orientation only: another dataset and model, so
no number here can be compared with them. Methods not in
``sklearn_tsx.explainers`` yet are listed as missing.

Entries of equal saliency are substituted in random order (``random_state`` =
the seed): mask explainers leave many entries at exactly 0 or 1.

``--quick``: one seed, GRU(32), ContraLSP 100 epochs, short Dynamask.

Figures of the latest full runs: ``benchmarks/reference/bench_faithfulness.jsonl`` (notes:
``bench_faithfulness.rst`` beside it), rendered on the docs' results page.
"""

import argparse
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from _paper_training import PAPER_TRAINING
from _records import load_published, write_record
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, KFold
from sktime.datasets import load_basic_motions

import sklearn_tsx.explainers as explainers
from sklearn_tsx.metrics import faithfulness_curves, make_explanation_scorer
from sklearn_tsx.models import GRUClassifier

METHODS = {
    "ContraLSP": ("ContraLSP",),
    "ContraLSP-CV": ("ContraLSP",),
    "Dynamask": ("Dynamask",),
    "ExtremalMask": ("ExtremalMask",),
    "IG": ("IntegratedGradients",),
    "DeepLIFT": ("DeepLift", "DeepLIFT"),
    "FO": ("FeatureOcclusion",),
}
METRICS = ("accuracy", "cross_entropy", "sufficiency", "comprehensiveness")
SHORT = {"accuracy": "Acc↓", "cross_entropy": "CE↑", "sufficiency": "Suff*1e2↓",
         "comprehensiveness": "Comp*1e2↑"}
# ContraLSP Table 4 (MIMIC-III, 20 % masked, average substitution), for orientation.
_MIMIC = load_published("contralsp_2024")["tables"]["table4 mimic"]["rows"]
PAPER_MIMIC = {**_MIMIC, "ContraLSP-CV": _MIMIC["ContraLSP"]}
FRACTIONS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
ALPHAS = (0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 2.0, 5.0)


def find_explainer(names):
    for name in names:
        if hasattr(explainers, name):
            return getattr(explainers, name)
    return None


def method_params(name, args):
    if name in ("ContraLSP", "ContraLSP-CV"):
        return dict(max_epochs=args.epochs, lr=0.1, sigma=0.5, alpha=0.005, beta=0.01)
    if name == "Dynamask":
        return dict(area=args.dynamask_area, max_epochs=args.dynamask_epochs)
    if name == "ExtremalMask":
        return dict(max_epochs=args.epochs)
    return {}


def load():
    X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
    X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
    mean = X_train.mean(axis=(0, 2), keepdims=True)
    std = X_train.std(axis=(0, 2), keepdims=True)
    return ((X_train - mean) / std).astype(np.float32), y_train, (
        (X_test - mean) / std).astype(np.float32), y_test


def tune_alpha(explainer, model, X_train, seed, args):
    """ContraLSP with alpha chosen by cross-validated comprehensiveness on the
    training split (the test split is never seen)."""
    explainer.set_params(estimator=FrozenEstimator(model))
    scorer = make_explanation_scorer("comprehensiveness", fractions=args.cv_fractions,
                                     baseline="average", random_state=seed)
    search = GridSearchCV(explainer, {"alpha": args.alphas}, scoring=scorer, refit=False,
                          cv=KFold(args.cv, shuffle=True, random_state=seed))
    search.fit(X_train)
    scores = search.cv_results_["mean_test_score"]
    print("  ContraLSP-CV cross-validated comprehensiveness*1e2 (mean over "
          f"{args.cv_fractions}) on the training split: "
          + "  ".join(f"a={a:g} {100 * c:.1f}" for a, c in zip(args.alphas, scores)),
          flush=True)
    alpha = search.best_params_["alpha"]
    print(f"  ContraLSP-CV chose alpha = {alpha:g}", flush=True)
    return explainer.set_params(alpha=alpha)


def run_seed(seed, args, data):
    X_train, y_train, X_test, y_test = data
    model = GRUClassifier(hidden_size=args.hidden_size, lr=1e-3, max_epochs=args.gru_epochs,
                          batch_size=16, random_state=seed, pooling="last",
                          **PAPER_TRAINING).fit(X_train, y_train)
    print(f"seed {seed}: GRU({args.hidden_size}) test accuracy "
          f"{model.score(X_test, y_test):.3f}", flush=True)
    out = {}
    for name in args.methods:
        cls = find_explainer(METHODS[name])
        if cls is None:
            continue
        explainer = cls(model)
        params = dict(method_params(name, args), batch_size=len(X_test), random_state=seed)
        accepted = explainer.get_params(deep=False)
        explainer.set_params(**{k: v for k, v in params.items() if k in accepted})
        start = time.perf_counter()
        if name == "ContraLSP-CV":
            explainer = tune_alpha(explainer, model, X_train, seed, args)
        saliency = explainer.fit(X_train, y_train).explain(X_test)
        seconds = time.perf_counter() - start
        if name in ("IG", "DeepLIFT"):
            saliency = np.abs(saliency)
        out[name] = {
            baseline: faithfulness_curves(model, X_test, saliency, fractions=FRACTIONS,
                                          baseline=baseline, random_state=seed)
            for baseline in ("average", "zeros")
        }
        curves = out[name]["average"]
        for baseline, by_metric in out[name].items():
            write_record("bench_faithfulness", dataset="BasicMotions", method=name,
                         settings=dict(vars(args), baseline=baseline), seed=seed,
                         figures={m: dict(zip(FRACTIONS, by_metric[m])) for m in METRICS},
                         wall_s=seconds)
        print(f"  {name:<12} {seconds:6.1f} s  at 20 %: " + "  ".join(
            f"{m} {curves[m][1]:.3f}" for m in METRICS), flush=True)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--methods", nargs="+", default=list(METHODS),
                        choices=list(METHODS))
    parser.add_argument("--hidden-size", type=int, default=200)
    parser.add_argument("--gru-epochs", type=int, default=80)
    parser.add_argument("--epochs", type=int, default=200, help="ContraLSP epochs")
    parser.add_argument("--alphas", type=float, nargs="+", default=list(ALPHAS),
                        help="ContraLSP-CV's grid of alpha")
    parser.add_argument("--cv", type=int, default=3, help="ContraLSP-CV's folds")
    parser.add_argument("--cv-fractions", type=float, nargs="+", default=list(FRACTIONS),
                        help="ContraLSP-CV's score: comprehensiveness averaged over these "
                        "shares (the AOPC)")
    parser.add_argument("--dynamask-epochs", type=int, default=500)
    parser.add_argument("--dynamask-area", type=float, default=0.2)
    parser.add_argument("--plot", default="faithfulness_basic_motions.png",
                        help="where the curves are saved")
    args = parser.parse_args()
    if args.quick:
        args.seeds = args.seeds[:1]
        args.hidden_size, args.gru_epochs, args.epochs, args.dynamask_epochs = 32, 60, 100, 100
    torch.set_num_threads(1)
    print("settings:", vars(args))
    data = load()
    runs = [run_seed(seed, args, data) for seed in args.seeds]

    for baseline in ("average", "zeros"):
        print(f"\nBasicMotions, {baseline} substitution, 20 % masked, {len(runs)} seed(s): "
              "ours (mean ± std)" + (" | paper on MIMIC-III (another dataset)"
                                     if baseline == "average" else ""))
        header = f"{'method':<13}" + "".join(f"{SHORT[m]:>26}" for m in METRICS)
        print(header + "\n" + "-" * len(header))
        for name in args.methods:
            done = [r[name][baseline] for r in runs if name in r]
            if not done:
                print(f"{name:<13} missing: {' / '.join(METHODS[name])} is not in "
                      "sklearn_tsx.explainers yet")
                continue
            cols = []
            for i, m in enumerate(METRICS):
                scale = 100.0 if m in ("sufficiency", "comprehensiveness") else 1.0
                values = np.array([d[m][1] for d in done]) * scale
                text = f"{values.mean():.3f} ± {values.std():.3f}"
                if baseline == "average" and name in PAPER_MIMIC:
                    text += f" | {PAPER_MIMIC[name][i]:.3f}"
                cols.append(f"{text:>26}")
            print(f"{name:<13}" + "".join(cols))

    fig, axes = plt.subplots(1, 4, figsize=(16, 3.6))
    for ax, metric in zip(axes, METRICS):
        for name in args.methods:
            done = [r[name]["average"][metric] for r in runs if name in r]
            scale = 100.0 if metric in ("sufficiency", "comprehensiveness") else 1.0
            if done:
                ax.plot(np.array(FRACTIONS) * 100, scale * np.mean(done, axis=0),
                        marker="o", label=name)
        ax.set_title(SHORT[metric])
        ax.set_xlabel("% masked (average substitution)")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"BasicMotions, GRU({args.hidden_size}), {len(runs)} seed(s)")
    fig.tight_layout()
    fig.savefig(args.plot, dpi=120)
    print(f"\ncurves saved to {args.plot}")


if __name__ == "__main__":
    main()
