"""Pricing for the column generation of ``scale.colgen``: one manager's best portfolio.

A *portfolio* is the set of clients one manager ends with. Given a value per client (its
move cost at this manager, or nothing, minus the dual price of covering it) and a price per
unit of balance excess, the pricing problem of manager ``m`` is

    min over portfolios P of m:  Σ_{c∈P} value_c + excess_price × excess_m(P)

where ``excess_m(P)`` is the contract's balance excess of m holding P (weighted distance of
each metric's load from the band around m's fair share). Clients fixed to m belong to every
portfolio of m; clients fixed elsewhere, or not eligible here, to none; a capacity caps |P|.

Two solvers: ``improve`` (solver-free: best single add/drop steps from a start, numpy), for
finding good columns fast, and ``solve_exact`` (a small CP-SAT), whose *proven lower bound*
makes the Lagrangian bound of ``scale.colgen`` valid even when it is cut short. Integer
rounding in ``solve_exact`` only ever lowers the model's objective, so that its bound stays a bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from rebalance.scale.ledger import FloatArray, IntArray, Ledger

BoolArray = npt.NDArray[np.bool_]
LOAD_SCALE = 1_000_000  # loads in 1/LOAD_SCALE of the manager's fair share in the CP-SAT model
VALUE_SCALE = 100_000_000  # objective units per unit of value in the CP-SAT model


@dataclass(frozen=True)
class Portfolio:
    """One column: a manager's clients (positions in the ledger), its cost and its excess."""

    manager: int
    clients: IntArray
    cost: float
    excess: float


