"""Heatmap of one sample's attributions."""

import numpy as np

__all__ = ["plot_saliency"]


def _as_map(values, name):
    values = np.asarray(values, dtype=float)
    if values.ndim == 3:
        if len(values) != 1:
            raise ValueError(
                f"{name} holds {len(values)} samples; plot_saliency shows one sample: "
                f"pass {name}[i]."
            )
        values = values[0]
    if values.ndim == 1:
        values = values[None]
    if values.ndim != 2:
        raise ValueError(
            f"{name} must have shape (n_channels, n_timepoints); got {values.shape}."
        )
    if not np.isfinite(values).all():
        n_bad = int((~np.isfinite(values)).sum())
        raise ValueError(
            f"{name} holds {n_bad} NaN or infinite value(s) of {values.size}; a heatmap "
            "of them would be blank. Find where the explainer produced them (for "
            "example a division by a zero baseline difference)."
        )
    return values


def plot_saliency(attributions, X=None, true_saliency=None, *, absolute=True,
                  cmap="viridis", title=None, channel_names=None, figsize=None):
    """Heatmap of one sample's attributions over channels and time.

    Parameters
    ----------
    attributions : array-like of shape (n_channels, n_timepoints)
        Attributions of one sample (a leading axis of length 1 is accepted).
    X : array-like of shape (n_channels, n_timepoints), default=None
        The explained series, drawn above the heatmap when given.
    true_saliency : array-like of shape (n_channels, n_timepoints), default=None
        Ground-truth saliency, drawn as a heatmap beside the attributions.
    absolute : bool, default=True
        Show absolute attributions.
    cmap : str, default="viridis"
        Colormap of the heatmaps.
    title : str, default=None
        Title of the attribution panel.
    channel_names : list of str, default=None
        Labels of the channels (y axis).
    figsize : tuple of float, default=None
        Figure size; chosen from the panels when ``None``.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Raises
    ------
    ValueError
        When an array is not one sample's ``(n_channels, n_timepoints)`` map,
        holds NaN or infinite values, or the arrays do not have the same shape.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.plotting import plot_saliency
    >>> rng = np.random.default_rng(0)
    >>> fig = plot_saliency(rng.random((3, 20)), X=rng.normal(size=(3, 20)))
    >>> len(fig.axes)  # series, heatmap and its colorbar
    3
    """
    import matplotlib.pyplot as plt

    saliency = _as_map(attributions, "attributions")
    if absolute:
        saliency = np.abs(saliency)
    others = {"X": X, "true_saliency": true_saliency}
    others = {k: _as_map(v, k) for k, v in others.items() if v is not None}
    for name, values in others.items():
        if values.shape != saliency.shape:
            raise ValueError(
                f"{name} has shape {values.shape} but attributions have shape "
                f"{saliency.shape}."
            )
    n_channels, n_timepoints = saliency.shape
    if channel_names is not None and len(channel_names) != n_channels:
        raise ValueError(
            f"channel_names has {len(channel_names)} names for {n_channels} channels."
        )
    panels = [("attributions", saliency, title or "attributions")]
    if "true_saliency" in others:
        panels.append(("truth", others["true_saliency"], "ground truth"))
    mosaic = [[name for name, _, _ in panels]]
    if "X" in others:
        mosaic.insert(0, ["series"] * len(panels))
    if figsize is None:
        figsize = (4.5 * len(panels) + 1, 2.5 * len(mosaic) + 0.1 * n_channels)
    fig, axes = plt.subplot_mosaic(
        mosaic, figsize=figsize, layout="constrained",
        height_ratios=[1, 2][-len(mosaic):],
    )
    extent = (-0.5, n_timepoints - 0.5, n_channels - 0.5, -0.5)
    for name, image, label in panels:
        ax = axes[name]
        shown = ax.imshow(image, aspect="auto", cmap=cmap, interpolation="nearest",
                          extent=extent)
        ax.set_title(label)
        ax.set_xlabel("time")
        ax.set_ylabel("channel")
        if channel_names is not None:
            ax.set_yticks(range(n_channels), channel_names)
        fig.colorbar(shown, ax=ax)
    if "X" in others:
        ax = axes["series"]
        ax.plot(others["X"].T, linewidth=0.8)
        ax.set_xlim(extent[:2])
        ax.set_ylabel("value")
        ax.set_title("series")
    return fig
