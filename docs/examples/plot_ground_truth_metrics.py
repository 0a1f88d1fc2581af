"""
Scoring a saliency map against the truth
========================================

The rare-feature experiment of Dynamask: a white-box regressor reads 5 of 50
ARMA features, at the times 12..36 only. Because the salient set is known, any
explainer can be scored against it. Here ContraLSP explains the white box (with
one salient set shared by all series, as in the ContraLSP paper), and we score
its masks and a random map with AUP, AUR, mask information and entropy, AUROC
and AUPRC. AUP and AUR are shown under the exact integral (the definition) and
under the two pairings of the reference codes, which paper tables used.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_tsx.datasets import make_rare_feature
from sklearn_tsx.explainers import ContraLSP
from sklearn_tsx.metrics import (
    aup_score,
    auprc_score,
    aur_score,
    auroc_score,
    mask_entropy,
    mask_information,
)

torch.set_num_threads(1)

# %%
# The data and its white box
# --------------------------
data = make_rare_feature(n_samples=20, shared_salient_set=True, random_state=0)
print("panel:", data.data.shape, "salient entries per series:", data.saliency[0].sum())
white_box = data.model.select(0)  # the shared set: a white box for any batch

# %%
# Explain, and score
# ------------------
explainer = ContraLSP(white_box, alpha=0.1, beta=0.1, sigma=0.5, lr=0.1, max_epochs=200,
                      random_state=0).fit(data.data)
masks = explainer.explain(data.data)
random_map = np.random.default_rng(0).random(data.data.shape)

print(f"{'':10}{'AUP':>6}{'AUR':>6}{'AUP dm':>8}{'AUR dm':>8}{'AUP ti':>8}{'AUR ti':>8}"
      f"{'I':>9}{'S':>8}{'AUROC':>7}{'AUPRC':>7}")
for name, saliency in (("ContraLSP", masks), ("random", random_map)):
    truth = data.saliency
    print(
        f"{name:10}"
        f"{aup_score(truth, saliency):6.2f}{aur_score(truth, saliency):6.2f}"
        f"{aup_score(truth, saliency, convention='dynamask'):8.2f}"
        f"{aur_score(truth, saliency, convention='dynamask'):8.2f}"
        f"{aup_score(truth, saliency, convention='time_interpret'):8.2f}"
        f"{aur_score(truth, saliency, convention='time_interpret'):8.2f}"
        f"{mask_information(truth, saliency):9.0f}{mask_entropy(truth, saliency):8.0f}"
        f"{auroc_score(truth, saliency):7.2f}{auprc_score(truth, saliency):7.2f}"
    )

# %%
# The truth and the mask of one series
# ------------------------------------
fig, axes = plt.subplots(1, 2, figsize=(9, 4), sharey=True)
for ax, image, title in zip(axes, (data.saliency[0], masks[0]),
                            ("true salient set", "ContraLSP mask")):
    ax.imshow(image, aspect="auto", cmap="viridis", vmin=0, vmax=1)
    ax.set_title(title)
    ax.set_xlabel("time")
axes[0].set_ylabel("feature")
fig.tight_layout()
plt.show()
