"""Synthetic benchmarks with ground-truth saliency, and real TSER loaders."""

__all__ = []
