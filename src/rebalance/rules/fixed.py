"""Locked and protected clients end with their fixed manager (``rules.fixed``)."""

from __future__ import annotations

from typing import ClassVar

from rebalance.rules.base import HardRule, Scope


class FixedClients(HardRule):
    """A lock (scenario ``locks``, input ``locked``) or protection (``protect_importance``)."""

    order: ClassVar[int] = 30
    codes: ClassVar[tuple[str, ...]] = ("lock", "protected")

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


RULE = FixedClients()
