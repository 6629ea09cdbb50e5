"""Every client ends with exactly one manager, one it may have (eligibility, leaving
managers and forbidden pairs hold by construction: a variable exists only for a client's
eligible managers, ``pools.build_rules``); ``check`` asks this rule about each client."""

from __future__ import annotations

from typing import ClassVar

from rebalance.data import Client, Manager
from rebalance.pools import Rules
from rebalance.rules.base import HardRule, Scope, Violation, violation
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


RULE = OneManagerPerClient()
