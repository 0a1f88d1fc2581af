"""
Interpretable time-series regression with MAGNETS
=================================================

MAGNETS answers three questions about a series: *when* and *how long* (binary
masks learned by a 1-D U-Net) and *how much* (the sum of the masked values). A
sparse linear bottleneck turns these sums into a few concepts, and the
prediction is the bias plus one additive contribution per concept.

We fit it on the univariate threshold set, whose target is the area above a
threshold, compare its masks with the ground truth, and plot the masks, the
bottleneck weights and one prediction's concept contributions.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from sklearn_tsx.datasets import make_tser_univariate_threshold
from sklearn_tsx.explainers import MagnetsExplainer
from sklearn_tsx.models import MagnetsRegressor
from sklearn_tsx.plotting import (
    plot_magnets_bottleneck,
    plot_magnets_contributions,
    plot_magnets_masks,
)

torch.set_num_threads(1)

# %%
# Data with ground-truth masks
# ----------------------------
# Each series is a noisy background with 1 to 3 rectangular events; the target
# is the mean over time of the values above 0.5, and the ground-truth mask is
# where the series is above 0.5.
train = make_tser_univariate_threshold(n_samples=400, n_timepoints=64, random_state=0)
test = make_tser_univariate_threshold(n_samples=100, n_timepoints=64, random_state=1)

# %%
# Fit
# ---
model = MagnetsRegressor(n_masks=2, n_concepts=2, max_epochs=30, random_state=0)
model.fit(train.data, train.target)
rmse = np.sqrt(np.mean((model.predict(test.data) - test.target) ** 2))
print(f"test RMSE: {rmse:.4f} (target std {test.target.std():.4f})")

# %%
# The prediction is exactly the bias plus the concept contributions
parts = model.explain(test.data)
print(np.allclose(parts.contributions.sum(axis=1) + parts.bias,
                  model.predict(test.data), atol=1e-5))

# %%
# Masks against the ground truth
# ------------------------------
# :class:`~sklearn_tsx.explainers.MagnetsExplainer` spreads each feature's share
# of the prediction over the steps its mask selects.
attributions = MagnetsExplainer(model).fit(train.data).explain(test.data)
auroc = roc_auc_score(test.masks.ravel(), np.abs(attributions).ravel())
print(f"mask AUROC against the ground truth: {auroc:.3f}")

# %%
# Plots
# -----
plot_magnets_masks(model, test.data, sample=0)
plot_magnets_bottleneck(model)
plot_magnets_contributions(model, test.data, sample=0)
plt.show()
