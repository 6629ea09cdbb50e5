"""The hard rules, one object per rule in one list (``HARD_RULES``), see ``rules.base``.

Every module of this package that defines a ``RULE`` (or ``RULES``) joins the list: adding
a rule is adding one module. Builders (``exact.constraints``, ``scale.lns``), the ``Ledger``,
``check`` and ``diagnose`` loop over ``HARD_RULES``.
"""

from __future__ import annotations

import importlib
import pkgutil

from rebalance.rules.base import HardRule, Scope, Tally, Violation


def _discover() -> tuple[HardRule, ...]:
    found: list[HardRule] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        rules = getattr(module, "RULES", ()) + ((module.RULE,) if hasattr(module, "RULE") else ())
        found.extend(r for r in rules if isinstance(r, HardRule))
    return tuple(sorted(found, key=lambda r: (r.order, type(r).__name__)))


HARD_RULES: tuple[HardRule, ...] = _discover()


def rule_of(code: str) -> HardRule | None:
    """The rule that reports violations named ``code``."""
    return next((r for r in HARD_RULES if code in r.codes), None)


__all__ = ["HARD_RULES", "HardRule", "Scope", "Tally", "Violation", "rule_of"]
