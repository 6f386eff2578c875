"""Directed neighbour ties with lazy decay: a dense block per building, sparse rows across.

A tie a→b is how household a regards household b: a positive part (a fast-decaying
acquaintance component plus a slow "bond" component) and a negative part (grudge). Ties are
directed because nuisance is: the victim dislikes the one who caused it.

Layout (chosen by measurement, see benchmarks/): in a building everybody soon recognises
almost everybody (a household of a 140-dwelling gallery flat holds ~120 live ties), so the
ties *within* a building are a dense block: the entry a→b sits at a fixed place, found
with a little arithmetic instead of a search, and nothing ever moves. a→b and b→a are
neighbours in memory (one record pair per unordered pair), because an encounter reads and
writes both: in a district the store no longer fits any cache and each cache line fetched
from memory costs ~100 ns. Ties *between* buildings (met at the park or the shops) are
rare and live in sparse per-household rows, sorted by partner: a lookup is a short binary
search, a row that is full moves to the end with more room, rows are compacted when the
store is pruned. Both kinds are 24-byte records (day, counts by kind, fast, bond, neg) and
a tie is one "slot" whichever kind it is: dense slots 0..D-1, then sparse slot D + p. The
two kinds live in separate arrays, so that growing the sparse rows never copies the dense
blocks (most of the store in a district). Decay is lazy: each entry keeps the day it was last
written and is decayed on read
(value × factor^(days since)), so a day costs O(contacts), not O(ties). Entries that have
decayed to nothing are dropped by `prune`; a dense entry is then cleared (absent = its
fast strength is NaN). Dense and sparse storage behave identically: only speed differs.

When a household moves out, its dense row and column are cleared, its sparse row is
emptied and its dwelling's *generation* goes up: other households' sparse entries that
point at the old generation are stale and read as absent (dropped at the next prune, or
restarted if the pair meets again).

The compiled functions (numba) take the arrays explicitly; `TieStore` is the Python face
with the vectorised API the rest of the model uses. `key` order (a*n+b, ascending) is the
order of every "all ties" view (`key`, `all_strengths`, `find`, `counts`).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
import pandas as pd
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

CONTACT_KINDS = ("greet", "talk", "help", "nuisance")
N_KINDS = len(CONTACT_KINDS)

JIT = {"cache": True, "nogil": True, "boundscheck": False}
DECAY_TABLE_DAYS = 4096  # ages with a tabulated decay factor (older ones use exp)
DENSE_LIMIT = 600  # buildings with more dwellings keep their ties in sparse rows

# rows of the per-household header H (int64, shape (8, n)); DBASE is the first dense slot
# of the household's block
START, DEG, CAP, DBASE, BLOCK, LOC, MBASE, BSIZE = range(8)
# the entries E = (nbr, egen, srec, drec): for sparse position p, its partner nbr[p], the
# partner's generation egen[p] and its record srec[p] (slot D + p); for dense slot s < D,
# drec[s]. 20 bytes a dense entry, 26 a sparse one (most of a district's memory, so every
# byte counts):
# - day: the day of the last write modulo 2**16. Ages are taken modulo 2**16 too, which is
#   exact because every day of a run lies within 2**16 days (the scenario allows burn-in
#   ≤ 20 y + run ≤ 100 y = 43,800 days).
# - cnt: greetings and small talk (uint16, saturating at 65,535); few: help and nuisance
#   episodes (uint8, saturating at 255; a pair helping or bothering each other more than
#   255 times is beyond any run: the help count only matters up to ~50 repeats).
# - val: fast, bond and negative strength. An absent dense entry has NaN as its fast value
#   (no arithmetic on finite strengths makes a NaN).
RECORD = np.dtype([("day", "<u2"), ("cnt", "<u2", (2,)), ("few", "u1", (2,)), ("val", "<f4", (3,))])
DAY_MASK = 0xFFFF
NBR, EGEN, SREC, DREC = range(4)


# --------------------------------------------------------------------------------------
# compiled primitives
# --------------------------------------------------------------------------------------
AHEAD = 8  # entries between a prefetch and its use (contact.py, help.py)


@intrinsic
def prefetch(typingctx, arr, idx):
    """Hint the CPU to fetch arr[idx] into cache (llvm.prefetch; no effect on results)."""
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        ary = context.make_array(signature.args[0])(context, builder, args[0])
        ptr = cgutils.get_item_pointer(
            context, builder, signature.args[0], ary, [args[1]], wraparound=False
        )
        i8p = builder.bitcast(ptr, ir.IntType(8).as_pointer())
        fn = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(
                ir.VoidType(), [i8p.type, ir.IntType(32), ir.IntType(32), ir.IntType(32)]
            ),
            "llvm.prefetch.p0i8",
        )
        builder.call(
            fn,
            [
                i8p,
                ir.Constant(ir.IntType(32), 1),
                ir.Constant(ir.IntType(32), 3),
                ir.Constant(ir.IntType(32), 1),
            ],
        )
        return context.get_dummy_value()

    return sig, codegen


@nb.njit(inline="always", **JIT)
def absent(rec, i):
    """Whether dense record i holds no tie (its fast strength is NaN)."""
    v = rec[i].val[0]
    return v != v


@nb.njit(inline="always", **JIT)
def age_of(rec, i, today):
    """Days since record i was last written (modulo 2**16, exact within a run)."""
    return (today - np.int64(rec[i].day)) & DAY_MASK


@nb.njit(inline="always", **JIT)
def count_of(rec, i, kind):
    """Contacts of one kind recorded in record i."""
    r = rec[i]
    return np.int64(r.cnt[kind]) if kind < 2 else np.int64(r.few[kind - 2])


@nb.njit(inline="always", **JIT)
def bump_count(rec, i, kind):
    """One more contact of `kind` (saturating: uint16 for greet/talk, uint8 for the rest)."""
    r = rec[i]
    if kind < 2:
        if r.cnt[kind] < 65535:
            r.cnt[kind] += 1
    elif r.few[kind - 2] < 255:
        r.few[kind - 2] += 1


@nb.njit(**JIT)
def dense_size(E):
    """D: the number of dense slots in front of the sparse ones."""
    return E[DREC].shape[0]


@nb.njit(**JIT)
def in_dense(E, s):
    return s < E[DREC].shape[0]


@nb.njit(**JIT)
def pair_slot(base, B, i, j):
    """Dense slot of i→j (local indices, i != j) in a block of B starting at `base`: the
    unordered pairs in row-major upper-triangle order, two directed slots each."""
    lo = min(i, j)
    hi = max(i, j)
    return base + 2 * (lo * (2 * B - lo - 1) // 2 + hi - lo - 1) + (1 if i > j else 0)


@nb.njit(**JIT)
def find_pos(H, nbr, a, b):
    """Sparse position of b in a's row if present (>= 0); else -(insertion position) - 1.

    Branch-free binary search (the comparisons are unpredictable, so a conditional move
    beats a branch: about twice as fast on rows of a hundred ties)."""
    base = H[START, a]
    n = H[DEG, a]
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
def sparse_slot(H, gen, nbr, egen, D, a, b):
    """Slot of the live sparse tie a→b, or -1 (kept apart from the dense path so that it
    inlines: passing the entry tuple to a call that is not inlined costs ~40 ns)."""
    p = find_pos(H, nbr, a, b)
    if p >= 0 and egen[p] == gen[b]:
        return D + p
    return -1


@nb.njit(**JIT)
def place(H, a, b):
    """Dense slot of a→b, live or not, or -1 when a and b share no dense block."""
    k = H[BLOCK, a]
    if k >= 0 and k == H[BLOCK, b]:
        return pair_slot(H[DBASE, a], H[BSIZE, a], H[LOC, a], H[LOC, b])
    return -1


@nb.njit(**JIT)
def lookup(H, gen, E, a, b):
    """Slot of the live tie a→b, or -1."""
    d = place(H, a, b)
    if d >= 0:
        return -1 if absent(E[DREC], d) else d
    return sparse_slot(H, gen, E[NBR], E[EGEN], dense_size(E), a, b)


@nb.njit(**JIT)
def decayed_record(rec, i, today, dt):
    r = rec[i]
    age = age_of(rec, i, today)
    f = np.float64(r.val[0])
    b = np.float64(r.val[1])
    n = np.float64(r.val[2])
    if age == 0:
        return f, b, n
    L = dt.shape[0] - 1
    if age < L:
        return f * dt[age, 0], b * dt[age, 1], n * dt[age, 2]
    return (
        f * math.exp(dt[L, 0] * age),
        b * math.exp(dt[L, 1] * age),
        n * math.exp(dt[L, 2] * age),
    )


@nb.njit(**JIT)
def decayed_at(E, s, today, dt):
    """(fast, bond, neg) of entry s decayed to `today`. dt: decay table, rows 0..L-1 the
    factors for an age of that many days, row L the log factors per day (older ages).
    (Each helper picks the dense or the sparse array and then works on that array: a
    record taken from either array in one expression is several times slower.)"""
    if in_dense(E, s):
        return decayed_record(E[DREC], s, today, dt)
    return decayed_record(E[SREC], s - E[DREC].shape[0], today, dt)


@nb.njit(**JIT)
def add_to_record(rec, i, today, df, dbo, dn, kind, dt):
    f, bo, ng = decayed_record(rec, i, today, dt)
    r = rec[i]
    r.val[0] = f + df
    r.val[1] = bo + dbo
    r.val[2] = ng + dn
    r.day = today & DAY_MASK
    if kind >= 0:
        bump_count(rec, i, kind)


@nb.njit(**JIT)
def write_slot(E, s, today, df, dbo, dn, kind, dt):
    """Add increments to the live entry at slot s (decayed to `today` first)."""
    if in_dense(E, s):
        add_to_record(E[DREC], s, today, df, dbo, dn, kind, dt)
    else:
        add_to_record(E[SREC], s - E[DREC].shape[0], today, df, dbo, dn, kind, dt)


@nb.njit(**JIT)
def start_record(rec, i, today, df, dbo, dn, kind):
    r = rec[i]
    r.val[0] = df
    r.val[1] = dbo
    r.val[2] = dn
    r.day = today & DAY_MASK
    r.cnt[0] = 0
    r.cnt[1] = 0
    r.few[0] = 0
    r.few[1] = 0
    if kind >= 0:
        bump_count(rec, i, kind)


@nb.njit(**JIT)
def start_slot(E, s, today, df, dbo, dn, kind):
    """A fresh entry at slot s holding just these increments."""
    if in_dense(E, s):
        start_record(E[DREC], s, today, df, dbo, dn, kind)
    else:
        start_record(E[SREC], s - E[DREC].shape[0], today, df, dbo, dn, kind)


@nb.njit(**JIT)
def _clear_dense(E, s):
    r = E[DREC][s]
    r.day = 0
    r.cnt[0] = 0
    r.cnt[1] = 0
    r.few[0] = 0
    r.few[1] = 0
    r.val[0] = np.nan
    r.val[1] = 0.0
    r.val[2] = 0.0


@nb.njit(**JIT)
def _grow(E, used, need):
    """More room for sparse entries (only they ever grow)."""
    m = E[NBR].shape[0]
    size = max(need + need // 4, m + m // 4, 64)
    nbr = np.zeros(size, np.int32)
    egen = np.zeros(size, np.uint16)
    srec = np.empty(size, E[SREC].dtype)
    nbr[:used] = E[NBR][:used]
    egen[:used] = E[EGEN][:used]
    srec[:used] = E[SREC][:used]
    return nbr, egen, srec, E[DREC]


@nb.njit(**JIT)
def _move(E, src, dst):
    """Move the sparse entry at position src to position dst."""
    E[NBR][dst] = E[NBR][src]
    E[EGEN][dst] = E[EGEN][src]
    E[SREC][dst] = E[SREC][src]


@nb.njit(**JIT)
def upsert(H, gen, E, used, a, b, today, df, dbo, dn, kind, dt):
    """Add increments to tie a→b (decayed to `today` first), creating it if absent.

    Returns (E, used): the arrays may have been reallocated."""
    s = place(H, a, b)
    if s >= 0:
        if absent(E[DREC], s):
            start_slot(E, s, today, df, dbo, dn, kind)
        else:
            write_slot(E, s, today, df, dbo, dn, kind, dt)
        return E, used
    D = dense_size(E)
    p = find_pos(H, E[NBR], a, b)
    if p >= 0:
        if E[EGEN][p] == gen[b]:
            write_slot(E, D + p, today, df, dbo, dn, kind, dt)
        else:  # stale entry left by a previous occupant of b: start afresh
            E[EGEN][p] = gen[b]
            start_slot(E, D + p, today, df, dbo, dn, kind)
        return E, used
    pos = -p - 1
    d = H[DEG, a]
    if d == H[CAP, a]:  # row full: move it to the end with more room
        newcap = max(4, d + (d >> 1) + 2)
        if used + newcap > E[NBR].shape[0]:
            E = _grow(E, used, used + newcap)
        old = H[START, a]
        for k in range(d):
            _move(E, old + k, used + k)
        pos = pos - old + used
        H[START, a] = used
        H[CAP, a] = newcap
        used += newcap
    end = H[START, a] + d
    for k in range(end, pos, -1):
        _move(E, k - 1, k)
    E[NBR][pos] = b
    E[EGEN][pos] = gen[b]
    start_slot(E, D + pos, today, df, dbo, dn, kind)
    H[DEG, a] = d + 1
    return E, used


@nb.njit(**JIT)
def write_tie(store, E, used, s, d, a, b, today, inc, kind):
    """Add the increments inc = (fast, bond, negative) to tie a→b given its slot s from a
    lookup (-1 if absent) and its dense place d (-1 if none): searches only when a new
    sparse tie must be inserted. store = (H, gen, members, decay table). Returns
    (E, used)."""
    df, dbo, dn = inc
    if s >= 0:
        write_slot(E, s, today, df, dbo, dn, kind, store[3])
    elif d >= 0:
        start_slot(E, d, today, df, dbo, dn, kind)
    else:
        E, used = upsert(store[0], store[1], E, used, a, b, today, df, dbo, dn, kind, store[3])
    return E, used


@nb.njit(**JIT)
def add_many(H, gen, E, used, a, b, today, df, dbo, dn, kind, dt):
    for i in range(a.shape[0]):
        E, used = upsert(H, gen, E, used, a[i], b[i], today, df[i], dbo[i], dn[i], kind[i], dt)
    return E, used


@nb.njit(**JIT)
def strengths(H, gen, E, a, b, today, dt):
    m = a.shape[0]
    p = np.zeros(m)
    n = np.zeros(m)
    for i in range(m):
        s = lookup(H, gen, E, a[i], b[i])
        if s >= 0:
            f, bo, ng = decayed_at(E, s, today, dt)
            p[i] = f + bo
            n[i] = ng
    return p, n


@nb.njit(**JIT)
def row_slots(H, gen, members, E, a, partners, slots):
    """Fill `partners`/`slots` with a's live ties in ascending partner order (the dense
    block and the sparse row merged); returns how many. Buffers must hold
    H[BSIZE, a] + H[DEG, a] entries."""
    D = dense_size(E)
    nbr = E[NBR]
    eg = E[EGEN]
    rec = E[DREC]
    B = H[BSIZE, a] if H[BLOCK, a] >= 0 else 0
    base = H[DBASE, a]
    la = H[LOC, a]
    m0 = H[MBASE, a]
    j = 0
    p = H[START, a]
    p_end = p + H[DEG, a]
    k = 0
    while True:
        while j < B and (j == la or absent(rec, pair_slot(base, B, la, j))):
            j += 1
        while p < p_end and eg[p] != gen[nbr[p]]:
            p += 1
        if j < B and (p >= p_end or members[m0 + j] < nbr[p]):
            partners[k] = members[m0 + j]
            slots[k] = pair_slot(base, B, la, j)
            j += 1
        elif p < p_end:
            partners[k] = nbr[p]
            slots[k] = D + p
            p += 1
        else:
            return k
        k += 1


@nb.njit(**JIT)
def count_live(H, gen, E):
    """How many live ties the store holds."""
    nbr = E[NBR]
    eg = E[EGEN]
    rec = E[DREC]
    k = 0
    for s in range(rec.shape[0]):
        if not absent(rec, s):
            k += 1
    for a in range(H.shape[1]):
        p0 = H[START, a]
        for p in range(p0, p0 + H[DEG, a]):
            if eg[p] == gen[nbr[p]]:
                k += 1
    return k


@nb.njit(**JIT)
def live_slots(H, gen, members, E):
    """(owner, partner, slot) of every live entry, in key order."""
    n = H.shape[1]
    total = 0
    width = 0
    for a in range(n):
        w = H[DEG, a] + (H[BSIZE, a] if H[BLOCK, a] >= 0 else 0)
        total += w
        width = max(width, w)
    owner = np.empty(total, np.int64)
    partner = np.empty(total, np.int64)
    slot = np.empty(total, np.int64)
    pb = np.empty(width, np.int64)
    sb = np.empty(width, np.int64)
    k = 0
    for a in range(n):
        c = row_slots(H, gen, members, E, a, pb, sb)
        for i in range(c):
            owner[k] = a
            partner[k] = pb[i]
            slot[k] = sb[i]
            k += 1
    return owner[:k], partner[:k], slot[:k]


@nb.njit(**JIT)
def _counts_as_tie(rec, i, today, thr, negative, dt):
    """Whether record i is at or above thr today. Decay only shrinks a non-negative
    value, so a record already below thr as stored is decided without decaying it (most
    are: the store is mostly faint acquaintances)."""
    v = rec[i].val
    if negative:
        if 0.0 <= v[2] < thr:
            return False
    elif v[0] >= 0.0 and v[1] >= 0.0 and np.float64(v[0]) + np.float64(v[1]) < thr:
        return False
    f, bo, ng = decayed_record(rec, i, today, dt)
    return (ng >= thr) if negative else (f + bo >= thr)


@nb.njit(**JIT)
def cnt_at(E, s, kind):
    """Contacts of one kind recorded in slot s."""
    if in_dense(E, s):
        return count_of(E[DREC], s, kind)
    return count_of(E[SREC], s - E[DREC].shape[0], kind)


@nb.njit(**JIT)
def degree_counts(H, gen, members, E, today, thr, negative, dt):
    """Per household: live outgoing ties at or above thr (positive, or negative part).
    Dense blocks are read in memory order (both directions of each pair), sparse rows row
    by row."""
    nbr = E[NBR]
    eg = E[EGEN]
    rec = E[DREC]
    srec = E[SREC]
    n = H.shape[1]
    out = np.zeros(n, np.int64)
    for a in range(n):
        # each dense block once, from its first member (local index 0)
        if H[BLOCK, a] >= 0 and H[LOC, a] == 0:
            B = H[BSIZE, a]
            m0 = H[MBASE, a]
            s = H[DBASE, a]
            for lo in range(B):
                for hi in range(lo + 1, B):
                    if not absent(rec, s) and _counts_as_tie(rec, s, today, thr, negative, dt):
                        out[members[m0 + lo]] += 1
                    if not absent(rec, s + 1) and _counts_as_tie(
                        rec, s + 1, today, thr, negative, dt
                    ):
                        out[members[m0 + hi]] += 1
                    s += 2
        p0 = H[START, a]
        for p in range(p0, p0 + H[DEG, a]):
            if eg[p] == gen[nbr[p]] and _counts_as_tie(srec, p, today, thr, negative, dt):
                out[a] += 1
    return out


@nb.njit(**JIT)
def forget_households(H, gen, E, hs):
    """Households hs moved out: clear their dense rows and columns, empty their sparse
    rows and raise their generation (others' sparse entries to them turn stale)."""
    rec = E[DREC]
    for q in range(hs.shape[0]):
        x = hs[q]
        H[DEG, x] = 0
        gen[x] += 1
        if H[BLOCK, x] < 0:
            continue
        B = H[BSIZE, x]
        base = H[DBASE, x]
        lx = H[LOC, x]
        for j in range(B):
            if j == lx:
                continue
            s = pair_slot(base, B, lx, j)
            for t in (s, pair_slot(base, B, j, lx)):
                if not absent(rec, t):
                    _clear_dense(E, t)


@nb.njit(**JIT)
def compact(H, gen, E, today, eps, dt):
    """Clear faded dense entries; drop stale and faded sparse entries and repack the rows
    with a little room to grow, in place: rows are visited in memory order and only ever
    move towards the front, so no second copy of the store is needed.

    Returns (E, used, dropped)."""
    D = dense_size(E)
    rec = E[DREC]
    dropped = 0
    for s in range(D):
        if absent(rec, s):
            continue
        f, bo, ng = decayed_record(rec, s, today, dt)
        if f + bo < eps and ng < eps:
            _clear_dense(E, s)
            dropped += 1
    nbr = E[NBR]
    eg = E[EGEN]
    order = np.argsort(H[START])
    pos = 0
    for q in range(order.shape[0]):
        a = order[q]
        old_cap = H[CAP, a]
        if old_cap == 0:
            continue
        p0 = H[START, a]
        start_new = pos  # <= p0: earlier rows only shrank
        c = 0
        for p in range(p0, p0 + H[DEG, a]):
            if eg[p] == gen[nbr[p]]:
                f, bo, ng = decayed_record(E[SREC], p, today, dt)
                if f + bo >= eps or ng >= eps:
                    if pos != p:
                        _move(E, p, pos)
                    pos += 1
                    c += 1
                    continue
            dropped += 1
        H[START, a] = start_new
        H[DEG, a] = c
        H[CAP, a] = min(c + (c >> 3) + 2, old_cap) if c > 0 else 0
        pos = start_new + H[CAP, a]
    return E, pos, dropped


def _owned_entries(dense: int, sparse: int) -> tuple:
    """Entry arrays allocated by numpy (so `TieStore.reserve` can grow them in place)."""
    drec = np.zeros(dense, RECORD)
    drec["val"][:, 0] = np.nan  # absent
    return (np.zeros(sparse, np.int32), np.zeros(sparse, np.uint16), np.zeros(sparse, RECORD), drec)


def block_header(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Header rows DBASE, BLOCK, LOC, MBASE, BSIZE for dense blocks (`blocks[d]` = block
    of dwelling d, -1 = sparse only), the members of every block in ascending order, and
    D, the number of dense slots (B·(B-1) per block of B)."""
    blocks = np.asarray(blocks, np.int64)
    n = len(blocks)
    H = np.zeros((8, n), np.int64)
    H[BLOCK] = -1
    H[DBASE] = -1
    in_block = np.flatnonzero(blocks >= 0)
    order = in_block[np.argsort(blocks[in_block], kind="stable")]  # by block, then dwelling
    members = np.full(n, -1, np.int64)
    members[: len(order)] = order
    ids, first, size = np.unique(blocks[order], return_index=True, return_counts=True)
    size = size.astype(np.int64)
    dense_base = np.concatenate([[0], np.cumsum(size * (size - 1))])
    for k, (f, B) in enumerate(zip(first, size)):
        dw = order[f : f + B]
        H[BLOCK, dw] = ids[k]
        H[LOC, dw] = np.arange(B)
        H[MBASE, dw] = f
        H[BSIZE, dw] = B
        H[DBASE, dw] = dense_base[k]
    return H, members, int(dense_base[-1])


def dense_blocks(building: np.ndarray, limit: int | None = None) -> np.ndarray:
    """Block per dwelling for the tie store: its building, or -1 for buildings larger than
    `limit` (default DENSE_LIMIT), whose ties live in sparse rows."""
    limit = DENSE_LIMIT if limit is None else limit
    building = np.asarray(building, np.int64)
    size = np.bincount(building)
    return np.where(size[building] <= limit, building, -1)


# --------------------------------------------------------------------------------------
# Python face
# --------------------------------------------------------------------------------------
def _ages(rec: np.ndarray, today: int) -> np.ndarray:
    """Days since each record was written (see RECORD: days are kept modulo 2**16)."""
    return (np.int64(today) - rec["day"].astype(np.int64)) & DAY_MASK


def _kind_counts(rec: np.ndarray) -> np.ndarray:
    """(records, kinds) contact counts in CONTACT_KINDS order."""
    return np.hstack([rec["cnt"], rec["few"]]).astype(np.int32)


class TieStore:
    """All directed ties of a site. `blocks` (one id per dwelling, -1 for none) groups
    dwellings whose mutual ties are kept in a dense block; None keeps every tie sparse."""

    def __init__(
        self,
        n_households: int,
        fast_half_life: float,
        bond_half_life: float,
        neg_half_life: float,
        blocks: np.ndarray | None = None,
    ):
        self.n = int(n_households)
        self.log_fast = np.log(0.5) / fast_half_life
        self.log_bond = np.log(0.5) / bond_half_life
        self.log_neg = np.log(0.5) / neg_half_life
        logs = np.array([self.log_fast, self.log_bond, self.log_neg])
        ages = np.arange(DECAY_TABLE_DAYS, dtype=np.float64)[:, None]
        self.dtab = np.vstack([np.exp(ages * logs), logs])  # see decayed_at
        n = self.n
        self.H, self.members, self.dense = block_header(
            np.full(n, -1) if blocks is None else blocks
        )
        self.gen = np.zeros(n, np.uint16)
        self.E = _owned_entries(self.dense, 64)
        self.used = 0
        self._version = 0
        self._view: tuple[int, np.ndarray, np.ndarray, np.ndarray] | None = None

    # raw state for compiled callers ---------------------------------------------------
    @property
    def start(self) -> np.ndarray:
        return self.H[START]

    @property
    def deg(self) -> np.ndarray:
        """Sparse entries per household (ties to other buildings, or all if no blocks)."""
        return self.H[DEG]

    @property
    def cap(self) -> np.ndarray:
        return self.H[CAP]

    def set_arrays(self, E: tuple, used: int) -> None:
        """Take back the entry arrays a compiled writer returned (it may have reallocated
        them)."""
        self.E, self.used = E, int(used)
        self._version += 1

    def reserve(self, extra: int) -> None:
        """Make room for `extra` more sparse slots (plus 2% headroom) by growing the sparse
        arrays in place (realloc), so that the compiled writers rarely have to."""
        need = self.used + int(extra) + self.used // 50
        size = len(self.E[NBR])
        if need <= size:
            return
        self._resize(max(need, size + size // 8))

    def _resize(self, new: int) -> None:
        """Give the sparse arrays room for `new` entries (the dense blocks never change)."""
        sparse = self.E[:DREC]
        if all(arr.flags.owndata for arr in sparse):
            for arr in sparse:
                arr.resize(new, refcheck=False)
        else:  # arrays made by compiled code (fallback growth): copy once into owned ones
            grown = _owned_entries(0, new)[:DREC]
            for dst, src in zip(grown, sparse, strict=True):
                dst[: self.used] = src[: self.used]
            self.E = (*grown, self.E[DREC])
        self._version += 1

    def _records(self, slot: np.ndarray) -> np.ndarray:
        """The records of unified slots (dense, then sparse), as one array."""
        D = self.dense
        out = np.empty(len(slot), RECORD)
        dense = slot < D
        out[dense] = self.E[DREC][slot[dense]]
        out[~dense] = self.E[SREC][slot[~dense] - D]
        return out

    def nbytes(self) -> int:
        return sum(x.nbytes for x in (self.H, self.members, self.gen, *self.E))

    # views in key order ----------------------------------------------------------------
    def _slots(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._view is None or self._view[0] != self._version:
            self._view = (self._version, *live_slots(self.H, self.gen, self.members, self.E))
        return self._view[1], self._view[2], self._view[3]

    def __len__(self) -> int:
        if self._view is not None and self._view[0] == self._version:
            return len(self._view[3])
        return int(count_live(self.H, self.gen, self.E))  # no key-order arrays needed

    def entries_per_household(self) -> np.ndarray:
        """Live ties (of any strength) each household holds."""
        return np.bincount(self._slots()[0], minlength=self.n)

    @property
    def key(self) -> np.ndarray:
        owner, partner, _ = self._slots()
        return owner * self.n + partner

    def last_day(self, today: int) -> np.ndarray:
        """Day of each tie's last contact, in key order (records keep it modulo 2**16)."""
        return int(today) - _ages(self._records(self._slots()[2]), today)

    @property
    def counts(self) -> np.ndarray:
        """(ties, kinds) contacts per tie by CONTACT_KINDS, in key order."""
        return _kind_counts(self._records(self._slots()[2]))

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
    def _decayed(self, slot: np.ndarray, today: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Decayed (fast, bond, neg) of entries at `slot`."""
        rec = self._records(slot)
        age = _ages(rec, today)
        v = rec["val"].astype(np.float64)
        return (
            v[:, 0] * np.exp(self.log_fast * age),
            v[:, 1] * np.exp(self.log_bond * age),
            v[:, 2] * np.exp(self.log_neg * age),
        )

    def strength(self, a: np.ndarray, b: np.ndarray, today: int) -> tuple[np.ndarray, np.ndarray]:
        """(positive, negative) strength of ties a→b as of `today`; zeros where absent."""
        a = np.ascontiguousarray(a, np.int64)
        b = np.ascontiguousarray(b, np.int64)
        return strengths(self.H, self.gen, self.E, a, b, int(today), self.dtab)

    def all_strengths(self, today: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(a, b, positive, negative) for every stored tie, decayed to `today`."""
        owner, partner, slot = self._slots()
        f, bd, ng = self._decayed(slot, today)
        return owner, partner, f + bd, ng

    def row(self, a: int, today: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(partners, positive, negative) of household a's live ties, decayed to `today`."""
        width = int(self.H[DEG, a] + (self.H[BSIZE, a] if self.H[BLOCK, a] >= 0 else 0))
        partners = np.empty(width, np.int64)
        slots = np.empty(width, np.int64)
        k = row_slots(self.H, self.gen, self.members, self.E, int(a), partners, slots)
        f, bd, ng = self._decayed(slots[:k], today)
        return partners[:k], f + bd, ng

    # writing --------------------------------------------------------------------------
    def add(
        self,
        a: np.ndarray,
        b: np.ndarray,
        today: int,
        fast: np.ndarray | float = 0.0,
        bond: np.ndarray | float = 0.0,
        neg: np.ndarray | float = 0.0,
        kind: np.ndarray | int | None = None,
    ) -> None:
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
            self.H,
            self.gen,
            self.E,
            self.used,
            a,
            b,
            int(today),
            vec(fast, np.float64),
            vec(bond, np.float64),
            vec(neg, np.float64),
            k,
            self.dtab,
        )
        self.set_arrays(E, used)

    def remove_households(self, households: np.ndarray) -> None:
        """Forget every tie from or to households that moved out."""
        h = np.ascontiguousarray(households, np.int64)
        if len(h) == 0:
            return
        forget_households(self.H, self.gen, self.E, h)
        self._version += 1

    def prune(self, today: int, eps: float = 0.01) -> int:
        """Drop ties that have faded below `eps` in every component; returns how many
        (stale entries of households that moved out are dropped too and counted)."""
        E, used, dropped = compact(self.H, self.gen, self.E, int(today), float(eps), self.dtab)
        self.set_arrays(E, used)
        size = len(self.E[NBR])
        if size > 64 and size > self.used + self.used // 4:
            self._resize(max(64, self.used + self.used // 16))  # give memory back
        return int(dropped)

    # summaries ------------------------------------------------------------------------
    def degree(self, today: int, threshold: float, negative: bool = False) -> np.ndarray:
        """Per household: number of outgoing ties at or above threshold."""
        return degree_counts(
            self.H,
            self.gen,
            self.members,
            self.E,
            int(today),
            float(threshold),
            bool(negative),
            self.dtab,
        )

    def to_frame(
        self,
        today: int,
        positive_at_least: float | None = None,
        negative_at_least: float | None = None,
        empty: bool = False,
    ) -> pd.DataFrame:
        """Every live tie (key order) with strengths, last contact day and contact counts;
        with thresholds, only ties whose positive or negative part reaches its threshold;
        `empty`: just the columns (nothing is read)."""
        if empty:
            a = b = slot = np.zeros(0, np.int64)
        else:
            a, b, slot = self._slots()
        f, bd, n = self._decayed(slot, today)
        p = f + bd
        if positive_at_least is not None or negative_at_least is not None:
            keep = np.zeros(len(p), bool)
            if positive_at_least is not None:
                keep |= p >= positive_at_least
            if negative_at_least is not None:
                keep |= n >= negative_at_least
            a, b, slot, p, n = a[keep], b[keep], slot[keep], p[keep], n[keep]
        rec = self._records(slot)
        data = {
            "from_dwelling": a.astype(np.int32),
            "to_dwelling": b.astype(np.int32),
            "positive": p,
            "negative": n,
            "last_contact_day": (int(today) - _ages(rec, today)).astype(np.int32),
        }
        cnt = _kind_counts(rec)
        for i, k in enumerate(CONTACT_KINDS):
            data[f"n_{k}"] = cnt[:, i].astype(np.int32)
        return pd.DataFrame(data)
