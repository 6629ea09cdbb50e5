"""Time the bundled baseline: median wall time of N full solves (both stages).

    python benchmarks/baseline.py [--runs 5] [--scenario scenarios/baseline.yaml]

Prints per-stage status and median times, and whether every run gave the same plan. A
benchmark, not a test: the numbers go into the README.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from pathlib import Path

from rebalance.io.read import load_book
from rebalance.scenario import load_scenario
from rebalance.solve import solve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scenario", default=str(Path(__file__).parent.parent
                                                  / "scenarios" / "baseline.yaml"))
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args(argv)

    scenario = load_scenario(args.scenario, args.overrides)
    problem, rules = load_book(scenario)
    runs = [solve(problem, scenario, rules) for _ in range(args.runs)]
    first = runs[0]
    print(f"{scenario.name}: {problem.num_clients} clients × {problem.num_managers} managers, "
          f"{len(rules.pools)} pools; {args.runs} runs on {os.cpu_count()} cores, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    for i, stage in enumerate(first.stages):
        times = [r.stages[i].wall_time for r in runs]
        statuses = sorted({r.stages[i].status for r in runs})
        median = statistics.median(times)
        print(f"  stage {stage.name:<10} {'/'.join(statuses):<9} median {median:6.2f} s"
              f"  (min {min(times):.2f}, max {max(times):.2f})")
    totals = [r.wall_time for r in runs]
    plans = {tuple(sorted(r.client_to_manager.items())) for r in runs}
    print(f"  total      {first.status:<9} median {statistics.median(totals):6.2f} s"
          f"  (min {min(totals):.2f}, max {max(totals):.2f})")
    print(f"  balance excess {first.balance_excess:.4f}, continuity cost "
          f"{first.continuity_cost:.3f}, distinct plans over {args.runs} runs: {len(plans)}")
    return 0 if len(plans) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
