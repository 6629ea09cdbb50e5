"""Move caps: ``continuity.max_moves`` (clients moved in all) and
``continuity.max_moves_per_manager`` (clients any one staying manager loses).

A move is a client leaving a manager who stays (``pools.is_moved``). Both caps couple the
pools of a book (the engines then search it as one part)."""

from __future__ import annotations

from typing import ClassVar

from ortools.sat.python import cp_model

from rebalance.data import Client, Problem
from rebalance.findings import Finding, Joined, Names, clients, finding
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
    diagnosed,
    one,
    violation,
)
from rebalance.scenario import Scenario


def _with_staying_manager(scope: Scope) -> list[str]:
    """Free clients that count as moved if they end elsewhere (scope order)."""
    problem = scope.problem
    return [cid for cid in scope.clients
            if (prev := problem.client(cid).manager) is not None
            and problem.manager(prev).staying]


def _swap_adds_no_move(ledger: Ledger, a: int, partners: IntArray) -> BoolArray:
    """Swaps in which neither client newly leaves its previous manager."""
    src = ledger.assign[a]
    dst = ledger.assign[partners]
    origin_a = ledger.origin[a]
    a_ok = (origin_a < 0) | (src != origin_a) | (dst == origin_a)
    origin_b = ledger.origin[partners]
    b_ok = (origin_b < 0) | (dst != origin_b) | (origin_b == src)
    ok: BoolArray = a_ok & b_ok
    return ok


def _adds_a_move(ledger: Ledger, client: int) -> bool:
    """Placing ``client`` elsewhere than where it is would add a move."""
    origin = ledger.origin[client]
    return bool(origin >= 0 and ledger.assign[client] in (origin, -1))



