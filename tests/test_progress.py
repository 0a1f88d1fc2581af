"""Progress of the long optimisations: epoch by epoch when ``verbose`` is set,
plain lines when stderr is not a terminal, nothing otherwise."""

import pytest
from _explainer_fixtures import ReluNet, fitted_gru, make_panel

from sklearn_tsx.explainers import (
    FIT,
    ContraLSP,
    Dynamask,
    ExtremalMask,
    Saliency,
    TemporalSaliencyRescaling,
)
from sklearn_tsx.utils._progress import progress


def test_progress_writes_plain_lines_off_a_terminal(capsys):
    assert list(progress(range(4), verbose=1, desc="fit", unit="epoch")) == [0, 1, 2, 3]
    err = capsys.readouterr().err
    assert err.splitlines() == [line for line in err.split("\n") if line]
    assert "fit: 100%" in err and "4/4" in err and "epoch" in err
    assert "\r" not in err and "\x1b" not in err


def test_progress_of_unknown_length_ends_with_a_line(capsys):
    assert list(progress(iter("abc"), verbose=1, desc="steps")) == ["a", "b", "c"]
    assert "steps: 3it" in capsys.readouterr().err


def test_progress_is_silent_when_not_verbose(capsys):
    steps = range(4)
    assert progress(steps, verbose=0, desc="fit") is steps
    assert capsys.readouterr().err == ""


def _mask_explainers():
    return [
        (Dynamask(ReluNet(), max_epochs=3), None, "Dynamask", "3/3"),
        (ExtremalMask(ReluNet(), max_epochs=3, random_state=0), None, "ExtremalMask",
         "3/3"),
        (ContraLSP(ReluNet(), max_epochs=3, random_state=0), None, "ContraLSP fit", "3/3"),
        (FIT(fitted_gru(), max_epochs=3, n_samples=2, random_state=0), None,
         "FIT generator", "3/3"),
        # 4 samples x 9 copies, 4 rows per base batch
        (TemporalSaliencyRescaling(Saliency(ReluNet(), batch_size=4)), 0,
         "TSR time copies", "9/9"),
    ]


@pytest.mark.parametrize("index", range(5))
def test_verbose_explainer_shows_progress_of_its_optimisation(index, capsys):
    explainer, target, label, count = _mask_explainers()[index]
    X = make_panel(4)
    explainer.set_params(verbose=1).fit(X).explain(X, target=target)
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if line.startswith(label + ":"))
    assert count in line and "\r" not in err
    explainer.set_params(verbose=0).fit(X).explain(X, target=target)
    assert capsys.readouterr() == ("", "")


def test_contralsp_shows_epochs_of_new_samples(capsys):
    X = make_panel(4)
    explainer = ContraLSP(ReluNet(), max_epochs=2, random_state=0).fit(X)
    explainer.set_params(verbose=1).explain(make_panel(2, seed=1))
    assert "ContraLSP: 100%" in capsys.readouterr().err
