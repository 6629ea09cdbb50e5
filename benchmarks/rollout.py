"""Time the phased rollout (issue 18): the bundled baseline and a generated medium book.

    python benchmarks/rollout.py [--runs 3] [--medium-limit 60] [--skip-medium]

1. ``scenarios/rollout.yaml`` (173 clients, 54 moves, 3 quarterly waves with caps): the plan is
   solved once (not timed), then phased ``--runs`` times; prints every stage's status, the
   median phasing time and whether every run gave the same schedule (must be proven optimal).
2. The medium book of ``benchmarks/generate.py`` (1,730 clients × 180 managers, seed 1): solved
   once (not timed), then phased in 4 quarterly waves with caps a department could live with
   (a quarter of the moves plus a margin per wave, 10 per manager, 25 strategic) within
   ``--medium-limit`` seconds; prints the best schedule found, its bound and gap.

A benchmark, not a test: the numbers go into docs/rollout.md with the machine's load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from rebalance.io.read import load_book  # noqa: E402
from rebalance.pools import build_rules  # noqa: E402
from rebalance.rollout.calendar import wave_dates  # noqa: E402
from rebalance.rollout.model import Phasing, phase  # noqa: E402
from rebalance.rollout.schedule import check_schedule, plan_changes  # noqa: E402
from rebalance.scenario import load_scenario  # noqa: E402
from rebalance.scenario.rollout import Rollout  # noqa: E402
from rebalance.solve import solve  # noqa: E402


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _report(label: str, found: Phasing, seconds: float) -> None:
    print(f"  {label}: {found.status} in {seconds:.2f} s (load {_load()})")
    for s in found.stages:
        print(f"    {s.name:<7} {s.status:<9} objective {s.objective:.4f} bound "
              f"{s.best_bound:.4f} gap {s.gap:.2%} {s.wall_time:.2f} s")


def baseline(runs: int) -> bool:
    scenario = load_scenario(ROOT / "scenarios" / "rollout.yaml")
    problem, rules = load_book(scenario)
    plan = dict(solve(problem, scenario, rules).client_to_manager)
    settings = scenario.rollout
    assert settings is not None
    dates = wave_dates(settings)
    print(f"baseline rollout: {len(plan_changes(problem, plan))} changes, {len(dates)} waves, "
          f"{os.cpu_count()} cores, load {_load()}")
    times, schedules = [], set()
    for _ in range(runs):
        start = time.perf_counter()
        found = phase(problem, scenario, rules, plan, settings, dates)
        times.append(time.perf_counter() - start)
        assert found.schedule is not None
        schedules.add(tuple(sorted(found.schedule.wave_of.items())))
    _report(f"median of {runs} runs {statistics.median(times):.2f} s", found, times[-1])
    assert found.schedule is not None
    ok = not any(w.violations for w in check_schedule(problem, scenario, rules,
                                                      found.schedule, settings))
    print(f"  distinct schedules over {runs} runs: {len(schedules)}; check_schedule ok: {ok}")
    return ok and len(schedules) == 1 and found.status == "OPTIMAL"


def medium(limit: float) -> bool:
    from generate import generate_book

    book = generate_book("medium", seed=1, time_limit=60, workers=2)
    problem, scenario = book.problem, book.scenario
    rules = build_rules(problem, scenario)
    start = time.perf_counter()
    result = solve(problem, scenario, rules)
    plan = dict(result.client_to_manager)
    changes = plan_changes(problem, plan)
    moves = sum(c.kind == "move" for c in changes)
    print(f"medium rollout: {problem.num_clients} clients × {problem.num_managers} managers; "
          f"plan {result.status} in {time.perf_counter() - start:.1f} s with {len(changes)} "
          f"changes ({moves} moves); load {_load()}")
    settings = Rollout(waves=4, start=dt.date(2025, 1, 1), every="quarter",
                       max_moves=moves // 4 + 40, max_handovers_per_manager=10,
                       max_strategic=25)
    dates = wave_dates(settings)
    start = time.perf_counter()
    found = phase(problem, scenario, rules, plan, settings, dates, time_limit=limit)
    seconds = time.perf_counter() - start
    _report(f"4 waves, max_moves {settings.max_moves}, 10 per manager, 25 strategic", found,
            seconds)
    if found.schedule is None:
        return False
    ok = not any(w.violations for w in check_schedule(problem, scenario, rules,
                                                      found.schedule, settings))
    print(f"  check_schedule ok: {ok}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--medium-limit", type=float, default=60.0)
    parser.add_argument("--skip-medium", action="store_true")
    args = parser.parse_args(argv)
    ok = baseline(args.runs)
    if not args.skip_medium:
        ok = medium(args.medium_limit) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
