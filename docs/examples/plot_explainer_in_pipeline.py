"""
Explainers inside scikit-learn workflows: pipelines, cross-validation, labels
=============================================================================

An explainer is a meta-estimator, like scikit-learn's ``SelectFromModel``:
given an unfitted model, ``fit(X, y)`` fits a clone of it (``estimator_``);
given a fitted one, it explains that model as it is. So an explainer can sit in
a :class:`~sklearn.pipeline.Pipeline` and be cross-validated: every fold refits
the model on its training part. To tune the explainer's own parameters on one
fitted model instead, wrap the model in :class:`sklearn.frozen.FrozenEstimator`,
which ``clone`` leaves as it is. Targets are class labels, as ``predict``
returns them, strings included.
"""

# %%
# Data: a bump in channel 1 or not
# --------------------------------
# 3 channels x 30 steps of noise; the series labelled ``"bump"`` carry a bump
# on channel 1 between steps 10 and 20.
import matplotlib.pyplot as plt
import numpy as np
import torch
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_tsx.explainers import IntegratedGradients
from sklearn_tsx.models import GRUClassifier

torch.set_num_threads(1)
rng = np.random.default_rng(0)
X = rng.normal(scale=0.5, size=(90, 3, 30)).astype(np.float32)
y = np.where(np.arange(90) % 2 == 0, "bump", "flat")
X[y == "bump", 1, 10:20] += 2.0


# Each fold trains on 60 series: too few to hold out a validation split for
# early stopping, so the GRU trains for a fixed 100 epochs. A moderate learning
# rate keeps it from saturating, which would leave Integrated Gradients' few
# path steps on flat stretches of its output and the attributions near zero.
def gru():
    return GRUClassifier(hidden_size=16, lr=3e-3, max_epochs=100, early_stopping=False,
                         random_state=0)


# %%
# Cross-validation refits the model in every fold
# -----------------------------------------------
# The attributions of Integrated Gradients, standardised (a confident model's
# are tiny), become the features of a logistic regression. ``cross_val_score``
# clones the pipeline, so each fold fits its own GRU on its training series: no
# fold explains a model that saw its test series.
pipe = Pipeline([
    ("explain", IntegratedGradients(gru(), n_steps=8)),
    ("scale", StandardScaler()),
    ("clf", LogisticRegression()),
])
scores = cross_val_score(pipe, X, y, cv=3)
print(f"accuracy on attributions, per fold: {np.round(scores, 2)}")

# %%
# A frozen model while the explainer is tuned
# -------------------------------------------
# Fitted once and frozen, the same GRU is explained in every fold of the search
# over the explainer's own ``n_steps``.
model = gru().fit(X, y)
search = GridSearchCV(
    Pipeline([
        ("explain", IntegratedGradients(FrozenEstimator(model))),
        ("scale", StandardScaler()),
        ("clf", LogisticRegression()),
    ]),
    {"explain__n_steps": [2, 8]}, cv=3,
).fit(X, y)
print(f"best: {search.best_params_}, same model: "
      f"{search.best_estimator_['explain'].estimator_.estimator is model}")

# %%
# Targets by label
# ----------------
# ``target="bump"`` explains the probability of the class ``"bump"``;
# ``target=model.predict(X)`` explains each series' predicted class. A value
# that is not a label is refused, with the labels listed.
explainer = IntegratedGradients(model, n_steps=16).fit(X)
bumps = X[y == "bump"]
attributions = explainer.explain(bumps, target="bump")
try:
    explainer.explain(bumps, target=1)
except ValueError as error:
    print(error)

fig, ax = plt.subplots(figsize=(6, 3))
for channel in range(3):
    ax.plot(attributions[:, channel].mean(axis=0), label=f"channel {channel}")
ax.axvspan(10, 19, color="grey", alpha=0.2, label="bump")
ax.set(xlabel="time step", ylabel="mean attribution",
       title='Integrated Gradients, target="bump"')
ax.legend()
fig.tight_layout()
plt.show()
