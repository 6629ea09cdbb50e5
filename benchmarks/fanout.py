"""Fan-out benchmark: sequential vs processes vs Ray (local) on sweeps and a compare.

    python benchmarks/fanout.py [--out benchmarks/fanout.json] [--jobs startup,medium,pools]
                                [--variants local,processes,ray]

Jobs (each run through the command line, as a planner types it, in a fresh process):

- ``startup``: the fixed cost of each executor: two trivial tasks, imports excluded;
- ``baseline``: the bundled baseline's 6-point ``continuity.max_moves`` sweep (0, 2, 4, 8, 16,
  32) with a time limit long enough for every point to be proven optimal;
- ``medium``: a 6-point sweep (``balance.revenue.tolerance``) of the generated medium book
  (1,730 × 180, seed 1) with ``solver.work_limit``, so that every variant does the same work;
- ``compare``: ``rebalance compare`` of the bundled scenarios;
- ``pools``: ``rebalance solve`` of the medium book (four pools, two lanes) with the same work
  limit: the lanes in threads (``local``), in processes, as Ray tasks (what ``auto`` picks for
  the pools of one book).

For each job and variant: wall time, peak memory of the whole process tree (the command, its
worker processes, Ray's processes; sampled from /proc every 0.1 s), and whether the table is
identical to the sequential one (every column but ``wall_time``). From the sequential run's
per-task times it computes on paper what a bigger machine and a cluster would give, with the
model printed beside the numbers. The machine's ``uptime`` is recorded before and after: the
machine may be shared, and a loaded machine cannot show a clean speed-up.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINE_GRID = "continuity.max_moves=0,2,4,8,16,32"
MEDIUM_GRID = "balance.revenue.tolerance=0.06,0.08,0.1,0.12,0.15,0.2"
MEDIUM_WORK = 2.0  # solver.work_limit per medium point (deterministic work)
BASELINE_TIME = 300  # s per baseline point: enough to prove each one optimal
COMPARE_TIME = 3600  # the work limit, not the clock, stops every solve: same answers
SAMPLE_SECONDS = 0.1
# Cores of the machines the paper model speaks for: a workstation, and a cluster of 8 nodes.
BIGGER_MACHINE = 16
CLUSTER = (8, 16)  # nodes, cores each


def rebalance() -> str:
    return str(Path(sys.executable).parent / "rebalance")


def tree_rss(root: int) -> int:
    """Resident memory (bytes) of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def timed(cmd: list[str], cwd: Path) -> tuple[float, int, int, str, float]:
    """(wall seconds, peak tree RSS bytes, exit code, output, CPU seconds) of one command.

    CPU seconds count the command and every descendant it waited for (user + system): on a
    shared machine, CPU ÷ wall shows how many cores a sequential run actually got. Forkserver
    and Ray workers are not waited for by the command, so for those variants it undercounts."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, "MPLBACKEND": "Agg"},
                            start_new_session=True)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            stop.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = proc.communicate()
    wall = time.monotonic() - start
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)
    return wall, peak, proc.returncode, output, cpu


def table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return [k for k in rows[0] if k != "wall_time"], rows


def lpt(times: list[float], cores: int) -> float:
    """Makespan of the longest-processing-time-first schedule of ``times`` on ``cores``."""
    loads = [0.0] * max(1, cores)
    for t in sorted(times, reverse=True):
        loads[loads.index(min(loads))] += t
    return max(loads)


def job_commands(job: str, work: Path, variant: str) -> tuple[list[str], Path]:
    """The command of ``job`` on ``variant`` and the CSV it writes."""
    out = work / f"{job}-{variant}"
    if job == "baseline":
        return ([rebalance(), "sweep", str(SCENARIOS / "baseline.yaml"), "--grid", BASELINE_GRID,
                 "--set", f"solver.time_limit={BASELINE_TIME}", "--executor", variant,
                 "--out", str(out)], out / "sweep.csv")
    if job == "medium":
        return ([rebalance(), "sweep", str(work / "medium" / "scenario.yaml"), "--grid",
                 MEDIUM_GRID, "--set", f"solver.work_limit={MEDIUM_WORK}",
                 "--set", "solver.time_limit=3600", "--executor", variant,
                 "--out", str(out)], out / "sweep.csv")
    if job == "pools":
        return ([rebalance(), "solve", str(work / "medium" / "scenario.yaml"),
                 "--set", f"solver.work_limit={MEDIUM_WORK}", "--set", "solver.time_limit=3600",
                 "--executor", variant, "--quiet", "--out", str(out)], out / "assignment.csv")
    names = ["baseline", "leave_km012", "hires", "plus20", "capped_moves", "pooled"]
    return ([rebalance(), "compare", *(str(SCENARIOS / f"{n}.yaml") for n in names),
             "--set", f"solver.time_limit={COMPARE_TIME}", "--set", "solver.work_limit=10",
             "--executor", variant, "--out", f"{out}.csv"], Path(f"{out}.csv"))


STARTUP_CODE = """
import os, sys, time
start = time.monotonic()
from rebalance.executors import Task, run_tasks
imported = time.monotonic()
outcomes = run_tasks([Task(str(i), os.getpid) for i in range(2)], sys.argv[1])
assert all(o.ok for o in outcomes)
print(f"{imported - start:.2f} {time.monotonic() - imported:.2f}")
"""


def startup(variant: str) -> float:
    """Seconds from nothing to two trivial tasks done on ``variant`` (imports excluded):
    the fixed cost an executor adds to a job."""
    done = subprocess.run([sys.executable, "-c", STARTUP_CODE, variant], capture_output=True,
                          text=True, check=True)
    return float(done.stdout.split()[-1])


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "fanout.json"))
    parser.add_argument("--jobs", default="startup,baseline,medium,compare,pools")
    parser.add_argument("--variants", default="local,processes,ray")
    args = parser.parse_args(argv)
    jobs, variants = args.jobs.split(","), args.variants.split(",")
    work = Path(tempfile.mkdtemp(prefix="fanout-"))
    if "medium" in jobs or "pools" in jobs:
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "medium",
                        "--seed", "1", "--out", str(work / "medium")], check=True,
                       stdout=subprocess.DEVNULL)
    report: dict[str, Any] = {
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python "
                   f"{platform.python_version()}", "uptime_before": uptime(), "jobs": {}}
    print(report["machine"], "|", report["uptime_before"], flush=True)
    if "startup" in jobs:
        report["startup_s"] = {v: round(startup(v), 2) for v in variants}
        print("startup", report["startup_s"], flush=True)
    for job in (j for j in jobs if j != "startup"):
        results: dict[str, Any] = {}
        reference: tuple[list[str], list[dict[str, str]]] | None = None
        reference_bytes: bytes | None = None
        for variant in variants:
            cmd, written = job_commands(job, work, variant)
            wall, peak, code, output, cpu = timed(cmd, ROOT)
            entry: dict[str, Any] = {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                                     "peak_mib": round(peak / 2**20),
                                     "exit": code, "load": uptime().split("load average:")[-1]}
            if code not in (0, 1) or not written.exists():
                entry["error"] = output[-2000:]
            elif job == "pools":  # one plan: the same bytes, or not
                entry["identical"] = reference_bytes is None or \
                    written.read_bytes() == reference_bytes
                reference_bytes = reference_bytes or written.read_bytes()
            else:
                columns, rows = table(written)
                entry["task_s"] = [float(r["wall_time"]) for r in rows]
                entry["statuses"] = [r["status"] for r in rows]
                if reference is None:
                    reference = (columns, rows)
                entry["identical"] = [{k: r[k] for k in columns} for r in rows] == [
                    {k: r[k] for k in reference[0]} for r in reference[1]]
            results[variant] = entry
            print(job, variant, json.dumps(entry), flush=True)
        report["jobs"][job] = {"variants": results, "model": model(results)}
    report["uptime_after"] = uptime()
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(markdown(report))
    return 0


def model(results: dict[str, Any]) -> dict[str, Any]:
    """Speed-ups on paper from the sequential run's per-task times.

    T(C) = fixed + overhead + LPT(task times, C), where ``fixed`` = sequential wall − Σ task
    times (start-up, reading, writing) and ``overhead`` = measured wall of the variant on this
    machine − fixed − LPT(task times, 2) (its start-up: process pool or Ray). Tasks are taken
    to be single-core and independent (they are: one CP-SAT worker per pool, no shared state).
    """
    seq = results.get("local", {})
    if "task_s" not in seq:
        return {}
    times = seq["task_s"]
    fixed = max(0.0, seq["wall_s"] - sum(times))
    out: dict[str, Any] = {"fixed_s": round(fixed, 1), "sum_task_s": round(sum(times), 1)}
    for variant in ("processes", "ray"):
        if "wall_s" not in results.get(variant, {}):
            continue
        overhead = max(0.0, results[variant]["wall_s"] - fixed - lpt(times, 2))
        cores = {"bigger": BIGGER_MACHINE, "cluster": CLUSTER[0] * CLUSTER[1]}
        out[variant] = {"overhead_s": round(overhead, 1), **{
            name: round(seq["wall_s"] / (fixed + overhead + lpt(times, c)), 2)
            for name, c in cores.items()}}
    return out


def markdown(report: dict[str, Any]) -> str:
    lines = [f"Machine: {report['machine']}", f"uptime before: {report['uptime_before']}",
             f"uptime after: {report['uptime_after']}", "",
             "| job | variant | wall s | speed-up | CPU s | peak MiB | same table | load after |",
             "|---|---|--:|--:|--:|--:|---|---|"]
    for job, data in report["jobs"].items():
        seq = data["variants"].get("local", {}).get("wall_s")
        for variant, e in data["variants"].items():
            speed = f"{seq / e['wall_s']:.2f}×" if seq and e.get("wall_s") else "—"
            lines.append(f"| {job} | {variant} | {e.get('wall_s')} | {speed} | "
                         f"{e.get('cpu_s', '—')} | {e.get('peak_mib')} | "
                         f"{e.get('identical', 'error')} | {e['load']} |")
    lines.append("")
    lines.append(f"| job | variant | start-up overhead s | speed-up, {BIGGER_MACHINE} cores | "
                 f"speed-up, {CLUSTER[0]} × {CLUSTER[1]} cores |")
    lines.append("|---|---|--:|--:|--:|")
    for job, data in report["jobs"].items():
        for variant in ("processes", "ray"):
            m = data["model"].get(variant)
            if m:
                lines.append(f"| {job} | {variant} | {m['overhead_s']} | {m['bigger']}× | "
                             f"{m['cluster']}× |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
