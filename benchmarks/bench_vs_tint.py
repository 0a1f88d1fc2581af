"""Side by side with time_interpret (tint 0.3.0): the methods both libraries have.

One GRU classifier (``sequence_output=True``) is trained on State
(``sklearn_tsx.datasets.make_state``) and each method explains the same test
series with ours and with tint's, on that one fitted module, which tint sees
through :class:`TintView` (its State classifier's layout: ``(N, T, C)`` in, the
last step's output out, every step's with ``return_all``). Per-step rows are
ours through ``explain_per_step`` (or our time-forward explainers) and tint's
through ``TimeForwardTunnel(..., task="binary")``, explaining probabilities;
Fit and the mask methods get logits, as in tint's State experiment. LofLime /
LofKernelShap explain the last step only (tint's LOF, fitted on whole series,
cannot score prefixes).

* ``diff`` rows (deterministic): max |ours - tint's|, target <= 1e-5;
* ``score`` rows (sampled, optimised): AUP / AUR (``convention=
  "time_interpret"``) and AUROC of |map| against the true salient features, and
  CPU-s per series (process time); target: ours within 0.02 or better, CPU
  time at most tint's.

tint 0.3.0's ``DynaMask`` adds its area and time regularisers in
``MaskNet.training_step_end``, which pytorch-lightning 2 no longer calls: as
installed its masks learn from the prediction error alone (row ``Dynamask``).
Row ``Dynamask+reg`` runs :func:`regularised_mask_net`, adding them in
``training_step`` as its authors meant. Mask methods run at tint's State
settings (areas 0.25-0.34, blur, Adam lr 1e-3, squared error of the logits;
ExtremalMask lambdas 1, Adam lr 0.01) for ``--mask-epochs``, one batch.

A row is one entry of :data:`METHODS`; one whose explainer is not in
``sklearn_tsx.explainers`` prints as missing. Each row is a record in
``benchmarks/results/bench_vs_tint.jsonl``; the latest full run's in
``benchmarks/reference/bench_vs_tint.jsonl``. Needs ``pip install -e
.[benchmarks]``; one torch thread::

    python benchmarks/bench_vs_tint.py --quick        # T=30, GRU(16), 2 series, no Bayes
    python benchmarks/bench_vs_tint.py                # T=200, GRU(64), 5 series
    python benchmarks/bench_vs_tint.py --methods Dynamask Dynamask+reg --mask-epochs 200
"""


import argparse
import dataclasses
import logging
import time
import warnings
from dataclasses import dataclass

import numpy as np
import torch
from _paper_training import PAPER_TRAINING
from _records import write_record
from torch import nn

import sklearn_tsx.explainers as explainers
from sklearn_tsx.datasets import make_state
from sklearn_tsx.explainers import explain_per_step
from sklearn_tsx.metrics import aup_score, aur_score, auroc_score
from sklearn_tsx.models import GRUClassifier


class TintView(nn.Module):
    """A fitted sklearn_tsx sequence module as tint's State classifier: input
    ``(N, T, C)``; output the last step's (or with ``return_all`` every step's)
    logits, or probabilities when ``probabilities``."""

    def __init__(self, module, probabilities):
        super().__init__()
        self.module = module
        self.probabilities = probabilities

    def forward(self, x, return_all=False):
        out = self.module(x.transpose(1, 2))
        if self.probabilities:
            out = torch.softmax(out, dim=-1)
        return out if return_all else out[:, -1]


def regularised_mask_net(**params):
    """tint's ``MaskNet`` with its area and time regularisers added in
    ``training_step``: tint 0.3.0 adds them in ``training_step_end``, which
    Lightning 2 removed, so as installed they are silently dropped."""
    from tint.attr.models import MaskNet

    class RegularisedMaskNet(MaskNet):
        def training_step(self, batch, batch_idx):
            return self.net.regularisation(super().training_step(batch, batch_idx))

    return RegularisedMaskNet(**params)


