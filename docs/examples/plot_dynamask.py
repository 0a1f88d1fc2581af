"""
Dynamask and ExtremalMask on a white-box regressor
==================================================

A white box reads only a few (feature, time) entries of its input: the sum of
their squares at every time step. Dynamask fits, for each series, one mask per
area of a grid, all at once, and keeps the one whose perturbed prediction stays
closest to the original; ExtremalMask learns its perturbation (a small
bidirectional GRU) together with the mask. Both are scored against the true
salient set.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_tsx.datasets import WhiteBoxRegressor, make_arma
from sklearn_tsx.explainers import Dynamask, ExtremalMask, gaussian_blur
from sklearn_tsx.metrics import aup_score, aur_score, auroc_score

torch.set_num_threads(1)

# %%
# A white box on ARMA inputs: 3 of 10 features are salient over times 8..15.
X = make_arma(3, 10, 24, random_state=0)
salient = np.zeros((10, 24), dtype=bool)
salient[[2, 6, 8], 8:16] = True
model = WhiteBoxRegressor(salient)
truth = np.broadcast_to(salient, X.shape)

# %%
# The Gaussian-blur perturbation: where the mask is 1 the input is kept, where it
# is 0 the series is blurred with a Gaussian of width ``sigma_max``.
x = torch.from_numpy(X[:1])
half = torch.ones_like(x)
half[..., 12:] = 0.0
blurred = gaussian_blur(x, half, sigma_max=2.0)
fig, ax = plt.subplots(figsize=(7, 2.5))
ax.plot(x[0, 0], label="input")
ax.plot(blurred[0, 0], label="mask 1 until t=11, then 0")
ax.legend()
ax.set_xlabel("time")

# %%
# Dynamask: a grid of areas, all samples and areas optimised as one batch.
dynamask = Dynamask(model, area=[0.05, 0.1, 0.15], sigma_max=2.0, max_epochs=200,
                    lr=0.2, size_reg_init=1.0, size_reg_dilation=100.0)
S_dyn = dynamask.fit(X).explain(X)
print("errors per area (rows: series):\n", dynamask.errors_.round(3))
print("selected area per series:", dynamask.areas_[dynamask.selected_])

# %%
# ExtremalMask: mask and perturbation network learned together.
extremal = ExtremalMask(model, max_epochs=120, lr=0.05, lambda_1=0.1,
                        random_state=0)
S_ext = extremal.fit(X).explain(X)

for name, S in [("Dynamask", S_dyn), ("ExtremalMask", S_ext)]:
    print(f"{name:12s} AUP {aup_score(truth, S, normalize=False):.2f} "
          f"AUR {aur_score(truth, S, normalize=False):.2f} "
          f"AUROC {auroc_score(truth, S, normalize=False):.2f}")

# %%
# The masks of the first series beside the truth.
fig, axes = plt.subplots(1, 3, figsize=(10, 3), sharey=True)
for ax, (title, image) in zip(
    axes, [("true salient set", salient), ("Dynamask", S_dyn[0]),
           ("ExtremalMask", S_ext[0])]
):
    ax.imshow(image, aspect="auto", vmin=0, vmax=1, cmap="viridis")
    ax.set_title(title)
    ax.set_xlabel("time")
axes[0].set_ylabel("feature")
plt.tight_layout()
plt.show()
