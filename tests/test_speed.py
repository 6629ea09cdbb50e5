"""What a big book's `solve` does after the engine stays true while it got faster.

One generated book with more managers than the terminal lists in full (70 > 60) and with
leaving managers and new clients (handovers and placements) is solved once; the tests check
the terminal's shortened manager table and the vectorised "why this manager" choice against
the solver-free checker's own figures.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from benchmarks.generate import generate_book, write_book
from rebalance import pipeline
from rebalance.cli import app
from rebalance.commands.solve import FULL_TABLE_MAX, TOP_ROWS
from rebalance.metrics import manager_loads
from rebalance.report.counterfactual import EPS, Ledger, choice
from rebalance.report.reasons import explain

SIZE = (700, 70)  # more managers than FULL_TABLE_MAX: the terminal shows TOP_ROWS of them


@cache
def _book(directory: str) -> Path:
    return write_book(generate_book(SIZE, seed=5, time_limit=20.0), directory)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _book(str(tmp_path_factory.mktemp("speed-book")))


@pytest.fixture(scope="module")
def plan(book: Path) -> pipeline.Plan:
    scenario, problem, rules = pipeline.load(book)
    return pipeline.run(scenario, problem, rules)


def test_big_book_terminal_lists_the_furthest_managers_and_names_the_full_table(
        book: Path, tmp_path: Path) -> None:
    """Above FULL_TABLE_MAX managers the terminal lists TOP_ROWS managers, furthest from
    their share first, says how many there are and where all of them are (managers.csv),
    in English and in Chinese."""
    assert SIZE[1] > FULL_TABLE_MAX
    for lang, title, full in (
            ("en", r"the (\d+) of (\d+) furthest from their share \((\d+) outside a band\)",
             r"All (\d+) managers are in (.*managers\.csv)"),
            ("zh", r"(\d+) 名中偏离份额最多的 (\d+) 名（(\d+) 名在区间外）",
             r"全部 (\d+) 名客户经理见 (.*managers\.csv)")):
        out = tmp_path / lang
        result = CliRunner().invoke(app, ["solve", str(book), "--out", str(out), "--quiet",
                                          "--lang", lang], env={"COLUMNS": "250"})
        assert result.exit_code == 0, result.output
        found = re.search(title, result.output)
        assert found, result.output
        numbers = [int(g) for g in found.groups()]
        shown, total = (numbers[0], numbers[1]) if lang == "en" else (numbers[1], numbers[0])
        assert (shown, total) == (TOP_ROWS, SIZE[1])
        where = re.search(full, result.output)
        assert where, result.output
        assert int(where.group(1)) == SIZE[1]
        assert Path(where.group(2).strip()) == out / "managers.csv"
        assert (out / "managers.csv").exists()
        rows = [line for line in result.output.splitlines() if re.match(r"^│ \S+ ", line)]
        assert len(rows) == TOP_ROWS, result.output


def test_terminal_rows_are_the_managers_furthest_outside_a_band(plan: pipeline.Plan) -> None:
    """The shortened table keeps the managers with the largest |dev| − tolerance: none left
    out is further from its share than one shown."""
    from rebalance.commands.solve import _furthest

    bands = plan.scenario.balance.bands()
    worst: dict[str, float] = {}
    for (mid, metric), dev in plan.verdict.devs.items():
        worst[mid] = max(worst.get(mid, -1e9), abs(dev) - bands[metric].tolerance)
    shown = _furthest(plan, TOP_ROWS)
    assert len(shown) == TOP_ROWS == len(set(shown))
    left_out = [worst.get(m.manager_id, -1e9) for m in plan.problem.managers
                if m.manager_id not in shown]
    assert min(worst.get(m, -1e9) for m in shown) >= max(left_out)


def test_why_this_manager_is_the_best_other_manager_one_by_one(plan: pipeline.Plan) -> None:
    """For every handover and placement, the manager named as the best alternative is, by the
    full what-if, within EPS of the cheapest of all other eligible managers with room, and
    the number of others counted is theirs: the all-at-once pricing finds what a one-by-one
    scan finds."""
    problem, rules, verdict = plan.problem, plan.rules, plan.verdict
    ledger = Ledger(problem, plan.scenario, rules, plan.client_to_manager, verdict)
    explanations = explain(problem, plan.scenario, rules, plan.client_to_manager, "en", verdict)
    chosen = [e for e in explanations.values() if e.choice is not None]
    assert any(e.kind == "handover" for e in chosen) and any(e.kind == "placement"
                                                             for e in chosen)
    held = manager_loads(problem, plan.client_to_manager)
    for e in chosen:
        assert e.to_manager is not None and e.choice is not None
        others = [m for m in rules.eligible[e.client_id] if m != e.to_manager and (
            problem.manager(m).capacity is None
            or held[(m, "clients")] + 1 <= (problem.manager(m).capacity or 0))]
        assert e.choice.num_others == len(others), e.text
        if not others:
            assert e.choice.best_alternative is None
            continue
        deltas = {m: ledger.what_if({e.client_id: m}).excess_delta for m in others}
        assert e.choice.best_alternative in deltas
        assert deltas[e.choice.best_alternative] <= min(deltas.values()) + 2 * EPS + 1e-9
        assert choice(ledger, e.client_id, e.to_manager) == e.choice