@dataclass
class Case:
    """What both sides explain: the fitted model, the data, tint's views."""

    model: object
    X_train: np.ndarray
    X_test: np.ndarray
    truth: np.ndarray
    seed: int
    args: argparse.Namespace

    def view(self, probabilities=True):
        return TintView(self.model.module_, probabilities).eval()

    def tint_input(self, X):
        return torch.as_tensor(np.ascontiguousarray(X.transpose(0, 2, 1)))

    def trainer(self, epochs):
        from pytorch_lightning import Trainer

        return Trainer(max_epochs=epochs, accelerator="cpu", devices=1, logger=False,
                       enable_checkpointing=False, enable_progress_bar=False,
                       enable_model_summary=False)


def ours(name, per_step=True, abs_map=False, base=None, target=None, n_train=None,
         **params):
    """Our explainer ``name`` (a class of ``sklearn_tsx.explainers``) with ``params``,
    fitted on the first ``n_train`` training series (all when ``None``): per step
    (``explain_per_step``) or by ``explain(X, target)``. ``base``: the name of the
    explainer ``name`` wraps (a tunnel), which takes ``params``; ``abs_map``: the
    absolute value of the map (tint's ``attributions_fn=abs`` where each entry is
    one evaluation; where an entry averages draws, the explainer's own
    ``absolute`` averages their absolute values, as tint does)."""
    def run(case):
        cls = getattr(explainers, name)
        if base is None:
            explainer = cls(case.model, **params, random_state=case.seed)
        else:
            explainer = cls(getattr(explainers, base)(case.model, **params),
                            random_state=case.seed)
        explainer.fit(case.X_train[:n_train])
        if per_step:
            saliency = explain_per_step(explainer, case.X_test)
        else:
            saliency = explainer.explain(case.X_test, target=target)
        return np.abs(saliency) if abs_map else saliency
    run.requires = name
    return run


def _tint_value(value, case, x):
    """tint's argument for ``value``: placeholders name the case's tensors."""
    if not isinstance(value, str):
        return value
    if value == "zeros":
        return x * 0
    if value == "zeros and inputs":
        return torch.cat([x * 0, x])
    if value == "mean":
        return case.tint_input(case.X_train).mean(0, keepdim=True)
    if value.startswith("train"):  # "train" or "train:<n>", the first n series
        n = int(value.partition(":")[2] or len(case.X_train))
        return case.tint_input(case.X_train[:n])
    if value == "last predicted":
        with torch.no_grad():
            return case.view()(x).argmax(-1)
    return value


def tint_attr(method, tunnel=True, init=None, **kwargs):
    """captum's or tint's ``method`` (a name in ``tint.attr``, else ``captum.attr``)
    on the probability view, each step by ``TimeForwardTunnel`` (each step's
    predicted class) when ``tunnel``, else called once. ``init`` and ``kwargs``
    (constructor and ``attribute`` arguments) may hold :func:`_tint_value`'s
    placeholders."""
    def run(case):
        import captum.attr
        import tint.attr

        cls = getattr(tint.attr, method, None) or getattr(captum.attr, method)
        x = case.tint_input(case.X_test)
        resolved = {k: _tint_value(v, case, x) for k, v in kwargs.items()}
        explainer = cls(case.view(), **{k: _tint_value(v, case, x)
                                        for k, v in (init or {}).items()})
        if tunnel:
            out = tint.attr.TimeForwardTunnel(explainer).attribute(
                x, task="binary", **resolved)
        else:
            out = explainer.attribute(x, **resolved)
        if isinstance(out, tuple):  # tint's Bayes methods: (attributions, credible widths)
            out = out[0]
        return out.detach().numpy().transpose(0, 2, 1)
    return run


