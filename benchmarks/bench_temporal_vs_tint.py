"""time_interpret's temporal methods, ours beside tint 0.3.0's on the same model
and series: max |difference| of the attributions and CPU-s per series.

A GRUClassifier(hidden_size=64) predicting once per series is trained on State
(150 series, the label the last step's state) and explains 10 other series
(``--quick``: 3 series of 20 steps). Each of our classes runs beside its tint
call (tint sees the series time-first, through a transposing view of the same
module): TemporalIntegratedGradients and SequentialIntegratedGradients (20
path points, class 1), GeodesicIntegratedGradients (5 neighbours among the
training series, tint's 5 points per edge), TimeForwardTunnel over
IntegratedGradients and TemporalOcclusion (mean baseline, absolute drops, the
class predicted from each prefix: tint's ``task="binary"``), and
TemporalAugmentedOcclusion (10 training series drawn per copy: random on both
sides, so only the scale and the correlation of the maps are comparable).

Measured on State, 50 steps, one thread (``python
benchmarks/bench_temporal_vs_tint.py``), CPU-s per series ours / tint's and max
|difference| (maps of scale 0.13-0.20)::

    TemporalIntegratedGradients     0.145 / 0.163   3e-08
    SequentialIntegratedGradients   0.264 / 0.278   0
    GeodesicIntegratedGradients     0.093 / 0.131   2e-08
    TimeForwardTunnel(IG)           0.182 / 0.179   2e-08
    TemporalOcclusion               0.050 / 0.084   1e-07
    TemporalAugmentedOcclusion      0.097 / 0.137   (random; correlation 0.89)

TimeForwardTunnel(IG) is captum's IntegratedGradients on each prefix on both
sides, hence the same time (within the shared machine's noise).

Run (needs ``pip install -e .[benchmarks]`` and ``pip install time_interpret``;
one torch thread)::

    python benchmarks/bench_temporal_vs_tint.py [--quick]
"""

import argparse
import time
import warnings

import numpy as np
import torch
from _records import write_record

from sklearn_tsx.datasets import make_state
from sklearn_tsx.explainers import (
    GeodesicIntegratedGradients,
    IntegratedGradients,
    SequentialIntegratedGradients,
    TemporalAugmentedOcclusion,
    TemporalIntegratedGradients,
    TemporalOcclusion,
    TimeForwardTunnel,
)
from sklearn_tsx.models import GRUClassifier


class TimeFirst(torch.nn.Module):
    """The explained model in tint's layout, (batch, time, features)."""

    def __init__(self, adapter):
        super().__init__()
        self.model = adapter.module
        self._adapter = adapter

    def forward(self, x):
        return self._adapter.forward(x.transpose(1, 2))


def cases(model, X_train):
    """(name, our fitted explainer, our target, tint's call on time-first series)."""
    import captum.attr
    import tint.attr

    train = torch.as_tensor(X_train).transpose(1, 2)
    mean = train.mean(0, keepdim=True)
    fitted = {
        "TemporalIntegratedGradients": TemporalIntegratedGradients(model, n_steps=20),
        "SequentialIntegratedGradients": SequentialIntegratedGradients(model, n_steps=20),
        "GeodesicIntegratedGradients": GeodesicIntegratedGradients(model, n_neighbors=5),
        "TimeForwardTunnel(IG)": TimeForwardTunnel(IntegratedGradients(model, n_steps=20)),
        "TemporalOcclusion": TemporalOcclusion(model, absolute=True),
        "TemporalAugmentedOcclusion": TemporalAugmentedOcclusion(
            model, n_samples=10, absolute=True, random_state=0),
    }
    for explainer in fitted.values():
        explainer.fit(X_train)
    f = TimeFirst(fitted["TemporalOcclusion"].model_)
    occlusion = {"sliding_window_shapes": (1,), "attributions_fn": abs, "task": "binary"}
    return [
        ("TemporalIntegratedGradients", fitted["TemporalIntegratedGradients"], 1,
         lambda x: tint.attr.TemporalIntegratedGradients(f).attribute(x, target=1,
                                                                      n_steps=20)),
        ("SequentialIntegratedGradients", fitted["SequentialIntegratedGradients"], 1,
         lambda x: tint.attr.SequentialIntegratedGradients(f).attribute(x, target=1,
                                                                        n_steps=20)),
        ("GeodesicIntegratedGradients", fitted["GeodesicIntegratedGradients"], 1,
         lambda x: tint.attr.GeodesicIntegratedGradients(f, data=train, n_neighbors=5)
         .attribute(x, target=1, n_steps=5)),
        ("TimeForwardTunnel(IG)", fitted["TimeForwardTunnel(IG)"], None,
         lambda x: tint.attr.TimeForwardTunnel(captum.attr.IntegratedGradients(f))
         .attribute(x, task="binary", n_steps=20)),
        ("TemporalOcclusion", fitted["TemporalOcclusion"], None,
         lambda x: tint.attr.TimeForwardTunnel(tint.attr.TemporalOcclusion(f))
         .attribute(x, baselines=mean, **occlusion)),
        ("TemporalAugmentedOcclusion", fitted["TemporalAugmentedOcclusion"], None,
         lambda x: tint.attr.TimeForwardTunnel(tint.attr.TemporalAugmentedOcclusion(
             f, data=train, n_sampling=10, is_temporal=True)).attribute(x, **occlusion)),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 series of 20 steps")
    args = parser.parse_args()
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")  # captum's and tint's notices on hooks and grads
    n_timepoints, n_explain = (20, 3) if args.quick else (50, 10)
    data = make_state(n_samples=150 + n_explain, n_timepoints=n_timepoints, random_state=0)
    X, y = data.data.astype(np.float32), data.target[:, -1]
    # tint's GRU reads out its last hidden state
    model = GRUClassifier(lr=1e-3, hidden_size=64, max_epochs=30, pooling="last",
                          random_state=0)
    model.fit(X[:150], y[:150])
    X_explain = X[150:]
    print(f"{'method':32s} {'ours':>8s} {'tint':>8s}  CPU-s/series   max |diff|")
    for name, explainer, target, tint_call in cases(model, X[:150]):
        start = time.process_time()
        ours = explainer.explain(X_explain, target=target)
        middle = time.process_time()
        theirs = tint_call(torch.as_tensor(X_explain).transpose(1, 2))
        end = time.process_time()
        theirs = theirs.transpose(1, 2).detach().numpy()
        figures = {
            "ours_cpu_s_per_series": (middle - start) / n_explain,
            "tint_cpu_s_per_series": (end - middle) / n_explain,
            "max |diff|": float(np.abs(ours - theirs).max()),
            "scale": float(np.abs(theirs).max()),
            "correlation": float(np.corrcoef(ours.ravel(), theirs.ravel())[0, 1]),
        }
        print(f"{name:32s} {figures['ours_cpu_s_per_series']:8.3f} "
              f"{figures['tint_cpu_s_per_series']:8.3f}  "
              f"{figures['max |diff|']:.1e} (scale {figures['scale']:.2f}, "
              f"correlation {figures['correlation']:.3f})", flush=True)
        write_record("bench_temporal_vs_tint", dataset=f"State T={n_timepoints}",
                     method=name, seed=0, figures=figures,
                     meets=(name == "TemporalAugmentedOcclusion"
                            or figures["max |diff|"] <= 1e-5))


if __name__ == "__main__":
    main()
