"""The black-box net regressors at their old and new defaults on real TSER sets.

Covid3Month (sktime) and CardanoSentiment (aeon), default train/test split,
test RMSE mean ± std over seeds, beside ``DummyRegressor`` (the mean predictor)
and sktime's ``RocketRegressor(num_kernels=10000)``. "old" is the training the
nets had before issue 28: raw inputs, constant learning rate, 50 epochs, no
validation split. ``--cv`` instead scores candidate training settings by 4-fold
cross-validation on the training split only (how the defaults were chosen; the
test split is for reporting).

Run::

    python benchmarks/bench_net_defaults.py            # 3 seeds, every net
    python benchmarks/bench_net_defaults.py --quick    # 1 seed, GRU and TCN, ROCKET 1000
    python benchmarks/bench_net_defaults.py --cv       # the settings' CV RMSE
    python benchmarks/bench_net_defaults.py --cv --nets --rocket-kernels 10000  # ROCKET's
    python benchmarks/bench_net_defaults.py --classifiers  # accuracy, old vs new
    python benchmarks/bench_net_defaults.py --cv --magnets --nets   # MAGNETS' settings
    python benchmarks/bench_net_defaults.py --cv --datasets SpectralMixture --nets LSTM

``--classifiers`` checks the classifiers at old and new defaults on BasicMotions
(sktime) and a small Ismail et al. set (``make_ismail_dataset``, rare-time box).

Figures of the latest full runs: ``benchmarks/reference/bench_net_defaults.jsonl`` (notes:
``bench_net_defaults.rst`` beside it), rendered on the docs' results page.
"""

import argparse
import time

import numpy as np
import torch
from _records import load_published, write_record
from bench_tser_real import load_spectral_mixture
from sklearn.base import clone
from sklearn.dummy import DummyRegressor
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import KFold

from sklearn_tsx.datasets import (
    load_cardano_sentiment,
    load_covid3month,
    make_ismail_dataset,
)
from sklearn_tsx.models import (
    GRUClassifier,
    GRURegressor,
    InputCellAttentionRegressor,
    LSTMRegressor,
    MagnetsRegressor,
    TCNClassifier,
    TCNRegressor,
    TransformerClassifier,
    TransformerRegressor,
)

NETS = {
    "GRU": GRURegressor,
    "LSTM": LSTMRegressor,
    "InputCellAttention": InputCellAttentionRegressor,
    "TCN": TCNRegressor,
    "Transformer": TransformerRegressor,
}
OLD = dict(input_scaling=None, lr_schedule="constant", max_epochs=50, early_stopping=False)
#: Training settings compared by --cv (the rest at the new defaults).
CANDIDATES = {
    "old": OLD,
    "channel, cosine, auto, no ES": dict(early_stopping=False),
    "channel, cosine, auto, ES 10": dict(early_stopping=True, n_iter_no_change=10),
    "channel, cosine, auto, ES 50": dict(early_stopping=True, n_iter_no_change=50),
    "timepoint, cosine, auto, no ES": dict(input_scaling="timepoint", early_stopping=False),
    "none, cosine, auto, no ES": dict(input_scaling=None, early_stopping=False),
    # the Transformer's tokens before patching (other nets skip it)
    "single-step tokens": dict(patch_size=1),
    "dropout 0.2": dict(dropout=0.2),
    # the Transformer's positions over patches before positional_encoding="auto"
    "sinusoidal positions": dict(positional_encoding="sinusoidal"),
}
#: MAGNETS' settings compared by --cv --magnets, each with 4 masks and one training
#: unless it says otherwise ("old": the training before issue 28).
_FOUR = dict(n_masks=4, n_init=1)
MAGNETS_CANDIDATES = {
    "old": dict(_FOUR, early_stopping=False),
    "100 epochs, ES 10": dict(_FOUR, max_epochs=100),
    "auto, ES 10": dict(_FOUR, max_epochs="auto"),
    "auto, ES 20": dict(_FOUR, max_epochs="auto", n_iter_no_change=20),
    # where the MAGNETS authors' code differs from ours (REFERENCE.md)
    "authors' 10 masks": dict(_FOUR, n_masks=10),
    "8 masks": dict(_FOUR, n_masks=8),
    "one init": _FOUR,
    "3 inits": dict(_FOUR, n_init=3),
    "authors' lr 1e-4, batch 256": dict(_FOUR, lr=1e-4, batch_size=256),
    "authors' weight decay 4e-5": dict(_FOUR, weight_decay=4e-5),
    "no feature norm": dict(_FOUR, feature_norm=False),
    "no positional channel": dict(_FOUR, positional_channel=False),
}
PUBLISHED_ROCKET = {
    name: models["ROCKET"] for name, models in load_published("tser_fold0")["results"].items()
}