def tint_dynamask(regularised):
    def run(case):
        from tint.attr import DynaMask
        from tint.attr.models import MaskNet

        view = case.view(probabilities=False)
        params = dict(forward_func=view, perturbation="gaussian_blur", sigma_max=1,
                      keep_ratio=list(np.arange(0.25, 0.35, 0.01)),
                      size_reg_factor_init=0.1, size_reg_factor_dilation=100,
                      time_reg_factor=1.0)
        mask_net = regularised_mask_net(**params) if regularised else MaskNet(**params)
        out, _ = DynaMask(view).attribute(
            case.tint_input(case.X_test), additional_forward_args=(True,),
            trainer=case.trainer(case.args.mask_epochs), mask_net=mask_net,
            batch_size=len(case.X_test), return_best_ratio=True)
        return out.numpy().transpose(0, 2, 1)
    return run


def tint_extremal(case):
    from tint.attr import ExtremalMask
    from tint.attr.models import ExtremalMaskNet
    from tint.models import MLP, RNN

    view = case.view(probabilities=False)
    n_channels = case.X_test.shape[1]
    model = nn.Sequential(
        RNN(input_size=n_channels, rnn="gru", hidden_size=n_channels, bidirectional=True),
        MLP([2 * n_channels, n_channels]),
    )
    mask_net = ExtremalMaskNet(forward_func=view, model=model, lambda_1=1.0, lambda_2=1.0,
                               optim="adam", lr=0.01)
    out = ExtremalMask(view).attribute(
        case.tint_input(case.X_test), additional_forward_args=(True,),
        trainer=case.trainer(case.args.mask_epochs), mask_net=mask_net,
        batch_size=len(case.X_test))
    return out.detach().numpy().transpose(0, 2, 1)


def tint_geodesic(case):
    """tint's GeodesicIntegratedGradients of each series' last predicted class,
    one call per class: it takes one target for all series (a tensor of
    targets is not expanded along its paths)."""
    from tint.attr import GeodesicIntegratedGradients

    view = case.view()
    x = case.tint_input(case.X_test)
    explainer = GeodesicIntegratedGradients(
        view, data=case.tint_input(case.X_train[: case.args.n_geodesic]), n_neighbors=5)
    with torch.no_grad():
        predicted = view(x).argmax(-1)
    out = torch.zeros_like(x)
    for c in predicted.unique().tolist():
        rows = predicted == c
        out[rows] = explainer.attribute(x[rows], baselines=x[rows] * 0, target=c,
                                        n_steps=5).detach()
    return out.numpy().transpose(0, 2, 1)


def tint_fit(case):
    from tint.attr import Fit
    from tint.attr.models import JointFeatureGeneratorNet

    view = case.view(probabilities=False)
    explainer = Fit(view, generator=JointFeatureGeneratorNet(rnn_hidden_size=6),
                    features=case.tint_input(case.X_train),
                    trainer=case.trainer(case.args.fit_epochs))
    return explainer.attribute(case.tint_input(case.X_test)).numpy().transpose(0, 2, 1)


def mask_settings(args):
    return dict(
        area=np.round(np.arange(0.25, 0.355, 0.01), 2), perturbation="gaussian_blur",
        sigma_max=1.0, loss="mse", optimizer="adam", lr=1e-3, size_reg_init=0.1,
        size_reg_dilation=100.0, time_reg=1.0, max_epochs=args.mask_epochs,
        batch_size=args.n_explain,
    )


_augmented_occlusion = tint_attr(
    "TemporalAugmentedOcclusion", init={"data": "train", "n_sampling": 10,
                                        "is_temporal": True},
    sliding_window_shapes=(1,), attributions_fn=abs)


def _dynamask(args):
    return ours("Dynamask", per_step=False, classifier_output="logits",
                **mask_settings(args))


@dataclass
class Method:
    """One row: ``kind`` is ``"diff"`` (max |difference|) or ``"score"``; ``ours``
    and ``tint`` map a :class:`Case` (and the settings) to ``(n, C, T)`` maps."""

    kind: str
    ours: object
    tint: object
    quick: bool = True  # run by --quick unless named in --methods


