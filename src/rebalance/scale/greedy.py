"""A solver-free greedy plan: a baseline to beat and a starting point (hint) for the engine.

Greedy repair, in two steps, respecting every hard rule (eligibility, forbidden pairs, locks,
protection, capacity, move caps):

1. **place**: start from the current assignment; clients that must or may be placed freely
   (new clients, clients of leaving managers, clients whose manager is no longer eligible) go,
   biggest revenue first, to the eligible manager where they reduce balance excess the most
   (ties: the manager whose revenue is furthest below its fair share);
2. **repair**: repeatedly take the manager with the largest balance excess and make the
   cheapest move that lowers the total excess — a client of an over-band manager to another
   manager, or a client into an under-band manager — cheapest in continuity cost first; stop
   when no move lowers it.

Numbers are the contract's (floating point, as ``check`` computes them), kept by the
``Ledger`` (``rebalance.scale.ledger``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from rebalance.data import Problem
from rebalance.pools import Rules, build_rules
from rebalance.scale.ledger import IMPROVEMENT_EPSILON, IntArray, Ledger
from rebalance.scenario import Scenario


@dataclass(frozen=True)
class GreedyPlan:
    """A plan and its two objective values (contract units), plus what could not be placed."""

    client_to_manager: Mapping[str, str]
    balance_excess: float
    continuity_cost: float
    moves: int
    unplaced: tuple[str, ...]  # clients with no eligible manager that has room


def greedy_plan(problem: Problem, scenario: Scenario, rules: Rules | None = None,
                deadline: float | None = None) -> GreedyPlan:
    """The greedy repair plan (see the module docstring). Never raises on hard cases: clients
    that fit nowhere are left out and listed in ``unplaced``. With ``deadline`` (a
    ``time.monotonic()`` instant) the placement prices fewer managers and the repair stops
    there: the plan is complete, just less balanced."""
    rules = rules if rules is not None else build_rules(problem, scenario)
    ledger = Ledger(problem, scenario, rules)
    unplaced = _place(ledger, deadline)
    _repair(ledger, deadline)
    return GreedyPlan(
        client_to_manager=ledger.plan(),
        balance_excess=ledger.total_excess(),
        continuity_cost=ledger.total_cost(),
        moves=ledger.num_moves,
        unplaced=tuple(ledger.client_ids[c] for c in unplaced),
    )


# Past the deadline a client still to be placed is priced at this many of its allowed
# managers only (spread over the list), not all: every client still gets a manager.
LATE_OPTIONS = 64


def late_sample(options: IntArray, client: int, deadline: float | None) -> IntArray:
    """``options`` itself, or past ``deadline`` at most ``LATE_OPTIONS`` of them, spread over
    the list (where to place a client is then priced at a sample of its managers)."""
    if len(options) <= LATE_OPTIONS or deadline is None or time.monotonic() < deadline:
        return options
    step = len(options) // LATE_OPTIONS
    return options[client % step::step][:LATE_OPTIONS]


def _place(ledger: Ledger, deadline: float | None = None) -> list[int]:
    """Step 1: keep who may stay, fix the fixed, place the rest biggest first."""
    to_place = []
    for c in range(len(ledger.client_ids)):
        fixed, origin = int(ledger.fixed[c]), int(ledger.origin[c])
        if fixed >= 0:
            ledger.place(c, fixed)
        elif origin >= 0 and origin in ledger.eligible[c]:
            ledger.place(c, origin)
        else:
            to_place.append(c)
    to_place.extend(shed_over_capacity(ledger))
    revenue = ledger.client_load[:, 0]
    to_place.sort(key=lambda c: (-revenue[c], c))
    unplaced = []
    for c in to_place:
        options = ledger.eligible[c]
        options = options[ledger.allowed(c, options)] if len(options) else options
        if not len(options):
            unplaced.append(c)
            continue
        options = late_sample(options, c, deadline)
        gain = ledger.gain_into(c, options)
        fill = (ledger.load[options, 0] + revenue[c]) * ledger.inv_share[options, 0]
        best = np.lexsort((options, fill, np.round(gain, 12)))[0]
        ledger.place(c, int(options[best]))
    return unplaced


def shed_over_capacity(ledger: Ledger) -> list[int]:
    """A manager above its capacity gives up its cheapest movable clients (now unplaced);
    returns them. Every start plan goes through this, so capacity holds by construction."""
    shed: list[int] = []
    for m in np.flatnonzero(ledger.count > ledger.capacity).tolist():
        members = np.flatnonzero((ledger.assign == m) & (ledger.fixed < 0))
        members = members[np.lexsort((members, ledger.cost[members]))]
        for c in members[: int(ledger.count[m] - ledger.capacity[m])].tolist():
            ledger.place(c, -1)
            shed.append(c)
    return shed


def _repair(ledger: Ledger, deadline: float | None = None) -> None:
    """Step 2: cheapest excess-lowering moves around the worst manager, until none is left."""
    members: dict[int, list[int]] = {}
    for c, m in enumerate(ledger.assign.tolist()):
        if m >= 0:
            members.setdefault(m, []).append(c)
    pullable = _Pullable(ledger)

    excess = ledger.manager_excess()
    # A manager is skipped once no improving move involves it; a move re-opens the two
    # managers it changes (a heuristic: moves elsewhere rarely open new ones for it).
    open_ = excess > IMPROVEMENT_EPSILON
    while open_.any():
        if deadline is not None and time.monotonic() >= deadline:
            break  # the plan is complete; the time limit wins over more balance
        worst = int(np.argmax(np.where(open_, excess, -np.inf)))
        move = _push_from(ledger, worst, members.get(worst, []))
        if move is None:
            move = _pull_into(ledger, worst, pullable.get(worst))
        if move is None:
            open_[worst] = False
            continue
        c, dst = move
        src = int(ledger.assign[c])
        members[src].remove(c)
        members.setdefault(dst, []).append(c)
        ledger.place(c, dst)
        for m in (src, dst):
            excess[m] = ledger.excess_of(m)
            open_[m] = excess[m] > IMPROVEMENT_EPSILON


class _Pullable:
    """Who may be pulled into a manager: clients that list it as eligible and are not fixed.

    Worked out per manager when the repair first asks (clients that share an eligibility
    array are one group): listing every (client, manager) pair up front is a billion pairs
    at 200,000 clients, and the repair only ever asks about the managers it works on.
    """

    def __init__(self, ledger: Ledger) -> None:
        members: dict[int, tuple[IntArray, list[int]]] = {}
        for c, options in enumerate(ledger.eligible):
            if ledger.fixed[c] < 0 and len(options):
                members.setdefault(id(options), (options, []))[1].append(c)
        self.groups = [(frozenset(options.tolist()), np.array(cs, dtype=np.int64))
                       for options, cs in members.values()]
        self.cache: dict[int, IntArray | None] = {}

    def get(self, manager: int) -> IntArray | None:
        if manager not in self.cache:
            if len(self.cache) >= 256:  # bounded memory: big pools list ~50,000 clients each
                self.cache.clear()
            parts = [cs for options, cs in self.groups if manager in options]
            self.cache[manager] = np.sort(np.concatenate(parts)) if parts else None
        return self.cache[manager]


def _push_from(ledger: Ledger, manager: int, clients: list[int]) -> tuple[int, int] | None:
    """Cheapest client of ``manager`` whose move to some manager lowers the total excess."""
    if not clients:
        return None
    movable = [c for c in clients if ledger.fixed[c] < 0]
    movable.sort(key=lambda c: (ledger.move_cost(c, -2), c))  # -2: "anywhere else"
    for c in movable:
        options = ledger.eligible[c]
        options = options[ledger.allowed(c, options)]
        if not len(options):
            continue
        total = ledger.gain_into(c, options) + ledger.gain_from(c)
        costs = ledger.move_costs(c, options)
        # Lowest excess first, then cheapest, then lowest index (deterministic).
        best = np.lexsort((options, costs, np.round(total, 12)))[0]
        if total[best] < -IMPROVEMENT_EPSILON:
            return c, int(options[best])
    return None


def _pull_into(ledger: Ledger, manager: int, pool: IntArray | None) -> tuple[int, int] | None:
    """Cheapest client elsewhere whose move into ``manager`` lowers the total excess."""
    if pool is None or not len(pool):
        return None
    pool = pool[(ledger.assign[pool] != manager) & (ledger.assign[pool] >= 0)]
    if not len(pool) or ledger.count[manager] >= ledger.capacity[manager]:
        return None
    into = ledger.excess_rows(ledger.load[manager] + ledger.client_load[pool],
                              np.full(len(pool), manager)) - ledger.excess_of(manager)
    src = ledger.assign[pool]
    out = (ledger.excess_rows(ledger.load[src] - ledger.client_load[pool], src)
           - ledger.excess_rows(ledger.load[src], src))
    total = into + out
    origin = ledger.origin[pool]
    moved_now = (origin >= 0) & (src != origin)
    moved_after = (origin >= 0) & (origin != manager)
    costs = ledger.cost[pool] * (moved_after.astype(float) - moved_now.astype(float))
    improving = np.flatnonzero(total < -IMPROVEMENT_EPSILON)
    for i in improving[np.lexsort((pool[improving], np.round(total[improving], 12),
                                   costs[improving]))].tolist():
        c = int(pool[i])
        if ledger.allowed(c, np.array([manager]))[0]:
            return c, manager
    return None
