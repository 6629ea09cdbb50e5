"""`rebalance diff A B`: two plans side by side (output folders, assignment CSVs, workbooks)."""

from __future__ import annotations

from pathlib import Path

import typer

from rebalance.commands import options

SHOWN_ROWS = 60  # the terminal lists this many rows of a table; the files have them all


def print_frame(df: object, title: str, lang: str, limit: int | None = None) -> None:
    """A DataFrame as a rich table on the terminal (first ``limit`` rows, then a count)."""
    import pandas as pd
    from rich.table import Table

    from rebalance.cli import console
    from rebalance.i18n import t
    from rebalance.io.write import format_value

    assert isinstance(df, pd.DataFrame)
    table = Table(title=title, title_justify="left")
    for col in df.columns:
        table.add_column(str(col), no_wrap=True,
                         justify="right" if pd.api.types.is_numeric_dtype(df[col]) else "left")
    rows = list(df.itertuples(index=False, name=None))
    for row in rows[:limit]:
        table.add_row(*(format_value(v) for v in row))
    console.print(table)
    if limit is not None and len(rows) > limit:
        console.print(t("review.more_rows", lang, n=len(rows) - limit))


def diff_command(
    plan_a: Path = typer.Argument(..., metavar="A", help="First plan: output folder or file."),
    plan_b: Path = typer.Argument(..., metavar="B", help="Second plan: output folder or file."),
    scenario: Path | None = typer.Option(
        None, "--scenario", "-s",
        help="Scenario of the book both plans are for: recompute both objectives with check."),
    out: Path | None = options.out("Write the diff: FILE.md (markdown) or a folder (CSV + md)."),
    lang: str | None = typer.Option(None, "--lang", help="Language of the tables: en or zh."),
) -> None:
    """Clients whose manager differs, per-manager changes and both objectives, A against B."""
    from rebalance.cli import console, exit_codes
    from rebalance.i18n import resolve_lang, t

    if lang is not None:
        options.exit_unless_lang(lang)
    with exit_codes(resolve_lang(lang)):
        from rebalance.review.diff import diff_plans, write_diff
        from rebalance.review.plans import load_plan

        a, b = load_plan(plan_a, "A"), load_plan(plan_b, "B")
        code = resolve_lang(lang)
        if scenario is not None:
            from rebalance import pipeline
            from rebalance.review.diff import with_book

            sc, problem, rules = pipeline.load(scenario)
            code = resolve_lang(lang, sc.lang)
            a, b = with_book(a, sc, problem, rules), with_book(b, sc, problem, rules)
        tables = diff_plans(a, b, code)
        console.print(t("review.diff.title", code, a=plan_a, b=plan_b,
                        n=len(tables["clients"])))
        for key, frame in tables.items():
            print_frame(frame, t(f"review.diff.section.{key}", code), code,
                        SHOWN_ROWS)
        if out is not None:
            written = write_diff(tables, out, code, t("review.diff.doc_title", code, a=plan_a,
                                                      b=plan_b))
            console.print(t("engine.wrote", code, files=", ".join(p.name for p in written),
                            out=out))


def register(app: typer.Typer) -> None:
    app.command("diff")(diff_command)
