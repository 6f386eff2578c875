"""Directed neighbour ties in a compact sorted pair store with lazy decay.

A tie a→b is how household a regards household b: a positive part (a fast-decaying
acquaintance component plus a slow "bond" component) and a negative part (grudge). Ties are
directed because nuisance is: the victim dislikes the one who caused it.

Storage is struct-of-arrays sorted by the int64 key a*n+b, so one household's ties sit
together in memory. Decay is lazy: each entry keeps the day it was last written and is
decayed on read (value × factor^(days since)), so a day costs O(contacts), not O(ties).
Entries that have decayed to nothing are pruned periodically.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

CONTACT_KINDS = ("greet", "talk", "help", "nuisance")


class TieStore:
    def __init__(self, n_households: int, fast_half_life: float, bond_half_life: float,
                 neg_half_life: float):
        self.n = int(n_households)
        self.log_fast = np.log(0.5) / fast_half_life
        self.log_bond = np.log(0.5) / bond_half_life
        self.log_neg = np.log(0.5) / neg_half_life
        self.key = np.empty(0, np.int64)
        self.fast = np.empty(0, np.float64)
        self.bond = np.empty(0, np.float64)
        self.neg = np.empty(0, np.float64)
        self.day = np.empty(0, np.int32)
        self.counts = np.empty((0, len(CONTACT_KINDS)), np.int32)

    def __len__(self) -> int:
        return len(self.key)

    # keys -----------------------------------------------------------------------------
    def keys(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.asarray(a, np.int64) * self.n + np.asarray(b, np.int64)

    def split(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return key // self.n, key % self.n

    def find(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions of keys in the store and whether each is present."""
        pos = np.searchsorted(self.key, key)
        found = np.zeros(len(key), bool)
        inside = pos < len(self.key)
        found[inside] = self.key[pos[inside]] == key[inside]
        return pos, found

    # reading --------------------------------------------------------------------------
    def _decayed(self, idx: np.ndarray, today: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        age = today - self.day[idx]
        return (self.fast[idx] * np.exp(self.log_fast * age),
                self.bond[idx] * np.exp(self.log_bond * age),
                self.neg[idx] * np.exp(self.log_neg * age))

    def strength(self, a: np.ndarray, b: np.ndarray, today: int) -> tuple[np.ndarray, np.ndarray]:
        """(positive, negative) strength of ties a→b as of `today`; zeros where absent."""
        key = self.keys(a, b)
        pos, found = self.find(key)
        p = np.zeros(len(key))
        n = np.zeros(len(key))
        if found.any():
            f, bd, ng = self._decayed(pos[found], today)
            p[found] = f + bd
            n[found] = ng
        return p, n

    def all_strengths(self, today: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(a, b, positive, negative) for every stored tie, decayed to `today`."""
        a, b = self.split(self.key)
        f, bd, ng = self._decayed(np.arange(len(self.key)), today)
        return a, b, f + bd, ng

    # writing --------------------------------------------------------------------------
    def add(self, a: np.ndarray, b: np.ndarray, today: int, fast: np.ndarray | float = 0.0,
            bond: np.ndarray | float = 0.0, neg: np.ndarray | float = 0.0,
            kind: np.ndarray | None = None) -> None:
        """Add increments to ties a→b (duplicates summed), creating ties that do not exist.

        `kind` (index into CONTACT_KINDS, or -1 for none) is counted per tie.
        """
        a = np.asarray(a, np.int64)
        if len(a) == 0:
            return
        m = len(a)
        key = self.keys(a, b)
        fast = np.broadcast_to(np.asarray(fast, float), (m,))
        bond = np.broadcast_to(np.asarray(bond, float), (m,))
        neg = np.broadcast_to(np.asarray(neg, float), (m,))
        ukey, inv = np.unique(key, return_inverse=True)
        d_fast = np.bincount(inv, fast, len(ukey))
        d_bond = np.bincount(inv, bond, len(ukey))
        d_neg = np.bincount(inv, neg, len(ukey))
        d_counts = np.zeros((len(ukey), len(CONTACT_KINDS)), np.int32)
        if kind is not None:
            kind = np.broadcast_to(np.asarray(kind, np.int64), (m,))
            ok = kind >= 0
            np.add.at(d_counts, (inv[ok], kind[ok]), 1)

        pos, found = self.find(ukey)
        if found.any():
            idx = pos[found]
            f, bd, ng = self._decayed(idx, today)
            self.fast[idx] = f + d_fast[found]
            self.bond[idx] = bd + d_bond[found]
            self.neg[idx] = ng + d_neg[found]
            self.day[idx] = today
            self.counts[idx] += d_counts[found]
        new = ~found
        if new.any():
            at = pos[new]
            self.key = np.insert(self.key, at, ukey[new])
            self.fast = np.insert(self.fast, at, d_fast[new])
            self.bond = np.insert(self.bond, at, d_bond[new])
            self.neg = np.insert(self.neg, at, d_neg[new])
            self.day = np.insert(self.day, at, np.int32(today))
            self.counts = np.insert(self.counts, at, d_counts[new], axis=0)

    def _keep(self, mask: np.ndarray) -> None:
        self.key = self.key[mask]
        self.fast = self.fast[mask]
        self.bond = self.bond[mask]
        self.neg = self.neg[mask]
        self.day = self.day[mask]
        self.counts = self.counts[mask]

    def remove_households(self, households: np.ndarray) -> None:
        """Forget every tie from or to households that moved out."""
        if len(households) == 0 or len(self.key) == 0:
            return
        gone = np.zeros(self.n, bool)
        gone[households] = True
        a, b = self.split(self.key)
        self._keep(~(gone[a] | gone[b]))

    def prune(self, today: int, eps: float = 0.01) -> int:
        """Drop ties that have faded below `eps` in every component; returns how many."""
        if len(self.key) == 0:
            return 0
        f, bd, ng = self._decayed(np.arange(len(self.key)), today)
        keep = (f + bd >= eps) | (ng >= eps)
        dropped = int((~keep).sum())
        if dropped:
            self._keep(keep)
        return dropped

    # summaries ------------------------------------------------------------------------
    def degree(self, today: int, threshold: float, negative: bool = False) -> np.ndarray:
        """Per household: number of outgoing ties at or above threshold."""
        a, _, p, n = self.all_strengths(today)
        mask = (n if negative else p) >= threshold
        return np.bincount(a[mask], minlength=self.n)

    def to_frame(self, today: int) -> pd.DataFrame:
        a, b, p, n = self.all_strengths(today)
        data = {"from_dwelling": a.astype(np.int32), "to_dwelling": b.astype(np.int32),
                "positive": p, "negative": n,
                "last_contact_day": self.day.copy()}
        for i, k in enumerate(CONTACT_KINDS):
            data[f"n_{k}"] = self.counts[:, i].copy()
        return pd.DataFrame(data)
