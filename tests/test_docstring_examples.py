"""Every Examples section of the package runs and prints what it shows.

A docstring example that raises, or whose scores silently become NaN inside a
search (scikit-learn turns a failing scorer into a ``UserWarning`` and a NaN),
fails here: ``UserWarning`` and ``RuntimeWarning`` are errors while examples run.
"""

import doctest
import importlib
import pkgutil
import warnings

import pytest

import sklearn_tsx


def _examples(module_name):
    module = importlib.import_module(module_name)
    # objects re-exported by a package are found in the module that defines them
    return [t for t in doctest.DocTestFinder().find(module, module_name) if t.examples]


MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(sklearn_tsx.__path__, prefix="sklearn_tsx.")
    # quickstart is a script, run by test_quickstart.py
    if info.name != "sklearn_tsx.quickstart" and _examples(info.name)
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name):
    tests = _examples(module_name)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    failures = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("error", RuntimeWarning)
        for test in tests:
            report = []
            result = runner.run(test, out=report.append)
            if result.failed:
                failures.append("".join(report))
    assert not failures, "\n".join(failures)


def test_every_public_object_has_an_example():
    missing = []
    for package in ("models", "explainers", "datasets", "metrics", "preprocessing",
                    "plotting", "utils"):
        module = importlib.import_module(f"sklearn_tsx.{package}")
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj):  # constants, e.g. datasets.ISMAIL_PROCESSES
                continue
            if "Examples\n" not in (obj.__doc__ or ""):
                missing.append(f"sklearn_tsx.{package}.{name}")
    assert not missing, f"no Examples section: {missing}"
