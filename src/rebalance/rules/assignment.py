"""Every client ends with exactly one manager, one it may have (eligibility, leaving
managers and forbidden pairs hold by construction: a variable exists only for a client's
eligible managers, ``pools.build_rules``); ``check`` asks this rule about each client."""

from __future__ import annotations

from typing import ClassVar

from rebalance.data import Client, Manager, Problem
from rebalance.findings import Finding, Joined
from rebalance.pools import Rules
from rebalance.rules.base import HardRule, Scope, Violation, diagnosed, violation, why_not
from rebalance.scenario import Scenario


class OneManagerPerClient(HardRule):
    """Exactly one of its eligible managers per client."""

    order: ClassVar[int] = 10
    codes: ClassVar[tuple[str, ...]] = ("leaving_manager", "ineligible", "forbidden")

    judges_clients: ClassVar[bool] = True

    def constrain(self, scope: Scope) -> None:
        for cid in scope.clients:
            scope.model.add_exactly_one(var for _, var in scope.options[cid])

    def client_violations(self, scenario: Scenario, rules: Rules, client: Client,
                          manager: Manager) -> list[Violation]:
        cid, mid = client.client_id, manager.manager_id
        out = []
        if not manager.staying:
            out.append(violation("leaving_manager", cid, mid))
        elif scenario.eligibility == "strict" and not manager.serves(client.industry):
            out.append(violation("ineligible", cid, mid, industry=client.industry,
                                 served=", ".join(manager.industries)))
        if (cid, mid) in rules.forbidden:
            out.append(violation("forbidden", cid, mid))
        return out

    def contradictions(self, problem: Problem, scenario: Scenario,
                       rules: Rules) -> list[Finding]:
        """Clients no staying manager may take (with each candidate's reason)."""
        out = []
        for client in problem.clients:
            if rules.eligible.get(client.client_id):
                continue
            candidates = [m.manager_id for m in problem.managers
                          if scenario.eligibility == "any" or m.serves(client.industry)]
            reasons = [r for mid in candidates
                       if (r := why_not(problem, scenario, rules, client, mid)) is not None]
            why = (Joined(tuple(reasons)) if reasons else
                   diagnosed("nobody_serves", industry=client.industry))
            out.append(diagnosed("no_manager", client=client.client_id,
                                 industry=client.industry, why=why))
        return out


RULE = OneManagerPerClient()
