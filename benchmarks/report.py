"""How long report.html takes to build, and how big it gets, on the baseline and a large book.

    python benchmarks/report.py [--sizes small,large] [--repeat 3] [--lang en]

For each size the book is written to a temporary folder (``generate.py``; ``small`` is the
bundled ``scenarios/baseline.yaml`` instead) and given a plan without the timed part: the
baseline is solved with CP-SAT, the generated books get the greedy plan (a 17,300-client CP-SAT
solve takes ten minutes and is not what is measured here). Then, timed: the output tables
(``pipeline.tables``, with the move reasons) and ``report.html`` (``html.plan_report``, chart
included), the median of ``--repeat`` runs; the file's size. Goals: baseline ≤ 2 s; 17,300
clients ≤ 30 s and ≤ 20 MB. A benchmark, not a test: wall-clock figures depend on the machine
and its load (printed beside them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate_book, write_book  # noqa: E402
from rebalance import pipeline  # noqa: E402
from rebalance.report.html import plan_report  # noqa: E402
from rebalance.report.rebuild import assemble_plan  # noqa: E402
from rebalance.scale.greedy import greedy_plan  # noqa: E402

GOALS = {"small": (2.0, 20.0), "large": (30.0, 20.0)}  # seconds, MB


def _plan(size: str, folder: Path) -> Any:
    if size == "small":
        scenario, problem, rules = pipeline.load(ROOT / "scenarios" / "baseline.yaml")
        return pipeline.run(scenario, problem, rules)
    path = write_book(generate_book(size), folder)
    scenario, problem, rules = pipeline.load(path)
    greedy = greedy_plan(problem, scenario, rules)
    assignment = dict(greedy.client_to_manager)
    for client in problem.clients:  # a client the greedy could not place stays where it is
        if client.client_id not in assignment and client.manager:
            assignment[client.client_id] = client.manager
    return assemble_plan(scenario, problem, rules, assignment, {"status": "FEASIBLE"})


def measure(size: str, repeat: int, lang: str) -> dict[str, Any]:
    """Median seconds to build report.html from a plan, and its size in MB."""
    with tempfile.TemporaryDirectory() as tmp:
        plan = _plan(size, Path(tmp))
        times = []
        html = ""
        for _ in range(repeat):
            start = time.perf_counter()
            html = plan_report(plan, pipeline.tables(plan, lang), lang,
                               pipeline.backups_table(plan, lang))
            times.append(time.perf_counter() - start)
    return {"size": size, "clients": plan.problem.num_clients,
            "managers": plan.problem.num_managers, "moves": plan.verdict.num_moves,
            "seconds": statistics.median(times), "mb": len(html.encode("utf-8")) / 1e6}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="small,large")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lang", default="en", choices=("en", "zh"))
    args = parser.parse_args(argv)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for size in args.sizes.split(","):
        row = measure(size, args.repeat, args.lang)
        seconds, mb = GOALS.get(size, (float("inf"), float("inf")))
        verdict = "met" if row["seconds"] <= seconds and row["mb"] <= mb else "MISSED"
        print(f"{size}: {row['clients']} clients, {row['managers']} managers, "
              f"{row['moves']} moves: report.html in {row['seconds']:.2f} s (median of "
              f"{args.repeat}), {row['mb']:.2f} MB; goal ≤ {seconds:g} s, ≤ {mb:g} MB: {verdict}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
