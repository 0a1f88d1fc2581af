"""plot_saliency refuses maps it cannot draw instead of returning a blank figure."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from sklearn_tsx.plotting import plot_saliency


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("argument", ["attributions", "X", "true_saliency"])
def test_non_finite_map_raises(bad, argument):
    arrays = {name: np.ones((2, 6)) for name in ["attributions", "X", "true_saliency"]}
    arrays[argument][1, 3] = bad
    attributions = arrays.pop("attributions")
    with pytest.raises(ValueError, match=f"{argument} holds 1 NaN or infinite value"):
        plot_saliency(attributions, **arrays)
    plt.close("all")


def test_all_nan_map_raises():
    with pytest.raises(ValueError, match="holds 12 NaN or infinite"):
        plot_saliency(np.full((1, 2, 6), np.nan))
