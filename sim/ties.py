"""Directed neighbour ties in a compact per-household store with lazy decay.

A tie a→b is how household a regards household b: a positive part (a fast-decaying
acquaintance component plus a slow "bond" component) and a negative part (grudge). Ties are
directed because nuisance is: the victim dislikes the one who caused it.

Layout (chosen by measurement, see benchmarks/): every household owns one *row*, a block of
slots in flat arrays, sorted by partner. So one household's ties sit together in memory, a
lookup a→b is a short binary search in a's row, and all of a's ties are one slice. A row
that is full moves to the end of the arrays with twice the room (amortised O(1)); rows are
compacted when the store is pruned. Decay is lazy: each entry keeps the day it was last
written and is decayed on read (value × factor^(days since)), so a day costs O(contacts),
not O(ties). Entries that have decayed to nothing are dropped by `prune`.

When a household moves out its row is cleared and its dwelling's *generation* goes up;
entries of other households that point at the old generation are stale and read as absent
(they are dropped at the next prune, or overwritten if the pair meets again).

The compiled functions (numba) take the arrays explicitly; the `TieStore` class is the
Python face with the vectorised API the rest of the model uses. `key` order (a*n+b,
ascending) is the order of every "all ties" view (`key`, `all_strengths`, `find`, `counts`).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
import pandas as pd

CONTACT_KINDS = ("greet", "talk", "help", "nuisance")
N_KINDS = len(CONTACT_KINDS)
# meta columns (int32): partner generation, day of last write, counts per contact kind
M_GEN, M_DAY, M_CNT = 0, 1, 2
META_COLS = 2 + N_KINDS

JIT = dict(cache=True, nogil=True, boundscheck=False)


# --------------------------------------------------------------------------------------
# compiled primitives (rows: start/deg/cap per household; entries: nbr, meta, val)
# --------------------------------------------------------------------------------------
@nb.njit(**JIT)
def find_slot(start, deg, nbr, a, b):
    """Position of b in a's row if present (>= 0); else -(insertion position) - 1."""
    lo = start[a]
    hi = lo + deg[a]
    while lo < hi:
        mid = (lo + hi) >> 1
        v = nbr[mid]
        if v < b:
            lo = mid + 1
        elif v > b:
            hi = mid
        else:
            return mid
    return -lo - 1


@nb.njit(**JIT)
def lookup(start, deg, nbr, meta, gen, a, b):
    """Slot of the live tie a→b, or -1."""
    s = find_slot(start, deg, nbr, a, b)
    if s >= 0 and meta[s, M_GEN] == gen[b]:
        return s
    return -1


@nb.njit(**JIT)
def decayed_at(meta, val, s, today, lf, lb, ln):
    age = today - meta[s, M_DAY]
    if age == 0:
        return val[s, 0], val[s, 1], val[s, 2]
    return (val[s, 0] * math.exp(lf * age), val[s, 1] * math.exp(lb * age),
            val[s, 2] * math.exp(ln * age))


@nb.njit(**JIT)
def _grow(nbr, meta, val, need):
    size = max(need, 2 * nbr.shape[0], 64)
    nbr2 = np.empty(size, np.int32)
    meta2 = np.zeros((size, META_COLS), np.int32)
    val2 = np.zeros((size, 3), np.float64)
    m = nbr.shape[0]
    nbr2[:m] = nbr
    meta2[:m] = meta
    val2[:m] = val
    return nbr2, meta2, val2


@nb.njit(**JIT)
def _move(nbr, meta, val, src, dst):
    nbr[dst] = nbr[src]
    for c in range(META_COLS):
        meta[dst, c] = meta[src, c]
    for c in range(3):
        val[dst, c] = val[src, c]


