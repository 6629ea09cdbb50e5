"""``rebalance compare A.yaml B.yaml …``: the key figures of several scenarios side by side.

Every scenario is loaded and validated first (all bad input is reported at once, exit 2), then
solved on ``--executor`` (``solver.executor``, see ``rebalance.executors``), with a line as each
one finishes. The terminal shows one table: a row per figure, a column per scenario. ``--out
FILE`` also writes the comparison: ``.csv`` (one row per scenario, the figures as columns — the
same columns ``sweep`` writes), ``.md`` (the terminal's table in Markdown) or ``.html`` (a
report: the scenarios side by side and moves against balance). A scenario without an
acceptable plan gets status ``NO_PLAN`` and its reason in ``note``, one whose solve failed
status ``FAILED`` and the error; the others are still compared, and the command then exits 1
naming them.

The figures and tables are computed in ``rebalance.whatif`` (``figures``,
``compare_scenarios``, ``display_frame``, ``markdown``), which the notebook and ``sweep`` use
too; this module is the command and its terminal output.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rebalance.commands import options
from rebalance.commands.report import print_font_notice
from rebalance.i18n import t, texts
from rebalance.whatif import (
    FAILED,
    NO_PLAN,
    check_comparison_path,
    compare_scenarios,
    display_frame,
    format_value,
    write_comparison,
)

if TYPE_CHECKING:
    import pandas as pd



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


def compare(
    scenario_paths: list[str] = typer.Argument(..., metavar="SCENARIO...",
                                               help="Scenario YAML files to compare."),
    out: Path | None = options.out(
        "Also write the comparison to FILE (.csv, .md, or .html for a report)."),
    overrides: list[str] = options.overrides(
        "Override a field in every scenario, e.g. --set solver.time_limit=10."),
    time_limit: float | None = options.time_limit("Solver time limit per scenario, seconds."),
    executor: str | None = options.executor(),
    lang: str | None = options.lang("Language of the table"),
) -> None:
    """Solve several scenarios and show their key figures side by side."""
    from rebalance.cli import EXIT_NO_PLAN, console, err_console, exit_codes

    lang = options.early_lang(lang, scenario_paths[0] if scenario_paths else None)
    text = texts(lang, "whatif.compare")
    num_failed = 0
    with exit_codes(lang):
        if out is not None:
            check_comparison_path(out, lang)
        n = len(scenario_paths)

        finished = 0

        def solved(_i: int, name: str, status: str) -> None:  # as each scenario finishes
            nonlocal finished
            finished += 1
            err_console.print(t("fanout.solved", lang, name=name, i=finished, n=n,
                                status=format_value(status, "status", lang)),
                              style="dim", markup=False)

        sets = options.with_executor(options.with_time_limit(overrides, time_limit), executor)
        comparison = compare_scenarios(scenario_paths, sets, on_done=solved)
        print_frame(display_frame(comparison, lang), text["title"])
        for record in comparison[comparison["status"].isin([NO_PLAN, FAILED])].to_dict("records"):
            if record["status"] == FAILED:
                line = t("fanout.failed", lang, what=record["scenario"], error=record["note"])
            else:
                line = text["no_plan"].format(name=record["scenario"], why=record["note"])
            err_console.print(line, markup=False)
            num_failed += 1
        if out is not None:
            write_comparison(comparison, out, lang)
            if out.suffix.lower() == ".html":  # the only output with a chart
                print_font_notice(lang)
            console.print(text["wrote"].format(path=out), markup=False)
    if num_failed:
        raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the command line."""
    app.command("compare")(compare)
