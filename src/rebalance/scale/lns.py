"""Large-neighbourhood search: re-solve a few managers at a time with CP-SAT.

A *neighbourhood* is a set of managers of one balancing pool. Its model frees every client
those managers hold (except fixed ones) to move among them; everything else stays put, so the
loads of all other managers, and their excess, are constants. The model is the exact engine's
own (``exact.RebalanceModel``: the same variables, hard rules and objective terms, in the same
units) over the free clients and the neighbourhood's managers, with the rest of the plan
passed in as ``exact.Held`` constants:

- ``balance`` mode: minimise the neighbourhood's balance excess, then hold it and minimise
  its continuity cost; ``continuity`` mode: hold the excess at its current value and
  minimise the continuity cost;
- *floor cuts* (optional ``floors``, ``Objective.add_floor_cuts``): a client too big for
  every band (``bounds.oversize``) pushes any manager holding it outside by at least its
  floor. Measured on a 260-client pool of the medium benchmark book (60 s, 2 workers,
  balance held): continuity bound 88.4 without the cuts, 101.3 with them, and a better plan
  (117.5 against 120.7).

A sub-solve starts from the current plan (a complete hint), so it never returns worse. The
result is re-priced in floating point (``Ledger``) and applied only when it is
lexicographically better in the contract's own numbers.

With one CP-SAT worker and a deterministic time limit per sub-solve, a search is
deterministic: the same inputs, seed and work budget give the same plan.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from rebalance.contract import from_model_units, move_cost, to_model_units
from rebalance.exact.builder import Part, RebalanceModel
from rebalance.exact.held import Held
from rebalance.exact.objective import load_units
from rebalance.pools import METRICS
from rebalance.scale.ledger import IMPROVEMENT_EPSILON, IntArray, Ledger
from rebalance.staged import Budget, hold, new_solver, solve_stage

__all__ = ["SubModel", "SubSolve", "solve_neighbourhood"]


@dataclass(frozen=True)
class SubSolve:
    """What one neighbourhood solve did."""

    improved: bool
    status: str  # CP-SAT status of the last stage solved
    balance_status: str  # of the balance stage ("SKIPPED" when there was none)
    balance_before: float
    balance_after: float
    cost_before: float
    cost_after: float
    balance_bound: float | None  # contract units; a bound of the neighbourhood only
    cost_bound: float | None
    wall_time: float
    work: float  # CP-SAT deterministic time used


class SubModel:
    """The exact model of one neighbourhood of the ledger's current plan."""

    def __init__(self, ledger: Ledger, managers: Sequence[int],
                 floors: npt.NDArray[np.float64] | None = None) -> None:
        self.ledger = ledger
        self.managers = np.array(sorted(set(managers)), dtype=np.int64)
        on_n = np.flatnonzero(np.isin(ledger.assign, self.managers))
        self.clients = on_n[ledger.fixed[on_n] < 0]  # every client here that is not fixed
        problem = ledger.problem
        self.client_ids = [ledger.client_ids[c] for c in self.clients.tolist()]
        self.manager_ids = [ledger.manager_ids[m] for m in self.managers.tolist()]
        part = Part(0, tuple(problem.client(cid) for cid in self.client_ids),
                    tuple(problem.manager(mid) for mid in self.manager_ids))
        held = self._held(on_n[ledger.fixed[on_n] >= 0], floors)
        self.built = RebalanceModel(problem, ledger.scenario, ledger.rules, part, held=held)
        self.model = self.built.model
        self.balance = self.built.stage("balance").expr
        self.continuity = self.built.stage("continuity").expr
        if floors is not None:
            self.built.objective.add_floor_cuts(
                dict(zip(self.client_ids, floors[self.clients].tolist(), strict=True)))
        # The model prices every move from a staying manager; the ledger (one pool) counts
        # moves from managers outside it as fixed, so its bounds leave them out.
        origins = ledger.origin[self.clients].tolist()
        self.cost_outside = sum(
            move_cost(client) for client, origin in zip(part.clients, origins, strict=True)
            if origin < 0 and client.manager is not None
            and problem.manager(client.manager).staying)
        self.built.hint_plan(self.plan())

    def _held(self, fixed: IntArray, floors: npt.NDArray[np.float64] | None) -> Held:
        """The rest of the ledger's plan as the model's constants."""
        ledger, problem = self.ledger, self.ledger.problem
        load: dict[tuple[str, str], int] = {}
        count: dict[str, int] = {}
        incoming: dict[str, int] = {}
        held_floors: dict[str, list[float]] = {}
        for c in fixed.tolist():
            mid = ledger.manager_ids[int(ledger.assign[c])]
            client = problem.client(ledger.client_ids[c])
            for metric in METRICS:
                share = ledger.rules.fair_share(mid, metric)
                if share > 0:
                    load[(mid, metric)] = (load.get((mid, metric), 0)
                                           + load_units(client, metric, share))
            count[mid] = count.get(mid, 0) + 1
            incoming[mid] = incoming.get(mid, 0) + int(ledger.assign[c] != ledger.prev[c])
            if floors is not None:
                held_floors.setdefault(mid, []).append(float(floors[c]))
        origin = ledger.origin[self.clients]
        moved_here = (origin >= 0) & (ledger.assign[self.clients] >= 0) & (
            ledger.assign[self.clients] != origin)
        here_lost = np.bincount(origin[moved_here], minlength=len(ledger.manager_ids))
        return Held(
            load=load, count=count, incoming=incoming,
            lost_outside={mid: int(ledger.lost[m] - here_lost[m])
                          for mid, m in zip(self.manager_ids, self.managers.tolist(),
                                            strict=True)},
            moves_outside=ledger.num_moves - int(moved_here.sum()),
            floors={mid: tuple(f) for mid, f in held_floors.items()},
        )

    def plan(self) -> dict[str, str]:
        """The free clients' managers in the ledger's current plan."""
        ids = self.ledger.manager_ids
        return {cid: ids[int(m)] for cid, m in zip(self.client_ids,
                                                   self.ledger.assign[self.clients].tolist(),
                                                   strict=True)}

    def current_balance(self) -> int:
        """The balance expression's value for the ledger's current plan (model units)."""
        return self.built.objective.value_of("balance", self.plan())

    def decisions(self) -> list[cp_model.IntVar]:
        """The variables that carry a solution to the next stage's hint."""
        return self.built.decisions()

    def extract(self, solver: cp_model.CpSolver) -> IntArray:
        """Global manager index of every free client in the solver's solution."""
        index = dict(zip(self.manager_ids, self.managers.tolist(), strict=True))
        plan = self.built.extract(solver)
        return np.array([index[plan[cid]] for cid in self.client_ids], dtype=np.int64)


