"""``rebalance compare A.yaml B.yaml …``: the key figures of several scenarios side by side.

Every scenario is loaded and validated first (all bad input is reported at once, exit 2), then
solved one after the other. The terminal shows one table: a row per figure, a column per
scenario. ``--out FILE`` also writes the comparison: ``.csv`` (one row per scenario, the
figures as columns — the same columns ``sweep`` writes) or ``.md`` (the terminal's table in
Markdown). A scenario without an acceptable plan gets status ``NO_PLAN`` and its reason in
``note``; the others are still compared, and the command then exits 1.

The library side (``figures``, ``compare_scenarios``, ``display_frame``, ``markdown``) is what
the notebook and ``sweep`` use, so the figures are computed one way only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from rebalance.errors import InputError, Issue, NoPlanError
from rebalance.metrics import BAND_EPS, relative_devs
from rebalance.pools import METRICS

if TYPE_CHECKING:
    import pandas as pd

    from rebalance.data import Problem
    from rebalance.pipeline import Plan
    from rebalance.pools import Rules
    from rebalance.scenario import Scenario

NO_PLAN = "NO_PLAN"

# (column, English label, Chinese label, format). The CSV holds every column; the terminal
# and Markdown tables show ``DISPLAY_ROWS``.
COLUMNS: tuple[tuple[str, str, str, str], ...] = (
    ("scenario", "scenario", "场景", "text"),
    ("status", "solver status", "求解状态", "text"),
    ("hard_rules_ok", "hard rules hold (check)", "硬性规则校验通过", "text"),
    ("moves", "moves", "调整客户数", "int"),
    ("continuity_cost", "continuity cost", "关系损失", "num"),
    ("balance_excess", "balance excess", "均衡超额", "num"),
    ("managers_outside_before", "managers outside a band, before", "超区间客户经理数(调整前)",
     "int"),
    ("managers_outside_after", "managers outside a band, after", "超区间客户经理数(调整后)",
     "int"),
    ("outside_band_before", "(manager, metric) pairs outside, before", "超区间项数(调整前)",
     "int"),
    ("outside_band_after", "(manager, metric) pairs outside, after", "超区间项数(调整后)",
     "int"),
    ("revenue_max_dev_before", "revenue max |dev|, before", "收入最大偏差(调整前)", "pct"),
    ("revenue_max_dev", "revenue max |dev|, after", "收入最大偏差(调整后)", "pct"),
    ("importance_max_dev_before", "importance max |dev|, before", "重要程度最大偏差(调整前)",
     "pct"),
    ("importance_max_dev", "importance max |dev|, after", "重要程度最大偏差(调整后)", "pct"),
    ("clients_max_dev_before", "clients max |dev|, before", "客户数最大偏差(调整前)", "pct"),
    ("clients_max_dev", "clients max |dev|, after", "客户数最大偏差(调整后)", "pct"),
    ("revenue_gini_before", "revenue Gini, before", "收入基尼系数(调整前)", "ratio"),
    ("revenue_gini_after", "revenue Gini, after", "收入基尼系数(调整后)", "ratio"),
    ("importance_gini_before", "importance Gini, before", "重要程度基尼系数(调整前)", "ratio"),
    ("importance_gini_after", "importance Gini, after", "重要程度基尼系数(调整后)", "ratio"),
    ("growth_spread", "required-growth spread", "所需增长率极差", "pct"),
    ("equal_split_growth_spread", "required-growth spread, equal split",
     "所需增长率极差(平均分配)", "pct"),
    ("continuity", "revenue kept with its manager", "收入留存率", "pct"),
    ("gap", "solver gap", "最优性差距", "ratio"),
    ("wall_time", "solve time (s)", "求解时间(秒)", "secs"),
    ("note", "note", "说明", "text"),
)
COLUMN_FORMAT = {key: kind for key, _, _, kind in COLUMNS}
COLUMN_LABEL = {"en": {key: en for key, en, _, _ in COLUMNS},
                "zh": {key: zh for key, _, zh, _ in COLUMNS}}

# Terminal / Markdown rows: (label key, before column or None, after column).
DISPLAY_ROWS: tuple[tuple[str, str | None, str], ...] = (
    ("status", None, "status"),
    ("moves", None, "moves"),
    ("continuity_cost", None, "continuity_cost"),
    ("balance_excess", None, "balance_excess"),
    ("managers_outside", "managers_outside_before", "managers_outside_after"),
    ("revenue_max_dev", "revenue_max_dev_before", "revenue_max_dev"),
    ("importance_max_dev", "importance_max_dev_before", "importance_max_dev"),
    ("clients_max_dev", "clients_max_dev_before", "clients_max_dev"),
    ("revenue_gini", "revenue_gini_before", "revenue_gini_after"),
    ("growth_spread", None, "growth_spread"),
    ("equal_split_growth_spread", None, "equal_split_growth_spread"),
    ("gap", None, "gap"),
    ("wall_time", None, "wall_time"),
)
DISPLAY_LABEL = {
    "en": {"status": "solver status", "moves": "moves", "continuity_cost": "continuity cost",
           "balance_excess": "balance excess",
           "managers_outside": "managers outside a band (before → after)",
           "revenue_max_dev": "revenue max |dev| (before → after)",
           "importance_max_dev": "importance max |dev| (before → after)",
           "clients_max_dev": "clients max |dev| (before → after)",
           "revenue_gini": "revenue Gini (before → after)",
           "growth_spread": "required-growth spread",
           "equal_split_growth_spread": "… with an equal split", "gap": "solver gap",
           "wall_time": "solve time (s)", "figure": "figure"},
    "zh": {"status": "求解状态", "moves": "调整客户数", "continuity_cost": "关系损失",
           "balance_excess": "均衡超额",
           "managers_outside": "超区间客户经理数(前 → 后)",
           "revenue_max_dev": "收入最大偏差(前 → 后)",
           "importance_max_dev": "重要程度最大偏差(前 → 后)",
           "clients_max_dev": "客户数最大偏差(前 → 后)",
           "revenue_gini": "收入基尼系数(前 → 后)",
           "growth_spread": "所需增长率极差", "equal_split_growth_spread": "… 平均分配时",
           "gap": "最优性差距", "wall_time": "求解时间(秒)", "figure": "指标"},
}
TEXTS = {
    "en": {"title": "Scenarios compared", "wrote": "Wrote {path}",
           "solving": "Solving {name} ({i}/{n}) …", "no_plan": "{name}: no acceptable plan: {why}",
           "suffix": "--out must end in .csv or .md, got {path!r}"},
    "zh": {"title": "场景对比", "wrote": "已写入 {path}",
           "solving": "正在求解 {name}({i}/{n})…", "no_plan": "{name}:没有可行方案:{why}",
           "suffix": "--out 须以 .csv 或 .md 结尾,实际为 {path!r}"},
}


# --------------------------------------------------------------------------- figures


def managers_outside(problem: Problem, scenario: Scenario, rules: Rules,
                     client_to_manager: Mapping[str, str | None]) -> int:
    """Number of rated managers outside the band of at least one metric."""
    bands = scenario.balance.bands()
    devs = relative_devs(problem, rules, client_to_manager)
    return len({mid for (mid, k), d in devs.items() if abs(d) > bands[k].tolerance + BAND_EPS})


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
    out = {key: row.get(key) for key, *_ in COLUMNS}
    out.update({k: v for k, v in row.items() if k not in out})
    return out


# --------------------------------------------------------------------------- running


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
    on_start: Callable[[int, str], None] | None = None,
) -> pd.DataFrame:
    """Solve each scenario and return one row of ``figures`` per scenario, in the given order.

    ``overrides`` (``a.b=value``) apply to every scenario. ``on_start(index, name)`` is called
    before each solve (for progress display). Raises ``InputError`` before solving anything
    when any scenario or its data is bad.
    """
    import pandas as pd

    from rebalance.pipeline import run

    loaded = load_all(paths, overrides)
    names = _unique_names([s for s, _, _ in loaded])
    rows = []
    for i, ((scenario, problem, rules), name) in enumerate(zip(loaded, names, strict=True)):
        if on_start is not None:
            on_start(i, name)
        try:
            row = figures(run(scenario, problem, rules))
        except NoPlanError as exc:
            row = no_plan_row(scenario.name, exc.reasons)
        row["scenario"] = name
        rows.append(row)
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- presenting


def format_value(value: Any, kind: str) -> str:
    """A figure as the tables show it: counts plain, fractions as %, money-free numbers."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "int":
        return f"{int(value):d}"
    if kind == "num":
        return f"{float(value):,.3f}"
    if kind == "pct":
        return f"{float(value):.1%}"
    if kind == "ratio":
        return f"{float(value):.3f}"
    if kind == "secs":
        return f"{float(value):.1f}"
    return str(value)


