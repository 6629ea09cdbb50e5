"""Why a candidate was left out, proven rather than guessed: one counterfactual solve each.

When balance comes before intake in the priorities, a candidate that passes the filters and
scores above zero is left out for one of three reasons, and a solve of its pool with the
candidate *forced in* (balance stage only, no ``max_clients``: a relaxation, so what it proves
holds with the cap too) tells which:

- no plan keeps the hard rules with it (``intake.reason.no_room`` when every manager of the
  pool is at capacity, else ``intake.reason.no_plan``);
- the pool's best balance with it is worse than without it: ``intake.reason.balance_cost``
  with both figures (the bound proves it);
- it keeps the balance, and ``max_clients`` is used up: since the intake stage is proven, any
  set with it scores no more in total or costs balance (``intake.reason.cap_swap``); an
  unproven intake stage only says the search left it out (``intake.reason.search_left``).

A solve that proves neither within its share of work says so (``intake.reason.unproven``);
pools too big for one solve to prove anything, and candidates past ``TOTAL_WORK``, are
left unexplained (``intake.reason.unexplained``) rather than given a guessed reason. Pools are
solved apart (``IntakeModel(pools=[p])``), fast with the one-product-per-pool model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from ortools.sat.python import cp_model

from rebalance.contract import HOLD_SLACK, from_model_units, to_model_units
from rebalance.intake.model import IntakeBook, IntakeModel
from rebalance.scenario import Scenario
from rebalance.solve import LARGE_POOL_PAIRS, configured_solver

# (catalog key, values): rendered by intake.table with the score in front
Reason = tuple[str, dict[str, object]]
# CP-SAT's deterministic work (about a second each here), never wall time: the reasons must
# come out the same every run, whatever the machine's load
WORK_PER_SOLVE = 2.0  # at most, per counterfactual
TOTAL_WORK = 30.0  # at most, for all of them (later ones: ``intake.reason.unexplained``)
NO_WALL_LIMIT = 1e9  # seconds


class _Solves:
    """The counterfactual solves of one run, under one deterministic work budget."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario, self.work = scenario, 0.0

    @property
    def spent(self) -> bool:
        return self.work >= TOTAL_WORK

    def _solver(self, built: IntakeModel) -> cp_model.CpSolver:
        return configured_solver(self.scenario.solver, len(built.vars.assign), NO_WALL_LIMIT,
                                 WORK_PER_SOLVE)

    def best_balance(self, built: IntakeModel) -> int | None:
        """The pool model's best balance found (model units), None without a plan."""
        expr = built.stage("balance")
        built.model.minimize(expr)
        solver = self._solver(built)
        status = solver.solve(built.model)
        self.work += solver.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return int(solver.value(expr))

    def status(self, built: IntakeModel) -> int:
        """CP-SAT's status for the pool model as it stands (no objective)."""
        solver = self._solver(built)
        status = int(solver.solve(built.model))
        self.work += solver.deterministic_time
        return status


def _no_room(ibook: IntakeBook, pool_index: int) -> bool:
    """Every manager of the pool has a capacity and together they hold no more than the
    pool's existing clients: no candidate fits without a new hire."""
    pool = ibook.rules.pools[pool_index]
    managers = [ibook.problem.manager(m) for m in pool.manager_ids
                if ibook.problem.manager(m).staying and m not in ibook.slot_ids]
    if any(m.capacity is None for m in managers):
        return False
    existing = sum(1 for c in pool.client_ids if c not in set(ibook.candidate_ids))
    return sum(m.capacity or 0 for m in managers) <= existing


def why_left_out(ibook: IntakeBook, scenario: Scenario, names: Sequence[str],
                 plan: Mapping[str, str], intake_proven: bool) -> dict[str, Reason]:
    """candidate id -> proven reason for every open candidate with a positive score that
    ``plan`` leaves out; empty unless balance comes before intake."""
    if "balance" not in names or "intake" not in names:
        return {}
    if names.index("balance") > names.index("intake"):
        return {}
    solves = _Solves(scenario)
    cap = scenario.intake.max_clients
    cap_used = cap is not None and sum(1 for c in ibook.candidate_ids if c in plan) >= cap
    slack = to_model_units(HOLD_SLACK)  # as the run holds a stage
    # the required candidates are taken anyway: no need to force them here; the cap is
    # left out (a relaxation, so what the solves prove holds with it)
    free = replace(ibook, required=frozenset(), start=None)
    uncapped = scenario.model_copy(update={
        "intake": scenario.intake.model_copy(update={"max_clients": None})})
    out: dict[str, Reason] = {}
    for pool in ibook.rules.pools:
        left = [c for c in ibook.candidate_ids if c in pool.client_ids and c not in plan
                and ibook.scores[c] > 0]
        if not left:
            continue
        pairs = sum(len(ibook.rules.eligible[c]) for c in pool.client_ids)
        if pairs > LARGE_POOL_PAIRS:  # a pool for the scale engine: one solve is no proof
            out.update({c: ("intake.reason.unexplained", {}) for c in left})
            continue
        group = "/".join(pool.industries)
        without = solves.best_balance(IntakeModel(free, uncapped, [pool.index]))
        if without is None:
            continue  # no plan of the pool in time: nothing to compare with
        for cid in left:
            if solves.spent:
                out[cid] = ("intake.reason.unexplained", {})
                continue
            # with it, can the pool keep the balance it has without it? (a yes/no question:
            # far quicker to settle than the best balance with it)
            built = IntakeModel(free, uncapped, [pool.index])
            built.model.add(built.take[cid] == 1)
            built.model.add(built.stage("balance") <= without + slack)
            status = solves.status(built)
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                # the intake stage, proven, is what makes this a reason: the best total score
                # that keeps the balance and the cap was reached without it
                out[cid] = (("intake.reason.cap_swap", {"cap": cap})
                            if cap_used and intake_proven else
                            ("intake.reason.search_left", {}))
            elif status == cp_model.INFEASIBLE:
                alone = IntakeModel(free, uncapped, [pool.index])
                alone.model.add(alone.take[cid] == 1)
                if solves.status(alone) == cp_model.INFEASIBLE:
                    key = ("intake.reason.no_room" if _no_room(ibook, pool.index)
                           else "intake.reason.no_plan")
                    out[cid] = (key, {"group": group})
                else:
                    out[cid] = ("intake.reason.balance_cost", {
                        "group": group, "without": f"{from_model_units(without):.4f}"})
            else:
                out[cid] = ("intake.reason.unproven", {"work": f"{WORK_PER_SOLVE:g}"})
    return out
