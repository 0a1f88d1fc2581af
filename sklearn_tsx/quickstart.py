"""Fit a recurrent network on real data and compare it to a mean predictor.

Run it with::

    python -m sklearn_tsx.quickstart

The Covid3Month regression set ships with sktime (nothing is downloaded): 201
univariate series of 84 days of confirmed COVID-19 cases per country, split
into 140 training and 61 test series; the target is the country's death rate
on 1 April 2020. A :class:`~sklearn.pipeline.Pipeline` takes ``log1p`` of the
daily counts (they span five orders of magnitude), standardises them with
:class:`~sklearn_tsx.preprocessing.TimeSeriesStandardScaler` and fits a
:class:`~sklearn_tsx.models.GRURegressor` on the training series. The script
prints the RMSE on the held-out test series beside that of
:class:`~sklearn.dummy.DummyRegressor`, which always predicts the training
mean, and the time taken by the fit.

The network's settings were chosen by 4-fold cross-validation on the training
series only; the test series were used once, to report the result. The signal
is weak: in cross-validation on the training set the network's RMSE was within
1 % of the mean predictor's.
"""

import argparse
import time

import numpy as np
import torch
from sklearn.dummy import DummyRegressor
from sklearn.metrics import root_mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from .datasets import load_covid3month
from .models import GRURegressor
from .preprocessing import TimeSeriesStandardScaler

__all__ = ["make_quickstart_model", "run_quickstart", "main"]


def make_quickstart_model(*, max_epochs=30, random_state=0):
    """The quickstart's pipeline: ``log1p``, standardisation and a GRU regressor.

    Parameters
    ----------
    max_epochs : int, default=30
        Training epochs of the GRU.
    random_state : int, default=0
        Seed of the GRU's initialisation and shuffling.

    Returns
    -------
    model : sklearn.pipeline.Pipeline
        The unfitted pipeline.

    Examples
    --------
    >>> from sklearn_tsx.quickstart import make_quickstart_model
    >>> list(make_quickstart_model().named_steps)
    ['functiontransformer', 'timeseriesstandardscaler', 'gruregressor']
    """
    return make_pipeline(
        FunctionTransformer(np.log1p),
        TimeSeriesStandardScaler(),
        GRURegressor(
            hidden_size=32,
            max_epochs=max_epochs,
            batch_size=32,
            lr=1e-3,
            weight_decay=1e-2,
            random_state=random_state,
        ),
    )


def run_quickstart(*, max_epochs=30, random_state=0, verbose=True):
    """Fit the quickstart model on Covid3Month and score it on the test split.

    Parameters
    ----------
    max_epochs : int, default=30
        Training epochs of the GRU; fewer give a faster, weaker smoke run.
    random_state : int, default=0
        Seed of the network.
    verbose : bool, default=True
        Print the results.

    Returns
    -------
    results : dict
        ``"rmse"`` and ``"baseline_rmse"`` (test RMSE of the network and of the
        mean predictor), ``"fit_time"`` (seconds), ``"n_train"``, ``"n_test"``.

    Examples
    --------
    >>> from sklearn_tsx.quickstart import run_quickstart
    >>> results = run_quickstart(max_epochs=1, verbose=False)
    >>> sorted(results)
    ['baseline_rmse', 'fit_time', 'n_test', 'n_train', 'rmse']
    """
    X_train, y_train = load_covid3month(split="train")
    X_test, y_test = load_covid3month(split="test")
    baseline = DummyRegressor(strategy="mean").fit(X_train[:, 0], y_train)
    baseline_rmse = root_mean_squared_error(y_test, baseline.predict(X_test[:, 0]))

    model = make_quickstart_model(max_epochs=max_epochs, random_state=random_state)
    start = time.perf_counter()
    model.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    rmse = root_mean_squared_error(y_test, model.predict(X_test))

    results = dict(
        rmse=float(rmse),
        baseline_rmse=float(baseline_rmse),
        fit_time=fit_time,
        n_train=len(y_train),
        n_test=len(y_test),
    )
    if verbose:
        print(
            f"Covid3Month: {len(y_train)} training / {len(y_test)} test series of "
            f"{X_train.shape[2]} days; target: death rate."
        )
        print(f"Model: {model}")
        print(f"Test RMSE, GRU regressor:              {rmse:.5f}")
        print(f"Test RMSE, mean predictor (baseline): {baseline_rmse:.5f}")
        print(f"Relative improvement: {100 * (1 - rmse / baseline_rmse):.1f} %")
        print(
            f"Fit time: {fit_time:.1f} s on {torch.get_num_threads()} torch "
            f"thread(s), {max_epochs} epochs."
        )
    return results


def main(argv=None):
    """Command-line entry point: ``python -m sklearn_tsx.quickstart``."""
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_tsx.quickstart",
        description="Fit a GRU regressor on Covid3Month and compare its test RMSE "
        "with a mean predictor's.",
    )
    parser.add_argument("--max-epochs", type=int, default=30, help="training epochs")
    parser.add_argument("--random-state", type=int, default=0, help="seed")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (default 1: the batches of this small net are too "
        "small for more threads to pay off)",
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    return run_quickstart(max_epochs=args.max_epochs, random_state=args.random_state)


if __name__ == "__main__":
    main()
