"""One numpydoc template for the docstrings of all the black-box nets."""

import textwrap

_TEMPLATE = """{title} {kind}, trained by skorch.

Input is a panel ``(n_samples, n_channels, n_timepoints)`` in any format that
:func:`sklearn_tsx.utils.check_time_series` accepts.

Parameters
----------
hidden_size : int, default={hidden_size}
    Width of the hidden layers.
num_layers : int, default={num_layers}
    Number of {layers}.
{extra}dropout : float, default=0.0
    Dropout rate, in [0, 1).
sequence_output : bool, default=False
    Predict at every time step (causally) instead of once per series; ``y``
    then has shape (n_samples, n_timepoints).
lr : float, default=1e-3
    Learning rate of the AdamW optimiser.
max_epochs : int, default=50
    Number of training epochs.
batch_size : int, default=64
    Mini-batch size for training and prediction.
weight_decay : float, default=0.0
    AdamW's decoupled weight decay: every step shrinks the weights by a
    factor ``1 - lr * weight_decay``, whatever the gradients' scale.
device : str, default="cpu"
    Torch device; ``"auto"`` takes CUDA when available.
random_state : int, RandomState instance or None, default=None
    Seeds weight initialisation, dropout and shuffling: the same seed gives
    the same model.
verbose : int, default=0
    Print skorch's epoch table when positive.

Attributes
----------
net_ : skorch.NeuralNet
    The trained skorch net.
module_ : torch.nn.Module
    The trained module, mapping ``(batch, C, T)`` tensors to {outputs}.
{attributes}n_features_in_ : int
    ``n_channels_in_ * n_timepoints_in_``.
n_channels_in_ : int
    Number of channels seen in ``fit``.
n_timepoints_in_ : int
    Number of time points seen in ``fit``.

Examples
--------
>>> import numpy as np
>>> from sklearn_tsx.models import {name}
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(40, 2, 20)).astype(np.float32)
{example}"""

_KINDS = {
    "Classifier": dict(
        kind="classifier",
        outputs="class logits",
        attributes="classes_ : ndarray of shape (n_classes,)\n    Labels seen in ``fit``.\n",
        example=(
            ">>> y = (X[:, 0, -5:].mean(axis=1) > 0).astype(int)\n"
            ">>> model = {name}(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)\n"
            ">>> model.predict_proba(X[:3]).shape\n(3, 2)\n"
        ),
    ),
    "Regressor": dict(
        kind="regressor",
        outputs="predictions in the units of ``y``",
        attributes="n_outputs_ : int\n    Number of regression outputs.\n",
        example=(
            ">>> y = X[:, 0, -5:].mean(axis=1)\n"
            ">>> model = {name}(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)\n"
            ">>> model.predict(X[:3]).shape\n(3,)\n"
        ),
    ),
}


def net_docstring(*, title, hidden_size, num_layers, layers, extra=""):
    """Class decorator writing the numpydoc docstring of a net estimator."""

    def decorate(cls):
        kind = _KINDS[
            "Classifier" if cls.__name__.endswith("Classifier") else "Regressor"
        ]
        fields = dict(kind, example=kind["example"].format(name=cls.__name__))
        doc = _TEMPLATE.format(
            title=title,
            hidden_size=hidden_size,
            num_layers=num_layers,
            layers=layers,
            extra=extra,
            name=cls.__name__,
            **fields,
        )
        cls.__doc__ = textwrap.indent(doc, "    ").lstrip()
        return cls

    return decorate
