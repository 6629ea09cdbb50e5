"""``rebalance sweep SCENARIO --grid key=v1,v2,… [--grid …] --out DIR``: the trade-off curve.

Every combination of the grid values is applied to the scenario (like ``--set key=value``) and
solved, with a progress bar that moves as points finish. The points run on ``--executor``
(``solver.executor``, see ``rebalance.executors``). The result is one row per combination: the
grid values, then the same figures as ``compare`` (``moves``, ``continuity_cost``,
``balance_excess`` …), then ``gain_per_move`` — how much balance excess one extra move bought
compared with the previous value of the first grid key (the other grid keys held fixed).
``--out DIR`` writes ``sweep.csv``, ``sweep.png`` (balance excess against moves: how many
relationships fairness costs) and ``report.html`` (the curve and every combination), all or
nothing; other files in DIR are left alone.

Every combination is validated before anything is solved (bad values: exit 2). A combination
without an acceptable plan is a row with status ``NO_PLAN``, one whose solve failed (an error, a
worker that died) a row with status ``FAILED``; the sweep goes on and then exits 1 naming them.

The sweep itself (``parse_grid``, ``run_sweep``, ``write_sweep``) is in ``rebalance.whatif``;
this module is the command and its terminal output.
"""

from __future__ import annotations

from pathlib import Path

import typer

from rebalance.commands import options
from rebalance.commands.compare import print_frame
from rebalance.commands.report import print_font_notice
from rebalance.i18n import t, texts
from rebalance.whatif import (
    FAILED,
    NO_PLAN,
    format_value,
    grid_points,
    grid_text,
    parse_grid,
    run_sweep,
    write_sweep,
)

TABLE_COLUMNS: tuple[tuple[str, str], ...] = (  # (column, format) shown in the terminal
    ("status", "status"), ("moves", "int"), ("balance_excess", "num"),
    ("continuity_cost", "num"), ("managers_outside_after", "int"), ("revenue_max_dev", "pct"),
    ("gain_per_move", "num"),
)


def sweep(
    scenario_path: str = options.scenario(metavar="SCENARIO"),
    grid_specs: list[str] = typer.Option(  # noqa: B006 - typer needs a list default
        [], "--grid", help="key=v1,v2,… to sweep, e.g. continuity.max_moves=0,5,10 "
                           "(repeat for a grid over several keys)."),
    out: Path | None = options.out(
        "Write sweep.csv, sweep.png and report.html into this directory."),
    overrides: list[str] = options.overrides(
        "Override a scenario field for every run, e.g. --set solver.seed=1."),
    time_limit: float | None = options.time_limit("Solver time limit per run, seconds."),
    executor: str | None = options.executor(),
    lang: str | None = options.lang("Language of the table and plot"),
) -> None:
    """Solve every combination of a grid of values and show the moves-versus-balance curve."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from rebalance.cli import EXIT_NO_PLAN, console, err_console, exit_codes
    from rebalance.pipeline import load

    lang = options.early_lang(lang, scenario_path)
    text = texts(lang, "whatif.sweep")
    num_failed = 0
    with exit_codes(lang):
        grid = parse_grid(grid_specs)
        if out is not None:
            from rebalance.io.publish import check_out_dir
            from rebalance.whatif import SWEEP_FILES

            check_out_dir(out, SWEEP_FILES)  # before any solving
        sets = options.with_executor(options.with_time_limit(overrides, time_limit), executor)
        scenario, problem, _ = load(scenario_path, sets)
        total = len(grid_points(grid))
        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=err_console, transient=False)
        with progress:
            task = progress.add_task(text["progress"], total=total)

            def step(_i: int, point: str, status: str) -> None:  # as each point finishes
                progress.update(task, advance=1,
                                description=f"{text['progress']} {point}: "
                                            f"{format_value(status, 'status', lang)}")

            result = run_sweep(scenario, grid, problem, on_point=step)
            progress.update(task, completed=total, description=text["progress"])

        keys = [key for key, _ in grid]
        import pandas as pd

        shown: dict[str, list[str]] = {key: [grid_text(v) for v in result[key]]
                                       for key in keys}
        for column, kind in TABLE_COLUMNS:
            shown[text[column]] = [format_value(v, kind, lang) for v in result[column]]
        print_frame(pd.DataFrame(shown), text["title"].format(name=scenario.name, n=total))
        for record in result[result["status"].isin([NO_PLAN, FAILED])].to_dict("records"):
            point = ", ".join(f"{k}={grid_text(record[k])}" for k in keys)
            if record["status"] == FAILED:
                line = t("fanout.failed", lang, what=point, error=record["note"])
            else:
                line = text["no_plan"].format(point=point, why=record["note"])
            err_console.print(line, markup=False)
            num_failed += 1
        if out is not None:
            files = write_sweep(result, out, lang)
            print_font_notice(lang)
            console.print(text["wrote"].format(files=", ".join(str(f) for f in files)),
                          markup=False)
    if num_failed:
        raise typer.Exit(EXIT_NO_PLAN)


def register(app: typer.Typer) -> None:
    """Add ``sweep`` to the command line."""
    app.command("sweep")(sweep)
