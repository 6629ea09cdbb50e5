"""The intake model: which candidates join, with whom, and (for ``staffing``) which hire
slots are used — together with the rebalancing of the existing book, in one CP-SAT model.

It is the exact engine's model (``exact.Variables`` over the book *and* the candidates,
``exact.Constraints`` with every hard rule of ``rebalance.rules``, ``exact.Objective`` for the
continuity cost) plus what an intake adds:

- ``take[j]`` = Σ_m x[j, m] for every candidate j (at most one manager, none when left out);
  ``required`` candidates have ``take = 1``; ``max_clients`` caps Σ take;
- ``use[h]`` for every hire slot h (a possible new manager of one industry group, fte
  ``hire_fte``): x[c, h] ≤ use[h]; slots of a group are used in order (no symmetric copies);
- the balance excess of the *final* book: a pool's totals ``T`` grow with the candidates it
  takes and its fte ``F`` with the slots it uses, so the fair share ``T × f / F`` is a variable.
  The contract's term ``max(0, |L − share| / share − tolerance)`` is ``v / T`` with
  ``v = max(0, |F·L/f − T| − tolerance·T)`` — linear in the plan (``_pool_metric``). Every
  manager of a pool shares the denominator ``T``, so one CP-SAT product per pool and metric,
  ``E × T ≥ weight × Σ_m v_m``, keeps the objective exact; its relaxation tightens as takes are
  fixed, and the bundled book's balance stage is proven in a fraction of a second (the earlier
  product per manager and candidate was not proven in a minute). ``F × L`` (staffing only)
  is one switched copy of the load per slot (``_product``). The objective counts in the
  contract's ``OBJECTIVE_SCALE``, like every stage.

Integer units: importance and client counts are exact integers; revenue is counted per pool in
units of ``pool revenue / (REVENUE_UNITS_PER_SHARE × managers in the pool)``, as fine as the
exact engine's loads; fte in thousandths, divided by their common factor in each constraint;
``v`` in ``1 / deviation_scale(tolerance)`` of the total, the coarsest that keeps the band
whole (1/100 for the default tolerances): **small coefficients are a matter of correctness**
here — at 1/100,000 the revenue constraints reached 10¹⁰ per client and CP-SAT 9.15's presolve
proved a wrong optimum (tests/test_intake_proof.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rebalance.contract import DEV_SCALE, WEIGHT_SCALE, from_model_units
from rebalance.data import Client, Manager, Problem
from rebalance.exact import Constraints, Objective, ObjectiveWeights, Variables
from rebalance.pools import Rules, client_load
from rebalance.scenario import Scenario
from rebalance.solve import LARGE_POOL_PAIRS

FTE_SCALE = 1_000  # fte in thousandths
# A fair share of revenue is about this many integer units (a client's revenue is rounded to
# 1/100,000 of an average share, as the exact engine's loads are). The deviations' own scale
# (``deviation_scale``) is what keeps the constraints small.
REVENUE_UNITS_PER_SHARE = 100_000
SCORE_SCALE = 100  # scores (points) in hundredths
# Models with more (client, manager) pairs than this, or with intake first, start from the
# greedy intake (a big model may find nothing better in time; with intake first the greedy
# takes are the obvious start); smaller balance-first ones start with no candidate taken,
# which led the balance stage to better plans on the bundled book (11.3 against 33.5 in 30 s).
GREEDY_TAKES_MIN_PAIRS = LARGE_POOL_PAIRS

LinearExprT = cp_model.LinearExprT


@dataclass(frozen=True)
class IntakeBook:
    """What the model decides over: the book, the candidates that may join (as new clients),
    their scores, and the hire slots (possible new managers; empty outside ``staffing``)."""

    problem: Problem  # the existing book plus candidates (manager None) and hire slots
    rules: Rules  # of ``problem``
    candidate_ids: tuple[str, ...]
    scores: Mapping[str, float]  # candidate id -> score (points)
    required: frozenset[str]
    slot_ids: tuple[str, ...]  # hire slots, grouped by industry, in order of use
    start: Mapping[str, str | None] | None = None  # a plan of the existing clients to start from

    @property
    def existing(self) -> tuple[Client, ...]:
        cands = set(self.candidate_ids)
        return tuple(c for c in self.problem.clients if c.client_id not in cands)


class IntakeModel:
    """One CP-SAT model of an intake: variables, hard rules, and the stage objectives
    ``balance``, ``intake`` (−score), ``hires`` (slots used), ``continuity``, ``weighted``."""

    def __init__(self, book: IntakeBook, scenario: Scenario,
                 pools: Sequence[int] | None = None, max_takes: int | None = None) -> None:
        self.book, self.scenario = book, scenario
        problem, rules = book.problem, book.rules
        self.model = cp_model.CpModel()
        # A model of some pools only (a part of the book: ``engine`` solves independent pools
        # apart, as the exact engine does); None = every pool.
        self.pools = tuple(rules.pools if pools is None else (rules.pools[i] for i in pools))
        members = {c for pool in self.pools for c in pool.client_ids}
        in_part = {m for pool in self.pools for m in pool.manager_ids}
        staying = tuple(m for m in problem.managers if m.staying and m.manager_id in in_part)
        clients = tuple(c for c in problem.clients if c.client_id in members)
        existing = tuple(c for c in book.existing if c.client_id in members)
        self.vars = Variables.create(self.model, problem, rules, clients)
        # Candidates are not among the constrained clients: each takes at most one manager
        # (below); capacity and incoming caps still count them through their variables.
        Constraints(self.model, problem, scenario, rules, self.vars, existing,
                    staying).add_all()
        self.objective = Objective(self.model, problem, rules, self.vars,
                                   ObjectiveWeights.from_scenario(scenario), existing, staying)
        self.take: dict[str, cp_model.IntVar] = {}
        for cid in book.candidate_ids:
            if cid not in members:
                continue
            take = self.model.new_bool_var(f"take[{cid}]")
            self.model.add(sum(self.vars.assign[(cid, m)] for m in self.vars.managers_of[cid])
                           == take)
            if cid in book.required:
                self.model.add(take == 1)
            self.take[cid] = take
        # ``max_clients``, or fewer (``max_takes``: one pool's count in ``stages._split``)
        caps = [c for c in (scenario.intake.max_clients, max_takes) if c is not None]
        self.max_takes = min(caps) if caps else None
        if self.max_takes is not None and self.take:
            self.model.add(sum(self.take.values()) <= self.max_takes)
        self.use: dict[str, cp_model.IntVar] = {}
        previous: dict[str, cp_model.IntVar] = {}
        for sid in book.slot_ids:
            if sid not in in_part:
                continue
            use = self.model.new_bool_var(f"use[{sid}]")
            for cid in self.vars.clients_of[sid]:
                self.model.add_implication(self.vars.assign[(cid, sid)], use)
            group = problem.manager(sid).industries[0]
            if group in previous:  # slots of a group are used in order
                self.model.add_implication(use, previous[group])
            previous[group] = use
            self.use[sid] = use
        self._pool_terms: dict[int, list[LinearExprT]] = {}  # pool -> its balance terms
        self.last_plan: dict[str, str] = {}  # the plan of the last stage solved
        self.last_values: dict[str, int] = {}  # every variable's value in it, by name
        self.has_plan = False  # the hint is a complete plan that keeps every rule
        self.stage_value = 0  # the value of the last stage solved (model units)
        self._balance: LinearExprT | None = None
        self._stages: dict[str, LinearExprT] = {}

    # ----------------------------------------------------------------- balance

    def _units(self, pool_index: int, metric: str) -> float:
        """What one integer unit of ``metric`` is worth in pool ``pool_index``."""
        if metric != "revenue":
            return 1.0
        pool = self.book.rules.pools[pool_index]
        cands = set(self.book.candidate_ids)
        base = sum(self.book.problem.client(c).revenue for c in pool.client_ids
                   if c not in cands)
        if base <= 0:
            base = sum(self.book.problem.client(c).revenue for c in pool.client_ids)
        regular = sum(1 for m in pool.manager_ids if m not in self.use)
        return max(base, 1.0) / (REVENUE_UNITS_PER_SHARE * max(regular, 1))

    def _product(self, left: cp_model.IntVar, left_high: int,
                 right: tuple[int, Sequence[tuple[int, cp_model.IntVar]]],
                 name: str) -> cp_model.LinearExpr:
        """left × right where right = constant + Σ coefficient × Boolean: exact and linear,
        with one copy of ``left`` per Boolean (``left`` when it is on, else 0). CP-SAT's own
        product constraint gave wrong bounds on these magnitudes; this needs none."""
        constant, switched = right
        terms: list[cp_model.IntVar] = [left]
        coefs = [constant]
        for n, (coef, flag) in enumerate(switched):
            copy = self.model.new_int_var(0, left_high, f"{name}[{n}]")
            self.model.add(copy == left).only_enforce_if(flag)
            self.model.add(copy == 0).only_enforce_if(~flag)
            terms.append(copy)
            coefs.append(coef)
        return cp_model.LinearExpr.weighted_sum(terms, coefs)

    def balance_excess(self) -> LinearExprT:
        """Σ weight × excess over staying managers and metrics, with variable fair shares:
        ``WEIGHT_GCD × Σ`` over pools and metrics of ``E`` (``_pool_metric``)."""
        if self._balance is not None:
            return self._balance
        problem, scenario = self.book.problem, self.scenario
        cands = set(self.book.candidate_ids)
        bands = {k: b for k, b in scenario.balance.bands().items()
                 if round(b.weight * WEIGHT_SCALE) > 0}
        # every weight carries their common factor: the products stay smaller without it
        common = math.gcd(*(round(b.weight * WEIGHT_SCALE) for b in bands.values())) or 1
        terms: list[LinearExprT] = []
        for metric, band_ in bands.items():
            weight = round(band_.weight * WEIGHT_SCALE) // common
            for pool in self.pools:
                unit = self._units(pool.index, metric)

                def amount(cid: str, metric: str = metric, unit: float = unit) -> int:
                    return round(client_load(problem.client(cid), metric) / unit)

                fixed_total = sum(amount(c) for c in pool.client_ids if c not in cands)
                varying = [(amount(c), self.take[c]) for c in pool.client_ids
                           if c in cands and amount(c) > 0]
                fte_fixed = sum(round(problem.manager(m).fte * FTE_SCALE)
                                for m in pool.manager_ids if m not in self.use)
                slots = [(round(problem.manager(m).fte * FTE_SCALE), self.use[m])
                         for m in pool.manager_ids if m in self.use]
                term = self._pool_metric(pool.index, pool.manager_ids, metric, weight,
                                         band_.tolerance, amount, (fixed_total, varying),
                                         (fte_fixed, slots))
                if term is not None:
                    terms.append(common * term)
                    self._pool_terms.setdefault(pool.index, []).append(common * term)
        self._balance = sum(terms) if terms else 0
        return self._balance

    def _pool_metric(self, pool: int, managers: Sequence[str], metric: str, weight: int,
                     tolerance: float, amount: object,
                     total: tuple[int, Sequence[tuple[int, cp_model.IntVar]]],
                     fte: tuple[int, Sequence[tuple[int, cp_model.IntVar]]]
                     ) -> cp_model.IntVar | None:
        """``E`` ≥ weight × Σ_m excess_m of one pool and metric, in model units ÷ the weights'
        common factor. With ``T`` the pool's total and ``F`` its fte (constants plus Σ amount ×
        take / fte × use), a manager's excess is ``v_m / (DEV_SCALE × T)`` where ``v_m ≥ 0``,
        ``f_m·v_m ≥ DEV·F·L_m − (DEV + band)·f_m·T`` (over) and ``v_m ≥ (DEV − band)·T −
        DEV·F·L_m / f_m`` (under), both linear; so ``E × T ≥ weight × Σ_m v_m``: one product
        per pool and metric, exact, whose relaxation CP-SAT tightens as the takes are fixed."""
        assert callable(amount)
        scale = deviation_scale(tolerance)
        band = round(tolerance * scale)
        weight *= DEV_SCALE // scale  # E counts in model units (1/DEV_SCALE of a share)
        total_low = total[0]
        # no pool takes more than the cap: its total grows by its largest amounts at most (a
        # tighter domain for the product's relaxation, which counts on it)
        amounts = sorted((a for a, _ in total[1]), reverse=True)
        total_high = total[0] + sum(amounts[:self.max_takes])
        if total_high <= 0:
            return None  # nothing in the pool: every share is 0, so is every term
        common = math.gcd(*(round(self.book.problem.manager(m).fte * FTE_SCALE)
                            for m in managers if self.book.problem.manager(m).staying),
                          fte[0], *(f for f, _ in fte[1]))
        fte = (fte[0] // common, [(f // common, u) for f, u in fte[1]])
        fte_high = fte[0] + sum(f for f, _ in fte[1])
        total_expr = cp_model.LinearExpr.weighted_sum(
            [v for _, v in total[1]], [a for a, _ in total[1]]) + total[0]
        deviations: list[cp_model.IntVar] = []
        dev_high = 0  # the largest Σ_m v_m
        for mid in managers:
            manager = self.book.problem.manager(mid)
            if not manager.staying:
                continue
            f_m = round(manager.fte * FTE_SCALE) // common
            clients = self.vars.clients_of[mid]
            coefs = [amount(cid) for cid in clients]
            load_high = sum(c for c in coefs if c > 0)
            load = cp_model.LinearExpr.weighted_sum(
                [self.vars.assign[(cid, mid)] for cid in clients], coefs)
            fte_load: cp_model.LinearExpr
            if fte[1]:  # the pool's fte varies with the hire slots used: F × L
                load_var = self.model.new_int_var(0, load_high, f"load[{mid},{metric}]")
                self.model.add(load_var == load)
                fte_load = self._product(load_var, load_high, fte, f"fl[{mid},{metric}]")
            else:
                fte_load = load * fte[0]
            high = max(-(-scale * fte_high * load_high // max(f_m, 1)),
                       (scale - band) * total_high, 0)
            dev = self.model.new_int_var(0, high, f"dev[{mid},{metric}]")
            over = self.model.add(f_m * dev >= scale * fte_load
                                  - (scale + band) * f_m * total_expr)
            under = self.model.add(f_m * dev >= (scale - band) * f_m * total_expr
                                   - scale * fte_load)
            if mid in self.use:  # an unused slot is no manager: no share, no term
                over.only_enforce_if(self.use[mid])
                under.only_enforce_if(self.use[mid])
                self.model.add(dev == 0).only_enforce_if(~self.use[mid])
            deviations.append(dev)
            dev_high += high
        if not deviations:
            return None
        most = -(-weight * dev_high // max(total_low, 1))
        excess = self.model.new_int_var(0, most, f"excess[{pool},{metric}]")
        if not total[1]:  # a constant total: linear
            self.model.add(total_low * excess >= weight * sum(deviations))
        else:
            t = self.model.new_int_var(total_low, total_high, f"total[{pool},{metric}]")
            self.model.add(t == total_expr)
            product = self.model.new_int_var(0, most * total_high, f"et[{pool},{metric}]")
            self.model.add_multiplication_equality(product, [excess, t])
            self.model.add(product >= weight * sum(deviations))
        return excess

    def pool_stage(self, name: str, pool: int) -> LinearExprT:
        """Stage ``name`` (balance or weighted) counted over one pool only (model units)."""
        self.balance_excess()
        balance = cp_model.LinearExpr.sum(self._pool_terms.get(pool, []))
        if name not in ("balance", "weighted"):
            raise ValueError(f"no pool part of stage {name!r}")
        weight = self.scenario.continuity.weight
        if name == "balance" or weight <= 0:  # as ``stage``: weighted is balance then
            return balance
        members = set(self.book.rules.pools[pool].client_ids)
        return balance + self.objective.continuity_cost(weight, members)

    # ----------------------------------------------------------------- stages

    def intake_score(self) -> LinearExprT:
        """Σ score × take, in hundredths of a point."""
        return sum(round(self.book.scores[c] * SCORE_SCALE) * v for c, v in self.take.items())

    def stage(self, name: str) -> LinearExprT:
        """The (minimised) objective of stage ``name``."""
        if name not in self._stages:
            if name == "balance":
                expr = self.balance_excess()
            elif name == "intake":
                expr = -self.intake_score() if self.take else 0
            elif name == "fewest":  # internal: the fewest takes that keep earlier stages
                expr = sum(self.take.values()) if self.take else 0
            elif name == "hires":
                expr = sum(self.use.values()) if self.use else 0
            elif name == "continuity":
                expr = self.objective.continuity_cost()
            elif name == "weighted":
                weight = self.scenario.continuity.weight
                parts = [self.balance_excess()]
                if weight > 0:
                    parts.append(self.objective.continuity_cost(weight))
                expr = cp_model.LinearExpr.sum(parts)
            else:
                raise ValueError(f"unknown stage {name!r}")
            self._stages[name] = expr
        return self._stages[name]

    def trivial_bound(self, name: str) -> float:
        """A bound every plan meets (when the search proved none): 0, or for ``intake``
        every positive score taken."""
        if name != "intake":
            return 0.0
        return -float(sum(max(0, round(self.book.scores[c] * SCORE_SCALE)) for c in self.take))

    def hint_current(self) -> None:
        """Start from the book's starting plan (``greedy.greedy_intake``: today's plan or its
        greedy repair, plus greedily taken candidates), no slot."""
        start = self.book.start or self.book.problem.current_assignment
        priorities = self.scenario.priorities
        intake_first = priorities is not None and priorities[0] == "intake"
        if len(self.vars.assign) <= GREEDY_TAKES_MIN_PAIRS and not intake_first:
            # small, balance first: no candidate at first
            cands = set(self.take)
            start = {c: m for c, m in start.items() if c not in cands}
        self.vars.hint(self.model, start)
        for cid, var in self.take.items():
            self.model.add_hint(var, start.get(cid) is not None)
            if start.get(cid) is None:  # not taken: none of its variables
                for mid in self.vars.managers_of[cid]:
                    self.model.add_hint(self.vars.assign[(cid, mid)], 0)
        for var in self.use.values():
            self.model.add_hint(var, 0)

    def hint_solution(self, solver: cp_model.CpSolver) -> None:
        """Start the next stage from the solver's last solution: every variable (a complete,
        feasible hint)."""
        self.hint_by_name(self.values_by_name(solver))

    def values_by_name(self, solver: cp_model.CpSolver) -> dict[str, int]:
        """Every variable's value in the solver's solution, by name (names are the same in a
        model of one pool and in a model of the whole book)."""
        solution = solver.response_proto.solution
        return {var.name: int(solution[i]) for i, var in enumerate(self.model.proto.variables)
                if var.name}

    def hint_by_name(self, values: dict[str, int]) -> None:
        """A complete hint from ``values_by_name`` of the parts of the book."""
        self.model.clear_hints()
        for i, var in enumerate(self.model.proto.variables):
            if var.name in values:
                self.model.add_hint(self.model.get_int_var_from_proto_index(i),
                                    values[var.name])

    def extract(self, solver: cp_model.CpSolver) -> dict[str, str]:
        """client_id -> manager_id for every existing client and every taken candidate."""
        return self.vars.extract(solver)


def stage_units(name: str, value: float) -> float:
    """A stage's model value (or bound) as the planner reads it: the intake score in points
    (maximised: the model minimises −score), hires and takes as counts, balance excess and
    continuity cost in the contract's units."""
    if name == "intake":
        return -value / SCORE_SCALE
    if name in ("hires", "fewest"):
        return float(value)
    return from_model_units(value)


def deviation_scale(tolerance: float) -> int:
    """The smallest power of ten (up to ``DEV_SCALE``) that makes ``tolerance × scale`` whole:
    the intake's deviations count in ``1/scale`` of the pool total. Small is what matters:
    with the exact engine's 1/100,000 the revenue constraints reach 10¹⁰ per client and
    CP-SAT 9.15's presolve proved 2.15 "optimal" on a bundled pool where a plan of 0.119
    exists (``tests/test_intake_proof.py`` guards that model by enumeration)."""
    scale = 100
    while scale < DEV_SCALE and abs(tolerance * scale - round(tolerance * scale)) > 1e-9:
        scale *= 10
    return scale


def hire_slots(problem: Problem, groups: Sequence[str], per_group: int, fte: float,
               capacity: int | None, prefix: str = "NEW") -> tuple[Manager, ...]:
    """``per_group`` possible new managers (status ``new``) for each industry group."""
    out = []
    for group in groups:
        for n in range(1, per_group + 1):
            out.append(Manager(manager_id=f"{prefix}-{group}-{n}", industries=(group,),
                               name=f"{prefix}-{group}-{n}", capacity=capacity, fte=fte,
                               status="new"))
    return tuple(out)

