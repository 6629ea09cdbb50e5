"""`rebalance check SCENARIO --assignment FILE`: a solver-free verdict on any plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from rebalance.commands import options

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "ok": "All hard rules hold for {n} clients.",
        "broken": "{n} hard rule violation(s):",
        "figures": "balance excess {be:.4f}, continuity cost {cc:.3f}, {moves} moves, "
                   "{outside} manager/metric pairs outside their band",
        "backups_ok": "Backups: every client has a valid B角.",
        "backups_broken": "{n} backup problem(s):",
        "title": "Excess per manager and metric (only those outside their band)",
        "cols": ["manager", "metric", "load", "fair share", "dev", "band", "excess"],
    },
    "zh": {
        "ok": "全部 {n} 个客户的硬性规则均满足。",
        "broken": "{n} 处违反硬性规则：",
        "figures": "均衡超额 {be:.4f}，关系成本 {cc:.3f}，调整 {moves} 个客户，"
                   "{outside} 个（客户经理，指标）超出容差带",
        "backups_ok": "B角：每个客户都有有效的B角。",
        "backups_broken": "{n} 处B角问题：",
        "title": "超出容差带的客户经理与指标",
        "cols": ["客户经理", "指标", "负载", "公平份额", "偏差", "容差", "超额"],
    },
}


def check_command(
    scenario: Path = options.scenario(),
    assignment: Path = options.assignment("Plan to verify (CSV/xlsx with client_id, manager)."),
    overrides: list[str] = options.overrides("Override a scenario field: a.b=value."),
    lang: str = options.lang("Language of messages"),
) -> None:
    """Verify a plan against every hard rule and recompute both objectives (no solver).

    Exit 0 when every hard rule holds, 1 when one is broken, 2 for bad input.
    """
    from rebalance.cli import EXIT_NO_PLAN, console, exit_codes

    if lang not in TEXT:
        raise typer.BadParameter("use en or zh", param_hint="--lang")
    t = TEXT[lang]
    with exit_codes(lang):
        from rebalance import pipeline
        from rebalance.backup import check_backups
        from rebalance.check import check
        from rebalance.io.read import read_assignment, read_backups

        sc, problem, rules = pipeline.load(scenario, overrides)
        plan = read_assignment(assignment, problem, sc.data.encoding)
        verdict = check(problem, sc, plan, rules)
        backups = read_backups(assignment, problem, sc.data.encoding)
        backup_problems = (check_backups(problem, sc, rules, plan, backups)
                           if backups is not None else [])

        if verdict.ok:
            console.print(t["ok"].format(n=problem.num_clients))
        else:
            console.print(t["broken"].format(n=len(verdict.violations)))
            for v in verdict.violations:
                console.print(f"  - [{v.rule}] {v.text(lang)}", markup=False)
        if backups is not None:
            if backup_problems:
                console.print(t["backups_broken"].format(n=len(backup_problems)))
                for text in backup_problems:
                    console.print(f"  - {text}", markup=False)
            else:
                console.print(t["backups_ok"])
        bands = sc.balance.bands()
        if verdict.outside_band:
            table = Table(title=t["title"], title_justify="left")
            for i, col in enumerate(t["cols"]):
                table.add_column(col, justify="left" if i < 2 else "right")
            for mid, metric in verdict.outside_band:
                table.add_row(mid, metric, f"{verdict.loads[(mid, metric)]:,.1f}",
                              f"{verdict.shares[(mid, metric)]:,.1f}",
                              f"{verdict.devs[(mid, metric)]:+.1%}",
                              f"±{bands[metric].tolerance:.0%}",
                              f"{verdict.excess_terms[(mid, metric)]:.4f}")
            console.print(table)
        console.print(t["figures"].format(be=verdict.balance_excess, cc=verdict.continuity_cost,
                                          moves=verdict.num_moves,
                                          outside=len(verdict.outside_band)))
        if not verdict.ok or backup_problems:
            raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer) -> None:
    app.command("check")(check_command)
