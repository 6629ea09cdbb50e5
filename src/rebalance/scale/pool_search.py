"""The search of one pool: starts, large-neighbourhood search and bounds within a budget.

``PoolSearch`` is what ``scale.decompose.search_pools`` runs for every pool (in a lane:
``run_lane``, in threads, processes or Ray tasks through ``scale.lanes``). See
``scale.decompose`` for the strategy.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rebalance.contract import HOLD_SLACK, within_tolerance
from rebalance.scale.bounds import oversize, release_bound, release_sets, rounding_slack
from rebalance.scale.colgen import run_column_generation
from rebalance.scale.company import company_bound, company_seconds
from rebalance.scale.greedy import late_sample, shed_over_capacity
from rebalance.scale.guided import column_links, grow, support_start
from rebalance.scale.ledger import (
    IMPROVEMENT_EPSILON,
    IntArray,
    Ledger,
    eligibility_matrix,
    set_plan,
)
from rebalance.scale.lns import solve_neighbourhood
from rebalance.scale.local_search import local_search
from rebalance.scale.pricing import Portfolio
from rebalance.staged import Budget

# Pools with at most this many (client, manager) pairs are solved whole before the LNS (the
# baseline's pools have ~200). Solving bigger pools whole at the end was measured to cost more
# (in continuity, at equal time) than it gained in bounds, so it is not done.
SMALL_POOL_PAIRS = 3_000
MIN_NEIGHBOURHOOD, MAX_NEIGHBOURHOOD = 3, 40
STEP_SECONDS = 0.5  # budget of one neighbourhood solve (wall or deterministic)
BALANCE_PATIENCE = 8  # failed balance neighbourhoods in a row before turning to continuity
# Share of a pool's budget the balance neighbourhoods may use before continuity gets its turn
# (afterwards one neighbourhood in ten still works on balance). Strictly, balance comes
# first; but at scale neither stage is proven in time, and a plan a hair better in balance
# and much worse in continuity is the worse plan for a planner.
BALANCE_SHARE = 0.5
LOCAL_SEARCH_EVERY = 10  # neighbourhoods between two local-search passes
LINK_PROBABILITY = 0.8  # continuity neighbourhoods: follow a moved link, else a random manager
REPORT_SECONDS = 2.0  # a pool tells the progress hook where it stands at most this often
# The portfolio bound (``scale.colgen``) starts when this share of an unproven pool's budget
# and GUIDED_SHARE are left (with a work limit: it gets this share, on top), when that is at
# least COLGEN_MIN_SECONDS.
COLGEN_SHARE = 0.25
COLGEN_MIN_SECONDS = 0.5
# The bound stops after this many exact rounds in a row without a better bound, and leaves
# the rest of its share to the search: on the medium book's four pools the first round (at
# the floor-priced start) was the best of 4-15 rounds in 12-15 s (docs/scale.md). With a
# work limit the bound's work is extra (it takes nothing from the search): it uses its share.
COLGEN_STALL = 1
# Above this many (client, manager) pairs one pricing round does not fit in the share (the
# large benchmark book's pools, 10⁵–10⁶ pairs: the bound stayed the release bound while the
# search lost a quarter of its time), so such pools get no portfolio bound.
COLGEN_MAX_PAIRS = 100_000
# After the portfolio bound, this share of the budget searches on: every other continuity
# neighbourhood follows the links between the plan and the bound's columns (``scale.guided``).
GUIDED_SHARE = 0.25
GUIDED_PROBABILITY = 0.5
REPAIR_PRICE = 10.0  # cost units one unit of excess may cost when the release start repairs

LogHook = Callable[[str], None]


@dataclass(frozen=True)
class PoolOutcome:
    """The search of one pool: its plan, values, bounds and effort."""

    index: int
    client_to_manager: dict[str, str]
    balance_excess: float
    continuity_cost: float
    balance_bound: float  # lower bound on the pool's balance excess
    continuity_bound: float  # lower bound on its continuity cost, given its balance excess
    balance_proven: bool
    continuity_proven: bool
    start: str  # which start won: "greedy" or "release"
    neighbourhoods: int
    improvements: int
    wall_time: float
    work: float
    # What proved each bound: "cp-sat" (whole pool), "oversize" or "company" (balance),
    # "release" or "colgen" (continuity), "none" (nothing): ``result.PoolBound``.
    balance_method: str = "none"
    continuity_method: str = "none"


LaneItem = tuple[int, Ledger, int, int]  # (pool index, its ledger, weight, number 1..n)


def run_lane(lane: list[LaneItem], lane_total: float, deterministic: bool, seed: int,
             num_parts: int, say: LogHook,
             on_step: Callable[[PoolProgress], None] | None = None) -> list[PoolOutcome]:
    """Search a lane's pools one after the other; a pool's budget is its weight's share of
    what the lane has left (work, or wall time since the lane started)."""
    outcomes = []
    spent = 0.0
    lane_start = time.monotonic()
    for n, (pool_index, sub, weight, number) in enumerate(lane):
        used = spent if deterministic else time.monotonic() - lane_start
        left = max(0.0, lane_total - used)
        share = left * weight / sum(item[2] for item in lane[n:])
        report = None if on_step is None else _reporter(on_step, number, num_parts)
        search = PoolSearch(sub, pool_index, Budget.of(share, deterministic), seed, say, report)
        outcomes.append(search.run())
        spent += outcomes[-1].work
    return outcomes


@dataclass(frozen=True)
class PoolProgress:
    """Where one pool's search stands: the stage it works on, the pool's value and bound."""

    part: int  # the pool's number, 1..num_parts (in pool order)
    num_parts: int
    stage: str  # "balance" or "continuity"
    objective: float
    bound: float


def _reporter(hook: Callable[[PoolProgress], None], part: int,
              num_parts: int) -> Callable[[str, float, float], None]:
    return lambda stage, value, bound: hook(PoolProgress(part, num_parts, stage, value, bound))


class PoolSearch:
    """Starts, LNS and bounds of one pool's ledger, within a budget (wall or work)."""

    def __init__(self, ledger: Ledger, index: int, budget: Budget, seed: int,
                 say: LogHook, report: Callable[[str, float, float], None] | None = None
                 ) -> None:
        self.ledger = ledger
        self.report = report
        self.reported = -math.inf  # when (monotonic) the pool last reported
        self.index = index
        self.budget = budget
        self.seed = seed
        self.say = say
        self.rng = random.Random(f"pool-{index}-{seed}")
        staying = [ledger.problem.manager(mid).staying for mid in ledger.manager_ids]
        self.managers = np.flatnonzero(np.array(staying, dtype=bool))
        self.staying = set(self.managers.tolist())
        self.size = min(8, len(self.managers))
        self.spent = 0.0
        self.started = time.monotonic()
        self.neighbourhoods = 0
        self.improvements = 0
        self.guided_neighbourhoods = 0
        self.guided_improvements = 0
        self.last_guided = False  # whether the last continuity neighbourhood was guided
        self.balance_failures = 0
        self.tabu: dict[int, int] = {}  # manager -> neighbourhood count until which it rests
        self.balance_floor = 0.0  # balance excess at which the balance stage is proven
        self.unavoidable = np.zeros(len(ledger.client_ids))  # per client: oversize bound
        self.eligible = eligibility_matrix(ledger)
        self.colgen_share = COLGEN_SHARE  # of the budget, for the portfolio bound (``run``)
        self.support: list[Portfolio] = []  # the portfolio bound's columns (``_colgen``)
        self.guided = False  # whether continuity neighbourhoods may follow them

    # ------------------------------------------------------------------ budget

    def _left(self) -> float:
        used = self.spent if self.budget.deterministic else time.monotonic() - self.started
        return self.budget.amount - used

    def _stop(self) -> bool:
        return not self.budget.deterministic and self._left() <= 0

    def _deadline(self) -> float | None:
        """The pool's wall-clock deadline (``time.monotonic()``); None when work decides."""
        return None if self.budget.deterministic else self.started + self.budget.amount

    # ------------------------------------------------------------------ phases

    def run(self) -> PoolOutcome:
        """Start, search until the budget is spent, bound."""
        ledger = self.ledger
        info = oversize(ledger, self.eligible, deadline=self._deadline())
        company = company_bound(ledger, info, self.eligible, self._deadline(),
                                company_seconds(self.budget.amount), self.budget.deterministic)
        self.balance_floor = company.bound + rounding_slack(ledger)
        self.unavoidable = np.zeros(len(ledger.client_ids))
        self.unavoidable[info.clients] = info.company if info.superadditive else info.alone
        start = self._start()
        pairs = sum(len(e) for e in ledger.eligible)
        balance_bound, cost_bound = company.bound, 0.0
        methods = {"balance": "company" if company.big else "oversize" if info.bound > 0
                   else "none", "continuity": "none"}
        balance_proven = cost_proven = False

        def better(stage: str, now: float, found: float, method: str) -> float:
            if found > now:
                methods[stage] = method
            return max(now, found)

        def absorb(found: tuple[float, float, bool, bool]) -> None:
            nonlocal balance_bound, cost_bound, balance_proven, cost_proven
            balance_bound = better("balance", balance_bound, found[0], "cp-sat")
            cost_bound = better("continuity", cost_bound, found[1], "cp-sat")
            balance_proven = balance_proven or found[2]
            cost_proven = cost_proven or found[3]

        self._report(balance_bound, cost_bound, force=True)
        if pairs <= SMALL_POOL_PAIRS:  # small enough to prove at once
            absorb(self._whole(0.5))
        # Leave time for the bounds at the end (a few seconds on the biggest pools), and
        # for the portfolio bound and the search it guides (``_colgen``, ``guided``).
        self.colgen_share = COLGEN_SHARE if pairs <= COLGEN_MAX_PAIRS else 0.0
        guided_share = GUIDED_SHARE if self.colgen_share else 0.0
        tail = 0.0 if self.budget.deterministic else min(0.05 * self.budget.amount, 15.0)
        later = guided_share * self.budget.amount
        if not self.budget.deterministic:  # with a work limit the bound's work is extra
            later += self.colgen_share * self.budget.amount
        # Not before the balance neighbourhoods' share is over (balance comes first).
        first = min(tail + later, (1.0 - BALANCE_SHARE) * self.budget.amount)
        self._search(first, lambda: cost_proven, balance_bound, cost_bound)
        colgen: tuple[float, float] | None = None  # (bound, the balance excess it holds)
        if not cost_proven and self.colgen_share:
            colgen = self._colgen(tail)
            found = colgen

            def closed() -> bool:
                """The portfolio bound meets the plan (both stages): nothing left to find."""
                return found is not None and within_tolerance(
                    ledger.total_excess(), balance_bound) and within_tolerance(
                    ledger.total_cost(), found[0])

            self._search(tail, closed, balance_bound, cost_bound, guided=True)

        balance = ledger.total_excess()
        cost = ledger.total_cost()
        # Proven only within the stated tolerance (contract.within_tolerance): a plan "within
        # rounding" of its bound (the rounding grows with the pool's size) is not optimal.
        if within_tolerance(balance, balance_bound):
            balance_proven = True
        if colgen is not None and balance <= colgen[1]:
            # Found for a balance excess at least this plan's: a bound for it too (holding
            # less excess only raises the least cost).
            cost_bound = better("continuity", cost_bound, colgen[0], "colgen")
            cost_proven = cost_proven or (balance_proven and within_tolerance(cost, cost_bound))
        if not cost_proven:
            cost_bound = better("continuity", cost_bound, release_bound(
                ledger, balance, info, deadline=self._deadline()), "release")
            cost_proven = balance_proven and within_tolerance(cost, cost_bound)
        outcome = PoolOutcome(
            index=self.index,
            client_to_manager=ledger.plan(),
            balance_excess=balance,
            continuity_cost=cost,
            balance_bound=min(balance_bound, balance),
            continuity_bound=min(cost_bound, cost),
            balance_proven=balance_proven,
            continuity_proven=cost_proven,
            start=start,
            neighbourhoods=self.neighbourhoods,
            improvements=self.improvements,
            wall_time=time.monotonic() - self.started,
            work=self.spent,
            balance_method=methods["balance"],
            continuity_method=methods["continuity"],
        )
        if self.report is not None:
            self.report("continuity", cost, outcome.continuity_bound)
        self.say(f"pool {self.index}: balance excess {balance:.4f} (bound "
                 f"{outcome.balance_bound:.4f}), continuity cost {cost:.2f} (bound "
                 f"{outcome.continuity_bound:.2f}); {start} start, {self.neighbourhoods} "
                 f"neighbourhoods ({self.improvements} improved; {self.guided_neighbourhoods} "
                 f"guided: {self.guided_improvements} improved), {outcome.wall_time:.1f} s")
        return outcome

    def _search(self, reserve: float, proven: Callable[[], bool], balance_bound: float,
                cost_bound: float, guided: bool = False) -> None:
        """Neighbourhoods until only ``reserve`` of the budget is left (or ``proven()``);
        ``guided``: every other continuity neighbourhood follows the portfolio bound's
        columns (``scale.guided``) while they differ from the plan."""
        self.guided = guided
        while not proven() and self._left() > reserve + 0.05:
            if self._step() is None:
                break
            if self.neighbourhoods % LOCAL_SEARCH_EVERY == 0:
                local_search(self.ledger, self._stop, max_passes=1, eligible=self.eligible)
            self._report(balance_bound, cost_bound)

    def _colgen(self, tail: float) -> tuple[float, float] | None:
        """The portfolio bound (``scale.colgen``) in ``colgen_share`` of the pool's budget
        (on the clock: at most what is left above ``tail``; with a work limit, of its work,
        not charged to the pool), holding the plan's balance excess (plus ``HOLD_SLACK``:
        the search that follows may not lower it by less). Its columns then guide the
        search (``support``), its plan is tried as a start, and a plan it proves optimal is
        taken. (bound, excess held), or None when there is too little time."""
        seconds = self.colgen_share * self.budget.amount
        if not self.budget.deterministic:
            # On the clock the share is a ceiling: the stall rule usually ends the bound after
            # its first round, and the rest goes to the guided search. (Letting a first round
            # slowed by the machine's load run on into the guided search's time cost the plan
            # more than the bound gained: docs/scale.md.)
            seconds = min(seconds, self._left() - tail)
        if seconds < COLGEN_MIN_SECONDS:
            return None
        held = self.ledger.total_excess() + HOLD_SLACK
        found = run_column_generation(self.ledger, "continuity", held, seconds,
                                      self.budget.deterministic, floors=self.unavoidable,
                                      stall=None if self.budget.deterministic else COLGEN_STALL)
        self.support = found.support
        taken = support_start(self.ledger, found.support, self._stop, self.eligible)
        self.say(f"pool {self.index}: portfolio bound {found.bound:.2f} ({found.rounds} "
                 f"rounds, {found.certified} pricings proven without CP-SAT, "
                 f"{found.wall_time:.1f} s of {seconds:.1f} s); its plan "
                 f"{'taken' if taken else 'not better'}")
        return max(0.0, found.bound), held

    def _report(self, balance_bound: float, cost_bound: float, force: bool = False) -> None:
        """Tell the hook the pool's balance excess (while above its floor) or its continuity
        cost, with the bound known so far, at most every ``REPORT_SECONDS``."""
        now = time.monotonic()
        if self.report is None or (now - self.reported < REPORT_SECONDS and not force):
            return
        self.reported = now
        balance = self.ledger.total_excess()
        if balance > max(IMPROVEMENT_EPSILON, self.balance_floor):
            self.report("balance", balance, balance_bound)
        else:
            self.report("continuity", self.ledger.total_cost(), cost_bound)

    def _start(self) -> str:
        """Put the better of the greedy and the release start (each polished) in the ledger."""
        ledger = self.ledger
        greedy_assign = ledger.assign.copy()
        local_search(ledger, self._stop, eligible=self.eligible)
        greedy = (ledger.total_excess(), ledger.total_cost(), ledger.assign.copy())
        set_plan(ledger, greedy_assign)
        released, _ = release_sets(ledger, 0.0, deadline=self._deadline())
        release_start(ledger, released, deadline=self._deadline())
        local_search(ledger, self._stop, eligible=self.eligible, price=REPAIR_PRICE)
        local_search(ledger, self._stop, eligible=self.eligible)
        release = (ledger.total_excess(), ledger.total_cost())
        # Balance first; a hair of excess (float noise) does not outweigh a real saving.
        if (round(greedy[0], 9), greedy[1]) < (round(release[0], 9), release[1]) \
                or (ledger.assign < 0).any():
            set_plan(ledger, greedy[2])
            return "greedy"
        return "release"

    def _step(self) -> bool | None:
        """One neighbourhood solve; None when there is nothing left to try."""
        ledger = self.ledger
        excess = ledger.manager_excess()
        if len(self.managers) < 2:
            return None
        # Balance until it meets its bound (then it is proven) or stops improving.
        balance_time = self._left() > (1.0 - BALANCE_SHARE) * self.budget.amount
        balance_mode = excess.sum() > max(IMPROVEMENT_EPSILON, self.balance_floor) and (
            (balance_time and self.balance_failures < BALANCE_PATIENCE)
            or self.rng.random() < 0.1)
        if balance_mode:
            chosen = self._balance_neighbourhood(excess)
        else:
            found = self._continuity_neighbourhood()
            if found is None:
                return None
            chosen = found
        step = Budget.of(min(STEP_SECONDS, max(0.05, self._left())),
                           self.budget.deterministic)
        outcome = solve_neighbourhood(ledger, chosen, "balance" if balance_mode else "continuity",
                                      step, seed=self.seed + self.neighbourhoods,
                                      floors=self.unavoidable)
        self.neighbourhoods += 1
        self.spent += outcome.work if self.budget.deterministic else outcome.wall_time
        if outcome.improved:
            self.improvements += 1
            self.guided_improvements += int(not balance_mode and self.last_guided)
        if balance_mode:
            gained = outcome.balance_after < outcome.balance_before - IMPROVEMENT_EPSILON
            self.balance_failures = 0 if gained else self.balance_failures + 1
            if not gained:
                self.tabu[chosen[0]] = self.neighbourhoods + 10
        # Adapt the neighbourhood: grow while sub-solves finish, shrink when they time out.
        if outcome.status == "OPTIMAL":
            self.size = min(MAX_NEIGHBOURHOOD, len(self.managers), self.size + 1)
        else:
            self.size = max(MIN_NEIGHBOURHOOD, self.size - 2)
        return outcome.improved

    def _balance_neighbourhood(self, excess: np.ndarray) -> list[int]:
        """A manager with a large avoidable excess (beyond what its oversize clients cost
        anyway) and partners whose deviations are opposite to its."""
        ledger = self.ledger
        held = ledger.assign >= 0
        excess = excess - np.bincount(ledger.assign[held], weights=self.unavoidable[held],
                                      minlength=len(excess))
        resting = {m for m, until in self.tabu.items() if until > self.neighbourhoods}
        order = [int(m) for m in np.argsort(-excess, kind="stable")
                 if excess[m] > IMPROVEMENT_EPSILON and int(m) not in resting]
        if not order:
            order = [int(m) for m in np.argsort(-excess, kind="stable")
                     if excess[m] > IMPROVEMENT_EPSILON]
        top = order[: max(1, min(len(order), 5))]
        target = top[min(int(self.rng.expovariate(1.0)), len(top) - 1)]
        dev = (ledger.load - ledger.share) * ledger.inv_share  # relative deviation
        score = -(dev * dev[target] * ledger.weight).sum(axis=1)
        noise = np.array([self.rng.random() for _ in range(len(score))])
        score = score + noise * (np.abs(score).max() + 1e-9) * 0.5
        score[target] = -np.inf
        staying = self.staying
        candidates = [m for m in np.argsort(-score, kind="stable").tolist() if m in staying]
        return [target, *candidates[: self.size - 1]]

    def _continuity_neighbourhood(self) -> list[int] | None:
        """Managers linked by moved clients (a client's previous manager and its new one),
        or, in the guided search, every other time by the portfolio bound's columns."""
        ledger = self.ledger
        staying = self.managers.tolist()
        self.last_guided = False
        if self.guided and self.rng.random() < GUIDED_PROBABILITY:
            links = [link for link in column_links(ledger, self.support)
                     if link[0] in self.staying and link[1] in self.staying]
            if links:
                self.guided_neighbourhoods += 1
                self.last_guided = True
                return grow(self.rng, list(self.rng.choice(links)), links, self.size, staying,
                            LINK_PROBABILITY)
        moved = np.flatnonzero((ledger.origin >= 0) & (ledger.assign != ledger.origin)
                               & (ledger.fixed < 0) & (ledger.assign >= 0))
        if not len(moved):
            return None
        weights = ledger.cost[moved]
        pick = self.rng.choices(moved.tolist(), weights=weights.tolist())[0]
        chosen = [int(ledger.origin[pick]), int(ledger.assign[pick])]
        links = list(zip(ledger.origin[moved].tolist(), ledger.assign[moved].tolist(),
                         strict=True))
        return grow(self.rng, chosen, links, self.size, staying, LINK_PROBABILITY)

    def _whole(self, part: float) -> tuple[float, float, bool, bool]:
        """Solve the whole pool from the current plan with ``part`` of the budget left:
        improve it and prove bounds (balance bound, cost bound, balance proven, cost proven)."""
        left = max(0.05, self._left() * part)
        done = self.ledger.total_excess() <= max(IMPROVEMENT_EPSILON, self.balance_floor)
        outcome = solve_neighbourhood(self.ledger, self.managers.tolist(),
                                      "continuity" if done else "balance",
                                      Budget.of(left, self.budget.deterministic), seed=self.seed,
                                      hold_slack=0.0 if done else HOLD_SLACK,
                                      floors=self.unavoidable)
        self.neighbourhoods += 1
        self.spent += outcome.work if self.budget.deterministic else outcome.wall_time
        balance = self.ledger.total_excess()
        balance_bound = outcome.balance_bound if outcome.balance_bound is not None else 0.0
        balance_proven = (outcome.balance_status == "OPTIMAL"
                          or (done and within_tolerance(balance, self.balance_floor
                                                        - rounding_slack(self.ledger)))
                          or within_tolerance(balance, balance_bound)
                          or (outcome.balance_bound is None and balance <= IMPROVEMENT_EPSILON))
        if balance_proven:
            balance_bound = balance
        # Given the balance excess held (as the engine reports its continuity stage).
        cost_bound = outcome.cost_bound if outcome.cost_bound is not None else 0.0
        cost_proven = outcome.status == "OPTIMAL" and balance_proven
        if cost_proven:
            cost_bound = self.ledger.total_cost()
        return balance_bound, cost_bound, balance_proven, cost_proven


