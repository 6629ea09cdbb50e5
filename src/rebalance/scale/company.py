"""The company bound: big clients compete for the small companions they need.

``bounds.oversize`` prices each oversize client with *its own* best companions: a manager
holding a client worth 1.43 of its revenue share must still reach the lower edges of its
importance and client-count bands, so it takes the smallest-revenue clients it can find.
But there are only so many tiny clients, and every manager holding a big client wants the
same ones. On the medium benchmark book's 432-client pool the three managers holding its
two oversize clients and one of 1.05 shares sat 1.0 above the sum of the single floors
(5.43 against 4.42), and every plan does: the bound missed the competition.

A client is *big* at a manager when its revenue alone reaches the lower edge of that
manager's revenue band (``1 − tol`` of the share): there, a companion of smaller revenue and
the same importance is never worse. Two MIPs (SCIP) bound the balance excess of the
managers holding big clients, choosing for each big client a kind of manager (same fair
shares, same industries: ``bounds.kind_of``; at most as many as the kind has) or, where it
is not big everywhere, no place as a big client:

- the **exact** model (the ``MAX_BIG`` biggest) gives each a set of companions from lists of
  the smallest-revenue clients of each importance level, each companion used once. The
  lists suffice: no manager needs more than ``bounds.companion_limit`` companions (past the
  upper edges of importance and client count every term only grows), so among the
  ``big × (limit + 1)`` smallest of a level that a kind may hold, one is always free to
  replace a bigger companion (the exchange argument);
- the **aggregated** model (every client oversize at every manager it may go to) counts
  companions per importance level: ``q`` of them bring at least the revenue of the ``q``
  smallest that kind may hold, and jointly, per kind and over the pool, at least that of the
  smallest ``Σ q`` (distinct clients). A few hundred variables where the exact model would
  need millions.

Every plan puts its big clients on managers with disjoint sets of other clients, and every
other manager's excess is never negative; leaving a big client out of a model only frees its
companions. So each model's minimum is a bound of the plans that keep big clients apart; a
plan that pairs two on one manager costs at least ``_paired`` (that manager's revenue excess
and the other oversize clients' floors), and the bound is capped there. The solver's proven
bound is used (a solve cut short still gives one), lowered by a margin far above its
tolerances; the single floors of ``bounds.oversize`` stay when the models prove less.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from rebalance.pools import METRICS
from rebalance.scale.bounds import (
    CLIENTS,
    IMPORTANCE,
    REVENUE,
    BoolArray,
    Oversize,
    companion_limit,
    kind_of,
    options_of,
    smallest_per_level,
)
from rebalance.scale.ledger import IntArray, Ledger

SOLVER = "SCIP"  # bundled with OR-Tools; deterministic, and takes a node limit
MAX_BIG = 12  # the biggest clients the joint model takes (the rest count 0: still a bound)
SECONDS = 20.0  # time limit of both models; cut short, the proven bound still counts
# At most this share of a pool's budget: the exact model's root takes ~4.5 s on the medium
# book's 432-client pool, ~18 % of its budget when idle, twice that under load.
SHARE = 0.35
NODES = 1  # with a work limit the root node only: work decides, not the clock
EXACT_MAX_PAIRS = 20_000  # (big client, companion) pairs above which the exact model is skipped
# The models are MIPs solved in floating point: a proven bound is lowered by a margin far
# above the solver's tolerances (1e-6 per excess row and unit of weight, 1e-6
# relative).
MARGIN = 1e-6


def company_seconds(budget: float) -> float:
    """The time the models may take out of a pool's budget."""
    return min(SECONDS, SHARE * budget)


@dataclass(frozen=True)
class Company:
    """What the models proved: ``bound`` (at least the single floors' bound), how many big
    clients the model behind it took (0: the single floors), whether the solver closed it."""

    bound: float
    big: int
    optimal: bool


def big_at(ledger: Ledger, client: int, managers: IntArray) -> BoolArray:
    """Where ``client``'s revenue alone reaches the lower edge of the revenue band, per
    manager of ``managers``."""
    inv = ledger.inv_share[managers, REVENUE]
    return np.asarray((inv > 0) & (ledger.client_load[client, REVENUE] * inv
                                   >= 1.0 - ledger.tolerance[REVENUE]), dtype=bool)


