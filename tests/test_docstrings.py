"""The public API's docstrings: complete numpydoc, and examples that run.

A docstring example that raises, or whose scores silently become NaN inside a
search (scikit-learn turns a failing scorer into a ``UserWarning`` and a NaN),
fails here: ``UserWarning`` and ``RuntimeWarning`` are errors while examples run.
"""

import doctest
import importlib
import inspect
import pkgutil
import re
import warnings
from pathlib import Path

import pytest
from numpydoc.validate import validate

import sklearn_tsx

PUBLIC_MODULES = ("models", "explainers", "datasets", "metrics", "preprocessing",
                  "plotting", "utils", "tabular", "io")
# numpydoc checks enforced: a docstring exists, every parameter is documented and
# no unknown one is, and returns / yields are described
ENFORCED = {"GL08", "PR01", "PR02", "RT01", "YD01"}
# BaseExplainer documents the parameters every explainer takes; it has no __init__
ALLOWED = {("sklearn_tsx.explainers.BaseExplainer", "PR02")}


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


def _public_objects():
    """``(qualified name, object)`` of every public function and class, and of the
    public methods defined in sklearn_tsx (each function once, where first met)."""
    seen = set()
    for package in PUBLIC_MODULES:
        module = importlib.import_module(f"sklearn_tsx.{package}")
        for name in module.__all__:
            obj = getattr(module, name)
            if not callable(obj):  # constants, e.g. datasets.ISMAIL_PROCESSES
                continue
            yield f"sklearn_tsx.{package}.{name}", obj
            if not inspect.isclass(obj):
                continue
            for method_name, method in inspect.getmembers(obj, callable):
                function = getattr(method, "__func__", method)
                if (method_name.startswith("_") or function in seen
                        or not getattr(function, "__module__", "").startswith("sklearn_tsx")):
                    continue
                seen.add(function)
                yield f"sklearn_tsx.{package}.{name}.{method_name}", method


def test_every_public_object_has_an_example():
    missing = [
        name for name, obj in _public_objects()
        if name.count(".") == 2 and "Examples\n" not in (obj.__doc__ or "")
    ]
    assert not missing, f"no Examples section: {missing}"


def test_numpydoc_validation():
    errors = [
        f"{name}: {code} {message}"
        for name, _ in _public_objects()
        for code, message in validate(name)["errors"]
        if code in ENFORCED and (name, code) not in ALLOWED
    ]
    assert not errors, "\n".join(errors)


def test_api_reference_lists_every_public_object():
    pages = Path(__file__).resolve().parents[1] / "docs" / "api"
    if not pages.is_dir():
        pytest.skip("the docs sources are not beside the tests")
    text = "".join(page.read_text() for page in sorted(pages.glob("*.rst")))
    listed = set(re.findall(r"^\s+(\w+)\s*$", text, re.M))  # autosummary entries
    listed |= set(re.findall(r"^\.\. data:: (\w+)", text, re.M))
    missing = [
        f"sklearn_tsx.{package}.{name}"
        for package in PUBLIC_MODULES
        for name in importlib.import_module(f"sklearn_tsx.{package}").__all__
        if name not in listed
    ]
    assert not missing, f"not in docs/api/*.rst: {missing}"
