"""sklearn_tsx: scikit-learn compatible interpretable time-series machine learning."""

__version__ = "0.1.0.dev0"
