"""``rebalance check --schedule``: a schedule file verified wave by wave, on the terminal."""

from __future__ import annotations

from pathlib import Path

from rebalance.data import Problem
from rebalance.i18n import t
from rebalance.pools import Rules
from rebalance.rollout.plan import settings_of
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
