"""Per-manager portfolios: the Dantzig–Wolfe bound of a pool, anytime (Lagrangian).

The Dantzig–Wolfe master of one pool chooses, for every manager, a convex combination of
*portfolios* (the whole set of clients it ends with, ``scale.pricing.Portfolio``):

    min  Σ value(P) λ_P
    s.t. Σ_{P ∋ c} λ_P = 1          for every client c that is not fixed   (price π_c)
         Σ_{P of m} λ_P = 1          for every manager m
         Σ excess(P) λ_P ≤ E         continuity only: the balance excess held (price σ)

with value = continuity cost (``mode="continuity"``, given the balance excess E held) or
balance excess (``mode="balance"``). Unlike the LP over single assignments it cannot split
a manager's excess across fractions of clients: each portfolio is priced with the
contract's excess, so a client bigger than every band costs what it costs.

**The bound, valid at every step.** For *any* prices π and σ ≥ 0, relaxing the covering and
excess rows gives the Lagrangian bound

    L(π, σ) = Σ_c π_c − σ E + Σ_m min_P [value(P) − π(P) + σ excess(P)]   (+ fixed cost)

where each manager's minimum is replaced by CP-SAT's *proven* lower bound
(``Pricer.solve_exact``), so ``L`` is a lower bound of the pool's optimum however early the
search stops. Its maximum over (π, σ) is the master's LP optimum (the DW bound). The best
``L`` seen is kept.

**How the prices are found.** Solving the master by column generation was tried first: the
set-partitioning master is so degenerate that its duals jumped by thousands from one round
to the next while its value stayed at the starting plan's (260-client pool of the medium
book, 60 s: bound 79.8; with a box around the duals, no better). So the prices are moved by
subgradient steps (Polyak's rule, with the plan's value as target), from a point where the
bound is already good: each client priced at its move cost plus σ times its *floor* (the
least excess an oversize client brings wherever it goes, ``bounds.oversize``): on that pool
the first bound is 95.9 where the release bound proves 84.5 (optimum 117.5). Between two
exact rounds, cheap steps priced heuristically (``Pricer.improve``, no bound of their own)
move the prices, and the next exact round certifies the best point they reached; a round
with σ = 0 is linear and priced exactly without a solver, and in every exact round a
manager's heuristic portfolio that meets its tangent bound (``Pricer.linear_bound``) is
proven optimal without CP-SAT. On the medium book's four pools
no later round beat the first by more than 2 % within 12-15 s (docs/scale.md), so the
engine stops after ``stall`` rounds without progress.

The portfolios priced at the best prices (``support``) are the pool's Lagrangian plan, one
per manager (``plan_of``); the engine's search uses them as neighbourhoods and as a start
(``scale.guided``).
Move caps (``max_moves``, per manager) are left out of the relaxation (fewer constraints:
still a bound); capacities are kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rebalance.scale.ledger import FloatArray, IntArray, Ledger
from rebalance.scale.pricing import Portfolio, Pricer, pricers

EXACT_SECONDS = 0.5  # deterministic time of one manager's exact pricing
INITIAL_SIGMA = 10.0  # starting price of a unit of balance excess (continuity units)
INITIAL_STEP = 0.02  # Polyak step factor at the start; halved after PATIENCE idle steps
PATIENCE = 4
PRICING_WORK = 0.005  # least work counted for one manager's pricing
# Heuristic-priced steps between two exact rounds, and the work one manager's heuristic
# pricing counts with a work limit (it uses no CP-SAT; a deterministic charge keeps the
# budget's meaning).
HEURISTIC_ROUNDS = 0
HEURISTIC_WORK = 0.0005
CERTIFIED_GAP = 1e-9  # a heuristic portfolio within this of its tangent bound is optimal
CONVERGED_GAP = 1e-6  # relative distance of the bound to the target: nothing left to prove


@dataclass
class ColumnGenerationResult:
    """What the portfolio relaxation proved within its budget."""

    bound: float  # best Lagrangian bound (a valid lower bound of the pool's objective)
    rounds: int  # exact pricing rounds (each one bound)
    columns: int  # distinct portfolios priced
    work: float  # CP-SAT deterministic time
    wall_time: float
    optimal: bool  # the portfolios at the best prices form a plan meeting the bound
    # The manager's portfolio at the best prices, one per manager (the Lagrangian plan).
    support: list[Portfolio] = field(default_factory=list)
    heuristic_rounds: int = 0  # cheap steps priced by the heuristic (no bound of their own)
    certified: int = 0  # pricing problems of the exact rounds proven without CP-SAT


class PortfolioRelaxation:
    """The pricing problems of one pool's ledger and the Lagrangian bound they give."""

    def __init__(self, ledger: Ledger, mode: str, held: float = 0.0) -> None:
        if mode not in ("balance", "continuity"):
            raise ValueError(f"unknown mode {mode}")
        self.ledger = ledger
        self.mode = mode
        self.held = held
        self.pricers = pricers(ledger)
        self.cost_weight = 1.0 if mode == "continuity" else 0.0
        free = np.flatnonzero(ledger.fixed < 0)
        self.free = free[[len(ledger.eligible[c]) > 0 for c in free.tolist()]]
        self.constant = ledger.fixed_cost if mode == "continuity" else 0.0
        self.seen: set[tuple[int, bytes]] = set()
        self.certified = 0  # pricing problems proven by the tangent bound, without CP-SAT

    def initial_prices(self, sigma: float, floors: FloatArray | None = None) -> FloatArray:
        """π near the release bound's point: each free client priced at its move cost
        (continuity; keeping it is then free, moving it costs nothing extra), plus the price
        of the excess it brings wherever it goes (``floors``: the oversize clients' least
        excess, ``bounds.oversize``), so that leaving a big client out does not pay."""
        pi = self.cost_weight * self.ledger.cost[self.free]
        if floors is not None:
            pi = pi + self.excess_price(sigma) * floors[self.free]
        return pi

    def excess_price(self, sigma: float) -> float:
        return sigma if self.mode == "continuity" else 1.0

    def value(self, column: Portfolio) -> float:
        return column.cost if self.mode == "continuity" else column.excess

    def lagrangian(self, pi: FloatArray, sigma: float, seconds: float,
                   hints: dict[int, np.ndarray] | None = None,
                   deadline: float | None = None) -> tuple[float, list[Portfolio], float]:
        """(L(π, σ), the best portfolio of every manager, CP-SAT work) by exact pricing:
        each manager's hinted portfolio is first improved by the heuristic; where the tangent
        bound proves it optimal no solver runs, else CP-SAT proves a bound.

        Past ``deadline`` (``time.monotonic()``) the remaining managers count their
        solver-free bound (``Pricer.linear_bound``) and keep their hinted portfolio: the
        bound of a round cut short is weaker, never wrong."""
        pi_full, price, total = self._priced(pi, sigma)
        found: list[Portfolio] = []
        work = 0.0
        for p in self.pricers:
            item, const = self._items(p, pi_full)
            hint = None if hints is None else hints.get(p.manager)
            wall = None if deadline is None else deadline - time.monotonic()
            if hint is not None and price > 0:  # (unpriced, ``solve_exact`` is exact and free)
                # Heuristic pricing first: where the tangent bound at its portfolio meets the
                # portfolio's value, that portfolio is optimal, proven without a solver (on
                # the medium book's 675-client pool, 27 of 67 managers in the first round).
                hint = p.improve(hint, item, price)
            if hint is not None and price > 0 and (
                    p.linear_bound(item, price, hint)
                    >= p.value(hint, item, price) - CERTIFIED_GAP):
                take, low = hint, p.linear_bound(item, price, hint)
                self.certified += 1
            elif wall is not None and wall <= 0:
                take = hint if hint is not None else np.zeros(len(p.candidates), dtype=bool)
                low = p.linear_bound(item, price, take)
            else:
                take, low = p.solve_exact(item, price, seconds, hint, wall)
                work += p.work
            total += const + low
            found.append(p.column(take))
            self.seen.add((p.manager, found[-1].clients.tobytes()))
        return total, found, work

    def estimate(self, pi: FloatArray, sigma: float,
                 hints: dict[int, np.ndarray]) -> tuple[float, list[Portfolio]]:
        """(an estimate of L(π, σ) from above, the portfolios behind it) by heuristic pricing:
        each manager's portfolio improved from its hint by single adds and drops
        (``Pricer.improve``). Not a bound: it steers the prices between exact rounds."""
        pi_full, price, total = self._priced(pi, sigma)
        found: list[Portfolio] = []
        for p in self.pricers:
            item, const = self._items(p, pi_full)
            take = p.improve(hints[p.manager], item, price)
            hints[p.manager] = take
            total += const + p.value(take, item, price)
            found.append(p.column(take))
        return total, found

    def _priced(self, pi: FloatArray, sigma: float) -> tuple[FloatArray, float, float]:
        """(π per ledger client, the excess price, the Lagrangian's constant part)."""
        pi_full = np.zeros(len(self.ledger.client_ids))
        pi_full[self.free] = pi
        total = float(pi.sum()) + self.constant
        total -= sigma * self.held if self.mode == "continuity" else 0.0
        return pi_full, self.excess_price(sigma), total

    def _items(self, p: Pricer, pi_full: FloatArray) -> tuple[FloatArray, float]:
        """A manager's reduced value per candidate and the constant of its forced clients."""
        item = self.cost_weight * p.move - pi_full[p.candidates]
        return item, self.cost_weight * p.forced_cost - float(pi_full[p.forced].sum())


