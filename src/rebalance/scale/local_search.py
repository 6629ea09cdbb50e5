"""Solver-free local search on a ledger: single moves and pairwise swaps, lexicographic.

A step moves one client to another manager, or swaps two clients between their managers,
when that makes the plan lexicographically better: lower balance excess, or the same excess
and lower continuity cost. Every candidate is priced with arrays (``Ledger``), so a pass over
a pool of a few thousand clients takes about a second; CP-SAT neighbourhoods
(``rebalance.scale.lns``) then do what pairs of changes cannot.

The clients tried are the ones that can matter: those on a manager outside a band, and those
moved away from a manager who stays (to bring them back). Hard rules hold throughout
(eligibility and locks here; every other rule's move and swap filters through the
``Ledger``, see ``rebalance.rules``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from rebalance.scale.ledger import (
    IMPROVEMENT_EPSILON,
    BoolMatrix,
    FloatArray,
    IntArray,
    Ledger,
    eligibility_matrix,
)


def local_search(ledger: Ledger, stop: Callable[[], bool], max_passes: int = 50,
                 eligible: BoolMatrix | None = None, price: float | None = None) -> int:
    """Improve the ledger's plan in place until no step helps, ``stop()`` or ``max_passes``.

    Every step is a lexicographic improvement. Among a client's improving steps the one
    chosen is the largest excess reduction (``price=None``), or the one with the lowest
    ``Δcost + price × Δexcess`` (cheap repairs first). Returns the number of steps made.
    """
    eligible = eligible if eligible is not None else eligibility_matrix(ledger)
    free = ledger.fixed < 0
    steps = 0
    for _ in range(max_passes):
        excess = ledger.manager_excess()
        on_bad = (ledger.assign >= 0) & (excess[np.maximum(ledger.assign, 0)] > IMPROVEMENT_EPSILON)
        moved = (ledger.origin >= 0) & (ledger.assign >= 0) & (ledger.assign != ledger.origin)
        tried = np.flatnonzero(free & (on_bad | moved))
        # Worst managers' clients first, then the most valuable moved clients.
        key = excess[np.maximum(ledger.assign[tried], 0)] * 1e6 + ledger.cost[tried]
        tried = tried[np.lexsort((tried, -key))]
        made = 0
        for a in tried.tolist():
            if stop():
                return steps + made
            if _improve_client(ledger, a, eligible, free, price):
                made += 1
        steps += made
        if not made:
            break
    return steps


def _better(d_excess: FloatArray, d_cost: FloatArray) -> npt.NDArray[np.bool_]:
    """Which (Δexcess, Δcost) pairs are lexicographic improvements."""
    return (d_excess < -IMPROVEMENT_EPSILON) | (
        (d_excess <= IMPROVEMENT_EPSILON) & (d_cost < -IMPROVEMENT_EPSILON))


def _improve_client(ledger: Ledger, a: int, eligible: BoolMatrix, free: npt.NDArray[np.bool_],
                    price: float | None) -> bool:
    """Make the best improving move or swap involving client ``a``; True if one was made."""
    src = int(ledger.assign[a])
    if src < 0:
        return False
    best: tuple[float, float, int, int] | None = None  # (rank, Δcost, kind, target)

    def rank(d_ex: FloatArray, d_cost: FloatArray) -> FloatArray:
        return np.round(d_ex, 12) if price is None else d_cost + price * d_ex

    # Single moves.
    options = ledger.eligible[a]
    options = options[ledger.allowed(a, options)] if len(options) else options
    if len(options):
        d_ex = ledger.gain_into(a, options) + ledger.gain_from(a)
        d_cost = ledger.move_costs(a, options)
        good = np.flatnonzero(_better(d_ex, d_cost))
        if len(good):
            r = rank(d_ex[good], d_cost[good])
            i = good[np.lexsort((options[good], d_cost[good], r))[0]]
            best = (float(rank(d_ex[i:i + 1], d_cost[i:i + 1])[0]), float(d_cost[i]), 0,
                    int(options[i]))

    # Swaps with a client b on another manager that each may take the other's place.
    dst_of = ledger.assign
    partners = np.flatnonzero(free & (dst_of >= 0) & (dst_of != src) & eligible[:, src])
    if len(partners):
        partners = partners[eligible[a, dst_of[partners]]]
    if len(partners):  # the hard rules' swap filters (move caps, …)
        partners = partners[ledger.swap_allowed(a, partners)]
    if len(partners):
        dst = dst_of[partners]
        load_a, load_b = ledger.client_load[a], ledger.client_load[partners]
        src_rows = np.full(len(partners), src)
        new_src = ledger.excess_rows(ledger.load[src] - load_a + load_b, src_rows)
        new_dst = ledger.excess_rows(ledger.load[dst] - load_b + load_a, dst)
        d_ex = (new_src - ledger.excess_of(src)
                + new_dst - ledger.excess_rows(ledger.load[dst], dst))
        d_cost = _swap_costs(ledger, a, partners)
        good = np.flatnonzero(_better(d_ex, d_cost))
        if len(good):
            r = rank(d_ex[good], d_cost[good])
            i = good[np.lexsort((partners[good], d_cost[good], r))[0]]
            candidate = (float(rank(d_ex[i:i + 1], d_cost[i:i + 1])[0]), float(d_cost[i]), 1,
                         int(partners[i]))
            if best is None or candidate[:2] < best[:2]:
                best = candidate
    if best is None:
        return False
    _, _, kind, target = best
    if kind == 0:
        ledger.place(a, target)
    else:
        b_src = int(ledger.assign[target])
        ledger.place(a, b_src)
        ledger.place(target, src)
    return True


def _swap_costs(ledger: Ledger, a: int, partners: IntArray) -> FloatArray:
    """Continuity cost change of swapping client ``a`` with each of ``partners``."""
    src = ledger.assign[a]
    dst = ledger.assign[partners]

    def change(clients: IntArray, before: IntArray, after: IntArray) -> FloatArray:
        origin = ledger.origin[clients]
        was = (origin >= 0) & (before != origin)
        now = (origin >= 0) & (after != origin)
        return ledger.cost[clients] * (now.astype(float) - was.astype(float))

    a_change = change(np.full(len(partners), a), np.full(len(partners), src), dst)
    b_change = change(partners, dst, np.full(len(partners), src))
    return a_change + b_change
