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

Measured (``--quick``, 2026-11-24, 38 s, one thread): cross-validated AUP / AUR
for beta 0.1 and alpha 0.1 / 1 / 5: 0.52 / 0.92, 0.33 / 0.06, 0.29 / 0.06;
beta 2: 0.46 / 0.89, 0.84 / 0.31, 0.41 / 0.04; chosen (alpha, beta) = (0.1,
0.1) against the paper's (1, 2) -- on a GRU(32) with T = 50 and 100 epochs,
not the paper's protocol.

Measured at the paper's model and settings, 90 explained series instead of
200 (``--seeds S --n-explain 90 --verbose 3``, S = 0 and 1 run side by side,
one thread each, 2026-11-24: 6401 and 6342 s, about 1.4 min per fit): the
full 5 x 5 grid, 3 folds of 30 held-out series. Cross-validated AUP / AUR,
seed 0 (seed 1), beta rows, alpha 0.1 / 0.5 / 1 / 2 / 5:

* beta 0.1: 0.80/0.32 (0.56/0.04), 0.35/0.02 (0.42/0.02), 0.32/0.02
  (0.42/0.03), 0.39/0.03 (0.37/0.02), 0.40/0.03 (0.27/0.02);
* beta 0.5: 0.63/0.98 (0.64/0.97), 0.90/0.75 (0.92/0.64), 0.83/0.04
  (0.78/0.09), 0.53/0.04 (0.59/0.03), 0.47/0.04 (0.49/0.03);
* beta 1: 0.63/0.98 (0.64/0.98), 0.90/0.79 (0.92/0.80), 0.95/0.68
  (0.96/0.69), 0.98/0.27 (0.97/0.23), 0.64/0.06 (0.65/0.04);
* beta 2: 0.63/0.98 (0.64/0.98), 0.90/0.81 (0.92/0.81), 0.95/0.68
  (0.95/0.69), 0.97/0.55 (0.98/0.58), 0.99/0.11 (0.96/0.14);
* beta 5: 0.63/0.98 (0.64/0.98), 0.90/0.82 (0.92/0.81), 0.95/0.69
  (0.96/0.70), 0.97/0.56 (0.98/0.58), 0.99/0.22 (0.99/0.25).

Chosen (alpha, beta) = (0.5, 5) on both seeds, against the paper's (1, 2),
which the same rule (best AUP + AUR) also picks from the paper's own Table 9.
The grid's shape is the paper's: a small alpha keeps nearly every salient
entry (AUR 0.97-0.98, AUP 0.54-0.64), a larger alpha needs a larger beta, and
beta 0.1 fails for every alpha. Where they differ, ours has the lower recall
at large alpha: at the paper's pair 0.95 / 0.68 against its 0.98 / 0.80 (our
Table 2 run at that pair, every series fitted together, measures 0.98 /
0.86: here each fit learns the networks on 60 series and the gates of 30
held-out ones with the networks frozen).

Seeds 2 and 3, same protocol (``--seeds S --n-explain 90 --verbose 3``, side
by side, 2026-11-24: 6169 and 6146 s), seed 2 (seed 3), beta rows, alpha 0.1 /
0.5 / 1 / 2 / 5:

* beta 0.1: 0.31/0.01 (0.76/0.12), 0.24/0.02 (0.40/0.02), 0.27/0.02
  (0.35/0.02), 0.30/0.03 (0.33/0.03), 0.30/0.03 (0.27/0.03);
* beta 0.5: 0.63/0.97 (0.66/0.96), 0.97/0.57 (0.92/0.71), 0.56/0.03
  (0.71/0.12), 0.50/0.04 (0.59/0.04), 0.47/0.03 (0.27/0.02);
* beta 1: 0.63/0.97 (0.66/0.97), 0.90/0.76 (0.91/0.77), 0.95/0.66
  (0.95/0.65), 0.98/0.18 (0.99/0.34), 0.63/0.05 (0.51/0.03);
* beta 2: 0.63/0.97 (0.66/0.97), 0.91/0.79 (0.91/0.79), 0.94/0.67
  (0.95/0.66), 0.97/0.55 (0.97/0.52), 0.92/0.05 (0.95/0.06);
* beta 5: 0.63/0.97 (0.66/0.97), 0.90/0.79 (0.91/0.80), 0.94/0.68
  (0.95/0.66), 0.97/0.55 (0.98/0.53), 0.99/0.24 (0.99/0.25).

Chosen (0.5, 5) again on both (on seed 2 by less than 0.01 of AUP + AUR over
(0.5, 2)): the same pair on all four seeds run, and the grid's shape and the
recall gap at the paper's pair (0.94-0.95 / 0.66-0.67) as on seeds 0 and 1.
Seed 4 and the 200-series protocol (about 4 h per seed) were not run.
"""

import argparse
import time

import numpy as np
import torch
from _paper_training import PAPER_TRAINING
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_tsx.datasets import make_switch_feature
from sklearn_tsx.explainers import ContraLSP
from sklearn_tsx.metrics import make_explanation_scorer
from sklearn_tsx.models import GRUClassifier

GRID = (0.1, 0.5, 1.0, 2.0, 5.0)
# ContraLSP Table 9: (AUP, AUR) for beta (rows) x alpha (columns) in GRID.
PAPER_TABLE9 = np.array([
    [(0.53, 0.28), (0.26, 0.01), (0.18, 0.01), (0.12, 0.01), (0.14, 0.01)],
    [(0.56, 0.97), (0.91, 0.44), (0.52, 0.02), (0.19, 0.02), (0.16, 0.01)],
    [(0.55, 0.97), (0.89, 0.87), (0.98, 0.56), (0.71, 0.09), (0.28, 0.02)],
    [(0.54, 0.97), (0.86, 0.89), (0.98, 0.80), (0.99, 0.68), (0.50, 0.05)],
    [(0.54, 0.97), (0.87, 0.89), (0.97, 0.80), (0.99, 0.69), (0.99, 0.37)],
])
PAPER_CHOICE = (1.0, 2.0)


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
            ContraLSP(FrozenEstimator(model), lr=0.01, sigma=0.8, max_epochs=args.epochs,
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
