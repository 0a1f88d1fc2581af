"""RETAIN (Choi et al. 2016), an attention RNN that explains itself, as a
classifier and a regressor trained like the other nets."""

import re

from sklearn.utils.validation import check_is_fitted

from ..utils import validate_time_series_data
from ._base import TimeSeriesNetClassifier, TimeSeriesNetRegressor, _check_positive_int
from ._docstrings import net_docstring
from ._modules import ScaledInput, ScaledOutput
from ._retain_module import RetainNet

__all__ = ["RetainClassifier", "RetainRegressor"]

_EMBEDDING_DOC = (
    "embedding_size : int, default=64\n"
    "    Width of the linear embedding of each step, ``W_emb x_j``.\n"
)

_SEQUENCE_OUTPUT_DOC = """sequence_output : bool, default=False
    Predict at every time step from the steps so far instead of once per
    series; ``y`` then has shape (n_samples, n_timepoints). The GRUs then
    read time forwards (as time_interpret's RETAIN does) rather than
    backwards as in the paper, which would take one pass per step.
"""

_INTERCEPT_DOC = """
    intercept_ : ndarray of shape (n_outputs,)
        The part of each output (class logit, or prediction) that no entry
        contributes: the attributions of :meth:`explain` plus it make the output.
"""

_EXPLAIN_EXAMPLE = """
    RETAIN's own attributions add up, with ``intercept_``, to the explained
    {output}:

    >>> import torch
    >>> S = model.explain(X[:3], target={target})
    >>> S.shape
    (3, 2, 20)
    >>> out = {out}
    >>> bool(np.allclose(S.sum(axis=(1, 2)) + model.intercept_[{index}], out, atol=1e-4))
    True
"""


def retain_contributions(module, x, target):
    """Contribution of each entry of ``x`` (raw units) to the explained output
    of each sample, for a fitted RETAIN estimator's ``module_``: ``target``
    holds one output index per sample, or one (time step, output index) row
    per sample for a net with ``sequence_output``.

    The input standardisation (``ScaledInput``) is applied first, so an entry
    contributes in proportion to its distance from the training mean; a
    regressor's output scaling (``ScaledOutput``) multiplies the
    contributions, so they are in the units of ``y``.
    """
    steps, outputs = (target[:, 0], target[:, 1]) if target.ndim == 2 else (None, target)
    scale = None
    if isinstance(module, ScaledOutput):
        scale = module.scale[outputs][:, None, None]
        module = module.module
    if isinstance(module, ScaledInput):
        x = (x - module.loc) / module.scale
        module = module.module
    contributions = module.contributions(x, outputs, steps)
    return contributions if scale is None else contributions * scale


class _RetainParams:
    """Constructor, module and self-explanation of the RETAIN nets."""

    def __init__(
        self,
        *,
        hidden_size=64,
        embedding_size=64,
        num_layers=1,
        dropout=0.0,
        sequence_output=False,
        input_scaling="channel",
        lr=1e-3,
        lr_schedule="cosine",
        max_epochs="auto",
        batch_size=64,
        weight_decay=0.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.hidden_size = hidden_size
        self.embedding_size = embedding_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.sequence_output = sequence_output
        self.input_scaling = input_scaling
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _build_module(self, n_channels, n_outputs):
        return RetainNet(n_channels, n_outputs, self.embedding_size, self.hidden_size,
                         self.num_layers, self.dropout, self.sequence_output)

    def _check_architecture_params(self):
        _check_positive_int(self.embedding_size, "embedding_size")

    @property
    def intercept_(self):
        """The part of each output that no entry contributes: ndarray of shape
        (n_outputs,) (one per class for a classifier)."""
        module = self.module_
        scale = None
        if isinstance(module, ScaledOutput):
            scale = module
            module = module.module
        if isinstance(module, ScaledInput):
            module = module.module
        bias = module.output.bias.detach()
        if scale is not None:
            bias = bias * scale.scale + scale.loc
        return bias.cpu().double().numpy()

    def explain(self, X, target=None):
        """RETAIN's own attributions: each entry's contribution to an output.

        The contribution of channel ``k`` at step ``j`` to output ``o`` is
        ``alpha_j * (W_out[o] . (beta_j * W_emb[:, k])) * z_{k,j}`` (Choi et al.
        2016, eq. 4), with ``alpha`` and ``beta`` the attentions and ``z`` the
        input standardised by ``input_scaling`` (so an entry at its training
        mean contributes nothing). A sample's contributions sum to the output
        minus ``intercept_[o]``: the class logit for a classifier, the
        prediction for a regressor. With ``sequence_output``, the output at
        the explained step ``t``, to which steps after ``t`` contribute
        nothing.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_channels, n_timepoints)
            Panel to explain.
        target : label, int, array-like or None, default=None
            Class label as ``predict`` returns it (classifier) or output index
            (multi-output regressor), one for all samples or one per sample;
            ``None`` explains the predicted class or output 0. With
            ``sequence_output``, the explained time step (default: the last),
            whose predicted class (or single output) is explained.

        Returns
        -------
        attributions : ndarray of shape (n_samples, n_channels, n_timepoints)
        """
        from ..explainers import RetainExplainer

        check_is_fitted(self, "net_")
        X = validate_time_series_data(self, X, reset=False)
        explainer = RetainExplainer(self, batch_size=self.batch_size, device=self.device)
        return explainer.fit(X).explain(X, target=target)


def _retain_docstring(cls):
    """The nets' docstring with RETAIN's ``sequence_output`` and ``intercept_``,
    and an example of :meth:`explain`."""
    cls = net_docstring(
        title="RETAIN, reverse-time attention network (Choi et al., 2016)",
        hidden_size=64,
        num_layers=1,
        layers="stacked layers of each of its two GRUs",
        extra=_EMBEDDING_DOC,
    )(cls)
    doc = re.sub(
        r"(?<=\n)( *)sequence_output : bool.*?(?=\n *input_scaling :)",
        lambda match: match[1] + _SEQUENCE_OUTPUT_DOC.rstrip().replace("\n", "\n" + match[1]),
        cls.__doc__, count=1, flags=re.S,
    )
    if issubclass(cls, TimeSeriesNetClassifier):
        example = _EXPLAIN_EXAMPLE.format(
            output="class logit", target="1", index="1",
            out="model.module_(torch.as_tensor(X[:3])).detach().numpy()[:, 1]",
        )
    else:
        example = _EXPLAIN_EXAMPLE.format(
            output="prediction", target="None", index="0", out="model.predict(X[:3])",
        )
    doc = doc.replace("\n    n_iter_ : int\n", _INTERCEPT_DOC + "    n_iter_ : int\n", 1)
    cls.__doc__ = doc.rstrip() + "\n" + example
    return cls


@_retain_docstring
class RetainClassifier(_RetainParams, TimeSeriesNetClassifier):
    pass


@_retain_docstring
class RetainRegressor(_RetainParams, TimeSeriesNetRegressor):
    pass

