"""Is the time limit kept on a huge book? Wall time and peak memory of ``rebalance solve``.

    python benchmarks/timelimit.py [--size 200000x20800] [--seed 1] [--limits 10,60]
                                   [--book DIR] [--out DIR]

Generates the book once (``benchmarks/generate.py``, written to ``--book``, reused when its
``scenario.yaml`` is already there), then runs ``rebalance solve BOOK --time-limit L`` as a
planner would, in a fresh process for each limit, and reports per limit: the exit code, the
wall time of the whole command, the part of it spent before the engine started (reading the
tables and building the rules: "overhead"), the engine's own time, and the peak memory
(resident set) of the command and its engine process. A benchmark, not a test: the figures
depend on the machine and its load (``uptime`` is printed beside them) and go into
docs/scale.md and the README.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import generate_book, write_book  # noqa: E402

STARTED = re.compile(r"^Solving .*", re.MULTILINE)


def _book(size: str, seed: int, directory: Path) -> Path:
    scenario = directory / "scenario.yaml"
    if scenario.exists():
        return scenario
    num_clients, num_managers = (int(n) for n in size.lower().split("x"))
    return write_book(generate_book((num_clients, num_managers), seed=seed), directory)


def run_once(scenario: Path, limit: float, out: Path) -> dict[str, object]:
    """One ``rebalance solve`` in a fresh process: exit code, times, peak memory."""
    command = [sys.executable, "-c", "from rebalance.cli import main; main()", "solve",
               str(scenario), "--out", str(out), "--time-limit", f"{limit:g}"]
    started = time.monotonic()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    engine_started: float | None = None
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:  # "Solving …" is printed when the book is read and the rules built
        lines.append(line)
        if engine_started is None and STARTED.match(line):
            engine_started = time.monotonic()
    err = proc.stderr.read() if proc.stderr else ""
    # wait4: this command's own usage; its maxrss covers the engine process it waited for
    _, status_word, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status_word)
    ended = time.monotonic()
    summary = out / "summary.json"
    status = "NO_PLAN"
    if proc.returncode == 0 and summary.exists():
        status = json.loads(summary.read_text(encoding="utf-8"))["status"]
    return {
        "limit": limit,
        "exit_code": proc.returncode,
        "status": status,
        "wall_seconds": round(ended - started, 1),
        "before_engine_seconds": None if engine_started is None
        else round(engine_started - started, 1),
        "engine_and_writing_seconds": None if engine_started is None
        else round(ended - engine_started, 1),
        "peak_memory_mb": round(usage.ru_maxrss / 1024),  # KiB on Linux

        "last_lines": (lines[-1].strip() if lines else "") or err.strip().splitlines()[-1:],
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: generate (or reuse) the book and time ``solve`` at each limit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="200000x20800")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limits", default="10,60")
    parser.add_argument("--book", default="/tmp/rebalance-timelimit-book")
    parser.add_argument("--out", default="/tmp/rebalance-timelimit-out")
    args = parser.parse_args(argv)
    book_dir = Path(args.book)
    t0 = time.monotonic()
    scenario = _book(args.size, args.seed, book_dir)
    print(f"book {args.size} seed {args.seed}: {scenario} ({time.monotonic() - t0:.0f} s)")
    for limit in (float(x) for x in args.limits.split(",")):
        row = run_once(scenario, limit, Path(args.out) / f"limit-{limit:g}")
        load = os.getloadavg()
        print(json.dumps(row, ensure_ascii=False), f"load average {load[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
