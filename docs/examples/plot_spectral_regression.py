"""
MAGNETS on spectra: seeds and per-series scaling
=================================================

In spectroscopy the quantity of interest (here a fat content) lies in small
absorption bands on a baseline whose level, tilt and scale vary from sample to
sample far more than the bands do. MAGNETS sums the values its masks select,
so on raw spectra each sum is mostly baseline, and whether training finds the
bands depends on the seed. Standardising each spectrum first (the *standard
normal variate* of chemometrics, ``TimeSeriesStandardScaler(per="series")``)
takes the baseline's level and scale away.

We fit :class:`~sklearn_tsx.models.MagnetsRegressor` with two seeds on raw and
on standardised spectra of :func:`~sklearn_tsx.datasets.make_tser_spectral`,
beside a ridge on the flattened spectra, and draw the masks it learns.
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
# Raw against standardised spectra, two seeds each
# ------------------------------------------------
ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
ridge.fit(to_tabular(X_train), y_train)
ridge_rmse = root_mean_squared_error(y_test, ridge.predict(to_tabular(X_test)))
print(f"{'RidgeCV on the flattened spectra':44s} test RMSE {ridge_rmse:.2f}")
mean_rmse = root_mean_squared_error(y_test, np.full_like(y_test, y_train.mean()))
print(f"{'mean predictor':44s} test RMSE {mean_rmse:.2f}")
models = {}
for seed in (0, 1):
    models[f"MagnetsRegressor(random_state={seed})"] = MagnetsRegressor(random_state=seed)
    models[f"per-series scaling + MagnetsRegressor({seed})"] = make_pipeline(
        TimeSeriesStandardScaler(per="series"), MagnetsRegressor(random_state=seed)
    )
for name, model in models.items():
    model.fit(X_train, y_train)
    rmse = root_mean_squared_error(y_test, model.predict(X_test))
    print(f"{name:44s} test RMSE {rmse:.2f}")

# %%
# On raw spectra one seed's training stalls far from the bands while the
# other gets close to ROCKET's error on this set (about 3.2); standardised,
# both seeds land near 3.5 to 3.7: steadier, not better on average. On data
# like this, fit a few seeds (or cross-validate) before trusting one model. A
# ridge on the flattened spectra, free to weigh every wavelength, does best
# here: ``python benchmarks/bench_tser_real.py --datasets SpectralMixture``
# sets these models beside ROCKET and the nets over several splits.

# %%
# What the standardised model reads
# ---------------------------------
# The masks of one test spectrum, over the standardised spectrum the pipeline's
# scaler hands the model. After the scaling every spectrum sums to zero, so a
# mask over the fat bands and a mask over everything else carry the same
# information: read the masks as the contrasts they draw, not as a saliency map.
pipeline = models["per-series scaling + MagnetsRegressor(0)"]
plot_magnets_masks(pipeline[-1], pipeline[0].transform(X_test), sample=0)
plt.show()
