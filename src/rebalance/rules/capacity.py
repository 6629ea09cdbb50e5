"""No manager holds more clients than its capacity (managers table, ``capacity``)."""

from __future__ import annotations

from typing import ClassVar

from ortools.sat.python import cp_model

from rebalance.data import Problem
from rebalance.findings import Finding
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

RULE = Capacity()