@nb.njit(**JIT)
def upsert(start, deg, cap, gen, nbr, meta, val, used, a, b, today, df, dbo, dn, kind,
           lf, lb, ln):
    """Add increments to tie a→b (decayed to `today` first), creating it if absent.

    Returns (nbr, meta, val, used): arrays may have been reallocated."""
    s = find_slot(start, deg, nbr, a, b)
    if s >= 0:
        if meta[s, M_GEN] == gen[b]:
            f, bo, ng = decayed_at(meta, val, s, today, lf, lb, ln)
        else:  # stale entry left by a previous occupant of b: start afresh
            f = 0.0
            bo = 0.0
            ng = 0.0
            meta[s, M_GEN] = gen[b]
            for k in range(N_KINDS):
                meta[s, M_CNT + k] = 0
        val[s, 0] = f + df
        val[s, 1] = bo + dbo
        val[s, 2] = ng + dn
        meta[s, M_DAY] = today
        if kind >= 0:
            meta[s, M_CNT + kind] += 1
        return nbr, meta, val, used
    pos = -s - 1
    d = deg[a]
    if d == cap[a]:  # row full: move it to the end with twice the room
        newcap = max(4, 2 * cap[a])
        if used + newcap > nbr.shape[0]:
            nbr, meta, val = _grow(nbr, meta, val, used + newcap)
        old = start[a]
        for k in range(d):
            _move(nbr, meta, val, old + k, used + k)
        pos = pos - old + used
        start[a] = used
        cap[a] = newcap
        used += newcap
    end = start[a] + d
    for k in range(end, pos, -1):
        _move(nbr, meta, val, k - 1, k)
    nbr[pos] = b
    meta[pos, M_GEN] = gen[b]
    meta[pos, M_DAY] = today
    for k in range(N_KINDS):
        meta[pos, M_CNT + k] = 0
    if kind >= 0:
        meta[pos, M_CNT + kind] = 1
    val[pos, 0] = df
    val[pos, 1] = dbo
    val[pos, 2] = dn
    deg[a] = d + 1
    return nbr, meta, val, used


@nb.njit(**JIT)
def add_many(start, deg, cap, gen, nbr, meta, val, used, a, b, today, df, dbo, dn, kind,
             lf, lb, ln):
    for i in range(a.shape[0]):
        nbr, meta, val, used = upsert(start, deg, cap, gen, nbr, meta, val, used, a[i], b[i],
                                      today, df[i], dbo[i], dn[i], kind[i], lf, lb, ln)
    return nbr, meta, val, used


@nb.njit(**JIT)
def strengths(start, deg, nbr, meta, val, gen, a, b, today, lf, lb, ln):
    m = a.shape[0]
    p = np.zeros(m)
    n = np.zeros(m)
    for i in range(m):
        s = lookup(start, deg, nbr, meta, gen, a[i], b[i])
        if s >= 0:
            f, bo, ng = decayed_at(meta, val, s, today, lf, lb, ln)
            p[i] = f + bo
            n[i] = ng
    return p, n


@nb.njit(**JIT)
def live_slots(start, deg, nbr, meta, gen):
    """(owner, slot) of every live entry, in key order."""
    n = start.shape[0]
    total = 0
    for a in range(n):
        total += deg[a]
    owner = np.empty(total, np.int64)
    slot = np.empty(total, np.int64)
    k = 0
    for a in range(n):
        s0 = start[a]
        for s in range(s0, s0 + deg[a]):
            if meta[s, M_GEN] == gen[nbr[s]]:
                owner[k] = a
                slot[k] = s
                k += 1
    return owner[:k], slot[:k]


@nb.njit(**JIT)
def degree_counts(start, deg, nbr, meta, val, gen, today, thr, negative, lf, lb, ln):
    n = start.shape[0]
    out = np.zeros(n, np.int64)
    for a in range(n):
        s0 = start[a]
        c = 0
        for s in range(s0, s0 + deg[a]):
            if meta[s, M_GEN] != gen[nbr[s]]:
                continue
            f, bo, ng = decayed_at(meta, val, s, today, lf, lb, ln)
            if negative:
                if ng >= thr:
                    c += 1
            elif f + bo >= thr:
                c += 1
        out[a] = c
    return out


