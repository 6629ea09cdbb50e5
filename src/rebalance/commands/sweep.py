"""``rebalance sweep SCENARIO --grid key=v1,v2,… [--grid …] --out DIR``: the trade-off curve.

Every combination of the grid values is applied to the scenario (like ``--set key=value``) and
solved, with a progress bar. The result is one row per combination: the grid values, then the
same figures as ``compare`` (``moves``, ``continuity_cost``, ``balance_excess`` …), then
``gain_per_move`` — how much balance excess one extra move bought compared with the previous
value of the first grid key (the other grid keys held fixed). ``--out DIR`` writes
``sweep.csv`` and ``sweep.png`` (balance excess against moves: how many relationships
fairness costs), all or nothing; other files in DIR are left alone.

Every combination is validated before anything is solved (bad values: exit 2). A combination
without an acceptable plan is a row with status ``NO_PLAN``; the sweep goes on and then exits 1.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from rebalance.commands.compare import (
    NO_PLAN,
    csv_frame,
    figures,
    format_value,
    no_plan_row,
    print_frame,
)
from rebalance.errors import InputError, Issue, NoPlanError
from rebalance.scenario import parse_override, with_overrides

if TYPE_CHECKING:
    import pandas as pd

    from rebalance.data import Problem
    from rebalance.scenario import Scenario

Grid = list[tuple[str, list[str]]]  # (dotted key, values as typed), in the order given

TABLE_COLUMNS: tuple[tuple[str, str], ...] = (  # (column, format) shown in the terminal
    ("status", "text"), ("moves", "int"), ("balance_excess", "num"),
    ("continuity_cost", "num"), ("managers_outside_after", "int"), ("revenue_max_dev", "pct"),
    ("gain_per_move", "num"),
)
ZH_GAIN_PER_MOVE = "每次调整均衡收益"
TEXTS = {
    "en": {"title": "Sweep of {name}: {n} combinations", "wrote": "Wrote {files}",
           "progress": "Solving", "gain_per_move": "gain/move",
           "managers_outside_after": "outside after", "revenue_max_dev": "revenue max|dev|",
           "balance_excess": "balance excess", "continuity_cost": "continuity cost",
           "moves": "moves", "status": "status", "no_plan": "{point}: no acceptable plan: {why}"},
    "zh": {"title": "{name} 参数扫描:{n} 种组合", "wrote": "已写入 {files}",
           "progress": "求解中", "gain_per_move": "每次调整收益",
           "managers_outside_after": "调整后超区间", "revenue_max_dev": "收入最大偏差",
           "balance_excess": "均衡超额", "continuity_cost": "关系损失",
           "moves": "调整客户数", "status": "求解状态",
           "no_plan": "{point}:没有可行方案:{why}"},
}


# --------------------------------------------------------------------------- grid


def parse_grid(specs: Sequence[str]) -> Grid:
    """Parse ``key=v1,v2,…`` specs; every problem is reported at once (``InputError``)."""
    grid: Grid = []
    issues: list[Issue] = []
    seen: set[str] = set()
    for spec in specs:
        key, sep, values = spec.partition("=")
        key = key.strip()
        texts = [v.strip() for v in values.split(",")]
        if not sep or not key:
            issues.append(Issue(f"--grid {spec!r}: expected key=v1,v2,…, "
                                f"e.g. continuity.max_moves=0,5,10"))
        elif not values.strip() or any(not t for t in texts):
            issues.append(Issue(f"--grid {spec!r}: empty value in the list"))
        elif key in seen:
            issues.append(Issue(f"--grid {spec!r}: {key} is given twice"))
        else:
            seen.add(key)
            grid.append((key, texts))
    if not specs:
        issues.append(Issue("give at least one --grid key=v1,v2,…"))
    if issues:
        raise InputError(issues)
    return grid


def grid_points(grid: Grid) -> list[list[tuple[str, str]]]:
    """Every combination, the first key varying slowest: [[(key, value), …], …]."""
    keys = [key for key, _ in grid]
    return [list(zip(keys, combo, strict=True))
            for combo in itertools.product(*(values for _, values in grid))]


def grid_text(value: Any) -> str:
    """A grid value as the user typed it: ``null`` for none, 4 rather than 4.0."""
    if value is None or (isinstance(value, float) and value != value):
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _value(key: str, text: str) -> Any:
    return parse_override(f"{key}={text}")[1]


def _point_text(point: Sequence[tuple[str, str]]) -> str:
    return ", ".join(f"{k}={v}" for k, v in point)


# --------------------------------------------------------------------------- running


def gain_per_move(rows: pd.DataFrame, grid_keys: Sequence[str]) -> list[float | None]:
    """Balance excess bought by one extra move, row by row.

    Compared with the row before it along the first grid key, among rows with the same values
    of the other keys: ``(excess_before − excess) / (moves − moves_before)``; empty for the
    first row of each group, for rows without a plan and when the moves did not grow.
    """
    out: list[float | None] = [None] * len(rows)
    others = list(grid_keys[1:])
    previous: dict[tuple[Any, ...], tuple[float, float]] = {}
    records = rows.to_dict("records")
    order = sorted(range(len(records)), key=lambda i: tuple(
        str(records[i][k]) for k in others))  # stable: keeps the first key's order in a group
    for i in order:
        record = records[i]
        group = tuple(str(record[k]) for k in others)
        moves, excess = record.get("moves"), record.get("balance_excess")
        if moves is None or excess is None or moves != moves or excess != excess:
            continue
        if group in previous:
            m0, e0 = previous[group]
            if moves > m0:
                out[i] = round((e0 - float(excess)) / (float(moves) - m0), 4)
        previous[group] = (float(moves), float(excess))
    return out


def run_sweep(
    scenario: Scenario,
    grid: Grid,
    problem: Problem | None = None,
    on_point: Callable[[int, str], None] | None = None,
) -> pd.DataFrame:
    """Solve every combination of ``grid`` on ``scenario``; one row each (see module doc).

    The book is read once; combinations that change ``data.*`` read their own. Every
    combination is validated before the first solve. ``on_point(index, text)`` is called
    before each solve. ``result.attrs["grid_keys"]`` names the grid columns (for plotting).
    """
    import pandas as pd

    from rebalance.io.read import load_book
    from rebalance.pipeline import run
    from rebalance.pools import build_rules

    points = grid_points(grid)
    variants = []
    issues: list[Issue] = []
    for point in points:
        try:
            variants.append(with_overrides(scenario, [f"{k}={v}" for k, v in point]))
        except InputError as exc:
            issues.extend(exc.issues)
    if issues:
        raise InputError(issues)
    if problem is None:
        problem, _ = load_book(scenario)
    rows = []
    for i, (point, variant) in enumerate(zip(points, variants, strict=True)):
        if on_point is not None:
            on_point(i, _point_text(point))
        if variant.data == scenario.data:
            book, rules = problem, build_rules(problem, variant)
        else:
            book, rules = load_book(variant)
        try:
            row = figures(run(variant, book, rules))
        except NoPlanError as exc:
            row = no_plan_row(variant.name, exc.reasons)
        rows.append({**{k: _value(k, v) for k, v in point}, **row})
    keys = [key for key, _ in grid]
    result = pd.DataFrame(rows)
    result["gain_per_move"] = gain_per_move(result, keys)
    result.attrs["grid_keys"] = keys
    return result


def tradeoff_figure(result: pd.DataFrame, lang: str = "en") -> Any:
    """A matplotlib ``Figure`` with the trade-off curve (no pyplot: no window, no global state)."""
    from matplotlib.figure import Figure

    from rebalance.report.plots import plot_tradeoff

    figure = Figure(figsize=(7.5, 4.8), layout="constrained")
    plot_tradeoff(result, ax=figure.add_subplot(), lang=lang)
    return figure


def write_sweep(result: pd.DataFrame, out_dir: str | Path, lang: str = "en") -> list[Path]:
    """Write ``sweep.csv`` and ``sweep.png`` into ``out_dir``, all or nothing."""
    from rebalance.io.write import atomic_output_dir, write_csv

    figure = tradeoff_figure(result, lang)
    with atomic_output_dir(out_dir) as staging:
        frame = csv_frame(result, lang)
        if lang == "zh":
            frame = frame.rename(columns={"gain_per_move": ZH_GAIN_PER_MOVE})
        write_csv(frame, staging / "sweep.csv")
        figure.savefig(staging / "sweep.png", dpi=150, metadata={"Software": None})
    return [Path(out_dir) / "sweep.csv", Path(out_dir) / "sweep.png"]


# --------------------------------------------------------------------------- command


def sweep(
    scenario_path: str = typer.Argument(..., metavar="SCENARIO", help="Scenario YAML file."),
    grid_specs: list[str] = typer.Option(  # noqa: B006 - typer needs a list default
        [], "--grid", help="key=v1,v2,… to sweep, e.g. continuity.max_moves=0,5,10 "
                           "(repeat for a grid over several keys)."),
    out: Path | None = typer.Option(None, "--out",
                                    help="Write sweep.csv and sweep.png into this directory."),
    overrides: list[str] = typer.Option(  # noqa: B006 - typer needs a list default
        [], "--set", help="Override a scenario field for every run, e.g. --set solver.seed=1."
    ),
    time_limit: float | None = typer.Option(None, "--time-limit",
                                            help="Solver time limit per run, seconds."),
    lang: str = typer.Option("en", "--lang", help="Language of the table and plot: en or zh."),
) -> None:
    """Solve every combination of a grid of values and show the moves-versus-balance curve."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from rebalance.cli import EXIT_BAD_INPUT, EXIT_NO_PLAN, console, err_console, exit_codes
    from rebalance.pipeline import load

    if lang not in TEXTS:
        err_console.print(f"--lang must be en or zh, got {lang!r}")
        raise typer.Exit(EXIT_BAD_INPUT)
    text = TEXTS[lang]
    num_failed = 0
    with exit_codes(lang):
        grid = parse_grid(grid_specs)
        sets = [*overrides]
        if time_limit is not None:
            sets.append(f"solver.time_limit={time_limit}")
        scenario, problem, _ = load(scenario_path, sets)
        total = len(grid_points(grid))
        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=err_console, transient=False)
        with progress:
            task = progress.add_task(text["progress"], total=total)

            def step(i: int, point: str) -> None:
                progress.update(task, completed=i, description=f"{text['progress']} {point}")

            result = run_sweep(scenario, grid, problem, on_point=step)
            progress.update(task, completed=total, description=text["progress"])

        keys = [key for key, _ in grid]
        import pandas as pd

        shown: dict[str, list[str]] = {key: [grid_text(v) for v in result[key]]
                                       for key in keys}
        for column, kind in TABLE_COLUMNS:
            shown[text[column]] = [format_value(v, kind) for v in result[column]]
        print_frame(pd.DataFrame(shown), text["title"].format(name=scenario.name, n=total))
        for record in result[result["status"] == NO_PLAN].to_dict("records"):
            point = ", ".join(f"{k}={record[k]}" for k in keys)
            err_console.print(text["no_plan"].format(point=point, why=record["note"]),
                              markup=False)
            num_failed += 1
        if out is not None:
            files = write_sweep(result, out, lang)
            console.print(text["wrote"].format(files=", ".join(str(f) for f in files)),
                          markup=False)
    if num_failed:
        raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer) -> None:
    """Add ``sweep`` to the command line."""
    app.command("sweep")(sweep)
