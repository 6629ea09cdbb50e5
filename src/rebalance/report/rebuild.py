"""A plan rebuilt from an output folder, without the solver (``rebalance report OUT_DIR``).

``summary.json`` holds the resolved scenario (data paths absolute), the solver's figures and a
hash of the input files; ``assignment.csv`` holds the plan. From them the book is read again,
the plan is checked (``check``), targets, fairness and backups are derived as ``solve`` did
(all pure or seeded, so the same figures come out), and ``report.html`` is written from that.
If the input files changed since the plan was written, that is said instead of reporting new
data against an old plan.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rebalance.errors import InputError, Issue, NoPlanError
from rebalance.i18n import t
from rebalance.scenario import Scenario

if TYPE_CHECKING:
    from rebalance.data import Problem
    from rebalance.plan import Plan
    from rebalance.pools import Rules
    from rebalance.result import StageResult

REQUIRED_FILES = ("summary.json", "assignment.csv")


def read_summary(out_dir: Path, lang: str) -> dict[str, Any]:
    """``summary.json`` of an output folder; exit-2 errors when the folder is not one."""
    for name in REQUIRED_FILES:
        if not (out_dir / name).is_file():
            raise InputError([Issue(t("report.no_outputs", lang, path=out_dir, file=name))])
    try:
        data: dict[str, Any] = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([Issue.of("report.summary_unreadable", file=str(out_dir / "summary.json"),
                                   error=str(exc))]) from exc
    if not isinstance(data, dict) or not isinstance(data.get("scenario"), dict):
        raise InputError([Issue.of("report.summary_no_scenario", file=str(out_dir))])
    return data


def plan_from_outputs(out_dir: str | Path, lang: str = "en") -> Plan:
    """The ``plan.Plan`` that ``solve`` wrote into ``out_dir`` (no solver is run)."""
    from rebalance.intake import read_plan
    from rebalance.io.read import load_book
    from rebalance.plan import input_hash

    folder = Path(out_dir)
    summary = read_summary(folder, lang)
    try:
        scenario = Scenario.model_validate(summary["scenario"])
    except ValueError as exc:
        raise InputError([Issue.of("report.summary_bad_scenario",
                                   file=str(folder / "summary.json"), error=str(exc))]) from exc
    problem, rules = load_book(scenario)
    if summary.get("input_hash") != input_hash(scenario):
        raise InputError([Issue(t("report.inputs_changed", lang,
                                  file=f"{scenario.data.clients}, {scenario.data.managers}"))])
    base = problem
    problem, rules, assignment = read_plan(folder / "assignment.csv", problem, rules, scenario)
    plan = assemble_plan(scenario, problem, rules, assignment, summary)
    if scenario.data.candidates is None:
        return plan
    from dataclasses import replace

    from rebalance.intake.report import left_out_from_summary, outcome_from_plan

    # the intake section: the candidates and hires of the plan, the stages as summary.json
    result = replace(plan.result, stages=stages_from_summary(summary))
    return replace(plan, intake=outcome_from_plan(scenario, base, problem, rules, result,
                                                  left_out_from_summary(summary)))


def stages_from_summary(summary: Mapping[str, Any]) -> tuple[StageResult, ...]:
    """The solver's stages as summary.json records them."""
    from rebalance.result import StageResult

    stages = summary.get("stages")
    if not isinstance(stages, list):
        return ()
    return tuple(StageResult(str(s.get("name")), str(s.get("status")), s.get("objective"),
                             s.get("best_bound"), s.get("gap"),
                             float(s.get("wall_time") or 0.0))
                 for s in stages if isinstance(s, dict))


def assemble_plan(scenario: Scenario, problem: Problem, rules: Rules,
                  assignment: Mapping[str, str], solver: Mapping[str, Any]) -> Plan:
    """A ``plan.Plan`` for a given assignment, derived as ``pipeline.run`` derives it.

    ``solver`` holds the solver's figures (``status``, ``objective``, ``best_bound``, ``gap``,
    ``wall_time``: summary.json's keys); the plan is checked, targets, backups and fairness are
    computed here. ``NoPlanError`` when targets or backups are impossible, as in ``run``.
    """
    from rebalance.backup import BackupInfeasible, assign_backups
    from rebalance.check import check
    from rebalance.metrics import before_after
    from rebalance.plan import Plan, input_hash
    from rebalance.report.findings import render_all
    from rebalance.solve import Result
    from rebalance.targets import TargetsInfeasible, compute_targets

    plan = dict(assignment)
    verdict = check(problem, scenario, plan, rules)
    result = Result(
        status=str(solver.get("status")), client_to_manager=plan, stages=(),
        balance_excess=verdict.balance_excess, continuity_cost=verdict.continuity_cost,
        objective=solver.get("objective"), best_bound=solver.get("best_bound"),
        gap=solver.get("gap"), wall_time=float(solver.get("wall_time") or 0.0),
        findings=(), seed=scenario.solver.seed, verdict=verdict,
    )
    try:
        targets = compute_targets(problem, scenario, plan)
        backups = (assign_backups(problem, scenario, rules, plan)
                   if scenario.backup.enabled else None)
    except TargetsInfeasible as exc:
        raise NoPlanError([str(exc)]) from exc
    except BackupInfeasible as exc:
        raise NoPlanError(list(render_all(exc.findings, "en"))) from exc
    return Plan(scenario=scenario, problem=problem, rules=rules, result=result, verdict=verdict,
                targets=targets, backups=backups,
                fairness=before_after(problem, scenario, rules, plan),
                input_hash=input_hash(scenario))
