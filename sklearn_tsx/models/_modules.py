"""Torch modules of the black-box time-series nets.

Every module takes a batch ``(batch, n_channels, n_timepoints)`` and returns
``(batch, n_outputs)``, or ``(batch, n_timepoints, n_outputs)`` when built with
``sequence_output=True`` (one prediction per time step, causal).
"""

import math

import torch
from torch import nn

__all__ = [
    "RecurrentNet",
    "InputCellAttentionLSTMNet",
    "TemporalConvNet",
    "TransformerNet",
    "ScaledInput",
    "ScaledOutput",
]


POOLINGS = ("last", "mean", "max")
#: The recurrent nets also read out the last, maximum and mean states side by
#: side (Howard and Ruder's "concat pooling", ULMFiT, 2018).
RECURRENT_POOLINGS = (*POOLINGS, "concat")


def _pool(h, pooling):
    """``h`` of shape ``(batch, time, hidden)`` reduced over time by ``pooling``."""
    if pooling == "last":
        return h[:, -1]
    if pooling == "mean":
        return h.mean(dim=1)
    if pooling == "max":
        return h.amax(dim=1)
    return torch.cat([h[:, -1], h.amax(dim=1), h.mean(dim=1)], dim=1)


def _patch_tokens(x, patch_size):
    """``(batch, n_tokens, n_channels * patch_size)`` from ``(batch, n_channels,
    n_timepoints)``: token ``j`` holds steps ``j * p`` to ``(j + 1) * p - 1`` of the
    series zero-padded at its start to a multiple of ``p``, channel by channel."""
    if patch_size == 1:
        return x.transpose(1, 2)
    x = nn.functional.pad(x, (-x.shape[2] % patch_size, 0))
    batch, n_channels, n_time = x.shape
    x = x.reshape(batch, n_channels, n_time // patch_size, patch_size)
    return x.permute(0, 2, 1, 3).reshape(batch, n_time // patch_size, -1)


class _SequenceHead(nn.Module):
    """Dropout and a linear read-out at every step, or of the steps pooled into one
    vector: the last step, the mean or maximum over all steps, or those three
    side by side (``"concat"``)."""

    def __init__(self, hidden_size, n_outputs, dropout, sequence_output, pooling="last"):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        n_pooled = 3 if pooling == "concat" and not sequence_output else 1
        self.linear = nn.Linear(n_pooled * hidden_size, n_outputs)
        self.sequence_output = sequence_output
        self.pooling = pooling

    def __setstate__(self, state):
        super().__setstate__(state)
        # heads pickled before pooling was a choice read the last step
        self.__dict__.setdefault("pooling", "last")

    def forward(self, h):  # h: (batch, time, hidden)
        if not self.sequence_output:
            h = _pool(h, self.pooling)
        return self.linear(self.dropout(h))


class RecurrentNet(nn.Module):
    """A GRU or LSTM followed by a linear read-out.

    Parameters
    ----------
    cell : {"gru", "lstm"}
    n_channels, n_outputs, hidden_size, num_layers : int
    dropout : float
        Between recurrent layers and before the read-out.
    sequence_output : bool
        Read out every step instead of pooling them.
    pooling : {"last", "mean", "max", "concat"}
        How the hidden states of the last layer are reduced to one vector when
        ``sequence_output`` is false; ``"concat"`` reads the last, the maximum
        and the mean side by side.
    patch_size : int, default=1
        Steps per input of the recurrence, as :class:`TransformerNet`'s
        (``sequence_output`` needs 1).
    """

    def __init__(
        self,
        cell,
        n_channels,
        n_outputs,
        hidden_size,
        num_layers,
        dropout,
        sequence_output,
        pooling="last",
        patch_size=1,
    ):
        super().__init__()
        if sequence_output and patch_size != 1:
            raise ValueError("sequence_output needs patch_size=1.")
        self.patch_size = patch_size
        rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell]
        self.rnn = rnn(
            n_channels * patch_size,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.head = _SequenceHead(
            hidden_size, n_outputs, dropout, sequence_output, pooling
        )

    def __setstate__(self, state):
        super().__setstate__(state)
        # nets pickled before patching read single steps
        self.__dict__.setdefault("patch_size", 1)

    def forward(self, x):
        h, _ = self.rnn(_patch_tokens(x, self.patch_size))
        return self.head(h)


class InputCellAttentionLSTMNet(nn.Module):
    """LSTM with input-cell attention (Ismail, Gunady, Pessoa, Corrada Bravo and
    Feizi, NeurIPS 2019).

    At step ``t`` the cell reads ``M_t = A_t X_{0:t}``, an ``r x n_channels`` summary
    of all inputs so far, where ``A_t = softmax(W2 tanh(W1 X_{0:t}^T))`` over the
    past steps. The attention depends on the inputs only, so the summaries of all
    steps are computed at once with a causal mask and fed to a standard LSTM.

    Parameters
    ----------
    n_channels, n_outputs, hidden_size, num_layers : int
    attention_hops : int
        ``r``, the number of attention rows.
    attention_size : int
        ``d_a``, the width of the attention's hidden layer.
    dropout : float
    sequence_output : bool
    pooling : {"last", "mean", "max", "concat"}
        As :class:`RecurrentNet`'s.
    patch_size : int, default=1
        Steps per token, as :class:`TransformerNet`'s: the attention and the
        LSTM read patches of ``patch_size`` consecutive steps of every channel
        (``sequence_output`` needs 1).
    """

    def __init__(
        self,
        n_channels,
        n_outputs,
        hidden_size,
        num_layers,
        attention_hops,
        attention_size,
        dropout,
        sequence_output,
        pooling="last",
        patch_size=1,
    ):
        super().__init__()
        if sequence_output and patch_size != 1:
            raise ValueError("sequence_output needs patch_size=1.")
        self.patch_size = patch_size
        n_features = n_channels * patch_size
        self.w1 = nn.Linear(n_features, attention_size, bias=False)
        self.w2 = nn.Linear(attention_size, attention_hops, bias=False)
        self.rnn = nn.LSTM(
            attention_hops * n_features,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.head = _SequenceHead(
            hidden_size, n_outputs, dropout, sequence_output, pooling
        )

    def __setstate__(self, state):
        super().__setstate__(state)
        # nets pickled before patching read single steps
        self.__dict__.setdefault("patch_size", 1)

    def forward(self, x):
        x = _patch_tokens(x, self.patch_size)  # (batch, time, features)
        n_time = x.shape[1]
        scores = self.w2(torch.tanh(self.w1(x)))  # (batch, time s, hops)
        causal = torch.ones(n_time, n_time, dtype=torch.bool, device=x.device).tril()
        # weights[b, t, s, r]: softmax over past steps s <= t
        logits = scores.unsqueeze(1).expand(-1, n_time, -1, -1)
        logits = logits.masked_fill(~causal[None, :, :, None], float("-inf"))
        weights = torch.softmax(logits, dim=2)
        summaries = torch.einsum("btsr,bsc->btrc", weights, x).flatten(2)
        h, _ = self.rnn(summaries)
        return self.head(h)


class _TemporalBatchNorm(nn.BatchNorm1d):
    """Batch normalisation over samples and time steps that, in training, falls
    back to the running statistics when a batch holds one value per channel
    (one sample of one time step), where no spread can be estimated."""

    def forward(self, x):
        if self.training and x.shape[0] * x[0, 0].numel() < 2:
            return nn.functional.batch_norm(
                x, self.running_mean, self.running_var, self.weight, self.bias,
                training=False, eps=self.eps,
            )
        return super().forward(x)


class _CausalConvBlock(nn.Module):
    """Two dilated causal convolutions with a residual connection (Bai et al. 2018),
    each optionally followed by batch normalisation."""

    def __init__(self, n_in, n_out, kernel_size, dilation, dropout, normalization=None):
        super().__init__()
        self.pad = (kernel_size - 1) * dilation
        self.conv1 = nn.Conv1d(n_in, n_out, kernel_size, dilation=dilation)
        self.conv2 = nn.Conv1d(n_out, n_out, kernel_size, dilation=dilation)
        batch = normalization == "batch"
        self.norm1 = _TemporalBatchNorm(n_out) if batch else nn.Identity()
        self.norm2 = _TemporalBatchNorm(n_out) if batch else nn.Identity()
        self.dropout = nn.Dropout(dropout)
        self.residual = nn.Conv1d(n_in, n_out, 1) if n_in != n_out else nn.Identity()
        # one module per use, so that captum's DeepLift, GuidedBackprop and
        # Deconvolution can hook each non-linearity
        self.relu1, self.relu2, self.relu_out = nn.ReLU(), nn.ReLU(), nn.ReLU()

    def __setstate__(self, state):
        super().__setstate__(state)
        # blocks pickled before the ReLUs were modules, or before normalisation
        for name in ("relu1", "relu2", "relu_out"):
            self._modules.setdefault(name, nn.ReLU())
        for name in ("norm1", "norm2"):
            self._modules.setdefault(name, nn.Identity())

    def _causal(self, conv, x):
        return conv(nn.functional.pad(x, (self.pad, 0)))

    def forward(self, x):
        h = self.dropout(self.relu1(self.norm1(self._causal(self.conv1, x))))
        h = self.dropout(self.relu2(self.norm2(self._causal(self.conv2, h))))
        return self.relu_out(h + self.residual(x))


class TemporalConvNet(nn.Module):
    """Temporal convolutional network: residual blocks of dilated causal
    convolutions with dilation ``2**i`` in block ``i``.

    Parameters
    ----------
    n_channels, n_outputs, hidden_size, num_layers, kernel_size : int
    dropout : float
    sequence_output : bool
    pooling : {"last", "mean", "max"}
        How the steps are reduced to one vector when ``sequence_output`` is
        false: the last step, or the mean or maximum over all steps.
    normalization : {"batch", None}
        Batch normalisation after each convolution, or none. In evaluation mode
        it is a fixed affine map per channel, so the net stays causal.
    """

    def __init__(
        self,
        n_channels,
        n_outputs,
        hidden_size,
        num_layers,
        kernel_size,
        dropout,
        sequence_output,
        pooling="last",
        normalization=None,
    ):
        super().__init__()
        self.pooling = pooling
        self.blocks = nn.Sequential(
            *(
                _CausalConvBlock(
                    n_channels if i == 0 else hidden_size,
                    hidden_size,
                    kernel_size,
                    2**i,
                    dropout,
                    normalization,
                )
                for i in range(num_layers)
            )
        )
        self.head = _SequenceHead(hidden_size, n_outputs, dropout, sequence_output)

    def forward(self, x):
        h = self.blocks(x).transpose(1, 2)  # (batch, time, hidden)
        if self.head.sequence_output:
            return self.head(h)
        # the net's own pooling: its head predates pooling and reads the last step
        return self.head.linear(self.head.dropout(_pool(h, self.pooling)))


class TransformerNet(nn.Module):
    """Transformer encoder over time steps, or patches of them, with sinusoidal
    positions or none.

    With ``patch_size`` ``p > 1`` each token is ``p`` consecutive steps of every
    channel, linearly embedded (Nie et al.'s patching, PatchTST, 2023); the
    series is zero-padded at its start to a multiple of ``p``, so the last
    token ends at the last step. Without ``sequence_output`` the encoded tokens
    are averaged; with it (``p = 1`` only), attention is causal and every step
    is read out.

    Parameters
    ----------
    n_channels, n_outputs, hidden_size, num_layers, n_heads : int
    dropout : float
    sequence_output : bool
    patch_size : int, default=1
    positions : bool, default=True
        Whether sinusoidal positions are added to the embedded tokens; without
        them attention sees the tokens as a set.
    """

    def __init__(
        self,
        n_channels,
        n_outputs,
        hidden_size,
        num_layers,
        n_heads,
        dropout,
        sequence_output,
        patch_size=1,
        positions=True,
    ):
        super().__init__()
        if sequence_output and patch_size != 1:
            raise ValueError("sequence_output needs patch_size=1.")
        self.patch_size = patch_size
        self.positions = positions
        self.embed = nn.Linear(n_channels * patch_size, hidden_size)
        layer = nn.TransformerEncoderLayer(
            hidden_size,
            n_heads,
            dim_feedforward=4 * hidden_size,
            dropout=dropout,
            batch_first=True,
        )
        self.encoder = nn.TransformerEncoder(
            layer, num_layers, enable_nested_tensor=False
        )
        self.sequence_output = sequence_output
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(hidden_size, n_outputs)
        self.hidden_size = hidden_size

    def _positions(self, n_time, device):
        position = torch.arange(n_time, device=device, dtype=torch.float32)[:, None]
        freq = torch.exp(
            torch.arange(0, self.hidden_size, 2, device=device, dtype=torch.float32)
            * (-math.log(10000.0) / self.hidden_size)
        )
        pe = torch.zeros(n_time, self.hidden_size, device=device)
        pe[:, 0::2] = torch.sin(position * freq)
        pe[:, 1::2] = torch.cos(position * freq)[:, : self.hidden_size // 2]
        return pe

    def __setstate__(self, state):
        super().__setstate__(state)
        # nets pickled before patching embedded single steps, with positions
        self.__dict__.setdefault("patch_size", 1)
        self.__dict__.setdefault("positions", True)

    def forward(self, x):
        x = _patch_tokens(x, self.patch_size)
        n_time = x.shape[1]
        h = self.embed(x)
        if self.positions:
            h = h + self._positions(n_time, x.device)
        mask = None
        if self.sequence_output:
            mask = nn.Transformer.generate_square_subsequent_mask(
                n_time, device=x.device
            )
        h = self.encoder(h, mask=mask, is_causal=self.sequence_output)
        if not self.sequence_output:
            h = h.mean(dim=1)
        return self.linear(self.dropout(h))


class ScaledInput(nn.Module):
    """``module((x - loc) / scale)``: a net that reads raw input.

    The standardisation learned in ``fit`` is part of the module, so gradients
    and attributions are in the units of the raw input.
    """

    def __init__(self, module, loc, scale):
        super().__init__()
        self.module = module
        self.register_buffer("loc", torch.as_tensor(loc, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, x):
        return self.module((x - self.loc) / self.scale)


class ScaledOutput(nn.Module):
    """``module(x) * scale + loc``: a regressor's head in the target's own units.

    Regressors learn standardised targets; this keeps the exposed module's
    outputs (and so every attribution) in the units of ``y``.
    """

    def __init__(self, module, loc, scale):
        super().__init__()
        self.module = module
        self.register_buffer("loc", torch.as_tensor(loc, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, x):
        return self.module(x) * self.scale + self.loc
