"""``rebalance targets SCENARIO --assignment FILE``: fair targets for a given plan.

Prints one row per manager (portfolio revenue, derived target, what an equal split would have
asked, and the growth each demands), then the spread of required growth under both — the one
number that shows why the department needed fair targets. ``--out DIR`` also writes
``targets.csv`` (UTF-8 with BOM, formula-escaped, atomic).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rebalance.commands import options
from rebalance.i18n import t

if TYPE_CHECKING:
    import pandas as pd

    from rebalance.data import Problem
    from rebalance.targets import ManagerTarget, TargetPlan, TargetsInfeasible

# targets.csv columns, in order (English names are the contract of this file).
COLUMNS: tuple[str, ...] = (
    "manager_id", "name", "industry", "status", "clients", "portfolio_revenue",
    "portfolio_potential", "basis", "target", "equal_split_target", "required_growth",
    "equal_split_growth", "capped",
)
HEADS = ("manager", "name", "portfolio", "target", "growth", "equal", "equal_growth")


def targets_frame(plan: TargetPlan, problem: Problem, lang: str = "en") -> pd.DataFrame:
    """targets.csv as a DataFrame: one row per manager, in the managers table's order."""
    import pandas as pd

    rows = []
    for mt in plan.targets.values():
        manager = problem.manager(mt.manager_id)
        rows.append({
            "manager_id": mt.manager_id,
            "name": manager.name,
            "industry": ";".join(manager.industries),
            "status": t(f"common.status.{mt.status}", lang),
            "clients": mt.num_clients,
            "portfolio_revenue": mt.portfolio_revenue,
            "portfolio_potential": mt.portfolio_potential,
            "basis": mt.basis,
            "target": mt.target,
            "equal_split_target": mt.equal_split_target,
            "required_growth": mt.required_growth,
            "equal_split_growth": mt.equal_split_growth,
            "capped": _capped_label(mt.capped, lang),
        })
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.rename(columns={c: t(f"tables.targets.{c}", lang) for c in COLUMNS})


def _money(x: float) -> str:
    return f"{x:,.0f}" if x == round(x) else f"{x:,.2f}"


def _pct(g: float | None) -> str:
    return "—" if g is None else f"{g:+.1%}"


def _pp(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}"


def _capped_label(capped: str | None, lang: str) -> str:
    return "" if capped is None else t(f"targets.capped.{capped}", lang)


def _row_cells(mt: ManagerTarget, problem: Problem, lang: str) -> list[str]:
    manager = problem.manager(mt.manager_id)
    name = manager.name
    if mt.status != "active":
        status = t(f"common.status.{mt.status}", lang)
        name = f"{name} ({status})" if name else f"({status})"
    growth = _pct(mt.required_growth)
    if mt.capped:
        growth = f"{growth} {_capped_label(mt.capped, lang)}"
    return [
        mt.manager_id, name, _money(mt.portfolio_revenue),
        _money(mt.target), growth, _money(mt.equal_split_target), _pct(mt.equal_split_growth),
    ]


def render(plan: TargetPlan, problem: Problem, lang: str = "en") -> None:
    """Print the per-manager table, the department line and the spread line."""
    from rich import box
    from rich.measure import Measurement
    from rich.table import Table

    from rebalance.cli import console

    headers = [t(f"targets.head.{head}", lang) for head in HEADS]
    rows = [_row_cells(mt, problem, lang) for mt in plan.targets.values()]
    table = Table(title=t("targets.title", lang), box=box.SIMPLE_HEAD, pad_edge=False)
    for n, header in enumerate(headers):
        if n < 2:
            table.add_column(header, no_wrap=True)
        else:
            table.add_column(header, justify="right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    # Never cut a number: on a narrow terminal let the table run wider and the terminal wrap.
    needed = Measurement.get(console, console.options.update(width=10_000), table).maximum
    width = console.width
    console.width = max(width, needed)
    try:
        console.print(table)
    finally:
        console.width = width

    console.print(t("targets.department", lang, total=_money(plan.total),
                    revenue=_money(plan.department_revenue), growth=_pct(plan.department_growth),
                    method=t(f"targets.method.{plan.method}", lang),
                    round_to=_money(plan.round_to)))
    if plan.method == "blend":
        console.print(t("targets.blank_potentials", lang, n=plan.blank_potentials))
    if plan.unheld_revenue > 0:
        console.print(t("targets.unheld", lang, amount=_money(plan.unheld_revenue)))
    if plan.split_by_fte:
        console.print(t("targets.split_by_fte", lang))
    console.print(t("targets.spread", lang, d=_pp(plan.growth_spread),
                    e=_pp(plan.equal_split_growth_spread), ds=_pp(plan.growth_std),
                    es=_pp(plan.equal_split_growth_std)))


def infeasible_message(exc: TargetsInfeasible, lang: str) -> str:
    """Why no targets exist, in ``lang``: the library's own sentence in English (targets.py
    words it), the catalog's in Chinese."""
    if lang != "zh":
        return str(exc)
    if exc.bound is None:
        return t("targets.none_staying", lang, total=_money(exc.total))
    return t(f"targets.cap.{exc.bound}", lang, cap=exc.growth_cap, limit=_money(exc.limit or 0.0),
             total=_money(exc.total), held=_money(exc.held))


TARGETS_FILE = "targets.csv"  # what ``targets --out DIR`` writes


def targets(
    scenario: Path = options.scenario(),
    assignment: Path = options.assignment(
        "The plan: a table with client_id and manager (e.g. assignment.csv of solve)."),
    out: Path | None = options.out("Write targets.csv into this folder."),
    overrides: list[str] = options.overrides(
        "Override a scenario field, e.g. targets.max_growth=0.15."),
    lang: str | None = options.lang("Output language"),
) -> None:
    """Targets derived from a given plan, beside what an equal split would ask."""
    from rebalance.cli import NoPlan, exit_codes

    with exit_codes(options.early_lang(lang, scenario)) as run:
        from rebalance.io.publish import check_out_dir
        from rebalance.io.read import load_problem, read_assignment
        from rebalance.io.write import atomic_output_dir, write_csv
        from rebalance.scenario import load_scenario
        from rebalance.targets import TargetsInfeasible, compute_targets

        if out is not None:
            check_out_dir(out, [TARGETS_FILE])  # before reading anything
        loaded = load_scenario(scenario, overrides)
        lang = run.lang = options.resolved(lang, loaded)
        problem = load_problem(loaded)
        plan_map = read_assignment(assignment, problem, loaded.data.encoding,
                                   loaded.data.restore_zeros)
        try:
            plan = compute_targets(problem, loaded, plan_map)
        except TargetsInfeasible as exc:
            raise NoPlan(infeasible_message(exc, lang)) from exc
        render(plan, problem, lang)
        if out is not None:
            path = Path(out) / TARGETS_FILE
            with atomic_output_dir(out) as staging:  # rebalance.io.publish: all or nothing
                write_csv(targets_frame(plan, problem, lang), staging / TARGETS_FILE)
            from rebalance.cli import console

            console.print(t("targets.wrote", lang, path=path), markup=False)


def register(app: typer.Typer) -> None:
    """Add ``rebalance targets`` to the app."""
    app.command("targets")(targets)
