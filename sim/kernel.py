"""The vectorised daily hot path: trips → visits → co-presence → encounter pairs.

Pure functions on numpy arrays; the model owns the state and the random streams. Work per
day is O(visits log visits): pairs are sampled within each (node, slot) co-presence group
rather than enumerated, so a crowded park costs no more than a quiet gallery.
"""

from __future__ import annotations

import numpy as np

ALWAYS_TRIPS = ("out", "dog_field")  # trips avoidance cannot cancel


def slot_weights(slots: int) -> np.ndarray:
    """(2, slots) probabilities of a trip's slot for non-working (row 0) and working (row 1)
    households: workers leave early and come back late, others spread over the day."""
    t = (np.arange(slots) + 0.5) / slots
    daytime = 1.0 + np.sin(np.pi * t)          # peaks mid-day
    commute = 1.0 + 2.0 * np.cos(np.pi * t) ** 2  # peaks at both ends
    w = np.vstack([daytime, commute])
    return w / w.sum(axis=1, keepdims=True)


def csr_gather(indptr: np.ndarray, values: np.ndarray,
               rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate values[indptr[r]:indptr[r+1]] for each r in rows.

    Returns (gathered values, index into `rows` that each value came from)."""
    starts = indptr[rows]
    lens = indptr[rows + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return values[:0], np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(rows)), lens)
    offsets = np.cumsum(lens) - lens
    pos = np.arange(total) - np.repeat(offsets, lens) + np.repeat(starts, lens)
    return values[pos], owner


def make_visits(trip_rates: dict[str, np.ndarray], routes: dict[str, tuple[np.ndarray, np.ndarray]],
                working: np.ndarray, slots: int, rng: np.random.Generator
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw today's trips and expand them into visits (household, node, slot).

    `trip_rates[dest]` is the expected number of trips per dwelling (0 for vacant ones).
    Drawing happens in a fixed destination order so the stream stays reproducible."""
    weights = slot_weights(slots)
    cum = np.cumsum(weights, axis=1)
    hh_parts, node_parts, slot_parts = [], [], []
    for dest in sorted(trip_rates):
        if dest not in routes:
            continue
        n_trips = rng.poisson(trip_rates[dest])
        movers = np.flatnonzero(n_trips)
        if len(movers) == 0:
            continue
        trip_hh = np.repeat(movers, n_trips[movers])
        u = rng.random(len(trip_hh))
        trip_slot = (u[:, None] > cum[working[trip_hh].astype(np.int64)]).sum(axis=1)
        indptr, nodes = routes[dest]
        visit_nodes, owner = csr_gather(indptr, nodes, trip_hh)
        hh_parts.append(trip_hh[owner])
        node_parts.append(visit_nodes)
        slot_parts.append(trip_slot[owner])
    if not hh_parts:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty
    return (np.concatenate(hh_parts), np.concatenate(node_parts).astype(np.int64),
            np.concatenate(slot_parts).astype(np.int64))


def sample_copresence_pairs(hh: np.ndarray, node: np.ndarray, slot: np.ndarray, slots: int,
                            notice_by_node: np.ndarray, max_partners: int,
                            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Encounter pairs (a < b, unique) among households present at the same node and slot.

    Each of the n(n-1)/2 pairs in a group meets with the node's notice probability; the
    number of meetings is drawn as one binomial per group (capped at n*max_partners/2) and
    the meeting pairs are sampled uniformly within the group."""
    if len(hh) < 2:
        empty = np.zeros(0, np.int64)
        return empty, empty
    key = node * slots + slot
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    hh_sorted = hh[order]
    starts = np.flatnonzero(np.r_[True, key_sorted[1:] != key_sorted[:-1]])
    sizes = np.diff(np.r_[starts, len(key_sorted)])
    crowded = sizes >= 2
    starts, sizes = starts[crowded], sizes[crowded]
    group_node = key_sorted[starts] // slots
    pair_count = sizes * (sizes - 1) // 2
    m = rng.binomial(pair_count, notice_by_node[group_node])
    m = np.minimum(m, np.maximum(1, sizes * max_partners // 2))
    total = int(m.sum())
    if total == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty
    g = np.repeat(np.arange(len(sizes)), m)
    n_g = sizes[g]
    i = (rng.random(total) * n_g).astype(np.int64)
    j = (rng.random(total) * (n_g - 1)).astype(np.int64)
    j += j >= i
    a = hh_sorted[starts[g] + i]
    b = hh_sorted[starts[g] + j]
    keep = a != b
    return canonical_pairs(a[keep], b[keep])


def canonical_pairs(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique unordered pairs as (low, high) arrays, sorted."""
    lo = np.minimum(a, b).astype(np.int64)
    hi = np.maximum(a, b).astype(np.int64)
    if len(lo) == 0:
        return lo, hi
    width = int(hi.max()) + 1
    key = np.unique(lo * width + hi)
    return key // width, key % width
