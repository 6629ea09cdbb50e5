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
   slack the held excess leaves shared between managers by a Lagrangian price) and the
   *portfolio bound* (``rebalance.scale.colgen``: the Lagrangian dual of a Dantzig–Wolfe
   master over managers' whole portfolios), each pool naming the method that proved it.

With ``solver.work_limit`` set, every CP-SAT call is limited by deterministic time, pools get
fixed shares of the work and the whole search stops on work, not on the clock, so a run gives
the same plan twice. Otherwise the wall-clock ``solver.time_limit`` applies.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rebalance.check import Verdict
from rebalance.data import Problem
from rebalance.executors import choose, cores, in_task
from rebalance.pools import Rules, build_rules
from rebalance.result import PoolBound, StageResult
from rebalance.scale.greedy import greedy_plan
from rebalance.scale.lanes import fan_out, in_threads
from rebalance.scale.ledger import IMPROVEMENT_EPSILON, IntArray, Ledger, pool_positions
from rebalance.scale.pool_search import LaneItem, LogHook, PoolOutcome, PoolProgress, run_lane
from rebalance.scenario import Scenario

# Time kept for checking the plan at the end (``check`` of 200,000 clients: ~4 s measured).
CHECK_SECONDS_PER_CLIENT = 2e-5

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


def pool_bounds(outcome: ScaleOutcome) -> list[PoolBound]:
    """Each pool's figures, bounds and the methods that proved them (for summary.json)."""
    def status(proven: bool) -> str:
        return "OPTIMAL" if proven else "FEASIBLE"

    return [PoolBound(
        pool=p.index, balance_status=status(p.balance_proven), balance_excess=p.balance_excess,
        balance_bound=p.balance_bound, balance_method=p.balance_method,
        continuity_status=status(p.balance_proven and p.continuity_proven),
        continuity_cost=p.continuity_cost, continuity_bound=p.continuity_bound,
        continuity_method=p.continuity_method) for p in outcome.pools]


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
            groups.append((pool.index, *pool_positions(problem, pool)))
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
