"""Keep freed memory in the process: glibc ``malloc`` settings for eager PyTorch
on the CPU."""

import ctypes
import platform
import sys

__all__ = ["keep_freed_memory"]

# mallopt parameters (malloc.h) and the largest value it accepts (a C int)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_LARGEST = 2**31 - 1


def keep_freed_memory():
    """Stop glibc's ``malloc`` from giving freed memory back to the system.

    Eager PyTorch on the CPU allocates and frees the same large buffers at every
    step of an optimisation (activations saved for the backward pass, their
    gradients). By default glibc serves each large request with fresh pages from
    the kernel and hands them back when it is freed, so every epoch faults the
    same memory in again. This raises glibc's mmap and trim thresholds to their
    maximum (2 GiB), so freed blocks stay in the heap and are reused. The
    process's resident memory then stays near its peak.

    Process-wide and kept for the life of the process: call it once, at the
    start of a script. The same as starting Python with the environment
    variables ``MALLOC_MMAP_THRESHOLD_=2147483647`` and
    ``MALLOC_TRIM_THRESHOLD_=2147483647``. PyTorch's own performance guide
    suggests a caching allocator (jemalloc, tcmalloc) for the same reason.

    Returns
    -------
    applied : bool
        ``False``, and nothing changed, where the C library is not glibc
        (macOS, Windows, musl-based Linux).

    Notes
    -----
    Measured on a 2-core machine, ContraLSP on 200 State series (GRU(200)
    black box, T = 200, 500 epochs, two torch threads): 1.04 s per series
    with glibc's defaults, 0.83 s after this call; the black box's own
    forward and backward passes 0.84 and 0.70 s
    (``benchmarks/bench_contralsp_state.py`` with and without
    ``--keep-freed-memory``).

    Examples
    --------
    >>> from sklearn_tsx.utils import keep_freed_memory
    >>> applied = keep_freed_memory()  # doctest: +SKIP
    """
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    libc = ctypes.CDLL("libc.so.6")
    return all(
        libc.mallopt(ctypes.c_int(param), ctypes.c_int(_LARGEST)) == 1
        for param in (_M_MMAP_THRESHOLD, _M_TRIM_THRESHOLD)
    )
