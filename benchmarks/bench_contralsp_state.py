"""ContraLSP Tables 2 and 3: Switch-Feature and State with GRU black boxes, the
ablation, and the time per explained series.

A one-layer GRU (200 units, Adam lr 1e-3) predicts the binary label of every step
(``make_switch_feature``: T = 100; ``make_state``: T = 200; 3 features; 800
series to train, 200 explained). ContraLSP explains the whole output of the
explained series with the paper's settings (Switch-Feature: 500 epochs, lr 0.01,
sigma 0.8, alpha 1, beta 2; State: 500 epochs, lr 0.01, sigma 0.5, alpha 2,
beta 1; margin 1; full batch). Saliency is scored against the true salient
feature of every step: AUP, AUR (``--convention``, default ``time_interpret``
as the paper's State code; exact integrals printed too), mask information I/1e4
and entropy S/1e3 (log base 2, eps 1e-5).

Table 3 ablation (on by default, ``--no-ablation`` to skip): without the
triplet term, without the trend function, without both. Our triplet term has a
gradient (the reference code's has none), so "without triplet" is a real
ablation here. ``--variants`` picks the rows to run; ``ExtremalMask`` (the reference's
settings: squared error on the logits, lambda_1 = lambda_2 = 1, Adam lr 0.01;
``--epochs`` epochs, the explained series in one batch) gives Table 2's
ExtremalMask row on the same black boxes, with a perturbation network per
series; ``"ExtremalMask (shared net)"`` with one network for all of them, as
the reference; ``"ExtremalMask (cross-entropy)"`` with the library's default
error for classifiers (the cross-entropy between probability vectors).

Time per explained series: ContraLSP's fit on the explained State series divided
by their number, wall time on this machine with one and with two torch threads
(``--timing-threads``; target <= 1 s on 2 cores), ``--timing-epochs`` epochs
measured and scaled to ``--epochs``; ``--seeds`` with no value runs the timing
alone. ``--keep-freed-memory`` calls :func:`sklearn_tsx.utils.keep_freed_memory`
first (glibc then reuses freed buffers instead of faulting them in again).

``--quick`` is a smoke run (smaller GRU, shorter series, fewer epochs, one seed):
its figures are not comparable to the paper's. Its timing line runs a short fit
at the full State shape (GRU(200), T = 200, 3 features) and extrapolates to
``--epochs`` epochs, and says so.

Figures of the latest full runs: ``benchmarks/reference/bench_contralsp_state.jsonl`` (notes:
``bench_contralsp_state.rst`` beside it), rendered on the docs' results page.
"""

import argparse
import time

import numpy as np
import torch
from _paper_training import PAPER_TRAINING
from _records import load_published, write_record

from sklearn_tsx.datasets import make_state, make_switch_feature
from sklearn_tsx.explainers import ContraLSP, ExtremalMask
from sklearn_tsx.metrics import aup_score, aur_score, mask_entropy, mask_information
from sklearn_tsx.models import GRUClassifier
from sklearn_tsx.utils import keep_freed_memory

# ContraLSP Tables 2 (Extrmask, Dynamask, ContraLSP) and 3 (ablations):
# (AUP, AUR, I/1e4, S/1e3).
PAPER = {
    name.removeprefix("table2-3 "): {
        **table["rows"], "ExtremalMask (shared net)": table["rows"]["ExtremalMask"]
    }
    for name, table in load_published("contralsp_2024")["tables"].items()
    if name.startswith("table2-3 ")
}
# the paper's settings and its squared error on the logits
SETTINGS = {
    "switch-feature": dict(make=make_switch_feature, n_timepoints=100,
                           params=dict(lr=0.01, sigma=0.8, alpha=1.0, beta=2.0, loss="mse")),
    "state": dict(make=make_state, n_timepoints=200,
                  params=dict(lr=0.01, sigma=0.5, alpha=2.0, beta=1.0, loss="mse")),
}
VARIANTS = {
    "ContraLSP": {},
    "w/o triplet": dict(use_triplet=False),
    "w/o trend": dict(use_trend=False),
    "w/o both": dict(use_triplet=False, use_trend=False),
}
# ExtremalMask with one perturbation network per series (ours by default) or one
# shared by all the explained series (the reference's ExtremalMaskNet).
EXTREMAL = {
    "ExtremalMask": dict(loss="mse"),
    "ExtremalMask (shared net)": dict(shared_perturbation=True, loss="mse"),
    # the library's default for classifiers since real-data measurements
    "ExtremalMask (cross-entropy)": dict(loss="cross_entropy"),
}
TARGETS = {"switch-feature": (0.90, 0.75), "state": (0.85, 0.78)}
METRICS = ("AUP", "AUR", "I/1e4", "S/1e3")


