"""How far from optimal is a time-limited plan? Bracket each pool's continuity optimum.

    python benchmarks/bracket.py [--size medium] [--seed 0] [--plan-time 60]
                                 [--whole-time 300] [--workers 2] [--pools 3,0]
                                 [--colgen-time 60]

1. solves the generated book as the engine does (``search_pools``, ``--plan-time`` seconds);
2. for each chosen pool (index as in ``Rules.pools``; default: all), holding the balance
   excess that plan reached, reports the plan's continuity cost, the release bound the engine
   reports, the portfolio bound (``scale.colgen``, ``--colgen-time`` seconds, one core), and
   what a whole-pool CP-SAT solve with the floor cuts (``--whole-time`` seconds, ``--workers``
   workers, started from the plan) reaches and proves.

The optimum of the pool lies between the best bound and the best plan printed. A benchmark,
not a test (wall-clock limits); the figures are in docs/scale.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate_book  # noqa: E402
from rebalance.pools import build_rules  # noqa: E402
from rebalance.scale.bounds import oversize, release_bound  # noqa: E402
from rebalance.scale.colgen import run_column_generation  # noqa: E402
from rebalance.scale.decompose import search_pools  # noqa: E402
from rebalance.scale.ledger import Ledger, pool_positions  # noqa: E402
from rebalance.scale.lns import solve_neighbourhood  # noqa: E402
from rebalance.staged import Budget  # noqa: E402


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plan-time", type=float, default=60.0)
    parser.add_argument("--whole-time", type=float, default=300.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pools", default="", help="comma-separated pool indexes (default all)")
    parser.add_argument("--colgen-time", type=float, default=60.0)
    args = parser.parse_args(argv)

    book = generate_book(args.size, args.seed, time_limit=args.plan_time)
    problem, scenario = book.problem, book.scenario
    rules = build_rules(problem, scenario)
    plan = search_pools(problem, scenario, rules)
    print(f"{book.name}, seed {args.seed}: {args.plan_time:g} s plan, balance excess "
          f"{plan.balance_excess:.4f}, continuity cost {plan.continuity_cost:.2f}", flush=True)
    book_ledger = Ledger(problem, scenario, rules)
    book_ledger.load_plan(plan.client_to_manager)
    chosen = {int(p) for p in args.pools.split(",") if p.strip()}
    print("| pool | clients × managers | balance held (bound) | plan | release bound "
          f"| portfolio bound {args.colgen_time:g} s (exact rounds, heuristic steps) "
          f"| whole pool {args.whole_time:g} s: plan | its bound |")
    print("|---|---|---|---|---|---|---|---|")
    for pool in rules.pools:
        if chosen and pool.index not in chosen:
            continue
        clients, managers = pool_positions(problem, pool)
        ledger = book_ledger.subset(clients, managers)
        info = oversize(ledger)
        floors = np.zeros(len(ledger.client_ids))
        floors[info.clients] = info.company if info.superadditive else info.alone
        held, cost = ledger.total_excess(), ledger.total_cost()
        release = release_bound(ledger, held, info)
        portfolio = run_column_generation(ledger, "continuity", held, args.colgen_time,
                                          floors=floors)
        staying = [i for i, mid in enumerate(ledger.manager_ids)
                   if problem.manager(mid).staying]
        whole = solve_neighbourhood(ledger, staying, "continuity", Budget(args.whole_time),
                                    seed=scenario.solver.seed, workers=args.workers,
                                    floors=floors)
        bound = "—" if whole.cost_bound is None else f"{whole.cost_bound:.2f}"
        print(f"| {pool.index} | {len(clients)} × {len(staying)} | {held:.4f} "
              f"({info.bound:.4f}) | {cost:.2f} | {release:.2f} "
              f"| {portfolio.bound:.2f} ({portfolio.rounds}, {portfolio.heuristic_rounds}) "
              f"| {ledger.total_cost():.2f} "
              f"| {bound} |", flush=True)


if __name__ == "__main__":
    main()
