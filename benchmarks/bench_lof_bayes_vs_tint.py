"""LofLime, LofKernelShap, BayesLime and BayesKernelShap beside time_interpret's
(tint 0.3.0) on identical perturbations.

Each series is explained alone, torch seeded as our explainer seeds its batch,
so both libraries draw the same perturbed copies: the attributions must agree
to float precision (target 1e-5). A small MLP (3 channels x 10 steps, tanh
hidden layer of 16) explains output 0 of 8 random series, 200 copies each,
zero baselines, LOF on 60 training series with 20 neighbours; LofLime with a
least-squares surrogate on both sides (tint's default is captum's absolute
Lasso, ours a relative one). Also printed: CPU-s per series of each, and for
the Bayes methods the ratio of our exact 95 % credible half-width (Student t)
to tint's, which tint estimates from as many posterior draws as copies.

``bench_vs_tint.py`` runs these methods on State per time step; tint's
LofLime / LofKernelShap cannot run there under ``TimeForwardTunnel`` (its LOF,
fitted on whole series, is handed truncated ones), hence this check.

Run (needs ``pip install -e .[benchmarks]``; one torch thread)::

    python benchmarks/bench_lof_bayes_vs_tint.py
"""

import time
import warnings

import numpy as np
import torch
from _records import write_record
from scipy import stats
from sklearn.utils import check_random_state

from sklearn_tsx.explainers import BayesKernelShap, BayesLime, LofKernelShap, LofLime

N_CHANNELS, N_TIMEPOINTS, N_EXPLAIN, N_COPIES = 3, 10, 8, 200


def cases(model, X):
    """(name, ours, tint's) of each method."""
    import tint.attr
    from captum._utils.models.linear_model import SkLearnLinearRegression

    common = dict(n_samples=N_COPIES, batch_size=1, random_state=0)
    train = torch.as_tensor(X)
    return [
        ("LofLime", LofLime(model, n_neighbors=20, surrogate="linear", **common),
         tint.attr.LofLime(model, train, n_neighbors=20,
                           interpretable_model=SkLearnLinearRegression())),
        ("LofKernelShap", LofKernelShap(model, n_neighbors=20, baselines="zeros", **common),
         tint.attr.LofKernelShap(model, train, n_neighbors=20)),
        ("BayesLime", BayesLime(model, **common), tint.attr.BayesLime(model)),
        ("BayesKernelShap", BayesKernelShap(model, baselines="zeros", **common),
         tint.attr.BayesKernelShap(model)),
    ]


def tint_attributions(method, X, seeds):
    out = []
    for x, seed in zip(X, seeds, strict=True):
        torch.manual_seed(int(seed))
        out.append(method.attribute(torch.as_tensor(x[None]), target=0, n_samples=N_COPIES,
                                    perturbations_per_eval=1, baselines=0.0))
    return out


def main():
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", module="captum|tint|pytorch_lightning|lightning")
    X = np.random.default_rng(0).normal(size=(60, N_CHANNELS, N_TIMEPOINTS))
    X = X.astype(np.float32)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(N_CHANNELS * N_TIMEPOINTS, 16), torch.nn.Tanh(),
        torch.nn.Linear(16, 2),
    )
    seeds = check_random_state(0).randint(np.iinfo(np.int32).max, size=N_EXPLAIN)
    explained = X[:N_EXPLAIN]
    for name, ours, theirs in cases(model, X):
        ours.fit(X)
        bayes = name.startswith("Bayes")
        start = time.process_time()
        result = ours.explain(explained, target=0, return_std=True) if bayes else \
            ours.explain(explained, target=0)
        ours_cpu = (time.process_time() - start) / N_EXPLAIN
        start = time.process_time()
        out = tint_attributions(theirs, explained, seeds)
        tint_cpu = (time.process_time() - start) / N_EXPLAIN
        figures = {"ours CPU-s per series": ours_cpu, "tint CPU-s per series": tint_cpu}
        line = ""
        if bayes:
            S, std = result
            tint_mean = torch.cat([o[0] for o in out]).numpy()
            ratio = (stats.t.ppf(0.975, N_COPIES) * std * np.sqrt((N_COPIES - 2) / N_COPIES)
                     / torch.cat([o[1] for o in out]).numpy())
            figures["95% half-width ours / tint median"] = float(np.median(ratio))
            line = (f"; 95% credible half-width ours / tint: median {np.median(ratio):.3f}, "
                    f"range {ratio.min():.3f}-{ratio.max():.3f}")
        else:
            S, tint_mean = result, torch.cat(out).numpy()
        figures["max |diff|"] = float(np.abs(S - tint_mean).max())
        print(f"{name:<16} max |ours - tint| {figures['max |diff|']:.1e} (max |attribution| "
              f"{np.abs(S).max():.2f}); CPU-s per series {ours_cpu:.3f} / {tint_cpu:.3f}"
              f"{line}", flush=True)
        write_record("bench_lof_bayes_vs_tint", dataset="random MLP", method=name, seed=0,
                     figures=figures, meets=figures["max |diff|"] <= 1e-5)


if __name__ == "__main__":
    main()
