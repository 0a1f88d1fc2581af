"""Sphinx configuration of the sklearn_tsx documentation.

Build with ``make -C docs html``. Gallery examples are executed by default; set
``SKLEARN_TSX_DOCS_PLOT_GALLERY=0`` to build the gallery pages without running
them (fast), or ``SKLEARN_TSX_DOCS_EXAMPLES`` to a regular expression to run
only the matching examples, for example ``plot_quickstart``.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "sphinxext"))

from choosing_page import write_choosing_page  # noqa: E402
from results_page import write_results_page  # noqa: E402

import sklearn_tsx  # noqa: E402

project = "sklearn_tsx"
author = "The sklearn_tsx developers"
copyright = "The sklearn_tsx developers"
release = sklearn_tsx.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

# No network access when building: no intersphinx inventories are fetched.
autosummary_generate = True
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
default_role = "obj"

sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": os.environ.get("SKLEARN_TSX_DOCS_EXAMPLES", r"/plot_"),
    "plot_gallery": os.environ.get("SKLEARN_TSX_DOCS_PLOT_GALLERY", "True"),
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": False,
}

try:
    import pydata_sphinx_theme  # noqa: F401

    html_theme = "pydata_sphinx_theme"
    html_theme_options = {"navigation_with_keys": False}
except ImportError:
    html_theme = "alabaster"
html_title = f"sklearn_tsx {release}"


# Classes list their own methods and those of our base classes (see
# _templates/autosummary/class.rst), not those of scikit-learn's and torch's
# bases, whose docstrings link to pages of their own documentation.


def _skip_metadata_routing(app, what, name, obj, skip, options):
    """Skip the ``set_*_request`` methods sklearn generates on every estimator."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def _write_results_page(app):
    """The results page (``results/index.rst``), from the benchmarks' reference records."""
    write_results_page(Path(app.srcdir) / "results")


def _write_choosing_page(app):
    """The "Choosing an explainer" page (``choosing/index.rst``), from the records."""
    write_choosing_page(Path(app.srcdir) / "choosing")


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_routing)
    app.connect("builder-inited", _write_results_page)
    app.connect("builder-inited", _write_choosing_page)
