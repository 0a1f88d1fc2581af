"""The user guide's code runs and says what the code does.

Every page of ``docs/user_guide`` writes its Python as doctest blocks (``>>>``),
run here in order, one namespace per page, with their printed output checked.
Python in any other form (``.. code-block:: python``) would go unchecked, so it is
refused; shell commands that run a script of the repository must name one that
exists.
"""

import doctest
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "user_guide"
PAGES = sorted(path.name for path in GUIDE.glob("*.rst") if path.name != "index.rst")
# pages whose examples start a dask cluster or worker processes
SLOW = {"scaling.rst"}


@pytest.mark.parametrize(
    "page", [pytest.param(p, marks=pytest.mark.slow) if p in SLOW else p for p in PAGES]
)
def test_page_examples_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # pages that save files write them here
    text = (GUIDE / page).read_text()
    test = doctest.DocTestParser().get_doctest(text, {}, page, str(GUIDE / page), 0)
    assert test.examples, f"{page} has no runnable example"
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    report = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        warnings.simplefilter("error", RuntimeWarning)
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


@pytest.mark.parametrize("page", PAGES)
def test_page_python_is_checked(page):
    text = (GUIDE / page).read_text()
    assert not re.search(r"code-block::\s*(python|pycon)", text), (
        f"{page}: write Python as doctest blocks (>>>), which the tests run"
    )
    for script in re.findall(r"python (\S+\.py)", text):
        assert (ROOT / script).is_file(), f"{page} runs {script}, which does not exist"


def test_every_page_is_in_the_guide_index():
    index = (GUIDE / "index.rst").read_text()
    listed = set(re.findall(r"^\s+(\w+)\s*$", index, flags=re.MULTILINE))
    assert {p.removesuffix(".rst") for p in PAGES} <= listed
