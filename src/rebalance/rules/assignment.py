"""Every client ends with exactly one manager, one it may have (eligibility, leaving
managers and forbidden pairs hold by construction: a variable exists only for a client's
eligible managers, ``pools.build_rules``). ``check`` reports these per client."""

from __future__ import annotations

from typing import ClassVar

from rebalance.rules.base import HardRule, Scope


class OneManagerPerClient(HardRule):
    """Exactly one of its eligible managers per client."""

    order: ClassVar[int] = 10
    codes: ClassVar[tuple[str, ...]] = ("leaving_manager", "ineligible", "forbidden")

    def constrain(self, scope: Scope) -> None:
        for cid in scope.clients:
            scope.model.add_exactly_one(var for _, var in scope.options[cid])


RULE = OneManagerPerClient()