class Pricer:
    """The pricing problem of one manager of a ledger (see the module docstring)."""

    def __init__(self, ledger: Ledger, manager: int, candidates: IntArray,
                 forced: IntArray) -> None:
        self.manager = manager
        self.candidates = candidates  # clients that may or may not be in a portfolio
        self.forced = forced  # clients fixed to this manager: in every portfolio
        inv = ledger.inv_share[manager]
        self.active = inv > 0
        self.weight = np.where(self.active, ledger.weight, 0.0)
        self.tolerance = ledger.tolerance
        self.rel = ledger.client_load[candidates] * inv  # (n, K) loads in shares
        self.base = (ledger.client_load[forced] * inv).sum(axis=0)
        origin = ledger.origin
        self.move = np.where((origin[candidates] >= 0) & (origin[candidates] != manager),
                             ledger.cost[candidates], 0.0)
        self.forced_cost = float(np.where((origin[forced] >= 0) & (origin[forced] != manager),
                                          ledger.cost[forced], 0.0).sum())
        cap = int(ledger.capacity[manager])
        self.room = max(0, cap - len(forced)) if cap < np.iinfo(np.int64).max else len(candidates)
        self.room = min(self.room, len(candidates))
        self.work = 0.0  # CP-SAT deterministic time of the last exact solve

    # ------------------------------------------------------------------ figures

    def excess(self, load: FloatArray) -> FloatArray:
        """Excess of rows of relative loads (shape (..., K))."""
        over = np.abs(load - 1.0) - self.tolerance
        return np.maximum(over, 0.0) @ self.weight

    def column(self, take: BoolArray) -> Portfolio:
        """The portfolio of the chosen candidates (plus the forced clients)."""
        load = self.base + self.rel[take].sum(axis=0)
        clients = np.sort(np.concatenate([self.forced, self.candidates[take]]))
        return Portfolio(self.manager, clients, self.forced_cost + float(self.move[take].sum()),
                         float(self.excess(load[None, :])[0]))

    def value(self, take: BoolArray, item: FloatArray, excess_price: float) -> float:
        load = self.base + self.rel[take].sum(axis=0)
        return float(item[take].sum()) + excess_price * float(self.excess(load[None, :])[0])

    # ------------------------------------------------------------------ heuristic

    def improve(self, take: BoolArray, item: FloatArray, excess_price: float,
                max_steps: int = 200) -> BoolArray:
        """Best single add/drop steps from ``take`` while one lowers the value (item values
        ``item`` per candidate, ``excess_price`` per unit of excess)."""
        take = take.copy()
        if not len(self.candidates):
            return take
        load = self.base + self.rel[take].sum(axis=0)
        size = int(take.sum())
        for _ in range(max_steps):
            now = float(self.excess(load[None, :])[0])
            sign = np.where(take, -1.0, 1.0)
            after = load[None, :] + sign[:, None] * self.rel
            delta = sign * item + excess_price * (self.excess(after) - now)
            if size >= self.room:
                delta[~take] = np.inf
            best = int(np.argmin(delta))
            if not delta[best] < -1e-9:
                break
            take[best] = not take[best]
            load = load + sign[best] * self.rel[best]
            size += 1 if take[best] else -1
        return take

    # ------------------------------------------------------------------ exact

    def linear_bound(self, item: FloatArray, excess_price: float,
                     near: BoolArray | None = None) -> float:
        """A lower bound of the least value without a solver.

        The excess is convex in the loads, so its tangent at the load of the portfolio
        ``near`` (any subgradient) lies below it everywhere; with the excess replaced by that
        tangent the value is linear in the clients taken, and its minimum (the most negative
        ones, at most ``room`` of them) is a bound, and so is the value with the excess
        dropped (it is never negative)."""
        take = near if near is not None else np.zeros(len(self.candidates), dtype=bool)
        at = self.base + self.rel[take].sum(axis=0)
        dist = np.abs(at - 1.0) - self.tolerance
        slope = np.where(dist > 0, np.sign(at - 1.0), 0.0) * self.weight  # a subgradient
        constant = excess_price * (float(self.excess(at[None, :])[0])
                                   + float(slope @ (self.base - at)))
        per_client = item + excess_price * (self.rel @ slope)
        gains = np.sort(np.minimum(per_client, 0.0))[: self.room]
        # The tangent at an under-band load falls without limit; the excess never goes below
        # 0, so the bound with the excess dropped holds too: the better of the two.
        plain = np.sort(np.minimum(item, 0.0))[: self.room]
        return max(constant + float(gains.sum()), float(plain.sum()))

    def solve_exact(self, item: FloatArray, excess_price: float, seconds: float,
                    hint: BoolArray | None = None,
                    wall: float | None = None) -> tuple[BoolArray, float]:
        """(best portfolio found, proven lower bound of the least value) by CP-SAT within
        ``seconds`` of deterministic time and ``wall`` seconds of the clock, if given (a
        cut-short search still gives a valid bound)."""
        n = len(self.candidates)
        self.work = 0.0
        if n == 0:
            empty = np.zeros(0, dtype=bool)
            return empty, self.value(empty, item, excess_price)
        if excess_price <= 0:
            # No excess term: the value is linear, its minimum the ``room`` most negative
            # items (exact, no solver; the Lagrangian's unpriced trial round is free). Ties
            # at 0 keep the hinted clients that cost nothing here (new or orphaned ones), so
            # that the portfolios can form a plan; a client whose staying previous manager is
            # another is left to that manager.
            held = (hint if hint is not None else np.zeros(n, dtype=bool)) & (self.move == 0)
            order = np.argsort(item - 1e-12 * held, kind="stable")[: self.room]
            take = np.zeros(n, dtype=bool)
            take[order[(item[order] < 0) | ((item[order] <= 0) & held[order])]] = True
            return take, self.value(take, item, 0.0)
        model = cp_model.CpModel()
        x = [model.new_bool_var("") for _ in range(n)]
        if self.room < n:
            model.add(sum(x) <= self.room)
        # Every coefficient is rounded so that the integer objective never exceeds the true
        # value of a portfolio: item values and prices down, the load above the band's top
        # edge from below (loads down, the edge up) and the load below its bottom edge from
        # below too (loads up, the edge down). CP-SAT's proven bound is then a bound of the
        # true least value without an error term (an a-priori term for loads rounded to
        # the nearest unit cost the medium book's 432-client pool ~0.15 of a bound of 4.4).
        coef = np.floor(item * VALUE_SCALE).astype(np.int64)
        objective: list[cp_model.LinearExprT] = [cp_model.LinearExpr.weighted_sum(
            x, coef.tolist())]
        for k in np.flatnonzero(self.weight > 0).tolist():
            scaled = self.rel[:, k] * LOAD_SCALE
            down, up = np.floor(scaled).astype(np.int64), np.ceil(scaled).astype(np.int64)
            base = self.base[k] * LOAD_SCALE
            hi = int(np.ceil((1.0 + self.tolerance[k]) * LOAD_SCALE))
            lo = int(np.floor((1.0 - self.tolerance[k]) * LOAD_SCALE))
            over = cp_model.LinearExpr.weighted_sum(x, down.tolist()) + int(np.floor(base)) - hi
            under = lo - int(np.ceil(base)) - cp_model.LinearExpr.weighted_sum(x, up.tolist())
            top = max(int(np.floor(base)) + int(down[down > 0].sum()) - hi,
                      lo - int(np.ceil(base)) - int(up[up < 0].sum()), 0)
            dist = model.new_int_var(0, top, "")
            model.add(dist >= over)
            model.add(dist >= under)
            # Price per load unit, rounded down: the model's excess term is a lower bound.
            per_unit = int(np.floor(excess_price * self.weight[k] * VALUE_SCALE / LOAD_SCALE))
            objective.append(per_unit * dist)
        model.minimize(sum(objective))
        if hint is not None:
            for var, h in zip(x, hint.tolist(), strict=True):
                model.add_hint(var, bool(h))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        # Presolve is most of the time of these small models: without it a first round on
        # the medium book's pools took 0.30-0.93 s instead of 0.79-2.88 s, same bounds.
        solver.parameters.cp_model_presolve = False
        solver.parameters.max_deterministic_time = max(0.01, seconds)
        if wall is not None:
            solver.parameters.max_time_in_seconds = max(0.01, wall)
        status = solver.solve(model)
        self.work = float(solver.response_proto.deterministic_time)
        bound = solver.best_objective_bound / VALUE_SCALE
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            take = np.array([solver.boolean_value(v) for v in x], dtype=bool)
        else:
            take = hint.copy() if hint is not None else np.zeros(n, dtype=bool)
        return take, max(self.linear_bound(item, excess_price, take),
                         min(bound, self.value(take, item, excess_price)))


def pricers(ledger: Ledger) -> list[Pricer]:
    """One pricing problem per manager of the ledger with a fair share (staying), in order."""
    num_m = len(ledger.manager_ids)
    candidates: list[list[int]] = [[] for _ in range(num_m)]
    forced: list[list[int]] = [[] for _ in range(num_m)]
    for c, options in enumerate(ledger.eligible):
        if ledger.fixed[c] >= 0:
            forced[int(ledger.fixed[c])].append(c)
        else:
            for m in options.tolist():
                candidates[m].append(c)
    return [Pricer(ledger, m, np.array(candidates[m], dtype=np.int64),
                   np.array(forced[m], dtype=np.int64)) for m in range(num_m)]
