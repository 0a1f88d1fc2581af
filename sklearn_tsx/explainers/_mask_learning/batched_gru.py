"""A bidirectional GRU with its own weights for every series of a batch.

ExtremalMask learns one perturbation network per explained series. Holding the
weights of all of them in batched tensors trains them together, one series per
row, with each row's gradients its own: the result of a series does not depend
on the batch it is in. Both directions of every series run as one recurrence
(:class:`~sklearn_tsx.explainers._mask_learning.gru_scan.GRUScan` with per-series weights).
"""

import math

import torch

from .gru_scan import GRUScan, pack_directions, unpack_directions

__all__ = ["init_bigru", "bigru_forward"]


def init_bigru(n_channels, hidden_size, generator):
    """PyTorch's default GRU / Linear initialisation, U(-1/sqrt(fan), 1/sqrt(fan)),
    of a bidirectional GRU (``n_channels`` -> ``hidden_size`` per direction)
    followed by a linear map back to ``n_channels``.

    Returns a dict of tensors without a batch axis.
    """
    H, C = hidden_size, n_channels

    def uniform(shape, fan):
        bound = 1.0 / math.sqrt(fan)
        return (torch.rand(shape, generator=generator) * 2 - 1) * bound

    return {
        "w_ih": uniform((2, 3 * H, C), H),
        "w_hh": uniform((2, 3 * H, H), H),
        "b_ih": uniform((2, 3 * H), H),
        "b_hh": uniform((2, 3 * H), H),
        "w_out": uniform((C, 2 * H), 2 * H),
        "b_out": uniform((C,), 2 * H),
    }


def bigru_forward(params, x):
    """Per-series bidirectional GRU and linear read-out.

    Parameters
    ----------
    params : dict of torch.Tensor
        The tensors of :func:`init_bigru` with a leading batch axis ``b``.
    x : torch.Tensor of shape (b, C, T)

    Returns
    -------
    out : torch.Tensor of shape (b, C, T)
    """
    H = params["w_hh"].shape[-1]
    w_ih, x_t = params["w_ih"], x.permute(2, 0, 1)  # (T, b, C)
    gi, w_hh, b_hh = pack_directions(
        torch.einsum("bgc,tbc->tbg", w_ih[:, 0], x_t) + params["b_ih"][:, 0],
        torch.einsum("bgc,tbc->tbg", w_ih[:, 1], x_t.flip(0)) + params["b_ih"][:, 1],
        params["w_hh"][:, 0], params["w_hh"][:, 1],
        params["b_hh"][:, 0], params["b_hh"][:, 1],
    )
    hs = unpack_directions(GRUScan.apply(gi, x.new_zeros(len(x), 2 * H), w_hh, b_hh))
    return torch.einsum("bcg,tbg->bct", params["w_out"], hs) + params["b_out"][:, :, None]
