"""A bidirectional GRU with its own weights for every series of a batch.

ExtremalMask learns one perturbation network per explained series. Holding the
weights of all of them in batched tensors trains them together, one series per
row, with each row's gradients its own: the result of a series does not depend
on the batch it is in.
"""

import math

import torch

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
    b, C, T = x.shape
    H = params["w_hh"].shape[-1]
    # input projections of both directions at every step, at once: (b, 2, T, 3H)
    gi = torch.einsum("bdgc,bct->bdtg", params["w_ih"], x) + params["b_ih"][:, :, None]
    gi = torch.stack([gi[:, 0], gi[:, 1].flip(1)], dim=1)  # backward direction reversed
    h = x.new_zeros(b, 2, H)
    outputs = []
    for t in range(T):
        gh = torch.einsum("bdgh,bdh->bdg", params["w_hh"], h) + params["b_hh"]
        i_r, i_z, i_n = gi[:, :, t].chunk(3, dim=-1)
        h_r, h_z, h_n = gh.chunk(3, dim=-1)
        r = torch.sigmoid(i_r + h_r)
        z = torch.sigmoid(i_z + h_z)
        n = torch.tanh(i_n + r * h_n)
        h = (1 - z) * n + z * h
        outputs.append(h)
    hs = torch.stack(outputs, dim=2)  # (b, 2, T, H)
    hs = torch.cat([hs[:, 0], hs[:, 1].flip(1)], dim=-1)  # (b, T, 2H), time-aligned
    return torch.einsum("bcg,btg->bct", params["w_out"], hs) + params["b_out"][:, :, None]
