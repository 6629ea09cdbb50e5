"""`rebalance revise SCENARIO --review reviewed.xlsx --out DIR`: re-solve with the planner's
decisions from the workbook (rejected moves, pins) and show what changed."""

from __future__ import annotations

from pathlib import Path

import typer

from rebalance.commands import options
from rebalance.commands.diff import SHOWN_ROWS, print_frame


def revise_command(
    scenario: Path = options.scenario(),
    review: Path = typer.Option(..., "--review", "-r",
                                help="The reviewed workbook (assignment.xlsx with decision "
                                     "and pin filled in)."),
    out: Path | None = options.out("Output folder (default: out/<scenario name>-revised).",
                                   "-o"),
    overrides: list[str] = options.overrides("Override a scenario field: a.b=value (repeatable)."),
    time_limit: float | None = options.time_limit("Solver time limit in seconds."),
    lang: str | None = typer.Option(None, "--lang", help="Language of tables and messages: "
                                                         "en or zh."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress lines."),
) -> None:
    """Re-solve with the decisions of a reviewed workbook and show what changed.

    A rejected move keeps the client with its previous manager, a pin holds the client with the
    manager shown; the rest is re-optimised. Writes the usual outputs plus changes.csv and
    scenario.yaml.
    """
    from rebalance.cli import console, exit_codes
    from rebalance.commands.solve import _Progress
    from rebalance.i18n import resolve_lang, t

    if lang is not None:
        options.exit_unless_lang(lang)
    with exit_codes(resolve_lang(lang)):
        from rebalance import pipeline
        from rebalance.io.publish import check_out_dir
        from rebalance.review.revise import changes_table, revise, scenario_yaml
        from rebalance.review.workbook import read_decisions

        names = (*pipeline.OUTPUT_FILES, "changes.csv", "scenario.yaml")
        if out is not None:
            check_out_dir(out, names)  # before reading or solving anything
        sc, problem, rules = pipeline.load(scenario, options.with_time_limit(overrides,
                                                                             time_limit))
        code = resolve_lang(lang, sc.lang)
        # with candidates, the workbook also shows those the plan took in (intake.review_book)
        from rebalance.intake import review_book
        from rebalance.pools import build_rules

        shown, candidates = review_book(problem, sc)
        decisions = read_decisions(review, shown,
                                   build_rules(shown, sc) if candidates else rules, code,
                                   candidates)
        console.print(t("review.revise.read", code, file=review.name,
                        rejected=len(decisions.rejected), pins=len(decisions.pins),
                        accepted=len(decisions.accepted)))
        progress = _Progress(code, quiet)
        try:
            plan, _ = revise(sc, problem, decisions, progress=progress)
        finally:
            progress.close()
        changes = changes_table(shown, decisions, plan.client_to_manager, code)
        out_dir = out if out is not None else Path("out") / f"{sc.name}-revised"
        from rebalance.rollout.plan import output_files, when_set

        check_out_dir(out_dir, (*names, *output_files(sc)))
        comment = t("review.revise.yaml_comment", code, file=review.name,
                    n=len(decisions.holds))
        text = scenario_yaml(plan.scenario, out_dir, comment)
        held = [d.client_id for d in decisions.holds]
        paths = pipeline.write(plan, out_dir, code,
                               extra={"changes.csv": changes, "scenario.yaml": text},
                               pinned=held, rollout=when_set(plan, code))
        r, v = plan.result, plan.verdict
        console.print(t("review.revise.status", code, status=r.status, moves=v.num_moves,
                        be=v.balance_excess, cc=v.continuity_cost, gap=r.gap))
        if plan.intake is not None:  # what the revised plan takes in
            from rebalance.intake.report import print_intake

            print_intake(plan.intake, code)
        console.print(t("review.revise.changed", code, n=len(changes)))
        if len(changes):
            print_frame(changes, t("review.revise.changes_title", code), code, SHOWN_ROWS)
        console.print(t("engine.wrote", code, files=", ".join(p.name for p in paths),
                        out=out_dir))


def register(app: typer.Typer) -> None:
    app.command("revise")(revise_command)
