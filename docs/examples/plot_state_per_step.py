"""
Which feature drives each step's prediction? Per-step saliency of a GRU
=======================================================================

A recurrent classifier that predicts at every time step is explained one step
at a time: the attribution of step ``t`` is what the inputs at ``t`` did to
the prediction at ``t``. :func:`~sklearn_tsx.explainers.explain_per_step`
computes this for every step at once. Here a GRU learns the State data of
Tonekaboni et al. (2020), where a hidden two-state chain decides, at each step,
which of three features carries the label, and the per-step maps of
Integrated Gradients and Feature Occlusion are scored against that truth.
"""

# %%
# Data and model
# --------------
# 400 series of 3 features x 200 steps; 300 train a GRU with 32 units that
# reads out a label at every step.
import time

import numpy as np
import torch

from sklearn_tsx.datasets import make_state
from sklearn_tsx.explainers import (
    FeatureOcclusion,
    IntegratedGradients,
    RandomExplainer,
    explain_per_step,
)
from sklearn_tsx.metrics import auprc_score, auroc_score
from sklearn_tsx.models import GRUClassifier
from sklearn_tsx.plotting import plot_saliency

torch.set_num_threads(1)

data = make_state(400, random_state=0)
X_train, y_train = data.data[:300], data.target[:300]
X_test, y_test, truth = data.data[300:320], data.target[300:320], data.saliency[300:320]

model = GRUClassifier(hidden_size=32, sequence_output=True, lr=1e-2, max_epochs=15,
                      random_state=0).fit(X_train, y_train)
print(f"per-step test accuracy: {model.score(X_test, y_test):.2f}")

# %%
# Explain every step of 20 test series
# ------------------------------------
# For the GRU's gradients one forward and one backward pass serve all 200
# steps: each step starts from its true incoming state, held fixed, so an
# input's gradient comes from its own step's output only. Occlusion passes
# each occluded copy once and reads every step's output from it.
explainers = {
    "Integrated Gradients": IntegratedGradients(model),
    "Feature Occlusion": FeatureOcclusion(model, window=1, channel_window=1),
    "Random": RandomExplainer(model, random_state=0),
}
maps = {}
for name, explainer in explainers.items():
    start = time.process_time()
    maps[name] = np.abs(explain_per_step(explainer.fit(X_train), X_test))
    seconds = time.process_time() - start
    print(f"{name:>20}: AUROC {auroc_score(truth, maps[name]):.2f}, "
          f"AUPRC {auprc_score(truth, maps[name]):.2f} "
          f"({seconds / len(X_test):.2f} CPU-s per series)")

# %%
# One series
# ----------
# The salient feature switches with the hidden state; the map follows it.
fig = plot_saliency(maps["Integrated Gradients"][0], X=X_test[0], true_saliency=truth[0],
                    title="Integrated Gradients, per step", figsize=(9, 4.5))
