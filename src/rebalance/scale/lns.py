"""Large-neighbourhood search: re-solve a few managers at a time with CP-SAT.

A *neighbourhood* is a set of managers of one balancing pool. Its sub-model frees every client
those managers hold (except fixed ones) to move among them; everything else stays put, so the
loads of all other managers, and their excess, are constants. The sub-model is the engine's
model restricted to those clients and managers, in the same units (``rebalance.exact``'s
``DEV_SCALE`` / ``WEIGHT_SCALE``: loads in millionths of the fair share):

- hard rules: every rule of ``rebalance.rules`` over the free clients and the
  neighbourhood's managers, the same objects the whole-pool model uses (what lies outside,
  e.g. the moves made elsewhere, enters as constants);
- ``balance`` mode: minimise the neighbourhood's balance excess, then hold it and minimise
  its continuity cost; ``continuity`` mode: hold the excess at its current value and
  minimise the continuity cost;
- *floor cuts* (optional ``floors``): a client too big for every band (``bounds.oversize``)
  pushes any manager holding it outside by at least its floor, so each manager's excess is
  at least the floors of the clients it holds. Every plan satisfies these cuts (they remove
  no solution), but the LP relaxation does not: without them it splits a big client over
  several managers, spends the excess that client costs anyway on other managers' overflow,
  and proves a weak bound. Measured on a 260-client pool of the medium benchmark book
  (60 s, 2 workers, balance held): continuity bound 88.4 without the cuts, 101.3 with them,
  and a better plan (117.5 against 120.7).

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

from rebalance.contract import COST_SCALE, DEV_SCALE, WEIGHT_SCALE
from rebalance.rules import HARD_RULES, Scope
from rebalance.scale.ledger import IMPROVEMENT_EPSILON, IntArray, Ledger


@dataclass(frozen=True)
class Budget:
    """How long one CP-SAT call may run: wall seconds, or deterministic work (reproducible)."""

    seconds: float
    deterministic: bool = False

    def apply(self, solver: cp_model.CpSolver) -> None:
        if self.deterministic:
            solver.parameters.max_deterministic_time = self.seconds
        else:
            solver.parameters.max_time_in_seconds = self.seconds


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
    """The CP-SAT model of one neighbourhood of the ledger's current plan."""

    def __init__(self, ledger: Ledger, managers: Sequence[int],
                 movable: IntArray | None = None,
                 floors: npt.NDArray[np.float64] | None = None) -> None:
        self.ledger = ledger
        self.managers = np.array(sorted(set(managers)), dtype=np.int64)
        local = {int(m): i for i, m in enumerate(self.managers)}
        on_n = np.flatnonzero(np.isin(ledger.assign, self.managers))
        if movable is None:  # every client of the neighbourhood that is not fixed
            self.clients = on_n[ledger.fixed[on_n] < 0]
        else:  # only these (some may be unplaced); the others stay where they are
            self.clients = np.array(sorted(set(movable.tolist())), dtype=np.int64)
        fixed = np.setdiff1d(on_n, self.clients)
        model = self.model = cp_model.CpModel()

        tolerance_ppm = np.round(ledger.tolerance * DEV_SCALE).astype(np.int64)
        weight = np.round(ledger.weight * WEIGHT_SCALE).astype(np.int64)
        # coef[c, i, k]: client c's load on local manager i for metric k, in ppm of the share.
        inv = ledger.inv_share[self.managers]  # (n, k)
        self._coef = np.rint(DEV_SCALE * ledger.client_load[self.clients][:, None, :]
                             * inv[None, :, :]).astype(np.int64)
        fixed_coef = np.rint(DEV_SCALE * ledger.client_load[fixed][:, None, :]
                             * inv[None, :, :]).astype(np.int64)
        fixed_local = np.array([local[int(m)] for m in ledger.assign[fixed]], dtype=np.int64)
        constant = np.zeros((len(self.managers), len(tolerance_ppm)), dtype=np.int64)
        if len(fixed):
            constant = fixed_coef[np.arange(len(fixed)), fixed_local].reshape(
                len(fixed), -1)
            constant = np.array([constant[fixed_local == i].sum(axis=0)
                                 for i in range(len(self.managers))], dtype=np.int64)
        fixed_count = np.bincount(fixed_local, minlength=len(self.managers))

        # Variables: x[(j, i)] for free client j (position in self.clients), local manager i.
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.options: list[list[int]] = []
        in_n = set(local)
        for j, c in enumerate(self.clients.tolist()):
            opts = [local[m] for m in ledger.eligible[c].tolist() if m in in_n]
            self.options.append(opts)
            for i in opts:
                self.x[(j, i)] = model.new_bool_var("")
        of_manager: list[list[int]] = [[] for _ in self.managers]
        for j, opts in enumerate(self.options):
            for i in opts:
                of_manager[i].append(j)
        self._constrain(fixed, fixed_count, of_manager)

        # Balance excess of each (manager, metric) with a term, in ppm beyond the band.
        self.excess: list[tuple[cp_model.IntVar, int, int, int]] = []  # var, i, k, weight
        balance_terms, balance_coefs = [], []
        self._hi = DEV_SCALE + tolerance_ppm
        self._lo = DEV_SCALE - tolerance_ppm
        self._constant = constant
        for i in range(len(self.managers)):
            for k in range(len(tolerance_ppm)):
                if inv[i, k] <= 0 or weight[k] <= 0:
                    continue
                coefs = [int(self._coef[j, i, k]) for j in of_manager[i]]
                load = cp_model.LinearExpr.weighted_sum(
                    [self.x[(j, i)] for j in of_manager[i]], coefs) + int(constant[i, k])
                most = int(constant[i, k]) + sum(c for c in coefs if c > 0)
                upper = max(most - int(self._hi[k]), int(self._lo[k]) - int(constant[i, k]), 0)
                if upper == 0:
                    continue
                var = model.new_int_var(0, upper, "")
                model.add(var >= load - int(self._hi[k]))
                model.add(var >= int(self._lo[k]) - load)
                self.excess.append((var, i, k, int(weight[k])))
                balance_terms.append(var)
                balance_coefs.append(int(weight[k]))
        self.balance = cp_model.LinearExpr.weighted_sum(balance_terms, balance_coefs)
        if floors is not None:
            self._add_floor_cuts(floors, of_manager, fixed, fixed_local, weight)

        # Continuity: a client whose origin is in the neighbourhood pays when it is not there.
        origin = ledger.origin[self.clients]
        stay_terms, stay_coefs = [], []
        cost_int = np.rint(ledger.cost[self.clients] * COST_SCALE).astype(np.int64)
        self._cost_constant = 0
        for j, o in enumerate(origin.tolist()):
            if o < 0:
                continue
            self._cost_constant += int(cost_int[j])
            stay = self.x.get((j, local[o])) if o in in_n else None
            if stay is not None:  # else moved whatever happens here
                stay_terms.append(stay)
                stay_coefs.append(-int(cost_int[j]))
        self.continuity = (cp_model.LinearExpr.weighted_sum(stay_terms, stay_coefs)
                           + self._cost_constant)

        self._hint_current()

    def _constrain(self, fixed: IntArray, fixed_count: IntArray,
                   of_manager: list[list[int]]) -> None:
        """Every hard rule (``rebalance.rules``) over the free clients and the neighbourhood's
        managers; the rest of the ledger's plan is held as constants."""
        ledger = self.ledger
        cids = [ledger.client_ids[c] for c in self.clients.tolist()]
        mids = [ledger.manager_ids[m] for m in self.managers.tolist()]
        prev = ledger.prev
        origin = ledger.origin[self.clients]
        moved_here = (origin >= 0) & (ledger.assign[self.clients] >= 0) & (
            ledger.assign[self.clients] != origin)
        held_incoming = np.zeros(len(mids), dtype=np.int64)
        if len(fixed):
            on = np.searchsorted(self.managers, ledger.assign[fixed])
            np.add.at(held_incoming, on, (ledger.assign[fixed] != prev[fixed]).astype(np.int64))
        here_lost = np.bincount(origin[moved_here], minlength=len(ledger.manager_ids))
        scope = Scope(
            model=self.model, problem=ledger.problem, scenario=ledger.scenario,
            rules=ledger.rules, clients=cids, managers=mids,
            options={cid: [(mids[i], self.x[(j, i)]) for i in self.options[j]]
                     for j, cid in enumerate(cids)},
            of_manager={mid: [(cids[j], self.x[(j, i)]) for j in of_manager[i]]
                        for i, mid in enumerate(mids)},
            held={mid: int(fixed_count[i]) for i, mid in enumerate(mids)},
            held_incoming={mid: int(held_incoming[i]) for i, mid in enumerate(mids)},
            lost_outside={mid: int(ledger.lost[m] - here_lost[m])
                          for mid, m in zip(mids, self.managers.tolist(), strict=True)},
            moves_outside=ledger.num_moves - int(moved_here.sum()),
            prune=True,
        )
        for rule in HARD_RULES:
            rule.constrain(scope)

    def _add_floor_cuts(self, floors: npt.NDArray[np.float64], of_manager: list[list[int]],
                        fixed: IntArray, fixed_local: IntArray, weight: IntArray) -> None:
        """excess of manager i ≥ Σ floors of the clients it holds, in model units.

        ``floors[c]`` (contract units) is a lower bound on the excess of any manager holding
        client c, additive over the clients held (``bounds.Oversize``). Model loads are
        rounded per client (at most 0.5 unit each, and the band edge by 0.5) and weights to
        ``WEIGHT_SCALE``, so each floor is scaled down by the worst weight rounding and the
        cut gives up ``0.5 × Σ weights`` per client held, plus one: it stays true for every
        plan the model allows.
        """
        ledger = self.ledger
        active = ledger.weight > 0
        ratio = float(np.min(weight[active] / (ledger.weight[active] * WEIGHT_SCALE)))
        scaled = np.floor(floors * DEV_SCALE * WEIGHT_SCALE * min(1.0, ratio)).astype(np.int64)
        per_client = int(np.ceil(0.5 * weight.sum()))  # rounding allowance per client held
        free_floor = scaled[self.clients]
        fixed_floor = scaled[fixed]
        by_manager: dict[int, list[tuple[cp_model.IntVar, int]]] = {}
        for var, i, _k, w in self.excess:
            by_manager.setdefault(i, []).append((var, w))
        for i in range(len(self.managers)):
            held = [j for j in of_manager[i] if free_floor[j] > 0]
            constant = int(fixed_floor[fixed_local == i].sum()) if len(fixed) else 0
            if not held and constant <= 0:
                continue
            count = int((fixed_local == i).sum()) if len(fixed) else 0
            floor = (cp_model.LinearExpr.weighted_sum(
                [self.x[(j, i)] for j in held] + [self.x[(j, i)] for j in of_manager[i]],
                [int(free_floor[j]) for j in held] + [-per_client] * len(of_manager[i]))
                + constant - per_client * (count + 1))
            terms = by_manager.get(i, [])
            excess = cp_model.LinearExpr.weighted_sum([v for v, _ in terms],
                                                      [w for _, w in terms])
            self.model.add(excess >= floor)

    # ------------------------------------------------------------------ values

    def current_balance(self) -> int:
        """The balance expression's value for the ledger's current plan (model units)."""
        return sum(w * v for v, w in zip(self._excess_values(), (e[3] for e in self.excess),
                                         strict=True))

    def _current_local(self) -> IntArray:
        """Local manager of each free client in the ledger's plan (-1: unplaced)."""
        local = {int(m): i for i, m in enumerate(self.managers)}
        return np.array([local.get(int(m), -1) for m in self.ledger.assign[self.clients]],
                        dtype=np.int64)

    def _excess_values(self) -> list[int]:
        current = self._current_local()
        loads = self._constant.copy()
        placed = np.flatnonzero(current >= 0)
        if len(placed):
            np.add.at(loads, current[placed], self._coef[placed, current[placed]])
        out = []
        for _, i, k, _ in self.excess:
            load = int(loads[i, k])
            out.append(max(0, load - int(self._hi[k]), int(self._lo[k]) - load))
        return out

    def _hint_current(self) -> None:
        current = self._current_local().tolist()
        for (j, i), var in self.x.items():
            if current[j] >= 0:
                self.model.add_hint(var, i == current[j])
        if min(current, default=0) < 0:
            return  # a partial plan: hint what is placed, let the solver derive the rest
        for (var, *_), value in zip(self.excess, self._excess_values(), strict=True):
            self.model.add_hint(var, value)

    def hint_from(self, solver: cp_model.CpSolver) -> None:
        """Hint the solver's last solution (to start the next stage from it)."""
        self.model.clear_hints()
        for var in self.x.values():
            self.model.add_hint(var, solver.boolean_value(var))
        for var, *_ in self.excess:
            self.model.add_hint(var, solver.value(var))

    def extract(self, solver: cp_model.CpSolver) -> IntArray:
        """Global manager index of every free client in the solver's solution."""
        out = np.empty(len(self.clients), dtype=np.int64)
        for j, opts in enumerate(self.options):
            out[j] = next(int(self.managers[i]) for i in opts
                          if solver.boolean_value(self.x[(j, i)]))
        return out


