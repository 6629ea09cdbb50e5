"""The two objectives of the contract, in scaled integers for CP-SAT.

Scaling (the constants and conversions live in ``rebalance.contract``):

- a manager's load of one metric is expressed in **units of 1/100,000 of its fair share**
  (``DEV_SCALE``): client c adds ``round(DEV_SCALE × load_c / share_m)`` to manager m, so a
  relative deviation of 0.123 is 12 300 and the band ``± tolerance`` is
  ``round(tolerance × DEV_SCALE)``; this is what turns every term's ``1 / share`` factor into
  integer coefficients, whatever the currency of revenue;
- weights are rounded to thousandths (``WEIGHT_SCALE``);
- so every objective in the model counts in units of ``1 / OBJECTIVE_SCALE`` (10⁻⁸) of the
  contract's value: balance excess = Σ ``round(weight × 1000) × excess``; a moved client
  costs ``round(importance × (0.5 + relationship) × 10⁸)``.

``to_model_units`` / ``from_model_units`` convert. Why 10⁵ and not finer: rounding a client's
load costs at most 0.5 units, so a manager with 40 clients is measured within 2×10⁻⁴ of a
relative deviation (the model's balance excess stays within 0.1 % of ``check``'s exact
figure), while a finer grid makes the solver separate plans that differ by a few yuan: the
proof gets much slower (subset-sum-like) and the continuity stage is robbed of ties it could
use to keep relationships. Magnitudes stay far below 2⁶²: a term is bounded by
``DEV_SCALE × (pool fte / manager fte) × weight × 1000``, ~2×10¹² for 1,800 equal managers
and weight 10, times 5,400 terms ≈ 10¹⁶.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rebalance.contract import DEV_SCALE, WEIGHT_SCALE, move_cost, to_model_units
from rebalance.data import Client, Manager, Problem
from rebalance.exact.held import Held
from rebalance.exact.variables import Variables
from rebalance.pools import METRICS, Rules, client_load
from rebalance.scenario import Scenario


@dataclass(frozen=True)
class BalanceTerm:
    """What one metric contributes: no penalty within ±tolerance, then weight per unit."""

    metric: str
    tolerance: float
    weight: float


@dataclass(frozen=True)
class ObjectiveWeights:
    """The objective as data: balance terms and the continuity weight (priorities: null)."""

    balance: tuple[BalanceTerm, ...]
    continuity: float

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ObjectiveWeights:
        bands = scenario.balance.bands()
        return cls(
            balance=tuple(BalanceTerm(k, bands[k].tolerance, bands[k].weight) for k in METRICS),
            continuity=scenario.continuity.weight,
        )


def load_units(client: Client, metric: str, share: float) -> int:
    """A client's load of ``metric`` on a manager with fair share ``share``, in model units
    (``1 / DEV_SCALE`` of the share, rounded per client)."""
    return round(DEV_SCALE * client_load(client, metric) / share)


class Objective:
    """Builds the balance-excess and continuity-cost expressions (terms with weight > 0 only).

    ``excess[(manager_id, metric)]`` holds the excess variable of every built balance term: how
    far the load lies beyond the tolerance band, in ``1/DEV_SCALE`` of the fair share.
    ``held`` (a neighbourhood of the scale engine) adds the held clients' loads as constants.
    """

    def __init__(
        self,
        model: cp_model.CpModel,
        problem: Problem,
        rules: Rules,
        variables: Variables,
        weights: ObjectiveWeights,
        clients: tuple[Client, ...],
        managers: tuple[Manager, ...],
        held: Held | None = None,
    ) -> None:
        self.model = model
        self.held = held if held is not None else Held()
        self._neighbourhood = held is not None
        self.problem = problem
        self.clients = clients
        self.managers = managers
        self.rules = rules
        self.vars = variables
        self.weights = weights
        self.excess: dict[tuple[str, str], cp_model.IntVar] = {}
        # How each excess variable is defined: (coefficient per client, held load, lower edge,
        # upper edge)
        self._bands: dict[tuple[str, str], tuple[dict[str, int], int, int, int]] = {}
        self._weight_of: dict[tuple[str, str], int] = {}  # excess key -> objective coefficient
        self._balance: cp_model.LinearExpr | None = None

    def balance_excess(self) -> cp_model.LinearExpr:
        """Σ weight × excess over staying managers and metrics (built once)."""
        if self._balance is None:
            terms: list[cp_model.LinearExprT] = []
            coefs: list[int] = []
            for manager, term in self._term_order():
                weight = round(term.weight * WEIGHT_SCALE)
                var = self._excess_var(manager.manager_id, term)
                if var is not None:
                    terms.append(var)
                    coefs.append(weight)
                    self._weight_of[(manager.manager_id, term.metric)] = weight
            self._balance = cp_model.LinearExpr.weighted_sum(terms, coefs)
        return self._balance

    def _term_order(self) -> list[tuple[Manager, BalanceTerm]]:
        """The (staying manager, weighted metric) terms in the order their variables are made.

        The order is the search's, not the optimum's: CP-SAT walks variables in creation order,
        so it decides which of equally good plans a whole pool ends on and how far a budget
        gets. Whole pools go metric by metric, neighbourhoods manager by manager — the orders
        every figure of docs/engine.md and docs/scale.md was measured with (the other order
        gives other, not better, plans: docs/scale.md, "One model builder")."""
        terms = [t for t in self.weights.balance if round(t.weight * WEIGHT_SCALE) > 0]
        managers = [m for m in self.managers if m.staying]
        if self._neighbourhood:
            return [(m, t) for m in managers for t in terms]
        return [(m, t) for t in terms for m in managers]

    def continuity_cost(self, weight: float = 1.0,
                        only: Collection[str] | None = None) -> cp_model.LinearExpr:
        """weight × Σ over clients that may count as moved of cost × (1 − stays); ``only``:
        over these clients only (one pool of a model of several)."""
        constant = 0
        stays: list[cp_model.LinearExprT] = []
        coefs: list[int] = []
        for client, cost in self._move_costs(weight):
            if only is not None and client.client_id not in only:
                continue
            constant += cost
            var = self.vars.x(client.client_id, client.manager)
            if var is not None:
                stays.append(var)
                coefs.append(-cost)
        return cp_model.LinearExpr.weighted_sum(stays, coefs) + constant

    def _move_costs(self, weight: float) -> list[tuple[Client, int]]:
        """(client, cost of moving it) for clients whose move costs something."""
        out = []
        for client in self.clients:
            if client.manager is None or not self.problem.manager(client.manager).staying:
                continue  # new clients and clients of leaving managers move for free
            cost = to_model_units(weight * move_cost(client))
            if cost > 0:
                out.append((client, cost))
        return out

    def value_of(self, stage_name: str, client_to_manager: Mapping[str, str | None]) -> int:
        """A stage objective of a plan, exactly as the model counts it (model units)."""
        balance = sum(self._weight_of[key] * value
                      for key, value in self.excess_values(client_to_manager).items()
                      if key in self._weight_of)
        if stage_name == "balance":
            return balance
        weight = 1.0 if stage_name == "continuity" else self.weights.continuity
        continuity = sum(cost for client, cost in self._move_costs(weight)
                         if client_to_manager.get(client.client_id) != client.manager)
        if stage_name == "continuity":
            return continuity
        return balance + (continuity if weight > 0 else 0)

    def weighted(self) -> cp_model.LinearExpr:
        """balance excess + continuity.weight × continuity cost, on the common scale."""
        expr = self.balance_excess()
        if self.weights.continuity > 0:
            expr = expr + self.continuity_cost(self.weights.continuity)
        return expr

    def _excess_var(self, manager_id: str, term: BalanceTerm) -> cp_model.IntVar | None:
        """excess ≥ |load − share| − tolerance × share, in DEV_SCALE units of the share; None
        when the share is 0 or no plan can leave the band."""
        share = self.rules.fair_share(manager_id, term.metric)
        if share <= 0:
            return None
        clients = self.vars.clients_of[manager_id]
        coefs = [load_units(self.problem.client(cid), term.metric, share) for cid in clients]
        held = self.held.load.get((manager_id, term.metric), 0)
        load = cp_model.LinearExpr.weighted_sum(
            [self.vars.assign[(cid, manager_id)] for cid in clients], coefs
        )
        if held:
            load = load + held
        band = round(term.tolerance * DEV_SCALE)
        most_over = held + sum(c for c in coefs if c > 0) - DEV_SCALE - band  # all on m
        most_under = DEV_SCALE - band - held  # no free client on m
        upper = max(most_over, most_under)
        if upper <= 0:
            return None
        var = self.model.new_int_var(0, upper, f"excess[{manager_id},{term.metric}]")
        if most_over > 0:
            self.model.add(var >= load - (DEV_SCALE + band))
        if most_under > 0:
            self.model.add(var >= (DEV_SCALE - band) - load)
        self.excess[(manager_id, term.metric)] = var
        self._bands[(manager_id, term.metric)] = (
            dict(zip(clients, coefs, strict=True)), held, DEV_SCALE - band, DEV_SCALE + band
        )
        return var

    def add_floor_cuts(self, floors: Mapping[str, float]) -> None:
        """excess of each manager ≥ Σ floors of the clients it holds, in model units.

        ``floors[c]`` (contract units) is a lower bound on the excess of any manager holding
        client c, additive over the clients held (``scale.bounds.Oversize``). Every plan
        satisfies these cuts (they remove no solution), but the LP relaxation does not:
        without them it splits a big client over several managers and proves a weak bound
        (docs/scale.md). Model loads are rounded per client (at most 0.5 unit each, and the
        band edge by 0.5) and weights to ``WEIGHT_SCALE``, so each floor is scaled down by the
        worst weight rounding and the cut gives up ``0.5 × Σ weights`` per client held, plus
        one: it stays true for every plan the model allows. Call after ``balance_excess``.
        """
        weights = [(round(term.weight * WEIGHT_SCALE), term.weight)
                   for term in self.weights.balance]
        ratio = min((w / (weight * WEIGHT_SCALE) for w, weight in weights if weight > 0),
                    default=1.0)
        factor = DEV_SCALE * WEIGHT_SCALE * min(1.0, ratio)

        def scaled(floor: float) -> int:
            return math.floor(floor * factor)

        per_client = math.ceil(0.5 * sum(w for w, _ in weights))  # rounding allowance
        by_manager: dict[str, list[tuple[cp_model.IntVar, int]]] = {}
        for key, var in self.excess.items():
            by_manager.setdefault(key[0], []).append((var, self._weight_of[key]))
        for manager in self.managers:
            mid = manager.manager_id
            clients = self.vars.clients_of[mid]
            with_floor = [cid for cid in clients if scaled(floors.get(cid, 0.0)) > 0]
            constant = sum(scaled(f) for f in self.held.floors.get(mid, ()))
            if not with_floor and constant <= 0:
                continue
            count = self.held.count.get(mid, 0)
            x = self.vars.assign
            floor = (cp_model.LinearExpr.weighted_sum(
                [x[(cid, mid)] for cid in with_floor] + [x[(cid, mid)] for cid in clients],
                [scaled(floors[cid]) for cid in with_floor] + [-per_client] * len(clients))
                + constant - per_client * (count + 1))
            terms = by_manager.get(mid, [])
            excess = cp_model.LinearExpr.weighted_sum([v for v, _ in terms],
                                                      [w for _, w in terms])
            self.model.add(excess >= floor)

    def excess_values(self, client_to_manager: Mapping[str, str | None]) -> dict[
            tuple[str, str], int]:
        """The value every excess variable takes under a plan (to complete a hint)."""
        values: dict[tuple[str, str], int] = {}
        for (mid, metric), (coefs, held, low, high) in self._bands.items():
            load = held + sum(a for cid, a in coefs.items() if client_to_manager.get(cid) == mid)
            values[(mid, metric)] = max(0, load - high, low - load)
        return values