# name -> Method; ``ours`` builders take the parsed settings so epochs can vary
METHODS = {
    "Saliency": Method("diff", lambda a: ours("Saliency", abs_map=True),
                       lambda a: tint_attr("Saliency", abs=True)),
    "InputXGradient": Method("diff", lambda a: ours("InputXGradient"),
                             lambda a: tint_attr("InputXGradient")),
    "IG": Method("diff", lambda a: ours("IntegratedGradients", n_steps=50),
                 lambda a: tint_attr("IntegratedGradients", baselines="zeros", n_steps=50)),
    "TimeForwardTunnel(IG)": Method(
        "diff", lambda a: ours("TimeForwardTunnel", per_step=False,
                               base="IntegratedGradients", n_steps=50),
        lambda a: tint_attr("IntegratedGradients", baselines="zeros", n_steps=50)),
    "DeepLift": Method("diff", lambda a: ours("DeepLift"),
                       lambda a: tint_attr("DeepLift", baselines="zeros")),
    "Occlusion": Method(
        "diff", lambda a: ours("FeatureOcclusion", abs_map=True, window=1,
                               channel_window=1, baselines="mean"),
        lambda a: tint_attr("TemporalOcclusion", sliding_window_shapes=(1,),
                            baselines="mean", attributions_fn=abs)),
    "TemporalOcclusion": Method(
        "diff", lambda a: ours("TemporalOcclusion", per_step=False, absolute=True),
        lambda a: tint_attr("TemporalOcclusion", sliding_window_shapes=(1,),
                            baselines="mean", attributions_fn=abs)),
    # one class (label 1) at every prefix: tint's TemporalIntegratedGradients has no task
    "TemporalIG": Method(
        "diff", lambda a: ours("TemporalIntegratedGradients", per_step=False, target=1),
        lambda a: tint_attr("TemporalIntegratedGradients", tunnel=False, target=1,
                            baselines="zeros", n_steps=50)),
    # the last step's predicted class (our default target of a sequence model)
    "SequentialIG": Method(
        "diff", lambda a: ours("SequentialIntegratedGradients", per_step=False),
        lambda a: tint_attr("SequentialIntegratedGradients", tunnel=False,
                            target="last predicted", baselines="zeros", n_steps=50)),
    # the last step's predicted class (our default target of a sequence model)
    "GeodesicIG": Method(
        "diff", lambda a: ours("GeodesicIntegratedGradients", per_step=False,
                               n_train=a.n_geodesic),
        lambda a: tint_geodesic),
    "GradientShap": Method(
        # tint draws baselines from {0, x}: in expectation half of zero baselines' map
        "score", lambda a: ours("GradientShap", baselines="zeros", n_samples=50,
                                stdevs=1e-4),
        lambda a: tint_attr("GradientShap", baselines="zeros and inputs", n_samples=50,
                            stdevs=1e-4)),
    "Lime": Method("score", lambda a: ours("Lime", n_samples=50),
                   lambda a: tint_attr("Lime", n_samples=50)),
    "KernelShap": Method("score", lambda a: ours("KernelShap", baselines="zeros",
                                                 n_samples=50),
                         lambda a: tint_attr("KernelShap", n_samples=50)),
    # the last step's output: tint's Lof methods score copies by a LOF fitted on whole
    # training series, so they cannot run on the prefixes of TimeForwardTunnel
    "LofLime": Method("score", lambda a: ours("LofLime", per_step=False, n_samples=50),
                      lambda a: tint_attr("LofLime", tunnel=False,
                                          init={"embeddings": "train"},
                                          target="last predicted", n_samples=50)),
    "LofKernelShap": Method(
        "score", lambda a: ours("LofKernelShap", per_step=False, n_samples=50,
                                baselines="zeros"),
        lambda a: tint_attr("LofKernelShap", tunnel=False, init={"embeddings": "train"},
                            target="last predicted", n_samples=50)),
    # tint's Bayes methods take about 64 CPU-s per series at T=30 (--quick leaves them out)
    "BayesLime": Method("score", lambda a: ours("BayesLime", n_samples=50),
                        lambda a: tint_attr("BayesLime", n_samples=50), quick=False),
    "BayesKernelShap": Method("score", lambda a: ours("BayesKernelShap", n_samples=50),
                              lambda a: tint_attr("BayesKernelShap", n_samples=50),
                              quick=False),
    "AugmentedOcclusion": Method(
        "score", lambda a: ours("AugmentedFeatureOcclusion", n_samples=10),
        lambda a: _augmented_occlusion),
    "TemporalAugmentedOcclusion": Method(
        "score", lambda a: ours("TemporalAugmentedOcclusion", per_step=False, n_samples=10,
                                absolute=True),
        lambda a: _augmented_occlusion),
    # tint's Fit returns the authors' squashed score 2 / (1 + exp(-5 I)) - 1
    "Fit": Method("score", lambda a: ours("FIT", per_step=False, max_epochs=a.fit_epochs,
                                          score="reference"),
                  lambda a: tint_fit),
    "Dynamask": Method("score", _dynamask, lambda a: tint_dynamask(regularised=False)),
    "Dynamask+reg": Method("score", _dynamask, lambda a: tint_dynamask(regularised=True)),
    "ExtremalMask": Method(
        "score", lambda a: ours("ExtremalMask", per_step=False, loss="mse",
                                max_epochs=a.mask_epochs, batch_size=a.n_explain),
        lambda a: tint_extremal),
}


