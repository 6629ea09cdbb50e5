"""Solving big books: pools one by one (in parallel), good starts, LNS, and honest bounds.

Balancing pools share no manager and no client, and both objectives are sums over pools, so
the lexicographic optimum of the book is the union of each pool's lexicographic optimum (as
long as no move cap couples the pools: with ``max_moves`` or ``max_moves_per_manager`` the
book is searched as one pool). ``rebalance.solve.solve`` sends a book here (returning its
``Result``) when a pool is big; the engine handles the default priorities
``[balance, continuity]`` (see ``supports``):

1. **starts** — per pool, the better (lexicographically) of two solver-free plans, each
   polished by local search (moves and swaps, ``rebalance.scale.local_search``):
   the greedy repair (``rebalance.scale.greedy``), and a *release* start: every manager above a band
   gives up the cheapest set of its own clients that brings it back inside (a tiny exact
   knapsack per manager), and the released and unplaced clients are placed where they lower
   the excess most;
2. **search** — pools are shared out over ``workers`` lanes (largest first), run in threads,
   processes or Ray tasks (``solver.executor``, ``rebalance.executors``); each pool runs a
   large-neighbourhood search with one-worker CP-SAT (``rebalance.scale.lns``): neighbourhoods
   of the managers with the largest avoidable excess and partners with opposite deviations
   (balance, up to half the pool's budget), then of managers linked by moved clients
   (continuity), with local search in between. Small pools are first solved whole, which
   proves them optimal (the baseline's);
3. **bounds** (``rebalance.scale.bounds``) — balance: the best of CP-SAT's bound (pools
   solved whole) and the *oversize bound* (a client bigger than every band it may sit in
   costs at least the excess of a manager holding it with the best companions); continuity,
   given the balance excess held: the best of CP-SAT's bound and the *release bound* (per
   manager, the cheapest set of its own clients it must lose to fit its bands, with the
   slack the held excess leaves shared between managers by a Lagrangian price).

With ``solver.work_limit`` set, every CP-SAT call is limited by deterministic time, pools get
fixed shares of the work and the whole search stops on work, not on the clock, so a run gives
the same plan twice. Otherwise the wall-clock ``solver.time_limit`` applies.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rebalance.check import Verdict
from rebalance.contract import HOLD_SLACK
from rebalance.data import Problem
from rebalance.executors import choose, cores, in_task
from rebalance.pools import Rules, build_rules
from rebalance.result import StageResult
from rebalance.scale.bounds import oversize, release_bound, release_sets, rounding_slack
from rebalance.scale.greedy import greedy_plan, late_sample, shed_over_capacity
from rebalance.scale.lanes import fan_out, in_threads
from rebalance.scale.ledger import IMPROVEMENT_EPSILON, IntArray, Ledger
from rebalance.scale.lns import Budget, solve_neighbourhood
from rebalance.scale.local_search import eligibility_matrix, local_search
from rebalance.scenario import Scenario

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
REPAIR_PRICE = 10.0  # cost units one unit of excess may cost when the release start repairs

# Time kept for checking the plan at the end (``check`` of 200,000 clients: ~4 s measured).
CHECK_SECONDS_PER_CLIENT = 2e-5

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


@dataclass(frozen=True)
class ScaleOutcome:
    """The book's plan from the pool searches, with totals over pools."""

    client_to_manager: dict[str, str]
    balance_excess: float
    continuity_cost: float
    balance_bound: float
    continuity_bound: float
    wall_time: float
    pools: tuple[PoolOutcome, ...]
    unplaced: tuple[str, ...] = field(default_factory=tuple)

    @property
    def balance_proven(self) -> bool:
        return all(p.balance_proven for p in self.pools)

    @property
    def continuity_proven(self) -> bool:
        return all(p.continuity_proven for p in self.pools)

    @property
    def status(self) -> str:
        return "OPTIMAL" if self.balance_proven and self.continuity_proven else "FEASIBLE"

    @property
    def gap(self) -> float:
        """Relative gap of the continuity stage (balance held)."""
        return _gap(self.continuity_cost, self.continuity_bound)

    @property
    def balance_gap(self) -> float:
        return _gap(self.balance_excess, self.balance_bound)


