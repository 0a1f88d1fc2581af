"""Torch modules of MAGNETS (Forest, Wei and Fink, 2025): a 1-D U-Net mask
generator, straight-through Gumbel-sigmoid binary masks, aggregation of the masked
series, and a linear concept bottleneck followed by a linear head."""

import torch
from torch import nn

__all__ = ["UNet1d", "MagnetsNet", "AGGREGATIONS"]

AGGREGATIONS = ("sum", "mean", "max", "lp")


class _DoubleConv(nn.Sequential):
    def __init__(self, n_in, n_out, kernel_size):
        pad = kernel_size // 2
        super().__init__(
            nn.Conv1d(n_in, n_out, kernel_size, padding=pad),
            nn.ReLU(),
            nn.Conv1d(n_out, n_out, kernel_size, padding=pad),
            nn.ReLU(),
        )


class UNet1d(nn.Module):
    """1-D U-Net: ``depth`` max-pool halvings with ``width * 2**level`` filters,
    transposed-convolution upsampling and skip connections.

    Series whose length is not a multiple of ``2**depth`` are padded on the right
    (edge values repeated) and the output is cropped back.

    Parameters
    ----------
    n_in, n_out : int
        Input and output channels.
    depth : int
        Number of halvings; series need at least ``2**depth`` time points.
    width : int
        Filters of the first level.
    kernel_size : int
        Odd convolution width.
    """

    def __init__(self, n_in, n_out, depth, width, kernel_size):
        super().__init__()
        self.depth = depth
        widths = [width * 2**level for level in range(depth + 1)]
        self.down = nn.ModuleList()
        n_prev = n_in
        for w in widths:
            self.down.append(_DoubleConv(n_prev, w, kernel_size))
            n_prev = w
        self.upsample = nn.ModuleList()
        self.up = nn.ModuleList()
        for level in reversed(range(depth)):
            self.upsample.append(nn.ConvTranspose1d(widths[level + 1], widths[level], 2, 2))
            self.up.append(_DoubleConv(2 * widths[level], widths[level], kernel_size))
        self.out = nn.Conv1d(widths[0], n_out, 1)

    def forward(self, x):
        n_time = x.shape[-1]
        multiple = 2**self.depth
        pad = -n_time % multiple
        if pad:
            x = nn.functional.pad(x, (0, pad), mode="replicate")
        skips = []
        h = x
        for level, block in enumerate(self.down):
            if level:
                h = nn.functional.max_pool1d(h, 2)
            h = block(h)
            skips.append(h)
        skips.pop()
        for upsample, block in zip(self.upsample, self.up):
            h = block(torch.cat([skips.pop(), upsample(h)], dim=1))
        return self.out(h)[..., :n_time]


class _FeatureNorm(nn.BatchNorm1d):
    """Batch norm of the features without affine parameters; a training batch of
    one sample (no spread to estimate) is normalised by the running statistics."""

    def __init__(self, n_features):
        super().__init__(n_features, affine=False)

    def forward(self, x):
        if self.training and len(x) < 2:
            return nn.functional.batch_norm(
                x, self.running_mean, self.running_var, training=False, eps=self.eps
            )
        return super().forward(x)


def gumbel_sigmoid_st(logits, temperature, training, noise_scale=1.0):
    """Binary masks from logits.

    In training, logistic noise (the difference of two Gumbel draws, multiplied
    by ``noise_scale``) is added and the forward value is the hard threshold of
    ``sigmoid((logits + noise) / tau)`` at 0.5, while the gradient is that of the
    soft sigmoid (straight-through). At inference there is no noise: the mask is
    ``logits > 0``.
    """
    if not training:
        return (logits > 0).to(logits.dtype)
    u = torch.rand_like(logits).clamp_(1e-6, 1 - 1e-6)
    noise = (torch.log(u) - torch.log1p(-u)) * noise_scale
    soft = torch.sigmoid((logits + noise) / temperature)
    hard = (soft > 0.5).to(logits.dtype)
    return hard + soft - soft.detach()


