"""Locked and protected clients end with their fixed manager (``rules.fixed``)."""

from __future__ import annotations

from typing import ClassVar

from rebalance.data import Client, Manager, Problem
from rebalance.findings import Finding
from rebalance.pools import Rules
from rebalance.rules.base import (
    HardRule,
    Scope,
    Violation,
    diagnosed,
    fixed_phrase,
    violation,
    why_not,
)
from rebalance.scenario import Scenario


class FixedClients(HardRule):
    """A lock (scenario ``locks``, input ``locked``) or protection (``protect_importance``)."""

    order: ClassVar[int] = 30
    codes: ClassVar[tuple[str, ...]] = ("lock", "protected")

    judges_clients: ClassVar[bool] = True

    def client_violations(self, scenario: Scenario, rules: Rules, client: Client,
                          manager: Manager) -> list[Violation]:
        cid, mid = client.client_id, manager.manager_id
        fixed = rules.fixed.get(cid)
        if fixed is None or fixed == mid:
            return []
        if rules.fixed_reason.get(cid, "locked") == "protected":
            return [violation("protected", cid, mid, fixed=fixed, importance=client.importance)]
        return [violation("lock", cid, mid, fixed=fixed)]

    def constrain(self, scope: Scope) -> None:
        rules = scope.rules
        for cid in scope.clients:
            fixed = rules.fixed.get(cid)
            if fixed is None:
                continue
            rule = "protected" if rules.fixed_reason.get(cid) == "protected" else "lock"
            var = scope.x(cid, fixed)
            if var is None:  # the fixed manager is not eligible: this rule cannot hold
                scope.enforce(scope.model.add_bool_or([]), rule, cid)
            else:
                scope.enforce(scope.model.add(var == 1), rule, cid)

    def describe(self, problem: Problem, scenario: Scenario, rules: Rules,
                 key: str) -> Finding | None:
        return fixed_phrase(rules, problem.client(key), scenario)

    def contradictions(self, problem: Problem, scenario: Scenario,
                       rules: Rules) -> list[Finding]:
        """Clients fixed to a manager who may not take them."""
        out = []
        for client in problem.clients:
            fixed = rules.fixed.get(client.client_id)
            if fixed is None or fixed in rules.eligible.get(client.client_id, ()):
                continue
            if fixed not in problem.manager_index:
                why: Finding | None = diagnosed("why.unknown", manager=fixed)
            else:
                why = why_not(problem, scenario, rules, client, fixed)
            head = fixed_phrase(rules, client, scenario)
            out.append(diagnosed("fixed_but", head=head, why=why if why else ""))
        return out


RULE = FixedClients()
