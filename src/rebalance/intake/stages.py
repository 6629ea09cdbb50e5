"""The staged solve of an intake, part by part where the book allows it.

As in the exact engine (``exact.builder.split_book``), balancing pools are independent when no
rule counts across them: each pool's candidates can only join that pool, and every objective
is a sum over pools, so the lexicographic optimum of the book is the union of each pool's.
Proving a pool on its own is far easier than proving their sum. What couples pools here:

- ``intake.max_clients`` (one cap on all takes). With the default stages ``[balance, intake,
  …]`` (or ``[weighted, intake]``, ``priorities: null``: the same with the weighted stage in
  place of balance) the balance stage is still solved pool by pool *without* the cap (a
  relaxation, so the sum is a lower bound); when the pools' own intakes keep the cap, that is
  the book's optimum; else the intake stage is one model of the whole book holding each pool at
  its balance value, if the fewest takes that keep those values fit the cap; if they do not, the
  cap binds and is split over the pools exactly (``_split``: every pool for every count it could
  take, then a knapsack, ``intake.split``). The stages after intake are again solved pool by
  pool with the takes fixed. Candidates with the same score are interchangeable to the intake
  stage: the later stages keep the set it chose.
- ``continuity.max_moves`` or a single pool: one model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from rebalance.contract import HOLD_SLACK, OPTIMALITY_TOLERANCE, to_model_units
from rebalance.intake.model import IntakeBook, IntakeModel, stage_units
from rebalance.intake.split import Point, choose
from rebalance.result import ProgressEvent
from rebalance.scenario import Scenario
from rebalance.solve import FIRST_STAGE_SHARE, configured_solver

# CP-SAT's presolve is off for an intake model that has a plan (a complete, feasible hint): the
# search then starts from the plan and the bundled staffing run is proven (balance 2.5943, no
# hire); with presolve on, the same run ended FEASIBLE in the same time and so did one of
# tests/test_intake_proof.py's pools. (At the old 1/100,000 deviation units presolve was also
# wrong — it dropped feasible hints and proved a false optimum; see ``model.deviation_scale``.)
# Without a plan to keep, presolve stays on: without it CP-SAT found no first plan for a tiny
# staffing model (seen in this work).
COMPLETE_HINT_SECONDS = 5.0  # at most, to work out the starting plan's other variables
EXACT_STAGES = ("intake", "hires", "fewest")  # integer objectives: held and proven exactly
SPLIT_FIRST_SECONDS = 0.3  # per pool and count, in the first pass of ``_split``

LinearExprT = cp_model.LinearExprT


@dataclass
class StageTally:
    """One stage over all parts: model units (exact), bound, proven, seconds."""

    name: str
    value: int = 0
    bound: float = 0.0
    proven: bool = True
    seconds: float = 0.0


@dataclass
class RunOutcome:
    """CP-SAT status (of the first failure, else OPTIMAL/FEASIBLE), plan and stage tallies."""

    status: int
    plan: dict[str, str] = field(default_factory=dict)
    stages: list[StageTally] = field(default_factory=list)


class IntakeRun:
    """Runs ``names`` over an ``IntakeBook`` within ``solver.time_limit``."""

    def __init__(self, ibook: IntakeBook, scenario: Scenario, names: Sequence[str],
                 progress: Callable[[ProgressEvent], None] | None = None,
                 started: float | None = None) -> None:
        self.ibook, self.scenario, self.names = ibook, scenario, tuple(names)
        self.progress = progress
        # the time limit counts from ``started`` (time.monotonic()), e.g. before the start plan
        self.start = started if started is not None else time.monotonic()
        self.parts = [p.index for p in ibook.rules.pools if p.client_ids]

    # ------------------------------------------------------------------ plumbing

    def _left(self) -> float:
        return self.scenario.solver.time_limit - (time.monotonic() - self.start)

    def _solve(self, built: IntakeModel, name: str, budget: float) -> tuple[int, int, float,
                                                                          cp_model.CpSolver]:
        """Minimise stage ``name`` on ``built``: (status, value, bound, solver)."""
        expr = built.stage(name)
        built.model.clear_objective()
        built.model.minimize(expr)
        solver = configured_solver(self.scenario.solver, len(built.vars.assign), budget,
                                   self.scenario.solver.work_limit)
        if name in EXACT_STAGES:
            solver.parameters.absolute_gap_limit = 0.0
        # with a complete feasible hint, presolve off keeps it (see the note at the top);
        # without one, presolve is what finds a first plan
        solver.parameters.cp_model_presolve = not built.has_plan
        status = solver.solve(built.model)
        if status == cp_model.MODEL_INVALID:
            raise RuntimeError(f"CP-SAT rejected the intake model: {built.model.validate()}")
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return int(status), 0, 0.0, solver
        value = int(solver.value(expr))
        return int(status), value, min(float(value), solver.best_objective_bound), solver

    def _solve_or_keep(self, built: IntakeModel, name: str, budget: float
                       ) -> tuple[int, int, float, cp_model.CpSolver]:
        """``_solve``; when nothing is found in time, the plan the model starts from (the
        starting plan, or the previous stage's) is kept, with the trivial bound."""
        found = self._solve(built, name, budget)
        if found[0] != cp_model.UNKNOWN:
            return found
        return self._starting_plan(built, name)

    def _starting_plan(self, built: IntakeModel, name: str) -> tuple[int, int, float,
                                                                    cp_model.CpSolver]:
        """The stage value of the hinted plan (every hinted variable fixed): FEASIBLE with
        the bound every plan meets, or the status that says the plan breaks a rule here."""
        solver = configured_solver(self.scenario.solver, len(built.vars.assign),
                                   max(self._left(), 5.0), None)
        solver.parameters.fix_variables_to_their_hinted_value = True
        status = solver.solve(built.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return int(status), 0, 0.0, solver
        return (int(cp_model.FEASIBLE), int(solver.value(built.stage(name))),
                built.trivial_bound(name), solver)

    def _hold(self, built: IntakeModel, name: str, expr: LinearExprT, value: int) -> None:
        slack = 0 if name in EXACT_STAGES else to_model_units(HOLD_SLACK)
        built.model.add(expr <= value + slack)

    def _emit(self, tally: StageTally) -> None:
        if self.progress is not None:
            # as the planner reads it (the intake's bound is then a ceiling, not a floor)
            self.progress(ProgressEvent(stage=tally.name,
                                        objective=stage_units(tally.name, tally.value),
                                        bound=stage_units(tally.name, tally.bound),
                                        elapsed=time.monotonic() - self.start))

    def _stages_on(self, models: Sequence[IntakeModel], names: Sequence[str],
                   tallies: list[StageTally], last_overall: bool) -> int:
        """Run ``names`` part by part (one model per part); fill ``tallies``; a status."""
        sizes = [max(1, len(b.vars.assign)) for b in models]
        for s, name in enumerate(names):
            last = last_overall and s == len(names) - 1
            stage_budget = self._left() if last else self._left() * FIRST_STAGE_SHARE
            stage_start = time.monotonic()
            tally = StageTally(name)
            for i, built in enumerate(models):
                used = time.monotonic() - stage_start
                budget = (stage_budget - used) * sizes[i] / sum(sizes[i:])
                status, value, bound, solver = self._solve_or_keep(built, name, budget)
                if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    return status
                tally.value += value
                tally.bound += bound
                tally.proven = tally.proven and status == cp_model.OPTIMAL
                self._hold(built, name, built.stage(name), value)
                built.hint_solution(solver)
                built.has_plan = True
                built.last_plan = built.extract(solver)
                built.last_values = built.values_by_name(solver)
                built.stage_value = value
            tally.seconds = time.monotonic() - stage_start
            tallies.append(tally)
            self._emit(tally)
        return int(cp_model.OPTIMAL if all(t.proven for t in tallies) else cp_model.FEASIBLE)

    # ------------------------------------------------------------------ runs

    def run(self) -> RunOutcome:
        """Part by part where the rules allow it (see the module docstring)."""
        scenario = self.scenario
        one_model = (scenario.continuity.max_moves is not None
                     or len(self.parts) <= 1)
        if one_model:
            return self._whole()
        if scenario.intake.max_clients is None:
            models = [self._model([i]) for i in self.parts]
            tallies: list[StageTally] = []
            status = self._stages_on(models, self.names, tallies, True)
            return self._outcome(status, models, tallies)
        if self.names[0] not in ("balance", "weighted") or self.names[1:2] != ("intake",):
            return self._whole()
        coupled = self._coupled()
        return coupled if coupled is not None else self._whole()

    def _model(self, pools: Sequence[int] | None, complete: bool = True) -> IntakeModel:
        """A model of ``pools`` (None: the whole book) hinted with the starting plan, made a
        complete hint (every variable, the excess and the switched copies too) by one solve
        with the plan fixed: CP-SAT then starts from it instead of searching for a first plan
        (without it the first stage often ended worse than the plan it was given)."""
        built = IntakeModel(self.ibook, self.scenario, pools)
        for name in self.names:  # every stage's variables exist before they are hinted
            built.stage(name)
        built.hint_current()
        if not complete:
            return built
        solver = configured_solver(self.scenario.solver, len(built.vars.assign),
                                   max(min(self._left(), COMPLETE_HINT_SECONDS), 0.5), None)
        solver.parameters.fix_variables_to_their_hinted_value = True
        if solver.solve(built.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            built.hint_by_name(built.values_by_name(solver))
            built.has_plan = True
        return built

    def _whole(self) -> RunOutcome:
        """Every stage on one model of the whole book."""
        built = self._model(None)
        tallies: list[StageTally] = []
        status = self._stages_on([built], self.names, tallies, True)
        return self._outcome(status, [built], tallies)

    def _outcome(self, status: int, models: Sequence[IntakeModel],
                 tallies: list[StageTally]) -> RunOutcome:
        plan: dict[str, str] = {}
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            for built in models:
                plan.update(built.last_plan)
        return RunOutcome(status, plan, tallies)

    @staticmethod
    def _takes(models: Sequence[IntakeModel]) -> int:
        """Candidates taken in the models' last solutions."""
        return sum(v for b in models for k, v in b.last_values.items() if k.startswith("take["))

    def _coupled(self) -> RunOutcome | None:
        """Balance per pool (no cap), intake on the whole book holding each pool's balance (or
        the cap split over the pools when it binds), the later stages per pool with the takes
        fixed; None when nothing keeps the cap (then one model does everything)."""
        tallies: list[StageTally] = []
        firsts = [self._model([i]) for i in self.parts]
        lead = self.names[0]  # balance, or weighted (priorities: null)
        status = self._stages_on(firsts, (lead,), tallies, False)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return RunOutcome(status, {}, tallies)
        held = {i: int(b.stage_value) for i, b in zip(self.parts, firsts, strict=True)}
        balanced = [dict(b.last_values) for b in firsts]  # each pool's balance-stage plan
        cap = self.scenario.intake.max_clients or 0
        # the intake of each pool on its own (each under the cap: a relaxation); when their
        # takes together keep the cap, that is the book's intake optimum, pool by pool
        alone: list[StageTally] = []
        status = self._stages_on(firsts, ("intake",), alone, False)
        # what each pool takes for its own optimum: beyond it, more places gain it nothing
        reach = {i: self._takes([b]) for i, b in zip(self.parts, firsts, strict=True)}
        if (status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
                and self._takes(firsts) <= cap):
            tallies.extend(alone)
            rest = self.names[2:]
            if rest:
                status = self._stages_on(firsts, rest, tallies, True)
            return self._outcome(status, firsts, tallies)
        firsts = []  # the pools again, without their intake holds, from their balance plans
        for i, plan_values in zip(self.parts, balanced, strict=True):
            built = self._model([i], complete=False)
            self._hold(built, lead, built.stage(lead), held[i])
            built.hint_by_name(plan_values)
            built.has_plan = True
            built.last_values = plan_values
            firsts.append(built)
        # the fewest takes each pool needs for its balance value: a start that keeps the cap
        if self._takes(firsts) > cap:
            fewest: list[StageTally] = []
            status = self._stages_on(firsts, ("fewest",), fewest, False)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                return None
            if self._takes(firsts) > cap:  # the cap binds: how many each pool takes
                return self._split(lead, reach)
        whole = self._model(None, complete=False)  # hinted from the pools' plans below
        for i in self.parts:
            self._hold(whole, lead, whole.pool_stage(lead, i), held[i])
        values: dict[str, int] = {}
        for b in firsts:
            values.update(b.last_values)
        whole.hint_by_name(values)
        whole.has_plan = True
        stage_start = time.monotonic()
        budget = self._left() * (FIRST_STAGE_SHARE if len(self.names) > 2 else 1.0)
        status, value, bound, solver = self._solve_or_keep(whole, "intake", budget)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        tally = StageTally("intake", value, bound, status == cp_model.OPTIMAL,
                           time.monotonic() - stage_start)
        tallies.append(tally)
        self._emit(tally)
        taken = {cid for cid, var in whole.take.items() if solver.boolean_value(var)}
        return self._finish(lead, whole.extract(solver), taken, held, tallies)

    def _finish(self, lead: str, plan: dict[str, str], taken: set[str], held: dict[int, int],
                tallies: list[StageTally]) -> RunOutcome:
        """The stages after intake, pool by pool, with the candidates ``taken`` fixed and each
        pool's lead stage held at ``held``; ``plan`` is where they start."""
        rest = self.names[2:]
        if not rest:
            return RunOutcome(int(cp_model.OPTIMAL if all(t.proven for t in tallies)
                                  else cp_model.FEASIBLE), plan, tallies)
        lasts = []
        for i in self.parts:
            built = self._model([i])
            for cid, var in built.take.items():
                built.model.add(var == (1 if cid in taken else 0))
            self._hold(built, lead, built.stage(lead), held[i])
            built.model.clear_hints()
            built.vars.hint(built.model, plan)
            members = self.ibook.rules.pools[i].client_ids
            built.last_plan = {c: plan[c] for c in members if c in plan}
            lasts.append(built)
        status = self._stages_on(lasts, rest, tallies, True)
        return self._outcome(status, lasts, tallies)

    def _split(self, lead: str, reach: dict[int, int]) -> RunOutcome | None:
        """``max_clients`` binds: each pool solved for every count it could take, the counts
        chosen by a knapsack over the pools (``intake.split``), then the later stages."""
        cap = self.scenario.intake.max_clients or 0
        share = FIRST_STAGE_SHARE if len(self.names) > 2 else 1.0
        end = time.monotonic() + self._left() * share
        counts = {p: range(min(reach[p], cap) + 1) for p in self.parts}
        remaining = sum(len(c) for c in counts.values())
        started = time.monotonic()
        curves: dict[int, list[Point]] = {}
        # a first pass with a short budget each (most points are proven in a fraction of a
        # second), then the time left for the points that were not
        for p in self.parts:
            curves[p] = []
            for k in counts[p]:
                budget = min(SPLIT_FIRST_SECONDS, max(end - time.monotonic(), 1.0) / remaining)
                remaining -= 1
                point = self._point(p, lead, k, budget)
                if point is not None:  # None: a pool with required candidates needs more
                    curves[p].append(point)
            if not curves[p]:
                return None
        again = [(p, n) for p in self.parts for n, q in enumerate(curves[p])
                 if q.lead - q.lead_bound > to_model_units(OPTIMALITY_TOLERANCE)
                 or not q.score_proven]
        for m, (p, n) in enumerate(again):
            budget = (end - time.monotonic()) / (len(again) - m)
            if budget <= SPLIT_FIRST_SECONDS:
                break  # no more time than the first pass had
            point = self._point(p, lead, curves[p][n].k, budget)
            if point is not None:  # the better plan, and the better bound, of the two
                old = curves[p][n]
                best = min(point, old, key=lambda q: (q.lead, q.score))
                curves[p][n] = replace(best, lead_bound=max(point.lead_bound, old.lead_bound))
        choice = choose(curves, cap)
        if choice is None:
            return None
        tallies = [StageTally(lead, choice.lead, choice.lead_bound, choice.lead_proven,
                              time.monotonic() - started),
                   StageTally("intake", choice.score, choice.score_bound, choice.score_proven)]
        for tally in tallies:
            self._emit(tally)
        plan: dict[str, str] = {}
        taken: set[str] = set()
        for point in choice.points.values():
            plan.update(point.plan)
            taken.update(point.taken)
        held = {p: point.lead for p, point in choice.points.items()}
        return self._finish(lead, plan, taken, held, tallies)

    def _point(self, pool: int, lead: str, k: int, budget: float) -> Point | None:
        """Pool ``pool`` taking at most ``k`` candidates: its lead stage, then its intake
        stage holding it (None: no plan takes so few)."""
        built = IntakeModel(self.ibook, self.scenario, [pool], max_takes=k)
        status, value, bound, solver = self._solve(built, lead, budget / 2)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        self._hold(built, lead, built.stage(lead), value)
        built.hint_solution(solver)
        built.has_plan = True
        status, score, score_bound, solver = self._solve_or_keep(built, "intake", budget / 2)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        taken = frozenset(c for c, v in built.take.items() if solver.boolean_value(v))
        return Point(k, value, bound, score, score_bound, status == cp_model.OPTIMAL,
                     built.extract(solver), taken)
