"""
Explaining with contrastive, locally sparse perturbations (ContraLSP)
=====================================================================

ContraLSP learns, for every series, a sparse gate over its entries: the entries
it keeps must preserve the model's output when the rest is replaced by a learned
counterfactual perturbation. A triplet contrastive loss pushes the perturbation
of each series towards the other series of its batch, so the replaced entries
carry no information about the series itself.

Here a white-box regressor reads a small salient set of a rare-time panel. We fit
ContraLSP on some series, explain new ones with the learned networks frozen,
score the masks against the truth, and let ``GridSearchCV`` pick the sparsity
weight ``alpha`` with a ground-truth scorer.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.model_selection import GridSearchCV

from sklearn_tsx.datasets import make_rare_time
from sklearn_tsx.explainers import ContraLSP
from sklearn_tsx.metrics import aup_score, aur_score, make_explanation_scorer

torch.set_num_threads(1)

# %%
# A rare-time white box
# ---------------------
# 20 features, 20 time steps; 2 consecutive salient times on features 5..14,
# shared by all series. The white box outputs, at each step, the sum of squares
# of the salient entries.
data = make_rare_time(n_samples=48, n_features=20, n_timepoints=20,
                      shared_salient_set=True, random_state=0)
model = data.model.select(0)
X_fit, X_new = data.data[:32], data.data[32:]
truth_fit, truth_new = data.saliency[:32], data.saliency[32:]

# %%
# Fit on some series, explain new ones
# ------------------------------------
explainer = ContraLSP(model, alpha=0.1, beta=0.1, lr=0.1, max_epochs=100, random_state=0)
explainer.fit(X_fit)
masks_fit = explainer.explain(X_fit)  # the masks learned in fit
masks_new = explainer.explain(X_new)  # new gates, networks frozen
for name, truth, masks in (("fitted", truth_fit, masks_fit), ("new", truth_new, masks_new)):
    print(f"{name:>6} series: AUP {aup_score(truth, masks):.3f}  "
          f"AUR {aur_score(truth, masks):.3f}")

fig, axes = plt.subplots(1, 3, figsize=(10, 3.2), sharey=True)
for ax, image, title in zip(
    axes, (truth_new[0], masks_new[0], X_new[0]),
    ("true salient set", "ContraLSP mask (new series)", "the series"),
):
    ax.imshow(image, aspect="auto", cmap="viridis" if title != "the series" else "coolwarm")
    ax.set_title(title)
    ax.set_xlabel("time")
axes[0].set_ylabel("feature")
fig.tight_layout()

# %%
# Learning curve
# --------------
plt.figure(figsize=(5, 3))
plt.plot(explainer.loss_curve_)
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("training loss")
plt.tight_layout()

# %%
# Tuning alpha by cross-validation
# --------------------------------
# Explainers are estimators: ``GridSearchCV`` fits ContraLSP on the training
# folds and scores the masks of the held-out fold against the true saliency,
# passed as ``y``. (A fitted sklearn_tsx model would be wrapped in
# ``sklearn.frozen.FrozenEstimator`` so that clones keep it fitted.)
search = GridSearchCV(
    ContraLSP(model, max_epochs=60, random_state=0),
    {"alpha": [0.01, 0.1, 10.0]},
    scoring=make_explanation_scorer("aur"),
    cv=2,
)
search.fit(data.data, data.saliency)
print("cross-validated AUR per alpha:",
      dict(zip([p["alpha"] for p in search.cv_results_["params"]],
               np.round(search.cv_results_["mean_test_score"], 3))))
print("chosen:", search.best_params_)
plt.show()
