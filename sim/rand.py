"""Randomness: one named stream per mechanism, and draws from those streams inside
compiled code.

Every stochastic process in a run draws from its own stream (`Streams`) derived from the
run's seed and the stream's name. Switching an intervention on therefore cannot shift the
draws of routines, encounters or turnover before it acts: policy arms on the same seed
differ by mechanism, not by noise.

The compiled functions draw from the model's numpy Generators (PCG64) by stepping the bit
generator's own state in place: passing a Generator object into numba costs ~9 µs per call
to unbox, this costs nothing, and the draws are exactly the ones `Generator.random()` would
give, so a stream used from Python and from compiled code stays one reproducible sequence.
numba's own global generator is never used, so a run is
reproducible and common random numbers hold across processes and models.
"""

from __future__ import annotations

import math
import zlib

import numba as nb
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

JIT = dict(cache=True, nogil=True, boundscheck=False)
# for the few functions that spread buildings over the cores (numba prange); such a
# function should hold nothing but its prange loop: numba turns array expressions in it
# into parallel loops as well, each with its own start-up
PARALLEL = dict(JIT, parallel=True)
MAX_CHANCE = 0.95  # no outcome is certain: a chance formula's value is capped here


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


PCG64_MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645  # numpy's PCG64 (PCG XSL-RR 128/64)


@intrinsic
def _pcg64_next_double(typingctx, state_address):
    """numpy PCG64's next_double, inlined: the 128-bit LCG step and XSL-RR output on the
    bit generator's own state (`ctypes.state_address` → pcg64_state, whose first field
    points at {state, increment}). Same numbers as `Generator.random()`, ~3× faster than
    calling the generator's C function through a pointer (it cannot be inlined)."""
    sig = types.float64(types.uint64)

    def codegen(context, builder, signature, args):
        i64, i128 = ir.IntType(64), ir.IntType(128)
        holder = builder.inttoptr(args[0], i128.as_pointer().as_pointer())
        state_ptr = builder.load(holder)
        inc_ptr = builder.gep(state_ptr, [ir.Constant(ir.IntType(32), 1)])
        state = builder.load(state_ptr, align=8)
        inc = builder.load(inc_ptr, align=8)
        new = builder.add(builder.mul(state, ir.Constant(i128, PCG64_MULTIPLIER)), inc)
        builder.store(new, state_ptr, align=8)
        hi = builder.trunc(builder.lshr(new, ir.Constant(i128, 64)), i64)
        x = builder.xor(hi, builder.trunc(new, i64))
        rot = builder.trunc(builder.lshr(new, ir.Constant(i128, 122)), i64)
        left = builder.and_(builder.sub(ir.Constant(i64, 0), rot), ir.Constant(i64, 63))
        out = builder.or_(builder.lshr(x, rot), builder.shl(x, left))
        d = builder.uitofp(builder.lshr(out, ir.Constant(i64, 11)), ir.DoubleType())
        return builder.fmul(d, ir.Constant(ir.DoubleType(), 1.0 / 9007199254740992.0))

    return sig, codegen


_HANDLES: dict[int, tuple[np.random.Generator, np.ndarray]] = {}


def rng_handle(gen: np.random.Generator) -> np.ndarray:
    """uint64[1] handle (the state address) of a PCG64 Generator for the compiled code.
    The generator must outlive every use of the handle (the model's streams do)."""
    hit = _HANDLES.get(id(gen))
    if hit is not None and hit[0] is gen:
        return hit[1]
    if type(gen.bit_generator) is not np.random.PCG64:
        raise TypeError(
            "compiled draws need a numpy Generator on PCG64 "
            f"(got {type(gen.bit_generator).__name__})"
        )
    h = np.array([gen.bit_generator.ctypes.state_address], np.uint64)
    if len(_HANDLES) > 4096:  # forget old models' generators (keeps memory bounded)
        _HANDLES.clear()
    _HANDLES[id(gen)] = (gen, h)
    return h


@intrinsic
def _state_words(typingctx, state_address):
    """Pointer to the 128-bit LCG state (two uint64 words) of the PCG64 behind a handle."""
    sig = types.CPointer(types.uint64)(types.uint64)

    def codegen(context, builder, signature, args):
        i64p = ir.IntType(64).as_pointer()
        holder = builder.inttoptr(args[0], i64p.as_pointer())
        return builder.load(holder)

    return sig, codegen


@nb.njit(**JIT)
def save_states(handles, out):
    """Copy the LCG state of each generator in `handles` (uint64 state addresses) into
    out[k, 0:2], so that a piece of work can be drawn again from the same point."""
    for k in range(handles.shape[0]):
        w = nb.carray(_state_words(handles[k]), 2)
        out[k, 0] = w[0]
        out[k, 1] = w[1]


@nb.njit(**JIT)
def restore_states(handles, saved):
    """Put back the states `save_states` copied."""
    for k in range(handles.shape[0]):
        w = nb.carray(_state_words(handles[k]), 2)
        w[0] = saved[k, 0]
        w[1] = saved[k, 1]


@nb.njit(**JIT)
def uniform(rs):
    """One U[0, 1) draw from the generator behind handle `rs`."""
    return _pcg64_next_double(rs[0])


@nb.njit(**JIT)
def poisson_draw(rs, lam):
    """Poisson(lam) by inversion from one uniform (search from 0 for small rates, outward
    from the mode for large ones)."""
    if lam <= 0.0:
        return 0
    u = uniform(rs)
    if lam <= 30.0:
        k = 0
        p = math.exp(-lam)
        F = p
        while u > F and k < 1000:
            k += 1
            p *= lam / k
            F += p
        return k
    m = int(lam)
    pm = math.exp(-lam + m * math.log(lam) - math.lgamma(m + 1.0))
    u -= pm
    if u <= 0.0:
        return m
    lo = m
    hi = m
    plo = pm
    phi = pm
    while True:
        if lo > 0:
            plo *= lo / lam
            lo -= 1
            u -= plo
            if u <= 0.0:
                return lo
        hi += 1
        phi *= lam / hi
        u -= phi
        if u <= 0.0 or (phi < 1e-300 and (lo == 0 or plo < 1e-300)):
            return hi


@nb.njit(**JIT)
def binomial_draw(rs, N, p):
    """Binomial(N, p) by inversion from one uniform (from 0 when N*p is small, the usual
    case for a node-slot group; outward from the mode otherwise)."""
    if N <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return N
    u = uniform(rs)
    q = 1.0 - p
    r = p / q
    if N * p <= 20.0:
        P = math.exp(N * math.log1p(-p))
        F = P
        k = 0
        while u > F and k < N:
            P *= (N - k) / (k + 1.0) * r
            F += P
            k += 1
            if P < 1e-300 and F >= 1.0 - 1e-15:
                break
        return k
    m = min(int((N + 1) * p), N)
    pm = math.exp(
        math.lgamma(N + 1.0)
        - math.lgamma(m + 1.0)
        - math.lgamma(N - m + 1.0)
        + m * math.log(p)
        + (N - m) * math.log1p(-p)
    )
    u -= pm
    if u <= 0.0:
        return m
    lo = m
    hi = m
    plo = pm
    phi = pm
    while True:
        if lo > 0:
            plo *= lo / ((N - lo + 1.0) * r)
            lo -= 1
            u -= plo
            if u <= 0.0:
                return lo
        if hi < N:
            phi *= (N - hi) / (hi + 1.0) * r
            hi += 1
            u -= phi
            if u <= 0.0:
                return hi
        if (lo == 0 or plo < 1e-300) and (hi == N or phi < 1e-300):
            return m
