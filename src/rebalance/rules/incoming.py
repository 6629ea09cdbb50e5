"""``continuity.max_incoming_per_manager``: a manager takes on at most N clients in one plan.

A manager *takes on* a client that ends with it and did not have it before: a move in, a
handover from a leaving manager or the placement of a new client (``pools.change_kind``).
The cap bounds each manager's handover load in one plan (what a phased rollout can absorb).
It is per manager, so pools stay independent; clients a manager keeps never count.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from ortools.sat.python import cp_model

from rebalance.data import Problem
from rebalance.findings import Finding, Names
from rebalance.pools import Rules
from rebalance.rules.base import (
    MAX_NAMED,
    BoolArray,
    HardRule,
    IntArray,
    Ledger,
    Scope,
    Tally,
    Violation,
    counted,
    one,
    violation,
)
from rebalance.scenario import Scenario

CODE = "max_incoming_per_manager"


class MaxIncomingPerManager(HardRule):
    """No manager takes on more than ``continuity.max_incoming_per_manager`` clients."""

    order: ClassVar[int] = 70
    codes: ClassVar[tuple[str, ...]] = (CODE,)

    def constrain(self, scope: Scope) -> None:
        cap = scope.scenario.continuity.max_incoming_per_manager
        if cap is None:
            return
        problem = scope.problem
        for mid in scope.managers:
            new = [var for cid, var in scope.of_manager.get(mid, ())
                   if problem.client(cid).manager != mid]
            held = scope.held_incoming.get(mid, 0)
            if not new or (scope.prune and len(new) + held <= cap):
                continue  # nothing here can take the manager over its cap
            taken = cp_model.LinearExpr.sum(new)
            scope.enforce(scope.model.add(taken <= cap - held), CODE, mid)

    def violations(self, tally: Tally) -> list[Violation]:
        cap = tally.scenario.continuity.max_incoming_per_manager
        if cap is None:
            return []
        return [violation(CODE, None, m.manager_id, one(n), key="rules.incoming.violation",
                          n=n, cap=cap)
                for m in tally.problem.managers
                if (n := tally.incoming.get(m.manager_id, 0)) > cap]

    def allows(self, ledger: Ledger, client: int, managers: IntArray) -> BoolArray | None:
        cap = ledger.scenario.continuity.max_incoming_per_manager
        if cap is None:
            return None
        ok: BoolArray = (managers == ledger.prev[client]) | (ledger.incoming[managers] < cap)
        return ok

    def swap_allows(self, ledger: Ledger, a: int, partners: IntArray) -> BoolArray | None:
        cap = ledger.scenario.continuity.max_incoming_per_manager
        if cap is None:
            return None
        src, dst = ledger.assign[a], ledger.assign[partners]
        prev_a, prev_b = ledger.prev[a], ledger.prev[partners]
        # a goes to dst and b to src: what each manager takes on changes by these.
        into_dst = (prev_a != dst).astype(np.int64) - (prev_b != dst).astype(np.int64)
        into_src = (prev_b != src).astype(np.int64) - int(prev_a != src)
        ok: BoolArray = (((into_dst <= 0) | (ledger.incoming[dst] + into_dst <= cap))
                         & ((into_src <= 0) | (ledger.incoming[src] + into_src <= cap)))
        return ok

    def describe(self, problem: Problem, scenario: Scenario, rules: Rules,
                 key: str) -> Finding | None:
        return counted("rules.incoming.describe",
                       scenario.continuity.max_incoming_per_manager or 0, manager=key)

    def contradictions(self, problem: Problem, scenario: Scenario,
                       rules: Rules) -> list[Finding]:
        """Locks that bring one manager more new clients than the cap, and pools whose
        clients that must change manager (handovers, placements, clients no longer eligible
        or fixed elsewhere) outnumber what the pool's managers may take on together."""
        cap = scenario.continuity.max_incoming_per_manager
        if cap is None:
            return []
        locked_in: dict[str, int] = {}
        must_change: dict[int, int] = {}
        for client in problem.clients:
            cid, prev = client.client_id, client.manager
            fixed = rules.fixed.get(cid)
            if fixed is not None and fixed != prev:
                locked_in[fixed] = locked_in.get(fixed, 0) + 1
            eligible = rules.eligible.get(cid, ())
            if prev not in eligible or (fixed is not None and fixed != prev):
                index = rules.pool_of_client.get(cid)
                if index is not None:
                    must_change[index] = must_change.get(index, 0) + 1
        out = [counted("rules.incoming.locked", n, manager=mid, cap=cap)
               for mid, n in sorted(locked_in.items()) if n > cap]
        for pool in rules.pools:
            n, room = must_change.get(pool.index, 0), cap * len(pool.manager_ids)
            if n > room:
                out.append(counted("rules.incoming.pool", n, room=room, cap=cap,
                                   managers=Names(pool.manager_ids, MAX_NAMED)))
        return out


RULE = MaxIncomingPerManager()