def _forced(problem: Problem, rules: Rules) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Moves no plan can avoid: per staying manager, the clients that must leave it (named:
    no longer eligible, or fixed elsewhere) and how many more it must shed for its capacity
    once the clients fixed to it arrive."""
    locked_in: dict[str, int] = {}
    for client in problem.clients:
        fixed = rules.fixed.get(client.client_id)
        if fixed is not None and fixed != client.manager:
            locked_in[fixed] = locked_in.get(fixed, 0) + 1
    held: dict[str, list[Client]] = {}
    for client in problem.clients:
        if client.manager is not None:
            held.setdefault(client.manager, []).append(client)
    forced: dict[str, list[str]] = {}
    over: dict[str, int] = {}
    for manager in problem.managers:
        if not manager.staying:
            continue
        mid = manager.manager_id
        mine = held.get(mid, [])
        must_go = [c.client_id for c in mine
                   if mid not in rules.eligible.get(c.client_id, ())
                   or rules.fixed.get(c.client_id, mid) != mid]
        forced[mid] = must_go
        may_stay = len(mine) - len(must_go)
        if manager.capacity is not None:
            room = max(0, manager.capacity - locked_in.get(mid, 0))
            over[mid] = max(0, may_stay - room)
    return forced, over


class MaxMoves(HardRule):
    """At most ``continuity.max_moves`` clients leave a staying manager."""

    order: ClassVar[int] = 50
    codes: ClassVar[tuple[str, ...]] = ("max_moves",)

    def constrain(self, scope: Scope) -> None:
        cap = scope.scenario.continuity.max_moves
        if cap is None:
            return
        movable = _with_staying_manager(scope)
        moves = len(movable) - cp_model.LinearExpr.sum([scope.stays(cid) for cid in movable])
        scope.enforce(scope.model.add(moves <= cap - scope.moves_outside), "max_moves", "")

    def violations(self, tally: Tally) -> list[Violation]:
        cap = tally.scenario.continuity.max_moves
        n = len(tally.moved)
        if cap is None or n <= cap:
            return []
        return [violation("max_moves", None, None, one(n), n=n, cap=cap)]

    def allows(self, ledger: Ledger, client: int, managers: IntArray) -> BoolArray | None:
        cap = ledger.max_moves
        if cap is None or ledger.num_moves < cap or not _adds_a_move(ledger, client):
            return None
        ok: BoolArray = managers == ledger.origin[client]
        return ok

    def swap_allows(self, ledger: Ledger, a: int, partners: IntArray) -> BoolArray | None:
        return None if ledger.max_moves is None else _swap_adds_no_move(ledger, a, partners)

    def describe(self, problem: Problem, scenario: Scenario, rules: Rules,
                 key: str) -> Finding | None:
        return counted("diagnose.rule.max_moves", scenario.continuity.max_moves or 0)

    def contradictions(self, problem: Problem, scenario: Scenario,
                       rules: Rules) -> list[Finding]:
        cap = scenario.continuity.max_moves
        if cap is None:
            return []
        forced, over = _forced(problem, rules)
        named = [cid for mid in sorted(forced) for cid in forced[mid]]
        extra = sum(over.values())
        total = len(named) + extra
        if total <= cap:
            return []
        parts = []
        if named:
            parts.append(diagnosed("must_go", n=len(named), names=Names(tuple(named), MAX_NAMED)))
        if extra:
            full = ", ".join(f"{mid} +{n}" for mid, n in sorted(over.items()) if n)
            parts.append(diagnosed("over_capacity", n=extra, full=full))
        return [diagnosed("max_moves", clients=clients(total), cap=cap,
                          parts=Joined(tuple(parts), "clauses"))]


class MaxMovesPerManager(HardRule):
    """No staying manager loses more than ``continuity.max_moves_per_manager`` clients."""

    order: ClassVar[int] = 60
    codes: ClassVar[tuple[str, ...]] = ("max_moves_per_manager",)

    def constrain(self, scope: Scope) -> None:
        cap = scope.scenario.continuity.max_moves_per_manager
        if cap is None:
            return
        mine = {mid for mid in scope.managers if scope.problem.manager(mid).staying}
        by_manager: dict[str, list[str]] = {}
        for cid in _with_staying_manager(scope):
            prev = scope.problem.client(cid).manager
            if prev in mine:
                by_manager.setdefault(prev, []).append(cid)
        for mid in sorted(mine):
            cids = by_manager.get(mid, [])
            stays = [scope.stays(cid) for cid in cids]
            if scope.prune and not any(isinstance(s, cp_model.IntVar) for s in stays):
                continue  # nothing here can change what the manager loses
            outside = scope.lost_outside.get(mid, 0)
            if not cids and not outside:
                continue
            lost = len(cids) + outside - cp_model.LinearExpr.sum(stays)
            scope.enforce(scope.model.add(lost <= cap), "max_moves_per_manager", mid)

    def violations(self, tally: Tally) -> list[Violation]:
        cap = tally.scenario.continuity.max_moves_per_manager
        if cap is None:
            return []
        return [violation("max_moves_per_manager", None, mid, one(n), n=n, cap=cap)
                for mid, n in sorted(tally.lost.items()) if n > cap]

    def allows(self, ledger: Ledger, client: int, managers: IntArray) -> BoolArray | None:
        cap = ledger.max_lost
        origin = ledger.origin[client]
        if cap is None or not _adds_a_move(ledger, client) or ledger.lost[origin] < cap:
            return None
        ok: BoolArray = managers == origin
        return ok

    def swap_allows(self, ledger: Ledger, a: int, partners: IntArray) -> BoolArray | None:
        return None if ledger.max_lost is None else _swap_adds_no_move(ledger, a, partners)

    def describe(self, problem: Problem, scenario: Scenario, rules: Rules,
                 key: str) -> Finding | None:
        return counted("diagnose.rule.max_moves_per_manager",
                       scenario.continuity.max_moves_per_manager or 0, manager=key)

    def contradictions(self, problem: Problem, scenario: Scenario,
                       rules: Rules) -> list[Finding]:
        cap = scenario.continuity.max_moves_per_manager
        if cap is None:
            return []
        forced, over = _forced(problem, rules)
        out = []
        for mid in sorted(forced):
            total = len(forced[mid]) + over.get(mid, 0)
            if total > cap:
                names = (Names(tuple(forced[mid]), MAX_NAMED) if forced[mid] else
                         finding("diagnose.over_capacity_short"))
                out.append(diagnosed("max_moves_per_manager", manager=mid,
                                     clients=clients(total), names=names, cap=cap))
        return out


RULES = (MaxMoves(), MaxMovesPerManager())
