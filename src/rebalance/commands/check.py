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
    assignment: Path = options.assignment("Plan to verify (CSV/xlsx with client_id, manager)."),
    overrides: list[str] = options.overrides("Override a scenario field: a.b=value."),
    lang: str | None = options.lang("Language of messages"),
) -> None:
    """Verify a plan against every hard rule and recompute both objectives (no solver).

    Exit 0 when every hard rule holds, 1 when one is broken, 2 for bad input.
    """
    from rebalance.cli import EXIT_NO_PLAN, console, exit_codes

    with exit_codes(options.early_lang(lang, scenario)) as run:
        from rebalance import pipeline
        from rebalance.backup import check_backups
        from rebalance.check import check
        from rebalance.io.read import read_assignment, read_backups

        sc, problem, rules = pipeline.load(scenario, overrides)
        lang = run.lang = options.resolved(lang, sc)
        plan = read_assignment(assignment, problem, sc.data.encoding, sc.data.restore_zeros)
        verdict = check(problem, sc, plan, rules)
        backups = read_backups(assignment, problem, sc.data.encoding, sc.data.restore_zeros)
        backup_problems = (check_backups(problem, sc, rules, plan, backups)
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
        if not verdict.ok or backup_problems:
            raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
