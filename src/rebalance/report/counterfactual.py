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

import numpy as np

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
        self._terms_arrays: _Terms | None = None
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

    def terms(self) -> _Terms:
        """Every manager's terms as arrays, built on first use (see ``choice``)."""
        if self._terms_arrays is None:
            self._terms_arrays = _Terms(self)
        return self._terms_arrays

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
    first part is the same for every M, so M is ranked by its own part alone (its terms of the
    balance excess, worked out for every eligible manager at once by ``_Terms``); the winner
    is measured in full with ``what_if``.
    """
    client = ledger.problem.client(client_id)
    amounts = [client_load(client, k) for k in METRICS]
    terms = ledger.terms()
    among = terms.among(ledger.rules.eligible.get(client_id, ()))
    keep = among.open
    if manager_id in ledger.problem.manager_index:
        keep = keep & (among.idx != ledger.problem.manager_index[manager_id])
    if not keep.any():
        return Choice(0)
    gains = among.shift(amounts)[keep]
    idx = among.idx[keep]
    # The first manager, replaced only by one better by more than EPS (scan order = eligible
    # order): the same winner as a one-by-one scan, found a few vector steps at a time.
    best = 0
    while True:
        better = np.flatnonzero(gains[best + 1:] < gains[best] - EPS)
        if len(better) == 0:
            break
        best += 1 + int(better[0])
    winner = ledger.problem.managers[int(idx[best])].manager_id
    return Choice(len(idx), winner, ledger.what_if({client_id: winner}).excess_delta)


class _Terms:
    """Every manager's (share, load, tolerance, weight) per metric and its free capacity, as
    arrays in ``problem.managers`` order: ``choice`` prices all eligible managers at once
    (at 200,000 clients, one by one took minutes)."""

    def __init__(self, ledger: Ledger) -> None:
        managers = ledger.problem.managers
        v = ledger.verdict
        self.share = np.array([[v.shares.get((m.manager_id, k), 0.0) for k in METRICS]
                               for m in managers], dtype=float).reshape(len(managers), len(METRICS))
        self.load = np.array([[v.loads.get((m.manager_id, k), 0.0) for k in METRICS]
                              for m in managers], dtype=float).reshape(len(managers), len(METRICS))
        self.tolerance = [ledger.bands[k].tolerance for k in METRICS]
        self.weight = [ledger.bands[k].weight for k in METRICS]
        self.room = np.array([np.inf if m.capacity is None
                              else m.capacity - v.clients_per_manager.get(m.manager_id, 0)
                              for m in managers], dtype=float)
        self._index = ledger.problem.manager_index
        self._cache: dict[int, tuple[tuple[str, ...], _Among]] = {}

    def among(self, manager_ids: tuple[str, ...]) -> _Among:
        """The terms of ``manager_ids``, cached per tuple (clients of one industry share one)."""
        hit = self._cache.get(id(manager_ids))
        if hit is None or hit[0] is not manager_ids:
            idx = np.array([self._index[m] for m in manager_ids], dtype=np.int64)
            hit = (manager_ids, _Among(self, idx))
            self._cache[id(manager_ids)] = hit
        return hit[1]


class _Among:
    """``_Terms`` of some managers, with what does not depend on the client worked out once."""

    def __init__(self, terms: _Terms, idx: np.ndarray) -> None:
        self.idx = idx
        self.open = terms.room[idx] >= 1.0  # a manager at its capacity cannot take one more
        self.share = terms.share[idx]
        self.rated = self.share > 0
        self.safe = np.where(self.rated, self.share, 1.0)
        self.load = terms.load[idx]
        self.tolerance, self.weight = terms.tolerance, terms.weight
        self.now = [np.maximum(0.0, np.abs(self.load[:, j] - self.safe[:, j]) / self.safe[:, j]
                               - self.tolerance[j]) for j in range(len(METRICS))]

    def shift(self, amounts: list[float]) -> np.ndarray:
        """How each manager's terms of the balance excess change when its loads change by
        ``amounts`` (in ``METRICS`` order); an unrated metric adds nothing."""
        change = np.zeros(len(self.idx))
        for j in range(len(METRICS)):
            safe = self.safe[:, j]
            then = np.abs(self.load[:, j] + amounts[j] - safe) / safe - self.tolerance[j]
            term = self.weight[j] * (np.maximum(0.0, then) - self.now[j])
            change = change + np.where(self.rated[:, j], term, 0.0)
        return change


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
