"""
Saliency-weighted precision and recall on the Ismail et al. benchmark
=====================================================================

Ismail et al. (2020) showed that gradient saliency on multivariate time series
finds the informative *time points* but smears importance over all channels at
those times, and proposed Temporal Saliency Rescaling (TSR) to separate time
relevance from channel relevance. This example draws the Middle Box dataset (a
30 x 30 box of +/-1 over Gaussian noise, the sign giving the label), trains a
small TCN shaped like the authors' (dilated causal convolutions, max-pooled over
time) as a plain skorch net, explains it with the plain gradient and with TSR
on top of the gradient, and scores both against the box with the
saliency-weighted precision and recall of the paper.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.preprocessing import MinMaxScaler
from skorch import NeuralNetClassifier
from torch import nn

from sklearn_tsx.datasets import make_ismail_dataset
from sklearn_tsx.explainers import Saliency, TemporalSaliencyRescaling
from sklearn_tsx.metrics import (
    weighted_precision_recall_areas,
    weighted_precision_recall_curve,
)

torch.set_num_threads(1)

# %%
# Data and model
# --------------
# 400 training and 20 test series of 50 channels x 50 time points, min-max
# scaled with a scaler fitted on the training part, as the authors do.
X, y, truth = make_ismail_dataset(420, geometry="middle", random_state=0)
scaler = MinMaxScaler().fit(X[:400].reshape(400, -1))
X = scaler.transform(X.reshape(len(X), -1)).reshape(X.shape).astype(np.float32)
X_train, y_train, X_test, y_test, truth_test = X[:400], y[:400], X[400:], y[400:], truth[400:]



class CausalBlock(nn.Module):
    def __init__(self, n_in, n_out, dilation, kernel_size=4):
        super().__init__()
        self.pad = (kernel_size - 1) * dilation
        self.conv1 = nn.Conv1d(n_in, n_out, kernel_size, dilation=dilation)
        self.conv2 = nn.Conv1d(n_out, n_out, kernel_size, dilation=dilation)
        self.residual = nn.Conv1d(n_in, n_out, 1)

    def forward(self, x):
        h = torch.relu(self.conv1(nn.functional.pad(x, (self.pad, 0))))
        h = torch.relu(self.conv2(nn.functional.pad(h, (self.pad, 0))))
        return torch.relu(h + self.residual(x))


class PooledTCN(nn.Module):
    """Three causal blocks (widths 5, 5, 50), max over time, linear logits."""

    def __init__(self):
        super().__init__()
        self.blocks = nn.Sequential(CausalBlock(50, 5, 1), CausalBlock(5, 5, 2),
                                    CausalBlock(5, 50, 4))
        self.fc = nn.Linear(50, 2)

    def forward(self, x):
        return self.fc(self.blocks(x).amax(dim=-1))


torch.manual_seed(0)
model = NeuralNetClassifier(PooledTCN, criterion=nn.CrossEntropyLoss,
                            optimizer=torch.optim.Adam, lr=1e-3, batch_size=50,
                            max_epochs=8, train_split=None,
                            iterator_train__shuffle=True, verbose=0)
model.fit(X_train, y_train)
print(f"test accuracy: {np.mean(model.predict(X_test) == y_test):.2f}")

# %%
# Grad and TSR + Grad
# -------------------
grad = Saliency(model).fit(X_train)
tsr = TemporalSaliencyRescaling(Saliency(model)).fit(X_train)
saliency = {
    "Grad": grad.explain(X_test, target=y_test),
    "TSR + Grad": tsr.explain(X_test, target=y_test),
}

fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), sharey=True)
panels = [("ground truth", truth_test[0])] + [(k, np.abs(v[0])) for k, v in saliency.items()]
for ax, (title, image) in zip(axes, panels):
    ax.imshow(image, aspect="auto", cmap="gray_r")
    ax.set_title(title)
    ax.set_xlabel("time")
axes[0].set_ylabel("channel")
fig.tight_layout()

# %%
# Weighted precision and recall
# -----------------------------
# At each level p the most salient cells holding p % of a sample's saliency
# are selected; precision and recall weigh each cell by its saliency.
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
for name, S in saliency.items():
    precision, recall, p = weighted_precision_recall_curve(truth_test, S)
    axes[0].plot(p, precision, marker="o", label=name)
    axes[1].plot(p, recall, marker="o", label=name)
    areas = weighted_precision_recall_areas(truth_test, S)
    print(f"{name:<11} AUPR {areas['aupr']:.3f}  AUP {areas['aup']:.3f}  "
          f"AUR {areas['aur']:.3f}")
base_rate = truth_test.mean()
axes[0].axhline(base_rate, color="gray", ls=":", label="random ranking")
axes[0].set(xlabel="saliency mass selected (%)", ylabel="weighted precision")
axes[1].set(xlabel="saliency mass selected (%)", ylabel="weighted recall")
axes[0].legend()
fig.tight_layout()
plt.show()
