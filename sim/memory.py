"""Give large freed arrays back to the operating system (glibc only).

A district's day allocates tens of MB of short-lived arrays (visits, meetings, pairs).
glibc raises its mmap threshold each time such a block is freed, so later blocks of that
size come from the heap instead, where fragmentation keeps them: a 100,000-household run
grew by ~35-70 MB a simulated year that way. A fixed threshold (set explicitly, which also
switches off glibc's adjustment) keeps every block of 1 MB or more in its own mapping,
returned to the system when freed. The page faults of fresh mappings cost ~2% of the run
time (measured at 70 buildings), so a run asks for this only for large sites
(`memory_policy_for`, called by `run.run_model` and the benchmarks before they build the
model); the setting then holds for the whole process.

The buildings of a large site are worked on by several threads (sim/shards.py); glibc
gives each thread its own heap ("arena"), which keeps its freed blocks to itself. One
arena for all (their allocations are few and large) kept ~22 MB less at 100,000
households, at no measurable cost.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD_BYTES = 1 << 20
TRIM_THRESHOLD_BYTES = 4 << 20
LARGE_SITE_DWELLINGS = 20_000  # from here on freed day arrays go back to the system


def memory_policy_for(n_dwellings: int) -> bool:
    """The allocator policy for a run of a site of `n_dwellings`: a district's day
    allocates tens of MB that glibc would otherwise keep and fragment, so large sites give
    freed blocks back (`release_large_blocks`); smaller ones keep glibc's faster default
    (~2%). Returns whether the policy was changed."""
    return n_dwellings >= LARGE_SITE_DWELLINGS and release_large_blocks()


def release_large_blocks() -> bool:
    """Set glibc's mmap and trim thresholds; returns whether it took effect (False on
    other platforms and C libraries, where nothing is changed)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return (
        bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
        and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
        and bool(mallopt(M_ARENA_MAX, 1))
    )
