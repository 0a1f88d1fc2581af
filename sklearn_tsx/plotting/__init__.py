"""Plots of attributions and of interpretable models; each returns a Figure."""

__all__ = []
