"""`rebalance check SCENARIO --assignment FILE`: a solver-free verdict on any plan."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from rebalance.commands import options
from rebalance.i18n import t
from rebalance.metrics import kind_counts, managers_outside
from rebalance.report.labels import band, pct, who

COLUMNS = ("manager", "metric", "load", "share", "dev", "band", "excess")


def check_command(
    scenario: Path = options.scenario(),
    assignment: Path | None = typer.Option(
        None, "--assignment", "-a",
        help="Plan to verify (CSV/xlsx with client_id, manager); optional with --schedule."),
    overrides: list[str] = options.overrides("Override a scenario field: a.b=value."),
    lang: str | None = options.lang("Language of messages"),
    schedule: Path | None = typer.Option(
        None, "--schedule",
        help="A rollout schedule (schedule.csv) to verify: every book after each wave."),
) -> None:
    """Verify a plan against every hard rule and recompute both objectives (no solver).

    With ``--schedule``, also every intermediate book of a rollout (every rule, every cap).
    Exit 0 when every hard rule holds, 1 when one is broken, 2 for bad input.
    """
    from rebalance.cli import EXIT_NO_PLAN, console, exit_codes

    with exit_codes(options.early_lang(lang, scenario)) as run:
        from rebalance import pipeline
        from rebalance.backup import check_backups
        from rebalance.check import check
        from rebalance.io.read import read_backups

        sc, problem, rules = pipeline.load(scenario, overrides)
        lang = run.lang = options.resolved(lang, sc)
        if assignment is None and schedule is None:
            from rebalance.errors import InputError, Issue

            raise InputError([Issue(t("rollout.check.needs_plan", lang))])
        plan: dict[str, str | None] | None = None
        if assignment is not None:  # with the candidates it took in (``intake.read_plan``)
            from rebalance.intake import read_plan

            problem, rules, written = read_plan(assignment, problem, rules, sc)
            plan = dict(written)
        schedule_broken = False
        if schedule is not None:
            from rebalance.rollout.report import check_schedule_file

            plan, schedule_broken = check_schedule_file(schedule, problem, sc, rules, plan, lang)
        assert plan is not None
        verdict = check(problem, sc, plan, rules)
        backups = (read_backups(assignment, problem, sc.data.encoding, sc.data.restore_zeros)
                   if assignment is not None else None)
        backup_problems = (check_backups(problem, sc, rules, {c: m for c, m in plan.items()
                                                              if m is not None}, backups)
                           if backups is not None else [])

        if verdict.ok:
            console.print(t("checks.ok", lang, n=problem.num_clients))
        else:
            console.print(t("checks.broken", lang, n=len(verdict.violations)))
            for v in verdict.violations:
                console.print(f"  - [{t('checks.rule.' + v.rule, lang)}] {v.text(lang)}",
                              markup=False)
        if backups is not None:
            if backup_problems:
                console.print(t("checks.backups_broken", lang, n=len(backup_problems)))
                for text in backup_problems:
                    console.print(f"  - {text}", markup=False)
            else:
                console.print(t("checks.backups_ok", lang))
        bands = sc.balance.bands()
        if verdict.outside_band:
            table = Table(title=t("checks.title", lang), title_justify="left")
            for i, col in enumerate(COLUMNS):
                table.add_column(t(f"checks.col.{col}", lang), justify="left" if i < 2 else "right")
            for mid, metric in verdict.outside_band:
                tol = bands[metric].tolerance
                table.add_row(who(problem, mid), t(f"common.metric.{metric}", lang),
                              f"{verdict.loads[(mid, metric)]:,.1f}",
                              f"{verdict.shares[(mid, metric)]:,.1f}",
                              pct(verdict.devs[(mid, metric)], tol), band(tol),
                              f"{verdict.excess_terms[(mid, metric)]:.4f}")
            console.print(table)
        console.print(t("engine.objective.balance", lang, value=f"{verdict.balance_excess:.4f}"))
        console.print(t("engine.objective.continuity", lang,
                        value=f"{verdict.continuity_cost:.3f}"))
        console.print(t("checks.figures", lang, **kind_counts(problem, plan),
                        outside=managers_outside(problem, sc, rules, plan)))
        if not verdict.ok or backup_problems or schedule_broken:
            raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
