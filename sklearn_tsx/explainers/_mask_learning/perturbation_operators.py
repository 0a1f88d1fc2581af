"""Mask-driven perturbation operators of Dynamask (Crabbé & van der Schaar, 2021).

Each operator maps a batch of series ``x`` of shape ``(B, C, T)`` and masks of
shape ``(B, C, T)`` or ``(B, A, C, T)`` (``A`` masks per series, e.g. one per
area) to perturbed series of the mask's shape. A mask coefficient of 1 keeps
the input value; lower coefficients perturb it more. All operators are
differentiable in the mask, and all work on every series and every mask at once.
"""

import functools
import math
import numbers

import torch

__all__ = [
    "gaussian_blur",
    "fade_moving_average",
    "fade_past_moving_average",
    "fade_reference",
]


def _check_shapes(x, mask):
    if x.ndim != 3:
        raise ValueError(f"x must have shape (B, C, T); got {tuple(x.shape)}.")
    if (
        mask.ndim not in (3, 4)
        or mask.shape[0] != x.shape[0]
        or mask.shape[-2:] != x.shape[1:]
    ):
        raise ValueError(
            f"mask must have shape (B, C, T) or (B, A, C, T) matching x {tuple(x.shape)}; "
            f"got {tuple(mask.shape)}."
        )
    return x[:, None] if mask.ndim == 4 else x


def _check_window(window_size):
    if not isinstance(window_size, numbers.Integral) or window_size < 0:
        raise ValueError(f"window_size must be a non-negative integer; got {window_size!r}.")


def _windows(x, before, after):
    """``out[..., t, k] = x[..., t - before + k]`` and whether that index lies in
    ``[0, T)``; shapes ``(B, C, T, before + after + 1)`` and ``(T, before + after + 1)``."""
    T = x.shape[-1]
    padded = torch.nn.functional.pad(x, (before, after))
    windows = padded.unfold(-1, before + after + 1, 1)
    index = torch.arange(T, device=x.device)[:, None] + torch.arange(
        -before, after + 1, device=x.device
    )
    return windows, (index >= 0) & (index < T)


def _moving_average(x, before, after):
    """Mean of ``x[t - before : t + after + 1]`` over the time points that exist."""
    windows, valid = _windows(x, before, after)
    return windows.sum(-1) / valid.sum(-1).to(x.dtype)


def gaussian_blur(x, mask, *, sigma_max=2.0, window=None, eps=1e-7):
    r"""Temporal Gaussian blur whose width shrinks where the mask is high.

    :math:`\pi(x, m)_{c,t} = \sum_s x_{c,s}\, g_{c,t}(s - t) / \sum_s g_{c,t}(s - t)`
    with :math:`g_{c,t}(d) = \exp(-d^2 / 2\sigma_{c,t}^2)` and
    :math:`\sigma_{c,t} = \sigma_{max}(1 + \epsilon - m_{c,t})`, so a mask of 1
    returns the input.

    Parameters
    ----------
    x : torch.Tensor of shape (B, C, T)
        Series to perturb.
    mask : torch.Tensor of shape (B, C, T) or (B, A, C, T)
        Mask coefficients in [0, 1].
    sigma_max : float, default=2.0
        Width of the blur where the mask is 0.
    window : int or None, default=None
        Half-width of the kernel in time points. ``None`` sums over the whole
        series (cost :math:`O(T^2)` per channel); an integer ``w`` truncates the
        kernel to ``|s - t| <= w`` (cost :math:`O(T w)`, memory
        :math:`O(T w)`), exact up to the Gaussian's tail beyond ``w``
        (below :math:`e^{-8}` of the centre weight for ``w >= 4 sigma_max``).
    eps : float, default=1e-7
        Keeps the width positive where the mask is 1.

    Returns
    -------
    perturbed : torch.Tensor of the shape of ``mask``

    Examples
    --------
    >>> import torch
    >>> from sklearn_tsx.explainers import gaussian_blur
    >>> x = torch.randn(2, 3, 20)
    >>> torch.allclose(gaussian_blur(x, torch.ones(2, 3, 20)), x)
    True
    >>> gaussian_blur(x, torch.rand(2, 5, 3, 20), window=8).shape
    torch.Size([2, 5, 3, 20])
    """
    xb = _check_shapes(x, mask)
    if sigma_max <= 0:
        raise ValueError(f"sigma_max must be positive; got {sigma_max!r}.")
    T = x.shape[-1]
    sigma = sigma_max * ((1.0 + eps) - mask)
    if window is None:
        t = torch.arange(T, device=x.device, dtype=x.dtype)
        sq_dist = (t[None, :] - t[:, None]) ** 2  # (t, s)
        weights = _gaussian_weights(sq_dist, sigma[..., None])
        weights = weights / weights.sum(-1, keepdim=True)
        return torch.einsum("...cts,...cs->...ct", weights, xb)
    _check_window(window)
    w = min(int(window), T - 1)
    if not x.requires_grad:
        return _WindowedBlur.apply(sigma, x, _blur_coefficients(x, w))
    windows, valid = _windows(x, w, w)
    offsets = torch.arange(-w, w + 1, device=x.device, dtype=x.dtype)
    weights = _gaussian_weights(offsets**2, sigma[..., None]) * valid
    weights = weights / weights.sum(-1, keepdim=True)
    windows = windows[:, None] if mask.ndim == 4 else windows
    return (weights * windows).sum(-1)


