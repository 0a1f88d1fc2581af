"""Tune ContraLSP's alpha and beta on Switch-Feature by cross-validation, beside
the paper's Table 9 grid (which the paper picked by hand, naming the choice of
these weights as the method's open limitation).

A one-layer GRU black box is trained on 800 Switch-Feature series; the explained
series (held out from its training) are split into ``--cv`` folds by
:class:`~sklearn.model_selection.GridSearchCV`. On each split ContraLSP learns its
networks on the training folds and the gates of the held-out fold with the
networks frozen; the held-out masks are scored against the true saliency with
:func:`sklearn_tsx.metrics.make_explanation_scorer` ("aup" and "aur"). The pair
with the best mean AUP + AUR is chosen. The model is wrapped in
:class:`sklearn.frozen.FrozenEstimator`, so every clone explains the same fitted
GRU. Settings otherwise as the paper's Switch-Feature run (lr 0.01, sigma 0.8,
500 epochs).

``--quick``: a small GRU and series, 3 x 2 grid, 2 folds, 100 epochs.

Figures of the latest full runs: ``benchmarks/reference/bench_tune_contralsp.jsonl`` (notes:
``bench_tune_contralsp.rst`` beside it), rendered on the docs' results page.
"""

import argparse
import time

import numpy as np
import torch
from _paper_training import PAPER_TRAINING
from _records import load_published, write_record
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_tsx.datasets import make_switch_feature
from sklearn_tsx.explainers import ContraLSP
from sklearn_tsx.metrics import make_explanation_scorer
from sklearn_tsx.models import GRUClassifier

# ContraLSP Table 9: (AUP, AUR) for beta (rows) x alpha (columns) in GRID.
_TABLE9 = load_published("contralsp_2024")["tables"]["table9 switch-feature"]
GRID = tuple(_TABLE9["grid"])
PAPER_TABLE9 = np.array(_TABLE9["values"])
PAPER_CHOICE = tuple(_TABLE9["chosen (alpha, beta)"])


def best_sum(cv_results):
    """Index of the candidate with the best mean AUP + AUR."""
    return int(np.argmax(cv_results["mean_test_aup"] + cv_results["mean_test_aur"]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--alphas", type=float, nargs="+", default=list(GRID))
    parser.add_argument("--betas", type=float, nargs="+", default=list(GRID))
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--n-timepoints", type=int, default=100)
    parser.add_argument("--n-explain", type=int, default=200)
    parser.add_argument("--hidden-size", type=int, default=200)
    parser.add_argument("--gru-epochs", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=500)
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--verbose", type=int, default=0,
                        help="GridSearchCV's verbosity (3 prints each fit's scores and time)")
    args = parser.parse_args()
    if args.quick:
        args.seeds = args.seeds[:1]
        args.alphas, args.betas = [0.1, 1.0, 5.0], [0.1, 2.0]
        args.n_samples, args.n_timepoints, args.hidden_size = 300, 50, 32
        args.n_explain, args.gru_epochs, args.epochs, args.cv = 60, 20, 100, 2
    torch.set_num_threads(1)
    print("settings:", vars(args))
    chosen = []
    for seed in args.seeds:
        data = make_switch_feature(args.n_samples, n_timepoints=args.n_timepoints,
                                   random_state=seed)
        n_train = int(0.8 * args.n_samples)
        model = GRUClassifier(hidden_size=args.hidden_size, sequence_output=True, lr=1e-3,
                              max_epochs=args.gru_epochs, random_state=seed,
                              **PAPER_TRAINING)
        model.fit(data.data[:n_train], data.target[:n_train])
        X = data.data[n_train:][: args.n_explain]
        truth = data.saliency[n_train:][: args.n_explain].astype(np.float32)
        search = GridSearchCV(
            ContraLSP(FrozenEstimator(model), lr=0.01, sigma=0.8, loss="mse",
                      max_epochs=args.epochs,
                      batch_size=len(X), random_state=seed),
            {"alpha": args.alphas, "beta": args.betas},
            scoring={"aup": make_explanation_scorer("aup", convention="time_interpret"),
                     "aur": make_explanation_scorer("aur", convention="time_interpret")},
            refit=best_sum, cv=KFold(args.cv, shuffle=True, random_state=seed),
            verbose=args.verbose,
        )
        start = time.perf_counter()
        search.fit(X, truth)
        res = search.cv_results_
        print(f"\nseed {seed} ({time.perf_counter() - start:.0f} s): cross-validated "
              "AUP / AUR (mean over folds), beta rows x alpha columns")
        print(f"{'':>10}" + "".join(f"{'a=' + str(a):>14}" for a in args.alphas))
        for b in args.betas:
            row = []
            for a in args.alphas:
                i = next(j for j, p in enumerate(res["params"])
                         if p["alpha"] == a and p["beta"] == b)
                row.append(f"{res['mean_test_aup'][i]:.2f}/{res['mean_test_aur'][i]:.2f}")
            print(f"{'b=' + str(b):>10}" + "".join(f"{c:>14}" for c in row))
        pair = (search.best_params_["alpha"], search.best_params_["beta"])
        grid = {f"alpha={p['alpha']}, beta={p['beta']}":
                [res["mean_test_aup"][i], res["mean_test_aur"][i]]
                for i, p in enumerate(res["params"])}
        write_record("bench_tune_contralsp", dataset="Switch-Feature",
                     method="ContraLSP, alpha and beta by GridSearchCV", settings=vars(args),
                     seed=seed, wall_s=time.perf_counter() - start,
                     figures={"chosen alpha": pair[0], "chosen beta": pair[1],
                              "CV AUP at the choice": res["mean_test_aup"][search.best_index_],
                              "CV AUR at the choice": res["mean_test_aur"][search.best_index_],
                              "CV AUP / AUR": grid})
        chosen.append(pair)
        print(f"chosen (alpha, beta) = {pair}")

    print("\nPaper's Table 9 (Switch-Feature, AUP/AUR, 5 seeds), beta rows x alpha columns:")
    print(f"{'':>10}" + "".join(f"{'a=' + str(a):>14}" for a in GRID))
    for bi, b in enumerate(GRID):
        print(f"{'b=' + str(b):>10}" + "".join(
            f"{f'{p[0]:.2f}/{p[1]:.2f}':>14}" for p in PAPER_TABLE9[bi]))
    print(f"\nchosen by cross-validation, per seed: {chosen}")
    print(f"paper's choice (Table 6): (alpha, beta) = {PAPER_CHOICE}")
    if args.quick:
        print("(quick run: small model and grid; not the paper's protocol)")


if __name__ == "__main__":
    main()
