"""Torch counterparts of the library's transformers, so that gradient explainers
differentiate a pipeline through them: attributions are then in the units of the
pipeline's raw input."""

import numpy as np
import torch

__all__ = ["StandardisedInput"]

_EPS = np.finfo(np.float64).eps


def _statistic(stat, neutral):
    """A fitted mean or scale, ``(C,)`` or ``(C, T)``, as a float64 tensor that
    broadcasts over a ``(batch, C, T)`` panel; ``neutral`` when not learned."""
    stat = np.asarray(neutral if stat is None else stat, dtype=np.float64)
    return torch.as_tensor(stat[:, np.newaxis] if stat.ndim == 1 else stat)


class StandardisedInput(torch.nn.Module):
    """``module(scaler.transform(x))`` for a fitted ``TimeSeriesStandardScaler``,
    differentiable.

    Computed in float64, as the scaler computes, then cast back to the input's
    dtype. With ``per="series"`` each series is z-normalised over its own time
    points, and a constant series is centred but not scaled, as the scaler does.

    Parameters
    ----------
    module : torch.nn.Module
        The module reading the scaled series.
    scaler : TimeSeriesStandardScaler
        Fitted.
    """

    def __init__(self, module, scaler):
        super().__init__()
        self.module = module
        self.per = scaler.per_
        self.with_mean = scaler.with_mean
        self.with_std = scaler.with_std
        if self.per != "series":
            self.register_buffer("loc", _statistic(scaler.mean_, 0.0))
            self.register_buffer("scale", _statistic(scaler.scale_, 1.0))

    def forward(self, x):
        z = x.to(torch.float64)
        if self.per == "series":
            mean = z.mean(dim=2, keepdim=True)
            if self.with_mean:
                z = z - mean
            if self.with_std:
                var = z.var(dim=2, correction=0, keepdim=True)
                with torch.no_grad():
                    constant = var.sqrt() <= 10 * _EPS * mean.abs().clamp(min=1.0)
                # the variance of a constant series is never differentiated
                # through sqrt at 0, whose gradient is infinite
                z = z / torch.where(constant, torch.ones_like(var), var).sqrt()
        else:
            z = (z - self.loc) / self.scale
        return self.module(z.to(x.dtype))