def _blur_coefficients(x, w):
    """Per offset ``k = 1..w``, the coefficients of the windowed blur's four sums
    (see :class:`_WindowedBlur`): how many of ``x[t-k]``, ``x[t+k]`` exist, their
    sum, and both times ``k^2``; shape ``(w, 4, B, C, T)``. They depend on ``x``
    alone, so a fit that blurs one batch many times builds them once."""
    windows, valid = _windows(x, w, w)
    pair = windows[..., w + 1 :] + windows[..., :w].flip(-1)  # (B, C, T, w)
    count = (valid[:, w + 1 :].to(x.dtype) + valid[:, :w].flip(-1)).expand_as(pair)
    coef = torch.stack((count, pair), dim=0).movedim(-1, 0)  # (w, 2, B, C, T)
    k_sq = torch.arange(1, w + 1, dtype=x.dtype, device=x.device) ** 2
    return torch.cat((coef, coef * k_sq[:, None, None, None, None]), dim=1).contiguous()


# exp(z) is subnormal or zero below z = -87, where torch's vectorised exp takes a
# slow path (about 15x slower): exponents are clamped there, and weights at or
# below exp(-87) (float32's smallest normal number is 1.2e-38) are set to zero
_EXP_FLOOR = -87.0
_TINY_WEIGHT = 1.7e-38


def _gaussian_weights(sq_dist, sigma):
    """``exp(-sq_dist / 2 sigma^2)``, differentiable, without the slow path."""
    log_weights = (-sq_dist / (2.0 * sigma**2)).clamp(min=_EXP_FLOOR)
    return torch.nn.functional.threshold(torch.exp(log_weights), _TINY_WEIGHT, 0.0)


class _WindowedBlur(torch.autograd.Function):
    """Windowed Gaussian blur differentiated in the widths only, without
    materialising the kernel: time and memory O(T) per offset.

    Offsets ``+k`` and ``-k`` share their weight ``q^{k^2}`` (``q = exp(-1/2
    sigma^2)``), built by running products, so one ``exp`` serves all offsets.
    With ``S_j = sum_k w_k k^{2j'} x_k`` style sums, the blur is ``S1 / S0`` and
    its derivative in ``sigma`` is ``(S3 - out S2) / (S0 sigma^3)``.
    """

    @staticmethod
    def forward(ctx, sigma, x, coef):
        if sigma.ndim == 4:
            coef = coef[:, :, :, None]
        sigma_sq = sigma.square()
        log_q = sigma_sq.reciprocal().mul_(-0.5)
        q = torch.exp(log_q.clamp_(min=_EXP_FLOOR))
        torch.nn.functional.threshold_(q, _TINY_WEIGHT, 0.0)
        q2 = q * q
        step = q  # q^(2k-1)
        weight = torch.ones_like(sigma)  # q^(k^2)
        # (broadcasting copies are slow on CPU: the centre's terms come last)
        sums = torch.zeros((4, *sigma.shape), dtype=sigma.dtype, device=sigma.device)
        for k in range(len(coef)):
            weight.mul_(step)
            step.mul_(q2)
            sums.addcmul_(weight, coef[k])
        s0, s1, s2, s3 = sums
        s0.add_(1.0)
        out = s1.add_(x[:, None] if sigma.ndim == 4 else x).div_(s0)
        # d out / d sigma, kept for the backward pass instead of the four sums
        ctx.save_for_backward(s3.sub_(s2.mul_(out)).div_(s0.mul_(sigma_sq.mul_(sigma))))
        return out.clone()

    @staticmethod
    def backward(ctx, grad_out):
        (d_sigma,) = ctx.saved_tensors
        return grad_out * d_sigma, None, None


