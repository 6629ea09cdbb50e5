"""The time limit as a promise and hard rules by construction in the scale engine.

No test here measures time: they check *what* comes back when the deadline is hit (a valid
plan or a clean "no plan in N s", never a broken plan or a traceback). The wall-clock figures
are measured by benchmarks/timelimit.py.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from rebalance.check import check
from rebalance.cli import app
from rebalance.findings import Finding
from rebalance.guard import solve_within
from rebalance.pools import build_rules
from rebalance.report.findings import render
from rebalance.scale.bounds import oversize, release_bound, release_sets
from rebalance.scale.ledger import Ledger
from rebalance.scale.pool_search import release_start
from rebalance.scenario import Solver
from rebalance.solve import GUARDED_MIN_PAIRS, num_pairs, solve

from helpers import benchmark_generator, make_problem, make_scenario

runner = CliRunner()


def _over_capacity_book():  # type: ignore[no-untyped-def]
    """M1 holds six clients today but may hold three; M2 and M3 have room."""
    clients = [{"client_id": f"C{i}", "revenue": 100 + 10 * i, "manager": "M1",
                "relationship": 0.1 * i} for i in range(6)]
    clients += [{"client_id": f"D{i}", "revenue": 120, "manager": "M2"} for i in range(2)]
    managers = [{"manager_id": "M1", "capacity": 3}, {"manager_id": "M2", "capacity": 4},
                {"manager_id": "M3"}]
    return make_problem(clients, managers)


def test_release_start_keeps_capacity_when_a_manager_is_over_it_today() -> None:
    """The release start keeps previous managers' clients; one already above its capacity
    gives up its cheapest clients first, so the start never breaks capacity (it used to keep
    all six on M1, and the scale engine then ended in "broke hard rules: capacity")."""
    problem = _over_capacity_book()
    scenario = make_scenario()
    ledger = Ledger(problem, scenario, build_rules(problem, scenario))
    release_start(ledger, np.array([], dtype=np.int64))
    assert (ledger.assign >= 0).all()
    assert (ledger.count <= ledger.capacity).all()


def test_scale_engine_keeps_capacity_on_an_over_capacity_book() -> None:
    """The whole scale search on that book ends with a plan the oracle accepts."""
    problem = _over_capacity_book()
    scenario = make_scenario(solver={"time_limit": 2, "workers": 1})
    result = solve(problem, scenario, engine="scale")
    assert result.has_plan
    assert check(problem, scenario, result.client_to_manager).ok


def test_bounds_cut_short_by_a_deadline_stay_bounds() -> None:
    """Bounds computed with a deadline already past are weaker, never wrong: each is at most
    the one computed in full (and so at most any plan's value)."""
    problem = _over_capacity_book()
    scenario = make_scenario()
    ledger = Ledger(problem, scenario, build_rules(problem, scenario))
    past = time.monotonic() - 1.0
    full = release_bound(ledger, 0.0)
    assert full > 0  # M1 must lose clients to reach its bands
    assert 0.0 <= release_bound(ledger, 0.0, deadline=past) <= full
    assert release_sets(ledger, 0.0, deadline=past)[1] <= release_sets(ledger, 0.0)[1]
    assert oversize(ledger, deadline=past).bound <= oversize(ledger).bound + 1e-12


def _no_plan(findings: list[Finding]) -> str:
    return render(findings[0])


def test_guard_stops_an_engine_that_overruns() -> None:
    """An engine still busy at the deadline is stopped and the answer is "no plan in N s"."""
    answer = solve_within(time.sleep, (3600,), Solver(time_limit=0.2), _no_plan)
    assert answer.startswith("no plan in 0.2 s")


def test_guard_hands_back_the_engine_answer_and_its_errors() -> None:
    """What the engine returns comes back; what it raises is raised (a bug stays a bug)."""
    assert solve_within(sum, ([1, 2, 3],), Solver(time_limit=30), _no_plan) == 6
    with pytest.raises(ZeroDivisionError):
        solve_within(divmod, (1, 0), Solver(time_limit=30), _no_plan)


def test_big_book_with_a_short_limit_gives_a_valid_plan_or_a_clean_exit_1(
        tmp_path: Path) -> None:
    """A generated book big enough for the guarded engine (2,000 clients), solved through the
    CLI with --time-limit 1: either exit 0 with a plan that `rebalance check` accepts, or
    exit 1 saying there is no plan in 1 s; never a broken plan, never exit 3."""
    generate = benchmark_generator()
    book = generate.generate_book((2000, 200), seed=3)
    rules = build_rules(book.problem, book.scenario)
    assert num_pairs(rules) >= GUARDED_MIN_PAIRS
    scenario = generate.write_book(book, tmp_path / "book")
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(scenario), "--out", str(out), "--time-limit",
                                 "1", "-q"])
    assert result.exit_code in (0, 1), result.output
    if result.exit_code == 1:
        assert "no plan in 1 s" in result.output
        assert not out.exists()
        return
    checked = runner.invoke(app, ["check", str(scenario), "--assignment",
                                  str(out / "assignment.csv")])
    assert checked.exit_code == 0, checked.output
    with open(out / "assignment.csv", encoding="utf-8-sig", newline="") as fh:
        assert sum(1 for _ in csv.DictReader(fh)) == 2000
