"""What the rollout prints: a schedule file checked wave by wave (``rebalance check
--schedule``) and the waves of a rollout (``rebalance rollout``, ``solve``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rebalance.data import Problem
from rebalance.i18n import t
from rebalance.pools import Rules
from rebalance.rollout.plan import RolledOut, settings_of
from rebalance.rollout.read import read_schedule
from rebalance.rollout.schedule import Book, check_schedule
from rebalance.scenario import Scenario


def check_schedule_file(path: Path, problem: Problem, scenario: Scenario, rules: Rules,
                        plan: Book | None, lang: str) -> tuple[dict[str, str | None], bool]:
    """Read and check a schedule, print the verdict; (the plan it completes, broken?)."""
    from rebalance.cli import console

    settings = settings_of(scenario, lang)
    full, schedule = read_schedule(path, problem, plan, settings, scenario.data.encoding)
    waves = check_schedule(problem, scenario, rules, schedule, settings)
    broken = [(w.wave, v) for w in waves for v in w.violations]
    if not broken:
        console.print(t("rollout.check.ok", lang, waves=schedule.num_waves), markup=False)
    else:
        console.print(t("rollout.check.broken", lang, n=len(broken)), markup=False)
        for wave, v in broken:
            console.print(f"  - [{t('rollout.check.wave', lang, wave=wave)}] {v.text(lang)}",
                          markup=False)
    return full, bool(broken)


def print_rollout(rolled: RolledOut, rows: list[dict[str, Any]], lang: str) -> None:
    """Stages, then today and every wave in one line each: what a planner reads."""
    from rebalance.cli import console

    def status_name(status: str, lang: str) -> str:
        return t(f"engine.status.{status}", lang)

    for stage in rolled.phasing.stages:
        console.print(t("rollout.stage_line", lang, name=t(f"rollout.stage.{stage.name}", lang),
                        status=status_name(stage.status, lang), obj=f"{stage.objective:.4f}",
                        bound=f"{stage.best_bound:.4f}", gap=f"{stage.gap:.2%}",
                        t=f"{stage.wall_time:.2f}"), markup=False)
    today = rows[0]
    console.print(t("rollout.today_line", lang, excess=f"{today['balance_excess']:.4f}",
                    outside=today["managers_outside_band"]), markup=False)
    for row in rows[1:]:
        console.print(t("rollout.wave_line", lang, wave=row["wave"], date=row["effective_date"],
                        moves=row["moves"], handovers=row["handovers"],
                        placements=row["placements"], excess=f"{row['balance_excess']:.4f}",
                        outside=row["managers_outside_band"], peak=row["peak_load"]),
                      markup=False)
    console.print(t("rollout.status_line", lang, status=status_name(rolled.phasing.status, lang),
                    t=f"{rolled.phasing.wall_time:.2f}", year=rolled.year), markup=False)
