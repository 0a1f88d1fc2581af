"""Plots of a fitted MAGNETS model: its masks over a series, its bottleneck weights
and the additive contributions of its concepts."""

import numbers

import numpy as np

__all__ = [
    "plot_magnets_masks",
    "plot_magnets_bottleneck",
    "plot_magnets_contributions",
]


def _check_sample(X, sample):
    if not isinstance(sample, numbers.Integral) or not 0 <= sample < len(X):
        raise ValueError(f"sample must be an index in [0, {len(X)}); got {sample!r}.")


def _figure(figsize):
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, layout="constrained")


def plot_magnets_masks(model, X, sample=0, *, figsize=None):
    """The series of one sample with each of its masks shaded underneath.

    One panel per channel; mask ``m`` of that channel is a band of its own colour
    below the series, filled where the mask selects the step.

    Parameters
    ----------
    model : MagnetsRegressor or MagnetsClassifier
        The fitted model.
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Panel holding the sample.
    sample : int, default=0
        Index of the plotted sample.
    figsize : tuple of float, default=None
        Figure size; by default 8 wide and 2.2 per channel.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.models import MagnetsRegressor
    >>> from sklearn_tsx.plotting import plot_magnets_masks
    >>> X = np.random.default_rng(0).normal(size=(20, 2, 16)).astype(np.float32)
    >>> model = MagnetsRegressor(n_masks=2, max_epochs=1, random_state=0)
    >>> model = model.fit(X, X[:, 0].sum(axis=1))
    >>> fig = plot_magnets_masks(model, X, sample=3)
    >>> len(fig.axes)
    2
    """
    from ..utils import check_time_series

    X = check_time_series(X)
    _check_sample(X, sample)
    parts = model.explain(X[sample : sample + 1])
    masks = parts.masks[0]
    n_channels, n_masks, n_time = masks.shape
    fig = _figure(figsize or (8, 2.2 * n_channels))
    axes = fig.subplots(n_channels, 1, sharex=True, squeeze=False)[:, 0]
    t = np.arange(n_time)
    colors = [f"C{i % 10}" for i in range(1, n_masks + 1)]
    for c, ax in enumerate(axes):
        x = X[sample, c]
        lo, hi = float(x.min()), float(x.max())
        span = (hi - lo) or 1.0
        band = 0.12 * span
        for m in range(n_masks):
            bottom = lo - (m + 1.2) * band
            ax.fill_between(
                t, bottom, bottom + 0.8 * band, where=masks[c, m], step="mid",
                color=colors[m], alpha=0.8,
                label=f"mask {m} (z={parts.features[0, c, m]:.3g})",
            )
        ax.plot(t, x, color="C0", lw=1.2)
        ax.set_ylabel(f"channel {c}")
        ax.legend(loc="upper right", fontsize="x-small", ncol=min(n_masks, 4))
    axes[-1].set_xlabel("time step")
    fig.suptitle(f"MAGNETS masks, sample {sample}")
    return fig


def plot_magnets_bottleneck(model, *, figsize=None):
    """Heatmap of the bottleneck weights: one row per concept, one column per
    (channel, mask) feature.

    The weights are ``bottleneck_weights_`` multiplied by each feature's typical
    size, or by its standard deviation on the training data when the model
    standardises its features (``feature_norm``): the weights the model's
    penalties see, so that columns are comparable.

    Parameters
    ----------
    model : MagnetsRegressor or MagnetsClassifier
        The fitted model.
    figsize : tuple of float, default=None
        Figure size.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.models import MagnetsRegressor
    >>> from sklearn_tsx.plotting import plot_magnets_bottleneck
    >>> X = np.random.default_rng(0).normal(size=(20, 2, 16)).astype(np.float32)
    >>> model = MagnetsRegressor(n_masks=2, max_epochs=1, random_state=0)
    >>> fig = plot_magnets_bottleneck(model.fit(X, X[:, 0].sum(axis=1)))
    >>> fig.axes[0].get_ylabel()
    'concept'
    """
    W = model.module_.bottleneck.weight.detach().cpu().numpy()
    n_concepts = W.shape[0]
    n_channels, n_masks = model.bottleneck_weights_.shape[1:]
    fig = _figure(figsize or (max(4, 0.6 * W.shape[1] + 2), 0.5 * n_concepts + 2))
    ax = fig.subplots()
    bound = float(np.abs(W).max()) or 1.0
    image = ax.imshow(W, cmap="RdBu_r", vmin=-bound, vmax=bound, aspect="auto")
    ax.set_xticks(range(W.shape[1]))
    ax.set_xticklabels(
        [f"c{c}m{m}" for c in range(n_channels) for m in range(n_masks)], rotation=90
    )
    ax.set_yticks(range(n_concepts))
    ax.set_xlabel("feature (channel, mask)")
    ax.set_ylabel("concept")
    fig.colorbar(image, ax=ax, label="weight (scale-free features)")
    ax.set_title("MAGNETS bottleneck")
    return fig


def plot_magnets_contributions(model, X, sample=0, *, output=0, figsize=None):
    """Waterfall of one prediction: the bias, then each concept's contribution,
    ending at the prediction.

    Parameters
    ----------
    model : MagnetsRegressor or MagnetsClassifier
        The fitted model.
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Panel holding the sample.
    sample : int, default=0
        Index of the explained sample.
    output : int, default=0
        Output (multi-output regressor) or class (classifier, its logit) shown.
    figsize : tuple of float, default=None
        Figure size.

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.models import MagnetsRegressor
    >>> from sklearn_tsx.plotting import plot_magnets_contributions
    >>> X = np.random.default_rng(0).normal(size=(20, 2, 16)).astype(np.float32)
    >>> model = MagnetsRegressor(n_concepts=3, max_epochs=1, random_state=0)
    >>> fig = plot_magnets_contributions(model.fit(X, X[:, 0].sum(axis=1)), X)
    >>> len(fig.axes[0].patches)
    5
    """
    from ..utils import check_time_series

    X = check_time_series(X)
    _check_sample(X, sample)
    parts = model.explain(X[sample : sample + 1])
    contributions = np.asarray(parts.contributions[0])
    bias = np.asarray(parts.bias)
    if contributions.ndim == 2:
        if not isinstance(output, numbers.Integral) or not 0 <= output < len(bias):
            raise ValueError(f"output must be in [0, {len(bias)}); got {output!r}.")
        contributions, bias = contributions[output], bias[output]
    bias = float(bias)
    steps = [bias, *contributions.tolist()]
    labels = ["bias"] + [f"concept {k}" for k in range(len(contributions))] + ["prediction"]
    fig = _figure(figsize or (1.1 * len(labels) + 2, 4))
    ax = fig.subplots()
    running = 0.0
    for i, step in enumerate(steps):
        color = "0.6" if i == 0 else ("C3" if step >= 0 else "C0")
        ax.bar(i, step, bottom=running, color=color)
        running += step
    ax.bar(len(steps), running, color="k")
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=45, ha="right")
    ax.set_ylabel("contribution")
    ax.set_title(f"MAGNETS prediction {running:.4g}, sample {sample}")
    return fig
