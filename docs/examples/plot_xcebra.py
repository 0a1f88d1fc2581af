"""
==============================================================
Attribution maps of a recording with xCEBRA
==============================================================

A synthetic recording mixes two behaviour latents (observed as ``y``) and two
latents that only evolve smoothly in time, each channel depending on a sparse
subset of them. :class:`~sklearn_tsx.models.XCEBRA` learns an embedding whose
first latents are supervised by the behaviour and the rest by time, with the
Jacobian regularizer switched on during training. The Inverted Neuron Gradient
then estimates which channel depends on which latent; we plot it beside the
ground truth and the plain neuron gradient.

Latents are identified only up to their scale (and, within the behaviour and
time groups, up to a linear mixing), so each latent's row is scaled to a
maximum of 1.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.metrics import roc_auc_score

from sklearn_tsx.datasets import make_xcebra_recording
from sklearn_tsx.models import XCEBRA

torch.set_num_threads(1)

X, y, true_map = make_xcebra_recording(1500, 16, random_state=0)
print(f"recording {X.shape}, behaviour {y.shape}, ground-truth map {true_map.shape}")

# %%
# Fit the regularized model. A real recording deserves far more iterations.
# The InfoNCE temperature sets the scale of the embedding: these latents move
# slowly (AR(1) coefficient 0.99), so at the default temperature of 1 the
# embedding would need values near 5, the clip of the default architecture,
# and ``fit`` would warn; 0.1 keeps it well inside.
model = XCEBRA(
    n_latents=4,
    n_behavior_latents=2,
    jacobian_reg_weight=0.1,
    max_iterations=250,
    batch_size=256,
    learning_rate=3e-3,
    temperature=0.1,
    random_state=0,
).fit(X, y)
embedding = model.transform(X)
print(f"embedding {embedding.shape}, saturated values {model.saturation_:.1%}")

# %%
# Attribution maps, averaged over the first 500 time steps.


def scaled(attribution_map):
    return attribution_map / attribution_map.max(axis=1, keepdims=True)


maps = {
    "ground truth": true_map.astype(float),
    "inverted neuron gradient": scaled(model.explain(X[:500])),
    "neuron gradient": scaled(model.explain(X[:500], method="neuron-gradient")),
}
fig, axes = plt.subplots(len(maps), 1, figsize=(7, 5), sharex=True)
for ax, (title, values) in zip(axes, maps.items()):
    ax.imshow(values, aspect="auto", cmap="viridis", vmin=0, vmax=1)
    if title != "ground truth":
        title += f" (ROC AUC {roc_auc_score(true_map.ravel(), values.ravel()):.2f})"
    ax.set_title(title, fontsize=9)
    ax.set_ylabel("latent")
    ax.set_yticks(np.arange(true_map.shape[0]))
axes[-1].set_xlabel("channel")
fig.tight_layout()
plt.show()
