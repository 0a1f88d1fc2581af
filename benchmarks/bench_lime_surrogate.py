"""LIME's surrogate: captum's default against sklearn_tsx's Lime defaults.

captum's default surrogate is a Lasso of penalty 0.01 on the raw model outputs;
sklearn_tsx's ``Lime`` fits its surrogate (Lasso by default, penalty 0.01) to the
outputs divided by their standard deviation over the perturbed copies. Three
settings of 160 entries per series (rare-feature white box, 10 channels x 16 steps,
8 salient entries): the white box as a regressor (its output summed over time),
as a classifier (sigmoid of that sum minus 8), and a GRU classifier trained on
250 series to tell whether the sum of the salient entries is above its median,
explained on 20 held-out series. A fourth row runs the white-box regressor with
its output in units 1000 times larger (times 1e-3), where captum's absolute
penalty zeroes every entry. Printed per method and setting: fraction of non-zero
entries, AUP, AUR and AUROC against the salient set (white boxes: mean of seeds 0
and 1); n_samples=50, zero baselines, one torch thread.

    python benchmarks/bench_lime_surrogate.py
"""

import warnings

import numpy as np
import torch
from _paper_training import PAPER_TRAINING
from _records import write_record
from captum.attr import Lime as CaptumLime

from sklearn_tsx.datasets import make_rare_feature
from sklearn_tsx.explainers import Lime
from sklearn_tsx.metrics import aup_score, aur_score, auroc_score
from sklearn_tsx.models import GRUClassifier

N_SAMPLES = 50


class WhiteBoxTotal(torch.nn.Module):
    """The white box's output summed over time; as two class probabilities when
    ``classifier``; times ``scale``."""

    def __init__(self, white_box, classifier=False, scale=1.0):
        super().__init__()
        self.white_box, self.classifier, self.scale = white_box, classifier, scale

    def forward(self, x):
        z = self.white_box(x).sum(1)
        if self.classifier:
            return torch.cat([torch.sigmoid(8.0 - z), torch.sigmoid(z - 8.0)], 1)
        return self.scale * z


def captum_default(model, X, target, seed):
    torch.manual_seed(seed)
    x = torch.as_tensor(X)
    return CaptumLime(model).attribute(
        x, target=target, n_samples=N_SAMPLES, baselines=0.0
    ).detach().numpy()


def ours(model, X, target, seed, **params):
    explainer = Lime(model, n_samples=N_SAMPLES, random_state=seed, **params).fit(X)
    return explainer.explain(X, target=target)


def gru_model(gru, method_name):
    """The GRU as captum sees it (class probabilities), or as our Lime takes it."""
    if method_name == "captum default":
        return lambda x: torch.softmax(gru.module_(x), dim=-1)
    return gru


METHODS = {
    "captum default": captum_default,
    "Lime()": ours,
    "Lime(surrogate='ridge')": lambda *a: ours(*a, surrogate="ridge"),
}


def scores(S, truth):
    A = np.abs(S)
    return np.array([(S != 0).mean(), aup_score(truth, A), aur_score(truth, A),
                     auroc_score(truth, A)])


def white_box_scores(method, classifier, scale):
    stats = []
    for seed in (0, 1):
        data = make_rare_feature(10, n_features=10, n_timepoints=16,
                                 shared_salient_set=True, random_state=seed)
        X = data.data.astype(np.float32)
        target = 1 if classifier else None
        S = np.concatenate([
            method(WhiteBoxTotal(data.model.select(i), classifier, scale), X[i:i + 1],
                   target if target is not None else 0, seed)
            for i in range(len(X))
        ])
        stats.append(scores(S, data.saliency.astype(bool)))
    return np.mean(stats, axis=0)


def main():
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    data = make_rare_feature(300, n_features=10, n_timepoints=16, shared_salient_set=True,
                             random_state=0)
    X, truth = data.data.astype(np.float32), data.saliency.astype(bool)
    total = (X * truth).sum(axis=(1, 2))
    y = (total > np.median(total)).astype(int)
    gru = GRUClassifier(hidden_size=32, max_epochs=60, lr=0.01, random_state=0, pooling="last",
                        **PAPER_TRAINING)
    gru.fit(X[:250], y[:250])
    print(f"GRU held-out accuracy {gru.score(X[250:], y[250:]):.2f}")
    print(f"{'method':26s} {'setting':26s} nonzero   AUP   AUR AUROC")
    for name, method in METHODS.items():
        rows = {
            "white-box regressor": white_box_scores(method, False, 1.0),
            "white-box regressor x1e-3": white_box_scores(method, False, 1e-3),
            "white-box classifier": white_box_scores(method, True, 1.0),
            "GRU classifier": scores(method(gru_model(gru, name), X[250:270], 1, 0),
                                     truth[250:270]),
        }
        for setting, (nonzero, aup, aur, auroc) in rows.items():
            figures = f"{nonzero:7.3f} {aup:5.2f} {aur:5.2f} {auroc:5.2f}"
            print(f"{name:26s} {setting:26s} {figures}", flush=True)
            write_record("bench_lime_surrogate", dataset=setting, method=name,
                         settings={"n_samples": N_SAMPLES, "baselines": "zeros"},
                         seed=0 if setting == "GRU classifier" else [0, 1],
                         figures={"nonzero": nonzero, "AUP": aup, "AUR": aur, "AUROC": auroc})


if __name__ == "__main__":
    main()
