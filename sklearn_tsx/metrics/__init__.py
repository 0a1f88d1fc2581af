"""Ground-truth and faithfulness metrics for attributions, and their scorers."""

__all__ = []
