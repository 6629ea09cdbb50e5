"""How long the checkable reasons take: the bundled baseline (solved) and generated books
(greedy plans, no solver), in both languages.

    python benchmarks/reasons.py [--sizes small,large] [--seed 0] [--repeat 3]

For every book it prints the clients, the changes by kind, the exchanges found and the best
of ``--repeat`` timings of ``report.reasons.explain`` (the check() verdict it starts from
included). Targets (issue 13): baseline ≤ 1 s, 17,300 clients ≤ 30 s. A benchmark, not a
test (wall-clock figures); the numbers are in docs/outputs.md with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate_book  # noqa: E402
from rebalance import pipeline  # noqa: E402
from rebalance.data import Problem  # noqa: E402
from rebalance.pools import Rules, build_rules  # noqa: E402
from rebalance.report.reasons import explain  # noqa: E402
from rebalance.scale.greedy import greedy_plan  # noqa: E402
from rebalance.scenario import Scenario  # noqa: E402


def _time(problem: Problem, scenario: Scenario, rules: Rules, plan: dict[str, str],
          lang: str, repeat: int) -> tuple[float, dict[str, int], int]:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = explain(problem, scenario, rules, plan, lang)
        best = min(best, time.perf_counter() - start)
    kinds = Counter(e.kind for e in result.values() if e.kind)
    return best, dict(kinds), len({e.exchange for e in result.values() if e.exchange})


def _row(name: str, n: int, lang: str, seconds: float, kinds: dict[str, int],
         num_exchanges: int) -> str:
    counts = ", ".join(f"{kinds.get(k, 0)} {k}s" for k in ("move", "handover", "placement"))
    return (f"| {name} | {n:,} | {lang} | {counts} | {num_exchanges} | {seconds:.2f} s |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,large",
                        help="generated sizes (small, medium, large), comma-separated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} cores")
    print("| book | clients | lang | changes | exchanges | reasons |")
    print("|---|---:|---|---|---:|---:|")
    scenario, problem, rules = pipeline.load(ROOT / "scenarios" / "baseline.yaml")
    solved = pipeline.run(scenario, problem, rules)
    for lang in ("en", "zh"):
        seconds, kinds, ex = _time(problem, scenario, rules, solved.client_to_manager, lang,
                                   args.repeat)
        print(_row("baseline (solved)", problem.num_clients, lang, seconds, kinds, ex))
    for size in filter(None, args.sizes.split(",")):
        book = generate_book(size, args.seed)
        book_rules = build_rules(book.problem, book.scenario)
        plan = greedy_plan(book.problem, book.scenario, book_rules).client_to_manager
        for lang in ("en", "zh"):
            seconds, kinds, ex = _time(book.problem, book.scenario, book_rules, plan, lang,
                                       args.repeat)
            print(_row(f"{size} (greedy)", book.problem.num_clients, lang, seconds, kinds, ex))


if __name__ == "__main__":
    main()