def _gap(value: float, bound: float) -> float:
    if value <= IMPROVEMENT_EPSILON or value - bound <= 1e-9 * max(1.0, value):
        return 0.0
    return (value - bound) / value


def supports(scenario: Scenario) -> bool:
    """True when the scale engine can handle the scenario (default lexicographic priorities)."""
    return scenario.priorities in (("balance", "continuity"), ("balance",))


def scale_stages(outcome: ScaleOutcome, verdict: Verdict, scenario: Scenario,
                 wall_time: float) -> list[StageResult]:
    """The stages of a checked scale plan: its figures (``verdict``) with the pools' bounds."""
    stages = [StageResult(
        name="balance", status="OPTIMAL" if outcome.balance_proven else "FEASIBLE",
        objective=verdict.balance_excess, best_bound=outcome.balance_bound,
        gap=_gap(verdict.balance_excess, outcome.balance_bound), wall_time=wall_time)]
    if scenario.priorities == ("balance", "continuity"):
        stages.append(StageResult(
            name="continuity", status="OPTIMAL" if outcome.status == "OPTIMAL" else "FEASIBLE",
            objective=verdict.continuity_cost, best_bound=outcome.continuity_bound,
            gap=_gap(verdict.continuity_cost, outcome.continuity_bound), wall_time=wall_time))
    return stages


