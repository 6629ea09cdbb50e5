"""Time the review loop: revise on the baseline; diff and adopt on a 17,300-client book.

    python benchmarks/review.py [--runs 3] [--size large]

- revise: the bundled baseline is solved, three moves are rejected and two clients pinned in
  its workbook (openpyxl, as a planner would), then ``read_decisions`` + ``revise`` are timed
  against a plain ``pipeline.run`` of the same scenario (median of ``--runs``);
- diff / adopt: ``benchmarks/generate.py`` writes the book; its greedy plan (every hard rule
  holds, no solver needed) is adopted, and diffed against the current assignment. Both are
  timed as a planner runs them: the ``rebalance`` command in a fresh process (imports
  included), median of ``--runs``.

A benchmark, not a test: the numbers go into docs/review.md with the machine's load.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from rebalance import pipeline
from rebalance.io.write import write_csv
from rebalance.report.tables import assignment_table
from rebalance.review.revise import revise
from rebalance.review.workbook import read_decisions
from rebalance.scale.greedy import greedy_plan

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
CLI = [str(Path(sys.executable).parent / "rebalance")]  # the console script of this venv


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "benchmarks"
                                                  / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


def _reviewed(out: Path, target: Path) -> None:
    wb = openpyxl.load_workbook(out / "assignment.xlsx")
    moves = wb["moves"]
    col = [c.value for c in moves[1]].index("decision") + 1
    for r in (2, 3, 4):
        moves.cell(r, col).value = "reject"
    sheet = wb["assignment"]
    col = [c.value for c in sheet[1]].index("pin") + 1
    for r in (10, 20):
        sheet.cell(r, col).value = "yes"
    wb.save(target)


def bench_revise(tmp: Path, runs: int) -> None:
    sc, problem, rules = pipeline.load(BASELINE)
    solve_times, revise_times = [], []
    for _ in range(runs):
        start = time.perf_counter()
        plan = pipeline.run(sc, problem, rules)
        solve_times.append(time.perf_counter() - start)
    pipeline.write(plan, tmp / "solved")
    _reviewed(tmp / "solved", tmp / "reviewed.xlsx")
    for _ in range(runs):
        start = time.perf_counter()
        decisions = read_decisions(tmp / "reviewed.xlsx", problem, rules)
        revised, _ = revise(sc, problem, decisions)
        revise_times.append(time.perf_counter() - start)
    print(f"baseline ({problem.num_clients} clients), in process, median wall: solve "
          f"(pipeline.run) "
          f"{statistics.median(solve_times):.2f} s; revise (read decisions + solve) "
          f"{statistics.median(revise_times):.2f} s, status {revised.result.status}, "
          f"{len(decisions.holds)} decisions")


def _cli(args: list[str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + sys) of the command in a fresh process.

    On a shared machine the wall time includes waiting for a core; the CPU time is the work.
    """
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([*CLI, *args], capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return statistics.median(walls), statistics.median(cpus)


def bench_big(tmp: Path, size: str, runs: int) -> None:
    gen = _generator()
    book = gen.generate_book(size, seed=0)  # type: ignore[attr-defined]
    scenario_path = gen.write_book(book, tmp / "book")  # type: ignore[attr-defined]
    sc, problem, rules = pipeline.load(scenario_path)
    plan = greedy_plan(problem, sc, rules)
    assert not plan.unplaced, plan.unplaced[:5]
    write_csv(assignment_table(problem, rules, plan.client_to_manager), tmp / "greedy.csv")
    current = {c.client_id: c.manager or "" for c in problem.clients}
    write_csv(assignment_table(problem, rules, current), tmp / "current.csv")
    diff_wall, diff_cpu = _cli(["diff", str(tmp / "current.csv"), str(tmp / "greedy.csv"),
                                "--out", str(tmp / "diff")], runs)
    adopts = [_cli(["adopt", str(scenario_path), "--assignment", str(tmp / "greedy.csv"),
                    "--to", str(tmp / f"next{n}")], 1) for n in range(runs)]
    changed = sum(1 for c in problem.clients if plan.client_to_manager[c.client_id] != c.manager)
    print(f"{size} book ({problem.num_clients} clients × {problem.num_managers} managers, "
          f"{changed} clients change manager), CLI with imports, median wall (CPU): "
          f"`rebalance diff` {diff_wall:.2f} s ({diff_cpu:.2f} s); `rebalance adopt` "
          f"{statistics.median(a[0] for a in adopts):.2f} s "
          f"({statistics.median(a[1] for a in adopts):.2f} s)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", default="large")
    args = parser.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} "
          f"{os.getloadavg()[2]:.2f} on {os.cpu_count()} cores")
    tmp = Path(tempfile.mkdtemp(prefix="rebalance-review-bench-"))
    try:
        bench_revise(tmp, args.runs)
        bench_big(tmp, args.size, args.runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        print(f"load average after {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
