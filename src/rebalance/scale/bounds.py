"""Lower bounds for big books, proven without solving the whole model.

- ``oversize_bound``: the balance excess no plan can avoid. A client too big for every band
  it may sit in (typically revenue above 110 % of any fair share) pushes its manager outside
  the band wherever it goes; the best that manager can do is to hold it with the cheapest
  companions (exact small CP-SAT per client and kind of manager, over a short list of
  candidates that provably contains an optimal choice). With the contract's weights two such
  clients on one manager cost more than the two apart, so the sum over clients is a bound.
- ``release_sets`` / ``release_bound``: the continuity cost no plan can avoid, given how much
  balance excess it may keep. A manager whose own (previous) clients overflow a band must
  lose some of them; the cheapest such set is an exact knapsack. Moved clients are counted
  once, with their previous manager, so the sum over managers is a bound.
- ``rounding_slack``: how far the model's scaled balance excess may sit from the exact one.

Every integer rounding below goes the way that keeps the bound a bound.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from rebalance.contract import DEV_SCALE, WEIGHT_SCALE
from rebalance.pools import METRICS
from rebalance.scale.ledger import IntArray, Ledger, eligibility_matrix

BoolArray = npt.NDArray[np.bool_]
REVENUE, IMPORTANCE, CLIENTS = (METRICS.index(k) for k in ("revenue", "importance", "clients"))
FINE = 1_000_000  # loads in millionths of a share in the oversize models
PRICE_SCALE = 1_000_000  # knapsack objectives in millionths of a unit of continuity cost
# Prices (continuity cost per unit of balance excess) tried by the shared-slack bound.
PRICES: tuple[float, ...] = (1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0)


def rounding_slack(ledger: Ledger) -> float:
    """How far the model's balance excess (loads rounded to 1/DEV_SCALE of a share per
    client) can be from the exact figure: a value this close to a bound counts as proven."""
    return 0.5 / DEV_SCALE * float(ledger.weight.sum()) * max(1, len(ledger.client_ids)) + 1e-9


# --------------------------------------------------------------------------- balance


def _alone_excess(ledger: Ledger, client: int, managers: IntArray) -> npt.NDArray[np.float64]:
    """Balance excess of each of ``managers`` if it held ``client`` and nothing else."""
    rel = ledger.client_load[client] * ledger.inv_share[managers]
    active = ledger.inv_share[managers] > 0
    term = np.where(active, np.maximum(np.abs(rel - 1.0) - ledger.tolerance, 0.0), 0.0)
    return term @ ledger.weight


def _overshoot(ledger: Ledger, client: int, managers: IntArray) -> npt.NDArray[np.float64]:
    """The part of ``_alone_excess`` above the upper band edges (what the client brings)."""
    rel = ledger.client_load[client] * ledger.inv_share[managers]
    return np.maximum(rel - 1.0 - ledger.tolerance, 0.0) @ ledger.weight


def options_of(ledger: Ledger, client: int) -> IntArray:
    if ledger.fixed[client] >= 0:
        return np.array([ledger.fixed[client]], dtype=np.int64)
    return ledger.eligible[client]


def oversize_clients(ledger: Ledger, deadline: float | None = None) -> BoolArray:
    """Clients that exceed a band by themselves at every manager they may end with (none,
    past ``deadline``: the bounds built on them then count nothing, still bounds)."""
    out = np.zeros(len(ledger.client_ids), dtype=bool)
    for c in range(len(ledger.client_ids)):
        if c % 1000 == 0 and _late(deadline):
            return np.zeros(len(ledger.client_ids), dtype=bool)
        options = options_of(ledger, c)
        if len(options):
            out[c] = bool(_overshoot(ledger, c, options).min() > 0)
    return out


@dataclass(frozen=True)
class Oversize:
    """The oversize clients of a ledger and what each costs at least.

    ``alone[i]``: least overshoot of client ``clients[i]`` above the band edges (any manager);
    ``company[i]``: least excess of a manager holding it (``alone`` when not computed);
    ``bound``: the balance bound (sum of ``company`` when two such clients on one manager
    provably cost at least their sum, else of ``alone``).
    """

    clients: IntArray
    alone: npt.NDArray[np.float64]
    company: npt.NDArray[np.float64]
    superadditive: bool

    @property
    def bound(self) -> float:
        return float(self.company.sum() if self.superadditive else self.alone.sum())


def _late(deadline: float | None) -> bool:
    """Past the ``time.monotonic()`` deadline: a bound stops there and stays a (weaker) bound."""
    return deadline is not None and time.monotonic() >= deadline


def oversize(ledger: Ledger, eligible: BoolArray | None = None,
             deadline: float | None = None) -> Oversize:
    """Find the oversize clients and bound what they cost (see the module docstring).

    Past ``deadline`` the company of the clients is not worked out (the bound is then the sum
    of ``alone``, still a bound)."""
    clients = np.flatnonzero(oversize_clients(ledger, deadline))
    alone = np.array([float(_overshoot(ledger, c, options_of(ledger, c)).min())
                      for c in clients.tolist()])
    if not len(clients) or _late(deadline) or not _superadditive(ledger, clients):
        return Oversize(clients, alone, alone.copy(), superadditive=False)
    if eligible is None:
        eligible = eligibility_matrix(ledger)
    company = []
    for c, a in zip(clients.tolist(), alone.tolist(), strict=True):
        if _late(deadline):
            return Oversize(clients, alone, alone.copy(), superadditive=False)
        company.append(max(a, _best_company(ledger, c, eligible)))
    return Oversize(clients, alone, np.array(company), superadditive=True)


def oversize_bound(ledger: Ledger, eligible: BoolArray | None = None) -> float:
    """Lower bound on the balance excess of any plan (see the module docstring)."""
    return oversize(ledger, eligible).bound


def _superadditive(ledger: Ledger, oversize: IntArray) -> bool:
    """Whether a second oversize client on a manager costs at least its own bound.

    Taking client h off a manager that also holds another oversize client lowers its revenue
    excess by exactly w·r_h/s and changes the other terms by at most Σ w_k·load_hk/s_k, while
    h's own bound is at most its excess alone. So h adds at least its bound when
    ``w_rev × (1 + tol_rev) ≥ (excess of h alone beyond revenue) + Σ_{k≠rev} w_k·load_hk/s_k``.
    """
    for h in oversize.tolist():
        managers = options_of(ledger, h)
        if (_overshoot_metric(ledger, h, managers, REVENUE) <= 0).any():
            return False  # oversize in another metric: keep the simple bound
        alone = _alone_excess(ledger, h, managers)
        rev_part = _overshoot_metric(ledger, h, managers, REVENUE)
        others = alone - rev_part
        inv = ledger.inv_share[managers]
        shift = sum(ledger.weight[k] * ledger.client_load[h, k] * inv[:, k]
                    for k in range(len(METRICS)) if k != REVENUE)
        room = ledger.weight[REVENUE] * (1.0 + ledger.tolerance[REVENUE])
        if (others + shift > room).any():
            return False
    return True


def _overshoot_metric(ledger: Ledger, client: int, managers: IntArray,
                      k: int) -> npt.NDArray[np.float64]:
    rel = ledger.client_load[client, k] * ledger.inv_share[managers, k]
    return ledger.weight[k] * np.maximum(rel - 1.0 - ledger.tolerance[k], 0.0)


def cases(ledger: Ledger, client: int) -> dict[tuple[object, ...], list[int]]:
    """The managers ``client`` may go to, by kind: managers with the same fair shares and
    industries are one case (their companions are the clients any of them may hold;
    forbidden pairs ignored: a relaxation, still a bound)."""
    found: dict[tuple[object, ...], list[int]] = {}
    for m in options_of(ledger, client).tolist():
        found.setdefault(kind_of(ledger, m), []).append(m)
    return found


def kind_of(ledger: Ledger, manager: int) -> tuple[object, ...]:
    """A manager's kind: its fair shares and industries (managers of one kind are
    interchangeable in the balance bounds)."""
    industries = ledger.problem.manager(ledger.manager_ids[manager]).industries
    return (tuple(np.round(ledger.share[manager], 9)), industries)


def _best_company(ledger: Ledger, client: int, eligible: BoolArray) -> float:
    """Least excess of a manager holding ``client``, over every manager it may go to.

    Managers with the same fair shares and the same eligible clients are one case. The
    companions considered are, for each importance level, the smallest-revenue clients, as
    many as could ever help: with revenue over its band (it is, the client alone exceeds it),
    a smaller companion of the same importance is never worse, and beyond
    ``max(importance, clients) upper edge`` companions every term only grows.
    """
    best = math.inf
    others = np.ones(len(ledger.client_ids), dtype=bool)
    others[client] = False
    for members in cases(ledger, client).values():
        candidates = np.flatnonzero(eligible[:, members].any(axis=1) & others)
        best = min(best, _best_company_at(ledger, client, members[0], candidates))
    return 0.0 if best == math.inf else best


def companion_limit(ledger: Ledger, m: int) -> int:
    """Companions beyond which every term of manager ``m``'s excess only grows (past the
    upper edges of importance and client count; every importance is at least 1)."""
    share = ledger.share[m]
    return int(math.ceil(max(share[IMPORTANCE] * (1 + ledger.tolerance[IMPORTANCE]),
                             share[CLIENTS] * (1 + ledger.tolerance[CLIENTS])))) + 1


def smallest_per_level(ledger: Ledger, pool: IntArray, how_many: int) -> IntArray:
    """The ``how_many`` smallest-revenue clients of ``pool`` in each importance level."""
    levels = ledger.client_load[pool, IMPORTANCE]
    chosen: list[int] = []
    for level in np.unique(levels).tolist():
        group = pool[levels == level]
        order = np.argsort(ledger.client_load[group, REVENUE], kind="stable")
        chosen.extend(group[order[:how_many]].tolist())
    return np.array(sorted(chosen), dtype=np.int64)


def _best_company_at(ledger: Ledger, client: int, m: int, candidates: IntArray) -> float:
    inv = ledger.inv_share[m]
    picks = smallest_per_level(ledger, candidates, companion_limit(ledger, m))
    model = cp_model.CpModel()
    take = [model.new_bool_var("") for _ in picks.tolist()]
    terms, weights = [], []
    for k in range(len(METRICS)):
        if inv[k] <= 0 or ledger.weight[k] <= 0:
            continue
        coefs = np.rint(ledger.client_load[picks, k] * inv[k] * FINE).astype(np.int64)
        own = int(round(ledger.client_load[client, k] * inv[k] * FINE))
        load = sum(int(a) * v for a, v in zip(coefs, take, strict=True)) + own
        hi = int(round((1 + ledger.tolerance[k]) * FINE))
        lo = int(round((1 - ledger.tolerance[k]) * FINE))
        excess = model.new_int_var(0, max(own + int(coefs.sum()), lo), "")
        model.add(excess >= load - hi)
        model.add(excess >= lo - load)
        terms.append(excess)
        weights.append(int(round(ledger.weight[k] * WEIGHT_SCALE)))
    model.minimize(sum(w * t for w, t in zip(weights, terms, strict=True)))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = 2.0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return 0.0
    # Rounding: each load is off by at most 0.5 per client on the fine grid.
    error = 0.5 * (len(picks) + 1) * sum(weights)
    return max(0.0, (solver.best_objective_bound - error) / (FINE * WEIGHT_SCALE))


# --------------------------------------------------------------------------- continuity


def _own_clients(ledger: Ledger, info: Oversize
                 ) -> Iterator[tuple[int, float, IntArray, npt.NDArray[np.float64]]]:
    """``(m, forced_cost, free, base)`` for each manager ``m`` with own (previous) clients,
    in order: the split of those clients that ``release_sets`` and ``shared_release_bound``
    share.

    ``forced_cost`` is the continuity cost of the own clients that must leave (fixed to
    another manager, or no longer eligible here); ``free`` are those that may stay or leave
    (not fixed, eligible here, not oversize), none when ``m`` has no band to keep; ``base`` is
    the load of those fixed here (not oversize: ``info``'s bound counts those).
    """
    is_oversize = np.zeros(len(ledger.client_ids), dtype=bool)
    is_oversize[info.clients] = True
    for m in range(len(ledger.manager_ids)):
        own = np.flatnonzero(ledger.origin == m)
        if not len(own):
            continue
        stays_ok = np.array([(ledger.eligible[c] == m).any() for c in own.tolist()], dtype=bool)
        fixed_here = own[(ledger.fixed[own] == m) & ~is_oversize[own]]
        forced = own[((ledger.fixed[own] >= 0) & (ledger.fixed[own] != m)) | ~stays_ok]
        free = own[(ledger.fixed[own] < 0) & stays_ok & ~is_oversize[own]]
        if not (ledger.inv_share[m] > 0).any():
            free = free[:0]  # no band to keep: nothing to release
        yield (m, float(ledger.cost[forced].sum()), free,
               ledger.client_load[fixed_here].sum(axis=0))


def release_sets(ledger: Ledger, held: float, info: Oversize | None = None,
                 deadline: float | None = None) -> tuple[IntArray, float]:
    """The cheapest clients each manager must give up, and the bound they prove.

    ``held`` is the balance excess the plan may keep (the balance stage's value). For each
    manager, among its own (previous) clients that are free to move, the cheapest set to
    release so that the kept ones (with those fixed to it) stay within a *slack* of weighted
    excess above its bands. Clients fixed elsewhere, or no longer eligible, leave anyway;
    oversize clients are left out (kept for free, without load: a relaxation). Returns
    (released clients, lower bound on the continuity cost of any plan with balance excess at
    most ``held``).

    The slack: with W the oversize bound, every manager holding no oversize client keeps at
    most ``held − W`` (the others carry at least W). One holding some keeps at most
    ``held − W + max(company − alone)`` over them (``_superadditive``); at most as many
    managers as there are oversize clients hold one, so the bound takes the cheaper slack for
    the managers where it saves most.

    Past ``deadline`` the remaining managers are left out: each adds a non-negative term, and
    the q largest savings of fewer managers are no more, so what is summed stays a bound.
    """
    info = info if info is not None else oversize(ledger, deadline=deadline)
    slack = max(0.0, held - info.bound)
    extra = np.zeros(len(ledger.manager_ids))  # extra slack of a manager holding one
    if info.superadditive:
        for c, gap in zip(info.clients.tolist(), (info.company - info.alone).tolist(),
                          strict=True):
            options = options_of(ledger, c)
            extra[options] = np.maximum(extra[options], gap)
    released: list[int] = []
    total = ledger.fixed_cost
    savings: list[float] = []
    for m, forced_cost, free, base in _own_clients(ledger, info):
        if _late(deadline):
            break
        total += forced_cost
        if not len(free):
            continue
        drop, bound = _release_one(ledger, m, free, base, slack)
        released.extend(drop)
        total += bound
        if extra[m] > 0 and bound > 0:
            savings.append(bound - _release_one(ledger, m, free, base, slack + extra[m])[1])
    savings.sort(reverse=True)
    total -= sum(savings[: len(info.clients)])
    return np.array(sorted(released), dtype=np.int64), total


def release_bound(ledger: Ledger, held: float = 0.0, info: Oversize | None = None,
                  prices: tuple[float, ...] = PRICES, deadline: float | None = None) -> float:
    """Lower bound on the continuity cost given the balance excess ``held``: the best of
    ``release_sets`` (each manager may use the whole slack) and the shared-slack bound
    ``shared_release_bound`` at each of ``prices``, as far as ``deadline`` allows."""
    info = info if info is not None else oversize(ledger, deadline=deadline)
    best = release_sets(ledger, held, info, deadline)[1]
    for price in prices:
        if _late(deadline):
            break
        best = max(best, shared_release_bound(ledger, held, info, price, deadline))
    return best


def shared_release_bound(ledger: Ledger, held: float, info: Oversize, price: float,
                         deadline: float | None = None) -> float:
    """The release bound when the managers share the slack (a Lagrangian bound).

    Let t_m be what manager m's kept own clients overflow (weighted excess above its bands)
    and g_m(λ) the least release cost + λ·t_m it can reach (an exact knapsack). Two ways to
    share the held excess E, each giving a bound by weak duality (any λ ≥ 0):

    - every manager's excess covers the overshoot of the oversize clients it holds plus t_m,
      and overshoots add up, so ``Σ t_m ≤ E − Σ alone``: bound ``Σ g_m − λ (E − Σ alone)``;
    - when two oversize clients on one manager cost at least their two bounds, the (at most
      q, one per oversize client) managers holding one carry at least the oversize bound W
      between them, so the others have ``Σ t_m ≤ E − W``; the holders are not counted:
      bound ``Σ g_m − (the q largest g_m of managers that may hold one) − λ (E − W)``.

    Past ``deadline`` the remaining managers count g_m = 0 (g_m ≥ 0): still a bound.
    """
    shared = max(0.0, held - float(info.alone.sum()))
    may_hold = np.zeros(len(ledger.manager_ids), dtype=bool)
    for c in info.clients.tolist():
        may_hold[options_of(ledger, c)] = True
    base_total = ledger.fixed_cost
    paid = np.zeros(len(ledger.manager_ids))  # g_m(λ) of each manager
    for m, forced_cost, free, base in _own_clients(ledger, info):
        if _late(deadline):
            break
        base_total += forced_cost
        if not len(free):
            continue
        active = ledger.inv_share[m] > 0
        kept_all = (base + ledger.client_load[free].sum(axis=0)) * ledger.inv_share[m]
        over = np.where(active, np.maximum(kept_all - 1.0 - ledger.tolerance, 0.0), 0.0)
        if float(over @ ledger.weight) <= 1e-12:
            continue
        paid[m] = _cheapest_release(ledger, m, free, base, shared, price)[1]
    bound = base_total + float(paid.sum()) - price * shared
    if info.superadditive and len(info.clients):
        holders = np.sort(paid[may_hold])[::-1][: len(info.clients)]
        tighter = max(0.0, held - info.bound)
        bound = max(bound, base_total + float(paid.sum()) - float(holders.sum())
                    - price * tighter)
    return bound


def _release_one(ledger: Ledger, m: int, free: IntArray, base: npt.NDArray[np.float64],
                 slack: float) -> tuple[list[int], float]:
    """(clients to release, proven lower bound of their cost) for one manager."""
    active = ledger.inv_share[m] > 0
    kept_all = (base + ledger.client_load[free].sum(axis=0)) * ledger.inv_share[m]
    over = np.where(active, np.maximum(kept_all - 1.0 - ledger.tolerance, 0.0), 0.0)
    if float(over @ ledger.weight) <= slack + 1e-12:
        return [], 0.0
    return _cheapest_release(ledger, m, free, base, slack)


def _cheapest_release(ledger: Ledger, m: int, free: IntArray, base: npt.NDArray[np.float64],
                      slack: float, price: float = 0.0) -> tuple[list[int], float]:
    """Exact knapsack (CP-SAT) for one manager: (clients to release, proven lower bound of
    the release cost + ``price`` × the weighted excess the kept clients leave).

    Rounded so that the integer model is a relaxation: loads down, band edges, weights and
    slack up, kept costs up, the price down; its bound therefore stays a bound.
    """
    model = cp_model.CpModel()
    keep = [model.new_bool_var("") for _ in free.tolist()]
    overs, weights = [], []
    for k in range(len(ledger.tolerance)):
        inv = ledger.inv_share[m, k]
        if inv <= 0 or ledger.weight[k] <= 0:
            continue
        coefs = np.floor(ledger.client_load[free, k] * inv * DEV_SCALE).astype(np.int64)
        constant = int(np.floor(base[k] * inv * DEV_SCALE))
        edge = int(np.ceil((1.0 + ledger.tolerance[k]) * DEV_SCALE))
        over = model.new_int_var(0, max(0, int(coefs.sum()) + constant), "")
        model.add(sum(int(a) * v for a, v in zip(coefs, keep, strict=True)) + constant - edge
                  <= over)
        overs.append(over)
        weights.append(int(np.floor(ledger.weight[k] * WEIGHT_SCALE)))
    allowed = int(np.ceil(slack * DEV_SCALE * WEIGHT_SCALE))
    model.add(sum(w * o for w, o in zip(weights, overs, strict=True)) <= allowed)
    # Objective in PRICE_SCALE units per unit of cost: kept value minus the priced excess.
    kept_value = np.ceil(ledger.cost[free] * PRICE_SCALE).astype(np.int64)
    objective: Any = sum(int(c) * v for c, v in zip(kept_value, keep, strict=True))
    if price > 0:
        per_unit = [int(np.floor(price * w / WEIGHT_SCALE * PRICE_SCALE / DEV_SCALE))
                    for w in weights]
        objective -= sum(p * o for p, o in zip(per_unit, overs, strict=True))
    model.maximize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_deterministic_time = 5.0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], 0.0
    drop = [int(c) for c, v in zip(free.tolist(), keep, strict=True)
            if not solver.boolean_value(v)]
    kept_at_most = solver.best_objective_bound / PRICE_SCALE
    return drop, max(0.0, float(ledger.cost[free].sum()) - kept_at_most - 1e-9 * len(free))