@dataclass
class _Bigs:
    """The clients big somewhere: their kinds, least revenue share, and who must be big."""

    kinds: dict[int, list[tuple[object, ...]]]
    size: dict[int, float]
    must: set[int]
    oversize: list[int]  # above the revenue band alone at every manager it may go to
    members: dict[tuple[object, ...], list[int]]


def _bigs(ledger: Ledger) -> _Bigs | None:
    key_of = [kind_of(ledger, m) for m in range(len(ledger.manager_ids))]
    members: dict[tuple[object, ...], list[int]] = {}
    for m, key in enumerate(key_of):
        members.setdefault(key, []).append(m)
    revenue = ledger.client_load[:, REVENUE]
    tol = ledger.tolerance[REVENUE]
    found = _Bigs({}, {}, set(), [], members)
    for c in range(len(ledger.client_ids)):
        managers = options_of(ledger, c)
        here = big_at(ledger, c, managers)
        if not here.any():
            continue
        found.kinds[c] = sorted({key_of[m] for m in managers[here].tolist()}, key=str)
        found.size[c] = float((revenue[c] * ledger.inv_share[managers[here], REVENUE]).min())
        if here.all():
            found.must.add(c)
            if found.size[c] > 1.0 + tol:
                found.oversize.append(c)
    return found if len(found.kinds) >= 2 else None


def _reach(eligible: BoolArray, members: list[int]) -> BoolArray:
    return np.array(eligible[:, members].any(axis=1), dtype=bool)


def _exact(ledger: Ledger, eligible: BoolArray, bigs: _Bigs, solver: pywraplp.Solver,
           ) -> tuple[list[int], int]:
    """The joint model over the ``MAX_BIG`` biggest clients (leaving one out is a
    relaxation: its manager's excess counts 0, its companions are free), each companion a
    client: (the big clients modelled, the excess rows)."""
    kept = sorted(sorted(bigs.kinds, key=lambda c: (-bigs.size[c], c))[:MAX_BIG])
    lists = {}
    for c in kept:
        for key in bigs.kinds[c]:
            reach = _reach(eligible, bigs.members[key])
            reach[c] = False
            # Up to ``limit`` companions for each big client and one slot for each client
            # big somewhere that may be placed as such: a companion left out of the lists
            # always has a free smaller one of its importance level (the exchange argument).
            room = len(kept) * (companion_limit(ledger, bigs.members[key][0]) + 1)
            lists[c, key] = smallest_per_level(ledger, np.flatnonzero(reach), room)
    if sum(len(picks) for picks in lists.values()) > EXACT_MAX_PAIRS:
        return [], 0  # too big to solve in seconds: the aggregated model's bound stands
    switch = _Switch(ledger, solver, bigs)
    used: dict[int, list[pywraplp.Variable]] = {}
    for c in kept:
        for key in bigs.kinds[c]:
            m, picks = bigs.members[key][0], lists[c, key]
            here = switch.option(c, key)
            take = [solver.BoolVar("") for _ in picks.tolist()]
            for p, t in zip(picks.tolist(), take, strict=True):
                solver.Add(t <= here)
                used.setdefault(p, []).append(t)
            loads = {k: (take, (ledger.client_load[picks, k] * ledger.inv_share[m, k]).tolist())
                     for k in range(len(METRICS))}
            switch.excess(c, m, here, loads)
    for client, takers in used.items():
        if client not in switch.chosen and len(takers) > 1:
            solver.Add(solver.Sum(takers) <= 1)
    # Placed as a big client somewhere, or (where it is not big) perhaps a companion.
    switch.close(used)
    return kept, switch.rows


