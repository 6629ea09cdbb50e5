"""The balance bounds of each pool of a generated book: single floors against the company bound.

    python benchmarks/company.py [--size medium] [--seed 0] [--seconds 20]
                                 [--plan-time 0] [--deterministic]

For every balancing pool of the book ``benchmarks/generate.py`` makes, prints the oversize
bound (``scale.bounds.oversize``: each big client with its own best companions), the company
bound (``scale.company``: big clients competing for the same small companions; ``--seconds``
per pool, or the root node only with ``--deterministic``), which model proved it and the time
it took; with ``--plan-time`` the engine first plans the book (``search_pools``) and the
plan's balance excess per pool is printed beside them. A benchmark, not a test: the figures
are in docs/scale.md ("The company bound").
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate_book  # noqa: E402
from rebalance.pools import build_rules  # noqa: E402
from rebalance.scale.bounds import oversize  # noqa: E402
from rebalance.scale.company import company_bound  # noqa: E402
from rebalance.scale.decompose import search_pools  # noqa: E402
from rebalance.scale.ledger import Ledger, eligibility_matrix, pool_positions  # noqa: E402


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="medium")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--plan-time", type=float, default=0.0)
    parser.add_argument("--deterministic", action="store_true")
    args = parser.parse_args(argv)

    book = generate_book(args.size, args.seed, time_limit=max(args.plan_time, 1.0))
    problem, scenario = book.problem, book.scenario
    rules = build_rules(problem, scenario)
    whole = Ledger(problem, scenario, rules)
    if args.plan_time > 0:
        plan = search_pools(problem, scenario, rules)
        whole.load_plan(plan.client_to_manager)
        print(f"{book.name}, seed {args.seed}: {args.plan_time:g} s plan, balance excess "
              f"{plan.balance_excess:.4f}", flush=True)
    print("| pool | clients × managers | plan's balance | oversize bound | company bound "
          "| model (big clients) | seconds |")
    print("|---|---|---|---|---|---|---|")
    totals = [0.0, 0.0]
    for pool in rules.pools:
        clients, managers = pool_positions(problem, pool)
        ledger = whole.subset(clients, managers)
        eligible = eligibility_matrix(ledger)
        info = oversize(ledger, eligible)
        began = time.monotonic()
        found = company_bound(ledger, info, eligible, seconds=args.seconds,
                              deterministic=args.deterministic)
        took = time.monotonic() - began
        totals[0] += info.bound
        totals[1] += found.bound
        plan = f"{ledger.total_excess():.4f}" if args.plan_time > 0 else "—"
        model = (f"{'proven' if found.optimal else 'cut short'} ({found.big})" if found.big
                 else "single floors")
        print(f"| {pool.index} | {len(clients)} × {len(managers)} | {plan} | {info.bound:.4f} "
              f"| {found.bound:.4f} | {model} | {took:.1f} |", flush=True)
    print(f"| all | | | {totals[0]:.4f} | {totals[1]:.4f} | | |")


if __name__ == "__main__":
    main()
