"""How long ``rebalance incentives`` takes on a big subscribers table.

    python benchmarks/incentives.py [--subscribers 300000] [--repeat 3]

Builds a table of N subscribers for the bundled baseline book by drawing rows of the bundled
sample (seeded, new ids), writes it as a GB18030 CSV with Chinese headers into a temporary
folder, and times each step with the library (median of ``--repeat`` runs): reading and
checking, attributing through the book, rewarding, calibrating to the old budget, and the
whole command with ``--budget old --out``. Prints a Markdown table and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SAMPLE = ROOT / "scenarios" / "data" / "subscribers.csv"


def build_table(num: int, path: Path, seed: int = 2024) -> None:
    """N rows drawn from the sample (with their client and manager), ids S0000001…"""
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    header, rows = lines[0], lines[1:]
    rng = random.Random(seed)
    out = [header]
    for i in range(num):
        cells = rng.choice(rows).split(",")
        cells[0] = f"S{i + 1:07d}"
        out.append(",".join(cells))
    path.write_bytes(("\r\n".join(out) + "\r\n").encode("gb18030"))


def timed(step: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=300_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from rebalance.incentives import attribute, calibrate, compute_rewards, read_subscribers
    from rebalance.io.read import load_problem
    from rebalance.scenario import load_scenario

    scenario = load_scenario(BASELINE)
    problem = load_problem(scenario)
    managers = [(m.manager_id, m.name) for m in problem.managers]
    book = {c.client_id: c.manager for c in problem.clients}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "subscribers.csv"
        build_table(args.subscribers, path)
        rows: list[tuple[str, float]] = []
        t_read, subs = timed(lambda: read_subscribers(
            path, known_managers=[m for m, _ in managers],
            known_clients=problem.client_index), args.repeat)
        rows.append(("read and check", t_read))
        t_attr, on_book = timed(lambda: attribute(subs, book), args.repeat)
        rows.append(("attribute through the book", t_attr))
        t_rew, rewards = timed(lambda: compute_rewards(on_book, scenario.incentives, managers),
                               args.repeat)
        rows.append(("reward (18 managers)", t_rew))
        t_cal, _ = timed(lambda: calibrate(rewards, scenario.incentives, "old"), args.repeat)
        rows.append(("calibrate (closed form)", t_cal))
        command = [sys.executable, "-c", "from rebalance.cli import main; main()", "incentives",
                   str(BASELINE),
                   "--subscribers", str(path), "--budget", "old", "--out", str(Path(tmp) / "o")]

        def whole() -> None:
            subprocess.run(command, check=True, capture_output=True,
                           env={**os.environ, "PYTHONHASHSEED": "0"})
            subprocess.run(["rm", "-rf", str(Path(tmp) / "o")], check=True)

        t_all, _ = timed(whole, args.repeat)
        rows.append(("whole command, --budget old --out", t_all))
    print(f"{args.subscribers:,} subscribers, median of {args.repeat} runs\n")
    print("| step | seconds |\n|---|--:|")
    for name, seconds in rows:
        print(f"| {name} | {seconds:.3f} |")
    print(f"\nload: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"(1, 5, 15 min) on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
