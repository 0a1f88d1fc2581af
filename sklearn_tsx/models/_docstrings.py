"""One numpydoc template for the docstrings of all the black-box nets."""

import textwrap

from ._base import AUTO_MIN_EPOCHS, AUTO_MIN_STEPS

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
input_scaling : {{"channel", "timepoint"}} or None, default="channel"
    Standardisation applied to the input inside the module, with statistics
    learned in ``fit``: per channel (over samples and time points) or per
    channel and time point (over samples), as
    :class:`~sklearn_tsx.preprocessing.TimeSeriesStandardScaler` with the same
    ``per`` would. Being part of ``module_``, it keeps gradients and
    attributions in the units of the raw input. ``None`` feeds the input as it
    is (for input standardised beforehand).
lr : float, default={lr}
    Initial learning rate of the AdamW optimiser.{lr_note}
{after_lr}lr_schedule : {{"cosine", "constant"}}, default="cosine"
    ``"cosine"`` anneals the learning rate from ``lr`` towards 0 at the last
    of ``max_epochs`` epochs (skorch's ``LRScheduler``).
max_epochs : int or "auto", default="auto"
    Most training epochs (fewer with early stopping); at least 1. ``"auto"``
    trains for at least {min_steps} optimisation steps and {min_epochs} epochs,
    whatever the size of the training set: ``max({min_steps} / steps_per_epoch,
    {min_epochs})`` epochs, with ``steps_per_epoch = ceil(n_train / batch_size)``
    (on 140 series with a batch of 64 an epoch is 3 steps). The number used is
    stored in ``net_.max_epochs``.
batch_size : int, default=64
    Mini-batch size for training and prediction.
weight_decay : float, default=0.0
    AdamW's decoupled weight decay: every step shrinks the weights by a
    factor ``1 - lr * weight_decay``, whatever the gradients' scale.
early_stopping : bool, default=True
    Hold out ``validation_fraction`` of the training set and stop when its
    loss has not improved by ``tol`` for ``n_iter_no_change`` epochs; the
    weights of the best epoch are restored (skorch's ``ValidSplit`` and
    ``EarlyStopping(load_best=True)``).{split}
validation_fraction : float, default=0.1
    Share of the training set held out for early stopping, in (0, 1).
n_iter_no_change : int, default=10
    Epochs without improvement of the validation loss before stopping, and
    at least 100 optimisation steps: on a small set an epoch is one or two
    steps, too few to tell a plateau from a start (on BasicMotions, 40
    series, ``GRUClassifier()`` reached 0.55 test accuracy with 10 epochs
    of patience, 0.95 with 100 steps: ``python
    benchmarks/bench_net_defaults.py --classifiers --quick``). Epochs
    count only once the training loss has fallen 20 % below its first
    epoch's: before that the net is on its initial plateau and has not
    converged. On 172 spectra of ``make_tser_spectral(240,
    composition="mass_balance", random_state=0)``, seeds 0 to 2, test RMSE
    (mean predictor 13.9): ``GRURegressor()`` 14.16, 14.14, 1.49 when
    stopped on the plateau, 1.33, 1.47, 1.49 now; ``LSTMRegressor()``
    14.02, 13.77, 2.68, now 1.62, 10.28, 2.68. 4-fold CV RMSE on the
    training splits of Covid3Month and CardanoSentiment moved by -2 % to
    +4 % (``bench_net_defaults.py --cv``, ad hoc).
tol : float, default=1e-4
    Smallest decrease of the validation loss ({loss}) that counts as
    an improvement.
device : str, default="cpu"
    Torch device; ``"auto"`` takes CUDA when available.
random_state : int, RandomState instance or None, default=None
    Seeds weight initialisation, dropout and shuffling: the same seed gives
    the same model.
verbose : int, default=0
    Print skorch's epoch table when positive; plain text, without colour
    codes, unless standard output is a terminal.

Attributes
----------
net_ : skorch.NeuralNet
    The trained skorch net.
module_ : torch.nn.Module
    The trained module, mapping ``(batch, C, T)`` tensors to {outputs}.
{attributes}n_iter_ : int
    Number of epochs run.
loss_curve_ : list of float
    Training loss of each epoch.
validation_loss_curve_ : list of float or None
    Validation loss of each epoch; ``None`` without early stopping.
n_features_in_ : int
    ``n_channels_in_ * n_timepoints_in_``.
n_channels_in_ : int
    Number of channels seen in ``fit``.
n_timepoints_in_ : int
    Number of time points seen in ``fit``.

Notes
-----
Input scaling: the defaults expect nothing of the input's units; the net
standardises each channel itself (``input_scaling="channel"``). Pass
``input_scaling=None`` only for input already standardised, e.g. by
:class:`~sklearn_tsx.preprocessing.TimeSeriesStandardScaler` in a pipeline.
{target_scaling}
A training loss that turns NaN or infinite stops ``fit`` with a
``FloatingPointError`` naming the epoch (lower ``lr``, or scale the input).
An optimisation step whose gradients are not finite while the loss is
(backpropagation through a long recurrence can overflow at one batch) is
skipped, with a ``RuntimeWarning`` at the end of ``fit``; ten in a row
stop ``fit`` with the same error.

The training defaults were chosen by 4-fold cross-validation on the
training splits of two real TSER sets, Covid3Month (140 series of 84 days)
and CardanoSentiment (74 series, 2 channels of 24 steps), one seed
(``python benchmarks/bench_net_defaults.py --cv --quick``); CV RMSE:

==============================================  ===========  ================
training                                        Covid3Month  CardanoSentiment
==============================================  ===========  ================
mean predictor                                  0.0397       0.2753
GRU, before: raw input, constant lr, 50 epochs  0.0413       0.2825
GRU, defaults without early stopping            --           0.4391
GRU, defaults                                   0.0399       0.2767
GRU, defaults, ``n_iter_no_change=50``          0.0399       0.2782
GRU, per time point, without early stopping     --           0.4428
TCN, before                                     0.4023       --
TCN, defaults                                   0.0403       --
==============================================  ===========  ================

On these small sets the budget of {min_steps} steps overfits without early
stopping; the raw inputs (counts up to 2e4, a channel of trading volumes
around 2e4) make the old TCN diverge.

Test RMSE on the default test splits, seed 0, before and at the defaults
(``python benchmarks/bench_net_defaults.py --seeds 1 --rocket-kernels 0``):

=====================  ===============  =================
net                    Covid3Month      CardanoSentiment
=====================  ===============  =================
GRU                    0.0423 / 0.0441  0.3312 / 0.3105
LSTM                   0.0433 / 0.0444  0.3397 / 0.3039
InputCellAttention     0.0423 / 0.0446  0.2988 / 0.3048
TCN                    0.1524 / 0.0444  275.48 / 0.3299
Transformer            0.0440 / 0.0440  NaN / 0.3172
mean predictor         0.0447           0.3003
ROCKET (published)     0.0389           0.2984
=====================  ===============  =================

No net diverges at the defaults. On CardanoSentiment the best (LSTM) is within
2 % of ROCKET, which itself barely beats the mean predictor there; on
Covid3Month no training setting tried makes a net
learn much from the raw counts (all stay within 2 % of the mean predictor in
cross-validation), far from ROCKET. Inputs that span orders of magnitude are
better transformed first, e.g. by ``np.log1p`` in a
:class:`~sklearn.preprocessing.FunctionTransformer`.

These tables were measured with a patience of 10 epochs. The minimum of 100
optimisation steps adopted since (see ``n_iter_no_change``) lets small
classification sets learn (BasicMotions, 40 series: ``GRUClassifier()``
0.55 to 0.95 test accuracy, ``TCNClassifier()`` 0.875 to 0.975) and costs a
little on these regression sets (CV RMSE of the GRU 0.0399 and 0.2853, of the
TCN 0.0410 and 0.3006: ``python benchmarks/bench_net_defaults.py --cv --nets GRU
TCN --candidates "channel, cosine, auto, ES 10" --seeds 1``).

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
        split=(
            "\n    The split is stratified by class when every class has two samples\n"
            "    or more and both parts can hold every class (never with\n"
            "    ``sequence_output``)."
        ),
        loss="cross-entropy",
        target_scaling="",
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
        split="",
        loss="mean squared error of the standardised targets",
        target_scaling=(
            "Targets are standardised in ``fit`` and the module maps back, so\n"
            "predictions, ``module_`` and its attributions are in the units of ``y``.\n"
        ),
        outputs="predictions in the units of ``y``",
        attributes="n_outputs_ : int\n    Number of regression outputs.\n",
        example=(
            ">>> y = X[:, 0, -5:].mean(axis=1)\n"
            ">>> model = {name}(hidden_size=8, max_epochs=5, random_state=0).fit(X, y)\n"
            ">>> model.predict(X[:3]).shape\n(3,)\n"
        ),
    ),
}


def net_docstring(*, title, hidden_size, num_layers, layers, extra="", lr="1e-3",
                  lr_note="", after_lr="", extra_attributes=""):
    """Class decorator writing the numpydoc docstring of a net estimator."""

    def decorate(cls):
        kind = _KINDS[
            "Classifier" if cls.__name__.endswith("Classifier") else "Regressor"
        ]
        fields = dict(
            kind,
            example=kind["example"].format(name=cls.__name__),
            attributes=kind["attributes"] + extra_attributes,
        )
        doc = _TEMPLATE.format(
            title=title,
            hidden_size=hidden_size,
            num_layers=num_layers,
            layers=layers,
            extra=extra,
            lr=lr,
            lr_note=lr_note,
            after_lr=after_lr,
            name=cls.__name__,
            min_steps=AUTO_MIN_STEPS,
            min_epochs=AUTO_MIN_EPOCHS,
            **fields,
        )
        cls.__doc__ = textwrap.indent(doc, "    ").lstrip()
        return cls

    return decorate