def _aggregated(ledger: Ledger, eligible: BoolArray, bigs: _Bigs, solver: pywraplp.Solver,
                ) -> tuple[list[int], int]:
    """The same question for every client oversize everywhere, companions counted per
    importance level: ``q`` of them with revenue ``x`` at least that of the ``q`` smallest
    that kind of manager may hold, and jointly (per kind, and over the pool) at least that
    of the smallest ones, as many as they all take (distinct clients). The revenue excess of
    an oversize client's manager is linear in its revenue, so the totals are what count."""
    kept = sorted(bigs.oversize)
    switch = _Switch(ledger, solver, bigs)
    revenue = ledger.client_load[:, REVENUE]
    importance = ledger.client_load[:, IMPORTANCE]
    levels = np.unique(importance).tolist()
    joint: dict[object, tuple[list[pywraplp.Variable], list[pywraplp.Variable], int]] = {}
    for c in kept:
        for key in bigs.kinds[c]:
            reach = _reach(eligible, bigs.members[key])
            reach[c] = False
            m = bigs.members[key][0]
            limit = companion_limit(ledger, m)
            here = switch.option(c, key)
            qs, xs = [], []
            for level in levels:
                pool = revenue[reach & (importance == level)]
                top = min(limit, len(pool))
                q, x = solver.IntVar(0, top, ""), solver.NumVar(0.0, solver.infinity(), "")
                solver.Add(q <= top * here)
                for a, slope in _prefix_cuts(pool, top):
                    solver.Add(x >= a + slope * q)
                qs.append(q)
                xs.append(x)
                for scope in ((key, level), level):
                    q_all, x_all, most = joint.setdefault(scope, ([], [], 0))
                    q_all.append(q)
                    x_all.append(x)
                    joint[scope] = (q_all, x_all, most + limit)
            solver.Add(solver.Sum(qs) <= limit)
            inv = ledger.inv_share[m]
            count = float(ledger.client_load[c, CLIENTS])  # every client counts the same
            switch.excess(c, m, here, {REVENUE: (xs, [float(inv[REVENUE])] * len(xs)),
                                       IMPORTANCE: (qs, [v * inv[IMPORTANCE] for v in levels]),
                                       CLIENTS: (qs, [count * inv[CLIENTS]] * len(qs))})
    for scope, (q_all, x_all, most) in joint.items():
        if isinstance(scope, tuple):
            key, level = scope
            pool = revenue[_reach(eligible, bigs.members[key]) & (importance == level)]
        else:
            pool = revenue[importance == scope]
        total_q, total_x = solver.Sum(q_all), solver.Sum(x_all)
        for a, slope in _prefix_cuts(pool, min(most, len(pool))):
            solver.Add(total_x >= a + slope * total_q)
    switch.close({})
    return kept, switch.rows


def _prefix_cuts(revenue: np.ndarray, most: int) -> list[tuple[float, float]]:
    """Tangents ``(intercept, slope)`` of F(q) = the revenue of the q smallest of
    ``revenue`` for q ≤ ``most``: F is convex and piecewise linear, each tangent below it (and
    not above 0 at q = 0, so a big client placed elsewhere costs nothing)."""
    r = np.sort(revenue)[:most]
    prefix = np.concatenate([[0.0], np.cumsum(r)])
    return [(float(prefix[j] - j * r[j]), float(r[j])) for j in range(len(r))]


class _Switch:
    """The parts both models share: a big client's choice of kind and its manager's excess,
    every term switched by the choice (no big-M)."""

    def __init__(self, ledger: Ledger, solver: pywraplp.Solver, bigs: _Bigs) -> None:
        self.ledger, self.solver, self.bigs = ledger, solver, bigs
        self.chosen: dict[int, list[pywraplp.Variable]] = {}
        self.per_kind: dict[tuple[object, ...], list[pywraplp.Variable]] = {}
        self.rows = 0

    def option(self, client: int, key: tuple[object, ...]) -> pywraplp.Variable:
        here = self.solver.BoolVar("")
        self.chosen.setdefault(client, []).append(here)
        self.per_kind.setdefault(key, []).append(here)
        return here

    def excess(self, client: int, m: int, here: pywraplp.Variable,
               loads: dict[int, tuple[list[pywraplp.Variable], list[float]]]) -> None:
        """The excess of manager kind ``m`` holding ``client`` (when ``here``) and the
        companions' loads (variables and their loads in shares, per metric)."""
        ledger, solver = self.ledger, self.solver
        inv = ledger.inv_share[m]
        for k, (variables, load) in loads.items():
            if inv[k] <= 0 or ledger.weight[k] <= 0:
                continue
            own = float(ledger.client_load[client, k] * inv[k])
            over = solver.Constraint(-solver.infinity(), 0.0)
            under = solver.Constraint(-solver.infinity(), 0.0)
            dist = solver.NumVar(0.0, solver.infinity(), "")
            over.SetCoefficient(dist, -1.0)
            under.SetCoefficient(dist, -1.0)
            over.SetCoefficient(here, own - 1.0 - float(ledger.tolerance[k]))
            under.SetCoefficient(here, 1.0 - float(ledger.tolerance[k]) - own)
            for var, a in zip(variables, load, strict=True):
                over.SetCoefficient(var, a)
                under.SetCoefficient(var, -a)
            solver.Objective().SetCoefficient(dist, float(ledger.weight[k]))
            self.rows += 2

    def close(self, used: dict[int, list[pywraplp.Variable]]) -> None:
        """Each big client once (exactly once where it is big everywhere); distinct
        managers of each kind."""
        for client, heres in self.chosen.items():
            everywhere = self.solver.Sum(heres + used.get(client, []))
            self.solver.Add(everywhere == 1 if client in self.bigs.must else everywhere <= 1)
        for key, heres in self.per_kind.items():
            self.solver.Add(self.solver.Sum(heres) <= len(self.bigs.members[key]))
        self.solver.Objective().SetMinimization()


