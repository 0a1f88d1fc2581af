"""Fit an interpretable MAGNETS regressor on real data, read what it learned, and
compare it with ROCKET and with a post-hoc explanation of a black-box network.

Run it with::

    python -m sklearn_tsx.quickstart

The Covid3Month regression set ships with sktime (nothing is downloaded): 201
univariate series of 84 days of confirmed COVID-19 cases per country, split
into 140 training and 61 test series; the target is the country's death rate
on 1 April 2020. The script

1. fits :class:`~sklearn_tsx.models.MagnetsRegressor` at its defaults on the
   training series and prints its test RMSE beside sktime's ``RocketRegressor``
   (the field's default pick; when numba is installed, else a ridge regression
   on the flattened series) and beside a mean predictor;
2. prints what the model learned: each concept's weight in the prediction and
   the masks it reads (which days they select, on average);
3. explains one test country's prediction as the sum of its concept
   contributions (exact, not an approximation);
4. fits a black-box :class:`~sklearn_tsx.models.TCNRegressor` on the same data
   and explains the same country with
   :class:`~sklearn_tsx.explainers.IntegratedGradients`;
5. saves the figures (masks over the series, contributions, bottleneck,
   saliency) to a folder it names.
"""

import argparse
import importlib.util
import os
import time

import numpy as np
import torch
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import RidgeCV
from sklearn.metrics import root_mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from .datasets import load_covid3month
from .explainers import IntegratedGradients
from .models import MagnetsRegressor, TCNRegressor

__all__ = ["make_reference_model", "describe_concepts", "run_quickstart", "main"]

FIGURES = ("magnets_masks.png", "magnets_contributions.png", "magnets_bottleneck.png",
           "tcn_saliency.png")


def _flatten(X):
    return np.asarray(X).reshape(len(X), -1)


def make_reference_model(*, rocket=None, num_kernels=10000, random_state=0):
    """The model MAGNETS is compared with: sktime's ROCKET, else a ridge regression.

    Parameters
    ----------
    rocket : bool or None, default=None
        Whether to use sktime's ``RocketRegressor``, which needs numba; ``None``
        uses it when numba is installed.
    num_kernels : int, default=10000
        ROCKET's number of random kernels (its own default).
    random_state : int, default=0
        Seed of ROCKET's kernels.

    Returns
    -------
    name : str
        A short name of the model, for printing.
    model : estimator
        The unfitted regressor; it takes ``(n, C, T)`` panels.

    Examples
    --------
    >>> from sklearn_tsx.quickstart import make_reference_model
    >>> name, model = make_reference_model(rocket=False)
    >>> name
    'ridge on the flattened series'
    """
    if rocket is None:
        rocket = importlib.util.find_spec("numba") is not None
    if rocket:
        from sktime.regression.kernel_based import RocketRegressor

        return "ROCKET (sktime)", RocketRegressor(
            num_kernels=num_kernels, random_state=random_state
        )
    return "ridge on the flattened series", make_pipeline(
        FunctionTransformer(_flatten), StandardScaler(),
        RidgeCV(alphas=np.logspace(-3, 3, 13)),
    )


def describe_concepts(model, X):
    """What a fitted MAGNETS regressor learned, one line per concept.

    Each concept's line gives its weight in the prediction, then the masks it
    reads most (their share of the concept's bottleneck weights, on features
    of unit spread), with the days each mask selects on average over ``X``.

    Parameters
    ----------
    model : MagnetsRegressor
        A fitted single-output regressor.
    X : array-like of shape (n_samples, n_channels, n_timepoints)
        Series over which the masks are summarised.

    Returns
    -------
    lines : list of str

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_tsx.models import MagnetsRegressor
    >>> from sklearn_tsx.quickstart import describe_concepts
    >>> X = np.random.default_rng(0).normal(size=(30, 1, 16)).astype(np.float32)
    >>> model = MagnetsRegressor(n_masks=2, n_concepts=2, max_epochs=2,
    ...                          random_state=0).fit(X, X[:, 0].sum(axis=1))
    >>> len(describe_concepts(model, X))
    2
    """
    parts = model.explain(X)
    masks = parts.masks  # (n, C, M, T)
    n_channels, n_masks, n_time = masks.shape[1:]
    # Weights on features of unit spread over X, so that masks compare.
    spread = parts.features.reshape(len(X), -1).std(axis=0)
    weights = model.bottleneck_weights_.reshape(len(model.bottleneck_weights_), -1) * spread
    head = np.atleast_2d(model.head_weights_)[0]
    days = np.arange(n_time)
    lines = []
    for k, w in enumerate(weights):
        share = np.abs(w) / (np.abs(w).sum() or 1.0)
        reads = []
        for j in np.argsort(-share)[:2]:
            if share[j] < 0.1:
                continue
            c, m = divmod(int(j), n_masks)
            selected = masks[:, c, m].astype(float)
            n_selected = selected.sum(axis=1)
            centre = (selected @ days / np.maximum(n_selected, 1))[n_selected > 0]
            where = (
                f"{n_selected.mean():.0f} steps around step {np.median(centre):.0f}"
                if len(centre) else "no step"
            )
            channel = f"channel {c} " if n_channels > 1 else ""
            reads.append(f"{channel}mask {m} ({100 * share[j]:.0f} %, {_sign(w[j])}; {where})")
        lines.append(
            f"concept {k}: weight {head[k]:+.4g} in the prediction; reads "
            + (", ".join(reads) or "no mask")
        )
    return lines


