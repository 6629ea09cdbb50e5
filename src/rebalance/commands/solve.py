"""`rebalance solve SCENARIO`: rebalance, derive targets (and backups), write the tables."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from rebalance.commands import options
from rebalance.commands.report import print_font_notice
from rebalance.i18n import resolve_lang, t
from rebalance.metrics import manager_loads
from rebalance.report.labels import PUNCT, pct, who
from rebalance.report.outside import outside_band_reasons


def _fmt_num(value: float) -> str:
    return f"{value:,.0f}"


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
        lang = self.lang
        part = t("engine.part", lang, k=event.part, n=event.num_parts) \
            if event.num_parts > 1 else ""
        line = t("engine.progress", lang, stage=f"{stage_name(event.stage, lang):<10}",
                 part=part, obj=f"{event.objective:>12.4f}", bound=f"{event.bound:>12.4f}",
                 t=f"{event.elapsed:6.1f}")
        if self.tty:
            sys.stderr.write("\r\033[K" + line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.tty and self.last is not None and not self.quiet:
            sys.stderr.write("\n")
            sys.stderr.flush()


def stage_name(name: str, lang: str) -> str:
    """A solver stage (balance / continuity / weighted) in ``lang``."""
    return t(f"engine.stage.{name}", lang)


def status_name(status: str, lang: str) -> str:
    """A solver status (OPTIMAL / FEASIBLE …) in ``lang``."""
    return t(f"engine.status.{status}", lang)


TABLE_COLUMNS = ("manager", "status", "clients", "revenue", "revenue_dev", "importance",
                 "target", "equal_split", "growth")


# A terminal shows every manager up to FULL_TABLE_MAX; a bigger book (20,800 managers at
# 200,000 clients took minutes to render, and nobody reads it) shows the TOP_ROWS furthest
# from their share and says where the full table is (managers.csv).
FULL_TABLE_MAX = 60
TOP_ROWS = 40


def _furthest(plan: Any, limit: int) -> list[str]:
    """The ``limit`` managers furthest outside a band (largest |dev| − tolerance of any
    metric), then the rest by the same measure; ties in input order."""
    bands = plan.scenario.balance.bands()
    worst: dict[str, float] = {}
    for (mid, metric), dev in plan.verdict.devs.items():
        excess = abs(dev) - bands[metric].tolerance
        worst[mid] = max(worst.get(mid, excess), excess)
    order = {m.manager_id: i for i, m in enumerate(plan.problem.managers)}
    ranked = sorted(order, key=lambda mid: (-worst.get(mid, float("-inf")), order[mid]))
    return ranked[:limit]


def _manager_table(plan: Any, lang: str) -> Table:
    from rebalance.commands.validate import shown

    problem, verdict = plan.problem, plan.verdict
    rows = [m.manager_id for m in problem.managers]
    title = t("engine.table.title", lang)
    if len(rows) > FULL_TABLE_MAX:
        rows = _furthest(plan, TOP_ROWS)
        title = t("speed.table.title_top", lang, n=len(rows), m=problem.num_managers,
                  k=len({mid for mid, _ in verdict.outside_band}))
    table = Table(title=title, title_justify="left")
    for i, col in enumerate(TABLE_COLUMNS):
        table.add_column(t(f"engine.table.{col}", lang), justify="left" if i < 2 else "right",
                         no_wrap=True)
    before = manager_loads(problem, problem.current_assignment)
    tol = plan.scenario.balance.revenue.tolerance
    for mid in rows:
        m = problem.manager(mid)
        target = plan.targets.targets.get(mid)
        share = plan.rules.fair_share(mid, "revenue")
        dev_before = (before[(mid, "revenue")] - share) / share if share else None
        dev_after = verdict.devs.get((mid, "revenue")) if share else None
        table.add_row(
            shown(who(problem, mid)),  # an id like "[/]" is text, not markup
            t(f"common.status.{m.status}", lang),
            f"{before[(mid, 'clients')]:.0f} → {verdict.loads.get((mid, 'clients'), 0):.0f}",
            f"{_fmt_num(before[(mid, 'revenue')])} → "
            f"{_fmt_num(verdict.loads.get((mid, 'revenue'), 0.0))}",
            f"{pct(dev_before, tol)} → {pct(dev_after, tol)}",
            f"{before[(mid, 'importance')]:.0f} → "
            f"{verdict.loads.get((mid, 'importance'), 0.0):.0f}",
            _fmt_num(target.target) if target else "",
            _fmt_num(target.equal_split_target) if target else "",
            pct(target.required_growth) if target else "",
        )
    return table


def print_outcome(plan: Any, lang: str, out_dir: Path | None = None) -> None:
    """Stages, kinds of change, the two objectives with their meaning, who stays outside a
    band and why: what a planner reads after the manager table."""
    from rebalance import pipeline
    from rebalance.cli import console
    from rebalance.metrics import managers_outside

    r, v = plan.result, plan.verdict
    for stage in r.stages:
        console.print(t("engine.stage_line", lang, name=stage_name(stage.name, lang),
                        status=status_name(stage.status, lang), obj=f"{stage.objective:.4f}",
                        bound=f"{stage.best_bound:.4f}", gap=f"{stage.gap:.2%}",
                        t=f"{stage.wall_time:.2f}"))
    console.print(t("engine.status_line", lang, status=status_name(r.status, lang),
                    **pipeline.kind_counts(plan), gap=f"{r.gap:.2%}", t=f"{r.wall_time:.1f}"))
    console.print(t("engine.objective.balance", lang, value=f"{v.balance_excess:.4f}"))
    console.print(t("engine.objective.continuity", lang, value=f"{v.continuity_cost:.3f}"))
    fair = plan.fairness
    detail = PUNCT[lang]["sep"].join(
        t("engine.outside.metric", lang, metric=t(f"common.metric.{k}", lang),
          before=fair["before"][k]["outside_band"], after=fair["after"][k]["outside_band"])
        for k in fair["after"])
    problem, sc, rules = plan.problem, plan.scenario, plan.rules
    console.print(t("engine.outside", lang,
                    before=managers_outside(problem, sc, rules, problem.current_assignment),
                    after=managers_outside(problem, sc, rules, plan.client_to_manager),
                    detail=detail))
    lines = outside_band_reasons(plan, lang)
    for line in lines[:TOP_ROWS] if len(lines) > FULL_TABLE_MAX else lines:
        console.print(f"  {line}", markup=False, soft_wrap=True)
    if len(lines) > FULL_TABLE_MAX:
        summary_json = Path(out_dir) / "summary.json" if out_dir is not None else "summary.json"
        console.print(t("speed.more_outside", lang, k=len(lines) - TOP_ROWS, file=summary_json),
                      markup=False, soft_wrap=True)


def solve_command(
    scenario: Path = options.scenario(),
    out: Path | None = options.out("Output folder (default: out/<scenario name>)."),
    overrides: list[str] = options.overrides("Override a scenario field: a.b=value (repeatable)."),
    time_limit: float | None = options.time_limit("Solver time limit in seconds."),
    executor: str | None = options.executor(),
    lang: str | None = options.lang("Language of headers and reasons"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    """Rebalance a scenario and write assignment, managers, moves, workbook and summary."""
    from rebalance.cli import console, exit_codes
    from rebalance.commands.validate import before_solving
    from rebalance.errors import InputError, Issue

    with exit_codes(options.early_lang(lang, scenario)) as run:
        from rebalance import pipeline
        from rebalance.io.publish import check_out_dir

        if time_limit is not None and time_limit <= 0:
            raise InputError([Issue(t("engine.time_limit_positive", run.lang))])
        if out is not None:
            check_out_dir(out, pipeline.OUTPUT_FILES)  # before reading or solving anything
        sets = options.with_executor(options.with_time_limit(overrides, time_limit), executor)
        sc, problem, rules = pipeline.load(scenario, sets)
        lang = run.lang = resolve_lang(lang, sc.lang)
        out_dir = out if out is not None else Path("out") / sc.name
        from rebalance.rollout.plan import output_files, when_set

        check_out_dir(out_dir, pipeline.OUTPUT_FILES + output_files(sc))
        # the engine runs the counting checks itself, first thing (exit 1 the same way)
        before_solving(problem, rules, sc, lang, counting=False)
        progress = _Progress(lang, quiet)
        if not quiet:
            console.print(t("engine.solving", lang, name=sc.name, n=problem.num_clients,
                            m=problem.num_managers, p=len(rules.pools)))
        try:
            plan = pipeline.run(sc, problem, rules, progress=progress, lang=lang)
        finally:
            progress.close()
        rolled = when_set(plan, lang)  # phased in waves when rollout: is set
        paths = pipeline.write(plan, out_dir, lang, rollout=rolled)
        print_font_notice(lang)

        console.print(_manager_table(plan, lang))
        if problem.num_managers > FULL_TABLE_MAX:
            console.print(t("speed.table.full", lang, m=problem.num_managers,
                            file=out_dir / "managers.csv"), markup=False, soft_wrap=True)
        print_outcome(plan, lang, out_dir)
        if plan.intake is not None:
            from rebalance.intake.report import print_intake

            print_intake(plan.intake, lang)
        if rolled is not None:
            from rebalance.rollout.report import print_rollout
            from rebalance.rollout.tables import wave_rows

            print_rollout(rolled, wave_rows(plan.problem, plan.scenario, plan.rules, rolled), lang)
        d, e = plan.targets.growth_spread, plan.targets.equal_split_growth_spread
        console.print(t("engine.spread", lang, d="—" if d is None else f"{d:.1%}",
                        e="—" if e is None else f"{e:.1%}"))
        console.print(t("engine.wrote", lang, files=", ".join(p.name for p in paths),
                        out=out_dir))


def register(app: typer.Typer) -> None:
    app.command("solve")(solve_command)
