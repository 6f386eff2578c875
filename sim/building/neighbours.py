"""Which dwellings are neighbours of which, from a site's geometry: through walls (for
nuisance) and along the same gallery, landing, corridor or row (for doorstep meetings)."""

from __future__ import annotations

import numpy as np

from .site import Site


def adjacent_dwellings(site: Site) -> tuple[np.ndarray, np.ndarray]:
    """CSR lists of the dwellings sharing a wall, floor or ceiling with each dwelling: next
    door on the same gallery/landing/corridor/row, and directly above and below."""
    bld, fl, pos = site.dwelling_building, site.dwelling_floor, site.dwelling_position
    circ = site.dwelling_circulation
    where = {(int(b), int(f), int(p)): d for d, (b, f, p) in enumerate(zip(bld, fl, pos))}
    lists: list[list[int]] = []
    for d in range(site.n_dwellings):
        b, f, p = int(bld[d]), int(fl[d]), int(pos[d])
        out = []
        for key, same_circ in (
            ((b, f, p - 1), True),
            ((b, f, p + 1), True),
            ((b, f - 1, p), False),
            ((b, f + 1, p), False),
        ):
            o = where.get(key)
            if o is not None and (not same_circ or circ[o] == circ[d]):
                out.append(o)
        lists.append(out)
    ptr = np.zeros(site.n_dwellings + 1, np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    flat = np.fromiter((o for x in lists for o in x), np.int64, count=int(ptr[-1]))
    return ptr, flat


def doorstep_pairs(site: Site, reach: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, doors): every pair of dwellings a < b whose front doors open onto the same
    circulation unit (one floor's gallery or corridor, one landing, one row's sidewalk)
    at most `reach` doors apart, sorted by (a, b)."""
    circ = np.asarray(site.dwelling_circulation, np.int64)
    pos = np.asarray(site.dwelling_position, np.int64)
    order = np.lexsort((pos, circ))
    pa, pb, pd = [], [], []
    for gap in range(1, reach + 1):
        x, y = order[:-gap], order[gap:]
        same = circ[x] == circ[y]
        x, y = x[same], y[same]
        doors = np.abs(pos[y] - pos[x])
        keep = (doors >= 1) & (doors <= reach)
        pa.append(np.minimum(x, y)[keep])
        pb.append(np.maximum(x, y)[keep])
        pd.append(doors[keep])
    a = np.concatenate(pa) if pa else np.zeros(0, np.int64)
    b = np.concatenate(pb) if pb else np.zeros(0, np.int64)
    doors = np.concatenate(pd) if pd else np.zeros(0, np.int64)
    key = np.unique(a * site.n_dwellings + b, return_index=True)[1]
    a, b, doors = a[key], b[key], doors[key]
    order = np.lexsort((b, a))
    return a[order].astype(np.int64), b[order].astype(np.int64), doors[order].astype(np.int64)
