"""What the input checks cost: an alias bomb refused, and a large book read and pre-checked.

    python benchmarks/inputs.py [--size large] [--runs 3]

Times (median of ``--runs``):

- ``load_scenario`` on a 600-byte YAML alias bomb (9 levels of 9 aliases, 9⁹ values if
  expanded): refused by counting the node graph, never expanding it;
- ``load_book`` (read, parse, cross-table checks) of a generated book as CSV and as xlsx (the
  xlsx path also scans the sheet XML for merged cells), and ``check_before_solving``.

A benchmark, not a test: the numbers go into docs/input.md with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate_book, write_book  # noqa: E402
from rebalance.errors import InputError  # noqa: E402
from rebalance.io.read import load_book  # noqa: E402
from rebalance.presolve import check_before_solving  # noqa: E402
from rebalance.scenario import load_scenario  # noqa: E402

BOMB = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9))


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def refuse_bomb(path: Path) -> None:
    try:
        load_scenario(path)
    except InputError:
        return
    raise AssertionError("the alias bomb was loaded")


def csv_to_xlsx(csv_path: Path, xlsx_path: Path) -> None:
    import csv

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            sheet.append(row)
    workbook.save(xlsx_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="large")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bomb = folder / "bomb.yaml"
        bomb.write_text(BOMB, encoding="utf-8")
        print(f"alias bomb ({bomb.stat().st_size} bytes): refused in "
              f"{median_seconds(lambda: refuse_bomb(bomb), args.runs) * 1000:.1f} ms")

        scenario_path = write_book(generate_book(args.size), folder)
        scenario = load_scenario(scenario_path)
        problem, rules = load_book(scenario)
        print(f"book {args.size}: {problem.num_clients} clients, {problem.num_managers} managers")
        print(f"  load_book, CSV:  {median_seconds(lambda: load_book(scenario), args.runs):.2f} s")
        seconds = median_seconds(lambda: check_before_solving(problem, scenario, rules), args.runs)
        print(f"  check_before_solving: {seconds:.2f} s")
        csv_to_xlsx(folder / "clients.csv", folder / "clients.xlsx")
        xlsx = scenario.model_copy(update={"data": scenario.data.model_copy(
            update={"clients": folder / "clients.xlsx"})})
        print(f"  load_book, xlsx: {median_seconds(lambda: load_book(xlsx), args.runs):.2f} s")
    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"(shared machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
