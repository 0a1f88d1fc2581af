"""
Comparing saliency methods, with and without TSR
================================================

Fit a small temporal convolutional network on a synthetic benchmark series
whose informative entries are known (the Middle Box of Ismail et al. 2020),
explain one test series with a gradient method, a perturbation method and
Augmented Feature Occlusion, then rescale the gradient with Temporal Saliency
Rescaling, and draw each map with :func:`~sklearn_tsx.plotting.plot_saliency`
beside the ground truth.
"""

# %%
# Data and model
# --------------
# 300 training series of 20 channels x 30 time points; the label shifts the
# values inside the box. Scaled to [0, 1] with a scaler fitted on the training
# part.
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.preprocessing import MinMaxScaler

from sklearn_tsx.datasets import make_ismail_dataset
from sklearn_tsx.explainers import (
    AugmentedFeatureOcclusion,
    FeatureOcclusion,
    Saliency,
    TemporalSaliencyRescaling,
)
from sklearn_tsx.models import TCNClassifier
from sklearn_tsx.plotting import plot_saliency

torch.set_num_threads(1)

X, y, truth = make_ismail_dataset(320, geometry="middle", n_channels=20, n_timepoints=30,
                                  random_state=0)
scaler = MinMaxScaler().fit(X[:300].reshape(300, -1))
X = scaler.transform(X.reshape(len(X), -1)).reshape(X.shape).astype(np.float32)
X_train, y_train, X_test, y_test = X[:300], y[:300], X[300:], y[300:]

model = TCNClassifier(hidden_size=8, num_layers=3, kernel_size=4, lr=1e-2, max_epochs=4,
                      random_state=0).fit(X_train, y_train)
print(f"test accuracy: {np.mean(model.predict(X_test) == y_test):.2f}")

# %%
# Explain one series
# ------------------
# Every explainer is fitted on the training panel (AFO learns there the
# values it occludes with) and explains the true class.
explainers = {
    "Grad": Saliency(model),
    "Feature Occlusion": FeatureOcclusion(model, window=2),
    "AFO": AugmentedFeatureOcclusion(model, n_samples=5, random_state=0),
    "TSR + Grad": TemporalSaliencyRescaling(Saliency(model)),
}
sample = X_test[:1]
maps = {name: e.fit(X_train).explain(sample, target=y_test[:1])[0]
        for name, e in explainers.items()}

# %%
# Gradient alone
# --------------
fig = plot_saliency(maps["Grad"], X=sample[0], true_saliency=truth[300], title="Grad")

# %%
# TSR + Grad
# ----------
# TSR first scores each time step by how much masking it changes the gradient
# map, then scores the channels inside the relevant steps only.
fig = plot_saliency(maps["TSR + Grad"], true_saliency=truth[300], title="TSR + Grad")

# %%
# All methods side by side
# ------------------------
# Each map rescaled to [0, 1]. The share of saliency mass that falls inside
# the box is printed for each.
fig, axes = plt.subplots(1, len(maps), figsize=(3.2 * len(maps), 3), sharey=True,
                         layout="constrained")
for ax, (name, values) in zip(axes, maps.items()):
    values = np.abs(values)
    ax.imshow(values / values.max(), aspect="auto", cmap="viridis")
    ax.set_title(name)
    ax.set_xlabel("time")
    inside = values[truth[300] > 0].sum() / values.sum()
    print(f"{name:>18}: {inside:.0%} of the saliency mass inside the box "
          f"(the box is {truth[300].mean():.0%} of the entries)")
axes[0].set_ylabel("channel")
plt.show()