LOADERS = {
    "Covid3Month": load_covid3month,
    "CardanoSentiment": load_cardano_sentiment,
    "SpectralMixture": load_spectral_mixture,
}


def load(name, split):
    return LOADERS[name](split=split)


def rocket(seed, n_kernels):
    from sktime.regression.kernel_based import RocketRegressor

    return RocketRegressor(num_kernels=n_kernels, random_state=seed)


def fit_score(model, X_train, y_train, X_test, y_test):
    start = time.process_time()
    model.fit(X_train, y_train)
    seconds = time.process_time() - start
    return root_mean_squared_error(y_test, model.predict(X_test)), seconds


def models(nets, candidates, magnets):
    """``{label: factory(seed)}`` of the compared settings."""
    rows = {
        f"{net} {label}": (
            lambda s, net=net, label=label: NETS[net](random_state=s, **candidates[label])
        )
        for net in nets for label in candidates
        if set(candidates[label]) <= set(NETS[net]().get_params())
    }
    for label in magnets:
        rows[f"MAGNETS {label}"] = (
            lambda s, params=MAGNETS_CANDIDATES[label]: MagnetsRegressor(
                random_state=s, **params
            )
        )
    return rows


def report(datasets, nets, seeds, n_kernels, magnets):
    for name in datasets:
        X_train, y_train = load(name, "train")
        X_test, y_test = load(name, "test")
        print(f"\n{name}: test RMSE over seeds {list(seeds)} (fit CPU-s)")
        rows = {"DummyRegressor (mean)": lambda s: DummyRegressor()}
        if n_kernels:
            rows[f"RocketRegressor({n_kernels})"] = lambda s: rocket(s, n_kernels)
        rows.update(models(nets, {"old": OLD, "new": {}}, magnets))
        for label, make in rows.items():
            try:
                scores = [fit_score(make(s), X_train, y_train, X_test, y_test)
                          for s in seeds]
            except FloatingPointError as error:  # the old training on raw input
                print(f"  {label:<28} diverged: {str(error).split('.')[0]}", flush=True)
                continue
            rmse, cpu = np.array(scores).T
            for seed, (value, seconds) in zip(seeds, scores):
                write_record("bench_net_defaults", dataset=name, method=label,
                             settings={"split": "test"}, seed=seed,
                             figures={"RMSE": value}, cpu_s=seconds)
            print(
                f"  {label:<28} {rmse.mean():.4f} ± {rmse.std():.4f}"
                f"  ({cpu.mean():6.1f} s)",
                flush=True,
            )
        if name in PUBLISHED_ROCKET:
            print(f"  {'published ROCKET (fold 0)':<28} {PUBLISHED_ROCKET[name]:.4f}")


def cross_validate(datasets, nets, seeds, candidates, magnets, n_kernels=0):
    rows = models(nets, {label: CANDIDATES[label] for label in candidates}, magnets)
    if n_kernels:
        rows = {f"RocketRegressor({n_kernels})": lambda s: rocket(s, n_kernels), **rows}
    for name in datasets:
        X, y = load(name, "train")
        folds = list(KFold(4, shuffle=True, random_state=0).split(X))
        print(f"\n{name}: 4-fold CV RMSE on the training split, seeds {list(seeds)}")
        mean_rmse = np.mean(
            [root_mean_squared_error(y[te], np.full(len(te), y[tr].mean()))
             for tr, te in folds]
        )
        print(f"  {'mean predictor':<40} {mean_rmse:.4f}")
        for label, make in rows.items():
            scores = [
                root_mean_squared_error(
                    y[te], clone(make(seed)).fit(X[tr], y[tr]).predict(X[te])
                )
                for seed in seeds for tr, te in folds
            ]
            print(f"  {label:<40} {np.mean(scores):.4f}", flush=True)
            write_record("bench_net_defaults", dataset=name, method=label,
                         settings={"split": "4-fold CV on the training split"},
                         seed=list(seeds), figures={"CV RMSE": np.mean(scores)})


