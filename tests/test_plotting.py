"""plot_saliency."""

import matplotlib
import numpy as np
import pytest

from sklearn_tsx.plotting import plot_saliency


def test_panels_follow_the_inputs():
    rng = np.random.default_rng(0)
    S, X, truth = rng.normal(size=(3, 20)), rng.normal(size=(3, 20)), rng.random((3, 20)) > 0.5
    fig = plot_saliency(S)
    assert isinstance(fig, matplotlib.figure.Figure)
    assert [ax.get_title() for ax in fig.axes[:1]] == ["attributions"]
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), np.abs(S))
    fig = plot_saliency(S[None], X=X, true_saliency=truth, absolute=False, title="Grad",
                        channel_names=["a", "b", "c"])
    titles = sorted(ax.get_title() for ax in fig.axes)
    assert titles == ["", "", "Grad", "ground truth", "series"]
    heat = next(ax for ax in fig.axes if ax.get_title() == "Grad")
    np.testing.assert_allclose(heat.images[0].get_array(), S)
    assert [t.get_text() for t in heat.get_yticklabels()] == ["a", "b", "c"]
    series = next(ax for ax in fig.axes if ax.get_title() == "series")
    assert len(series.lines) == 3
    matplotlib.pyplot.close("all")


def test_errors():
    S = np.zeros((3, 20))
    with pytest.raises(ValueError, match="one sample"):
        plot_saliency(np.zeros((2, 3, 20)))
    with pytest.raises(ValueError, match="X has shape"):
        plot_saliency(S, X=np.zeros((3, 19)))
    with pytest.raises(ValueError, match="true_saliency has shape"):
        plot_saliency(S, true_saliency=np.zeros((2, 20)))
    with pytest.raises(ValueError, match="channel_names"):
        plot_saliency(S, channel_names=["a"])
    with pytest.raises(ValueError, match="n_channels, n_timepoints"):
        plot_saliency(np.zeros((1, 2, 3, 4)))
