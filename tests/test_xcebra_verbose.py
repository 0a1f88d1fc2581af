"""XCEBRA's ``verbose`` is an int, as every other estimator's (bools still work)."""

import pytest

from sklearn_tsx.datasets import make_xcebra_recording
from sklearn_tsx.models import XCEBRA

TINY = dict(n_latents=3, n_behavior_latents=1, max_iterations=3, batch_size=16)


@pytest.fixture(scope="module")
def recording():
    X, y, _ = make_xcebra_recording(200, 6, random_state=0)
    return X, y


@pytest.mark.parametrize("verbose", [0, False])
def test_silent(recording, capfd, verbose):
    XCEBRA(**TINY, random_state=0, verbose=verbose).fit(*recording)
    assert capfd.readouterr().err == ""


@pytest.mark.parametrize("verbose", [1, 2, True])
def test_progress_bar(recording, capfd, verbose):
    XCEBRA(**TINY, random_state=0, verbose=verbose).fit(*recording)
    assert "it" in capfd.readouterr().err


@pytest.mark.parametrize("verbose", [-1, "yes", 0.5])
def test_bad_verbose(recording, verbose):
    with pytest.raises(ValueError, match="verbose must be an integer >= 0"):
        XCEBRA(**TINY, verbose=verbose).fit(*recording)


def test_default_is_int():
    verbose = XCEBRA().verbose
    assert verbose == 0 and not isinstance(verbose, bool)
