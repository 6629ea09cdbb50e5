"""`rebalance solve SCENARIO`: rebalance, derive targets (and backups), write the tables."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from rebalance.commands import options

TEXT: dict[str, dict[str, Any]] = {
    "en": {
        "solving": "Solving {name}: {n} clients, {m} managers, {p} pools",
        "stage": "  {stage:<10}{part} objective {obj:>12}  bound {bound:>12}  {t:6.1f} s",
        "part": " pool {k}/{n}",
        "status": "Status {status}: {moves} moves, balance excess {be:.4f}, "
                  "continuity cost {cc:.3f}, gap {gap:.2%}, {t:.1f} s",
        "stage_line": "  stage {name}: {status}, objective {obj:.4f}, bound {bound:.4f}, "
                      "gap {gap:.2%}, {t:.2f} s",
        "spread": "Required growth spread (max − min): derived targets {d}, equal split {e}",
        "wrote": "Wrote {files} to {out}",
        "title": "Managers before → after",
        "cols": ["manager", "status", "clients", "revenue", "revenue dev", "importance",
                 "target", "equal split", "growth"],
        "outside": "Manager × metric pairs outside their band: {before} before, {after} after",
    },
    "zh": {
        "solving": "求解 {name}：{n} 个客户，{m} 名客户经理，{p} 个平衡池",
        "stage": "  {stage:<10}{part} 目标 {obj:>12}  下界 {bound:>12}  {t:6.1f} 秒",
        "part": " 平衡池 {k}/{n}",
        "status": "状态 {status}：调整 {moves} 个客户，均衡超额 {be:.4f}，"
                  "关系成本 {cc:.3f}，差距 {gap:.2%}，{t:.1f} 秒",
        "stage_line": "  阶段 {name}：{status}，目标 {obj:.4f}，下界 {bound:.4f}，"
                      "差距 {gap:.2%}，{t:.2f} 秒",
        "spread": "所需增长率极差（最大−最小）：按组合分解 {d}，平均分配 {e}",
        "wrote": "已写入 {files} 到 {out}",
        "title": "客户经理调整前 → 调整后",
        "cols": ["客户经理", "状态", "客户数", "收入", "收入偏差", "重要程度",
                 "指标", "平均分配指标", "所需增长"],
        "outside": "超出容差带的（客户经理 × 指标）：调整前 {before} 个，调整后 {after} 个",
    },
}


def _fmt_num(value: float) -> str:
    return f"{value:,.0f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1%}"


class _Progress:
    """Prints objective and bound as they improve: a live line on a terminal, plain lines
    (at most one every ``PLAIN_INTERVAL`` seconds per stage and pool) otherwise."""

    PLAIN_INTERVAL = 1.0

    def __init__(self, lang: str, quiet: bool) -> None:
        self.lang, self.quiet = lang, quiet
        self.tty = sys.stderr.isatty()
        self.last: tuple[Any, ...] | None = None
        self.last_plain: dict[tuple[str, int], float] = {}

    def __call__(self, event: Any) -> None:
        if self.quiet:
            return
        key = (event.stage, event.part, event.objective, event.bound)
        if key == self.last:
            return
        self.last = key
        where = (event.stage, event.part)
        if not self.tty:
            seen = self.last_plain.get(where)
            if seen is not None and event.elapsed - seen < self.PLAIN_INTERVAL:
                return
            self.last_plain[where] = event.elapsed
        t = TEXT[self.lang]
        part = t["part"].format(k=event.part, n=event.num_parts) if event.num_parts > 1 else ""
        line = t["stage"].format(
            stage=event.stage, part=part, obj=f"{event.objective:.4f}",
            bound=f"{event.bound:.4f}", t=event.elapsed)
        if self.tty:
            sys.stderr.write("\r\033[K" + line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty and self.last is not None and not self.quiet:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _manager_table(plan: Any, lang: str) -> Table:
    t = TEXT[lang]
    table = Table(title=t["title"], title_justify="left")
    for i, col in enumerate(t["cols"]):
        table.add_column(col, justify="left" if i < 2 else "right", no_wrap=True)
    problem, verdict = plan.problem, plan.verdict
    before = problem.current_assignment
    counts_before: dict[str, int] = {}
    rev_before: dict[str, float] = {}
    imp_before: dict[str, float] = {}
    for c in problem.clients:
        if before.get(c.client_id):
            mid = before[c.client_id]
            counts_before[mid] = counts_before.get(mid, 0) + 1
            rev_before[mid] = rev_before.get(mid, 0.0) + c.revenue
            imp_before[mid] = imp_before.get(mid, 0.0) + c.importance
    for m in problem.managers:
        mid = m.manager_id
        target = plan.targets.targets.get(mid)
        share = plan.rules.fair_share(mid, "revenue")
        dev_before = (rev_before.get(mid, 0.0) - share) / share if share else None
        dev_after = verdict.devs.get((mid, "revenue")) if share else None
        table.add_row(
            mid,
            m.status,
            f"{counts_before.get(mid, 0)} → {int(verdict.loads.get((mid, 'clients'), 0))}",
            f"{_fmt_num(rev_before.get(mid, 0.0))} → "
            f"{_fmt_num(verdict.loads.get((mid, 'revenue'), 0.0))}",
            f"{_pct(dev_before)} → {_pct(dev_after)}",
            f"{imp_before.get(mid, 0.0):.0f} → {verdict.loads.get((mid, 'importance'), 0.0):.0f}",
            _fmt_num(target.target) if target else "",
            _fmt_num(target.equal_split_target) if target else "",
            _pct(target.required_growth) if target else "",
        )
    return table


def solve_command(
    scenario: Path = options.scenario(),
    out: Path | None = options.out("Output folder (default: out/<scenario name>).", "-o"),
    overrides: list[str] = options.overrides("Override a scenario field: a.b=value (repeatable)."),
    time_limit: float | None = options.time_limit("Solver time limit in seconds."),
    lang: str = options.lang("Language of headers and reasons"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    """Rebalance a scenario and write assignment, managers, moves, workbook and summary."""
    from rebalance.cli import console, exit_codes
    from rebalance.errors import InputError, Issue

    if lang not in TEXT:
        raise typer.BadParameter("use en or zh", param_hint="--lang")
    with exit_codes(lang):
        from rebalance import pipeline

        if time_limit is not None and time_limit <= 0:
            raise InputError([Issue("--time-limit must be greater than 0")])
        sc, problem, rules = pipeline.load(scenario, options.with_time_limit(overrides, time_limit))
        t = TEXT[lang]
        progress = _Progress(lang, quiet)
        if not quiet:
            console.print(t["solving"].format(name=sc.name, n=problem.num_clients,
                                              m=problem.num_managers, p=len(rules.pools)))
        try:
            plan = pipeline.run(sc, problem, rules, progress=progress)
        finally:
            progress.close()
        out_dir = out if out is not None else Path("out") / sc.name
        paths = pipeline.write(plan, out_dir, lang)

        r, v = plan.result, plan.verdict
        console.print(_manager_table(plan, lang))
        for stage in r.stages:
            console.print(t["stage_line"].format(name=stage.name, status=stage.status,
                                                 obj=stage.objective, bound=stage.best_bound,
                                                 gap=stage.gap, t=stage.wall_time))
        console.print(t["status"].format(status=r.status, moves=v.num_moves,
                                         be=v.balance_excess, cc=v.continuity_cost,
                                         gap=r.gap, t=r.wall_time))
        fair = plan.fairness
        n_before = sum(int(f["outside_band"]) for f in fair["before"].values())
        n_after = sum(int(f["outside_band"]) for f in fair["after"].values())
        console.print(t["outside"].format(before=n_before, after=n_after))
        for line in pipeline.outside_band_reasons(plan, lang):
            console.print(f"  {line}", markup=False)
        d, e = plan.targets.growth_spread, plan.targets.equal_split_growth_spread
        console.print(t["spread"].format(d="—" if d is None else f"{d:.1%}",
                                         e="—" if e is None else f"{e:.1%}"))
        console.print(t["wrote"].format(files=", ".join(p.name for p in paths), out=out_dir))


def register(app: typer.Typer) -> None:
    app.command("solve")(solve_command)