class MagnetsNet(nn.Module):
    """MAGNETS: masks, aggregation, concept bottleneck and additive head.

    ``forward`` maps ``(batch, C, T)`` to ``(batch, n_outputs)``: in the units of
    ``y`` for a regressor (``loc`` and ``scale`` undo the target standardisation),
    logits for a classifier. :meth:`decompose` returns every intermediate quantity,
    and the prediction is exactly ``contributions.sum(-1) + output_bias``.

    Parameters
    ----------
    n_channels, n_masks, n_concepts, n_outputs : int
    temperature : float
        Gumbel-sigmoid temperature.
    logit_scale : float
        Initial weight of the batch norm of the mask logits, so that the logits
        start with standard deviation ``logit_scale``.
    aggregation : {"sum", "mean", "max", "lp"}
    p : float
        Exponent of the ``"lp"`` aggregation.
    depth, width, kernel_size : int
        U-Net architecture.
    feature_norm : bool
        Whether the scale-free features are standardised by a batch norm
        without affine parameters before the bottleneck (batch statistics in
        training, running statistics at inference, recomputed on the training
        set by :meth:`calibrate`). At inference it is an affine map,
        folded into :meth:`effective_weights`.
    positional : bool
        Whether the U-Net also reads a time-coordinate channel (a ramp from -1
        to 1), so that masks can depend on absolute position. Masks and
        aggregation concern the ``n_channels`` input channels only.
    x_loc, x_scale : array-like of shape (n_channels,)
        Per-channel standardisation of the U-Net's input.
    feature_scale : array-like of shape (n_channels * n_masks,)
        Typical size of each aggregated feature; the bottleneck reads the features
        divided by it, so its weights (and their penalties) are scale-free.
    loc, scale : array-like of shape (n_outputs,)
        Output affine map (target standardisation of a regressor; 0 and 1 otherwise).
    """

    def __init__(
        self,
        n_channels,
        n_masks,
        n_concepts,
        n_outputs,
        *,
        temperature,
        logit_scale,
        aggregation,
        p,
        depth,
        width,
        kernel_size,
        positional,
        x_loc,
        x_scale,
        feature_scale,
        loc,
        scale,
        feature_norm=False,
    ):
        super().__init__()
        self.n_channels = n_channels
        self.n_masks = n_masks
        self.temperature = temperature
        self.aggregation = aggregation
        self.p = p
        self.positional = positional
        # Factor of the training noise; the estimator anneals it (1 when idle).
        self.noise_scale = 1.0
        self.mask_generator = UNet1d(
            n_channels + int(positional), n_channels * n_masks, depth, width, kernel_size
        )
        # Normalised logits stay where the straight-through gradient flows; without
        # this the U-Net's outputs drift to large values and the masks freeze to
        # all-ones or all-zeros early in training. The logistic noise flips a
        # training mask entry with probability sigmoid(-|logit|): at unit scale
        # about a third of the entries would be random, so the norm's weight starts
        # at ``logit_scale``.
        self.logit_norm = nn.BatchNorm1d(n_channels * n_masks)
        nn.init.constant_(self.logit_norm.weight, logit_scale)
        # Scale-free features still differ in spread: a mask that selects a
        # small, varying fraction of a channel that is far from zero gives a
        # feature whose spread is a small part of its size, which the bottleneck
        # can only use through large weights (slow to learn). Standardising
        # them puts every feature on the same footing.
        self.feature_norm = (
            _FeatureNorm(n_channels * n_masks) if feature_norm else None
        )
        self.bottleneck = nn.Linear(n_channels * n_masks, n_concepts)
        self.head = nn.Linear(n_concepts, n_outputs)
        for name, value in [
            ("x_loc", x_loc),
            ("x_scale", x_scale),
            ("feature_scale", feature_scale),
            ("loc", loc),
            ("scale", scale),
        ]:
            self.register_buffer(name, torch.as_tensor(value, dtype=torch.float32))

    def _generator_input(self, x):
        z = (x - self.x_loc[:, None]) / self.x_scale[:, None]
        if self.positional:
            ramp = torch.linspace(-1.0, 1.0, x.shape[-1], device=x.device, dtype=x.dtype)
            z = torch.cat([z, ramp.expand(len(x), 1, -1)], dim=1)
        return z

    def logits(self, x):
        """Batch-normalised mask logits of shape ``(batch, C * M, T)``."""
        return self.logit_norm(self.mask_generator(self._generator_input(x)))

    def masks(self, x):
        """Binary masks of shape ``(batch, C, M, T)``."""
        logits = self.logits(x).view(len(x), self.n_channels, self.n_masks, -1)
        return gumbel_sigmoid_st(logits, self.temperature, self.training, self.noise_scale)

    @torch.no_grad()
    def calibrate(self, x, batch_size):
        """Recompute the running statistics of both batch norms on ``x``, in one pass
        of the mask generator.

        The logits' norm gets the mean and variance of the generator's outputs
        (per output channel, over samples and time steps); then, with
        ``feature_norm``, the features' norm gets the mean and variance of the
        scale-free features under the inference masks those statistics give.
        In training the norms use each batch's statistics while their running
        averages trail the changing weights; recomputing them on the training
        set makes the inference model that of the current weights.
        """
        outputs = torch.cat(
            [self.mask_generator(self._generator_input(xb)) for xb in x.split(batch_size)]
        )
        wide = outputs.double()
        count = wide.shape[0] * wide.shape[2]
        mean = wide.mean((0, 2))
        var = wide.var((0, 2), correction=int(count > 1))
        norm = self.logit_norm
        norm.running_mean.copy_(mean.to(norm.running_mean.dtype))
        norm.running_var.copy_(var.to(norm.running_var.dtype))
        if self.feature_norm is None:
            return
        logits = nn.functional.batch_norm(
            outputs, norm.running_mean, norm.running_var, norm.weight, norm.bias,
            training=False, eps=norm.eps,
        )
        masks = (logits > 0).to(x.dtype).view(len(x), self.n_channels, self.n_masks, -1)
        features = torch.cat(
            [
                self._scale_free(self.aggregate(xb, mb)).double()
                for xb, mb in zip(x.split(batch_size), masks.split(batch_size))
            ]
        )
        norm = self.feature_norm
        norm.running_mean.copy_(features.mean(0).to(norm.running_mean.dtype))
        variance = features.var(0, correction=int(len(features) > 1))
        norm.running_var.copy_(variance.to(norm.running_var.dtype))

    def _scale_free(self, features):
        return features.flatten(1) / self.feature_scale

    def aggregate(self, x, masks):
        """Aggregated features ``(batch, C, M)`` of the masked series."""
        x = x[:, :, None, :]
        if self.aggregation == "sum":
            return (masks * x).sum(-1)
        if self.aggregation == "mean":
            return (masks * x).sum(-1) / masks.sum(-1).clamp(min=1.0)
        if self.aggregation == "max":
            # Unselected steps count as the series' minimum, so the gradient reaches
            # the mask at the maximum; an empty mask yields that minimum.
            floor = x.amin(-1, keepdim=True).detach()
            return (masks * x + (1 - masks) * floor).amax(-1)
        return ((masks * x.abs() ** self.p).sum(-1) + 1e-12) ** (1.0 / self.p)

    def effective_weights(self):
        """Bottleneck and head weights acting on the raw features and producing the
        output in its own units: ``(W, b, V, c)`` with
        ``concepts = features @ W.T + b`` and ``output = concepts @ V.T + c``.

        With ``feature_norm``, ``W`` and ``b`` fold in the running statistics of
        the features' batch norm: they hold at inference (eval mode)."""
        W, b = self.bottleneck.weight, self.bottleneck.bias
        if self.feature_norm is not None:
            norm = self.feature_norm
            W = W / torch.sqrt(norm.running_var + norm.eps)
            b = b - W @ norm.running_mean
        W = W / self.feature_scale
        V = self.head.weight * self.scale[:, None]
        c = self.head.bias * self.scale + self.loc
        return W, b, V, c

    def decompose(self, x):
        """Masks ``(B, C, M, T)``, features ``(B, C, M)``, concepts ``(B, K)``,
        contributions ``(B, n_outputs, K)`` and the output bias ``(n_outputs,)``."""
        masks = self.masks(x)
        features = self.aggregate(x, masks)
        scale_free = self._scale_free(features)
        if self.feature_norm is not None:
            scale_free = self.feature_norm(scale_free)
        concepts = self.bottleneck(scale_free)
        _, _, V, c = self.effective_weights()
        contributions = concepts[:, None, :] * V[None]
        return masks, features, concepts, contributions, c

    def forward(self, x):
        *_, contributions, bias = self.decompose(x)
        return contributions.sum(-1) + bias

    def penalties(self):
        """L1 norm of the bottleneck weights and ``||B^T B - I||_F`` with ``B`` the
        ``(C*M, K)`` bottleneck matrix."""
        W = self.bottleneck.weight
        gram = W @ W.T
        eye = torch.eye(len(gram), device=W.device, dtype=W.dtype)
        return W.abs().sum(), torch.linalg.matrix_norm(gram - eye)
