"""Random streams: one independent generator per mechanism (common random numbers).

Every stochastic process in a run draws from its own stream derived from the run's seed
and the stream's name. Switching an intervention on therefore cannot shift the draws of
routines, encounters or turnover before it acts: policy arms on the same seed differ by
mechanism, not by noise.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 32-bit integer for a stream name (crc32 is the same on every platform)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Lazily created, named numpy generators spawned from one root seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            seq = np.random.SeedSequence([self.seed, stream_key(name)])
            gen = np.random.Generator(np.random.PCG64(seq))
            self._streams[name] = gen
        return gen

    def names(self) -> list[str]:
        return sorted(self._streams)