def train_black_box(setting, seed, args):
    cfg = SETTINGS[setting]
    data = cfg["make"](args.n_samples, n_timepoints=args.n_timepoints or cfg["n_timepoints"],
                       random_state=seed)
    n_train = int(0.8 * args.n_samples)
    model = GRUClassifier(hidden_size=args.hidden_size, sequence_output=True, lr=1e-3,
                          max_epochs=args.gru_epochs, batch_size=64, random_state=seed,
                          **PAPER_TRAINING)
    model.fit(data.data[:n_train], data.target[:n_train])
    accuracy = model.score(data.data[n_train:], data.target[n_train:])
    X = data.data[n_train:][: args.n_explain]
    truth = data.saliency[n_train:][: args.n_explain]
    return model, X, truth, accuracy


def score(truth, masks, convention):
    return {
        "AUP": aup_score(truth, masks, convention=convention),
        "AUR": aur_score(truth, masks, convention=convention),
        "I/1e4": mask_information(truth, masks) / 1e4,
        "S/1e3": mask_entropy(truth, masks) / 1e3,
        "AUP exact": aup_score(truth, masks),
        "AUR exact": aur_score(truth, masks),
    }


def cell(values):
    values = np.asarray(values)
    return f"{values.mean():.2f} ± {values.std():.2f}"


def time_per_series(args, threads):
    """Wall seconds per explained series of ContraLSP at the State shape, and of
    the black box alone: ``timing_epochs`` forward and backward passes (gradient
    with respect to the input only) on the same batch, the floor of any method
    that evaluates the model once per epoch; ``threads`` torch threads."""
    torch.set_num_threads(threads)
    data = make_state(args.n_timing, n_timepoints=200, random_state=0)
    torch.manual_seed(0)
    model = GRUClassifier(lr=1e-3, hidden_size=200, sequence_output=True, max_epochs=1,
                          random_state=0, **PAPER_TRAINING).fit(data.data, data.target)
    explainer = ContraLSP(model, max_epochs=args.timing_epochs, batch_size=args.n_timing,
                          random_state=0, **SETTINGS["state"]["params"])
    start = time.perf_counter()
    explainer.fit(data.data)
    seconds = time.perf_counter() - start
    module = explainer.model_.module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    x = torch.as_tensor(data.data)
    start = time.perf_counter()
    for _ in range(args.timing_epochs):
        module(x.clone().requires_grad_(True)).square().mean().backward()
    floor = time.perf_counter() - start
    scale = args.epochs / args.timing_epochs / args.n_timing
    torch.set_num_threads(1)
    return seconds * scale, floor * scale