def fade_moving_average(x, mask, *, window_size=2):
    r"""Fade towards the centred moving average:
    :math:`m\,x + (1 - m)\,\mu` with :math:`\mu_t` the mean of
    :math:`x_{t-W..t+W}` (over the time points that exist, at the edges).

    Parameters
    ----------
    x : torch.Tensor of shape (B, C, T)
        Series to perturb.
    mask : torch.Tensor of shape (B, C, T) or (B, A, C, T)
        Mask coefficients in [0, 1].
    window_size : int, default=2
        Half-width ``W`` of the averaging window; ``W >= T - 1`` fades to the
        series mean.

    Returns
    -------
    perturbed : torch.Tensor of the shape of ``mask``

    Examples
    --------
    >>> import torch
    >>> from sklearn_tsx.explainers import fade_moving_average
    >>> x = torch.arange(5.0).reshape(1, 1, 5)
    >>> fade_moving_average(x, torch.zeros(1, 1, 5), window_size=1)
    tensor([[[0.5000, 1.0000, 2.0000, 3.0000, 3.5000]]])
    """
    xb = _check_shapes(x, mask)
    _check_window(window_size)
    w = min(int(window_size), x.shape[-1] - 1)
    mu = _moving_average(x, w, w)
    mu = mu[:, None] if mask.ndim == 4 else mu
    return mu + mask * (xb - mu)


def fade_past_moving_average(x, mask, *, window_size=2):
    r"""Fade towards the moving average of the past:
    :math:`m\,x + (1 - m)\,\mu^p` with :math:`\mu^p_t` the mean of
    :math:`x_{t-W..t}`; suited to forecasting, where the future is unknown.

    Parameters
    ----------
    x : torch.Tensor of shape (B, C, T)
        Series to perturb.
    mask : torch.Tensor of shape (B, C, T) or (B, A, C, T)
        Mask coefficients in [0, 1].
    window_size : int, default=2
        Number ``W`` of past time points averaged with the current one.

    Returns
    -------
    perturbed : torch.Tensor of the shape of ``mask``

    Examples
    --------
    >>> import torch
    >>> from sklearn_tsx.explainers import fade_past_moving_average
    >>> x = torch.arange(5.0).reshape(1, 1, 5)
    >>> fade_past_moving_average(x, torch.zeros(1, 1, 5), window_size=1)
    tensor([[[0.0000, 0.5000, 1.5000, 2.5000, 3.5000]]])
    """
    xb = _check_shapes(x, mask)
    _check_window(window_size)
    mu = _moving_average(x, min(int(window_size), x.shape[-1] - 1), 0)
    mu = mu[:, None] if mask.ndim == 4 else mu
    return mu + mask * (xb - mu)


def fade_reference(x, mask, *, reference=0.0):
    r"""Fade towards a reference: :math:`m\,x + (1 - m)\,r`.

    Parameters
    ----------
    x : torch.Tensor of shape (B, C, T)
        Series to perturb.
    mask : torch.Tensor of shape (B, C, T) or (B, A, C, T)
        Mask coefficients in [0, 1].
    reference : float or torch.Tensor broadcastable to (B, C, T), default=0.0
        The value a fully masked entry takes (a baseline series, a per-channel
        mean, zero...).

    Returns
    -------
    perturbed : torch.Tensor of the shape of ``mask``

    Examples
    --------
    >>> import torch
    >>> from sklearn_tsx.explainers import fade_reference
    >>> x = torch.ones(1, 1, 3)
    >>> fade_reference(x, torch.tensor([[[1.0, 0.5, 0.0]]]), reference=3.0)
    tensor([[[1., 2., 3.]]])
    """
    xb = _check_shapes(x, mask)
    ref = torch.as_tensor(reference, dtype=x.dtype, device=x.device)
    ref = torch.broadcast_to(ref, x.shape)
    ref = ref[:, None] if mask.ndim == 4 else ref
    return ref + mask * (xb - ref)


PERTURBATIONS = {
    "gaussian_blur": gaussian_blur,
    "fade_moving_average": fade_moving_average,
    "fade_past_moving_average": fade_past_moving_average,
    "fade_reference": fade_reference,
}


def perturbation_of(x, name, **params):
    """The operator ``mask -> name(x, mask, **params)`` for one fixed batch ``x``.

    A mask fit perturbs the same batch at every epoch: what depends on ``x``
    alone (the windowed blur's per-offset sums) is computed here once.
    """
    if name == "gaussian_blur" and params.get("window") is not None and not x.requires_grad:
        sigma_max, eps = params.get("sigma_max", 2.0), params.get("eps", 1e-7)
        _check_window(params["window"])
        coef = _blur_coefficients(x, min(int(params["window"]), x.shape[-1] - 1))

        def blur(mask):
            _check_shapes(x, mask)
            return _WindowedBlur.apply(sigma_max * ((1.0 + eps) - mask), x, coef)

        return blur
    return functools.partial(PERTURBATIONS[name], x, **params)


def auto_blur_window(sigma_max, n_timepoints):
    """Half-width of the truncated Gaussian kernel: 4 sigma_max, like
    ``scipy.ndimage.gaussian_filter``'s default ``truncate``."""
    return min(int(math.ceil(4 * sigma_max)), n_timepoints - 1)
