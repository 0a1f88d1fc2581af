import platform
import subprocess
import sys

import pytest

from sklearn_tsx.utils import _malloc, keep_freed_memory

glibc_only = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
    reason="glibc malloc settings",
)

# Page faults of 20 allocations of a 64 MiB tensor, each freed before the next.
_FAULTS = """
import resource, sys, torch
from sklearn_tsx.utils import keep_freed_memory
applied = keep_freed_memory() if sys.argv[1] == "keep" else None
torch.ones(1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    torch.ones(16 * 2**20).sum()
print(applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode):
    out = subprocess.run([sys.executable, "-c", _FAULTS, mode], capture_output=True,
                         text=True, check=True).stdout.split()
    return out[0], int(out[1])


@glibc_only
def test_freed_memory_is_reused_instead_of_faulted_in_again():
    applied, kept = _faults("keep")
    _, default = _faults("default")
    assert applied == "True"
    # faulted in once when kept (16384 pages of 4 KiB), at every allocation otherwise
    assert 4 * kept < default, (kept, default)


def test_other_c_libraries_are_left_alone(monkeypatch):
    monkeypatch.setattr(_malloc.platform, "libc_ver", lambda: ("", ""))
    assert keep_freed_memory() is False
