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

JIT = {"cache": True, "nogil": True, "boundscheck": False}
DECAY_TABLE_DAYS = 4096  # ages with a tabulated decay factor (older ones use exp)


# --------------------------------------------------------------------------------------
# compiled primitives (rows: start/deg/cap per household; entries: the tuple E of arrays
# nbr int32, day int32, gen uint16, cnt uint16[:, 4], val float32[:, 3] = fast, bond, neg;
# 30 bytes an entry)
# --------------------------------------------------------------------------------------
@nb.njit(**JIT)
def find_slot(start, deg, nbr, a, b):
    """Position of b in a's row if present (>= 0); else -(insertion position) - 1.

    Branch-free binary search (the comparisons are unpredictable, so a conditional move
    beats a branch: about twice as fast on rows of a hundred ties)."""
    base = start[a]
    n = deg[a]
    if n == 0:
        return -base - 1
    while n > 1:
        half = n >> 1
        base = base + half if nbr[base + half] <= b else base
        n -= half
    v = nbr[base]
    if v == b:
        return base
    if v < b:
        return -base - 2
    return -base - 1


@nb.njit(**JIT)
def lookup(start, deg, E, gen, a, b):
    """Slot of the live tie a→b, or -1."""
    s = find_slot(start, deg, E[0], a, b)
    if s >= 0 and E[2][s] == gen[b]:
        return s
    return -1


@nb.njit(**JIT)
def decayed_at(E, s, today, dt):
    """(fast, bond, neg) of entry s decayed to `today`. dt: decay table, rows 0..L-1 the
    factors for an age of that many days, row L the log factors per day (older ages)."""
    val = E[4]
    age = today - E[1][s]
    f = np.float64(val[s, 0])
    b = np.float64(val[s, 1])
    n = np.float64(val[s, 2])
    if age == 0:
        return f, b, n
    L = dt.shape[0] - 1
    if age < L:
        return f * dt[age, 0], b * dt[age, 1], n * dt[age, 2]
    return (f * math.exp(dt[L, 0] * age), b * math.exp(dt[L, 1] * age),
            n * math.exp(dt[L, 2] * age))


@nb.njit(**JIT)
def empty_entries(size):
    return (np.zeros(size, np.int32), np.zeros(size, np.int32), np.zeros(size, np.uint16),
            np.zeros((size, N_KINDS), np.uint16), np.zeros((size, 3), np.float32))


