"""Validation (the data contract), torch helpers and a memory setting for
CPU runs."""

from ._adapters import ModelAdapter, as_model_adapter
from ._malloc import keep_freed_memory
from ._torch import resolve_device, seeded_torch, torch_seed
from .validation import check_target_index, check_time_series, validate_time_series_data

__all__ = [
    "ModelAdapter",
    "as_model_adapter",
    "check_target_index",
    "check_time_series",
    "keep_freed_memory",
    "resolve_device",
    "seeded_torch",
    "torch_seed",
    "validate_time_series_data",
]