def display_frame(comparison: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The comparison turned for reading: a row per figure, a column per scenario (text)."""
    import pandas as pd

    labels = DISPLAY_LABEL["zh" if lang == "zh" else "en"]
    records = comparison.to_dict("records")
    table: dict[str, list[str]] = {labels["figure"]: []}
    names = [str(r["scenario"]) for r in records]
    for name in names:
        table[name] = []
    for label_key, before, after in DISPLAY_ROWS:
        if after not in comparison.columns:
            continue
        table[labels["figure"]].append(labels[label_key])
        kind = COLUMN_FORMAT.get(after, "text")
        for name, record in zip(names, records, strict=True):
            text = format_value(record.get(after), kind)
            if before is not None and record.get(before) is not None and text != "—":
                text = f"{format_value(record.get(before), kind)} → {text}"
            table[name].append(text)
    return pd.DataFrame(table)


def markdown(frame: pd.DataFrame) -> str:
    """A DataFrame of text as a GitHub Markdown table (first column left, others right)."""
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    header = [cell(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def csv_frame(comparison: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The comparison as written to CSV: English column names, or Chinese with ``lang="zh"``."""
    if lang != "zh":
        return comparison
    return comparison.rename(columns=COLUMN_LABEL["zh"])


def write_comparison(comparison: pd.DataFrame, path: str | Path, lang: str = "en") -> Path:
    """Write ``.csv`` (a row per scenario) or ``.md`` (the display table), atomically."""
    from rebalance.io.write import atomic_path, write_csv

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(csv_frame(comparison, lang), path)
    elif suffix in (".md", ".markdown"):
        text = markdown(display_frame(comparison, lang))
        with atomic_path(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
    else:
        raise InputError([Issue(TEXTS["zh" if lang == "zh" else "en"]["suffix"].format(
            path=str(path)))])
    return path


def print_frame(frame: pd.DataFrame, title: str) -> None:
    """Print a text DataFrame as a rich table (first column left, others right)."""
    from rich.table import Table

    from rebalance.cli import console

    table = Table(title=title, title_justify="left")
    for i, column in enumerate(frame.columns):
        table.add_column(str(column), justify="left" if i == 0 else "right")
    for row in frame.itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    console.print(table)


# --------------------------------------------------------------------------- command


def compare(
    scenario_paths: list[str] = typer.Argument(..., metavar="SCENARIO...",
                                               help="Scenario YAML files to compare."),
    out: Path | None = typer.Option(None, "--out",
                                    help="Also write the comparison to FILE (.csv or .md)."),
    overrides: list[str] = typer.Option(  # noqa: B006 - typer needs a list default
        [], "--set", help="Override a field in every scenario, e.g. --set solver.time_limit=10."
    ),
    time_limit: float | None = typer.Option(None, "--time-limit",
                                            help="Solver time limit per scenario, seconds."),
    lang: str = typer.Option("en", "--lang", help="Language of the table: en or zh."),
) -> None:
    """Solve several scenarios and show their key figures side by side."""
    from rebalance.cli import EXIT_BAD_INPUT, EXIT_NO_PLAN, console, err_console, exit_codes

    if lang not in TEXTS:
        err_console.print(f"--lang must be en or zh, got {lang!r}")
        raise typer.Exit(EXIT_BAD_INPUT)
    text = TEXTS[lang]
    num_failed = 0
    with exit_codes(lang):
        if out is not None and out.suffix.lower() not in (".csv", ".md", ".markdown"):
            raise InputError([Issue(text["suffix"].format(path=str(out)))])
        sets = [*overrides]
        if time_limit is not None:
            sets.append(f"solver.time_limit={time_limit}")
        n = len(scenario_paths)

        def started(i: int, name: str) -> None:
            err_console.print(text["solving"].format(name=name, i=i + 1, n=n), style="dim",
                              markup=False)

        comparison = compare_scenarios(scenario_paths, sets, on_start=started)
        print_frame(display_frame(comparison, lang), text["title"])
        for record in comparison[comparison["status"] == NO_PLAN].to_dict("records"):
            err_console.print(text["no_plan"].format(name=record["scenario"],
                                                     why=record["note"]), markup=False)
            num_failed += 1
        if out is not None:
            write_comparison(comparison, out, lang)
            console.print(text["wrote"].format(path=out), markup=False)
    if num_failed:
        raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the command line."""
    app.command("compare")(compare)
