"""A starting plan with an intake: the book's starting plan plus candidates taken greedily.

Required candidates first, then the others by score (positive scores only) until
``max_clients``: each goes to the eligible manager with room (capacity) whose revenue is
furthest below its fair share, per fte. It is where the search starts, and what a big book
keeps when the search finds nothing better in time; the model decides the rest.
"""

from __future__ import annotations

from collections.abc import Mapping

from rebalance.data import Problem
from rebalance.pools import Rules
from rebalance.scenario import Scenario


def greedy_intake(problem: Problem, rules: Rules, scenario: Scenario,
                  start: Mapping[str, str | None], candidate_ids: tuple[str, ...],
                  scores: Mapping[str, float], required: frozenset[str],
                  slot_ids: tuple[str, ...] = ()) -> dict[str, str | None]:
    """``start`` plus the candidates the greedy takes (candidate id -> manager id)."""
    plan: dict[str, str | None] = dict(start)
    count: dict[str, int] = {}
    revenue: dict[str, float] = {}
    for cid, mid in start.items():
        if mid is not None:
            count[mid] = count.get(mid, 0) + 1
            revenue[mid] = revenue.get(mid, 0.0) + problem.client(cid).revenue
    slots = set(slot_ids)
    cap = scenario.intake.max_clients
    order = sorted(candidate_ids, key=lambda c: (c not in required, -scores[c], c))
    taken = 0
    for cid in order:
        if cid not in required and (scores[cid] <= 0 or (cap is not None and taken >= cap)):
            continue
        best: tuple[float, str] | None = None
        fixed = rules.fixed.get(cid)  # a placed candidate goes to its manager only
        for mid in rules.eligible.get(cid, ()) if fixed is None else (fixed,):
            manager = problem.manager(mid)
            if mid in slots or (manager.capacity is not None
                                and count.get(mid, 0) >= manager.capacity):
                continue
            share = rules.fair_share(mid, "revenue") or 1.0
            fill = revenue.get(mid, 0.0) / share
            if best is None or (fill, mid) < best:
                best = (fill, mid)
        if best is None:
            continue
        mid = best[1]
        plan[cid] = mid
        count[mid] = count.get(mid, 0) + 1
        revenue[mid] = revenue.get(mid, 0.0) + problem.client(cid).revenue
        taken += 1
    return plan
