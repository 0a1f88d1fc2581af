"""The robustness and white-box metrics beside time_interpret's and captum's,
and the captum methods of issue 30 beside captum called directly.

A GRU classifier (last step) and a two-block TCN classifier are trained on State
(``sklearn_tsx.datasets.make_state``, label at the last step) and explain held-out
series. Printed, one row each (``diff`` = max |ours - theirs|):

* metrics: ``log_odds`` against ``tint.metrics.log_odds`` (Saliency maps of the
  GRU, top 20 % replaced by zeros); ``lipschitz_max`` against
  ``tint.metrics.lipschitz_max`` (Saliency, both given the same perturbations);
  ``white_box_mse`` / ``_mae`` / ``_rmse`` against ``tint.metrics.white_box``
  (raw maps, ``normalize=False``, and min-max rescaled, where tint divides by
  ``max - min + 1e-5``; tint 0.3.0's ``rmse`` calls scikit-learn's
  ``mean_squared_error(squared=False)``, removed in scikit-learn 1.6, and raises:
  ours is compared with the square root of its ``mse``); ``sensitivity_max`` and
  ``infidelity`` against ``captum.metrics`` (captum's ``sensitivity_max`` is given
  contiguous maps: it cannot ``view`` the GRU's strided input gradient). Target:
  1e-5 (1e-4 relative for tint's normalisation).
* methods: InputXGradient on the GRU; LayerGradCam (default layer), KernelShap,
  ShapleyValues (4 windows) and SmoothGrad-squared / VarGrad on the TCN, against
  the captum class on the same module; GuidedBackprop / Deconvolution on a
  ReLU-module CNN trained on the same series. Target 1e-5; CPU-s per series of
  ours.

Run (needs time_interpret: ``pip install -e .[benchmarks]``; one torch thread)::

    python benchmarks/bench_metrics_vs_tint.py --quick   # T=30, 8 series explained
    python benchmarks/bench_metrics_vs_tint.py           # T=100, 20 series explained

Each row is written to ``benchmarks/results/bench_metrics_vs_tint.jsonl``.
"""

import argparse
import time

import numpy as np
import torch
from _records import write_record
from captum import attr
from captum import metrics as captum_metrics
from sklearn.utils import check_random_state
from tint import metrics as tint_metrics
from tint.metrics import white_box as tint_white_box

from sklearn_tsx.datasets import make_state
from sklearn_tsx.explainers import (
    Deconvolution,
    GuidedBackprop,
    InputXGradient,
    KernelShap,
    LayerGradCam,
    Saliency,
    ShapleyValues,
    SmoothGrad,
)
from sklearn_tsx.metrics import (
    infidelity,
    lipschitz_max,
    log_odds,
    sensitivity_max,
    white_box_mae,
    white_box_mse,
    white_box_rmse,
)
from sklearn_tsx.models import GRUClassifier, TCNClassifier


class ReluCNN(torch.nn.Module):
    """A small CNN whose ReLUs are modules, for GuidedBackprop and Deconvolution."""

    def __init__(self, n_channels, n_timepoints):
        super().__init__()
        self.body = torch.nn.Sequential(
            torch.nn.Conv1d(n_channels, 8, 5, padding=2), torch.nn.ReLU(),
            torch.nn.Flatten(), torch.nn.Linear(8 * n_timepoints, 2))

    def forward(self, x):
        return self.body(x)


def shared_perturbation(random_state, radius):
    """The uniform perturbations ``lipschitz_max`` / ``sensitivity_max`` draw for
    ``random_state`` (one call per batch of samples), for the reference call; as
    a tuple, which tint's ``lipschitz_max`` expects."""
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31 - 1))

    def perturb(inputs, perturb_radius=radius):
        noise = rng.uniform(-perturb_radius, perturb_radius, size=tuple(inputs.shape))
        return (inputs + torch.as_tensor(noise, dtype=inputs.dtype),)

    return perturb