def run_column_generation(ledger: Ledger, mode: str, held: float = 0.0,
                          seconds: float = 10.0, deterministic: bool = False,
                          floors: FloatArray | None = None,
                          on_bound: Callable[[int, float], None] | None = None,
                          heuristic_rounds: int = HEURISTIC_ROUNDS,
                          stall: int | None = None) -> ColumnGenerationResult:
    """The portfolio bound of a pool's ledger within ``seconds`` (wall, or CP-SAT work when
    ``deterministic``); the ledger's current plan is the target of the steps.

    ``floors`` (per client, e.g. the oversize clients' least excess) shape the starting
    prices; ``on_bound(round, bound)`` hears every Lagrangian bound as it is proven. Between
    two exact rounds, up to ``heuristic_rounds`` cheap steps priced by ``Pricer.improve``
    move the prices; the next exact round certifies the best point they reached. With
    ``stall``, the run ends early after that many exact rounds in a row without a better
    bound."""
    began = time.monotonic()
    relax = PortfolioRelaxation(ledger, mode, held)
    target = ledger.total_cost() if mode == "continuity" else ledger.total_excess()
    work = 0.0
    current = {p.manager: np.isin(p.candidates, np.flatnonzero(ledger.assign == p.manager))
               for p in relax.pricers}
    sigma = INITIAL_SIGMA if mode == "continuity" else 0.0
    pi = relax.initial_prices(sigma, floors)
    best, best_columns = -np.inf, []
    step, idle, rounds, cheap, stalled = INITIAL_STEP, 0, 0, 0, 0
    optimal = trial = False
    center: tuple[FloatArray, float, float, FloatArray, float] | None = None

    def left() -> float:
        return seconds - (work if deterministic else time.monotonic() - began)

    def gradient(found: list[Portfolio]) -> tuple[FloatArray, float]:
        """How often each client is covered (short of once), how far the excess is over E."""
        cover = np.zeros(len(ledger.client_ids))
        for column in found:
            cover[column.clients] += 1.0
        g_sigma = sum(c.excess for c in found) - held if mode == "continuity" else 0.0
        return 1.0 - cover[relax.free], g_sigma

    def polyak(pi: FloatArray, sigma: float, value: float, g: FloatArray,
               g_sigma: float) -> tuple[FloatArray, float]:
        norm = float(g @ g) + g_sigma * g_sigma
        move = step * max(target - value, 1e-6 * max(1.0, abs(target))) / max(norm, 1e-12)
        return pi + move * g, max(0.0, sigma + move * g_sigma)

    while left() > 0:
        rounds += 1
        each = min(EXACT_SECONDS, max(0.01, left() / max(1, len(relax.pricers))))
        bound, found, used = relax.lagrangian(
            pi, sigma, each, current, None if deterministic else began + seconds)
        # A tiny pricing model may use (almost) no deterministic time: each one counts at
        # least PRICING_WORK, so a work budget always ends.
        work += max(used, PRICING_WORK * len(relax.pricers))
        if on_bound is not None:
            on_bound(rounds, bound)
        for column in found:
            current[column.manager] = np.isin(relax.pricers[column.manager].candidates,
                                              column.clients)
        g, g_sigma = gradient(found)
        # The portfolios form a plan (each client once, the excess held); at a tied bound
        # such portfolios are the better support (they are a plan for the search).
        plan = not g.any() and g_sigma <= 1e-12
        gained = bound > best + 1e-9 or (plan and bound >= best - 1e-9)
        stalled = 0 if bound > best + 1e-9 else stalled + 1
        if gained:
            best, best_columns, idle = max(best, bound), found, 0
            center = (pi, sigma, bound, g, g_sigma)
        elif trial and center is not None:
            pi, sigma, bound, g, g_sigma = center  # the trial lost: step from the best
        else:
            idle += 1
            if idle >= PATIENCE:
                step, idle = step / 2.0, 0
        trial = False
        if plan and gained:
            # When the plan's value meets the bound, both are the optimum.
            value = relax.constant + sum(relax.value(c) for c in found)
            if value - best <= CONVERGED_GAP * max(1.0, abs(value)):
                optimal = True
                break
        if rounds == 1 and g_sigma < 0 and sigma > 0:
            # The excess held is not binding at the first prices: try it unpriced once
            # (the best bound when nothing must move; linear, so priced without a solver);
            # if that loses, step from here.
            sigma, trial = 0.0, True
            pi = relax.initial_prices(sigma, floors)
            continue
        if target - best <= CONVERGED_GAP * max(1.0, abs(target)) or (
                stall is not None and stalled >= stall):
            break
        pi, sigma = polyak(pi, sigma, bound, g, g_sigma)
        # Cheap steps: heuristic pricing (milliseconds a manager where CP-SAT takes a tenth
        # of a second); the next exact round is taken where their estimate was highest.
        top: tuple[float, FloatArray, float] | None = None
        quiet = 0
        for _ in range(heuristic_rounds):
            if left() <= 0:
                break
            value, found = relax.estimate(pi, sigma, current)
            cheap += 1
            if deterministic:
                work += HEURISTIC_WORK * len(relax.pricers)
            if top is None or value > top[0] + 1e-9:
                top, quiet = (value, pi, sigma), 0
            else:
                quiet += 1
                if quiet >= PATIENCE:
                    step, quiet = step / 2.0, 0
            g, g_sigma = gradient(found)
            if not g.any() and g_sigma <= 1e-12:
                break  # a plan: let the exact round certify it
            pi, sigma = polyak(pi, sigma, value, g, g_sigma)
        if top is not None:
            _, pi, sigma = top
    return ColumnGenerationResult(
        bound=float(best), rounds=rounds, columns=len(relax.seen), work=work,
        wall_time=time.monotonic() - began, optimal=optimal, support=best_columns,
        heuristic_rounds=cheap, certified=relax.certified)


def plan_of(support: list[Portfolio], num_clients: int) -> IntArray:
    """Manager index per client in ``support`` (-1 where no portfolio, or several, hold it)."""
    owner = np.full(num_clients, -1, dtype=np.int64)
    count = np.zeros(num_clients, dtype=np.int64)
    for column in support:
        owner[column.clients] = column.manager
        count[column.clients] += 1
    owner[count != 1] = -1
    return owner
