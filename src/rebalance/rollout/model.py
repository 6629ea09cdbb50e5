"""The CP-SAT model that orders a plan's changes into waves (docs/rollout.md).

Variables: ``done[u][k]`` — unit u (one change, or one exchange: moves that only work
together) has taken effect by wave k; monotone in k and 1 at the last wave. A unit's wave is
the first k with ``done = 1`` and ``in_wave = done[k] − done[k − 1]``.

Constraints, per wave:

- every hard rule holds in the book after each wave before the last: each intermediate book is
  a ``rules.Scope`` whose free clients are the changes (a changing client sits with its old
  manager while ``done`` is 0, with its new one after), the unchanged clients held as
  constants; every rule of ``rules.HARD_RULES`` adds its own constraints — none is re-coded;
- the caps of ``rollout`` (``schedule.cap_groups``) on the changes of each wave;
- ``first_wave_for`` kinds take effect with wave 1.

Objectives, lexicographic (each held at its optimum while the next is minimised; one
``staged.solve_stage`` step each, as the solve engine and the backups run theirs):

1. ``excess``: the balance excess of the book after every wave, summed over the waves (the
   contract's excess, in the solve engine's units, ``contract.DEV_SCALE``): fair early;
2. ``peak``: the largest handover load (changes given plus taken) of a staying manager in one
   wave;
3. ``spread``: the sum of squared handover loads per manager and wave — nobody's months are
   heavier than they must be.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from rebalance.contract import DEV_SCALE, WEIGHT_SCALE, from_model_units
from rebalance.data import Problem
from rebalance.pools import METRICS, Rules, client_load
from rebalance.result import StageResult
from rebalance.rollout.schedule import (
    Change,
    Schedule,
    cap_groups,
    handovers_by_manager,
    plan_changes,
    units,
)
from rebalance.rules import HARD_RULES, Scope
from rebalance.scenario import Scenario
from rebalance.scenario.rollout import Rollout
from rebalance.solve import configured_solver
from rebalance.staged import solve_stage

STAGES = ("excess", "peak", "spread")
FIRST_STAGE_SHARE = 0.6  # of the time limit; the tie-breaking stages share the rest
MIN_STAGE_SECONDS = 0.5  # a later stage with less time left is skipped
MARGIN_SECONDS = 0.5  # kept for reading the solution back (and CP-SAT stopping) in time

class WaveModel:
    """One rollout as a CP-SAT model. ``relax`` names a cap that becomes a variable
    (``cap_var``) instead of its setting: the model then finds the smallest that works."""

    def __init__(self, problem: Problem, scenario: Scenario, rules: Rules,
                 changes: Sequence[Change], settings: Rollout, num_waves: int,
                 relax: str | None = None) -> None:
        self.problem, self.scenario, self.rules = problem, scenario, rules
        self.changes, self.settings, self.num_waves = changes, settings, num_waves
        self.model = cp_model.CpModel()
        self.units = units(changes)
        self.unit_of = {c.client_id: i for i, u in enumerate(self.units) for c in u}
        w = num_waves
        self.done = [[self.model.new_bool_var(f"done[{i},{k}]") for k in range(1, w + 1)]
                     for i in range(len(self.units))]
        for row in self.done:
            self.model.add(row[-1] == 1)
            for k in range(1, w):
                self.model.add_implication(row[k - 1], row[k])
        self.cap_var: cp_model.IntVar | None = None
        self._first_wave()
        self._caps(relax)
        self._hard_rules()
        self.stages: dict[str, cp_model.LinearExpr] = {}

    # ----------------------------------------------------------------- helpers
    def in_wave(self, client_id: str, k: int) -> cp_model.LinearExprT:
        """1 when the client's change takes effect with wave k (0-based)."""
        row = self.done[self.unit_of[client_id]]
        return row[k] - row[k - 1] if k > 0 else row[0]

    def done_by(self, client_id: str, k: int) -> cp_model.IntVar:
        return self.done[self.unit_of[client_id]][k]

    # ----------------------------------------------------------------- constraints
    def _first_wave(self) -> None:
        """``first_wave_for`` kinds take effect with wave 1."""
        for i, unit in enumerate(self.units):
            if any(c.kind in self.settings.first_wave_for for c in unit):
                self.model.add(self.done[i][0] == 1)

    def _caps(self, relax: str | None) -> None:
        """Each wave within every cap of ``schedule.cap_groups``."""
        groups = cap_groups(self.problem, self.settings, self.changes)
        if relax is not None:
            self.cap_var = self.model.new_int_var(0, len(self.changes), f"cap[{relax}]")
        for group in groups:
            limit: cp_model.LinearExprT = (self.cap_var if group.cap == relax and
                                          self.cap_var is not None else group.limit)
            for k in range(self.num_waves):
                self.model.add(sum(self.in_wave(cid, k) for cid in group.client_ids) <= limit)

    def _hard_rules(self) -> None:
        """Every rule of ``HARD_RULES`` in the book after each wave but the last."""
        problem = self.problem
        changing = {c.client_id: c for c in self.changes}
        held: dict[str, int] = {}
        for c in problem.clients:
            if c.client_id not in changing and c.manager is not None:
                held[c.manager] = held.get(c.manager, 0) + 1
        managers = [m.manager_id for m in problem.managers]
        for k in range(self.num_waves - 1):
            options: dict[str, list[tuple[str, cp_model.IntVar]]] = {}
            of_manager: dict[str, list[tuple[str, cp_model.IntVar]]] = {}
            for cid, change in changing.items():
                done = self.done_by(cid, k)
                pairs = [(change.to_manager, done)]
                if change.from_manager is not None:
                    waiting = self.model.new_bool_var(f"waiting[{cid},{k}]")
                    self.model.add(waiting + done == 1)
                    pairs.insert(0, (change.from_manager, waiting))
                options[cid] = pairs
                for mid, var in pairs:
                    of_manager.setdefault(mid, []).append((cid, var))
            # A new client not yet placed has no manager: no rule may ask it to have one.
            scope_clients = [cid for cid, ch in changing.items() if ch.from_manager is not None]
            scope = Scope(self.model, problem, self.scenario, self.rules, scope_clients,
                          managers, options, of_manager, held=held, prune=True)
            for rule in HARD_RULES:
                rule.constrain(scope)

    # ----------------------------------------------------------------- objectives
    def stage(self, name: str) -> cp_model.LinearExpr:
        if name not in self.stages:
            build = {"excess": self._excess, "peak": self._peak, "spread": self._spread}[name]
            self.stages[name] = build()
        return self.stages[name]

    def _excess(self) -> cp_model.LinearExpr:
        """Σ over waves, staying managers and metrics of weight × excess (model units)."""
        problem, rules = self.problem, self.rules
        bands = self.scenario.balance.bands()
        changing = {c.client_id: c for c in self.changes}
        touching: dict[str, list[Change]] = {}
        for ch in self.changes:
            for mid in dict.fromkeys((ch.from_manager, ch.to_manager)):
                if mid is not None:
                    touching.setdefault(mid, []).append(ch)
        constant = 0
        terms: list[cp_model.LinearExprT] = []
        coefs: list[int] = []
        for metric in METRICS:
            weight = round(bands[metric].weight * WEIGHT_SCALE)
            band = round(bands[metric].tolerance * DEV_SCALE)
            if weight <= 0:
                continue
            fixed: dict[str, int] = {}
            for c in problem.clients:
                if c.client_id not in changing and c.manager is not None:
                    share = rules.fair_share(c.manager, metric)
                    if share > 0:
                        fixed[c.manager] = fixed.get(c.manager, 0) + round(
                            DEV_SCALE * client_load(c, metric) / share)
            for m in problem.managers:
                mid = m.manager_id
                share = rules.fair_share(mid, metric)
                if not m.staying or share <= 0:
                    continue
                moving = [(ch.client_id, round(DEV_SCALE * client_load(
                    problem.client(ch.client_id), metric) / share), ch.to_manager == mid)
                          for ch in touching.get(mid, ())]
                base = fixed.get(mid, 0)
                for k in range(self.num_waves - 1):
                    if not moving:
                        constant += weight * max(0, base - DEV_SCALE - band,
                                                 DEV_SCALE - band - base)
                        continue
                    load = base + sum(a * self.done_by(cid, k) if gains
                                      else a * (1 - self.done_by(cid, k))
                                      for cid, a, gains in moving)
                    excess = self.model.new_int_var(0, 10 * DEV_SCALE * max(
                        1, len(moving)) + abs(base) + sum(a for _, a, _ in moving),
                        f"excess[{mid},{metric},{k}]")
                    self.model.add(excess >= load - (DEV_SCALE + band))
                    self.model.add(excess >= (DEV_SCALE - band) - load)
                    terms.append(excess)
                    coefs.append(weight)
        return cp_model.LinearExpr.weighted_sum(terms, coefs) + constant

    def loads(self) -> list[cp_model.LinearExprT]:
        """Handover load of every staying manager in every wave (changes given + taken)."""
        return [sum(self.in_wave(cid, k) for cid in mine)
                for mine in handovers_by_manager(self.problem, self.changes).values()
                for k in range(self.num_waves)]

    def _peak(self) -> cp_model.LinearExpr:
        peak = self.model.new_int_var(0, len(self.changes), "peak")
        for load in self.loads():
            self.model.add(peak >= load)
        return cp_model.LinearExpr.sum([peak])

    def _spread(self) -> cp_model.LinearExpr:
        squares = []
        for i, load in enumerate(self.loads()):
            n = self.model.new_int_var(0, len(self.changes), f"load[{i}]")
            self.model.add(n == load)
            sq = self.model.new_int_var(0, len(self.changes) ** 2, f"sq[{i}]")
            self.model.add_multiplication_equality(sq, [n, n])
            squares.append(sq)
        return cp_model.LinearExpr.sum(squares)

    def extract(self, solver: cp_model.CpSolver) -> dict[str, int]:
        """client_id -> wave (1-based) of the solver's solution."""
        out = {}
        for i, unit in enumerate(self.units):
            wave = next(k for k, var in enumerate(self.done[i], start=1)
                        if solver.boolean_value(var))
            for c in unit:
                out[c.client_id] = wave
        return out


