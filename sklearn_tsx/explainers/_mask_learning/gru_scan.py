"""A GRU recurrence with a hand-written backward pass, and the bidirectional GRUs
of ContraLSP's and ExtremalMask's perturbation networks built on it.

``torch.nn.GRU`` on the CPU runs the two directions of a bidirectional layer one
after the other and lets autograd record a dozen nodes per step. For the small
hidden states of a perturbation network (one unit per channel) the time goes to
that per-step overhead, not to arithmetic. :func:`bidirectional_gru` packs both
directions into one recurrence of twice the width (a block-diagonal hidden
matrix), so each step is one matrix product and a few element-wise operations,
and :class:`GRUScan` differentiates the whole recurrence in one backward loop
whose weight gradients are single matrix products over all steps. The weights
may also differ per series (ExtremalMask's one network per explained series).
Same function, same gradients as ``torch.nn.GRU`` (tested against it).
"""

import torch
from torch.autograd.function import once_differentiable

__all__ = ["GRUScan", "bidirectional_gru", "pack_directions", "unpack_directions"]


class GRUScan(torch.autograd.Function):
    """The GRU recurrence over precomputed input projections.

    ``forward(gi, h0, w_hh, b_hh)`` with ``gi`` of shape ``(T, B, 3H)`` (the input
    projections ``x_t W_ih^T + b_ih`` of every step, gates in PyTorch's order
    r, z, n), ``h0`` of shape ``(B, H)``, ``w_hh`` of shape ``(3H, H)`` and ``b_hh``
    of shape ``(3H,)`` -- or ``(B, 3H, H)`` and ``(B, 3H)``, one set per series --
    returns the hidden states of every step, ``(T, B, H)``:

    ``r, z = sigmoid(gi_rz + h W_hr,z^T + b_hr,z)``,
    ``n = tanh(gi_n + r * (h W_hn^T + b_hn))``, ``h' = (1 - z) n + z h``.
    """

    @staticmethod
    def forward(ctx, gi, h0, w_hh, b_hh):
        T, B, _ = gi.shape
        H = h0.shape[1]
        out = gi.new_empty(T, B, H)
        rz = gi.new_empty(T, B, 2 * H)
        n = gi.new_empty(T, B, H)
        ghn = gi.new_empty(T, B, H)
        w_hh_t = w_hh.transpose(-1, -2)
        # per-step views made once: indexing inside the loop costs more than the
        # arithmetic at small hidden sizes
        steps = zip(gi[..., : 2 * H].unbind(), gi[..., 2 * H :].unbind(), rz.unbind(),
                    rz[..., :H].unbind(), rz[..., H:].unbind(), n.unbind(), ghn.unbind(),
                    out.unbind())
        h = h0
        for gi_rz, gi_n, rz_t, r, z, n_t, ghn_t, out_t in steps:
            gh = _project(b_hh, h, w_hh_t)
            torch.add(gi_rz, gh[:, : 2 * H], out=rz_t).sigmoid_()
            ghn_t.copy_(gh[:, 2 * H :])
            torch.addcmul(gi_n, r, ghn_t, out=n_t).tanh_()
            h = torch.lerp(n_t, h, z, out=out_t)
        ctx.save_for_backward(h0, w_hh, out, rz, n, ghn)
        return out

    @staticmethod
    @once_differentiable
    def backward(ctx, d_out):
        h0, w_hh, out, rz, n, ghn = ctx.saved_tensors
        T, B, H = out.shape
        # gradients of the hidden-side pre-activations (r, z, and r's factor of n)
        d_gh = out.new_empty(T, B, 3 * H)
        d_an = out.new_empty(T, B, H)  # of n's pre-activation
        h_prev = torch.cat([h0[None], out[:-1]])
        steps = zip(d_out.unbind(), h_prev.unbind(), rz[..., :H].unbind(),
                    rz[..., H:].unbind(), n.unbind(), ghn.unbind(), d_an.unbind(),
                    d_gh.unbind(), d_gh[..., :H].unbind(), d_gh[..., H : 2 * H].unbind(),
                    d_gh[..., 2 * H :].unbind())
        dh = torch.zeros_like(h0)
        for d_out_t, h_prev_t, r, z, n_t, ghn_t, d_an_t, d_gh_t, d_r, d_z, d_hn in reversed(
            list(steps)
        ):
            dh = dh + d_out_t
            dhz = dh * z
            dn = dh - dhz  # dh (1 - z)
            torch.addcmul(dn, dn * n_t, n_t, value=-1, out=d_an_t)  # dn (1 - n^2)
            dz = dhz * (h_prev_t - n_t)
            torch.addcmul(dz, dz, z, value=-1, out=d_z)  # dh (h_prev - n) z (1 - z)
            dr = d_an_t * ghn_t * r
            torch.addcmul(dr, dr, r, value=-1, out=d_r)
            torch.mul(d_an_t, r, out=d_hn)
            dh = _project(dhz, d_gh_t, w_hh)
        d_gi = torch.cat([d_gh[..., : 2 * H], d_an], dim=-1)
        d_w_hh = d_b_hh = None
        per_series = w_hh.dim() == 3
        if ctx.needs_input_grad[2]:
            d_w_hh = (torch.einsum("tbg,tbh->bgh", d_gh, h_prev) if per_series else
                      d_gh.reshape(T * B, 3 * H).t() @ h_prev.reshape(T * B, H))
        if ctx.needs_input_grad[3]:
            d_b_hh = d_gh.sum(0) if per_series else d_gh.sum((0, 1))
        return d_gi, dh, d_w_hh, d_b_hh