@nb.njit(**JIT)
def compact(start, deg, cap, gen, nbr, meta, val, today, eps, lf, lb, ln):
    """Drop stale and faded entries and repack rows with a little room to grow.

    Returns (nbr, meta, val, used, dropped)."""
    n = start.shape[0]
    keep_total = 0
    room = 0
    newdeg = np.zeros(n, np.int32)
    for a in range(n):
        s0 = start[a]
        c = 0
        for s in range(s0, s0 + deg[a]):
            if meta[s, M_GEN] != gen[nbr[s]]:
                continue
            f, bo, ng = decayed_at(meta, val, s, today, lf, lb, ln)
            if f + bo >= eps or ng >= eps:
                c += 1
        newdeg[a] = c
        keep_total += c
        room += c + (c >> 3) + (2 if c > 0 else 0)
    dropped = 0
    for a in range(n):
        dropped += deg[a]
    dropped -= keep_total
    nbr2 = np.empty(max(room, 64), np.int32)
    meta2 = np.zeros((max(room, 64), META_COLS), np.int32)
    val2 = np.zeros((max(room, 64), 3), np.float64)
    pos = 0
    for a in range(n):
        s0 = start[a]
        c = newdeg[a]
        start_new = pos
        for s in range(s0, s0 + deg[a]):
            if meta[s, M_GEN] != gen[nbr[s]]:
                continue
            f, bo, ng = decayed_at(meta, val, s, today, lf, lb, ln)
            if f + bo >= eps or ng >= eps:
                nbr2[pos] = nbr[s]
                meta2[pos] = meta[s]
                val2[pos] = val[s]
                pos += 1
        start[a] = start_new
        deg[a] = c
        cap[a] = c + (c >> 3) + (2 if c > 0 else 0)
        pos = start_new + cap[a]
    return nbr2, meta2, val2, pos, dropped


