"""What undoing a change would do to a plan, in numbers the solver-free checker recomputes.

Reasons (``report.reasons``) are sentences about the *final* plan: "undoing this move alone
would leave KM003 below its revenue band and raise the balance excess by 0.42". This module
computes those numbers without a solver. A ``Ledger`` holds the plan's loads, shares and
bands (taken from ``check.check``'s verdict); ``Ledger.what_if(changes)`` re-assigns a few
clients and returns, for every manager × metric whose load changes, the load and deviation
before and after, the change in balance excess, and the first hard rule the change would
break. Only the touched managers are recomputed, so one question costs O(clients changed);
``tests/test_reasons.py`` re-runs ``check`` on the changed plan and compares every number.

Exchanges: moves (kind ``move``) that only make sense together. A *swap* is every move between
two managers when clients go both ways; a *chain* is three managers each giving to the next
and the last giving back to the first (a → b → c → a), on directions no swap took. Each is
one exchange; its moves share an ``exchange`` id (``E1``, ``E2`` … in the order of their
smallest client id). Longer loops are not grouped: their moves are explained one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rebalance.check import Verdict, check
from rebalance.data import Problem
from rebalance.metrics import Assignment, outside_band
from rebalance.pools import METRICS, MOVE, Rules, change_kind, client_load
from rebalance.scenario import Scenario

EPS = 1e-9  # an excess change this small is float noise, not a consequence


@dataclass(frozen=True)
class BandChange:
    """One manager × metric whose load a what-if changes (rated managers only)."""

    manager_id: str
    metric: str
    share: float
    tolerance: float
    weight: float
    load_now: float
    load_then: float

    @property
    def low(self) -> float:
        """The band's lower edge in the metric's units: share × (1 − tolerance)."""
        return self.share * (1 - self.tolerance)

    @property
    def high(self) -> float:
        """The band's upper edge: share × (1 + tolerance)."""
        return self.share * (1 + self.tolerance)

    @property
    def dev_now(self) -> float:
        return (self.load_now - self.share) / self.share

    @property
    def dev_then(self) -> float:
        return (self.load_then - self.share) / self.share

    @property
    def excess_now(self) -> float:
        return self.weight * max(0.0, abs(self.dev_now) - self.tolerance)

    @property
    def excess_then(self) -> float:
        return self.weight * max(0.0, abs(self.dev_then) - self.tolerance)

    @property
    def worsening(self) -> float:
        """How much this term of the balance excess rises under the what-if."""
        return self.excess_then - self.excess_now

    @property
    def outside_then(self) -> bool:
        return outside_band(self.dev_then, self.tolerance)


@dataclass(frozen=True)
class WhatIf:
    """The consequences of re-assigning ``changes`` (client_id -> manager) on the plan."""

    changes: Mapping[str, str]
    bands: tuple[BandChange, ...]
    excess_now: float
    excess_then: float
    broken_rule: str | None = None  # leaving / lock / protected / forbidden / ineligible / capacity
    rule_manager: str | None = None
    rule_count: int = 0  # for capacity: clients the manager would hold

    @property
    def excess_delta(self) -> float:
        return self.excess_then - self.excess_now

    @property
    def worst(self) -> BandChange | None:
        """The band that worsens most (largest rise of its excess term), if any does."""
        rising = [b for b in self.bands if b.worsening > EPS]
        if not rising:
            return None
        return max(rising, key=lambda b: (b.worsening, -METRICS.index(b.metric)))