@nb.njit(**JIT)
def _grow(E, used, need):
    m = E[0].shape[0]
    size = max(need + need // 4, m + m // 4, 64)
    E2 = empty_entries(size)
    E2[0][:used] = E[0][:used]
    E2[1][:used] = E[1][:used]
    E2[2][:used] = E[2][:used]
    E2[3][:used] = E[3][:used]
    E2[4][:used] = E[4][:used]
    return E2


@nb.njit(**JIT)
def _move(E, src, dst):
    E[0][dst] = E[0][src]
    E[1][dst] = E[1][src]
    E[2][dst] = E[2][src]
    for c in range(N_KINDS):
        E[3][dst, c] = E[3][src, c]
    for c in range(3):
        E[4][dst, c] = E[4][src, c]


@nb.njit(**JIT)
def write_slot(E, s, today, df, dbo, dn, kind, dt):
    """Add increments to the live entry at slot s (decayed to `today` first)."""
    f, bo, ng = decayed_at(E, s, today, dt)
    val = E[4]
    val[s, 0] = f + df
    val[s, 1] = bo + dbo
    val[s, 2] = ng + dn
    E[1][s] = today
    cnt = E[3]
    if kind >= 0 and cnt[s, kind] < 65535:
        cnt[s, kind] += 1


@nb.njit(**JIT)
def upsert(start, deg, cap, gen, E, used, a, b, today, df, dbo, dn, kind, dt):
    """Add increments to tie a→b (decayed to `today` first), creating it if absent.

    Returns (E, used): the arrays may have been reallocated."""
    s = find_slot(start, deg, E[0], a, b)
    if s >= 0:
        cnt = E[3]
        if E[2][s] == gen[b]:
            f, bo, ng = decayed_at(E, s, today, dt)
        else:  # stale entry left by a previous occupant of b: start afresh
            f = 0.0
            bo = 0.0
            ng = 0.0
            E[2][s] = gen[b]
            for k in range(N_KINDS):
                cnt[s, k] = 0
        val = E[4]
        val[s, 0] = f + df
        val[s, 1] = bo + dbo
        val[s, 2] = ng + dn
        E[1][s] = today
        if kind >= 0 and cnt[s, kind] < 65535:
            cnt[s, kind] += 1
        return E, used
    pos = -s - 1
    d = deg[a]
    if d == cap[a]:  # row full: move it to the end with more room
        newcap = max(4, d + (d >> 1) + 2)
        if used + newcap > E[0].shape[0]:
            E = _grow(E, used, used + newcap)
        old = start[a]
        for k in range(d):
            _move(E, old + k, used + k)
        pos = pos - old + used
        start[a] = used
        cap[a] = newcap
        used += newcap
    end = start[a] + d
    for k in range(end, pos, -1):
        _move(E, k - 1, k)
    E[0][pos] = b
    E[1][pos] = today
    E[2][pos] = gen[b]
    cnt = E[3]
    for k in range(N_KINDS):
        cnt[pos, k] = 0
    if kind >= 0:
        cnt[pos, kind] = 1
    val = E[4]
    val[pos, 0] = df
    val[pos, 1] = dbo
    val[pos, 2] = dn
    deg[a] = d + 1
    return E, used


@nb.njit(**JIT)
def add_many(start, deg, cap, gen, E, used, a, b, today, df, dbo, dn, kind, dt):
    for i in range(a.shape[0]):
        E, used = upsert(start, deg, cap, gen, E, used, a[i], b[i], today, df[i], dbo[i], dn[i],
                         kind[i], dt)
    return E, used


@nb.njit(**JIT)
def strengths(start, deg, E, gen, a, b, today, dt):
    m = a.shape[0]
    p = np.zeros(m)
    n = np.zeros(m)
    for i in range(m):
        s = lookup(start, deg, E, gen, a[i], b[i])
        if s >= 0:
            f, bo, ng = decayed_at(E, s, today, dt)
            p[i] = f + bo
            n[i] = ng
    return p, n


@nb.njit(**JIT)
def live_slots(start, deg, E, gen):
    """(owner, slot) of every live entry, in key order."""
    nbr = E[0]
    tg = E[2]
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
            if tg[s] == gen[nbr[s]]:
                owner[k] = a
                slot[k] = s
                k += 1
    return owner[:k], slot[:k]


@nb.njit(**JIT)
def count_live(start, deg, E, gen):
    nbr = E[0]
    tg = E[2]
    k = 0
    for a in range(start.shape[0]):
        s0 = start[a]
        for s in range(s0, s0 + deg[a]):
            if tg[s] == gen[nbr[s]]:
                k += 1
    return k


@nb.njit(**JIT)
def degree_counts(start, deg, E, gen, today, thr, negative, dt):
    nbr = E[0]
    tg = E[2]
    n = start.shape[0]
    out = np.zeros(n, np.int64)
    for a in range(n):
        s0 = start[a]
        c = 0
        for s in range(s0, s0 + deg[a]):
            if tg[s] != gen[nbr[s]]:
                continue
            f, bo, ng = decayed_at(E, s, today, dt)
            if negative:
                if ng >= thr:
                    c += 1
            elif f + bo >= thr:
                c += 1
        out[a] = c
    return out


@nb.njit(**JIT)
def compact(start, deg, cap, gen, E, today, eps, dt):
    """Drop stale and faded entries and repack the rows with a little room to grow, in
    place: rows are visited in memory order and only ever move towards the front, so no
    second copy of the store is needed (the arrays keep their capacity).

    Returns (E, used, dropped)."""
    nbr = E[0]
    tg = E[2]
    order = np.argsort(start)
    pos = 0
    total = 0
    kept = 0
    for q in range(order.shape[0]):
        a = order[q]
        old_cap = cap[a]
        if old_cap == 0:
            continue
        s0 = start[a]
        start_new = pos  # <= s0: earlier rows only shrank
        c = 0
        for s in range(s0, s0 + deg[a]):
            total += 1
            if tg[s] != gen[nbr[s]]:
                continue
            f, bo, ng = decayed_at(E, s, today, dt)
            if f + bo >= eps or ng >= eps:
                if pos != s:
                    _move(E, s, pos)
                pos += 1
                c += 1
        kept += c
        start[a] = start_new
        deg[a] = c
        cap[a] = min(c + (c >> 3) + 2, old_cap) if c > 0 else 0
        pos = start_new + cap[a]
    return E, pos, total - kept


def _owned_entries(size: int) -> tuple:
    """Entry arrays allocated by numpy (so `TieStore.reserve` can grow them in place)."""
    return (np.zeros(size, np.int32), np.zeros(size, np.int32), np.zeros(size, np.uint16),
            np.zeros((size, N_KINDS), np.uint16), np.zeros((size, 3), np.float32))


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
        logs = np.array([self.log_fast, self.log_bond, self.log_neg])
        ages = np.arange(DECAY_TABLE_DAYS, dtype=np.float64)[:, None]
        self.dtab = np.vstack([np.exp(ages * logs), logs])  # see decayed_at
        n = self.n
        self.start = np.zeros(n, np.int64)
        self.deg = np.zeros(n, np.int32)
        self.cap = np.zeros(n, np.int32)
        self.gen = np.zeros(n, np.uint16)
        self.E = _owned_entries(64)
        self.used = 0
        self._version = 0
        self._view: tuple[int, np.ndarray, np.ndarray] | None = None

    # raw state for compiled callers ---------------------------------------------------
    @property
    def decay_logs(self) -> tuple[float, float, float]:
        return self.log_fast, self.log_bond, self.log_neg

    @property
    def nbr(self) -> np.ndarray:
        return self.E[0]

    def set_arrays(self, E: tuple, used: int) -> None:
        """Take back the entry arrays a compiled writer returned (it may have reallocated
        them)."""
        self.E, self.used = E, int(used)
        self._version += 1

    def reserve(self, extra: int) -> None:
        """Make room for `extra` more slots (plus 5% headroom) by growing the arrays in
        place (realloc: the kernel moves pages, so growing a large store does not hold two
        copies at once as the compiled writers' fallback growth does)."""
        need = self.used + int(extra) + self.used // 50
        size = len(self.E[0])
        if need <= size:
            return
        self._resize(max(need, size + size // 8))

    def _resize(self, new: int) -> None:
        if all(arr.flags.owndata for arr in self.E):
            for arr in self.E:
                arr.resize((new,) + arr.shape[1:], refcheck=False)
        else:  # arrays made by compiled code (fallback growth): copy once into owned ones
            grown = _owned_entries(new)
            for dst, src in zip(grown, self.E, strict=True):
                dst[:self.used] = src[:self.used]
            self.E = grown
        self._version += 1

    def nbytes(self) -> int:
        return sum(x.nbytes for x in (self.start, self.deg, self.cap, self.gen, *self.E))

    # views in key order ----------------------------------------------------------------
    def _slots(self) -> tuple[np.ndarray, np.ndarray]:
        if self._view is None or self._view[0] != self._version:
            owner, slot = live_slots(self.start, self.deg, self.E, self.gen)
            self._view = (self._version, owner, slot)
        return self._view[1], self._view[2]

    def __len__(self) -> int:
        if self._view is not None and self._view[0] == self._version:
            return len(self._view[2])
        return int(count_live(self.start, self.deg, self.E, self.gen))

    @property
    def key(self) -> np.ndarray:
        owner, slot = self._slots()
        return owner * self.n + self.nbr[slot].astype(np.int64)

    @property
    def day(self) -> np.ndarray:
        return self.E[1][self._slots()[1]]

    @property
    def counts(self) -> np.ndarray:
        return self.E[3][self._slots()[1]].astype(np.int32)

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
        age = today - self.E[1][slot]
        v = self.E[4][slot].astype(np.float64)
        return (v[:, 0] * np.exp(self.log_fast * age), v[:, 1] * np.exp(self.log_bond * age),
                v[:, 2] * np.exp(self.log_neg * age))

    def strength(self, a: np.ndarray, b: np.ndarray, today: int) -> tuple[np.ndarray, np.ndarray]:
        """(positive, negative) strength of ties a→b as of `today`; zeros where absent."""
        a = np.ascontiguousarray(a, np.int64)
        b = np.ascontiguousarray(b, np.int64)
        return strengths(self.start, self.deg, self.E, self.gen, a, b, int(today),
                         self.dtab)

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
        live = self.E[2][sl] == self.gen[nb_]
        sl, nb_ = sl[live], nb_[live]
        age = today - self.E[1][sl]
        v = self.E[4][sl].astype(np.float64)
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
        E, used = add_many(
            self.start, self.deg, self.cap, self.gen, self.E, self.used, a, b, int(today),
            vec(fast, np.float64), vec(bond, np.float64), vec(neg, np.float64), k,
            self.dtab)
        self.set_arrays(E, used)

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
        E, used, dropped = compact(self.start, self.deg, self.cap, self.gen, self.E,
                                   int(today), float(eps), self.dtab)
        self.set_arrays(E, used)
        if len(self.E[0]) > 64 and len(self.E[0]) > self.used + self.used // 4:
            self._resize(max(64, self.used + self.used // 16))  # give memory back
        return int(dropped)

    # summaries ------------------------------------------------------------------------
    def degree(self, today: int, threshold: float, negative: bool = False) -> np.ndarray:
        """Per household: number of outgoing ties at or above threshold."""
        return degree_counts(self.start, self.deg, self.E, self.gen, int(today),
                             float(threshold), bool(negative), self.dtab)

    def to_frame(self, today: int) -> pd.DataFrame:
        a, b, p, n = self.all_strengths(today)
        slot = self._slots()[1]
        data = {"from_dwelling": a.astype(np.int32), "to_dwelling": b.astype(np.int32),
                "positive": p, "negative": n,
                "last_contact_day": self.E[1][slot].copy()}
        for i, k in enumerate(CONTACT_KINDS):
            data[f"n_{k}"] = self.E[3][slot, i].astype(np.int32)
        return pd.DataFrame(data)