# --------------------------------------------------------------------------------------
# Python face
# --------------------------------------------------------------------------------------
class TieStore:
    def __init__(self, n_households: int, fast_half_life: float, bond_half_life: float,
                 neg_half_life: float):
        self.n = int(n_households)
        self.log_fast = np.log(0.5) / fast_half_life
        self.log_bond = np.log(0.5) / bond_half_life
        self.log_neg = np.log(0.5) / neg_half_life
        n = self.n
        self.start = np.zeros(n, np.int64)
        self.deg = np.zeros(n, np.int32)
        self.cap = np.zeros(n, np.int32)
        self.gen = np.zeros(n, np.int32)
        size = 64
        self.nbr = np.empty(size, np.int32)
        self.meta = np.zeros((size, META_COLS), np.int32)
        self.val = np.zeros((size, 3), np.float64)
        self.used = 0
        self._version = 0
        self._view: tuple[int, np.ndarray, np.ndarray] | None = None

    # raw state for compiled callers ---------------------------------------------------
    @property
    def decay_logs(self) -> tuple[float, float, float]:
        return self.log_fast, self.log_bond, self.log_neg

    def arrays(self):
        return (self.start, self.deg, self.cap, self.gen, self.nbr, self.meta, self.val,
                self.used)

    def set_arrays(self, nbr: np.ndarray, meta: np.ndarray, val: np.ndarray, used: int) -> None:
        """Take back arrays a compiled writer returned (it may have reallocated them)."""
        self.nbr, self.meta, self.val, self.used = nbr, meta, val, int(used)
        self._version += 1

    def nbytes(self) -> int:
        return sum(x.nbytes for x in (self.start, self.deg, self.cap, self.gen, self.nbr,
                                      self.meta, self.val))

    # views in key order ----------------------------------------------------------------
    def _slots(self) -> tuple[np.ndarray, np.ndarray]:
        if self._view is None or self._view[0] != self._version:
            owner, slot = live_slots(self.start, self.deg, self.nbr, self.meta, self.gen)
            self._view = (self._version, owner, slot)
        return self._view[1], self._view[2]

    def __len__(self) -> int:
        return len(self._slots()[1])

    @property
    def key(self) -> np.ndarray:
        owner, slot = self._slots()
        return owner * self.n + self.nbr[slot].astype(np.int64)

    @property
    def day(self) -> np.ndarray:
        return self.meta[self._slots()[1], M_DAY]

    @property
    def counts(self) -> np.ndarray:
        return self.meta[self._slots()[1], M_CNT:M_CNT + N_KINDS]

    # keys -----------------------------------------------------------------------------
    def keys(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(a, np.int64) * self.n + np.asarray(b, np.int64)

    def split(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return key // self.n, key % self.n

    def find(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of keys in `key` order and whether each is present."""
        key = np.asarray(key, np.int64)
        allkeys = self.key
        pos = np.searchsorted(allkeys, key)
        found = np.zeros(len(key), bool)
        inside = pos < len(allkeys)
        found[inside] = allkeys[pos[inside]] == key[inside]
        return pos, found

    # reading --------------------------------------------------------------------------
    def _decayed(self, idx: np.ndarray, today: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Decayed (fast, bond, neg) of entries at positions `idx` of `key` order."""
        slot = self._slots()[1][idx]
        age = today - self.meta[slot, M_DAY]
        v = self.val[slot]
        return (v[:, 0] * np.exp(self.log_fast * age), v[:, 1] * np.exp(self.log_bond * age),
                v[:, 2] * np.exp(self.log_neg * age))

    def strength(self, a: np.ndarray, b: np.ndarray, today: int) -> tuple[np.ndarray, np.ndarray]:
        """(positive, negative) strength of ties a→b as of `today`; zeros where absent."""
        a = np.ascontiguousarray(a, np.int64)
        b = np.ascontiguousarray(b, np.int64)
        return strengths(self.start, self.deg, self.nbr, self.meta, self.val, self.gen, a, b,
                         int(today), *self.decay_logs)

    def all_strengths(self, today: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(a, b, positive, negative) for every stored tie, decayed to `today`."""
        owner, slot = self._slots()
        f, bd, ng = self._decayed(np.arange(len(slot)), today)
        return owner, self.nbr[slot].astype(np.int64), f + bd, ng

    def row(self, a: int, today: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(partners, positive, negative) of household a's live ties, decayed to `today`."""
        s0 = int(self.start[a])
        sl = np.arange(s0, s0 + int(self.deg[a]))
        nb_ = self.nbr[sl].astype(np.int64)
        live = self.meta[sl, M_GEN] == self.gen[nb_]
        sl, nb_ = sl[live], nb_[live]
        age = today - self.meta[sl, M_DAY]
        v = self.val[sl]
        p = v[:, 0] * np.exp(self.log_fast * age) + v[:, 1] * np.exp(self.log_bond * age)
        return nb_, p, v[:, 2] * np.exp(self.log_neg * age)

    # writing --------------------------------------------------------------------------
    def add(self, a: np.ndarray, b: np.ndarray, today: int, fast: np.ndarray | float = 0.0,
            bond: np.ndarray | float = 0.0, neg: np.ndarray | float = 0.0,
            kind: np.ndarray | int | None = None) -> None:
        """Add increments to ties a→b (duplicates summed), creating ties that do not exist.

        `kind` (index into CONTACT_KINDS, or -1 for none) is counted per tie.
        """
        a = np.ascontiguousarray(a, np.int64)
        m = len(a)
        if m == 0:
            return
        b = np.ascontiguousarray(b, np.int64)
        if np.any(a == b):
            raise ValueError("a household cannot have a tie with itself")

        def vec(x, dtype):
            return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype), (m,)))

        k = vec(-1 if kind is None else kind, np.int64)
        nbr, meta, val, used = add_many(
            self.start, self.deg, self.cap, self.gen, self.nbr, self.meta, self.val, self.used,
            a, b, int(today), vec(fast, np.float64), vec(bond, np.float64),
            vec(neg, np.float64), k, *self.decay_logs)
        self.set_arrays(nbr, meta, val, used)

    def remove_households(self, households: np.ndarray) -> None:
        """Forget every tie from or to households that moved out."""
        h = np.asarray(households, np.int64)
        if len(h) == 0:
            return
        self.deg[h] = 0
        self.gen[h] += 1
        self._version += 1

    def prune(self, today: int, eps: float = 0.01) -> int:
        """Drop ties that have faded below `eps` in every component; returns how many
        (stale entries of households that moved out are dropped too and counted)."""
        nbr, meta, val, used, dropped = compact(
            self.start, self.deg, self.cap, self.gen, self.nbr, self.meta, self.val,
            int(today), float(eps), *self.decay_logs)
        self.set_arrays(nbr, meta, val, used)
        return int(dropped)

    # summaries ------------------------------------------------------------------------
    def degree(self, today: int, threshold: float, negative: bool = False) -> np.ndarray:
        """Per household: number of outgoing ties at or above threshold."""
        return degree_counts(self.start, self.deg, self.nbr, self.meta, self.val, self.gen,
                             int(today), float(threshold), bool(negative), *self.decay_logs)

    def to_frame(self, today: int) -> pd.DataFrame:
        a, b, p, n = self.all_strengths(today)
        slot = self._slots()[1]
        data = {"from_dwelling": a.astype(np.int32), "to_dwelling": b.astype(np.int32),
                "positive": p, "negative": n,
                "last_contact_day": self.meta[slot, M_DAY].copy()}
        for i, k in enumerate(CONTACT_KINDS):
            data[f"n_{k}"] = self.meta[slot, M_CNT + i].copy()
        return pd.DataFrame(data)