def _sign(value):
    """``"+"`` or ``"-"``."""
    return "+" if value >= 0 else "-"


def _window(attributions, width=7):
    """Start of the ``width``-step window with the largest total |attribution|."""
    totals = np.convolve(np.abs(attributions).sum(axis=0), np.ones(width), mode="valid")
    return int(np.argmax(totals))


def run_quickstart(*, max_epochs="auto", random_state=0, rocket=None, num_kernels=10000,
                   sample=0, output_dir="sklearn_tsx_quickstart", verbose=True):
    """Fit MAGNETS on Covid3Month, compare it, explain it and save the figures.

    Parameters
    ----------
    max_epochs : int or "auto", default="auto"
        Training budget of both networks (their default); a small number gives a
        fast, weaker smoke run.
    random_state : int, default=0
        Seed of both networks and of ROCKET.
    rocket : bool or None, default=None
        Compare with ROCKET (needs numba); ``None`` does when numba is there,
        else with a ridge regression.
    num_kernels : int, default=10000
        ROCKET's number of kernels.
    sample : int, default=0
        The test series whose prediction is explained.
    output_dir : str or path-like or None, default="sklearn_tsx_quickstart"
        Folder the figures are saved to (created); ``None`` saves none.
    verbose : bool, default=True
        Print the results.

    Returns
    -------
    results : dict
        ``"rmse"`` (MAGNETS), ``"reference_rmse"`` and ``"reference"`` (ROCKET
        or ridge, and its name), ``"baseline_rmse"`` (mean predictor),
        ``"tcn_rmse"``, ``"fit_time"`` (seconds, MAGNETS), ``"contributions"``
        and ``"bias"`` of the explained sample, ``"prediction"``,
        ``"head_alpha"`` (the model's ``head_alpha_``), ``"figures"`` (paths of
        the saved figures), ``"n_train"``, ``"n_test"``.

    Examples
    --------
    >>> from sklearn_tsx.quickstart import run_quickstart
    >>> results = run_quickstart(max_epochs=1, rocket=False, output_dir=None,
    ...                          verbose=False)
    >>> bool(abs(results["bias"] + results["contributions"].sum()
    ...          - results["prediction"]) < 1e-5)
    True
    """
    X_train, y_train = load_covid3month(split="train")
    X_test, y_test = load_covid3month(split="test")
    if not 0 <= sample < len(X_test):
        raise ValueError(f"sample must be in [0, {len(X_test)}); got {sample!r}.")
    say = print if verbose else (lambda *args, **kwargs: None)
    say(
        f"Covid3Month: {len(y_train)} training / {len(y_test)} test series of "
        f"{X_train.shape[2]} days of new cases; target: death rate on 1 April 2020.\n"
    )

    model = MagnetsRegressor(max_epochs=max_epochs, random_state=random_state)
    start = time.process_time()
    model.fit(X_train, y_train)
    fit_time = time.process_time() - start
    rmse = root_mean_squared_error(y_test, model.predict(X_test))

    reference, reference_model = make_reference_model(
        rocket=rocket, num_kernels=num_kernels, random_state=random_state
    )
    reference_model.fit(X_train.astype(np.float64), y_train)
    reference_rmse = root_mean_squared_error(
        y_test, reference_model.predict(X_test.astype(np.float64))
    )
    baseline = DummyRegressor().fit(X_train, y_train)
    baseline_rmse = root_mean_squared_error(y_test, baseline.predict(X_test))
    say("Test RMSE")
    say(f"  {'MagnetsRegressor() (interpretable)':36s}{rmse:.5f}   fit {fit_time:.1f} CPU-s")
    say(f"  {reference:36s}{reference_rmse:.5f}")
    say(f"  {'mean predictor':36s}{baseline_rmse:.5f}\n")

    say(f"What MAGNETS learned ({model.n_concepts} concepts, {model.n_masks} masks; "
        "prediction = bias + sum of concept contributions):")
    if not np.isfinite(model.head_alpha_):
        say("  On the countries held out for validation no concept predicted the death "
            "rate better than\n  the training mean, so the head keeps only the "
            "intercept (head_alpha_ = inf): the model\n  predicts the mean and gives "
            "each concept weight 0. What the masks found regardless:")
    for line in describe_concepts(model, X_train):
        say("  " + line)

    parts = model.explain(X_test[sample : sample + 1])
    contributions, bias = parts.contributions[0], float(parts.bias)
    prediction = float(model.predict(X_test[sample : sample + 1])[0])
    terms = " ".join(f"{_sign(c)} {abs(c):.4f}" for c in contributions)
    say(f"\nTest country {sample}: prediction {prediction:.4f} = bias {bias:.4f} {terms} "
        f"(true death rate {y_test[sample]:.4f})")

    tcn = TCNRegressor(max_epochs=max_epochs, random_state=random_state).fit(X_train, y_train)
    tcn_rmse = root_mean_squared_error(y_test, tcn.predict(X_test))
    saliency = IntegratedGradients(tcn).fit(X_train).explain(X_test[sample : sample + 1])[0]
    start_day = _window(saliency)
    selected = np.flatnonzero(parts.masks[0].any(axis=(0, 1)))
    say(f"\nA black box on the same data: TCNRegressor(), test RMSE {tcn_rmse:.5f}.")
    say(f"Integrated gradients of its prediction for test country {sample}: the 7 days "
        f"weighing most are days {start_day}-{start_day + 6}; MAGNETS' masks select "
        f"{len(selected)} of its {X_test.shape[2]} days"
        + (f" (days {selected.min()}-{selected.max()})." if len(selected) else "."))

    figures = []
    if output_dir is not None:
        figures = _save_figures(model, X_test, sample, saliency, output_dir)
        say(f"\nFigures saved to {os.path.abspath(output_dir)}: "
            + ", ".join(os.path.basename(f) for f in figures))
    return dict(
        rmse=float(rmse), reference=reference, reference_rmse=float(reference_rmse),
        baseline_rmse=float(baseline_rmse), tcn_rmse=float(tcn_rmse), fit_time=fit_time,
        contributions=contributions, bias=bias, prediction=prediction, figures=figures,
        head_alpha=model.head_alpha_,
        n_train=len(y_train), n_test=len(y_test),
    )


