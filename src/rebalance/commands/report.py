"""``rebalance report OUT_DIR``: rebuild ``report.html`` from an output folder's files.

Reads ``summary.json`` (the resolved scenario, the solver's figures, the inputs' hash) and
``assignment.csv`` in ``OUT_DIR``, derives everything else without the solver
(``rebalance.report.rebuild``) and writes ``OUT_DIR/report.html`` (only that file). The
language is ``--lang``, else the scenario's ``lang:``, else ``$REBALANCE_LANG``, else English.
Exit 2 when the folder holds no plan or the input files changed since it was written.
"""

from __future__ import annotations

from pathlib import Path

import typer

from rebalance.i18n import resolve_lang, t


def print_font_notice(lang: str) -> None:
    """Say once, on stderr, when Chinese charts found no CJK font (they are then in English),
    with the fix. Every command that draws charts calls it once after writing them."""
    from rebalance.cli import err_console
    from rebalance.report.plots import font_notice

    notice = font_notice(lang)
    if notice:
        err_console.print(notice, markup=False)


def report_command(
    out_dir: Path = typer.Argument(..., metavar="OUT_DIR",
                                   help="Output folder of `rebalance solve` (has summary.json)."),
    lang: str | None = typer.Option(None, "--lang", help="Language of the report: en or zh."),
) -> None:
    """Rebuild report.html from the files `rebalance solve` wrote into OUT_DIR."""
    from rebalance.cli import EXIT_BAD_INPUT, console, err_console, exit_codes
    from rebalance.i18n import UnknownLanguage

    try:
        first = resolve_lang(lang)
    except UnknownLanguage as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    with exit_codes(first):
        from rebalance import pipeline
        from rebalance.io.write import write_text
        from rebalance.report.html import plan_report
        from rebalance.report.rebuild import plan_from_outputs

        plan = plan_from_outputs(out_dir, first)
        chosen = resolve_lang(lang, plan.scenario.lang)
        from rebalance.report.rebuild import read_summary
        from rebalance.rollout.tables import (
            prorated_from_outputs,
            report_from_summary,
            with_prorated,
        )

        tables = pipeline.tables(plan, chosen)
        prorated = prorated_from_outputs(out_dir, plan, chosen)
        if prorated is not None:  # a phased plan: its managers table has the prorated targets
            tables["managers"] = with_prorated(tables["managers"], prorated, chosen)
        html = plan_report(plan, tables, chosen,
                           pipeline.backups_table(plan, chosen),
                           report_from_summary(read_summary(out_dir, chosen), chosen))
        write_text(html, out_dir / "report.html")
        print_font_notice(chosen)
        console.print(t("whatif.compare.wrote", chosen, path=out_dir / "report.html"), markup=False)


def register(app: typer.Typer) -> None:
    """Add ``report`` to the command line."""
    app.command("report")(report_command)