def _solver(budget: Budget, seed: int, workers: int = 1) -> cp_model.CpSolver:
    solver = new_solver(budget, seed, workers)
    # The LP with cuts at every node: proves small neighbourhoods in a fraction of the time
    # the default needs (measured: a 43-client pool, 0.2 s instead of > 20 s).
    solver.parameters.linearization_level = 2
    return solver


def solve_neighbourhood(ledger: Ledger, managers: Sequence[int], mode: str, budget: Budget,
                        seed: int = 0, workers: int = 1, hold_slack: float = 0.0,
                        floors: npt.NDArray[np.float64] | None = None) -> SubSolve:
    """Re-solve ``managers``' clients; apply the result to ``ledger`` if it is better.

    ``mode`` is ``"balance"`` (lower the excess, then the cost at that excess) or
    ``"continuity"`` (lower the cost, excess held). The budget is split between the stages.
    ``hold_slack`` (contract units) lets the continuity stage use plans whose excess is up to
    that much above the balance stage's (the engine's ``HOLD_SLACK``: such plans count as
    equally balanced); LNS steps leave it at 0 so that the excess cannot creep up.
    ``floors`` (per client, contract units) adds the floor cuts (see the module docstring).
    """
    start = time.monotonic()
    sub = SubModel(ledger, managers, floors=floors)
    rows = sub.managers
    balance_before = float(ledger.excess_rows(ledger.load[rows], rows).sum())
    cost_before = _cost_of(ledger, sub.clients)
    held = sub.current_balance()
    work = 0.0
    balance_bound: float | None = None
    balance_status = "SKIPPED"
    stage_budget = budget
    if mode == "balance" and held > 0:
        first = solve_stage(sub.model, sub.balance, _solver(budget.times(0.5), seed, workers),
                            rehint=sub.decisions())
        work += first.work
        balance_status = first.status_name
        if first.value is not None and first.bound is not None:
            held = min(held, first.value)
            balance_bound = from_model_units(first.bound)
        stage_budget = budget.times(0.5)
        if first.status == cp_model.OPTIMAL:  # give the continuity stage what is left
            used = first.work if budget.deterministic else first.wall_time
            stage_budget = Budget.of(max(budget.amount - used, budget.amount / 2),
                                     budget.deterministic)
    hold(sub.model, sub.balance, held, to_model_units(hold_slack))
    found: list[IntArray] = []
    last = solve_stage(sub.model, sub.continuity, _solver(stage_budget, seed, workers),
                       on_found=lambda solver: found.append(sub.extract(solver)))
    work += last.work
    improved = False
    balance_after, cost_after = balance_before, cost_before
    cost_bound: float | None = None
    if found and last.bound is not None:
        cost_bound = from_model_units(last.bound) - sub.cost_outside
        improved, balance_after, cost_after = _apply_if_better(
            ledger, sub.clients, found[0], rows, balance_before, cost_before, hold_slack)
    return SubSolve(improved, last.status_name, balance_status, balance_before, balance_after,
                    cost_before, cost_after, balance_bound, cost_bound,
                    time.monotonic() - start, work)


def _cost_of(ledger: Ledger, clients: IntArray) -> float:
    origin = ledger.origin[clients]
    moved = (origin >= 0) & (ledger.assign[clients] != origin)
    return float(ledger.cost[clients][moved].sum())


def _apply_if_better(ledger: Ledger, clients: IntArray, new: IntArray, rows: IntArray,
                     balance_before: float, cost_before: float,
                     hold_slack: float = 0.0) -> tuple[bool, float, float]:
    """Apply ``new`` to ``clients``; keep it only if lexicographically better (float), an
    excess within ``hold_slack`` of the old one counting as equal."""
    old = ledger.assign[clients].copy()
    changed = np.flatnonzero(old != new)
    if not len(changed):
        return False, balance_before, cost_before
    for j in changed.tolist():
        ledger.place(int(clients[j]), int(new[j]))
    balance_after = float(ledger.excess_rows(ledger.load[rows], rows).sum())
    cost_after = _cost_of(ledger, clients)
    better = (balance_after < balance_before - IMPROVEMENT_EPSILON
              or (balance_after <= balance_before + hold_slack + IMPROVEMENT_EPSILON
                  and cost_after < cost_before - IMPROVEMENT_EPSILON))
    if not better:
        for j in changed.tolist():
            ledger.place(int(clients[j]), int(old[j]))
        return False, balance_before, cost_before
    return True, balance_after, cost_after
