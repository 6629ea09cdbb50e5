"""Intake: bring quality business clients into the pool (docs/intake.md).

``run_scenario(problem, scenario)`` reads the scenario's candidates (``data.candidates``),
chooses which to take, places them together with the rebalancing of the book in one CP-SAT
model (``model.IntakeModel``) and returns an ``IntakeOutcome`` whose ``problem`` / ``rules`` /
``result`` are the final book's, so targets, tables and reports treat the new clients as
``placement``\\ s. ``staffing.staffing`` answers how many hires the intake needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from rebalance.data import Problem
from rebalance.intake.candidates import Candidate, CandidateBook, load_candidates
from rebalance.intake.engine import IntakeOutcome, run_intake, stage_names
from rebalance.pools import Rules, build_rules
from rebalance.result import ProgressEvent
from rebalance.scenario import Scenario

__all__ = ["Candidate", "CandidateBook", "IntakeOutcome", "intake_summary", "load_candidates",
           "plan_book", "read_plan", "review_book", "run_intake", "run_scenario", "stage_names"]


def run_scenario(problem: Problem, scenario: Scenario,
                 progress: Callable[[ProgressEvent], None] | None = None) -> IntakeOutcome:
    """The scenario's intake: candidates read and checked (``InputError``, exit 2), then
    chosen and placed; ``intake.hires`` adds that many new managers per industry group."""
    from rebalance.intake.staffing import fixed_hires

    base = fixed_hires(problem, scenario)  # a candidate may be placed with a hire
    book = load_candidates(scenario, base)
    outcome = run_intake(base, scenario, book, progress=progress)
    known = {m.manager_id for m in problem.managers}
    # the hires of intake.hires the plan uses are its hires (summary.json, the report)
    used = set(outcome.result.client_to_manager.values())
    hires = tuple(m for m in outcome.problem.managers
                  if m.manager_id not in known and m.manager_id in used)
    return replace(outcome, hires=hires) if hires else outcome


def intake_summary(outcome: IntakeOutcome) -> dict[str, Any]:
    """The ``intake`` block of summary.json."""
    from rebalance.intake.report import revenue_in

    return {
        "candidates": len(outcome.candidates.candidates),
        "screened_out": len(outcome.screened),
        "taken": len(outcome.taken),
        "score": outcome.total_score,
        "revenue": revenue_in(outcome),
        "taken_ids": sorted(outcome.taken),
        # the proven reasons of the candidates left out (intake.why), as catalog keys and
        # values: `rebalance report` rebuilds intake.csv's reasons from them in any language
        "left_out": {cid: {"reason": key, "values": dict(values)}
                     for cid, (key, values) in sorted(outcome.left_out.items())},
        "hires": outcome.hires_per_group(),
        "stages": [{"name": s.name, "status": s.status, "objective": s.objective,
                    "best_bound": s.best_bound, "gap": s.gap} for s in outcome.stages],
    }


def review_book(problem: Problem, scenario: Scenario) -> tuple[Problem, frozenset[str]]:
    """The book a written plan of this scenario is read against: the scenario's book with
    the hires of ``intake.hires`` and *every* candidate as a new client, and the candidates'
    ids (a plan may leave them out). Without candidates, the book itself."""
    from rebalance.intake.staffing import fixed_hires

    if scenario.data.candidates is None:
        return problem, frozenset()
    base = fixed_hires(problem, scenario)
    candidates = load_candidates(scenario, base).candidates
    every = replace(base, clients=(*base.clients, *(c.client for c in candidates)))
    return every, frozenset(c.client_id for c in candidates)


def plan_book(problem: Problem, every: Problem, candidate_ids: frozenset[str],
              plan: Mapping[str, str]) -> Problem:
    """The book a plan covers (``engine.final_book``): ``every``'s managers (the scenario's
    and the hires of ``intake.hires``, used or not, as ``solve`` balanced them) with
    ``problem``'s clients and the candidates the plan places."""
    if not candidate_ids:
        return problem
    return replace(every, clients=tuple(c for c in every.clients
                                        if c.client_id not in candidate_ids
                                        or c.client_id in plan))


def read_plan(path: Path, problem: Problem, rules: Rules, scenario: Scenario,
              sheet: str | None = None) -> tuple[Problem, Rules, dict[str, str]]:
    """A plan written for this scenario (``assignment.csv`` / xlsx ``sheet``) with the book
    it covers: (book, its rules, client -> manager).

    Without candidates, the scenario's book. With them (``data.candidates``), a plan written
    by ``solve`` also holds the candidates it took in (as new clients) and may use the
    scenario's ``intake.hires``: it is read against ``review_book`` (candidates left out need
    not appear), and the book returned keeps the candidates the plan places and the hires —
    the book ``solve`` judged (``engine.final_book``), so ``check``, ``report`` and ``adopt``
    judge it again.
    """
    from rebalance.io.plans import read_assignment

    every, ids = review_book(problem, scenario)
    plan = read_assignment(path, every, scenario.data.encoding, scenario.data.restore_zeros,
                           sheet=sheet, optional=ids)
    if not ids:
        return problem, rules, plan
    book = plan_book(problem, every, ids, plan)
    return book, build_rules(book, scenario), plan
