"""
Keep or delete? Choosing Dynamask's game on real data
=====================================================

A preservation mask (Dynamask's default) finds the fewest entries that, kept,
*suffice* for the prediction; a deletion mask finds the entries whose removal
*changes* it. When a series holds its evidence more than once, the two differ:
keeping one copy suffices, but deleting it changes nothing. Which one a user
wants depends on the question, and on real data the answer can be measured.
Here a ``TCNClassifier`` classifies ItalyPowerDemand (24 hourly readings of a
day's electricity demand, winter or summer, shipped with sktime), and the mode
is chosen by cross-validated comprehensiveness on the training days alone,
then both maps are compared with occlusion and random maps on the test days.
"""

# %%
# Data and model
# --------------
# 67 training days, 1029 test days; the net standardises its input itself.
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, KFold
from sktime.datasets import load_italy_power_demand

from sklearn_tsx.explainers import Dynamask, FeatureOcclusion, RandomExplainer
from sklearn_tsx.metrics import faithfulness_curves, make_explanation_scorer
from sklearn_tsx.models import TCNClassifier

torch.set_num_threads(1)

X_train, y_train = load_italy_power_demand(split="train", return_type="numpy3D")
X_test, y_test = load_italy_power_demand(split="test", return_type="numpy3D")
X_train, X_test = X_train.astype(np.float32), X_test.astype(np.float32)
model = TCNClassifier(random_state=0).fit(X_train, y_train)
print(f"test accuracy: {model.score(X_test, y_test):.3f}")

# %%
# Choose the mode on the training days
# ------------------------------------
# A faithfulness scorer needs no true saliency, so ``GridSearchCV`` can pick
# the mode that best finds the entries the prediction needs (comprehensiveness
# at 20 % of the entries substituted by the day's mean), on held-out folds of
# the training days. ``FrozenEstimator`` keeps the fitted model as it is in
# every clone of the explainer.
search = GridSearchCV(
    Dynamask(FrozenEstimator(model), random_state=0),
    {"mode": ["preservation", "deletion"]},
    scoring=make_explanation_scorer("comprehensiveness", random_state=0),
    cv=KFold(2, shuffle=True, random_state=0),
)
search.fit(X_train)
for mode, score in zip(search.cv_results_["param_mode"],
                       search.cv_results_["mean_test_score"]):
    print(f"{mode:>12}: cross-validated comprehensiveness {score:.3f}")
print(f"chosen: mode={search.best_params_['mode']!r}")

# %%
# Both maps on test days, beside occlusion and random maps
# --------------------------------------------------------
# Comprehensiveness (higher is better) is the drop of the predicted class's
# probability when the top 10-50 % of the entries are substituted; sufficiency
# (lower is better) the drop when only they are kept. Each mode wins at its
# own question.
rows = np.random.default_rng(0).choice(len(X_test), 20, replace=False)
X = X_test[rows]
explainers = {
    "Dynamask, preservation": Dynamask(model, random_state=0),
    "Dynamask, deletion": Dynamask(model, mode="deletion", random_state=0),
    "FeatureOcclusion": FeatureOcclusion(model),
    "Random": RandomExplainer(model, random_state=0),
}
maps = {name: e.fit(X_train).explain(X) for name, e in explainers.items()}
fractions = (0.1, 0.2, 0.3, 0.4, 0.5)
for name, saliency in maps.items():
    curves = faithfulness_curves(model, X, np.abs(saliency), fractions=fractions,
                                 random_state=0)
    print(f"{name:>22}: comprehensiveness {curves['comprehensiveness'].mean():.3f}, "
          f"sufficiency {curves['sufficiency'].mean():.3f}")

# %%
# What each mask marks
# --------------------
# One test day: the preservation mask marks a few hours that are enough to
# call the season; the deletion mask marks the hours the call hangs on.
fig, axes = plt.subplots(2, 1, figsize=(7, 4.5), sharex=True, constrained_layout=True)
hours = np.arange(X.shape[-1])
for ax, name in zip(axes, ("Dynamask, preservation", "Dynamask, deletion")):
    ax.bar(hours, maps[name][0, 0], alpha=0.3, color="tab:red")
    ax.set_ylim(0, 1)
    ax.set_ylabel("mask")
    demand = ax.twinx()
    demand.plot(hours, X[0, 0], color="black", marker=".")
    demand.set_ylabel("demand")
    ax.set_title(name)
axes[1].set_xlabel("hour of the day")
