"""`rebalance rollout SCENARIO [--assignment PLAN]`: phase a plan in waves (docs/rollout.md)."""

from __future__ import annotations

from pathlib import Path

import typer

from rebalance.commands import options
from rebalance.i18n import t

# What ``rollout --out DIR`` writes (checked before anything is read or solved).
OUTPUT_FILES = ("schedule.csv", "waves.csv", "handover_load.csv", "managers.csv",
                "rollout.xlsx", "rollout.json")


def rollout_command(
    scenario: Path = options.scenario(),
    assignment: Path | None = typer.Option(
        None, "--assignment", "-a",
        help="Plan to phase (CSV/xlsx with client_id, manager); default: solve the scenario."),
    out: Path | None = options.out("Output folder (default: out/<scenario name>-rollout)."),
    overrides: list[str] = options.overrides("Override a scenario field: a.b=value (repeatable)."),
    time_limit: float | None = options.time_limit("Solver time limit in seconds."),
    lang: str | None = options.lang("Language of headers and messages"),
) -> None:
    """Phase a plan in waves: schedule, fairness after each wave, handover load, prorated
    targets. Exit 1 when the caps cannot hold (with the smallest cap that works)."""
    from rebalance.cli import console, exit_codes
    from rebalance.errors import InputError, Issue

    with exit_codes(options.early_lang(lang, scenario)) as run:
        from rebalance import pipeline
        from rebalance.io.plans import read_assignment
        from rebalance.io.publish import check_out_dir
        from rebalance.io.write import atomic_output_dir, write_csv, write_json, write_xlsx
        from rebalance.report.labels import number_formats
        from rebalance.report.reasons import move_reasons
        from rebalance.report.tables import managers_table, translate
        from rebalance.rollout import tables
        from rebalance.rollout.plan import roll_out, settings_of
        from rebalance.rollout.report import print_rollout
        from rebalance.rollout.schedule import plan_changes
        from rebalance.targets import compute_targets

        if time_limit is not None and time_limit <= 0:
            raise InputError([Issue(t("engine.time_limit_positive", run.lang))])
        if out is not None:
            check_out_dir(out, OUTPUT_FILES)
        sc, problem, rules = pipeline.load(scenario, options.with_time_limit(overrides,
                                                                              time_limit))
        lang = run.lang = options.resolved(lang, sc)
        settings = settings_of(sc, lang)
        out_dir = out if out is not None else Path("out") / f"{sc.name}-rollout"
        check_out_dir(out_dir, OUTPUT_FILES)
        if assignment is not None:
            plan: dict[str, str] = read_assignment(assignment, problem, sc.data.encoding,
                                                   sc.data.restore_zeros)
        else:
            console.print(t("engine.solving", lang, name=sc.name, n=problem.num_clients,
                            m=problem.num_managers, p=len(rules.pools)))
            solved = pipeline.run(sc, problem, rules, lang=lang)
            # the plan's own book (with intake, the candidates brought in are clients of it)
            sc, problem, rules = solved.scenario, solved.problem, solved.rules
            plan = solved.client_to_manager
        from rebalance.rollout.calendar import wave_dates

        dates = wave_dates(settings)
        console.print(t("rollout.phasing", lang, n=len(plan_changes(problem, plan)),
                        waves=len(dates), dates=", ".join(d.isoformat() for d in dates)),
                      markup=False)
        rolled = roll_out(problem, sc, rules, plan, lang, settings=settings)
        if not rolled.ok:  # the model and its checker disagree: a bug, not the user's input
            raise RuntimeError(f"schedule breaks its own rules: {rolled.checks}")
        reasons = move_reasons(problem, sc, rules, plan, lang)
        files = tables.frames(problem, sc, rules, rolled, reasons, lang)
        managers = tables.with_prorated(translate(managers_table(
            problem, rules, problem.current_assignment, plan,
            compute_targets(problem, sc, plan)), lang, "managers"), rolled.targets, lang)
        files["managers.csv"] = managers
        summary = tables.summary(problem, sc, rules, rolled)
        with atomic_output_dir(out_dir) as staging:
            for name, df in files.items():
                write_csv(df, staging / name)
            sheets = {**tables.sheets(files, lang), t("rollout.sheet.managers", lang): managers}
            write_xlsx(staging / "rollout.xlsx", sheets, number_formats=number_formats(lang),
                       first_sheet=tables.waves_sheet(files["waves.csv"], lang))
            write_json({"scenario_name": sc.name, **summary}, staging / "rollout.json")
        print_rollout(rolled, summary["waves"], lang)
        console.print(t("rollout.wrote", lang, files=", ".join(OUTPUT_FILES), out=out_dir),
                      markup=False)


def register(app: typer.Typer) -> None:
    app.command("rollout")(rollout_command)