def print_tables(table, variants, args):
    print(f"\nContraLSP Tables 2-3, {len(args.seeds)} seed(s), convention "
          f"{args.convention!r}: ours (mean ± std) | paper")
    for setting in args.settings:
        print(f"\n{setting}")
        header = f"{'variant':<22}" + "".join(f"{m:>22}" for m in METRICS)
        print(header + "\n" + "-" * len(header))
        for name, paper in PAPER[setting].items():
            runs = table[setting].get(name, [])
            if not runs:
                print(f"{name:<22}" + "".join(f"{'  - | ' + format(p, '.2f'):>22}"
                                              for p in paper))
                continue
            print(f"{name:<22}" + "".join(
                f"{cell([r[m] for r in runs]) + ' | ' + format(paper[i], '.2f'):>22}"
                for i, m in enumerate(METRICS)))
        for name in variants:
            if name not in PAPER[setting] and table[setting].get(name):
                runs = table[setting][name]
                print(f"{name:<22}" + "".join(f"{cell([r[m] for r in runs]) + ' |    -':>22}"
                                              for m in METRICS))
        for name in EXTREMAL:
            if name in variants and setting == "state":
                aup = np.mean([r["AUP"] for r in table[setting][name]])
                print(f"{name} target (Dynamask issue) AUP >= 0.85: {aup:.3f} -> "
                      f"{'meets' if aup >= 0.85 else 'MISSES'}")
        if "ContraLSP" not in variants:
            continue
        runs = table[setting]["ContraLSP"]
        print(f"exact integrals: AUP {cell([r['AUP exact'] for r in runs])}  "
              f"AUR {cell([r['AUR exact'] for r in runs])}")
        aup, aur = (np.mean([r[m] for r in runs]) for m in ("AUP", "AUR"))
        t_aup, t_aur = TARGETS[setting]
        verdict = "meets" if aup >= t_aup and aur >= t_aur else "MISSES"
        print(f"target AUP >= {t_aup} and AUR >= {t_aur}: AUP {aup:.3f}, AUR {aur:.3f} "
              f"-> {verdict}" + (" (quick run: not the paper's protocol)" if args.quick
                                 else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2, 3, 4],
                        help="none runs the timing only")
    parser.add_argument("--quick", action="store_true", help="smoke run, one seed")
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS),
                        choices=list(SETTINGS))
    parser.add_argument("--no-ablation", dest="ablation", action="store_false")
    parser.add_argument("--variants", nargs="+", default=None,
                        choices=list(VARIANTS) + list(EXTREMAL),
                        help="rows to run (default: ContraLSP and its ablations, or "
                        "ContraLSP alone with --no-ablation); ExtremalMask runs with "
                        "the reference's squared error on the logits, --epochs epochs, "
                        "full batch, one perturbation network per series or one shared "
                        "by all; 'ExtremalMask (cross-entropy)' with the library's "
                        "default error for classifiers")
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--n-timepoints", type=int, default=None,
                        help="series length (default: 100 Switch-Feature, 200 State)")
    parser.add_argument("--n-explain", type=int, default=200)
    parser.add_argument("--hidden-size", type=int, default=200)
    parser.add_argument("--gru-epochs", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=500, help="ContraLSP epochs")
    parser.add_argument("--n-timing", type=int, default=200,
                        help="State series in the timing run")
    parser.add_argument("--timing-epochs", type=int, default=500)
    parser.add_argument("--timing-threads", type=int, nargs="*", default=[1, 2],
                        help="torch threads of the timing runs (the target is on 2 "
                        "cores); none skips the timing")
    parser.add_argument("--convention", default="time_interpret",
                        choices=["exact", "dynamask", "time_interpret"])
    parser.add_argument("--keep-freed-memory", action="store_true",
                        help="call sklearn_tsx.utils.keep_freed_memory() first")
    args = parser.parse_args()
    if args.keep_freed_memory and not keep_freed_memory():
        print("--keep-freed-memory: not glibc, nothing changed")
    if args.quick:
        args.seeds = args.seeds[:1]
        args.n_samples, args.n_timepoints, args.hidden_size = 400, 50, 64
        args.n_explain, args.gru_epochs, args.epochs = 40, 30, 150
        args.n_timing, args.timing_epochs = 50, 20
    torch.set_num_threads(1)
    print("settings:", vars(args))
    variants = args.variants or (list(VARIANTS) if args.ablation else ["ContraLSP"])
    table = {s: {v: [] for v in variants} for s in args.settings}
    for setting in args.settings:
        for seed in args.seeds:
            model, X, truth, accuracy = train_black_box(setting, seed, args)
            print(f"{setting} seed {seed}: GRU({args.hidden_size}) per-step test accuracy "
                  f"{accuracy:.3f}", flush=True)
            for variant in variants:
                start = time.perf_counter()
                if variant in EXTREMAL:
                    explainer = ExtremalMask(model, max_epochs=args.epochs,
                                             batch_size=len(X), random_state=seed,
                                             **EXTREMAL[variant])
                else:
                    explainer = ContraLSP(model, max_epochs=args.epochs,
                                          batch_size=len(X), random_state=seed,
                                          **SETTINGS[setting]["params"],
                                          **VARIANTS[variant])
                masks = explainer.fit(X).explain(X)
                result = dict(score(truth, masks, args.convention),
                              seconds=time.perf_counter() - start)
                table[setting][variant].append(result)
                write_record("bench_contralsp_state", dataset=setting, method=variant,
                             settings=vars(args), seed=seed,
                             figures={k: v for k, v in result.items() if k != "seconds"},
                             wall_s=result["seconds"], gru_accuracy=accuracy)
                print(f"  {variant:<12} {result['seconds']:7.1f} s  " + "  ".join(
                    f"{k} {v:.3f}" for k, v in result.items() if k != "seconds"),
                    flush=True)

    if args.seeds:
        print_tables(table, variants, args)
    for threads in args.timing_threads:
        seconds, floor = time_per_series(args, threads)
        print(f"\nTime per explained State series (T=200, 3 features, GRU(200), "
              f"{args.n_timing} series in one batch, {args.timing_epochs} epochs measured, "
              f"scaled to {args.epochs} epochs, {threads} torch thread(s), "
              f"keep_freed_memory {'on' if args.keep_freed_memory else 'off'}): "
              f"{seconds:.2f} s, "
              f"of which the black box's {args.epochs} forward and backward passes alone "
              f"take {floor:.2f} s ({100 * floor / seconds:.0f} %)")
        print(f"target <= 1 s per series on 2 cores, at {args.epochs} epochs: "
              f"{'meets' if seconds <= 1.0 else 'MISSES'}")
        write_record("bench_contralsp_state", dataset="State",
                     method="ContraLSP time per series", settings=vars(args), seed=None,
                     figures={f"seconds per series, {threads} threads": seconds,
                              "black box alone, s": floor}, torch_threads=threads)

if __name__ == "__main__":
    main()