def timed(run, case):
    torch.manual_seed(case.seed)
    # captum's GradientShap and tint's augmented occlusion draw from numpy's global state
    np.random.seed(case.seed)  # noqa: NPY002
    start = time.process_time()
    saliency = run(case)
    return np.asarray(saliency, dtype=np.float64), time.process_time() - start


def scores(case, saliency):
    saliency = np.abs(saliency)
    return {
        "AUP": aup_score(case.truth, saliency, convention="time_interpret"),
        "AUR": aur_score(case.truth, saliency, convention="time_interpret"),
        "AUROC": auroc_score(case.truth, saliency),
    }


def compare(name, method, case, args, cache):
    """One row; ``cache`` keeps our maps for rows that share ``method.ours``. A
    ``score`` row is averaged over ``args.draw_seeds`` seeds of the explainers'
    random draws (the same GRU)."""
    ours_run, tint_run = method.ours(args), method.tint(args)
    if not hasattr(explainers, ours_run.requires):
        return None
    n_draws = args.draw_seeds if method.kind == "score" else 1
    runs = []
    for offset in range(n_draws):
        seeded = dataclasses.replace(case, seed=case.seed + offset)
        if (method.ours, offset) not in cache:
            cache[method.ours, offset] = timed(ours_run, seeded)
        runs.append((*cache[method.ours, offset], *timed(tint_run, seeded)))
    n = len(case.X_test)
    ours_scores = [scores(case, run[0]) for run in runs]
    tint_scores = [scores(case, run[2]) for run in runs]
    row = dict(method=name, kind=method.kind,
               ours_cpu_s=np.mean([run[1] for run in runs]) / n,
               tint_cpu_s=np.mean([run[3] for run in runs]) / n,
               ours={m: float(np.mean([d[m] for d in ours_scores])) for m in ours_scores[0]},
               tint={m: float(np.mean([d[m] for d in tint_scores])) for m in tint_scores[0]})
    if n_draws > 1:
        row["ours_std"] = {m: float(np.std([d[m] for d in ours_scores])) for m in row["ours"]}
        row["tint_std"] = {m: float(np.std([d[m] for d in tint_scores])) for m in row["tint"]}
    if method.kind == "diff":
        row["max_abs_diff"] = float(np.max(np.abs(runs[0][0] - runs[0][2])))
        row["meets"] = row["max_abs_diff"] <= 1e-5
    else:
        row["meets"] = bool(
            all(row["ours"][m] >= row["tint"][m] - 0.02 for m in row["ours"])
            and row["ours_cpu_s"] <= row["tint_cpu_s"])
    return row


