"""
Dynamask and ExtremalMask on a white-box regressor
==================================================

A white box reads only a few (feature, time) entries of its input: the sum of
their squares at every time step. Dynamask fits, for each series, one mask per
area of a grid, all at once, and keeps the one whose perturbed prediction stays
closest to the original; ExtremalMask learns its perturbation (a small
bidirectional GRU) together with the mask. Both are scored against the true
salient set, and so is Dynamask run as the ContraLSP paper ran it, whose masks
stay far from binary.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_tsx.datasets import WhiteBoxRegressor, make_arma
from sklearn_tsx.explainers import Dynamask, ExtremalMask, gaussian_blur
from sklearn_tsx.metrics import aup_score, aur_score, auroc_score, mask_entropy

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

# %%
# The optimiser and the regulariser's schedule decide how sharp Dynamask's masks
# get. The ContraLSP paper ran it with Adam for 200 epochs under a weak area
# regulariser (``size_reg_init=0.01``) and took the extremal mask at an error of
# 0.01: its masks stay far from 0 and 1, which the mask entropy over the salient
# set measures (lower is sharper), and they rank the entries differently (AUROC).
dynamask_adam = Dynamask(model, area=[0.05, 0.1, 0.15], sigma_max=2.0, max_epochs=200,
                         optimizer="adam", lr=0.1, size_reg_init=0.01,
                         size_reg_dilation=1000.0, time_reg=0.01, selection="extremal",
                         epsilon=0.01)
S_adam = dynamask_adam.fit(X).explain(X)

methods = [("Dynamask", S_dyn), ("ExtremalMask", S_ext), ("Dynamask (Adam)", S_adam)]
for name, S in methods:
    print(f"{name:15s} AUP {aup_score(truth, S, normalize=False):.2f} "
          f"AUR {aur_score(truth, S, normalize=False):.2f} "
          f"AUROC {auroc_score(truth, S, normalize=False):.2f} "
          f"entropy {mask_entropy(truth, S, normalize=False):.1f}")

# %%
# The masks of the first series beside the truth.
fig, axes = plt.subplots(1, 4, figsize=(12, 3), sharey=True)
for ax, (title, image) in zip(
    axes, [("true salient set", salient)] + [(name, S[0]) for name, S in methods]
):
    ax.imshow(image, aspect="auto", vmin=0, vmax=1, cmap="viridis")
    ax.set_title(title)
    ax.set_xlabel("time")
axes[0].set_ylabel("feature")
plt.tight_layout()
plt.show()