def _project(add, h, weight):
    """``add + h @ weight`` for a weight shared by the batch (2-D) or one per
    series (3-D, batched product)."""
    if weight.dim() == 2:
        return torch.addmm(add, h, weight)
    return torch.baddbmm(add[:, None], h[:, None], weight)[:, 0]


def _interleave_gates(forward, backward, n_gates=3):
    """Stack the gate blocks of two directions along the last axis as
    ``[g1_f, g1_b, g2_f, g2_b, ...]``: the layout of one recurrence over the
    concatenated hidden state ``[h_f, h_b]``."""
    shape = forward.shape[:-1]
    H = forward.shape[-1] // n_gates
    both = torch.stack([forward.reshape(*shape, n_gates, H),
                        backward.reshape(*shape, n_gates, H)], dim=-2)
    return both.reshape(*shape, 2 * n_gates * H)


def _block_diagonal_gates(w_f, w_b):
    """Hidden matrices ``(..., 3H, H)`` of two directions as one ``(..., 6H, 2H)``
    acting on ``[h_f, h_b]``, rows in the order of :func:`_interleave_gates`."""
    blocks = []
    for g_f, g_b in zip(w_f.chunk(3, dim=-2), w_b.chunk(3, dim=-2)):
        zeros = torch.zeros_like(g_f)
        blocks += [torch.cat([g_f, zeros], dim=-1), torch.cat([zeros, g_b], dim=-1)]
    return torch.cat(blocks, dim=-2)


def pack_directions(gi_f, gi_b, w_hh_f, w_hh_b, b_hh_f, b_hh_b):
    """The arguments of one :class:`GRUScan` running two directions at once.

    ``gi_f`` and ``gi_b`` (``(T, B, 3H)``) are the input projections of the
    forward direction and of the backward one, the latter already in reversed
    time; the hidden weights and biases are ``(3H, H)`` / ``(3H,)`` or per series
    ``(B, 3H, H)`` / ``(B, 3H)``. Returns ``gi, w_hh, b_hh`` for a hidden state
    of width ``2H``; :func:`unpack_directions` maps its output back.
    """
    return (_interleave_gates(gi_f, gi_b).contiguous(),
            _block_diagonal_gates(w_hh_f, w_hh_b), _interleave_gates(b_hh_f, b_hh_b))


def unpack_directions(out):
    """``(T, B, 2H)`` states of a packed scan to ``(T, B, 2H)`` time-aligned
    ``[forward, backward]`` states, as a bidirectional ``torch.nn.GRU`` gives."""
    H = out.shape[-1] // 2
    return torch.cat([out[..., :H], out[..., H:].flip(0)], dim=-1)


def bidirectional_gru(x, rnn):
    """Outputs of a one-layer bidirectional ``torch.nn.GRU`` (``batch_first``)
    computed by one :class:`GRUScan` over both directions.

    Parameters
    ----------
    x : torch.Tensor of shape (B, T, C)
    rnn : torch.nn.GRU
        One layer, bidirectional, ``batch_first=True``; only its parameters are
        used.

    Returns
    -------
    out : torch.Tensor of shape (B, T, 2H)
        Forward-direction states then backward-direction states, as
        ``rnn(x)[0]``.
    """
    x_t = x.transpose(0, 1)  # (T, B, C)
    gi, w_hh, b_hh = pack_directions(
        torch.nn.functional.linear(x_t, rnn.weight_ih_l0, rnn.bias_ih_l0),
        torch.nn.functional.linear(x_t.flip(0), rnn.weight_ih_l0_reverse,
                                   rnn.bias_ih_l0_reverse),
        rnn.weight_hh_l0, rnn.weight_hh_l0_reverse, rnn.bias_hh_l0,
        rnn.bias_hh_l0_reverse,
    )
    out = GRUScan.apply(gi, x.new_zeros(x.shape[0], 2 * rnn.hidden_size), w_hh, b_hh)
    return unpack_directions(out).transpose(0, 1)
