"""The same model as the engine's, solved by HiGHS through OR-Tools' linear solver wrapper.

Same hard rules (one eligible, staying, not forbidden manager per client; locks and
protection; capacities; move caps) and the same lexicographic objectives: first minimise the
balance excess, then hold it (up to a relative 1e-7 of float slack) and minimise the
continuity cost. The model is written in the contract's own floating-point units: a load is
``Σ load_c / share`` (a fraction of the fair share) and ``excess ≥ ±(load − 1) − tolerance``.

The time limit covers both stages: the balance stage may use up to half of it, the continuity
stage the rest (model building counts).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from ortools.linear_solver import pywraplp

from rebalance.contract import move_cost
from rebalance.data import Problem
from rebalance.pools import METRICS, Rules, build_rules, client_load
from rebalance.scenario import Scenario

HOLD_SLACK = 1e-7  # relative slack when holding the balance stage's value (float solver)


@dataclass(frozen=True)
class StageOutcome:
    """What HiGHS reported for one stage."""

    name: str
    status: str
    objective: float | None
    best_bound: float | None
    wall_time: float


@dataclass(frozen=True)
class HighsResult:
    """The plan HiGHS found (empty when none) and what each stage reported."""

    client_to_manager: Mapping[str, str]
    stages: tuple[StageOutcome, ...]
    wall_time: float
    num_variables: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


_STATUS = {
    pywraplp.Solver.OPTIMAL: "OPTIMAL",
    pywraplp.Solver.FEASIBLE: "FEASIBLE",
    pywraplp.Solver.INFEASIBLE: "INFEASIBLE",
    pywraplp.Solver.UNBOUNDED: "UNBOUNDED",
    pywraplp.Solver.ABNORMAL: "ABNORMAL",
    pywraplp.Solver.NOT_SOLVED: "NOT_SOLVED",
    99: "UNKNOWN",  # MPSOLVER_UNKNOWN_STATUS: stopped (time limit) before any plan
}


def solve_highs(problem: Problem, scenario: Scenario, rules: Rules | None = None,
                time_limit: float | None = None) -> HighsResult:
    """Build the MIP, solve balance then continuity with HiGHS, return the last plan found.

    HiGHS starts from nothing: passing a MIP start (``Solver.SetHint``) to HiGHS through
    OR-Tools 9.15's linear solver wrapper crashes the process (segmentation fault, measured
    on the medium book), so the benchmark cannot give it the greedy start the engine uses.
    """
    start = time.monotonic()
    limit = time_limit if time_limit is not None else scenario.solver.time_limit
    rules = rules if rules is not None else build_rules(problem, scenario)
    solver = pywraplp.Solver.CreateSolver("HIGHS")
    if solver is None:  # pragma: no cover - OR-Tools built without HiGHS
        raise RuntimeError("this OR-Tools build has no HiGHS")
    solver.SuppressOutput()
    solver.SetNumThreads(max(1, scenario.solver.workers))

    x: dict[tuple[str, str], pywraplp.Variable] = {}
    of_manager: dict[str, list[tuple[str, pywraplp.Variable]]] = {}
    for client in problem.clients:
        cid = client.client_id
        options = rules.eligible.get(cid, ())
        fixed = rules.fixed.get(cid)
        if fixed is not None:
            options = tuple(m for m in options if m == fixed)
        for mid in options:
            var = solver.BoolVar("")
            x[(cid, mid)] = var
            of_manager.setdefault(mid, []).append((cid, var))
        solver.Add(solver.Sum([x[(cid, mid)] for mid in options]) == 1)

    for manager in problem.managers:
        mid = manager.manager_id
        if manager.capacity is not None and manager.staying and mid in of_manager:
            solver.Add(solver.Sum([v for _, v in of_manager[mid]]) <= manager.capacity)

    movable = [c for c in problem.clients
               if c.manager is not None and problem.manager(c.manager).staying]
    continuity_terms = []
    continuity_constant = 0.0
    stays_of: dict[str, list[pywraplp.Variable]] = {}
    for c in movable:
        cost = move_cost(c)
        continuity_constant += cost
        var = x.get((c.client_id, c.manager or ""))
        if var is not None:
            continuity_terms.append(-cost * var)
            stays_of.setdefault(c.manager or "", []).append(var)
    caps = scenario.continuity
    if caps.max_moves is not None:
        stays = [v for vs in stays_of.values() for v in vs]
        solver.Add(len(movable) - solver.Sum(stays) <= caps.max_moves)
    if caps.max_moves_per_manager is not None:
        losing: dict[str, int] = {}
        for c in movable:
            losing[c.manager or ""] = losing.get(c.manager or "", 0) + 1
        for mid in sorted(losing):
            lost = losing[mid] - solver.Sum(stays_of.get(mid, []))
            solver.Add(lost <= caps.max_moves_per_manager)

    bands = scenario.balance.bands()
    balance_terms = []
    for manager in problem.managers:
        if not manager.staying:
            continue
        mid = manager.manager_id
        for k in METRICS:
            band, share = bands[k], rules.fair_share(mid, k)
            if share <= 0 or band.weight <= 0:
                continue
            excess = solver.NumVar(0.0, solver.infinity(), "")
            load = solver.Sum([client_load(problem.client(cid), k) / share * v
                               for cid, v in of_manager.get(mid, [])])
            solver.Add(excess >= load - 1.0 - band.tolerance)
            solver.Add(excess >= 1.0 - band.tolerance - load)
            balance_terms.append(band.weight * excess)
    balance = solver.Sum(balance_terms)
    continuity = solver.Sum(continuity_terms) + continuity_constant

    objectives = {"balance": balance, "continuity": continuity,
                  "weighted": balance + caps.weight * continuity}
    names: tuple[str, ...] = (("weighted",) if scenario.priorities is None
                              else tuple(scenario.priorities))

    outcomes: list[StageOutcome] = []
    plan: dict[str, str] = {}
    for i, name in enumerate(names):
        left = limit - (time.monotonic() - start)
        share = left / (len(names) - i) if i < len(names) - 1 else left
        if share <= 0:
            outcomes.append(StageOutcome(name, "NOT_RUN", None, None, 0.0))
            break
        solver.SetTimeLimit(max(1, int(share * 1000)))
        solver.Minimize(objectives[name])
        t0 = time.monotonic()
        status = solver.Solve()
        has_plan = status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE)
        value = solver.Objective().Value() if has_plan else None
        bound = solver.Objective().BestBound() if has_plan else None
        outcomes.append(StageOutcome(name, _STATUS.get(status, str(status)), value, bound,
                                     time.monotonic() - t0))
        if not has_plan:
            break
        plan = {cid: mid for (cid, mid), var in x.items() if var.solution_value() > 0.5}
        if i < len(names) - 1 and value is not None:
            solver.Add(objectives[name] <= value + HOLD_SLACK * max(1.0, abs(value)))
    return HighsResult(client_to_manager=plan, stages=tuple(outcomes),
                       wall_time=time.monotonic() - start, num_variables=len(x))
