"""A plan rolled out: the schedule, its checks, fairness per wave and prorated targets.

``roll_out`` is what ``rebalance rollout`` and ``rebalance solve`` (with ``rollout:`` set)
call. It raises ``NoPlanError`` (exit 1) with the numbers when the caps cannot hold — and
which value of each cap would — or when nothing was found in time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rebalance.check import check
from rebalance.data import Problem
from rebalance.errors import NoPlanError
from rebalance.i18n import t
from rebalance.pools import MOVE, Rules
from rebalance.rollout.calendar import period_shares, target_year, wave_dates
from rebalance.rollout.model import Phasing, phase
from rebalance.rollout.schedule import (
    Schedule,
    WaveCheck,
    book_after,
    check_schedule,
    plan_changes,
    units,
)
from rebalance.scenario import Scenario
from rebalance.scenario.rollout import Rollout
from rebalance.targets import TargetPlan, TargetsInfeasible, prorated_targets

# What a rollout adds to the files of ``solve`` / ``revise`` (``rollout.tables.frames``).
FILES = ("schedule.csv", "waves.csv", "handover_load.csv")


@dataclass(frozen=True)
class RolledOut:
    """A phased plan and everything derived from it."""

    settings: Rollout
    dates: tuple[dt.date, ...]
    year: int
    phasing: Phasing
    schedule: Schedule
    checks: tuple[WaveCheck, ...]
    targets: TargetPlan  # prorated over ``year``

    @property
    def ok(self) -> bool:
        """True when every book of the schedule keeps every rule and cap."""
        return not any(w.violations for w in self.checks)


def settings_of(scenario: Scenario, lang: str) -> Rollout:
    """The scenario's ``rollout:`` section; ``InputError`` (exit 2) when it has none."""
    from rebalance.errors import InputError, Issue

    if scenario.rollout is None:
        raise InputError([Issue(t("rollout.no_section", lang),
                                file=str(scenario.source or "scenario"))])
    return scenario.rollout


def prorated(problem: Problem, schedule: Schedule, scenario: Scenario, year: int,
             lang: str) -> TargetPlan:
    """Targets from the books held in each period of ``year`` (``targets.prorated_targets``)."""
    shares = period_shares(schedule.dates, year)
    periods = [(share, book_after(problem, schedule, wave)) for wave, share in enumerate(shares)]
    try:
        return prorated_targets(problem, scenario, periods)
    except TargetsInfeasible as exc:
        from rebalance.commands.targets import infeasible_message

        raise NoPlanError([infeasible_message(exc, lang)]) from exc


def roll_out(problem: Problem, scenario: Scenario, rules: Rules,
             plan: Mapping[str, str | None], lang: str = "en",
             time_limit: float | None = None, settings: Rollout | None = None) -> RolledOut:
    """Phase ``plan`` by the scenario's ``rollout:`` (or ``settings``), check every book and
    prorate the targets. ``NoPlanError`` when the plan breaks a rule or no schedule exists."""
    settings = settings if settings is not None else settings_of(scenario, lang)
    verdict = check(problem, scenario, plan, rules)
    if not verdict.ok:
        raise NoPlanError([t("rollout.plan_broken", lang, n=len(verdict.violations))]
                          + [v.text(lang) for v in verdict.violations[:20]])
    dates = wave_dates(settings)
    phasing = phase(problem, scenario, rules, plan, settings, dates, time_limit)
    if phasing.schedule is None:
        raise NoPlanError(_no_schedule(problem, plan, settings, phasing, len(dates),
                                       time_limit or scenario.solver.time_limit, lang))
    schedule = phasing.schedule
    checks = tuple(check_schedule(problem, scenario, rules, schedule, settings))
    year = target_year(settings)
    return RolledOut(settings, dates, year, phasing, schedule, checks,
                     prorated(problem, schedule, scenario, year, lang))


def _no_schedule(problem: Problem, plan: Mapping[str, str | None], settings: Rollout,
                 phasing: Phasing, num_waves: int, seconds: float, lang: str) -> list[str]:
    """Why no schedule exists, with the numbers and the smallest cap that works."""
    if phasing.status != "INFEASIBLE":
        return [t("rollout.nothing_in_time", lang, seconds=f"{seconds:g}")]
    changes = plan_changes(problem, plan)
    moves = sum(c.kind == MOVE for c in changes)
    biggest = max((sum(c.kind == MOVE for c in u) for u in units(changes)), default=0)
    lines = [t("rollout.infeasible", lang, n=len(changes), moves=moves, waves=num_waves)]
    for cap, found in phasing.smallest.items():
        value, smallest = getattr(settings, cap), found.value
        if smallest is not None and not found.proven:
            lines.append(t("rollout.cap_works", lang, cap=cap, value=value, works=smallest))
        elif smallest is None:
            lines.append(t("rollout.cap_alone", lang, cap=cap, value=value))
        else:
            lines.append(t(f"rollout.cap.{cap}", lang, value=value, smallest=smallest,
                           moves=moves, waves=num_waves, per_wave=-(-moves // num_waves),
                           biggest=biggest))
    if not phasing.smallest:
        lines.append(t("rollout.no_cap", lang))
    return lines


def when_set(plan: Any, lang: str = "en") -> RolledOut | None:
    """A solved ``pipeline.Plan`` phased when its scenario has ``rollout:`` (``solve`` and
    ``revise`` write it with the plan), else None."""
    if plan.scenario.rollout is None:
        return None
    return roll_out(plan.problem, plan.scenario, plan.rules, plan.client_to_manager, lang)


def output_files(scenario: Scenario) -> tuple[str, ...]:
    """The files a rollout adds to ``solve``'s (``FILES``) when it is set."""
    return FILES if scenario.rollout is not None else ()
