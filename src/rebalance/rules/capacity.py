"""No manager holds more clients than its capacity (managers table, ``capacity``)."""

from __future__ import annotations

from typing import ClassVar

from ortools.sat.python import cp_model

from rebalance.data import Problem
from rebalance.findings import Finding, Names, clients, finding
from rebalance.pools import Rules
from rebalance.rules.base import (
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


class Capacity(HardRule):
    """``capacity`` of a manager: an upper bound on its number of clients."""

    order: ClassVar[int] = 40
    codes: ClassVar[tuple[str, ...]] = ("capacity",)

    def constrain(self, scope: Scope) -> None:
        for mid in scope.managers:
            manager = scope.problem.manager(mid)
            if manager.capacity is None or not manager.staying:
                continue
            terms = [var for _, var in scope.of_manager.get(mid, ())]
            held = scope.held.get(mid, 0)
            if scope.prune and manager.capacity >= len(terms) + held:
                continue
            load = cp_model.LinearExpr.sum(terms)
            scope.enforce(scope.model.add(load <= manager.capacity - held), "capacity", mid)

    def violations(self, tally: Tally) -> list[Violation]:
        return [violation("capacity", None, m.manager_id, one(n), n=n, cap=m.capacity)
                for m in tally.problem.managers
                if m.capacity is not None
                and (n := tally.clients_per_manager[m.manager_id]) > m.capacity]

    def allows(self, ledger: Ledger, client: int, managers: IntArray) -> BoolArray | None:
        return ledger.count[managers] < ledger.capacity[managers]

    def describe(self, problem: Problem, scenario: Scenario, rules: Rules,
                 key: str) -> Finding | None:
        return counted("diagnose.rule.capacity", problem.manager(key).capacity or 0,
                       manager=key)

    def contradictions(self, problem: Problem, scenario: Scenario,
                       rules: Rules) -> list[Finding]:
        return _fixed_over_capacity(problem, rules) + _capacity_short(problem, rules)


RULE = Capacity()


def _fixed_over_capacity(problem: Problem, rules: Rules) -> list[Finding]:
    """Managers whose locked and protected clients alone exceed the capacity."""
    on: dict[str, list[str]] = {}
    reasons: dict[str, set[str]] = {}
    for client in problem.clients:
        fixed = rules.fixed.get(client.client_id)
        if fixed is not None:
            on.setdefault(fixed, []).append(client.client_id)
            reasons.setdefault(fixed, set()).add(rules.fixed_reason.get(client.client_id, ""))
    out = []
    for manager in problem.managers:
        mid = manager.manager_id
        count = len(on.get(mid, ()))
        if manager.capacity is None or count <= manager.capacity:
            continue
        what = ("both" if "protected" in reasons[mid] and len(reasons[mid]) > 1 else
                "protected" if "protected" in reasons[mid] else "locks")
        out.append(diagnosed("fixed_over_capacity", what=finding(f"diagnose.what.{what}"),
                      clients=clients(count), manager=mid, cap=manager.capacity))
    return out


def _capacity_short(problem: Problem, rules: Rules) -> list[Finding]:
    """Hall's condition on the sets of managers clients may go to (only managers with a
    capacity limit a set): per distinct eligible set, and per pool."""
    capacity = {m.manager_id: m.capacity for m in problem.managers}
    # Clients of one industry share one tuple of eligible ids: one frozenset per tuple (at
    # 200,000 clients, one each took minutes and gigabytes).
    frozen: dict[int, frozenset[str]] = {}
    eligible: dict[str, frozenset[str]] = {}
    for c in problem.clients:
        ids = rules.eligible.get(c.client_id, ())
        if id(ids) not in frozen:
            frozen[id(ids)] = frozenset(ids)
        eligible[c.client_id] = frozen[id(ids)]
    groups: list[frozenset[str]] = []
    seen: set[frozenset[str]] = set()
    for client in problem.clients:
        group = eligible[client.client_id]
        if group and group not in seen:
            seen.add(group)
            groups.append(group)
    for pool in rules.pools:
        group = frozenset(pool.manager_ids)
        if group not in seen:
            seen.add(group)
            groups.append(group)
    out = []
    for group in groups:
        if any(capacity[mid] is None for mid in group):
            continue
        room = sum(capacity[mid] or 0 for mid in group)
        inside = [c for c in problem.clients
                  if eligible[c.client_id] and eligible[c.client_id] <= group]
        if len(inside) <= room:
            continue
        industries = sorted({c.industry for c in inside})
        out.append(diagnosed("capacity_short", clients=clients(len(inside)),
                      industries=Names(tuple(industries)),
                      managers=", ".join(sorted(group)), room=room))
    return out
