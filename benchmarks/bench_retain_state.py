"""RETAIN on State, beside time_interpret's published row (Retain 0.645 / 0.334 /
0.799 AUP / AUR / AUROC, mean of 5 folds, ``experiments/hmm/results.csv``).

As time_interpret's experiment: a RETAIN net predicts State's label at every
step (``RetainClassifier(sequence_output=True)``; tint trains on random prefix
lengths, ours on every step at once), embedding 128 wide, GRUs of 8, dropout
0.4, Adam(W) at lr 1e-3 for 50 epochs on the raw input; its own attributions
of the last step's output (``explain(X, target=T - 1)``, the predicted class;
tint explains the true class) are scored in absolute value against the whole
series' true salient entries, AUP / AUR with ``convention="time_interpret"``.

Measured (seed 0, full settings; 284 CPU-s to fit, 2.3 CPU-ms per series to
explain): per-step test accuracy 0.843; AUP 0.766, AUR 0.064, AUROC 0.729
(tint 0.645 / 0.334 / 0.799). Our attributions are RETAIN's exact
contributions (eq. 4 of the paper; they sum to the logit), concentrated on
the steps the last output attends to. tint's are not the paper's: its
``Retain.representation`` passes ``beta_t * W_emb[:, i]`` through the output
layer *with its bias*, so every entry also gets ``alpha_t * b_out * x_t``, a
share spread over all steps in proportion to the input; that this accounts
for the gap in AUR is a guess, not measured here.

Run (one torch thread)::

    python benchmarks/bench_retain_state.py --quick   # 200 series of 50 steps, 5 epochs
    python benchmarks/bench_retain_state.py           # 1000 series of 200 steps, seed 0
"""

import argparse
import time

import numpy as np
import torch
from _paper_training import PAPER_TRAINING
from _records import write_record

from sklearn_tsx.datasets import make_state
from sklearn_tsx.metrics import aup_score, aur_score, auroc_score
from sklearn_tsx.models import RetainClassifier

PUBLISHED = {"AUP": 0.645, "AUR": 0.334, "AUROC": 0.799}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--n-timepoints", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=50)
    args = parser.parse_args(argv)
    if args.quick:
        args.n_samples, args.n_timepoints, args.epochs = 200, 50, 5
    torch.set_num_threads(1)
    print("settings:", vars(args), flush=True)
    for seed in args.seeds:
        data = make_state(args.n_samples, n_timepoints=args.n_timepoints, random_state=seed)
        n_train = int(0.8 * args.n_samples)
        X_test = data.data[n_train:].astype(np.float32)
        start = time.process_time()
        model = RetainClassifier(
            hidden_size=8, embedding_size=128, dropout=0.4, sequence_output=True,
            max_epochs=args.epochs, batch_size=32, random_state=seed, **PAPER_TRAINING,
        ).fit(data.data[:n_train], data.target[:n_train])
        fit_cpu = time.process_time() - start
        accuracy = model.score(X_test, data.target[n_train:])
        start = time.process_time()
        saliency = np.abs(model.explain(X_test, target=args.n_timepoints - 1))
        explain_cpu = (time.process_time() - start) / len(X_test)
        truth = data.saliency[n_train:]
        figures = {
            "AUP": aup_score(truth, saliency, convention="time_interpret"),
            "AUR": aur_score(truth, saliency, convention="time_interpret"),
            "AUROC": auroc_score(truth, saliency),
        }
        print(f"seed {seed}: per-step test accuracy {accuracy:.3f}, fit {fit_cpu:.0f} CPU-s, "
              f"explain {explain_cpu * 1e3:.2f} CPU-ms per series", flush=True)
        print("  " + "  ".join(f"{k} {v:.3f} (tint {PUBLISHED[k]:.3f})"
                               for k, v in figures.items()), flush=True)
        write_record("bench_retain_state", dataset="State", method="Retain", seed=seed,
                     settings=vars(args), figures=figures, accuracy=accuracy,
                     fit_cpu_s=fit_cpu, explain_cpu_s_per_series=explain_cpu)


if __name__ == "__main__":
    main()
