"""
Quickstart: a temporal convolutional network on real data
==========================================================

This example fits a time-series network on **Covid3Month**, a time-series
extrinsic regression set that ships with sktime (nothing is downloaded), and
compares its held-out error with a predictor that always answers the training
mean. It is what ``python -m sklearn_tsx.quickstart`` runs, step by step.
"""

# %%
# The data
# --------
# 201 countries, each with 84 days of confirmed COVID-19 cases; the target is
# the country's death rate on 1 April 2020. The loader returns the panel in
# the library's format, ``(n_samples, n_channels, n_timepoints)``, as float32.
import time

import matplotlib.pyplot as plt
import torch

from sklearn_tsx.datasets import load_covid3month

torch.set_num_threads(1)  # the batches of this small net are too small for more

X_train, y_train = load_covid3month(split="train")
X_test, y_test = load_covid3month(split="test")
print(X_train.shape, X_test.shape)
print(f"daily cases range from {X_train.min():.0f} to {X_train.max():.0f}")

# %%
# The daily counts span five orders of magnitude and follow a weekly reporting
# cycle, so the pipeline first takes weekly means of their logarithm
# (:func:`~sklearn_tsx.quickstart.weekly_log_counts`: 84 days become 12 weeks),
# then standardises the channel with
# :class:`~sklearn_tsx.preprocessing.TimeSeriesStandardScaler` (one mean and
# one standard deviation, learned on the training series).
from sklearn_tsx.quickstart import weekly_log_counts

fig, axes = plt.subplots(1, 2, figsize=(9, 3))
for series, weekly in zip(X_train[:20, 0], weekly_log_counts(X_train[:20])[:, 0]):
    axes[0].plot(series, lw=0.8)
    axes[1].plot(weekly, lw=0.8)
axes[0].set(title="daily confirmed cases", xlabel="day")
axes[1].set(title="weekly mean of log1p(daily cases)", xlabel="week")
fig.tight_layout()

# %%
# The model
# ---------
# A :class:`~sklearn_tsx.models.TCNRegressor` (dilated causal convolutions)
# reads the 12 weeks and max-pools its features over them before the linear
# read-out. It is a scikit-learn estimator, so it sits at the end of a
# :class:`~sklearn.pipeline.Pipeline`. Its settings were chosen by repeated
# 4-fold cross-validation on the training series only.
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from sklearn_tsx.models import TCNRegressor
from sklearn_tsx.preprocessing import TimeSeriesStandardScaler

model = make_pipeline(
    FunctionTransformer(weekly_log_counts),
    TimeSeriesStandardScaler(),
    TCNRegressor(
        hidden_size=16,
        num_layers=2,
        pooling="max",
        max_epochs=30,
        batch_size=32,
        lr=1e-3,
        weight_decay=1e-2,
        random_state=0,
    ),
)
start = time.perf_counter()
model.fit(X_train, y_train)
print(f"fitted in {time.perf_counter() - start:.1f} s")

# %%
# Held-out error against a mean predictor
# ---------------------------------------
# :class:`~sklearn.dummy.DummyRegressor` predicts the mean death rate of the
# training countries for every test country. The test series are used only
# here.
from sklearn.dummy import DummyRegressor
from sklearn.metrics import root_mean_squared_error

baseline = DummyRegressor().fit(X_train[:, 0], y_train)
y_pred = model.predict(X_test)
rmse = root_mean_squared_error(y_test, y_pred)
baseline_rmse = root_mean_squared_error(y_test, baseline.predict(X_test[:, 0]))
print(f"test RMSE, TCN regressor:  {rmse:.5f}")
print(f"test RMSE, mean predictor: {baseline_rmse:.5f}")

# %%
# Predictions against the truth
# -----------------------------
# Points on the diagonal are perfect predictions; the dashed line is the mean
# predictor. The signal in 84 days of case counts is weak: the network's
# predictions vary much less than the true death rates, and its test RMSE is a
# few per cent below the mean predictor's (see the printed figures above; in
# cross-validation on the training series the margin was 1.4 to 2.5 %).
fig, ax = plt.subplots(figsize=(4.5, 4.5))
ax.scatter(y_test, y_pred, s=15, label="TCN regressor")
ax.axhline(y_train.mean(), ls="--", c="k", lw=1, label="mean predictor")
lim = [0, max(y_test.max(), y_pred.max()) * 1.05]
ax.plot(lim, lim, c="grey", lw=0.8)
ax.set(xlim=lim, ylim=lim, xlabel="true death rate", ylabel="predicted death rate")
ax.legend()
fig.tight_layout()
