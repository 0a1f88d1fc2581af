"""
Quickstart: an interpretable regressor on real data
===================================================

This example fits :class:`~sklearn_tsx.models.MagnetsRegressor` on
**Covid3Month**, a time-series extrinsic regression set that ships with sktime
(nothing is downloaded), compares its held-out error with ROCKET's and with a
mean predictor's, reads what it learned, and explains a black-box network on the
same data. It is what ``python -m sklearn_tsx.quickstart`` runs, step by step.
"""

# %%
# The data
# --------
# 201 countries, each with 84 days of new confirmed COVID-19 cases; the target
# is the country's death rate on 1 April 2020. The loader returns the panel in
# the library's format, ``(n_samples, n_channels, n_timepoints)``, as float32.
import importlib.util

import matplotlib.pyplot as plt
import numpy as np
import torch

from sklearn_tsx.datasets import load_covid3month

torch.set_num_threads(1)  # the batches of these small nets are too small for more

X_train, y_train = load_covid3month(split="train")
X_test, y_test = load_covid3month(split="test")
print(X_train.shape, X_test.shape)

# %%
# An interpretable model
# ----------------------
# MAGNETS learns binary masks over the series (*when*), sums the masked values
# into features (*how much*), maps them through a sparse concept bottleneck and
# adds the concepts up. It is a scikit-learn estimator: defaults, ``fit``,
# ``predict``.
from sklearn.dummy import DummyRegressor
from sklearn.metrics import root_mean_squared_error

from sklearn_tsx.models import MagnetsRegressor

model = MagnetsRegressor(random_state=0).fit(X_train, y_train)
rmse = root_mean_squared_error(y_test, model.predict(X_test))
mean_rmse = root_mean_squared_error(
    y_test, DummyRegressor().fit(X_train, y_train).predict(X_test)
)
print(f"test RMSE, MagnetsRegressor(): {rmse:.5f}")
print(f"test RMSE, mean predictor:     {mean_rmse:.5f}")

# %%
# The strongest peer: ROCKET
# --------------------------
# sktime's ``RocketRegressor`` (random convolution kernels and a ridge
# regression) is the field's default pick for such data. It needs numba; the
# quickstart falls back to a ridge regression on the flattened series.
from sklearn_tsx.quickstart import make_reference_model

name, reference = make_reference_model(
    rocket=importlib.util.find_spec("numba") is not None
)
reference.fit(X_train.astype(np.float64), y_train)
reference_rmse = root_mean_squared_error(
    y_test, reference.predict(X_test.astype(np.float64))
)
print(f"test RMSE, {name}: {reference_rmse:.5f}")

# %%
# What the model learned
# ----------------------
# Each concept is a weighted sum of mask features; each prediction is the bias
# plus the concepts' contributions. :func:`~sklearn_tsx.quickstart.describe_concepts`
# summarises the masks each concept reads; the bottleneck heatmap shows all the
# weights. The head that weighs the concepts is refitted by ridge regression, its
# penalty chosen on the series held out for early stopping: ``head_alpha_ = inf``
# means no concept predicted those series better than the training mean, and
# the model predicts the mean rather than overfit (the signal in these case
# counts is weak; see the README).
from sklearn_tsx.plotting import (
    plot_magnets_bottleneck,
    plot_magnets_contributions,
    plot_magnets_masks,
)
from sklearn_tsx.quickstart import describe_concepts

print(f"head_alpha_ = {model.head_alpha_}")
for line in describe_concepts(model, X_train):
    print(line)
plot_magnets_bottleneck(model)

# %%
# One country's prediction, exactly decomposed
# --------------------------------------------
# The masks of the first test country over its series, and the waterfall from
# the bias to the prediction.
parts = model.explain(X_test[:1])
print(
    f"prediction {model.predict(X_test[:1])[0]:.4f} = bias {float(parts.bias):.4f} + "
    f"contributions {np.round(parts.contributions[0], 4)}"
)
plot_magnets_masks(model, X_test, sample=0)
plot_magnets_contributions(model, X_test, sample=0)

# %%
# A black box, explained after the fact
# -------------------------------------
# A :class:`~sklearn_tsx.models.TCNRegressor` at its defaults, explained by
# :class:`~sklearn_tsx.explainers.IntegratedGradients`: an attribution per day,
# an approximation of the network's reasoning rather than the reasoning itself.
from sklearn_tsx.explainers import IntegratedGradients
from sklearn_tsx.models import TCNRegressor
from sklearn_tsx.plotting import plot_saliency

tcn = TCNRegressor(random_state=0).fit(X_train, y_train)
print(f"test RMSE, TCNRegressor(): {root_mean_squared_error(y_test, tcn.predict(X_test)):.5f}")
saliency = IntegratedGradients(tcn).fit(X_train).explain(X_test[:1])
plot_saliency(saliency[0], X_test[0], absolute=False, title="TCN, integrated gradients")
plt.show()
