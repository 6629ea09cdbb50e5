"""What-if figures: several scenarios side by side (``compare``) and a grid of values over
one scenario (``sweep``), as a library.

``compare_scenarios`` solves each scenario and returns one row of ``figures`` per scenario;
``display_frame`` turns it for reading (a row per figure, a column per scenario), ``markdown``
and ``write_comparison`` write it. ``run_sweep`` solves every combination of a ``parse_grid``
grid on one scenario: one row per combination, the grid values, then the same ``figures``, then
``gain_per_move``; ``write_sweep`` writes ``sweep.csv`` and ``sweep.png``.

The commands ``rebalance compare`` and ``rebalance sweep`` (``rebalance.commands``) and the
notebook use these, so the figures are computed one way only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rebalance.errors import InputError, Issue, NoPlanError
from rebalance.i18n import t
from rebalance.metrics import managers_outside
from rebalance.pools import METRICS
from rebalance.report.comparison import (
    COLUMN_FORMAT,
    COLUMNS,
    DISPLAY_ROWS,
    column_label,
    csv_frame,
    display_frame,
    format_value,
    markdown,
    tradeoff_figure,
)
from rebalance.scenario import parse_override, with_overrides

if TYPE_CHECKING:
    import pandas as pd

    from rebalance.data import Problem
    from rebalance.plan import Plan
    from rebalance.pools import Rules
    from rebalance.scenario import Scenario

NO_PLAN = "NO_PLAN"
FAILED = "FAILED"  # the solve itself failed (an error, a worker that died): see ``note``

# What ``write_comparison`` writes, and the message for anything else.
COMPARISON_SUFFIXES = (".csv", ".md", ".markdown", ".html")

__all__ = [  # the presenting helpers stay importable from here (notebook, commands)
    "COLUMNS", "COLUMN_FORMAT", "DISPLAY_ROWS", "FAILED", "NO_PLAN", "column_label",
    "compare_scenarios", "csv_frame", "display_frame", "format_value", "markdown",
    "run_sweep", "tradeoff_figure", "write_comparison", "write_sweep",
]

Grid = list[tuple[str, list[str]]]  # (dotted key, values as typed), in the order given


# --------------------------------------------------------------------------- compare: figures


def figures(plan: Plan) -> dict[str, Any]:
    """One flat row of key figures: ``pipeline.key_figures`` plus before/after detail."""
    from rebalance.pipeline import key_figures

    row = key_figures(plan)
    problem, scenario, rules = plan.problem, plan.scenario, plan.rules
    row["managers_outside_before"] = managers_outside(problem, scenario, rules,
                                                      problem.current_assignment)
    row["managers_outside_after"] = managers_outside(problem, scenario, rules,
                                                     plan.client_to_manager)
    for metric in METRICS:
        before = plan.fairness["before"][metric]
        after = plan.fairness["after"][metric]
        row[f"{metric}_max_dev_before"] = round(float(before["max_abs_dev"]), 4)
        if metric != "revenue":
            row[f"{metric}_gini_before"] = round(float(before["gini"]), 4)
            row[f"{metric}_gini_after"] = round(float(after["gini"]), 4)
    row["hard_rules_ok"] = plan.verdict.ok
    row["continuity"] = round(float(plan.fairness["continuity"]), 4)
    row["note"] = ""
    return _ordered(row)


def no_plan_row(name: str, reasons: Sequence[str]) -> dict[str, Any]:
    """The row of a scenario without an acceptable plan: status NO_PLAN and the reasons."""
    return _ordered({"scenario": name, "status": NO_PLAN, "note": "; ".join(reasons)})


def _ordered(row: Mapping[str, Any]) -> dict[str, Any]:
    """Known columns in ``COLUMNS`` order (missing ones empty), then any others."""
    out = {key: row.get(key) for key, _ in COLUMNS}
    out.update({k: v for k, v in row.items() if k not in out})
    return out


# --------------------------------------------------------------------------- compare: running


def load_all(paths: Sequence[str | Path], overrides: Sequence[str] = ()
             ) -> list[tuple[Scenario, Problem, Rules]]:
    """Load and validate every scenario; one ``InputError`` lists the problems of all files."""
    from rebalance.pipeline import load

    loaded = []
    issues: list[Issue] = []
    for path in paths:
        try:
            loaded.append(load(path, overrides))
        except InputError as exc:
            issues.extend(exc.issues)
    if issues:
        raise InputError(issues)
    return loaded


def _unique_names(scenarios: Sequence[Scenario]) -> list[str]:
    """Scenario names, made unique with the file name where two scenarios share one."""
    names = [s.name for s in scenarios]
    out: list[str] = []
    for s, name in zip(scenarios, names, strict=True):
        if names.count(name) > 1 and s.source is not None:
            name = f"{name} ({s.source.name})"
        if name in out:  # the same file given twice
            name = f"{name} #{sum(1 for n in out if n.startswith(name)) + 1}"
        out.append(name)
    return out


def compare_scenarios(
    paths: Sequence[str | Path],
    overrides: Sequence[str] = (),
    on_done: Callable[[int, str, str], None] | None = None,
    executor: str | None = None,
) -> pd.DataFrame:
    """Solve each scenario and return one row of ``figures`` per scenario, in the given order.

    ``overrides`` (``a.b=value``) apply to every scenario. The scenarios are solved on
    ``executor`` (default: the first scenario's ``solver.executor``, see
    ``rebalance.executors``); ``on_done(index, name, status)`` is called as each one finishes
    (for progress display). A scenario whose solve fails gets status ``FAILED`` and the error
    in ``note``. Raises ``InputError`` before solving anything when any scenario or its data
    is bad.
    """
    import pandas as pd

    from rebalance.executors import Task

    loaded = load_all(paths, overrides)
    names = _unique_names([s for s, _, _ in loaded])
    tasks = [Task(name, solve_row, (scenario, problem, rules))
             for (scenario, problem, rules), name in zip(loaded, names, strict=True)]
    rows = _run_rows(tasks, loaded[0][0] if loaded else None, executor, on_done)
    for row, name in zip(rows, names, strict=True):
        row["scenario"] = name
    return pd.DataFrame(rows)


def solve_row(scenario: Scenario, problem: Problem, rules: Rules) -> dict[str, Any]:
    """One scenario solved: its row of ``figures``, or its ``no_plan_row`` (a task's work)."""
    from rebalance.pipeline import run

    try:
        return figures(run(scenario, problem, rules))
    except NoPlanError as exc:
        return no_plan_row(scenario.name, exc.reasons)


def _heavy(scenario: Scenario, problem: Problem, rules: Rules) -> bool:
    """Whether solving this book takes long enough to be worth a worker process: it reaches
    the scale engine (``auto`` then fans out, see ``rebalance.executors``)."""
    from rebalance.solve import LARGE_POOL_PAIRS, largest_pool_pairs

    return largest_pool_pairs(problem, rules) > LARGE_POOL_PAIRS


def _run_rows(tasks: Sequence[Any], scenario: Scenario | None, executor: str | None,
              on_done: Callable[[int, str, str], None] | None) -> list[dict[str, Any]]:
    """Run row tasks on the executor; a failed task becomes a ``FAILED`` row naming why."""
    from rebalance.executors import Outcome, run_tasks

    def done(i: int, outcome: Outcome) -> None:
        if on_done is not None:
            on_done(i, outcome.label, outcome.value["status"] if outcome.ok else FAILED)

    settings = scenario.solver if scenario is not None else None
    outcomes = run_tasks(
        tasks, executor or (settings.executor if settings is not None else "auto"),
        address=scenario.ray.address if scenario is not None else None, on_done=done,
        heavy=sum(_heavy(*task.args) for task in tasks) >= 2)  # two long solves to overlap
    name = scenario.name if scenario is not None else ""
    return [dict(o.value) if o.ok
            else _ordered({"scenario": name, "status": FAILED, "note": o.error})
            for o in outcomes]


# --------------------------------------------------------------------------- compare: presenting


def check_comparison_path(path: str | Path, lang: str = "en") -> None:
    """``InputError`` unless ``path`` ends in ``.csv``, ``.md`` or ``.markdown``;
    ``OutputError`` unless a file can be written there (``rebalance.io.publish``)."""
    from rebalance.io.publish import check_out_file

    if Path(path).suffix.lower() not in COMPARISON_SUFFIXES:
        raise InputError([Issue(t("whatif.suffix", lang, path=str(path)))])
    check_out_file(path)


def write_comparison(comparison: pd.DataFrame, path: str | Path, lang: str = "en") -> Path:
    """Write ``.csv`` (a row per scenario), ``.md`` (the display table) or ``.html`` (the
    report: scenarios side by side and moves against balance), atomically."""
    from rebalance.io.publish import publish_file
    from rebalance.io.write import write_csv

    path = Path(path)
    check_comparison_path(path, lang)
    with publish_file(path) as tmp:
        if path.suffix.lower() == ".csv":
            write_csv(csv_frame(comparison, lang), tmp)
        elif path.suffix.lower() == ".html":
            from rebalance.report.html import comparison_report

            tmp.write_text(comparison_report(comparison, lang), encoding="utf-8")
        else:
            tmp.write_text(markdown(display_frame(comparison, lang)), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- sweep: grid


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


# --------------------------------------------------------------------------- sweep: running


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
    on_point: Callable[[int, str, str], None] | None = None,
    executor: str | None = None,
) -> pd.DataFrame:
    """Solve every combination of ``grid`` on ``scenario``; one row each (see module doc).

    The book is read once; combinations that change ``data.*`` read their own. Every
    combination is validated before the first solve. The points are solved on ``executor``
    (default: the scenario's ``solver.executor``); ``on_point(index, text, status)`` is called
    as each point finishes. A point whose solve fails gets status ``FAILED``.
    ``result.attrs["grid_keys"]`` names the grid columns (for plotting).
    """
    import pandas as pd

    from rebalance.executors import Task
    from rebalance.io.read import load_book
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
    tasks = []
    for point, variant in zip(points, variants, strict=True):
        if variant.data == scenario.data:
            book, rules = problem, build_rules(problem, variant)
        else:
            book, rules = load_book(variant)
        tasks.append(Task(_point_text(point), solve_row, (variant, book, rules)))
    rows = _run_rows(tasks, scenario, executor, on_point)
    rows = [{**{k: _value(k, v) for k, v in point}, **row}
            for point, row in zip(points, rows, strict=True)]
    keys = [key for key, _ in grid]
    result = pd.DataFrame(rows)
    result["gain_per_move"] = gain_per_move(result, keys)
    result.attrs["grid_keys"] = keys
    result.attrs["scenario_name"] = scenario.name
    return result


SWEEP_FILES = ("sweep.csv", "sweep.png", "report.html")  # what ``sweep --out DIR`` writes


def write_sweep(result: pd.DataFrame, out_dir: str | Path, lang: str = "en") -> list[Path]:
    """Write ``sweep.csv``, ``sweep.png`` and ``report.html`` into ``out_dir``, all or nothing."""
    from rebalance.io.write import atomic_output_dir, write_csv, write_text
    from rebalance.report.html import sweep_report

    figure = tradeoff_figure(result, lang)
    name = str(result.attrs.get("scenario_name", ""))
    report = sweep_report(result, name, lang, list(result.attrs.get("grid_keys", [])))
    with atomic_output_dir(out_dir) as staging:  # rebalance.io.publish: all or nothing
        frame = csv_frame(result, lang)
        if lang == "zh":
            frame = frame.rename(columns={"gain_per_move": t("whatif.gain_per_move", "zh")})
        write_csv(frame, staging / SWEEP_FILES[0])
        figure.savefig(staging / SWEEP_FILES[1], dpi=150, metadata={"Software": None})
        write_text(report, staging / SWEEP_FILES[2])
    return [Path(out_dir) / name for name in SWEEP_FILES]
