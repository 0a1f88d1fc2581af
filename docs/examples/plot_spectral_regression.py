"""
MAGNETS on spectra: restarts and per-series scaling
===================================================

In spectroscopy the quantity of interest (here a fat content) lies in small
absorption bands on a baseline whose level, tilt and scale vary from sample to
sample far more than the bands do. MAGNETS sums the values its masks select,
so on raw spectra each sum is mostly baseline, and whether one training finds
the bands depends on the seed. :class:`~sklearn_tsx.models.MagnetsRegressor`
therefore trains three times by default and keeps the training of lowest
validation loss (``n_init=3``). Standardising each spectrum first (the
*standard normal variate* of chemometrics,
``TimeSeriesStandardScaler(per="series")``) takes the baseline's level and
scale away.

We fit single trainings with two seeds, the default best of three, and the
default behind the per-series scaling on spectra of
:func:`~sklearn_tsx.datasets.make_tser_spectral`, beside a ridge on the
flattened spectra, and draw the masks the model learns.
"""

import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.linear_model import RidgeCV
from sklearn.metrics import root_mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tsx.datasets import make_tser_spectral
from sklearn_tsx.models import MagnetsRegressor
from sklearn_tsx.plotting import plot_magnets_masks
from sklearn_tsx.preprocessing import TimeSeriesStandardScaler
from sklearn_tsx.tabular import to_tabular

torch.set_num_threads(1)

# %%
# Spectra with known bands
# ------------------------
# 240 spectra over 850-1050 nm; the target is the fat content in %, and the
# ground-truth mask marks the wavelengths of the two fat bands.
data = make_tser_spectral(n_samples=240, random_state=0)
X_train, X_test = data.data[:172], data.data[172:]
y_train, y_test = data.target[:172], data.target[172:]

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(data.wavelengths, X_train[:8, 0].T, lw=0.8)
ax.fill_between(data.wavelengths, *ax.get_ylim(), where=data.masks[0, 0],
                color="tab:orange", alpha=0.15, label="fat bands")
ax.set(xlabel="wavelength (nm)", ylabel="absorbance")
ax.legend()

# %%
# One training against the best of three, raw and standardised spectra
# ---------------------------------------------------------------------
ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
ridge.fit(to_tabular(X_train), y_train)
ridge_rmse = root_mean_squared_error(y_test, ridge.predict(to_tabular(X_test)))
print(f"{'RidgeCV on the flattened spectra':44s} test RMSE {ridge_rmse:.2f}")
mean_rmse = root_mean_squared_error(y_test, np.full_like(y_test, y_train.mean()))
print(f"{'mean predictor':44s} test RMSE {mean_rmse:.2f}")
models = {
    "one training, random_state=0": MagnetsRegressor(n_init=1, random_state=0),
    "one training, random_state=1": MagnetsRegressor(n_init=1, random_state=1),
    "MagnetsRegressor(random_state=0)": MagnetsRegressor(random_state=0),
    "per-series scaling + MagnetsRegressor": make_pipeline(
        TimeSeriesStandardScaler(per="series"), MagnetsRegressor(random_state=0)
    ),
}
for name, model in models.items():
    model.fit(X_train, y_train)
    rmse = root_mean_squared_error(y_test, model.predict(X_test))
    print(f"{name:44s} test RMSE {rmse:.2f}")
print("validation loss of each of the three trainings:",
      np.round(models["MagnetsRegressor(random_state=0)"].init_losses_, 3))

# %%
# One training with seed 0 stalls far from the bands while seed 1 gets close
# to ROCKET's error on this split (about 3.2). The best of three keeps the
# training of lowest validation loss, which rules out such a stall, though on
# this split it does not pick the training that tests best; over resamples of
# the split it averages about ROCKET's error
# (``python benchmarks/bench_tser_real.py --datasets SpectralMixture``).
# Standardised, the spectra give a steadier model. A ridge on the flattened
# spectra, free to weigh every wavelength, does best here.

# %%
# What the standardised model reads
# ---------------------------------
# The masks of one test spectrum, over the standardised spectrum the pipeline's
# scaler hands the model. After the scaling every spectrum sums to zero, so a
# mask over the fat bands and a mask over everything else carry the same
# information: read the masks as the contrasts they draw, not as a saliency map.
pipeline = models["per-series scaling + MagnetsRegressor"]
plot_magnets_masks(pipeline[-1], pipeline[0].transform(X_test), sample=0)
plt.show()
