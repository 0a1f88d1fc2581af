"""Recurrent nets with their history held fixed: every step's output as a
function of that step's input alone.

The per-step attribution of a causal recurrent net at step ``t`` needs the
derivative of the output at ``t`` with respect to the input at ``t`` only.
Backpropagating from each step through the whole recurrence takes one backward
pass per step. Holding each step's incoming hidden (and cell) state fixed, at
its true value (and, for an input-cell attention, the earlier inputs it
reads), leaves the outputs unchanged and cuts every path from an input to a
later output, so one forward pass and one backward pass of the summed outputs
give every step's derivative at once.
"""

import torch
import torch.nn.functional as F
from torch import nn

from ..models._modules import (
    InputCellAttentionLSTMNet,
    RecurrentNet,
    ScaledInput,
    ScaledOutput,
)

__all__ = ["step_local_forward"]


def step_local_forward(module):
    """The step-local forward of ``module``, or ``None`` when it has none.

    Parameters
    ----------
    module : torch.nn.Module or None
        The explained module.

    Returns
    -------
    forward : callable or None
        Maps a ``(batch, C, T)`` tensor to the module's ``(batch, T, n_outputs)``
        outputs, computed so that the output at step ``t`` depends on the input
        only through step ``t``: the recurrent states entering each step, and
        the earlier steps an input-cell attention reads, take their true values
        without gradient. ``None`` for modules other than the unidirectional GRU
        or LSTM :class:`RecurrentNet` and the :class:`InputCellAttentionLSTMNet`
        reading out every step (possibly inside a regressor's
        :class:`ScaledOutput` or an input standardisation's :class:`ScaledInput`).
        The forward assumes the module is in eval mode, as explainers run it.
    """
    if isinstance(module, ScaledOutput):
        inner = step_local_forward(module.module)
        if inner is None:
            return None
        return lambda x: inner(x) * module.scale + module.loc
    if isinstance(module, ScaledInput):
        # an elementwise affine map of the input keeps every step local
        inner = step_local_forward(module.module)
        if inner is None:
            return None
        return lambda x: inner((x - module.loc) / module.scale)
    if isinstance(module, RecurrentNet):
        read = _transpose
    elif isinstance(module, InputCellAttentionLSTMNet):
        def read(x):
            return _local_attention(module, x)
    else:
        return None
    rnn = module.rnn
    if (
        not module.head.sequence_output
        or not isinstance(rnn, (nn.GRU, nn.LSTM))
        or rnn.bidirectional
        or not rnn.batch_first
        or getattr(rnn, "proj_size", 0)
    ):
        return None
    cell = _gru_cell if isinstance(rnn, nn.GRU) else _lstm_cell

    def forward(x):
        h = read(x)
        for layer in range(rnn.num_layers):
            h = _local_layer(cell, _layer_weights(rnn, layer), h)
        return module.head(h)

    return forward


def _transpose(x):
    return x.transpose(1, 2)


def _local_attention(module, x):
    """The input-cell attention's summaries ``M_t`` (batch, T, hops * C), with
    every step before ``t`` read at its value without gradient: only the step's
    own score and value carry the input's gradient."""
    x = x.transpose(1, 2)
    fixed = x.detach()
    scores = module.w2(torch.tanh(module.w1(x)))  # (batch, time, hops)
    fixed_scores = scores.detach()
    n_time = x.shape[1]
    causal = torch.ones(n_time, n_time, dtype=torch.bool, device=x.device).tril()
    # logits[b, t, s, r]: the fixed score of step s, step t's own on the diagonal
    logits = fixed_scores.unsqueeze(1) + torch.diag_embed(
        (scores - fixed_scores).transpose(1, 2)).permute(0, 2, 3, 1)
    logits = logits.masked_fill(~causal[None, :, :, None], float("-inf"))
    weights = torch.softmax(logits, dim=2)
    own = weights.diagonal(dim1=1, dim2=2).transpose(1, 2)  # (batch, time t, hops)
    summaries = torch.einsum("btsr,bsc->btrc", weights, fixed) + own.unsqueeze(-1) * (
        x - fixed).unsqueeze(2)
    return summaries.flatten(2)


def _layer_weights(rnn, layer):
    """``(w_ih, w_hh, b_ih, b_hh)`` of one layer; biases ``None`` if it has none."""
    return [getattr(rnn, f"{name}_l{layer}", None)
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def _gru_cell(gi, gh, state):
    """One GRU step from the input and state projections; the state is ``(h,)``."""
    (h,) = state
    hidden = h.shape[-1]
    r, z = torch.sigmoid(gi[:, : 2 * hidden] + gh[:, : 2 * hidden]).chunk(2, dim=-1)
    n = torch.tanh(torch.addcmul(gi[:, 2 * hidden :], r, gh[:, 2 * hidden :]))
    return (torch.lerp(n, h, z),)


def _lstm_cell(gi, gh, state):
    """One LSTM step from the input and state projections; the state is ``(h, c)``."""
    h, c = state
    hidden = h.shape[-1]
    gates = gi + gh
    i, f, o = torch.sigmoid(
        torch.cat([gates[:, : 2 * hidden], gates[:, 3 * hidden :]], dim=-1)
    ).chunk(3, dim=-1)
    c = torch.addcmul(f * c, i, torch.tanh(gates[:, 2 * hidden : 3 * hidden]))
    return o * torch.tanh(c), c


def _local_layer(cell, weights, inputs):
    """A recurrent layer over ``inputs`` (batch, T, features) whose output at
    each step sees the input of that step only: each step starts from the true
    incoming state, held fixed (no gradient flows through it)."""
    w_ih, w_hh, b_ih, b_hh = weights
    gi = F.linear(inputs, w_ih, b_ih)
    batch, hidden = gi.shape[0], w_hh.shape[1]
    state = tuple(gi.new_zeros(batch, hidden) for _ in range(1 if cell is _gru_cell else 2))
    outputs = []
    for gi_t in gi.unbind(dim=1):
        with torch.no_grad():
            gh = F.linear(state[0], w_hh, b_hh)
        state = cell(gi_t, gh, state)
        outputs.append(state[0])
        state = tuple(s.detach() for s in state)
    return torch.stack(outputs, dim=1)