def company_bound(ledger: Ledger, info: Oversize, eligible: BoolArray,
                  deadline: float | None = None, seconds: float = SECONDS,
                  deterministic: bool = False) -> Company:
    """The company bound of a pool's ledger (never below ``info.bound``): the better of the
    aggregated model (every oversize client) and the exact one (the biggest clients).

    Past ``deadline`` (``time.monotonic()``) or ``seconds`` nothing more is solved; with
    ``deterministic`` the clock is ignored and each solve stops after its root node (the same
    bound at any machine load)."""
    best = Company(info.bound, 0, False)
    # The companion arguments need every client's importance to be at least 1 (the
    # contract's scale is 1-5) and every client to count the same (one client).
    loads = ledger.client_load
    if (ledger.weight[REVENUE] <= 0 or loads[:, IMPORTANCE].min(initial=1.0) < 1.0
            or (len(loads) and np.ptp(loads[:, CLIENTS]) > 0)):
        return best
    bigs = _bigs(ledger)
    if bigs is None:
        return best
    began = time.monotonic()
    for build in (_aggregated, _exact):
        left = seconds - (time.monotonic() - began)
        if deadline is not None:
            left = min(left, deadline - time.monotonic())
        if left <= 0 and not deterministic:  # with a work limit the clock never decides
            break
        solver = pywraplp.Solver.CreateSolver(SOLVER)
        if solver is None:
            break
        kept, rows = build(ledger, eligible, bigs, solver)
        if len(kept) < 2:
            continue
        if deterministic:
            solver.SetSolverSpecificParametersAsString(f"limits/nodes = {NODES}\n")
        else:
            solver.SetTimeLimit(max(1, int(left * 1000)))
        status = solver.Solve()
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            continue
        bound = solver.Objective().BestBound()
        bound -= MARGIN * (abs(bound) + rows * float(ledger.weight.max()))
        bound = min(bound, _paired(ledger, kept, info))
        if bound > best.bound:
            best = Company(bound, len(kept), status == pywraplp.Solver.OPTIMAL)
    return best


def _paired(ledger: Ledger, big: list[int], info: Oversize) -> float:
    """A lower bound of the balance excess of every plan that puts two clients on a manager
    where both are big (the models keep them apart): that manager's revenue excess, at least
    ``over = w_rev × (r_a + r_b − 1 − tol)`` (loads are never negative), plus the oversize
    clients' floors (``info``). With ``over > 0`` the pair keeps the manager's revenue above
    its band, so each other oversize client there adds at least its floor (the argument of
    ``bounds._superadditive``) and those elsewhere cost theirs on their own managers; else
    only those that may not sit there count."""
    w, tol = ledger.weight[REVENUE], ledger.tolerance[REVENUE]
    revenue = ledger.client_load[:, REVENUE]
    floors = dict(zip(info.clients.tolist(),
                      (info.company if info.superadditive else info.alone).tolist(),
                      strict=True))
    total = sum(floors.values())
    where = {c: set(options_of(ledger, c).tolist()) for c in floors}
    least = math.inf
    def places(c: int) -> set[int]:
        managers = options_of(ledger, c)
        return set(managers[big_at(ledger, c, managers)].tolist())

    for i, a in enumerate(big):
        mine = places(a)
        for b in big[i + 1:]:
            for m in sorted(mine & places(b)):
                rel = (revenue[a] + revenue[b]) * ledger.inv_share[m, REVENUE]
                over = float(w * max(rel - 1.0 - tol, 0.0))
                if info.superadditive and over > 0:
                    others = total - floors.get(a, 0.0) - floors.get(b, 0.0)
                else:
                    others = sum(f for c, f in floors.items()
                                 if c not in (a, b) and m not in where[c])
                least = min(least, over + others)
    return least
