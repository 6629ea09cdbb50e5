"""Scenario ``managers:`` overrides and ``unlock:`` / ``unlock_leavers:`` applied to the book.

They are applied to the parsed rows, before the book is validated, so every check (a lock to
a leaving manager, an industry nobody serves) sees the book as the scenario means it. Unknown
ids are input errors that name the scenario file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rebalance.data import Client, Manager
from rebalance.errors import Issue
from rebalance.i18n import t
from rebalance.io.cells import split_industries
from rebalance.scenario import ManagerOverride, Scenario


def _industries(value: str | tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(value, str):
        return split_industries(value)
    return tuple(dict.fromkeys(p.strip() for p in value if p.strip()))


def _override(manager: Manager, change: ManagerOverride) -> Manager:
    return dataclasses.replace(
        manager,
        status=change.status if change.status is not None else manager.status,
        fte=change.fte if change.fte is not None else manager.fte,
        capacity=change.capacity if change.capacity is not None else manager.capacity,
        industries=(_industries(change.industry) if change.industry is not None
                    else manager.industries),
    )


def _overridden(managers: Sequence[Manager], scenario: Scenario) -> list[Manager]:
    return [_override(m, scenario.managers[m.manager_id]) if m.manager_id in scenario.managers
            else m for m in managers]


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return ";".join(value)
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _where(scenario: Scenario) -> str:
    return str(scenario.source) if scenario.source else "scenario"


def apply_manager_overrides(managers: Sequence[Manager],
                            scenario: Scenario) -> tuple[list[Manager], list[Issue]]:
    """The managers with the scenario's ``managers:`` overrides applied, and unknown ids."""
    known = {m.manager_id for m in managers}
    issues = [Issue.of("review.override.unknown_manager", file=_where(scenario), manager=mid)
              for mid in scenario.managers if mid not in known]
    return _overridden(managers, scenario), issues


def apply_unlocks(clients: Sequence[Client], managers: Sequence[Manager],
                  scenario: Scenario) -> tuple[list[Client], list[Issue]]:
    """Clients with the table locks released that ``unlock:`` / ``unlock_leavers:`` name."""
    known = {c.client_id for c in clients}
    issues = [Issue.of("review.override.unknown_client", file=_where(scenario), client=cid)
              for cid in scenario.unlock if cid not in known]
    if not scenario.unlock and not scenario.unlock_leavers:
        return list(clients), issues
    released = set(scenario.unlock)
    leaving = {m.manager_id for m in managers if not m.staying}
    out = []
    for c in clients:
        free = c.client_id in released or (scenario.unlock_leavers and c.manager in leaving)
        out.append(dataclasses.replace(c, locked=False) if c.locked and free else c)
    return out, issues


def describe_overrides(scenario: Scenario, table_managers: Sequence[Manager],
                       table_clients: Sequence[Client], lang: str) -> list[str]:
    """One line per override as applied: ``KM012: status active → leaving``; unlocked clients."""
    lines = []
    by_id = {m.manager_id: m for m in table_managers}
    for mid, change in scenario.managers.items():
        before = by_id.get(mid)
        if before is None:
            continue
        after = _override(before, change)
        for field, label in (("status", "status"), ("fte", "fte"), ("capacity", "capacity"),
                             ("industries", "industry")):
            old, new = getattr(before, field), getattr(after, field)
            if old != new:
                lines.append(t("review.override.line", lang, manager=mid,
                               field=t(f"review.override.field.{label}", lang),
                               before=_shown(old), after=_shown(new)))
    unlocked_clients, _ = apply_unlocks(table_clients, _overridden(table_managers, scenario),
                                        scenario)
    released = [c.client_id for c, u in zip(table_clients, unlocked_clients, strict=True)
                if c.locked and not u.locked]
    if released:
        lines.append(t("review.override.unlocked", lang, n=len(released),
                       clients=", ".join(released)))
    return lines
