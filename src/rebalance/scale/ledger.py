"""The scale engine's backbone: a plan's loads, fair shares and move costs as arrays.

``Ledger`` prices a move in O(managers) with the contract's figures (floating point, as
``check`` computes them) and filters moves by every hard rule (``rebalance.rules``). The
greedy repair, the local search, the neighbourhood models and the bounds all read it.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from rebalance.contract import move_cost
from rebalance.data import Problem
from rebalance.pools import METRICS, Pool, Rules, client_load
from rebalance.rules import HARD_RULES
from rebalance.scenario import Scenario

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolMatrix = npt.NDArray[np.bool_]

# An improvement smaller than this is float noise, not progress (the excess is O(1)-O(1000)).
IMPROVEMENT_EPSILON = 1e-9


class Ledger:
    """Loads, fair shares and move costs of one plan, as arrays indexed by position.

    Managers and clients are indexed in problem order. ``assign[c]`` is the manager index of
    client c (-1 when unplaced). ``origin[c]`` is the index of its previous manager when that
    manager stays (moving the client away costs ``cost[c]``), else -1 (free to place).
    """

    def __init__(self, problem: Problem, scenario: Scenario, rules: Rules) -> None:
        self.problem = problem
        self.scenario = scenario
        self.rules = rules
        index = problem.manager_index
        self.manager_ids = [m.manager_id for m in problem.managers]
        self.client_ids = [c.client_id for c in problem.clients]
        num_m, num_c = len(self.manager_ids), len(self.client_ids)
        bands = scenario.balance.bands()
        self.tolerance = np.array([bands[k].tolerance for k in METRICS])
        self.weight = np.array([bands[k].weight for k in METRICS])
        self.share = np.array([[rules.fair_share(mid, k) for k in METRICS]
                               for mid in self.manager_ids]).reshape(num_m, len(METRICS))
        # 1/share where a term exists (share > 0, weight > 0); 0 silences the term.
        active = (self.share > 0) & (self.weight > 0)
        self.inv_share = np.where(active, 1.0 / np.where(active, self.share, 1.0), 0.0)
        self.client_load = np.array([[client_load(c, k) for k in METRICS]
                                     for c in problem.clients]).reshape(num_c, len(METRICS))
        self.capacity = np.array([
            m.capacity if m.capacity is not None and m.staying else np.iinfo(np.int64).max
            for m in problem.managers], dtype=np.int64)
        self.origin = np.array([
            index[c.manager] if c.manager is not None and problem.manager(c.manager).staying
            else -1 for c in problem.clients], dtype=np.int64)
        self.cost = np.array([move_cost(c) if o >= 0 else 0.0
                              for c, o in zip(problem.clients, self.origin, strict=True)])
        # Clients of one industry share one tuple of eligible ids (``pools._eligible``), so
        # they share one array too: at 200,000 clients, one array each would take gigabytes.
        arrays: dict[int, tuple[tuple[str, ...], IntArray]] = {}
        self.eligible: list[IntArray] = []
        for cid in self.client_ids:
            ids = rules.eligible.get(cid, ())
            found = arrays.get(id(ids))
            if found is None:
                found = arrays[id(ids)] = (ids, np.array([index[mid] for mid in ids],
                                                         dtype=np.int64))
            self.eligible.append(found[1])
        fixed = [rules.fixed.get(cid) for cid in self.client_ids]
        self.fixed = np.array([index[f] if f is not None else -1 for f in fixed], dtype=np.int64)
        self.max_moves = scenario.continuity.max_moves
        self.max_lost = scenario.continuity.max_moves_per_manager
        self.assign = np.full(num_c, -1, dtype=np.int64)
        self.load = np.zeros((num_m, len(METRICS)))
        self.count = np.zeros(num_m, dtype=np.int64)
        self.lost = np.zeros(num_m, dtype=np.int64)  # clients moved away, per previous manager
        # Previous manager of every client (-1: new), staying or not, and per manager the
        # clients it holds that it did not have before (moves, handovers and placements in).
        self.prev = np.array([index[c.manager] if c.manager is not None else -1
                              for c in problem.clients], dtype=np.int64)
        self.incoming = np.zeros(num_m, dtype=np.int64)
        self.num_moves = 0
        self.fixed_cost = 0.0  # cost of moves outside this ledger's reach (see ``subset``)

    def subset(self, clients: IntArray, managers: IntArray) -> Ledger:
        """An independent ledger of some clients and managers (e.g. one balancing pool).

        Indexes are local (positions in ``clients`` / ``managers``). Eligible managers outside
        ``managers`` are dropped; a client whose previous manager is outside is counted as
        moved whatever happens (its cost goes to ``fixed_cost``). Move caps couple pools, so
        they are not carried over: split only books without them.
        """
        sub = Ledger.__new__(Ledger)
        local = np.full(len(self.manager_ids), -1, dtype=np.int64)
        local[managers] = np.arange(len(managers))
        sub.problem, sub.scenario, sub.rules = self.problem, self.scenario, self.rules
        sub.manager_ids = [self.manager_ids[m] for m in managers.tolist()]
        sub.client_ids = [self.client_ids[c] for c in clients.tolist()]
        sub.tolerance, sub.weight = self.tolerance, self.weight
        sub.share, sub.inv_share = self.share[managers], self.inv_share[managers]
        sub.client_load = self.client_load[clients]
        sub.capacity = self.capacity[managers]
        origin = self.origin[clients]
        outside = (origin >= 0) & (local[np.maximum(origin, 0)] < 0)
        sub.origin = np.where(outside | (origin < 0), -1, local[np.maximum(origin, 0)])
        sub.cost = np.where(outside, 0.0, self.cost[clients])
        sub.fixed_cost = float(self.cost[clients][outside].sum())
        remapped: dict[int, IntArray] = {}  # shared arrays stay shared (see ``__init__``)
        sub.eligible = []
        for e in (self.eligible[c] for c in clients.tolist()):
            if id(e) not in remapped:
                remapped[id(e)] = local[e][local[e] >= 0]
            sub.eligible.append(remapped[id(e)])
        fixed = self.fixed[clients]
        sub.fixed = np.where(fixed >= 0, local[np.maximum(fixed, 0)], -1)
        sub.max_moves, sub.max_lost = None, None
        sub.assign = np.full(len(clients), -1, dtype=np.int64)
        sub.load = np.zeros((len(managers), len(self.tolerance)))
        sub.count = np.zeros(len(managers), dtype=np.int64)
        sub.lost = np.zeros(len(managers), dtype=np.int64)
        prev = self.prev[clients]
        sub.prev = np.where(prev >= 0, local[np.maximum(prev, 0)], -1)  # outside: like new
        sub.incoming = np.zeros(len(managers), dtype=np.int64)
        sub.num_moves = 0
        for i, m in enumerate(self.assign[clients].tolist()):
            if m >= 0 and local[m] >= 0:
                sub.place(i, int(local[m]))
        return sub

    # ------------------------------------------------------------------ pricing

    def excess_rows(self, load: FloatArray, managers: IntArray | slice) -> FloatArray:
        """Balance excess of each manager in ``managers`` if it held ``load`` (rows)."""
        over = np.abs(load - self.share[managers]) * self.inv_share[managers] - self.tolerance
        return np.maximum(over, 0.0) @ self.weight

    def excess_of(self, manager: int) -> float:
        """Current balance excess of one manager."""
        return float(self.excess_rows(self.load[manager][None, :], np.array([manager]))[0])

    def manager_excess(self) -> FloatArray:
        """Current balance excess of every manager."""
        return self.excess_rows(self.load, slice(None))

    def total_excess(self) -> float:
        return float(self.manager_excess().sum())

    def total_cost(self) -> float:
        moved = (self.origin >= 0) & (self.assign != self.origin)
        return float(self.cost[moved].sum()) + self.fixed_cost

    def move_cost(self, client: int, manager: int) -> float:
        """Change in continuity cost if ``client`` went to ``manager``."""
        origin = self.origin[client]
        if origin < 0:
            return 0.0
        was = self.assign[client] != origin
        now = manager != origin
        return float(self.cost[client]) * (int(now) - int(was))

    def move_costs(self, client: int, managers: IntArray) -> FloatArray:
        """``move_cost`` for each of ``managers``."""
        origin = self.origin[client]
        if origin < 0:
            return np.zeros(len(managers))
        was = float(self.assign[client] != origin)
        return float(self.cost[client]) * ((managers != origin).astype(float) - was)

    def gain_from(self, client: int) -> float:
        """Excess change at the client's current manager if the client left it."""
        src = self.assign[client]
        if src < 0:
            return 0.0
        after = self.load[src] - self.client_load[client]
        return float(self.excess_rows(after[None, :], np.array([src]))[0]) - self.excess_of(src)

    def gain_into(self, client: int, managers: IntArray) -> FloatArray:
        """Excess change at each of ``managers`` if the client joined it."""
        after = self.load[managers] + self.client_load[client]
        return self.excess_rows(after, managers) - self.excess_rows(self.load[managers], managers)

    def allowed(self, client: int, managers: IntArray) -> npt.NDArray[np.bool_]:
        """Which of ``managers`` can take the client now: every hard rule's move filter
        (``rebalance.rules``: capacity, move caps, …); its own manager is never an option."""
        ok = managers != self.assign[client]
        for rule in HARD_RULES:
            mask = rule.allows(self, client, managers)
            if mask is not None:
                ok &= mask
        return ok

    def swap_allowed(self, a: int, partners: IntArray) -> npt.NDArray[np.bool_]:
        """Which swaps of client ``a`` with each of ``partners`` every hard rule allows
        (eligibility and locks are the caller's: see ``local_search``)."""
        ok = np.ones(len(partners), dtype=bool)
        for rule in HARD_RULES:
            mask = rule.swap_allows(self, a, partners)
            if mask is not None:
                ok &= mask
        return ok

    # ------------------------------------------------------------------ changes

    def place(self, client: int, manager: int) -> None:
        """Put ``client`` on ``manager`` (taking it off its current manager first)."""
        src = self.assign[client]
        origin = self.origin[client]
        if src >= 0:
            self.load[src] -= self.client_load[client]
            self.count[src] -= 1
            if origin >= 0 and src != origin:
                self.num_moves -= 1
                self.lost[origin] -= 1
        if src >= 0 and src != self.prev[client]:
            self.incoming[src] -= 1
        self.assign[client] = manager
        if manager >= 0 and manager != self.prev[client]:
            self.incoming[manager] += 1
        if manager >= 0:
            self.load[manager] += self.client_load[client]
            self.count[manager] += 1
            if origin >= 0 and manager != origin:
                self.num_moves += 1
                self.lost[origin] += 1

    def load_plan(self, client_to_manager: Mapping[str, str | None]) -> None:
        """Replace the ledger's plan by ``client_to_manager`` (unknown managers: unplaced)."""
        index = self.problem.manager_index
        self.assign[:] = -1
        self.load[:] = 0.0
        self.count[:] = 0
        self.lost[:] = 0
        self.incoming[:] = 0
        self.num_moves = 0
        for c, cid in enumerate(self.client_ids):
            mid = client_to_manager.get(cid)
            if mid is not None and mid in index:
                self.place(c, index[mid])

    def plan(self) -> dict[str, str]:
        """client_id -> manager_id of the placed clients."""
        return {cid: self.manager_ids[m]
                for cid, m in zip(self.client_ids, self.assign.tolist(), strict=True) if m >= 0}


def set_plan(ledger: Ledger, assign: IntArray) -> None:
    """Put the ledger on the plan ``assign`` (manager index per client, -1 unplaced)."""
    for c in np.flatnonzero(ledger.assign != assign).tolist():
        ledger.place(c, int(assign[c]))


def pool_positions(problem: Problem, pool: Pool) -> tuple[IntArray, IntArray]:
    """(client positions, manager positions) of one balancing pool in the book's problem:
    what ``Ledger.subset`` takes to narrow a book's ledger to that pool."""
    return (np.array([problem.client_index[c] for c in pool.client_ids], dtype=np.int64),
            np.array([problem.manager_index[m] for m in pool.manager_ids], dtype=np.int64))


def eligibility_matrix(ledger: Ledger) -> BoolMatrix:
    """eligible[c, m]: client c may end with manager m (dense; for one pool at a time)."""
    matrix = np.zeros((len(ledger.client_ids), len(ledger.manager_ids)), dtype=bool)
    for c, options in enumerate(ledger.eligible):
        matrix[c, options] = True
    return matrix