@dataclass(frozen=True)
class SmallestCap:
    """The least value of one cap with which a schedule exists (the other settings as they
    are): ``value`` None when no value of this cap alone does; ``proven`` False when the time
    limit stopped the search first (``value`` then works but may not be the least)."""

    value: int | None
    proven: bool


@dataclass(frozen=True)
class Phasing:
    """The engine's answer: a schedule (None when none exists) and how each stage ended.

    ``status``: OPTIMAL (every stage proven), FEASIBLE, INFEASIBLE (no order keeps the rules
    and caps; ``smallest`` then says which cap, at least how large, would work) or UNKNOWN.
    """

    schedule: Schedule | None
    status: str
    stages: tuple[StageResult, ...]
    wall_time: float
    smallest: Mapping[str, SmallestCap] = field(default_factory=dict)


def _solver(scenario: Scenario, built: WaveModel, seconds: float,
            counts: bool) -> cp_model.CpSolver:
    """The solve engine's solver set-up (seed, deterministic workers); an objective that
    counts changes (not contract units) is proven to the unit."""
    # The solve engine's rule: a small model gets one sequential worker, a large one
    # ``solver.workers`` in CP-SAT's deterministic interleaved mode (on a 1,730-client plan
    # the gap after 18 s fell from 27 % to 3 % with 2 interleaved workers).
    solver = configured_solver(scenario.solver, len(built.model.proto.variables),
                               max(seconds, MIN_STAGE_SECONDS), None)
    if counts:
        solver.parameters.absolute_gap_limit = 0.5
    return solver