def row(dataset, kind, name, diff, target, **figures):
    status = "ok" if diff <= target else "MISS"
    extra = "".join(f"  {k}={v:.4g}" for k, v in figures.items())
    print(f"{kind:8s} {name:42s} diff={diff:.2e} (target {target:g}) {status}{extra}",
          flush=True)
    write_record("bench_metrics_vs_tint", dataset=dataset, method=name, seed=0,
                 settings={"kind": kind, "target": target},
                 figures={"max |diff|": float(diff), **figures})


def timed(func):
    start = time.process_time()
    out = func()
    return out, time.process_time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    T, n_train, n_explain = (30, 200, 8) if args.quick else (100, 600, 20)
    data = make_state(n_samples=n_train + n_explain, n_timepoints=T, random_state=0)
    X, y = data.data, data.target[:, -1]
    X_train, y_train, X_test = X[:n_train], y[:n_train], X[n_train:]
    truth = data.saliency[n_train:].astype(float)
    C = X.shape[1]
    dataset = f"State, T={T}, {n_explain} series explained"

    gru = GRUClassifier(lr=1e-3, hidden_size=16, max_epochs=20, pooling="last", random_state=0)
    gru.fit(X_train, y_train)
    print(f"GRU test accuracy {gru.score(X[n_train:], y[n_train:]):.2f}")
    saliency = Saliency(gru, absolute=False).fit(X_train)
    logits = saliency.model_.module
    probabilities = torch.nn.Sequential(logits, torch.nn.Softmax(dim=-1))
    target = saliency._resolve_target(X_test, None)
    x, t = torch.as_tensor(X_test), torch.as_tensor(target)
    maps = saliency.explain(X_test, target=target)

    # --- metrics ----------------------------------------------------------------
    ours = log_odds(gru, X_test, maps)
    theirs = tint_metrics.log_odds(logits, x, torch.as_tensor(maps), topk=0.2)
    row(dataset, "metric", "log_odds vs tint", abs(ours - theirs), 1e-5, ours=ours)

    ours = lipschitz_max(saliency, X_test, target=target, random_state=0)
    theirs = tint_metrics.lipschitz_max(
        attr.Saliency(probabilities).attribute, x, perturb_func=shared_perturbation(0, 0.02),
        target=t, abs=False).numpy()
    row(dataset, "metric", "lipschitz_max vs tint", np.abs(ours - theirs).max(), 1e-5,
        mean=ours.mean())

    def tint_rmse(attributions, true_attributions, normalize=True):
        return np.sqrt(tint_white_box.mse(attributions, true_attributions, normalize))

    for name, func, tint_func in (("mse", white_box_mse, tint_white_box.mse),
                                  ("mae", white_box_mae, tint_white_box.mae),
                                  ("rmse", white_box_rmse, tint_rmse)):
        raw = abs(func(truth, maps, normalize=False)
                  - tint_func(torch.as_tensor(maps), torch.as_tensor(truth), normalize=False))
        row(dataset, "metric", f"white_box_{name} raw vs tint", raw, 1e-5)
        ours = func(truth, np.abs(maps))
        theirs = tint_func(torch.as_tensor(np.abs(maps)), torch.as_tensor(truth))
        row(dataset, "metric", f"white_box_{name} rescaled vs tint (relative)",
            abs(ours - theirs) / theirs, 1e-4, ours=ours)

    def contiguous_saliency(inputs, **kwargs):
        # the GRU's input gradient comes back strided, which captum's
        # sensitivity_max cannot ``view``
        maps = attr.Saliency(probabilities).attribute(inputs, **kwargs)
        return tuple(m.contiguous() for m in maps)

    ours = sensitivity_max(saliency, X_test, target=target, random_state=0)
    theirs = captum_metrics.sensitivity_max(
        contiguous_saliency, x, perturb_func=shared_perturbation(0, 0.02),
        target=t, abs=False).numpy()
    row(dataset, "metric", "sensitivity_max vs captum", np.abs(ours - theirs).max(), 1e-5,
        mean=ours.mean())

    rng = np.random.default_rng(check_random_state(0).randint(2**31 - 1))

    def gaussian(inputs):
        noise = torch.as_tensor(rng.normal(0, 0.1, size=tuple(inputs.shape)),
                                dtype=inputs.dtype)
        return noise, inputs - noise

    ours = infidelity(saliency, X_test, maps, target=target, random_state=0)
    theirs = captum_metrics.infidelity(probabilities, gaussian, x, torch.as_tensor(maps),
                                       target=t).numpy()
    row(dataset, "metric", "infidelity vs captum", np.abs(ours - theirs).max(), 1e-5,
        mean=ours.mean())

    # --- methods ----------------------------------------------------------------
    tcn = TCNClassifier(hidden_size=16, num_layers=2, max_epochs=20, random_state=0)
    tcn.fit(X_train, y_train)
    cnn = ReluCNN(C, T)
    optimiser = torch.optim.Adam(cnn.parameters(), lr=1e-2)
    for _ in range(100):
        optimiser.zero_grad()
        torch.nn.functional.cross_entropy(
            cnn(torch.as_tensor(X_train)), torch.as_tensor(y_train)).backward()
        optimiser.step()
    cnn.eval()

    def compare(name, explainer, reference, seed=None, explained=None, **kwargs):
        explainer.fit(X_train)
        module = explainer.model_.module
        forward = torch.nn.Sequential(module, torch.nn.Softmax(dim=-1)) \
            if explainer.model_.softmax else module
        target = explainer._resolve_target(X_test, explained)
        ours, cpu = timed(lambda: explainer.explain(X_test, target=target))
        if seed is not None:
            torch.manual_seed(seed)
        method = reference(forward, module)
        theirs = method.attribute(torch.as_tensor(X_test).requires_grad_(),
                                  target=torch.as_tensor(target), **kwargs).detach().numpy()
        diff = np.abs(ours - np.broadcast_to(theirs, ours.shape)).max()
        row(dataset, "method", name, diff, 1e-5, cpu_s_per_series=cpu / len(X_test))

    first_seed = int(check_random_state(0).randint(np.iinfo(np.int32).max, size=1)[0])
    compare("InputXGradient (GRU)", InputXGradient(gru),
            lambda f, m: attr.InputXGradient(f))
    cam = LayerGradCam(tcn).fit(X_train)
    compare(f"LayerGradCam (TCN, {cam.layer_name_})", cam,
            lambda f, m: attr.LayerGradCam(f, m.get_submodule(cam.layer_name_)))
    compare("KernelShap (TCN, time groups)",
            KernelShap(tcn, feature_mask="time", baselines="zeros", random_state=0,
                       batch_size=n_explain),
            lambda f, m: attr.KernelShap(f), seed=first_seed, baselines=0.0,
            feature_mask=torch.arange(T).expand(1, C, T), n_samples=100,
            perturbations_per_eval=n_explain)
    shapley = ShapleyValues(tcn, baselines="zeros").fit(X_train)
    compare("ShapleyValues (TCN, 4 windows)", shapley, lambda f, m: attr.ShapleyValues(f),
            baselines=0.0, feature_mask=torch.as_tensor(shapley.feature_mask_)[None],
            perturbations_per_eval=max(1, 64 // n_explain))
    for nt_type in ("smoothgrad_sq", "vargrad"):
        compare(f"SmoothGrad {nt_type} (TCN)",
                SmoothGrad(tcn, nt_type=nt_type, random_state=0, batch_size=n_explain),
                lambda f, m: attr.NoiseTunnel(attr.Saliency(f)), seed=first_seed,
                nt_type=nt_type, nt_samples=10, stdevs=0.15, abs=True)
    predicted = cnn(torch.as_tensor(X_test)).argmax(1).numpy()  # a torch module: indices
    compare("GuidedBackprop (ReLU CNN)", GuidedBackprop(cnn),
            lambda f, m: attr.GuidedBackprop(m), explained=predicted)
    compare("Deconvolution (ReLU CNN)", Deconvolution(cnn),
            lambda f, m: attr.Deconvolution(m), explained=predicted)


if __name__ == "__main__":
    main()
