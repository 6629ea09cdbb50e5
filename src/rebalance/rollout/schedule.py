"""A schedule: which wave each change of a plan takes effect in, and its solver-free check.

The *changes* of a plan are its clients whose manager changes (``pools.change_kind``: move,
handover, placement). The *book after wave k* gives every client changed in waves 1..k its new
manager and every other client its previous one (a new client not yet placed has none).

``check_schedule`` is the oracle of the rollout engine, as ``rebalance.check`` is of the
solve engine. For every intermediate book it asks ``check`` — every hard rule of
``rules.HARD_RULES``, nothing re-coded — and keeps the violations the schedule causes: a
client-level violation that the starting book already has for a client still waiting (a new
client not yet placed, a client still with its leaving manager) is today's state, not the
schedule's doing. Then the rollout's own promises: each wave within its caps
(``cap_groups``), ``first_wave_for`` kinds in wave 1 and every exchange in one wave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rebalance.check import Verdict, check
from rebalance.data import Problem
from rebalance.pools import MOVE, Rules, changed_clients
from rebalance.report.counterfactual import exchanges
from rebalance.rules import Violation
from rebalance.rules.base import violation
from rebalance.scenario import Scenario
from rebalance.scenario.rollout import Rollout

Book = Mapping[str, str | None]


@dataclass(frozen=True)
class Change:
    """One client whose manager changes: from whom (None: new client), to whom, what kind."""

    client_id: str
    from_manager: str | None
    to_manager: str
    kind: str
    importance: int
    exchange: str | None  # moves that only work together share an exchange id


@dataclass(frozen=True)
class CapGroup:
    """Changes one wave may hold at most ``limit`` of: ``cap`` names the setting, ``key`` the
    manager for a per-manager cap ("" otherwise)."""

    cap: str
    key: str
    client_ids: tuple[str, ...]
    limit: int


@dataclass(frozen=True)
class Schedule:
    """A plan phased in waves: ``wave_of[client_id]`` (1-based) for every change."""

    changes: tuple[Change, ...]
    wave_of: Mapping[str, int]
    dates: tuple[dt.date, ...]

    @property
    def num_waves(self) -> int:
        return len(self.dates)

    def in_wave(self, wave: int) -> list[Change]:
        """The changes taking effect with ``wave``, in input order."""
        return [c for c in self.changes if self.wave_of[c.client_id] == wave]


def plan_changes(problem: Problem, plan: Book) -> tuple[Change, ...]:
    """The changes of ``plan`` in input order, with their exchanges (``counterfactual``)."""
    exchange_of = exchanges(problem, plan)
    return tuple(Change(c.client_id, c.manager, to, kind, c.importance,
                        exchange_of.get(c.client_id))
                 for c, to, kind in changed_clients(problem, plan))


def units(changes: Sequence[Change]) -> list[tuple[Change, ...]]:
    """The changes grouped as they must move: one exchange together, others alone."""
    grouped: dict[str, list[Change]] = {}
    out: list[list[Change]] = []
    for c in changes:
        if c.exchange is None:
            out.append([c])
        elif c.exchange in grouped:
            grouped[c.exchange].append(c)
        else:
            grouped[c.exchange] = [c]
            out.append(grouped[c.exchange])
    return [tuple(u) for u in out]


def handovers_by_manager(problem: Problem,
                         changes: Sequence[Change]) -> dict[str, tuple[str, ...]]:
    """Staying manager -> the changes it gives or takes (its handover load), managers with
    none left out, in input order. A leaver's goodbyes are not a load the department must
    spread: leaving managers have none."""
    touching: dict[str, list[str]] = {}
    for c in changes:
        for mid in dict.fromkeys((c.from_manager, c.to_manager)):
            if mid is not None:
                touching.setdefault(mid, []).append(c.client_id)
    return {m.manager_id: tuple(touching[m.manager_id]) for m in problem.managers
            if m.staying and m.manager_id in touching}


def cap_groups(problem: Problem, settings: Rollout,
               changes: Sequence[Change]) -> list[CapGroup]:
    """Every cap instance of one wave (the same for each wave), in a fixed order.

    ``max_moves``: moves (kind ``move``); ``max_handovers_per_manager``: changes a staying
    manager gives or takes; ``max_strategic``: changes of clients of at least
    ``strategic_importance``.
    """
    out = []
    if settings.max_moves is not None:
        out.append(CapGroup("max_moves", "", tuple(c.client_id for c in changes
                                                   if c.kind == MOVE), settings.max_moves))
    if settings.max_handovers_per_manager is not None:
        for mid, mine in handovers_by_manager(problem, changes).items():
            out.append(CapGroup("max_handovers_per_manager", mid, mine,
                                settings.max_handovers_per_manager))
    if settings.max_strategic is not None:
        level = settings.strategic_importance
        out.append(CapGroup("max_strategic", "", tuple(c.client_id for c in changes
                                                       if c.importance >= level),
                            settings.max_strategic))
    return out


def book_after(problem: Problem, schedule: Schedule, wave: int) -> dict[str, str | None]:
    """The book once waves 1..``wave`` took effect (wave 0: today's book)."""
    book: dict[str, str | None] = {c.client_id: c.manager for c in problem.clients}
    for change in schedule.changes:
        if schedule.wave_of[change.client_id] <= wave:
            book[change.client_id] = change.to_manager
    return book


@dataclass(frozen=True)
class WaveCheck:
    """What ``check_schedule`` found in one wave: the book's verdict and what is broken."""

    wave: int
    verdict: Verdict
    violations: tuple[Violation, ...]


def _status_quo(start: Verdict) -> set[tuple[str, str | None, str | None]]:
    return {(v.rule, v.client_id, v.manager_id) for v in start.violations
            if v.client_id is not None}


def check_schedule(problem: Problem, scenario: Scenario, rules: Rules, schedule: Schedule,
                   settings: Rollout) -> list[WaveCheck]:
    """Every intermediate book and the final one checked against every hard rule, and each
    wave against the rollout's caps, first-wave kinds and exchanges (see the module)."""
    start = _status_quo(check(problem, scenario, book_after(problem, schedule, 0), rules))
    groups = cap_groups(problem, settings, schedule.changes)
    out = []
    for wave in range(1, schedule.num_waves + 1):
        verdict = check(problem, scenario, book_after(problem, schedule, wave), rules)
        waiting = {c.client_id for c in schedule.changes if schedule.wave_of[c.client_id] > wave}
        broken = [v for v in verdict.violations
                  if not (v.client_id in waiting
                          and (v.rule, v.client_id, v.manager_id) in start)]
        for group in groups:
            n = sum(schedule.wave_of[cid] == wave for cid in group.client_ids)
            if n > group.limit:
                broken.append(violation(group.cap, None, group.key or None,
                                        key=f"rollout.violation.{group.cap}", n=n,
                                        cap=group.limit, wave=wave))
        for change in schedule.in_wave(wave):
            if wave > 1 and change.kind in settings.first_wave_for:
                broken.append(violation("first_wave", change.client_id, change.to_manager,
                                        key="rollout.violation.first_wave", wave=wave,
                                        kind=change.kind))
        out.append(WaveCheck(wave, verdict, tuple(broken)))
    by_exchange: dict[str, set[int]] = {}
    for change in schedule.changes:
        if change.exchange is not None:
            by_exchange.setdefault(change.exchange, set()).add(schedule.wave_of[change.client_id])
    for eid, waves in sorted(by_exchange.items()):
        if len(waves) > 1:
            last = max(waves)
            extra = violation("exchange_split", None, None, key="rollout.violation.exchange",
                              exchange=eid, waves=", ".join(map(str, sorted(waves))))
            out[last - 1] = WaveCheck(last, out[last - 1].verdict,
                                      (*out[last - 1].violations, extra))
    return out