def search_pools(problem: Problem, scenario: Scenario, rules: Rules | None = None,
                 log: LogHook | None = None,
                 on_step: Callable[[PoolProgress], None] | None = None,
                 started: float | None = None) -> ScaleOutcome:
    """Starts, LNS and bounds for every pool, in parallel lanes: the scale engine.

    ``on_step`` hears from each pool every ``REPORT_SECONDS`` while it is searched, and once
    when it is done (called from the lanes' threads).
    """
    start = started if started is not None else time.monotonic()
    rules = rules if rules is not None else build_rules(problem, scenario)
    solver = scenario.solver
    deterministic = solver.work_limit is not None
    total = solver.work_limit if solver.work_limit is not None else solver.time_limit
    say = log or (lambda _msg: None)

    # The greedy repair may use a third of the time; the pools' search gets the rest.
    greedy = greedy_plan(problem, scenario, rules,
                         deadline=None if deterministic else start + total / 3)
    ledger = Ledger(problem, scenario, rules)
    ledger.load_plan(greedy.client_to_manager)
    say(f"greedy plan: balance excess {greedy.balance_excess:.4f}, "
        f"continuity cost {greedy.continuity_cost:.2f} ({time.monotonic() - start:.1f} s)")

    coupled = (scenario.continuity.max_moves is not None
               or scenario.continuity.max_moves_per_manager is not None)
    index = problem.manager_index
    groups: list[tuple[int, IntArray, IntArray]] = []
    if coupled:
        managers = np.array(sorted(index[m] for p in rules.pools for m in p.manager_ids),
                            dtype=np.int64)
        groups.append((0, np.arange(problem.num_clients, dtype=np.int64), managers))
    else:
        for pool in rules.pools:
            groups.append((
                pool.index,
                np.array([problem.client_index[c] for c in pool.client_ids], dtype=np.int64),
                np.array([index[m] for m in pool.manager_ids], dtype=np.int64),
            ))
    weights = {g[0]: max(1, sum(len(ledger.eligible[c]) for c in g[1].tolist())) for g in groups}
    groups.sort(key=lambda g: (-weights[g[0]], g[0]))

    # Longest-processing-time schedule: pools to ``workers`` lanes, each lane run in order
    # (by a thread, a process or a Ray task); a pool's budget is its weight's share of what
    # its lane has left. With a work limit the lanes are fixed by ``solver.workers`` alone, so
    # every executor gives the same plan; on the clock, lanes never outnumber the cores a
    # process pool (or a task that is itself a sweep point) has, or queued lanes would start
    # late and overrun the time limit.
    workers = max(1, min(solver.workers, len(groups)))
    # ``auto`` keeps the lanes of one book in threads: on the 2-core machine processes were
    # not faster for them (docs/fanout.md), and threads need no copy of the ledgers.
    executor = choose(solver.executor, workers, heavy=False)
    if not deterministic and (executor == "processes" or in_task()):
        workers = min(workers, cores())
    lanes: list[list[tuple[int, IntArray, IntArray]]] = [[] for _ in range(workers)]
    lane_weight = [0] * workers
    for group in groups:
        lane = lane_weight.index(min(lane_weight))
        lanes[lane].append(group)
        lane_weight[lane] += weights[group[0]]
    number = {g[0]: n for n, g in enumerate(sorted(groups, key=lambda g: g[0]), start=1)}
    lane_work = [[(pool_index, ledger if coupled else ledger.subset(clients, managers),
                   weights[pool_index], number[pool_index])
                  for pool_index, clients, managers in lane] for lane in lanes]
    # In wall mode, keep a little time for checking and assembling the plan at the end. The
    # pools' ledgers are built first (at 200,000 clients that takes seconds): it counts.
    lane_total = total if deterministic else max(
        0.0, total - (time.monotonic() - start) - (0.01 * total + 0.5)
        - CHECK_SECONDS_PER_CLIENT * problem.num_clients)
    if executor != "local":
        outcomes = fan_out(lane_work, lane_total, deterministic, solver.seed, len(groups),
                            executor, scenario.ray.address, say, on_step)
    else:
        def run(work: list[LaneItem]) -> list[PoolOutcome]:
            return run_lane(work, lane_total, deterministic, solver.seed, len(groups), say,
                            on_step)

        # Threads share this process (CP-SAT releases the GIL); with a work limit no more
        # of them than the cores this code may use, on the clock every lane at once.
        threads = min(workers, cores()) if deterministic else workers
        outcomes = in_threads(lane_work, threads, run, len(groups))
    outcomes.sort(key=lambda o: o.index)

    plan: dict[str, str] = {}
    for outcome in outcomes:
        plan.update(outcome.client_to_manager)
    return ScaleOutcome(
        client_to_manager=dict(sorted(plan.items())),
        balance_excess=sum(o.balance_excess for o in outcomes),
        continuity_cost=sum(o.continuity_cost for o in outcomes),
        balance_bound=sum(o.balance_bound for o in outcomes),
        continuity_bound=sum(o.continuity_bound for o in outcomes),
        wall_time=time.monotonic() - start,
        pools=tuple(outcomes),
        unplaced=greedy.unplaced,
    )


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
        search = PoolSearch(sub, pool_index, Budget(share, deterministic), seed, say, report)
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
        self.balance_failures = 0
        self.tabu: dict[int, int] = {}  # manager -> neighbourhood count until which it rests
        self.balance_floor = 0.0  # balance excess at which the balance stage is proven
        self.unavoidable = np.zeros(len(ledger.client_ids))  # per client: oversize bound
        self.eligible = eligibility_matrix(ledger)

    # ------------------------------------------------------------------ budget

    def _left(self) -> float:
        used = self.spent if self.budget.deterministic else time.monotonic() - self.started
        return self.budget.seconds - used

    def _stop(self) -> bool:
        return not self.budget.deterministic and self._left() <= 0

    def _deadline(self) -> float | None:
        """The pool's wall-clock deadline (``time.monotonic()``); None when work decides."""
        return None if self.budget.deterministic else self.started + self.budget.seconds

    # ------------------------------------------------------------------ phases

    def run(self) -> PoolOutcome:
        """Start, search until the budget is spent, bound."""
        ledger = self.ledger
        info = oversize(ledger, self.eligible, deadline=self._deadline())
        self.balance_floor = info.bound + rounding_slack(ledger)
        self.unavoidable = np.zeros(len(ledger.client_ids))
        self.unavoidable[info.clients] = info.company if info.superadditive else info.alone
        start = self._start()
        pairs = sum(len(e) for e in ledger.eligible)
        balance_bound, cost_bound = info.bound, 0.0
        balance_proven = cost_proven = False

        def absorb(found: tuple[float, float, bool, bool]) -> None:
            nonlocal balance_bound, cost_bound, balance_proven, cost_proven
            balance_bound = max(balance_bound, found[0])
            cost_bound = max(cost_bound, found[1])
            balance_proven = balance_proven or found[2]
            cost_proven = cost_proven or found[3]

        self._report(balance_bound, cost_bound, force=True)
        if pairs <= SMALL_POOL_PAIRS:  # small enough to prove at once
            absorb(self._whole(0.5))
        # Leave time for the bounds at the end (a few seconds on the biggest pools).
        reserve = 0.0 if self.budget.deterministic else min(0.05 * self.budget.seconds, 15.0)
        while not cost_proven and self._left() > reserve + 0.05:
            if self._step() is None:
                break
            if self.neighbourhoods % LOCAL_SEARCH_EVERY == 0:
                local_search(ledger, self._stop, max_passes=1, eligible=self.eligible)
            self._report(balance_bound, cost_bound)

        balance = ledger.total_excess()
        cost = ledger.total_cost()
        if balance - balance_bound <= rounding_slack(ledger):
            balance_proven = True
        if not cost_proven:
            cost_bound = max(cost_bound, release_bound(ledger, balance, info,
                                                       deadline=self._deadline()))
            cost_proven = balance_proven and cost - cost_bound <= 1e-9 * max(1.0, cost)
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
        )
        if self.report is not None:
            self.report("continuity", cost, outcome.continuity_bound)
        self.say(f"pool {self.index}: balance excess {balance:.4f} (bound "
                 f"{outcome.balance_bound:.4f}), continuity cost {cost:.2f} (bound "
                 f"{outcome.continuity_bound:.2f}); {start} start, {self.neighbourhoods} "
                 f"neighbourhoods, {outcome.wall_time:.1f} s")
        return outcome

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
        balance_time = self._left() > (1.0 - BALANCE_SHARE) * self.budget.seconds
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
        step = Budget(min(STEP_SECONDS, max(0.05, self._left())), self.budget.deterministic)
        outcome = solve_neighbourhood(ledger, chosen, "balance" if balance_mode else "continuity",
                                      step, seed=self.seed + self.neighbourhoods,
                                      floors=self.unavoidable)
        self.neighbourhoods += 1
        self.spent += outcome.work if self.budget.deterministic else outcome.wall_time
        if outcome.improved:
            self.improvements += 1
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
        """Managers linked by moved clients: a client's previous manager and its new one."""
        ledger = self.ledger
        moved = np.flatnonzero((ledger.origin >= 0) & (ledger.assign != ledger.origin)
                               & (ledger.fixed < 0) & (ledger.assign >= 0))
        if not len(moved):
            return None
        weights = ledger.cost[moved]
        pick = self.rng.choices(moved.tolist(), weights=weights.tolist())[0]
        chosen = [int(ledger.origin[pick]), int(ledger.assign[pick])]
        links = list(zip(ledger.origin[moved].tolist(), ledger.assign[moved].tolist(),
                         strict=True))
        staying = self.managers.tolist()
        for _ in range(4 * self.size):
            if len(set(chosen)) >= min(self.size, len(staying)):
                break
            inside = set(chosen)
            touching = [(o, a) for o, a in links if (o in inside) != (a in inside)]
            if touching and self.rng.random() < LINK_PROBABILITY:
                o, a = self.rng.choice(touching)
                chosen.append(a if o in inside else o)
            else:
                chosen.append(int(self.rng.choice(staying)))
        return sorted(set(chosen))

    def _whole(self, part: float) -> tuple[float, float, bool, bool]:
        """Solve the whole pool from the current plan with ``part`` of the budget left:
        improve it and prove bounds (balance bound, cost bound, balance proven, cost proven)."""
        left = max(0.05, self._left() * part)
        done = self.ledger.total_excess() <= max(IMPROVEMENT_EPSILON, self.balance_floor)
        outcome = solve_neighbourhood(self.ledger, self.managers.tolist(),
                                      "continuity" if done else "balance",
                                      Budget(left, self.budget.deterministic), seed=self.seed,
                                      hold_slack=0.0 if done else HOLD_SLACK,
                                      floors=self.unavoidable)
        self.neighbourhoods += 1
        self.spent += outcome.work if self.budget.deterministic else outcome.wall_time
        balance = self.ledger.total_excess()
        balance_bound = outcome.balance_bound if outcome.balance_bound is not None else 0.0
        balance_proven = (outcome.balance_status == "OPTIMAL" or done
                          or balance - balance_bound <= rounding_slack(self.ledger)
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


def set_plan(ledger: Ledger, assign: IntArray) -> None:
    """Put the ledger on the plan ``assign`` (manager index per client, -1 unplaced)."""
    for c in np.flatnonzero(ledger.assign != assign).tolist():
        ledger.place(c, int(assign[c]))


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