def _solver(budget: Budget, seed: int, workers: int = 1) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    budget.apply(solver)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
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
    current = sub.current_balance()
    work = 0.0
    balance_bound: float | None = None
    cost_bound: float | None = None
    status = "UNKNOWN"
    balance_status = "SKIPPED"
    stage_budget = Budget(budget.seconds / 2, budget.deterministic)
    held = current
    if mode == "balance" and current > 0:
        sub.model.minimize(sub.balance)
        solver = _solver(stage_budget, seed, workers)
        code = solver.solve(sub.model)
        work += solver.deterministic_time
        status = balance_status = solver.status_name(code)
        if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            held = min(held, round(solver.objective_value))
            balance_bound = solver.best_objective_bound / DEV_SCALE / WEIGHT_SCALE
            sub.hint_from(solver)
        if code == cp_model.OPTIMAL:  # give the continuity stage what is left
            left = budget.seconds - (solver.deterministic_time if budget.deterministic
                                     else solver.wall_time)
            stage_budget = Budget(max(left, budget.seconds / 2), budget.deterministic)
    else:
        stage_budget = budget
    sub.model.add(sub.balance <= held + round(hold_slack * DEV_SCALE * WEIGHT_SCALE))
    sub.model.minimize(sub.continuity)
    solver = _solver(stage_budget, seed, workers)
    code = solver.solve(sub.model)
    work += solver.deterministic_time
    status = solver.status_name(code)
    improved = False
    balance_after, cost_after = balance_before, cost_before
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        cost_bound = solver.best_objective_bound / COST_SCALE
        new = sub.extract(solver)
        improved, balance_after, cost_after = _apply_if_better(
            ledger, sub.clients, new, rows, balance_before, cost_before, hold_slack)
    return SubSolve(improved, status, balance_status, balance_before, balance_after,
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