class Ledger:
    """The final plan's loads, shares and bands, ready for cheap what-if questions."""

    def __init__(self, problem: Problem, scenario: Scenario, rules: Rules,
                 client_to_manager: Assignment, verdict: Verdict | None = None) -> None:
        self.problem, self.scenario, self.rules = problem, scenario, rules
        self.plan = dict(client_to_manager)
        self.verdict = verdict or check(problem, scenario, client_to_manager, rules)
        self.bands = scenario.balance.bands()
        self._term_cache: dict[str, list[tuple[str, float, float, float, float]]] = {}
        self.held: dict[str, list[str]] = {}
        for c in problem.clients:  # input order: alternatives are listed deterministically
            mid = self.plan.get(c.client_id)
            if mid is not None:
                self.held.setdefault(mid, []).append(c.client_id)

    def rated(self, manager_id: str, metric: str) -> bool:
        """True when the manager has a fair share of the metric (it counts in the excess)."""
        return self.verdict.shares.get((manager_id, metric), 0.0) > 0

    def what_if(self, changes: Mapping[str, str]) -> WhatIf:
        """Re-assign ``changes`` (client_id -> manager) on the plan and measure the result."""
        delta: dict[tuple[str, str], float] = {}
        count: dict[str, int] = {}
        for cid, new in changes.items():
            old = self.plan.get(cid)
            if old == new:
                continue
            client = self.problem.client(cid)
            for mid, sign in ((old, -1), (new, 1)):
                if mid is None:
                    continue
                count[mid] = count.get(mid, 0) + sign
                for k in METRICS:
                    delta[(mid, k)] = delta.get((mid, k), 0.0) + sign * client_load(client, k)
        changed = []
        order = sorted(delta, key=lambda key: (key[0], METRICS.index(key[1])))
        for mid, k in order:
            d = delta[(mid, k)]
            if not self.rated(mid, k):
                continue
            band = self.bands[k]
            load = self.verdict.loads[(mid, k)]
            changed.append(BandChange(mid, k, self.verdict.shares[(mid, k)], band.tolerance,
                                      band.weight, load, load + d))
        now = sum(b.excess_now for b in changed)
        then = sum(b.excess_then for b in changed)
        rule, who, n = self._broken_rule(changes, count)
        return WhatIf(dict(changes), tuple(changed), now, then, rule, who, n)

    def shift(self, manager_id: str, amounts: Mapping[str, float]) -> float:
        """How the manager's terms of the balance excess change when its loads change by
        ``amounts`` (metric -> signed load): the fast path of ``what_if`` for one manager."""
        change = 0.0
        for k, share, load, tolerance, weight in self._terms(manager_id):
            now = abs(load - share) / share - tolerance
            then = abs(load + amounts[k] - share) / share - tolerance
            change += weight * (max(0.0, then) - max(0.0, now))
        return change

    def _terms(self, manager_id: str) -> list[tuple[str, float, float, float, float]]:
        """(metric, share, load, tolerance, weight) of the manager's rated metrics, cached."""
        terms = self._term_cache.get(manager_id)
        if terms is None:
            terms = [(k, self.verdict.shares[(manager_id, k)], self.verdict.loads[(manager_id, k)],
                      self.bands[k].tolerance, self.bands[k].weight)
                     for k in METRICS if self.rated(manager_id, k)]
            self._term_cache[manager_id] = terms
        return terms

    def _broken_rule(self, changes: Mapping[str, str],
                     count: Mapping[str, int]) -> tuple[str | None, str | None, int]:
        """The first hard rule the changed plan breaks (in ``check.RULES`` order), if any."""
        rules = self.rules
        for cid, mid in changes.items():
            manager = self.problem.manager(mid)
            if not manager.staying:
                return "leaving", mid, 0
            if mid not in rules.eligible.get(cid, ()):
                return ("forbidden" if (cid, mid) in rules.forbidden else "ineligible"), mid, 0
            fixed = rules.fixed.get(cid)
            if fixed is not None and fixed != mid:
                return ("protected" if rules.fixed_reason.get(cid) == "protected"
                        else "lock"), fixed, 0
        for mid, d in sorted(count.items()):
            capacity = self.problem.manager(mid).capacity
            n = self.verdict.clients_per_manager.get(mid, 0) + d
            if d > 0 and capacity is not None and n > capacity:
                return "capacity", mid, n
        return None, None, 0

    def oversize(self, manager_id: str, metric: str) -> list[str]:
        """Clients the manager holds whose load alone is above its band's upper edge."""
        if not self.rated(manager_id, metric):
            return []
        edge = self.verdict.shares[(manager_id, metric)] * (1 + self.bands[metric].tolerance)
        return [cid for cid in sorted(self.held.get(manager_id, []))
                if client_load(self.problem.client(cid), metric) > edge]


