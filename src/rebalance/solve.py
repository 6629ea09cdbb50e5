"""solve(problem, scenario) -> Result: the rebalancing engine (CP-SAT), stage by stage.

1. Contradictions between hard rules are looked for by counting (``diagnose``); if any is
   found there is no plan and the result says why.
2. The book is split into parts that can be solved independently (balancing pools, unless a
   global move cap ties them together, see ``exact.builder``).
3. Each stage (``balance`` then ``continuity`` by default, see ``priorities``) is solved part by
   part, starting from the current assignment (stage 1) or the previous stage's plan; a
   finished stage is held at its value while later stages run.
4. The plan is verified by ``check`` (the solver-free oracle), whose exact figures are the
   ``balance_excess`` and ``continuity_cost`` of the result.

Determinism: the same inputs, scenario and seed give the same plan whenever every stage ends
proven optimal, or when ``solver.work_limit`` (deterministic time) is what stops the search.
Small parts use one sequential CP-SAT worker; large ones use several workers with
``interleave_search`` (CP-SAT's deterministic parallel mode). docs/engine.md has the details.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from ortools.sat.python import cp_model

from rebalance.check import Verdict, check
from rebalance.contract import (
    HOLD_SLACK,
    OPTIMALITY_TOLERANCE,
    from_model_units,
    move_cost,
    to_model_units,
)
from rebalance.data import Problem
from rebalance.diagnose import contradictions, explain_infeasibility
from rebalance.exact.builder import Part, RebalanceModel, split_book, stage_names
from rebalance.findings import Names, finding
from rebalance.guard import solve_within
from rebalance.pools import Rules, build_rules
from rebalance.result import (
    ProgressEvent,
    Result,
    StageResult,
    relative_gap,
    with_plan,
    without_plan,
)
from rebalance.scale import decompose
from rebalance.scale.greedy import greedy_plan
from rebalance.scale.lanes import PoolFailure
from rebalance.scale.pool_search import PoolProgress
from rebalance.scenario import Scenario, Solver
from rebalance.staged import Budget, new_solver, solve_stage

__all__ = ["HOLD_SLACK", "OPTIMALITY_TOLERANCE", "ProgressEvent", "Result", "StageResult",
           "solve"]

# Parts with at most this many assignment variables are solved by one sequential worker:
# for them it is both the fastest setting measured and deterministic. Larger parts get
# ``solver.workers`` workers in CP-SAT's deterministic interleaved mode.
SEQUENTIAL_MAX_VARIABLES = 4_000
# Share of the remaining time (and work) budget the first of several stages may use; the
# later stages get the rest, at least what the first one left.
FIRST_STAGE_SHARE = 0.6
# A balancing pool with more (client, manager) pairs than this goes to the scale engine
# (rebalance.scale.decompose: greedy and knapsack starts, local search, large-neighbourhood
# search, bounds without the whole model). The bundled baseline's pools have ~250 pairs and
# are proven optimal by the whole model in well under a second; one department-wide pool of
# 173 × 18 (3,114 pairs) is not, and the scale engine finds a better plan in the same time.
LARGE_POOL_PAIRS = 1_000
# A book with at least this many eligible (client, manager) pairs is solved in a child process
# that the deadline can stop (``rebalance.guard``): at that size the phases before the
# search (greedy, starts, bounds) take seconds each, and ``solver.time_limit`` is a promise.
GUARDED_MIN_PAIRS = 50_000
MIN_PART_SECONDS = 0.2  # a part always gets at least this much time
# OPTIMALITY_TOLERANCE and HOLD_SLACK (contract units) live in ``rebalance.contract``.


def configured_solver(
    settings: Solver, num_variables: int, time_limit: float, work_limit: float | None
) -> cp_model.CpSolver:
    """A CP-SAT solver set up for one part: seed, limits and a deterministic worker mode."""
    sequential = settings.workers == 1 or num_variables <= SEQUENTIAL_MAX_VARIABLES
    budget = Budget(max(time_limit, MIN_PART_SECONDS),
                    None if work_limit is None else max(work_limit, 1e-3))
    # Several workers only in the interleaved mode: same answer every run.
    solver = new_solver(budget, settings.seed, 1 if sequential else settings.workers,
                        interleave=not sequential)
    solver.parameters.absolute_gap_limit = to_model_units(OPTIMALITY_TOLERANCE)
    # Without this, presolve may drop plans (symmetry, dual reductions) and with them the
    # starting plan we hint; with it the hint stays a solution the search begins from.
    solver.parameters.keep_all_feasible_solutions_in_presolve = True
    return solver


class _Clock:
    def __init__(self) -> None:
        self.start = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.start


class _Progress(cp_model.CpSolverSolutionCallback):
    """Forwards improving solutions and bounds of one part to the progress hook, cheaply."""

    def __init__(self, hook: Callable[[ProgressEvent], None], stage: str, clock: _Clock,
                 done: tuple[int, float], part: int, num_parts: int) -> None:
        super().__init__()
        self.hook, self.stage, self.clock = hook, stage, clock
        self.done_objective, self.done_bound = done
        self.part, self.num_parts = part, num_parts
        self.objective: float | None = None
        self.bound = 0.0

    def on_solution_callback(self) -> None:
        self.objective = self.ObjectiveValue()
        self.bound = self.BestObjectiveBound()
        self._emit()

    def on_bound(self, bound: float) -> None:
        self.bound = bound
        if self.objective is not None:
            self._emit()

    def _emit(self) -> None:
        assert self.objective is not None
        self.hook(ProgressEvent(
            stage=self.stage,
            objective=from_model_units(self.done_objective + self.objective),
            bound=from_model_units(self.done_bound + self.bound),
            elapsed=self.clock.elapsed(),
            part=self.part,
            num_parts=self.num_parts,
        ))


@dataclass
class _PartOutcome:
    status: int
    value: int | None = None  # stage objective of the solution, model units (exact)
    bound: float | None = None
    plan: dict[str, str] = field(default_factory=dict)
    work: float = 0.0  # deterministic time used


def _solve_part(
    built: RebalanceModel,
    stage_name: str,
    settings: Solver,
    time_limit: float,
    work_limit: float | None,
    progress: Callable[[ProgressEvent], None] | None,
    clock: _Clock,
    done: tuple[int, float],
    num_parts: int,
    hold_next: bool,
) -> _PartOutcome:
    stage = built.stage(stage_name)
    solver = configured_solver(settings, built.num_variables, time_limit, work_limit)
    callback = None
    if progress is not None:
        callback = _Progress(progress, stage_name, clock, done, built.part.index + 1,
                             num_parts)
        solver.best_bound_callback = callback.on_bound
    plan: dict[str, str] = {}

    def take(solution: cp_model.CpSolver) -> None:
        plan.update(built.extract(solution))

    found = solve_stage(built.model, stage.expr, solver, callback=callback,
                        hold_slack=to_model_units(HOLD_SLACK) if hold_next else None,
                        rehint=built.decisions() if hold_next else (), on_found=take)
    outcome = _PartOutcome(status=found.status, work=found.work, plan=plan)
    if found.value is not None and found.bound is not None:
        outcome.value = found.value
        outcome.bound = min(float(found.value), found.bound)
    return outcome


def solve(
    problem: Problem,
    scenario: Scenario,
    rules: Rules | None = None,
    progress: Callable[[ProgressEvent], None] | None = None,
    *,
    engine: str | None = None,
    log: Callable[[str], None] | None = None,
) -> Result:
    """Rebalance the book: the best plan the scenario's rules and time allow.

    ``progress`` (optional) receives a ``ProgressEvent`` whenever the solver improves its plan
    or bound. Never raises because rules contradict each other or time runs out: see
    ``Result.status`` and ``Result.findings``. This is the one place that looks for
    contradictions, chooses the engine, checks the plan and builds the ``Result``.

    ``engine``: None chooses by size (pools over ``LARGE_POOL_PAIRS`` pairs go to the scale
    engine when it supports the priorities); ``"exact"`` or ``"scale"`` force one (tests,
    benchmarks). ``log`` hears the scale engine's steps as text.
    """
    if engine not in (None, "exact", "scale"):
        raise ValueError(f"unknown engine {engine!r}: exact or scale")
    clock = _Clock()
    started = time.monotonic()  # the limit counts from here, in this process or the guarded one
    rules = rules if rules is not None else build_rules(problem, scenario)
    if scenario.solver.work_limit is None and num_pairs(rules) >= GUARDED_MIN_PAIRS:
        return cast(Result, solve_within(
            _solve_inline, (problem, scenario, rules, progress, started, engine, log),
            scenario.solver,
            lambda findings: without_plan("UNKNOWN", findings, scenario.solver.seed,
                                          clock.elapsed())))
    return _solve_inline(problem, scenario, rules, progress, started, engine, log)


def _solve_inline(problem: Problem, scenario: Scenario, rules: Rules,
                  progress: Callable[[ProgressEvent], None] | None,
                  started: float | None = None, engine: str | None = None,
                  log: Callable[[str], None] | None = None) -> Result:
    """The engine itself, in this process: contradictions, then the whole model or the
    scale engine."""
    clock = _Clock()
    findings = contradictions(problem, scenario, rules)
    if findings:
        return without_plan("INFEASIBLE", findings, scenario.solver.seed, clock.elapsed())
    if engine == "scale" or (engine is None and largest_pool_pairs(problem, rules)
                             > LARGE_POOL_PAIRS and decompose.supports(scenario)):
        return _solve_scale(problem, scenario, rules, progress, log, started)
    return _Run(problem, scenario, rules, progress, clock).run()


def _solve_scale(problem: Problem, scenario: Scenario, rules: Rules,
                 progress: Callable[[ProgressEvent], None] | None,
                 log: Callable[[str], None] | None, started: float | None) -> Result:
    """The scale engine's plan (``scale.decompose``), checked once and made a ``Result``."""
    if not decompose.supports(scenario):
        raise ValueError("the scale engine handles priorities [balance, continuity] only")
    start = started if started is not None else time.monotonic()
    hook_lock = threading.Lock()

    def pool_step(step: PoolProgress) -> None:
        if progress is None:
            return
        with hook_lock:  # pools are searched in lanes (threads)
            progress(ProgressEvent(stage=step.stage, objective=step.objective,
                                   bound=step.bound, elapsed=time.monotonic() - start,
                                   part=step.part, num_parts=step.num_parts))

    try:
        outcome = decompose.search_pools(problem, scenario, rules, log=log,
                                         on_step=pool_step, started=start)
    except PoolFailure as failure:  # the other pools finished; name the ones that did not
        failed = [finding("fanout.pool_failed", k=k, n=n, error=error)
                  for k, n, error in failure.pools]
        return without_plan("UNKNOWN", failed, scenario.solver.seed, time.monotonic() - start)
    if outcome.unplaced:
        found = finding("engine.finding.no_room", names=Names(tuple(outcome.unplaced), 6))
        return without_plan("UNKNOWN", [found], scenario.solver.seed, time.monotonic() - start)
    ordered = {c.client_id: outcome.client_to_manager[c.client_id] for c in problem.clients}
    verdict = _checked(problem, scenario, ordered, rules)
    wall = time.monotonic() - start
    stages = decompose.scale_stages(outcome, verdict, scenario, wall)
    return with_plan(ordered, verdict, stages, scenario.solver.seed, wall, len(outcome.pools),
                     decompose.pool_bounds(outcome))