def fmt(row):
    def cell(side, m):
        std = row.get(f"{side}_std", {}).get(m)
        return f"{row[side][m]:.3f}" + (f"±{std:.3f}" if std is not None else "")

    s = "  ".join(f"{m} {cell('ours', m)}/{cell('tint', m)}" for m in row["ours"])
    diff = f"max|diff| {row['max_abs_diff']:.1e}  " if "max_abs_diff" in row else ""
    return (f"{row['method']:<19} {row['kind']:<5} {diff}{s}  CPU-s/series "
            f"{row['ours_cpu_s']:.2f}/{row['tint_cpu_s']:.2f}  "
            f"{'meets' if row['meets'] else 'MISSES'}")


def make_case(args):
    data = make_state(args.n_samples, n_timepoints=args.n_timepoints,
                      random_state=args.seed)
    n_train = int(0.8 * args.n_samples)
    X_train = data.data[:n_train].astype(np.float32)
    model = GRUClassifier(
        hidden_size=args.hidden_size, num_layers=1, sequence_output=True, lr=1e-3,
        max_epochs=args.epochs, random_state=args.seed, **PAPER_TRAINING,
    ).fit(X_train, data.target[:n_train])
    accuracy = model.score(data.data[n_train:], data.target[n_train:])
    print(f"GRU({args.hidden_size}) per-step test accuracy {accuracy:.3f}", flush=True)
    return Case(model, X_train,
                data.data[n_train:][: args.n_explain].astype(np.float32),
                data.saliency[n_train:][: args.n_explain], args.seed, args), accuracy


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="T=30, GRU(16), 200 series, 2 explained, few epochs")
    parser.add_argument("--methods", nargs="+", choices=list(METHODS),
                        help="rows to run (default: all; with --quick, the quick ones)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--draw-seeds", type=int, default=1,
                        help="score rows: mean ± std over this many seeds of the "
                             "explainers' draws (seed, seed + 1, ...), same GRU")
    parser.add_argument("--n-samples", type=int, default=1000)
    parser.add_argument("--n-timepoints", type=int, default=200)
    parser.add_argument("--n-explain", type=int, default=5)
    parser.add_argument("--hidden-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20, help="GRU training epochs")
    parser.add_argument("--mask-epochs", type=int, default=500)
    parser.add_argument("--fit-epochs", type=int, default=50)
    parser.add_argument("--n-geodesic", type=int, default=100,
                        help="training series in GeodesicIG's graph")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_samples, args.n_timepoints, args.hidden_size = 200, 30, 16
        args.n_explain, args.epochs, args.mask_epochs, args.fit_epochs = 2, 5, 20, 2
        args.n_geodesic = 20
    if args.methods is None:
        args.methods = [name for name, method in METHODS.items()
                        if method.quick or not args.quick]
    torch.set_num_threads(1)
    for name in ("pytorch_lightning", "lightning.pytorch", "lightning_fabric"):
        logging.getLogger(name).setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="captum|tint|pytorch_lightning|lightning")
    print("settings:", vars(args), flush=True)
    case, accuracy = make_case(args)
    print("rows: ours/tint's (AUP, AUR, AUROC, CPU-s per series)")
    rows, cache = [], {}
    for name in args.methods:
        row = compare(name, METHODS[name], case, args, cache)
        if row is None:
            print(f"{name:<19} missing: {METHODS[name].ours(args).requires} is not in "
                  "sklearn_tsx.explainers yet")
            continue
        print(fmt(row), flush=True)
        figures = {f"{side} {metric}": value for side in ("ours", "tint")
                   for metric, value in row[side].items()}
        figures.update({f"{side} {metric} std": value for side in ("ours", "tint")
                        for metric, value in row.get(f"{side}_std", {}).items()})
        figures.update({"ours CPU-s per series": row["ours_cpu_s"],
                        "tint CPU-s per series": row["tint_cpu_s"],
                        "GRU per-step test accuracy": accuracy})
        if "max_abs_diff" in row:
            figures["max |diff|"] = row["max_abs_diff"]
        write_record("bench_vs_tint", dataset="State", method=name, seed=args.seed,
                     settings=vars(args), kind=row["kind"], figures=figures,
                     meets=row["meets"])
        rows.append(row)
    return rows


if __name__ == "__main__":
    main()
