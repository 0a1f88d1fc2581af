"""
Faithfulness without ground truth: top-k substitution on BasicMotions
=====================================================================

Real data come without true saliency maps. Faithfulness metrics rate an
attribution by what the model does when the entries it ranks highest are
replaced: if they really drove the prediction, substituting the top 10 %, 20 %,
... should flip it (low accuracy, high comprehensiveness), while substituting
the least salient ones should leave it alone (low sufficiency). Here a GRU
classifies the BasicMotions recordings that ship with sktime, and Integrated
Gradients, Feature Occlusion and ExtremalMask are compared with random
attributions, and ContraLSP's sparsity weight is chosen by cross-validation with
a faithfulness scorer, on the training series alone.
"""

# %%
# Data and model
# --------------
# 6 channels (accelerometer and gyroscope) x 100 steps, 4 activities, 40 series
# to train and 40 to explain; channels standardised with training statistics.
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, KFold
from sktime.datasets import load_basic_motions

from sklearn_tsx.explainers import (
    ContraLSP,
    ExtremalMask,
    FeatureOcclusion,
    IntegratedGradients,
    RandomExplainer,
)
from sklearn_tsx.metrics import faithfulness_curves, make_explanation_scorer
from sklearn_tsx.models import GRUClassifier

torch.set_num_threads(1)

X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
mean = X_train.mean(axis=(0, 2), keepdims=True)
std = X_train.std(axis=(0, 2), keepdims=True)
X_train = ((X_train - mean) / std).astype(np.float32)
X_test = ((X_test - mean) / std).astype(np.float32)

# 40 training series are too few to hold out an early-stopping validation
# split (4 series): the GRU trains for a fixed 40 epochs instead.
model = GRUClassifier(hidden_size=32, lr=1e-2, max_epochs=40, batch_size=16,
                      early_stopping=False, random_state=0).fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.2f}")

# %%
# Explain every test series
# -------------------------
# Gradients and occlusion explain the predicted class; they are signed, and
# their magnitude ranks the entries. ExtremalMask learns a mask in [0, 1] per
# series that keeps the whole prediction.
explainers = {
    "Integrated Gradients": IntegratedGradients(model),
    "Feature Occlusion": FeatureOcclusion(model, window=5),
    "ExtremalMask": ExtremalMask(model, max_epochs=200, random_state=0),
    "Random": RandomExplainer(model, random_state=0),
}
maps = {name: np.abs(e.fit(X_train, y_train).explain(X_test))
        for name, e in explainers.items()}

# %%
# Substitute the top-k entries
# ----------------------------
# Each series' top k % entries are replaced by its own average over time of the
# channel. Masks hold many entries of exactly equal value; such ties are ranked
# in random order (``random_state``), never by position.
fractions = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
curves = {name: faithfulness_curves(model, X_test, saliency, fractions=fractions,
                                    random_state=0)
          for name, saliency in maps.items()}
for name, values in curves.items():
    print(f"{name:>20}: at 20 %, accuracy {values['accuracy'][1]:.2f}, "
          f"comprehensiveness {values['comprehensiveness'][1]:.3f}, "
          f"sufficiency {values['sufficiency'][1]:.3f}")

# %%
# The curves
# ----------
# Lower accuracy and higher comprehensiveness mean the ranking found the
# entries the model relies on; random attributions are the floor.
fig, axes = plt.subplots(1, 3, figsize=(11, 3.5), constrained_layout=True)
for ax, metric, better in zip(axes, ("accuracy", "comprehensiveness", "sufficiency"),
                              ("lower", "higher", "lower")):
    for name, values in curves.items():
        ax.plot(np.asarray(fractions) * 100, values[metric], marker="o", label=name)
    ax.set_title(f"{metric} ({better} is better)")
    ax.set_xlabel("entries substituted (%)")
axes[0].legend(fontsize=8)

# %%
# Tuning an explainer without ground truth
# ----------------------------------------
# Faithfulness scorers need no true saliency (``y=None``), so ``GridSearchCV``
# can choose an explainer's parameters on the training series: here ContraLSP's
# sparsity weight ``alpha``, by comprehensiveness at 20 % on held-out folds.
# The fitted model is wrapped in ``FrozenEstimator`` so that every clone of the
# explainer explains it as it is. The test series are explained only once the
# choice is made. (A small grid and few epochs to keep this page quick;
# ``benchmarks/bench_faithfulness.py`` tunes over eight values of ``alpha``.)
search = GridSearchCV(
    ContraLSP(FrozenEstimator(model), max_epochs=50, random_state=0),
    {"alpha": [0.005, 0.5]},
    scoring=make_explanation_scorer("comprehensiveness", random_state=0),
    cv=KFold(2, shuffle=True, random_state=0),
)
search.fit(X_train)
for alpha, score in zip(search.cv_results_["param_alpha"],
                        search.cv_results_["mean_test_score"]):
    print(f"alpha {alpha:<5}: cross-validated comprehensiveness {score:.3f}")
tuned = faithfulness_curves(model, X_test, search.best_estimator_.explain(X_test),
                            fractions=0.2, random_state=0)
print(f"chosen alpha {search.best_params_['alpha']}: on the test series, accuracy "
      f"{tuned['accuracy'][0]:.2f}, comprehensiveness {tuned['comprehensiveness'][0]:.3f}")
plt.show()