def _result(name: str, status: str, value: int, bound: float, seconds: float,
            contract: bool) -> StageResult:
    obj = from_model_units(value) if contract else float(value)
    low = from_model_units(bound) if contract else float(bound)
    low = min(low, obj)
    gap = 0.0 if obj - low <= 1e-9 else (obj - low) / max(abs(obj), 1e-9)
    return StageResult(name, status, obj, low, gap, seconds)


def phase(problem: Problem, scenario: Scenario, rules: Rules, plan: Mapping[str, str | None],
          settings: Rollout, dates: tuple[dt.date, ...],
          time_limit: float | None = None) -> Phasing:
    """Order the changes of ``plan`` into ``len(dates)`` waves (see the module docstring)."""
    clock = time.perf_counter()
    changes = plan_changes(problem, plan)
    limit = scenario.solver.time_limit if time_limit is None else time_limit
    if not changes:
        return Phasing(Schedule((), {}, dates), "OPTIMAL", (), 0.0, {})
    built = WaveModel(problem, scenario, rules, changes, settings, len(dates))
    stages: list[StageResult] = []
    wave_of: dict[str, int] | None = None
    status_all = "OPTIMAL"
    done = [var for row in built.done for var in row]
    for index, name in enumerate(STAGES):
        left = limit - (time.perf_counter() - clock) - MARGIN_SECONDS
        if index > 0 and left < MIN_STAGE_SECONDS:
            status_all = "FEASIBLE"  # the time limit is a promise: the tie-breaks wait
            break
        share = FIRST_STAGE_SHARE if index == 0 else 1 / (len(STAGES) - index)
        solver = _solver(scenario, built, left * share, counts=name != "excess")
        found: dict[str, int] = {}

        def read(solution: cp_model.CpSolver, into: dict[str, int] = found) -> None:
            into.update(built.extract(solution))

        outcome = solve_stage(built.model, built.stage(name), solver, hold_slack=0,
                              rehint=done, on_found=read)
        if not outcome.found:
            if index == 0:
                smallest = (_smallest_caps(problem, scenario, rules, changes, settings,
                                           len(dates), limit)
                            if outcome.status == cp_model.INFEASIBLE else {})
                return Phasing(None, outcome.status_name, (),
                               time.perf_counter() - clock, smallest)
            status_all = "FEASIBLE"
            break  # keep the schedule of the stage before
        assert outcome.value is not None and outcome.bound is not None
        stages.append(_result(name, outcome.status_name, outcome.value, outcome.bound,
                              outcome.wall_time, contract=name == "excess"))
        if outcome.status != cp_model.OPTIMAL:
            status_all = "FEASIBLE"
        wave_of = found
    assert wave_of is not None
    return Phasing(Schedule(changes, wave_of, dates), status_all, tuple(stages),
                   time.perf_counter() - clock, {})


def _smallest_caps(problem: Problem, scenario: Scenario, rules: Rules,
                   changes: Sequence[Change], settings: Rollout, num_waves: int,
                   limit: float) -> dict[str, SmallestCap]:
    """For each cap that is set: the smallest value that makes a schedule exist with the
    other settings as they are (see ``SmallestCap``)."""
    out: dict[str, SmallestCap] = {}
    caps = [name for name in ("max_moves", "max_handovers_per_manager", "max_strategic")
            if getattr(settings, name) is not None]
    for name in caps:
        built = WaveModel(problem, scenario, rules, changes, settings, num_waves, relax=name)
        assert built.cap_var is not None
        built.model.minimize(built.cap_var)
        solver = _solver(scenario, built, limit / (2 * len(caps)), counts=True)
        status = solver.solve(built.model)
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        out[name] = SmallestCap(int(solver.value(built.cap_var)) if found else None,
                                status == cp_model.OPTIMAL)
    return out