def _save_figures(model, X, sample, saliency, output_dir):
    import matplotlib.pyplot as plt

    from .plotting import (
        plot_magnets_bottleneck,
        plot_magnets_contributions,
        plot_magnets_masks,
        plot_saliency,
    )

    os.makedirs(output_dir, exist_ok=True)
    figures = [
        plot_magnets_masks(model, X, sample),
        plot_magnets_contributions(model, X, sample),
        plot_magnets_bottleneck(model),
        plot_saliency(saliency, X[sample], absolute=False,
                      title=f"TCN, integrated gradients, test country {sample}"),
    ]
    paths = []
    for fig, name in zip(figures, FIGURES):
        path = os.path.join(output_dir, name)
        fig.savefig(path, dpi=100)
        plt.close(fig)
        paths.append(path)
    return paths


def main(argv=None):
    """Command-line entry point: ``python -m sklearn_tsx.quickstart``.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments; ``None`` reads the command line.

    Returns
    -------
    results : dict
        As returned by :func:`run_quickstart`.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_tsx.quickstart",
        description="Fit MagnetsRegressor on Covid3Month, compare it with ROCKET and a "
        "mean predictor, print what it learned and save the figures.",
    )
    parser.add_argument("--max-epochs", default="auto",
                        type=lambda s: s if s == "auto" else int(s),
                        help="training budget of the networks (default: auto)")
    parser.add_argument("--random-state", type=int, default=0, help="seed")
    parser.add_argument("--no-rocket", action="store_true",
                        help="compare with a ridge regression instead of ROCKET")
    parser.add_argument("--sample", type=int, default=0, help="test series explained")
    parser.add_argument("--output-dir", default="sklearn_tsx_quickstart",
                        help="folder of the saved figures")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch CPU threads (default 1: the batches are too small "
                        "for more to pay off)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    import matplotlib

    matplotlib.use("Agg")
    return run_quickstart(
        max_epochs=args.max_epochs, random_state=args.random_state,
        rocket=False if args.no_rocket else None, sample=args.sample,
        output_dir=args.output_dir,
    )


if __name__ == "__main__":
    main()
