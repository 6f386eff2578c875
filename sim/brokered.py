"""Meetings someone arranges (an introduction, a visit, mediation, an activity): queued by
interventions during the day (`NeighbourhoodModel.queue_meetings`) and merged into the
day's chance encounters, one encounter per pair, with a talk boost (boost 1: by chance)."""

from __future__ import annotations

import numpy as np

from sim.trips import canonical_pairs

Queued = list[tuple[np.ndarray, np.ndarray, float]]


class BrokeredMeetings:
    """Today's queued meetings, merged into the chance encounters by `merge`."""

    def __init__(self, n_dwellings: int):
        self.width = n_dwellings
        self.queued: Queued = []
        self._ones = np.ones(0)

    def queue(self, a: np.ndarray, b: np.ndarray, talk_boost: float) -> None:
        if len(a):
            self.queued.append((np.asarray(a, np.int64), np.asarray(b, np.int64), talk_boost))

    def merge(
        self, a: np.ndarray, b: np.ndarray, occupied: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(a, b, boost): the chance encounters (a < b, sorted; boost 1) with today's
        queued meetings between occupied dwellings, each pair once with its strongest
        boost, sorted; the queue is emptied."""
        if not self.queued:
            if len(self._ones) < len(a):  # a read-only view of ones: no daily allocation
                self._ones = np.ones(2 * len(a))
            return a, b, self._ones[: len(a)]
        parts_a, parts_b, parts_boost = [a], [b], [np.ones(len(a))]
        for qa, qb, tb in self.queued:
            ga, gb = canonical_pairs(qa, qb)
            keep = ga != gb
            parts_a.append(ga[keep])
            parts_b.append(gb[keep])
            parts_boost.append(np.full(int(keep.sum()), tb))
        self.queued.clear()
        a = np.concatenate(parts_a)
        b = np.concatenate(parts_b)
        boost = np.concatenate(parts_boost)
        ok = occupied[a] & occupied[b]
        a, b, boost = a[ok], b[ok], boost[ok]
        key = a * self.width + b
        order = np.lexsort((-boost, key))
        key, boost = key[order], boost[order]
        first = np.r_[True, key[1:] != key[:-1]]
        key, boost = key[first], boost[first]
        return key // self.width, key % self.width, boost