# --------------------------------------------------------------------------- starts


def release_start(ledger: Ledger, released: IntArray, deadline: float | None = None) -> None:
    """Previous managers keep their clients except ``released``; the released, new and
    orphaned clients are placed (biggest revenue first) where they lower the excess most
    (past ``deadline``: most among a sample of their managers, ``greedy.late_sample``)."""
    target = ledger.assign.copy()
    for c in range(len(target)):
        fixed, origin = int(ledger.fixed[c]), int(ledger.origin[c])
        if fixed >= 0:
            target[c] = fixed
        elif origin >= 0 and ledger.eligible[c].size and (ledger.eligible[c] == origin).any():
            target[c] = origin
        else:
            target[c] = -1
    target[released] = -1
    set_plan(ledger, target)
    shed_over_capacity(ledger)  # a manager over capacity today keeps only what it may hold
    todo = np.flatnonzero(ledger.assign < 0)
    todo = todo[np.argsort(-ledger.client_load[todo, 0], kind="stable")]
    for c in todo.tolist():
        options = ledger.eligible[c]
        options = options[ledger.allowed(c, options)] if len(options) else options
        if not len(options):
            continue
        options = late_sample(options, c, deadline)
        gain = ledger.gain_into(c, options)
        best = np.lexsort((options, np.round(gain, 12)))[0]
        ledger.place(c, int(options[best]))