def move_cost(problem: Problem, client_id: str) -> float:
    """What moving the client costs in continuity: importance × (0.5 + relationship)."""
    c = problem.client(client_id)
    return c.importance * (0.5 + c.relationship)


@dataclass(frozen=True)
class Pick:
    """Why this client rather than another of the giving manager's clients."""

    num_candidates: int  # clients the giver keeps that the taker may serve (not held by a rule)
    cost: float
    cheaper: tuple[str, ...]  # those of them that would cost less to move
    best_alternative: str | None = None  # the cheaper one that balances best
    best_delta: float = 0.0  # excess change if it went instead of this client


def pick(ledger: Ledger, client_id: str, giver: str, taker: str) -> Pick:
    """Compare the move with handing over each cheaper client of ``giver`` instead."""
    problem, rules = ledger.problem, ledger.rules
    cost = move_cost(problem, client_id)
    candidates = [z for z in ledger.held.get(giver, [])
                  if problem.client(z).manager == giver and z not in rules.fixed
                  and taker in rules.eligible.get(z, ())]
    cheaper = tuple(z for z in candidates if move_cost(problem, z) < cost - EPS)
    best: str | None = None
    best_delta = 0.0
    for z in cheaper:
        d = ledger.what_if({client_id: giver, z: taker}).excess_delta
        if best is None or d < best_delta - EPS:
            best, best_delta = z, d
    return Pick(len(candidates), cost, cheaper, best, best_delta)


@dataclass(frozen=True)
class Choice:
    """Why this manager for a handover or a placement: the best other eligible manager."""

    num_others: int
    best_alternative: str | None = None
    best_delta: float = 0.0


def choice(ledger: Ledger, client_id: str, manager_id: str) -> Choice:
    """The other managers that may take the client without breaking a rule, and the best.

    Moving the client from ``manager_id`` to M changes only the two managers' terms, and the
    first part is the same for every M, so M is ranked by its own part alone (three sums,
    ``Ledger.shift``); the winner is measured in full with ``what_if``.
    """
    client = ledger.problem.client(client_id)
    amounts = {k: client_load(client, k) for k in METRICS}
    best: str | None = None
    best_gain = 0.0
    num = 0
    for m in ledger.rules.eligible.get(client_id, ()):
        if m == manager_id:
            continue
        capacity = ledger.problem.manager(m).capacity
        if capacity is not None and ledger.verdict.clients_per_manager.get(m, 0) + 1 > capacity:
            continue
        num += 1
        gain = ledger.shift(m, amounts)
        if best is None or gain < best_gain - EPS:
            best, best_gain = m, gain
    if best is None:
        return Choice(0)
    return Choice(num, best, ledger.what_if({client_id: best}).excess_delta)


def exchanges(problem: Problem, client_to_manager: Assignment) -> dict[str, str]:
    """client_id -> exchange id for the moves that belong to one (see the module docstring)."""
    by_edge: dict[tuple[str, str], list[str]] = {}
    for c in problem.clients:
        new = client_to_manager.get(c.client_id)
        if c.manager is not None and new is not None and \
                change_kind(problem, c.client_id, new) == MOVE:
            by_edge.setdefault((c.manager, new), []).append(c.client_id)
    free = set(by_edge)
    takers: dict[str, list[str]] = {}
    for a, b in sorted(by_edge):
        takers.setdefault(a, []).append(b)
    groups: list[list[str]] = []
    for a, b in sorted(by_edge):  # swaps: both directions between two managers
        if (a, b) in free and (b, a) in free:
            free -= {(a, b), (b, a)}
            groups.append(by_edge[(a, b)] + by_edge[(b, a)])
    for a, b in sorted(by_edge):  # chains of three that come back: a -> b -> c -> a
        if (a, b) not in free:
            continue
        for third in takers.get(b, ()):
            if third != a and (b, third) in free and (third, a) in free:
                free -= {(a, b), (b, third), (third, a)}
                groups.append(by_edge[(a, b)] + by_edge[(b, third)] + by_edge[(third, a)])
                break
    ordered = sorted((sorted(ids) for ids in groups), key=lambda ids: ids[0])
    return {cid: f"E{n}" for n, ids in enumerate(ordered, start=1) for cid in ids}
