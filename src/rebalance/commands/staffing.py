"""``rebalance staffing SCENARIO``: how many new managers the intake needs, per industry group.

The answer is the smallest number of hires (proven by the model's ``hires`` stage) with which
capacities hold, every band that can be met is met and the intake keeps its best quality; the
plan that uses them; and a table beside it: exactly one hire fewer in each group that hires
(infeasible or worse) and one more in each group (what a hire there would change). ``--out
DIR`` writes ``staffing.csv`` and the plan's ``intake.csv`` (atomic). Exit 1 when no number
of hire slots gives a plan.
"""

from __future__ import annotations

from pathlib import Path

import typer

from rebalance.commands import options
from rebalance.i18n import resolve_lang, t

COLUMNS = ("hires", "group", "status", "balance_excess", "intake_score", "taken",
           "continuity_cost", "moves", "note")


def _frame(answer: object, lang: str) -> object:
    import pandas as pd

    from rebalance.intake.staffing import StaffingAnswer

    assert isinstance(answer, StaffingAnswer)
    rows = []
    for row in answer.rows:
        groups = "; ".join(f"{g} {n}" for g, n in sorted(row.per_group.items())) or "—"
        rows.append([
            row.hires, groups, t(f"engine.status.{row.status}", lang),
            _figure(row.balance_excess, 4), _figure(row.intake_score, 2), _figure(row.taken),
            _figure(row.continuity_cost, 3), _figure(row.moves),
            t(f"staffing.note.{row.note}", lang),
        ])
    return pd.DataFrame(rows, columns=[t(f"staffing.col.{c}", lang) for c in COLUMNS])


def _figure(value: float | None, digits: int = 0) -> str:
    """A figure as text; "—" for a run without a plan (never "nan")."""
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def staffing_command(
    scenario: Path = options.scenario(),
    out: Path | None = options.out("Folder for staffing.csv and intake.csv."),
    overrides: list[str] = options.overrides("Override a scenario field: a.b=value (repeatable)."),
    time_limit: float | None = options.time_limit("Solver time limit per run, in seconds."),
    extra: int = typer.Option(1, "--extra", min=0, max=5,
                              help="How many extra hires to show beside the answer."),
    lang: str | None = options.lang("Language of headers and reasons"),
) -> None:
    """How many new managers the intake needs (per industry group), proven minimal."""
    from rebalance.cli import console, exit_codes
    from rebalance.errors import InputError, Issue, NoPlanError

    with exit_codes(options.early_lang(lang, scenario)) as run:
        from rebalance import pipeline
        from rebalance.intake import load_candidates
        from rebalance.intake.staffing import staffing
        from rebalance.intake.table import intake_table
        from rebalance.io.publish import check_out_dir
        from rebalance.io.write import atomic_output_dir, write_csv

        if time_limit is not None and time_limit <= 0:
            raise InputError([Issue(t("engine.time_limit_positive", run.lang))])
        if out is not None:
            check_out_dir(out, ("staffing.csv", "intake.csv"))
        sc, problem, _ = pipeline.load(scenario, options.with_time_limit(overrides, time_limit))
        lang = run.lang = resolve_lang(lang, sc.lang)
        if sc.data.candidates is None:
            raise InputError([Issue(t("intake.error.no_candidates", lang))])
        book = load_candidates(sc, problem)
        def on_run(k: int, n: int | None, note: str, per_group: dict[str, int]) -> None:
            what = "; ".join(f"{g} {c}" for g, c in sorted(per_group.items())) or "—"
            if n is None:
                typer.echo(t("staffing.progress_first", lang), err=True)
            else:
                typer.echo(t("staffing.progress", lang, k=k, n=n,
                             run=t(f"staffing.note.{note}", lang), hires=what), err=True)

        answer = staffing(problem, sc, book, extra=extra, on_run=on_run)
        outcome = answer.outcome
        if not outcome.result.has_plan:
            from rebalance.report.findings import render_all

            raise NoPlanError(list(render_all(outcome.findings, lang))
                              or [t("staffing.none", lang)])
        console.print(t("staffing.title", lang, scenario=sc.name, n=answer.hires))
        for group, n in sorted(outcome.hires_per_group().items()):
            console.print("  " + t("staffing.group", lang, group=group, n=n))
        if not answer.proven:
            console.print(t("staffing.unproven", lang, status=outcome.result.status))
        elif answer.hires == 0:
            console.print(t("staffing.proof_none", lang))
        else:
            fewer = answer.closest_fewer()
            assert fewer is not None  # hires > 0: one run per group that hires
            chosen = next(r for r in answer.rows if r.note == "chosen")
            why = (t("staffing.fewer_infeasible", lang) if fewer.balance_excess is None else
                   t("staffing.fewer_worse", lang, balance=f"{fewer.balance_excess:.4f}",
                     best=f"{chosen.balance_excess:.4f}", score=fewer.intake_score,
                     top=chosen.intake_score))
            console.print(t("staffing.proof", lang, n=answer.hires - 1, why=why))
        frame = _frame(answer, lang)
        from rebalance.commands.compare import print_frame

        print_frame(frame, t("staffing.extra_title", lang))  # type: ignore[arg-type]
        if out is not None:
            with atomic_output_dir(out) as staging:
                write_csv(frame, staging / "staffing.csv")  # type: ignore[arg-type]
                write_csv(intake_table(outcome, lang), staging / "intake.csv")
            console.print(t("engine.wrote", lang, files="staffing.csv, intake.csv", out=out))


def register(app: typer.Typer) -> None:
    app.command("staffing")(staffing_command)