def classifiers(seeds):
    from sktime.datasets import load_basic_motions

    X_bm, y_bm = load_basic_motions(split="train", return_type="numpy3D")
    X_bm_test, y_bm_test = load_basic_motions(split="test", return_type="numpy3D")
    X_is, y_is = make_ismail_dataset(400, geometry="rare_time", n_timepoints=30,
                                     n_channels=10, random_state=0)[:2]
    sets = {
        "BasicMotions": (X_bm, y_bm, X_bm_test, y_bm_test),
        "Ismail rare_time (300/100)": (X_is[:300], y_is[:300], X_is[300:], y_is[300:]),
    }
    for name, (X_train, y_train, X_test, y_test) in sets.items():
        print(f"\n{name}: test accuracy over seeds {list(seeds)}")
        for cls in (GRUClassifier, TCNClassifier, TransformerClassifier):
            for label, params in (("old", OLD), ("new", {})):
                acc = [cls(random_state=s, **params).fit(X_train, y_train)
                       .score(X_test, y_test) for s in seeds]
                print(f"  {cls.__name__ + ' ' + label:<28} {np.mean(acc):.3f}", flush=True)
                write_record("bench_net_defaults", dataset=name,
                             method=f"{cls.__name__} {label}", settings={"split": "test"},
                             seed=list(seeds), figures={"accuracy": np.mean(acc)})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 seed, GRU and TCN only, ROCKET with 1000 kernels")
    parser.add_argument("--cv", action="store_true",
                        help="cross-validate the candidate settings on the training split")
    parser.add_argument("--classifiers", action="store_true",
                        help="accuracy of the classifiers at old and new defaults")
    parser.add_argument("--seeds", type=int, default=None,
                        help="number of seeds (default 3, 1 with --quick)")
    parser.add_argument("--rocket-kernels", type=int, default=None,
                        help="ROCKET's kernels (default 10000, 1000 with --quick; 0 skips; "
                        "with --cv, ROCKET is cross-validated only when this is given)")
    parser.add_argument("--datasets", nargs="+", default=list(PUBLISHED_ROCKET),
                        choices=list(LOADERS), help="SpectralMixture: the synthetic "
                        "spectroscopic set of bench_tser_real.py")
    parser.add_argument("--nets", nargs="*", choices=list(NETS), default=None,
                        help="nets compared (none: only MAGNETS, with --magnets)")
    parser.add_argument("--candidates", nargs="+", choices=list(CANDIDATES),
                        default=list(CANDIDATES), help="settings compared by --cv")
    parser.add_argument("--magnets", nargs="*", choices=list(MAGNETS_CANDIDATES),
                        default=None, help="also MagnetsRegressor's settings "
                        "(MAGNETS_CANDIDATES; all of them when none is named)")
    args = parser.parse_args(argv)
    if args.magnets is None:
        args.magnets = []
    elif not args.magnets:
        args.magnets = list(MAGNETS_CANDIDATES)
    torch.set_num_threads(1)
    seeds = range(args.seeds or (1 if args.quick else 3))
    nets = args.nets
    if nets is None:
        nets = ["GRU", "TCN"] if args.quick else list(NETS)
    if args.classifiers:
        classifiers(seeds)
    elif args.cv:
        # ROCKET joins the cross-validation only when asked (--rocket-kernels N)
        cross_validate(args.datasets, nets, seeds, args.candidates, args.magnets,
                       args.rocket_kernels or 0)
    else:
        n_kernels = args.rocket_kernels
        if n_kernels is None:
            n_kernels = 1000 if args.quick else 10000
        report(args.datasets, nets, seeds, n_kernels, args.magnets)


if __name__ == "__main__":
    main()