def _checked(problem: Problem, scenario: Scenario, plan: Mapping[str, str],
             rules: Rules) -> Verdict:
    """``check``'s verdict on an engine's plan; a broken hard rule is a bug, never the user's."""
    verdict = check(problem, scenario, plan, rules)
    if not verdict.ok:
        broken = "; ".join(v.message for v in verdict.violations[:5])
        raise RuntimeError(f"internal error: the engine's plan breaks hard rules: {broken}")
    return verdict


def num_pairs(rules: Rules) -> int:
    """The number of eligible (client, manager) pairs of the whole book."""
    return sum(len(ids) for ids in rules.eligible.values())


def largest_pool_pairs(problem: Problem, rules: Rules) -> int:
    """The number of eligible (client, manager) pairs of the biggest balancing pool."""
    pairs: dict[int, int] = {}
    for client in problem.clients:
        pool = rules.pool_of_client.get(client.client_id)
        if pool is not None:
            pairs[pool] = pairs.get(pool, 0) + len(rules.eligible[client.client_id])
    return max(pairs.values(), default=0)


class _Run:
    """One engine run: the parts of the book, their models and the plan so far."""

    def __init__(self, problem: Problem, scenario: Scenario, rules: Rules,
                 progress: Callable[[ProgressEvent], None] | None, clock: _Clock) -> None:
        self.problem, self.scenario, self.rules = problem, scenario, rules
        self.progress, self.clock = progress, clock
        self.settings = scenario.solver
        self.names = stage_names(scenario)
        self.parts = split_book(problem, scenario, rules)
        self.models = [RebalanceModel(problem, scenario, rules, part) for part in self.parts]
        self.starts = _starting_plans(problem, scenario, rules, self.parts, self.names[0])
        for built, start in zip(self.models, self.starts, strict=True):
            built.hint_plan(start)
        self.sizes = [max(1, built.num_variables) for built in self.models]
        self.plan: dict[str, str] = {}
        self.stages: list[StageResult] = []
        self.work_used = 0.0

    def run(self) -> Result:
        for s, name in enumerate(self.names):
            failure = self._stage(s, name)
            if failure is not None:
                return failure
        return self._result()

    def _stage(self, s: int, name: str) -> Result | None:
        """Solve stage ``s`` part by part; a Result only when there is no plan."""
        settings, clock = self.settings, self.clock
        last = s == len(self.names) - 1
        stage_start = clock.elapsed()
        share = 1.0 if last else FIRST_STAGE_SHARE
        deadline = stage_start + max(0.0, settings.time_limit - stage_start) * share
        work = (None if settings.work_limit is None
                else max(0.0, settings.work_limit - self.work_used) * share)
        work_used, done_value, done_bound = 0.0, 0, 0.0
        proven = True
        for i, built in enumerate(self.models):
            weight = self.sizes[i] / sum(self.sizes[i:])
            part_time = max(0.0, deadline - clock.elapsed()) * weight
            part_work = None if work is None else max(0.0, work - work_used) * weight
            outcome = _solve_part(built, name, settings, part_time, part_work, self.progress,
                                  clock, (done_value, done_bound), len(self.models),
                                  hold_next=not last)
            work_used += outcome.work
            if outcome.status == cp_model.INFEASIBLE:
                return self._infeasible(self.parts[i])
            if outcome.value is None:  # nothing found in time: fall back on a known plan
                fallback = self._fallback(s, i, name)
                if fallback is None:
                    return self._nothing_found(self.parts[i])
                outcome.value, outcome.bound = fallback, 0.0
                if not last:
                    built.hold(built.stage(name), fallback, slack=to_model_units(HOLD_SLACK))
            self.plan.update(outcome.plan)
            proven = proven and outcome.status == cp_model.OPTIMAL
            done_value += outcome.value
            done_bound += outcome.bound if outcome.bound is not None else 0.0
        self.work_used += work_used
        objective, bound = from_model_units(done_value), from_model_units(done_bound)
        self.stages.append(StageResult(
            name=name, status="OPTIMAL" if proven else "FEASIBLE", objective=objective,
            best_bound=bound, gap=relative_gap(objective, bound),
            wall_time=clock.elapsed() - stage_start,
        ))
        return None

    def _fallback(self, s: int, i: int, name: str) -> int | None:
        """The stage value of the plan part ``i`` already has (the starting plan in stage 1,
        if it keeps every rule of the part), which then stays; None when there is none."""
        part, built = self.parts[i], self.models[i]
        if s == 0:
            start = self.starts[i]
            verdict = check(self.problem, self.scenario, start, self.rules)
            managers = {m.manager_id for m in part.managers}
            clients = {c.client_id for c in part.clients}
            if any(v.client_id in clients or v.manager_id in managers or v.rule == "max_moves"
                   for v in verdict.violations):
                return None
            self.plan.update({cid: str(start[cid]) for cid in clients})
        built.stage(name)  # its terms exist before the plan is priced
        return built.objective.value_of(name, self.plan)

    def _infeasible(self, part: Part) -> Result:
        found = explain_infeasibility(self.problem, self.scenario, self.rules, part)
        if not found:
            found = [finding("engine.finding.contradict", part=part.finding)]
        return without_plan("INFEASIBLE", found, self.settings.seed, self.clock.elapsed(),
                            self.stages)

    def _nothing_found(self, part: Part) -> Result:
        settings = self.settings
        if settings.work_limit is not None:
            limit = finding("engine.finding.work_limit", work=settings.work_limit)
        else:
            limit = finding("engine.finding.time_limit", seconds=settings.time_limit)
        found = [finding("engine.finding.nothing", part=part.finding, limit=limit)]
        return without_plan("UNKNOWN", found, settings.seed, self.clock.elapsed(), self.stages)

    def _result(self) -> Result:
        problem, stages = self.problem, self.stages
        ordered = {c.client_id: self.plan[c.client_id] for c in problem.clients}
        verdict = _checked(problem, self.scenario, ordered, self.rules)
        return with_plan(ordered, verdict, stages, self.settings.seed, self.clock.elapsed(),
                         len(self.parts))


