"""Solver-free verdict on any assignment: the hard rules, balance excess and continuity cost.

This module is the oracle of every model test and of ``rebalance check``: it uses no solver
and no pandas, only the contract's definitions (docs/architecture.md, "Objectives"):

- balance excess = Σ over staying managers m and metrics k with fair share s > 0 of
  ``weight_k × max(0, |load_mk − s| / s − tolerance_k)``;
- continuity cost = Σ over moved clients of ``importance × (0.5 + relationship)``, where a
  client is moved when its previous manager stays and it now has another manager.

Numbers are recomputed exactly in floating point from the plan; the engine's scaled integers
never enter here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rebalance.contract import excess, move_cost
from rebalance.data import Problem
from rebalance.metrics import outside_band
from rebalance.pools import METRICS, Rules, build_rules, change_kind, client_load
from rebalance.rules import HARD_RULES, Tally, Violation
from rebalance.rules.base import violation as _violation
from rebalance.scenario import Scenario

# Every rule a plan can break, in the order violations are reported: a plan's own defects,
# then the hard rules (``rebalance.rules.HARD_RULES``) in their order.
RULES: tuple[str, ...] = ("unknown_client", "unassigned", "unknown_manager") + tuple(
    code for rule in HARD_RULES for code in rule.codes)



@dataclass(frozen=True)
class Verdict:
    """What ``check`` found: broken rules and the contract's two objective values.

    - ``loads[(manager_id, metric)]``: the plan's load for every manager (leaving ones too);
    - ``shares``, ``devs``, ``excess_terms``: per staying manager and metric; ``devs`` is the
      relative deviation ``(load − share) / share`` (0 when the share is 0) and
      ``excess_terms`` the weighted excess that adds up to ``balance_excess``;
    - ``outside_band``: (manager, metric) pairs whose |dev| exceeds the tolerance;
    - ``moves_lost_per_manager``: staying manager -> number of its clients moved away.
    """

    violations: tuple[Violation, ...]
    balance_excess: float
    continuity_cost: float
    moved: tuple[str, ...]
    loads: Mapping[tuple[str, str], float]
    shares: Mapping[tuple[str, str], float]
    devs: Mapping[tuple[str, str], float]
    excess_terms: Mapping[tuple[str, str], float]
    outside_band: tuple[tuple[str, str], ...]
    moves_lost_per_manager: Mapping[str, int]
    clients_per_manager: Mapping[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the plan breaks no hard rule."""
        return not self.violations

    @property
    def num_moves(self) -> int:
        return len(self.moved)

    def weighted_objective(self, continuity_weight: float) -> float:
        """``balance_excess + continuity_weight × continuity_cost`` (``priorities: null``)."""
        return self.balance_excess + continuity_weight * self.continuity_cost

    def by_rule(self, rule: str) -> tuple[Violation, ...]:
        """The violations of one rule."""
        return tuple(v for v in self.violations if v.rule == rule)


def check(
    problem: Problem,
    scenario: Scenario,
    client_to_manager: Mapping[str, str | None],
    rules: Rules | None = None,
) -> Verdict:
    """Verify ``client_to_manager`` against every hard rule and recompute both objectives.

    Clients missing from the mapping (or mapped to ``None``) are unassigned. Never raises on a
    bad plan: every problem becomes a ``Violation``.
    """
    rules = rules if rules is not None else build_rules(problem, scenario)
    violations: list[Violation] = []
    bands = scenario.balance.bands()

    for client_id in sorted(set(client_to_manager) - set(problem.client_index)):
        violations.append(_violation("unknown_client", client_id))

    loads: dict[tuple[str, str], float] = {
        (m.manager_id, k): 0.0 for m in problem.managers for k in METRICS
    }
    clients_per_manager: dict[str, int] = {m.manager_id: 0 for m in problem.managers}
    moved: list[str] = []
    lost: dict[str, int] = {m.manager_id: 0 for m in problem.managers if m.staying}
    incoming: dict[str, int] = {m.manager_id: 0 for m in problem.managers}
    continuity_cost = 0.0
    per_client = [rule for rule in HARD_RULES if rule.judges_clients]

    for client in problem.clients:
        cid = client.client_id
        mid = client_to_manager.get(cid)
        if mid is None:
            violations.append(_violation("unassigned", cid))
            continue
        if mid not in problem.manager_index:
            violations.append(_violation("unknown_manager", cid, mid))
            continue
        manager = problem.manager(mid)
        clients_per_manager[mid] += 1
        if change_kind(problem, cid, mid) is not None:
            incoming[mid] += 1
        for k in METRICS:
            loads[(mid, k)] += client_load(client, k)

        for rule in per_client:  # the rules judged client by client (eligibility, locks)
            violations.extend(rule.client_violations(scenario, rules, client, manager))

        previous = client.manager
        if previous is not None and previous != mid and problem.manager(previous).staying:
            moved.append(cid)
            lost[previous] += 1
            continuity_cost += move_cost(client)

    tally = Tally(problem, scenario, rules, client_to_manager, clients_per_manager,
                  moved, lost, incoming)
    for rule in HARD_RULES:  # the rules judged on the whole plan (capacity, caps, …)
        violations.extend(rule.violations(tally))

    shares: dict[tuple[str, str], float] = {}
    devs: dict[tuple[str, str], float] = {}
    excess_terms: dict[tuple[str, str], float] = {}
    outside: list[tuple[str, str]] = []
    balance_excess = 0.0
    for m in problem.managers:
        if not m.staying:
            continue
        for k in METRICS:
            key = (m.manager_id, k)
            share = rules.fair_share(m.manager_id, k)
            shares[key] = share
            if share <= 0:
                devs[key], excess_terms[key] = 0.0, 0.0
                continue
            dev = (loads[key] - share) / share
            band = bands[k]
            devs[key] = dev
            excess_terms[key] = excess(dev, band.tolerance, band.weight)
            balance_excess += excess_terms[key]
            if outside_band(dev, band.tolerance):
                outside.append(key)

    violations.sort(key=lambda v: RULES.index(v.rule))  # stable: input order within a rule
    return Verdict(
        violations=tuple(violations),
        balance_excess=balance_excess,
        continuity_cost=continuity_cost,
        moved=tuple(sorted(moved)),
        loads=loads,
        shares=shares,
        devs=devs,
        excess_terms=excess_terms,
        outside_band=tuple(outside),
        moves_lost_per_manager=lost,
        clients_per_manager=clients_per_manager,
    )


def evaluate(
    problem: Problem,
    scenario: Scenario,
    client_to_manager: Mapping[str, str | None],
    rules: Rules | None = None,
) -> tuple[float, float]:
    """(balance excess, continuity cost) of a plan, as the contract defines them."""
    verdict = check(problem, scenario, client_to_manager, rules)
    return verdict.balance_excess, verdict.continuity_cost
