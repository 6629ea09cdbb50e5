"""Big books with candidates: choose by score, then balance around them with the scale engine.

A book whose largest pool has more than ``solve.LARGE_POOL_PAIRS`` (client, manager) pairs
(with the open candidates counted) is too big for the one intake model to improve on its
starting plan in time (the 1,730 × 180 book with 600 candidates kept the greedy start: balance
excess 116.7, bound 0). Such a book is solved in the order a planner can still trust:

1. ``intake`` — the candidates are chosen by ``greedy.greedy_intake`` (required first, then by
   score while ``max_clients`` and the managers' capacities allow). Its bound is the best any
   choice can score: the required candidates plus the ``max_clients`` best positive scores
   among the candidates the filters let through (balance and capacity ignored, so it is a
   bound). The stage is ``OPTIMAL`` only when the choice reaches it
   (``contract.within_tolerance``).
2. ``balance`` and ``continuity`` — the book with the chosen candidates (as new clients) is
   rebalanced by the scale engine (``rebalance.solve`` with ``engine="scale"``) in the time
   left, with its proven bounds. Like every later stage's bound, they hold *given the earlier
   stage*: here, given the candidates chosen.

So the stages run in the order ``[intake, balance, continuity]`` whatever the scenario's order
(the balance-first order is solved exactly only for smaller books); summary.json lists the
stages as run and the terminal says so. Staffing (hire slots) and scenarios the scale engine
does not handle (``priorities: null``, ``max_moves``) keep the one intake model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from rebalance.contract import within_tolerance
from rebalance.data import Problem
from rebalance.intake.candidates import with_placed
from rebalance.intake.model import IntakeBook
from rebalance.pools import Rules, build_rules
from rebalance.result import ProgressEvent, StageResult
from rebalance.scenario import Scenario

# Seconds kept from the time limit for what follows the search (the outcome, its check).
RESERVE_SECONDS = 1.0


def plain_scenario(scenario: Scenario) -> Scenario:
    """The scenario without the intake stage (what the scale engine balances with)."""
    if scenario.priorities is None:
        return scenario
    names = tuple(n for n in scenario.priorities if n != "intake")
    return scenario.model_copy(update={"priorities": names})


def scale_suits(ibook_problem: Problem, rules: Rules, scenario: Scenario,
                slots: Sequence[object]) -> bool:
    """True when the book with its open candidates goes the scale way (module docstring)."""
    from rebalance.scale.decompose import supports
    from rebalance.solve import LARGE_POOL_PAIRS, largest_pool_pairs

    return (not slots and scenario.continuity.max_moves is None
            and supports(plain_scenario(scenario))
            and largest_pool_pairs(ibook_problem, rules) > LARGE_POOL_PAIRS)


def score_bound(candidate_ids: Sequence[str], scores: Mapping[str, float],
                required: frozenset[str], cap: int | None) -> float:
    """The most any choice can score: the required candidates plus the best positive scores
    of the others, as many as ``max_clients`` leaves room for."""
    fixed = sum(scores[c] for c in candidate_ids if c in required)
    others = sorted((scores[c] for c in candidate_ids
                     if c not in required and scores[c] > 0), reverse=True)
    room = len(others) if cap is None else max(0, cap - len(required))
    return round(fixed + sum(others[:room]), 2)


def score_stage(score: float, bound: float, seconds: float) -> StageResult:
    """The intake stage from its score and the best bound known (a maximum: the bound lies
    above); ``OPTIMAL`` only within ``contract.within_tolerance``."""
    bound = max(score, bound)
    proven = within_tolerance(-score, -bound)
    gap = 0.0 if proven else min(1.0, (bound - score) / max(abs(score), 1e-9))
    return StageResult("intake", "OPTIMAL" if proven else "FEASIBLE", score, bound, gap,
                       seconds)


def intake_stage(ibook: IntakeBook, scenario: Scenario, taken: Sequence[str],
                 seconds: float) -> StageResult:
    """The choice by score as a stage: its score, the bound no choice can beat."""
    score = round(sum(ibook.scores[c] for c in taken), 2)
    return score_stage(score, score_bound(ibook.candidate_ids, ibook.scores, ibook.required,
                                          scenario.intake.max_clients), seconds)


def tightened(stage: StageResult, ibook: IntakeBook, scenario: Scenario) -> StageResult:
    """The intake model's intake stage with the better of its bound and ``score_bound`` (both
    hold; a choice that reaches the best any choice can score is proven without search)."""
    if stage.name != "intake" or stage.objective is None or stage.status == "OPTIMAL":
        return stage
    top = score_bound(ibook.candidate_ids, ibook.scores, ibook.required,
                      scenario.intake.max_clients)
    bound = top if stage.best_bound is None else min(stage.best_bound, top)
    return score_stage(stage.objective, bound, stage.wall_time)


def solve_scale(problem: Problem, scenario: Scenario, ibook: IntakeBook, started: float,
                progress: Callable[[ProgressEvent], None] | None = None
                ) -> tuple[int, dict[str, str], list[StageResult]]:
    """Choose by score (the greedy start), then rebalance the book with the chosen
    candidates with the scale engine in the time left: (CP-SAT-like status, plan, stages),
    as ``engine.solve_intake`` returns them."""
    from ortools.sat.python import cp_model

    from rebalance.solve import solve

    chose = time.monotonic()
    start = ibook.start or {}
    cands = set(ibook.candidate_ids)
    chosen = [c for c in ibook.problem.clients
              if c.client_id in cands and start.get(c.client_id) is not None]
    final = replace(problem, clients=(*problem.clients, *chosen))
    rules = build_rules(final, with_placed(scenario))
    stage = intake_stage(ibook, scenario, [c.client_id for c in chosen],
                         time.monotonic() - chose)
    left = scenario.solver.time_limit - (time.monotonic() - started) - RESERVE_SECONDS
    timed = plain_scenario(scenario).model_copy(update={
        "solver": scenario.solver.model_copy(update={"time_limit": max(left, 1.0)})})
    result = solve(final, timed, rules, progress, engine="scale")
    if not result.has_plan:  # the greedy choice's own plan, when it keeps every rule
        kept = kept_start(final, scenario, rules, start, time.monotonic() - chose)
        if kept is not None:
            return int(cp_model.FEASIBLE), kept[0], [stage, *kept[1]]
        status = cp_model.INFEASIBLE if result.status == "INFEASIBLE" else cp_model.UNKNOWN
        return int(status), {}, [stage, *result.stages]
    status = cp_model.OPTIMAL if result.status == "OPTIMAL" and stage.status == "OPTIMAL" \
        else cp_model.FEASIBLE
    return int(status), dict(result.client_to_manager), [stage, *result.stages]


def kept_start(final: Problem, scenario: Scenario, rules: Rules,
               start: Mapping[str, str | None], seconds: float
               ) -> tuple[dict[str, str], list[StageResult]] | None:
    """The greedy plan the choice was made with, when the scale engine found nothing in time
    and the plan keeps every hard rule: its figures (``check``) with the bound every plan
    meets (0); None when it breaks a rule."""
    from rebalance.check import check
    from rebalance.result import relative_gap

    plan = {c.client_id: start.get(c.client_id) for c in final.clients}
    if any(m is None for m in plan.values()):
        return None
    complete = {c: m for c, m in plan.items() if m is not None}
    verdict = check(final, scenario, complete, rules)
    if not verdict.ok:
        return None
    stages = [StageResult(name, "OPTIMAL" if within_tolerance(value, 0.0) else "FEASIBLE",
                          value, 0.0, relative_gap(value, 0.0), seconds)
              for name, value in (("balance", verdict.balance_excess),
                                  ("continuity", verdict.continuity_cost))
              if scenario.priorities is None or name in scenario.priorities]
    return complete, stages
