"""The backups' stages (balance, keep, even; ``scenario.priorities``) solved one after another
with ``rebalance.staged``, within the backups' share of the time limit.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from ortools.sat.python import cp_model

from rebalance.backup.plan import TIME_SHARE
from rebalance.scenario import Scenario
from rebalance.staged import Budget, new_solver, solve_stage


class TimeLeft:
    """The wall-clock time left for the backup solves, handed out as ``staged.Budget``s.

    ``slice(parts)`` gives a sub-solve its part of the time left, so one slow stage or pool
    cannot starve the others; time a solve does not use flows on to the next.
    """

    def __init__(self, scenario: Scenario, deadline: float) -> None:
        self.scenario = scenario
        self.deadline = deadline

    @classmethod
    def starting(cls, scenario: Scenario, start: float) -> TimeLeft:
        return cls(scenario, start + TIME_SHARE * scenario.solver.time_limit)

    def slice(self, parts: float) -> TimeLeft:
        """A sub-budget with 1/parts of the time left."""
        now = time.monotonic()
        return TimeLeft(self.scenario, now + max(0.0, self.deadline - now) / max(1.0, parts))

    def solver(self) -> cp_model.CpSolver | None:
        """A solver with the time left, the work share and the scenario's seed and workers
        (several workers deterministic); None when no time is left."""
        left = self.deadline - time.monotonic()
        if left <= 0.005:
            return None
        settings = self.scenario.solver
        work = None if settings.work_limit is None else TIME_SHARE * settings.work_limit / 3
        return new_solver(Budget(left, work), settings.seed, settings.workers,
                          interleave=settings.workers > 1)


def stage_names(scenario: Scenario) -> list[str]:
    """Stage order: priorities (continuity = keep) or one weighted stage, then ``even``."""
    if scenario.priorities is None:
        return ["weighted", "even"]
    names = ["keep" if p == "continuity" else "balance" for p in scenario.priorities]
    names += [n for n in ("balance", "keep") if n not in names]
    return [*names, "even"]


def run_stages(model: cp_model.CpModel, variables: Sequence[cp_model.IntVar],
               objectives: Mapping[str, cp_model.LinearExprT], scenario: Scenario,
               budget: TimeLeft, hint: Sequence[int], num_decisions: int | None = None,
               first: Sequence[str] = ()) -> tuple[list[int], str, str]:
    """Minimise the objectives in stage order, holding each optimum; return values and status.

    ``first`` names stages that come before the scenario's. ``hint`` covers all
    ``variables``; later stages are hinted with the previous stage's values
    of the first ``num_decisions`` variables only (the decisions; helpers follow from them),
    which in practice lets the search move more freely.

    Returns (variable values, "OPTIMAL"/"FEASIBLE", failure) where failure is "" or, when the
    first stage found nothing, "INFEASIBLE" / "UNKNOWN" (and no values).
    """
    for var, value in zip(variables, hint, strict=True):
        model.add_hint(var, value)
    values: list[int] | None = None
    status = "OPTIMAL"
    # A constant objective (e.g. no existing backups to keep) is no stage; with none left,
    # one plain feasibility solve.
    stages: list[cp_model.LinearExpr | None] = [
        e for n in (*first, *stage_names(scenario))
        if isinstance(e := objectives[n], cp_model.LinearExpr)] or [None]
    for i, expr in enumerate(stages):
        solver = budget.slice(len(stages) - i).solver()
        if solver is None:
            status = "FEASIBLE"
            break

        def read(solution: cp_model.CpSolver) -> None:
            nonlocal values
            values = [int(solution.value(v)) for v in variables]

        outcome = solve_stage(model, expr, solver, hold_slack=0,
                              rehint=list(variables)[:num_decisions], on_found=read)
        if not outcome.found:
            if values is None:
                failed = "INFEASIBLE" if outcome.status == cp_model.INFEASIBLE else "UNKNOWN"
                return [], status, failed
            status = "FEASIBLE"
            break
        if outcome.status == cp_model.FEASIBLE:
            status = "FEASIBLE"
    if values is None:
        return [], status, "UNKNOWN"
    return values, status, ""
