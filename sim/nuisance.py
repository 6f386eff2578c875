"""Nuisance between neighbours, compiled: one rule for an episode, whether it happens in
an encounter (the chance `nuisance_chance`, written by `encounter_episode`) or through the
walls (`living_nuisance`: noise heard next door, above and below). Either way an episode
adds `episode_weight` to the victim's negative tie to the causer and a backlash to the
causer's tie back, counts for the causer, and leaves the victim a bad day and perhaps a
complaint (`suffered`)."""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from sim.columns import Event, Flag, Real, Whole
from sim.rand import JIT, MAX_CHANCE, uniform
from sim.ties import (
    decayed_at,
    lookup,
    upsert,
    write_tie,
)

NUISANCE_KIND = (
    3  # the contact-count slot of a nuisance episode (ties.py: greet, talk, help, nuisance)
)


@nb.njit(inline="always", **JIT)
def nuisance_chance(c, risk_a, risk_b, grudges, positive, boost):
    """Chance an encounter turns into a nuisance episode: a base, plus the pair's
    nuisance risks and grudges, less between friends; arranged meetings (boost > 1: an
    introduction, a hosted activity) are civil in proportion to how much the host shapes
    them, anonymous passing is not. `grudges` and `positive` are the pair's sums."""
    friendly = min(max(positive / (2 * c.tie_threshold), 0.0), 1.0)
    p = (
        (
            c.negative_base
            + c.negative_risk_weight * (risk_a + risk_b)
            + c.negative_grudge_weight * grudges
        )
        * (1 - c.friendly_civility * friendly)
        / max(boost, 1.0)
    )
    return min(max(p, 0.0), MAX_CHANCE)


@nb.njit(inline="always", **JIT)
def episode_weight(c, positive_victim_causer):
    """Negative strength one nuisance episode adds to the victim's tie to the causer:
    negative events weigh more than positive ones, less between friends (buffering)."""
    return (
        c.w_nuisance
        * c.negative_weight
        * (1 - c.buffer * min(max(positive_victim_causer / c.tie_threshold, 0.0), 1.0))
    )


@nb.njit(inline="always", **JIT)
def backlash(c, weight):
    """Negative strength an episode of `weight` adds to the causer's tie to the victim."""
    return c.backlash_share * weight


@nb.njit(inline="always", **JIT)
def encounter_episode(store, E, used, c, day, victim, causer, p_vc, at_vc, at_cv):
    """One nuisance episode in an encounter written on both ties (victim→causer: the
    episode's weight; causer→victim: the backlash), at the (slot, dense slot) pairs at_vc,
    at_cv found when they were read (an insert only moves the row it goes into, so they
    stay valid). p_vc: the victim's positive tie to the causer. Returns (E, used)."""
    weight = episode_weight(c, p_vc)
    hurt = (0.0, 0.0, weight)
    E, used = write_tie(
        store, E, used, at_vc[0], at_vc[1], victim, causer, day, hurt, NUISANCE_KIND
    )
    back = (0.0, 0.0, backlash(c, weight))
    return write_tie(store, E, used, at_cv[0], at_cv[1], causer, victim, day, back, NUISANCE_KIND)


@nb.njit(**JIT)
def suffered(victims, causers, m, st, real, rng):
    """The first m nuisance episodes' aftermath for their victims, the same for encounters
    and for nuisance through walls: the victim's bad day and a complaint against the
    causer with a chance that grows with the victim's trust in institutions (one draw per
    victim, in order). (The causer's own tally counts episodes, not victims: the callers
    keep it.) `real`: the households' float matrix."""
    trust_institutions = real[Real.trust_institutions]
    neg_today = real[Real.neg_today]
    complaints = real[Real.complaints]
    for q in range(m):
        v = victims[q]
        x = causers[q]
        neg_today[v] += 1.0
        if uniform(rng) < st.complaint_prob * (st.complaint_trust_base + trust_institutions[v]):
            complaints[x] += 1.0


