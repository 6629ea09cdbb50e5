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
ZH_CAPPED: dict[str, str] = {"max": "上限", "min": "下限"}
ZH_METHOD: dict[str, str] = {"proportional": "按组合收入", "blend": "收入与潜力加权"}


def targets_frame(plan: TargetPlan, problem: Problem, lang: str = "en") -> pd.DataFrame:
    """targets.csv as a DataFrame: one row per manager, in the managers table's order."""
    import pandas as pd

    zh = lang == "zh"
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
            "capped": _capped_label(mt.capped, zh),
        })
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    return frame.rename(columns={c: t(f"tables.targets.{c}", lang) for c in COLUMNS})


def _money(x: float) -> str:
    return f"{x:,.0f}" if x == round(x) else f"{x:,.2f}"


def _pct(g: float | None) -> str:
    return "—" if g is None else f"{g:+.1%}"


def _pp(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}"


def _capped_label(capped: str | None, zh: bool) -> str:
    if capped is None:
        return ""
    return ZH_CAPPED.get(capped, capped) if zh else capped


def _row_cells(mt: ManagerTarget, problem: Problem, zh: bool) -> list[str]:
    manager = problem.manager(mt.manager_id)
    name = manager.name
    if mt.status != "active":
        status = t(f"common.status.{mt.status}", "zh" if zh else "en")
        name = f"{name} ({status})" if name else f"({status})"
    growth = _pct(mt.required_growth)
    if mt.capped:
        growth = f"{growth} {_capped_label(mt.capped, zh)}"
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

    zh = lang == "zh"
    headers = (
        ["客户经理", "姓名", "组合收入", "指标", "所需\n增长率", "平均分配\n指标",
         "平均分配\n增长率"]
        if zh else
        ["manager", "name", "portfolio\nrevenue", "target", "required\ngrowth",
         "equal\nsplit", "equal-split\ngrowth"]
    )
    rows = [_row_cells(mt, problem, zh) for mt in plan.targets.values()]
    table = Table(title="客户经理指标" if zh else "Targets per manager", box=box.SIMPLE_HEAD,
                  pad_edge=False)
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

    growth = plan.department_growth
    method = ZH_METHOD.get(plan.method, plan.method) if zh else plan.method
    if zh:
        console.print(f"部门指标 {_money(plan.total)}（当前收入 {_money(plan.department_revenue)}，"
                      f"增长 {_pct(growth)}），分配方法：{method}，取整到 {_money(plan.round_to)}")
    else:
        console.print(f"Department target {_money(plan.total)} (revenue now "
                      f"{_money(plan.department_revenue)}, growth {_pct(growth)}); method "
                      f"{method}, rounded to {_money(plan.round_to)}")
    if plan.method == "blend":
        console.print(f"{plan.blank_potentials} 个客户未填潜在收入，按其收入计"
                      if zh else
                      f"{plan.blank_potentials} client(s) without a potential: counted with "
                      f"their revenue")
    if plan.unheld_revenue > 0:
        console.print(f"注意：{_money(plan.unheld_revenue)} 的收入不在任何在岗客户经理名下"
                      f"（未分配或仍在离职客户经理名下），指标仍由在岗客户经理承担"
                      if zh else
                      f"Note: {_money(plan.unheld_revenue)} of revenue is held by no staying "
                      f"manager (unassigned, or left with leaving managers); the staying "
                      f"managers still carry the whole target")
    if plan.split_by_fte:
        console.print("注意：在岗客户经理没有任何收入或潜力，指标按人力系数平均分配"
                      if zh else "Note: no staying manager holds any revenue or potential; "
                      "the total is split by fte")
    if zh:
        console.print(f"[bold]所需增长率极差：按组合分配 {_pp(plan.growth_spread)} 个百分点，"
                      f"平均分配 {_pp(plan.equal_split_growth_spread)} 个百分点[/]"
                      f"（标准差 {_pp(plan.growth_std)} 对 {_pp(plan.equal_split_growth_std)}）")
    else:
        console.print(f"[bold]Spread of required growth: {_pp(plan.growth_spread)} pp with "
                      f"these targets vs {_pp(plan.equal_split_growth_spread)} pp with an "
                      f"equal split[/] (std {_pp(plan.growth_std)} vs "
                      f"{_pp(plan.equal_split_growth_std)} pp)")


def infeasible_message(exc: TargetsInfeasible, lang: str) -> str:
    """Why no targets exist, in ``lang`` (the library's message is English)."""
    if lang != "zh":
        return str(exc)
    if exc.bound is None:
        return f"部门指标为 {_money(exc.total)}，但没有在岗客户经理可以承担"
    limit = _money(exc.limit or 0.0)
    if exc.bound == "max":
        return (f"max_growth {exc.growth_cap:g} 时指标合计最多 {limit}，但部门指标为 "
                f"{_money(exc.total)}（在岗客户经理当前收入 {_money(exc.held)}）；"
                f"请提高 targets.max_growth 或降低部门指标")
    return (f"min_growth {exc.growth_cap:g} 时指标合计至少 {limit}，但部门指标为 "
            f"{_money(exc.total)}（在岗客户经理当前收入 {_money(exc.held)}）；"
            f"请降低 targets.min_growth 或提高部门指标")


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
        from rebalance.io.read import load_problem, read_assignment
        from rebalance.io.write import write_csv
        from rebalance.scenario import load_scenario
        from rebalance.targets import TargetsInfeasible, compute_targets

        loaded = load_scenario(scenario, overrides)
        lang = run.lang = options.resolved(lang, loaded)
        problem = load_problem(loaded)
        plan_map = read_assignment(assignment, problem, loaded.data.encoding)
        try:
            plan = compute_targets(problem, loaded, plan_map)
        except TargetsInfeasible as exc:
            raise NoPlan(infeasible_message(exc, lang)) from exc
        render(plan, problem, lang)
        if out is not None:
            path = Path(out) / "targets.csv"
            write_csv(targets_frame(plan, problem, lang), path)
            from rebalance.cli import console

            console.print(f"已写入 {path}" if lang == "zh" else f"Wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``rebalance targets`` to the app."""
    app.command("targets")(targets)
