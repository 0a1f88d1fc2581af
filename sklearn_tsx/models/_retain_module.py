"""The RETAIN network (Choi et al. 2016) as a torch module."""

import torch
from torch import nn

__all__ = ["RetainNet"]


class RetainNet(nn.Module):
    """RETAIN: two reverse-time GRUs weigh a linear embedding of each step.

    Step ``j``'s input ``x_j`` (``C`` channels) is embedded as
    ``v_j = W_emb x_j`` (no bias). Two GRUs read the embeddings from the last
    step back to the first; from their states ``g_j`` and ``h_j`` come a
    scalar attention ``alpha = softmax_j(w_alpha . g_j + b_alpha)`` over the
    steps and a vector attention ``beta_j = tanh(W_beta h_j + b_beta)`` over the
    embedding's dimensions. The output is ``W_out (sum_j alpha_j beta_j * v_j) +
    b_out``, linear in ``x`` for fixed attentions, so the contribution of entry
    ``(k, j)`` to output ``o`` is exactly
    ``alpha_j * (W_out[o] . (beta_j * W_emb[:, k])) * x_{k,j}`` and the
    contributions of a sample sum to its output minus ``b_out``.

    With ``sequence_output`` the net predicts at every step ``t`` from steps
    ``0..t`` only: the GRUs then read time forwards (as time_interpret's
    RETAIN does; reading each prefix backwards would cost one pass per step)
    and ``alpha`` becomes a softmax over ``j <= t`` for each ``t``.

    Parameters
    ----------
    n_channels, n_outputs : int
    embedding_size : int
        Width of the embedding ``v``.
    hidden_size, num_layers : int
        Width and depth of each GRU.
    dropout : float
        On the embedding and on the context vector, in training only.
    sequence_output : bool
        Predict at every step, causally, instead of once per series.
    """

    def __init__(self, n_channels, n_outputs, embedding_size, hidden_size, num_layers,
                 dropout, sequence_output=False):
        super().__init__()
        self.sequence_output = sequence_output
        self.embedding = nn.Linear(n_channels, embedding_size, bias=False)
        self.rnn_alpha = nn.GRU(embedding_size, hidden_size, num_layers, batch_first=True)
        self.rnn_beta = nn.GRU(embedding_size, hidden_size, num_layers, batch_first=True)
        self.alpha = nn.Linear(hidden_size, 1)
        self.beta = nn.Linear(hidden_size, embedding_size)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(embedding_size, n_outputs)

    def attention(self, x):
        """Embeddings ``v`` and attentions ``alpha``, ``beta`` of a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, C, T)

        Returns
        -------
        v : torch.Tensor of shape (batch, T, embedding_size)
        alpha : torch.Tensor of shape (batch, T), or (batch, T, T) with
            ``sequence_output``: ``alpha[:, t, j]``, the weight of step ``j`` in
            the output at step ``t`` (zero for ``j > t``).
        beta : torch.Tensor of shape (batch, T, embedding_size)
        """
        v = self.dropout(self.embedding(x.transpose(1, 2)))
        if self.sequence_output:
            g, _ = self.rnn_alpha(v)
            h, _ = self.rnn_beta(v)
            e = self.alpha(g)[..., 0]
            n_steps = e.shape[1]
            future = torch.ones(n_steps, n_steps, dtype=torch.bool, device=x.device).triu(1)
            alpha = torch.softmax(e[:, None, :].masked_fill(future, float("-inf")), dim=-1)
            return v, alpha, torch.tanh(self.beta(h))
        reverse = v.flip(1)
        g, _ = self.rnn_alpha(reverse)
        h, _ = self.rnn_beta(reverse)
        alpha = torch.softmax(self.alpha(g.flip(1))[..., 0], dim=1)
        beta = torch.tanh(self.beta(h.flip(1)))
        return v, alpha, beta

    def forward(self, x):
        v, alpha, beta = self.attention(x)
        if self.sequence_output:
            context = torch.einsum("btj,bje->bte", alpha, beta * v)
        else:
            context = torch.einsum("bt,bte->be", alpha, beta * v)
        return self.output(self.dropout(context))

    def contributions(self, x, outputs, steps=None):
        """Contribution of each entry of ``x`` to the output ``outputs[i]`` of
        sample ``i`` (at step ``steps[i]`` with ``sequence_output``): a tensor of
        ``x``'s shape whose sum over channels and steps is that output minus its
        bias ``output.bias[outputs[i]]``."""
        _, alpha, beta = self.attention(x)
        if self.sequence_output:
            alpha = alpha[torch.arange(len(x), device=x.device), steps]
        w_out = self.output.weight[outputs]  # (batch, embedding)
        # W_out[o] . (beta_j * W_emb[:, k]) for every step j and channel k
        weight = torch.einsum("be,bte,ek->bkt", w_out, beta, self.embedding.weight)
        return alpha[:, None, :] * weight * x