@nb.njit(**JIT)
def poisson_small(rs, lam):
    """Poisson(lam) for lam < 10 exactly as numpy's Generator.poisson draws it (product of
    uniforms), so moving a numpy call into compiled code keeps the same random sequence."""
    if lam <= 0.0:
        return 0
    enlam = math.exp(-lam)
    k = 0
    prod = 1.0
    while True:
        prod *= uniform(rs)
        if prod > enlam:
            k += 1
        else:
            return k


@nb.njit(**JIT)
def living_nuisance(day, c, st, store, E, used, walls, hh, rng, first, end, counts):
    """Noise, smells and mess through walls: each dwelling's household (of dwellings
    first..end-1) causes Poisson-many episodes (rate × its risk), each heard in every
    dwelling next door, above and below (walls = the adjacency CSR (ptr, dwellings)), so a
    noisy household bothers the same few neighbours again and again (what 'often
    bothered' is made of); an occupied victim holds it against the causer like an
    encounter's nuisance, and may complain. Strengths are read before any write; draws
    per dwelling, in dwelling order, so common random numbers stay tied to households.
    Adds episodes (per victim) to counts[Event.nuisance] and [Event.living_nuisance],
    those between households already avoiding each other to [Event.conflict]. Returns
    (E, used)."""
    real, whole, flag = hh
    n_ep, causer, victim = _wall_episodes(c, real, flag, walls, rng, first, end)
    m = causer.shape[0]
    if m == 0:
        return E, used
    H, gen, _, dt = store
    NUIS = NUISANCE_KIND
    weight = np.empty(m)
    for q in range(m):  # strengths as they were before today's episodes
        v = victim[q]
        x = causer[q]
        p_vc = n_vc = n_cv = 0.0
        s = lookup(H, gen, E, v, x)
        if s >= 0:
            f, bo, n_vc = decayed_at(E, s, day, dt)
            p_vc = f + bo
        s = lookup(H, gen, E, x, v)
        if s >= 0:
            n_cv = decayed_at(E, s, day, dt)[2]
        weight[q] = episode_weight(c, p_vc)
        if n_vc + n_cv >= c.avoid_threshold:
            counts[Event.conflict] += 1
    for q in range(m):
        E, used = upsert(H, gen, E, used, victim[q], causer[q], day, 0.0, 0.0, weight[q], NUIS, dt)
    for q in range(m):
        back = backlash(c, weight[q])
        E, used = upsert(H, gen, E, used, causer[q], victim[q], day, 0.0, 0.0, back, NUIS, dt)
    nuisance_caused = whole[Whole.nuisance_caused]
    last = -1
    for q in range(m):  # an episode heard by several neighbours is one episode caused
        if causer[q] != last:
            last = causer[q]
            nuisance_caused[last] += n_ep[last - first]
    suffered(victim, causer, m, st, real, rng)
    counts[Event.nuisance] += m
    counts[Event.living_nuisance] += m
    return E, used


@nb.njit(**JIT)
def _wall_episodes(c, real, flag, walls, rng, first, end):
    """`living_nuisance`'s draws: (episodes per dwelling of first..end-1, causer, victim)
    with one (causer, victim) entry per episode and occupied dwelling that hears it, in
    causer order."""
    adj_ptr, adj = walls
    occupied = flag[Flag.occupied]
    nuisance_risk = real[Real.nuisance_risk]
    rate = c.living_nuisance_rate
    n_ep = np.zeros(end - first, np.int64)
    reach = 0
    for i in range(first, end):
        lam = rate * nuisance_risk[i] / 365.0 if occupied[i] else 0.0
        n_ep[i - first] = poisson_small(rng, lam)
        reach += n_ep[i - first] * (adj_ptr[i + 1] - adj_ptr[i])
    causer = np.empty(reach, np.int64)
    victim = np.empty(reach, np.int64)
    m = 0
    for i in range(first, end):  # noise goes through every wall, floor and ceiling
        for _ in range(n_ep[i - first]):
            for q in range(adj_ptr[i], adj_ptr[i + 1]):
                if occupied[adj[q]]:  # it bothers an occupied dwelling only
                    causer[m] = i
                    victim[m] = adj[q]
                    m += 1
    return n_ep, causer[:m], victim[:m]
