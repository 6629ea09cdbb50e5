"""`rebalance adopt SCENARIO --assignment FILE --to DIR`: the next book from an adopted plan."""

from __future__ import annotations

from pathlib import Path

import typer

from rebalance.commands import options


def adopt_command(
    scenario: Path = options.scenario(),
    assignment: Path = options.assignment(
        "The adopted plan: assignment.csv / assignment.xlsx or an output folder."),
    to: Path = typer.Option(..., "--to", help="Folder of the next book (clients.csv, "
                                              "managers.csv, scenario.yaml, history)."),
    note: str | None = typer.Option(None, "--note", help="A note kept with the plan in the "
                                                         "history."),
    by: str | None = typer.Option(None, "--by", help="Who approved the plan (kept in the "
                                                     "history)."),
    store: Path | None = typer.Option(None, "--history",
                                      help="History store (default: history.sqlite in the new "
                                           "book, carried over from the old one)."),
    overrides: list[str] = options.overrides("Override a scenario field: a.b=value."),
    lang: str | None = typer.Option(None, "--lang", help="Language of messages: en or zh."),
) -> None:
    """Adopt a plan: write the next book and its scenario, and record it in the history.

    The next book: the plan's managers as current, leavers out, new hires active, every input
    column kept.
    """
    from rebalance.cli import console, exit_codes
    from rebalance.i18n import resolve_lang, t

    if lang is not None:
        options.exit_unless_lang(lang)
    with exit_codes(resolve_lang(lang)):
        from rebalance import pipeline
        from rebalance.intake import review_book
        from rebalance.io.publish import check_out_dir
        from rebalance.review.adopt import adopt, history_store, read_plan

        check_out_dir(to, ("clients.csv", "managers.csv", "scenario.yaml", "history.sqlite",
                           "candidates.csv"))
        sc, problem, rules = pipeline.load(scenario, overrides)
        code = resolve_lang(lang, sc.lang)
        path = assignment / "assignment.csv" if assignment.is_dir() else assignment
        # with candidates, the plan also names those it took in (and the hires it uses)
        every, candidates = review_book(problem, sc)
        plan = read_plan(path, every, sc.data.encoding, candidates)
        reasons = None
        if assignment.is_dir() and (assignment / "summary.json").is_file():
            from rebalance.intake.report import left_out_from_summary
            from rebalance.report.rebuild import read_summary

            reasons = left_out_from_summary(read_summary(assignment, code))
        done = adopt(sc, problem, rules, plan, to, note=note, by=by,
                     store=store if store is not None else history_store(sc), lang=code,
                     intake_reasons=reasons)
        f = done.figures
        console.print(t("review.adopt.done", code, plan=done.plan_id, moves=f["moves"],
                        handovers=f["handovers"], placements=f["placements"],
                        be=f["balance_excess"], cc=f["continuity_cost"]))
        if done.removed:
            console.print(t("review.adopt.removed", code, managers=", ".join(done.removed)))
        if done.activated:
            console.print(t("review.adopt.activated", code, managers=", ".join(done.activated)))
        console.print(t("engine.wrote", code, files=", ".join(p.name for p in done.paths),
                        out=to))
        console.print(t("review.adopt.history", code, store=done.store))


def register(app: typer.Typer) -> None:
    app.command("adopt")(adopt_command)
