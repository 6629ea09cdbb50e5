"""One rebalancing run end to end, as a library: scenario → plan → tables → files.

The CLI (`rebalance solve`), `compare`, `sweep` and the notebook all go through here, so the
figures they show are computed one way only.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from rebalance import __version__, metrics
from rebalance.backup import BackupInfeasible, assign_backups
from rebalance.data import Problem
from rebalance.errors import NoPlanError
from rebalance.i18n import t
from rebalance.io.read import load_book
from rebalance.io.write import atomic_output_dir, write_csv, write_json, write_text, write_xlsx
from rebalance.metrics import before_after, managers_outside
from rebalance.plan import Plan, input_hash
from rebalance.pools import Rules
from rebalance.presolve import warnings
from rebalance.report.findings import render_all
from rebalance.report.labels import number_formats
from rebalance.report.outside import outside_band_reasons
from rebalance.report.reasons import exchange_ids, explain
from rebalance.report.tables import assignment_table, managers_table, moves_table, translate
from rebalance.scenario import Scenario, load_scenario
from rebalance.solve import solve
from rebalance.targets import TargetsInfeasible, compute_targets

SHEET_KEYS = ("assignment", "managers", "moves", "backups", "parameters")


__all__ = ["Plan", "input_hash", "load", "outside_band_reasons", "run", "summary", "tables",
           "write"]


def sheet_names(lang: str) -> dict[str, str]:
    """Workbook sheet name of each table in ``lang``."""
    return {key: t(f"engine.sheet.{key}", lang) for key in SHEET_KEYS}


BACKUP_COLUMNS = ("manager_id", "name", "status", "backup_clients", "backup_clients_share",
                  "backup_importance", "backup_importance_share", "partners")


def load(path: str | Path, overrides: Sequence[str] = ()) -> tuple[Scenario, Problem, Rules]:
    """Load a scenario file and its book; raises InputError listing every problem."""
    scenario = load_scenario(path, overrides)
    problem, rules = load_book(scenario)
    return scenario, problem, rules


def run(
    scenario: Scenario,
    problem: Problem | None = None,
    rules: Rules | None = None,
    progress: Callable[[Any], None] | None = None,
    lang: str = "en",
) -> Plan:
    """Solve a scenario and derive targets, backups and fairness figures.

    Raises ``NoPlanError`` (exit 1 on the CLI) with named reasons when the rules contradict
    each other, nothing was found in time, the target caps cannot be met, or backups are
    impossible.
    """
    if problem is None or rules is None:
        problem, rules = load_book(scenario)
    intake = None
    if scenario.data.candidates is not None:  # choose and place candidates (docs/intake.md)
        from rebalance.intake import run_scenario

        intake = run_scenario(problem, scenario, progress=progress)
        problem, rules, result = intake.problem, intake.rules, intake.result
    else:
        result = solve(problem, scenario, rules, progress=progress)
    if not result.has_plan:
        reasons = list(render_all(result.findings, lang)) or [
            t("engine.no_plan_in_time", lang, seconds=f"{scenario.solver.time_limit:g}",
              status=t(f"engine.status.{result.status}", lang))
        ]
        raise NoPlanError(reasons)
    assignment = dict(result.client_to_manager)
    verdict = result.checked()  # solve() checked the plan once; never again here
    try:
        targets = compute_targets(problem, scenario, assignment)
    except TargetsInfeasible as exc:
        from rebalance.commands.targets import infeasible_message

        raise NoPlanError([infeasible_message(exc, lang)]) from exc
    backups = None
    if scenario.backup.enabled:
        try:
            backups = assign_backups(problem, scenario, rules, assignment)
        except BackupInfeasible as exc:
            raise NoPlanError(list(render_all(exc.findings, lang))) from exc
    return Plan(
        scenario=scenario,
        problem=problem,
        rules=rules,
        result=result,
        verdict=verdict,
        targets=targets,
        backups=backups,
        fairness=before_after(problem, scenario, rules, assignment),
        input_hash=input_hash(scenario),
        intake=intake,
    )


def tables(plan: Plan, lang: str = "en") -> dict[str, pd.DataFrame]:
    """assignment, managers and moves tables (headers and reasons in ``lang``)."""
    problem, rules, assignment = plan.problem, plan.rules, plan.client_to_manager
    explanations = explain(problem, plan.scenario, rules, assignment, lang, plan.verdict)
    reasons = {cid: e.text for cid, e in explanations.items()}
    backups = dict(plan.backups.client_to_backup) if plan.backups else None
    out = {
        "assignment": assignment_table(problem, rules, assignment, reasons, backups),
        "managers": managers_table(
            problem, rules, problem.current_assignment, assignment, plan.targets,
            dict(plan.backups.loads) if plan.backups else None,
        ),
        "moves": moves_table(problem, assignment, reasons,
                             exchanges=exchange_ids(explanations)),
    }
    return {name: translate(df, lang, name) for name, df in out.items()}


def _stage_dict(stage: Any) -> dict[str, Any]:
    return {
        "name": stage.name,
        "status": stage.status,
        "objective": stage.objective,
        "best_bound": stage.best_bound,
        "gap": stage.gap,
        "wall_time": round(stage.wall_time, 3),
    }


def summary(plan: Plan, lang: str = "en") -> dict[str, Any]:
    """The contents of summary.json (see docs/outputs.md)."""
    from importlib.metadata import version

    result, verdict, targets = plan.result, plan.verdict, plan.targets
    out: dict[str, Any] = {
        "scenario_name": plan.scenario.name,
        "status": result.status,
        "objective": result.objective,
        "best_bound": result.best_bound,
        "gap": result.gap,
        "wall_time": round(result.wall_time, 3),
        "stages": [_stage_dict(s) for s in result.stages],
        **({"pools": [asdict(p) for p in result.pools]} if result.pools else {}),
        **kind_counts(plan),
        "managers_outside_band": {
            when: managers_outside(plan.problem, plan.scenario, plan.rules, assignment)
            for when, assignment in (("before", plan.problem.current_assignment),
                                     ("after", plan.client_to_manager))},
        "balance_excess": verdict.balance_excess,
        "continuity_cost": verdict.continuity_cost,
        "fairness": {"before": plan.fairness["before"], "after": plan.fairness["after"]},
        "continuity": plan.fairness["continuity"],
        "hard_rules_ok": verdict.ok,
        "outside_band": outside_band_reasons(plan, lang),
        "targets": {
            "total": targets.total,
            "department_revenue": targets.department_revenue,
            "method": targets.method,
            "growth_spread": targets.growth_spread,
            "equal_split_growth_spread": targets.equal_split_growth_spread,
            "growth_std": targets.growth_std,
            "equal_split_growth_std": targets.equal_split_growth_std,
            "blank_potentials": targets.blank_potentials,
            "notes": list(targets.notes),
        },
        "scenario": plan.scenario.resolved(),
        "seed": plan.scenario.solver.seed,
        "versions": {"rebalance": __version__, "ortools": version("ortools")},
        "input_hash": plan.input_hash,
        "warnings": [w.text("en") for w in warnings(plan.problem, plan.scenario, plan.rules)],
    }
    if plan.intake is not None:
        from rebalance.intake import intake_summary

        out["intake"] = intake_summary(plan.intake)
    if plan.backups is not None:
        b = plan.backups
        out["backup"] = {
            "status": b.status, "mode": b.mode, "kept": b.kept, "num_keepable": b.num_keepable,
            "pairs": [list(p) for p in b.pairs], "balance_excess": b.balance_excess,
            "outside_pairs": sorted(getattr(b, "outside_pairs", ()) or ()),
        }
    return out


def intake_revenue(outcome: Any) -> float:
    """The annual revenue the candidates taken bring in (``intake.report.revenue_in``)."""
    from rebalance.intake.report import revenue_in

    return round(revenue_in(outcome), 2)


def kind_counts(plan: Plan) -> dict[str, int]:
    """``moves``, ``handovers``, ``placements`` of the plan (``metrics.kind_counts``)."""
    return metrics.kind_counts(plan.problem, plan.result.client_to_manager)


def key_figures(plan: Plan) -> dict[str, Any]:
    """The figures `compare` and `sweep` put side by side, one flat row."""
    row: dict[str, Any] = {
        "scenario": plan.scenario.name,
        "status": plan.result.status,
        **kind_counts(plan),
        "intake_taken": None if plan.intake is None else len(plan.intake.taken),
        "intake_score": None if plan.intake is None else plan.intake.total_score,
        "intake_revenue": None if plan.intake is None else intake_revenue(plan.intake),
        "continuity_cost": round(plan.verdict.continuity_cost, 4),
        "balance_excess": round(plan.verdict.balance_excess, 4),
        "gap": plan.result.gap,
        "wall_time": round(plan.result.wall_time, 2),
    }
    for when in ("before", "after"):
        fair = plan.fairness[when]
        row[f"outside_band_{when}"] = sum(int(fair[k]["outside_band"]) for k in fair)
    for metric, fig in plan.fairness["after"].items():
        row[f"{metric}_max_dev"] = round(float(fig["max_abs_dev"]), 4)
    for when in ("before", "after"):
        row[f"revenue_gini_{when}"] = round(float(plan.fairness[when]["revenue"]["gini"]), 4)
    spread = plan.targets.growth_spread
    eq = plan.targets.equal_split_growth_spread
    row["growth_spread"] = None if spread is None else round(spread, 4)
    row["equal_split_growth_spread"] = None if eq is None else round(eq, 4)
    return row


def backups_table(plan: Plan, lang: str = "en") -> pd.DataFrame | None:
    """Backup load per manager beside its fair backup share (and partners in pairs mode)."""
    if plan.backups is None:
        return None
    b = plan.backups
    partners = {mid: [o for o in group if o != mid] for group in b.pairs for mid in group}
    rows = []
    for m in plan.problem.managers:
        clients, importance = b.loads.get(m.manager_id, (0, 0))
        share = b.shares.get(m.manager_id)
        rows.append([
            m.manager_id, m.name, m.status, clients,
            None if share is None else round(share[0], 4), importance,
            None if share is None else round(share[1], 4),
            ";".join(partners.get(m.manager_id, [])),
        ])
    return pd.DataFrame(rows, columns=[t(f"tables.backup.{col}", lang) for col in BACKUP_COLUMNS])


# What ``solve --out DIR`` writes (checked before solving: nothing may be in their way).
OUTPUT_FILES = ("assignment.csv", "managers.csv", "moves.csv", "assignment.xlsx",
                "summary.json", "report.html")  # + intake.csv with data.candidates


def write(plan: Plan, out_dir: str | Path, lang: str = "en",
          extra: Mapping[str, pd.DataFrame | str] | None = None,
          pinned: Collection[str] = (), rollout: Any = None) -> list[Path]:
    """Write assignment.csv, managers.csv, moves.csv, assignment.xlsx, summary.json, report.html.

    All or nothing: files are staged beside ``out_dir`` and moved in only when every one was
    written; other files in ``out_dir`` are left alone. ``extra`` adds files to the same set
    (file name -> table, or text); ``pinned`` clients show a pin in the workbook. ``rollout``
    (``rollout.plan.RolledOut``) adds the schedule's files and sheets, the prorated targets
    and summary.json's ``rollout`` (``rollout.tables.add_to``).
    """
    from rebalance.report.html import plan_report
    from rebalance.report.workbook import parameters_table, summary_sheet
    from rebalance.review.workbook import review_choices, with_review_columns

    frames = tables(plan, lang)
    rolled: dict[str, Any] = {"summary": summary(plan, lang), "files": {}}
    if rollout is not None:
        from rebalance.rollout.tables import add_to

        add_to(rolled, frames, plan, rollout, lang)
    sheet_titles = sheet_names(lang)
    sheets = {sheet_titles[name]: with_review_columns(name, df, lang, pinned)
              for name, df in frames.items()}
    sheets.update(rolled.get("sheets", {}))
    backup_sheet = backups_table(plan, lang)
    if backup_sheet is not None:
        sheets[sheet_titles["backups"]] = backup_sheet
    if plan.intake is not None:  # every candidate, taken or not, with its reason
        from rebalance.intake.table import intake_table

        intake_frame = intake_table(plan.intake, lang)
        sheets[t("intake.sheet", lang)] = intake_frame
        extra = {**(extra or {}), "intake.csv": intake_frame}
    sheets[sheet_titles["parameters"]] = parameters_table(plan, lang)
    names = [f"{name}.csv" for name in frames] + ["assignment.xlsx", "summary.json",
                                                  "report.html"]
    with atomic_output_dir(out_dir) as staging:  # rebalance.io.publish: all or nothing
        for name, df in frames.items():
            write_csv(df, staging / f"{name}.csv")
        write_xlsx(staging / "assignment.xlsx", sheets, number_formats=number_formats(lang),
                   first_sheet=summary_sheet(plan, lang), choices=review_choices(lang))
        write_json(rolled["summary"], staging / "summary.json")
        write_text(plan_report(plan, frames, lang, backup_sheet, rolled.get("report")),
                   staging / "report.html")
        for name, content in {**(extra or {}), **rolled["files"]}.items():
            if isinstance(content, pd.DataFrame):
                write_csv(content, staging / name)
            else:
                write_text(content, staging / name)
            names.append(name)
    return [Path(out_dir) / n for n in names]


