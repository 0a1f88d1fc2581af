"""sklearn_tsx: scikit-learn compatible interpretable time-series machine learning.

Subpackages: :mod:`~sklearn_tsx.models`, :mod:`~sklearn_tsx.explainers`,
:mod:`~sklearn_tsx.datasets`, :mod:`~sklearn_tsx.metrics`,
:mod:`~sklearn_tsx.plotting` and :mod:`~sklearn_tsx.utils`.
"""

__version__ = "0.1.0.dev0"
