"""Lexicographic (staged) CP-SAT solving: one budget type, one solver setup, one stage step.

Every optimisation of the project minimises several objectives one after another, holding
each finished one at its value: the owner plan (``solve.py``: balance, then continuity), the
scale engine's neighbourhoods (``scale.lns``) and the backups (``backup``: balance, keep,
even). They share:

- ``Budget``: what one CP-SAT call may use — wall seconds, deterministic work (reproducible:
  the same inputs and seed give the same answer whatever the machine's load), or both;
- ``new_solver``: a CP-SAT solver with a budget, a seed and a worker mode;
- ``solve_stage``: minimise one objective from the model's hint, then (optionally) hold it at
  its value plus a slack and start the next stage from the solution found.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model


@dataclass(frozen=True)
class Budget:
    """What one solve may use: ``seconds`` of wall clock and/or ``work`` (CP-SAT's
    deterministic time); None: no limit of that kind."""

    seconds: float | None = None
    work: float | None = None

    @classmethod
    def of(cls, amount: float, deterministic: bool) -> Budget:
        """``amount`` of work when ``deterministic``, else of wall seconds."""
        return cls(work=amount) if deterministic else cls(seconds=amount)

    @property
    def deterministic(self) -> bool:
        """True when only work limits the solve (it then repeats exactly)."""
        return self.seconds is None

    @property
    def amount(self) -> float:
        """The limit that decides: the work when deterministic, else the seconds."""
        value = self.work if self.deterministic else self.seconds
        return value if value is not None else float("inf")

    def times(self, fraction: float) -> Budget:
        """This budget scaled by ``fraction`` (both kinds)."""
        return Budget(None if self.seconds is None else self.seconds * fraction,
                      None if self.work is None else self.work * fraction)

    def apply(self, solver: cp_model.CpSolver) -> None:
        """Set the solver's limits."""
        if self.seconds is not None:
            solver.parameters.max_time_in_seconds = self.seconds
        if self.work is not None:
            solver.parameters.max_deterministic_time = self.work


def new_solver(budget: Budget, seed: int, workers: int = 1, *,
               interleave: bool = False) -> cp_model.CpSolver:
    """A CP-SAT solver with ``budget``, ``seed`` and ``workers``; ``interleave`` makes several
    workers deterministic (CP-SAT's interleaved search)."""
    solver = cp_model.CpSolver()
    budget.apply(solver)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    if interleave:
        solver.parameters.interleave_search = True
    return solver


@dataclass(frozen=True)
class StageOutcome:
    """What one stage's solve found: CP-SAT status, the objective's value (model units, exact)
    and the proven bound when a solution was found, and the work and wall time used."""

    status: int
    value: int | None
    bound: float | None
    work: float
    wall_time: float

    @property
    def found(self) -> bool:
        """A solution was found (optimal or not)."""
        return self.value is not None

    @property
    def status_name(self) -> str:
        """CP-SAT's name of the status (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN)."""
        return cp_model.CpSolverStatus(self.status).name


def hold(model: cp_model.CpModel, objective: cp_model.LinearExprT, value: int,
         slack: int = 0) -> None:
    """Keep a finished stage's ``objective`` at ``value`` (plus ``slack``) from now on."""
    model.add(objective <= value + slack)


def solve_stage(model: cp_model.CpModel, objective: cp_model.LinearExprT | None,
                solver: cp_model.CpSolver, *,
                callback: cp_model.CpSolverSolutionCallback | None = None,
                hold_slack: int | None = None,
                rehint: Sequence[cp_model.IntVar] = (),
                on_found: Callable[[cp_model.CpSolver], None] | None = None) -> StageOutcome:
    """Minimise ``objective`` (None: any solution) over ``model`` from its current hint.

    When a solution is found, ``on_found`` reads it first; then, with ``hold_slack`` given,
    the objective is held at its value plus that slack, and with ``rehint`` given the model's
    hint is replaced by the solution's values of those variables (the next stage starts from
    it). A model CP-SAT rejects is
    a bug of the program, never of the user's rules: ``RuntimeError``.
    """
    model.clear_objective()
    if objective is not None:
        model.minimize(objective)
    status = solver.solve(model, callback)
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"CP-SAT rejected the model: {model.validate()}")
    value: int | None = None
    bound: float | None = None
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = int(solver.value(objective)) if objective is not None else 0
        bound = solver.best_objective_bound if objective is not None else 0.0
        if on_found is not None:
            on_found(solver)
        if hold_slack is not None and objective is not None:
            hold(model, objective, value, hold_slack)
        if rehint:
            values = [solver.value(var) for var in rehint]
            model.clear_hints()
            for var, hinted in zip(rehint, values, strict=True):
                model.add_hint(var, hinted)
    return StageOutcome(int(status), value, bound, solver.deterministic_time, solver.wall_time)