def _part_value(verdict: Verdict, scenario: Scenario, part: Part, stage_name: str) -> int:
    """A stage objective of a part of a checked plan (contract figures in model units)."""
    managers = {m.manager_id for m in part.managers}
    balance = sum(v for (mid, _), v in verdict.excess_terms.items() if mid in managers)
    moved = set(verdict.moved)
    continuity = sum(move_cost(c) for c in part.clients if c.client_id in moved)
    value = {"balance": balance, "continuity": continuity,
             "weighted": balance + scenario.continuity.weight * continuity}[stage_name]
    return to_model_units(value)


def _starting_plans(problem: Problem, scenario: Scenario, rules: Rules,
                    parts: Sequence[Part], first_stage: str) -> list[Mapping[str, str | None]]:
    """Per part, the plan the first stage starts from: the current assignment, or the greedy
    plan (``rebalance.scale.greedy``) where that is clearly better for the first objective."""
    current: Mapping[str, str | None] = problem.current_assignment
    if first_stage == "continuity":
        return [current] * len(parts)
    greedy = greedy_plan(problem, scenario, rules)
    if greedy.unplaced:
        return [current] * len(parts)
    as_is = check(problem, scenario, current, rules)
    repaired = check(problem, scenario, greedy.client_to_manager, rules)
    margin = to_model_units(OPTIMALITY_TOLERANCE)
    return [
        greedy.client_to_manager
        if _part_value(repaired, scenario, part, first_stage)
        < _part_value(as_is, scenario, part, first_stage) - margin else current
        for part in parts
    ]
