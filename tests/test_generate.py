"""The benchmark's seeded book generator (small sizes only: the big ones are benchmarks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rebalance.check import check
from rebalance.io.read import load_problem
from rebalance.pools import build_rules
from rebalance.scenario import load_scenario

from helpers import benchmark_generator

generate = benchmark_generator()


def test_small_book_has_the_baseline_size_and_shape() -> None:
    """small is 173 × 18 with several industry groups, a leaving manager, new clients,
    locks and more than one balancing pool."""
    book = generate.generate_book("small", seed=0)
    problem = book.problem
    assert (problem.num_clients, problem.num_managers) == (173, 18)
    assert len({c.industry for c in problem.clients}) >= 5
    assert any(m.status == "leaving" for m in problem.managers)
    assert any(m.status == "new" for m in problem.managers)
    assert any(c.manager is None for c in problem.clients)
    assert any(c.locked for c in problem.clients)
    assert len(build_rules(problem, book.scenario).pools) > 1


def test_named_sizes_scale_ten_and_a_hundred_times() -> None:
    """The named sizes are the baseline, ten and a hundred times it (clients × managers)."""
    assert generate.SIZES == {"small": (173, 18), "medium": (1_730, 180),
                              "large": (17_300, 1_800)}


def test_same_seed_same_book_other_seed_other_book() -> None:
    """A seed gives the same book every time; another seed gives another book."""
    a = generate.generate_book((120, 16), seed=3)
    b = generate.generate_book((120, 16), seed=3)
    c = generate.generate_book((120, 16), seed=4)
    assert a.problem == b.problem and a.scenario == b.scenario
    assert a.problem != c.problem


def test_revenue_is_heavy_tailed_and_the_current_book_lopsided() -> None:
    """The top tenth of clients brings a large share of revenue, and managers' current
    client counts differ a lot (the benchmark needs something to rebalance)."""
    problem = generate.generate_book((600, 60), seed=1).problem
    revenue = sorted((c.revenue for c in problem.clients), reverse=True)
    assert sum(revenue[: len(revenue) // 10]) > 0.3 * sum(revenue)
    counts = [sum(c.manager == m.manager_id for c in problem.clients)
              for m in problem.managers if m.status == "active"]
    assert max(counts) >= 2 * min(counts)


def test_current_assignment_breaks_no_rule_but_leaving_and_new() -> None:
    """Apart from leaving managers' and new clients, the current book obeys the hard rules
    (the generator plants no contradiction: eligibility, locks and capacities hold)."""
    book = generate.generate_book("small", seed=2)
    problem, scenario = book.problem, book.scenario
    verdict = check(problem, scenario, problem.current_assignment)
    rules = {v.rule for v in verdict.violations}
    assert rules <= {"unassigned", "leaving_manager"}


def test_custom_size_needs_two_managers_per_group() -> None:
    """Sizes too small for the seven industry groups are refused with a clear message."""
    with pytest.raises(ValueError, match="managers"):
        generate.generate_book((50, 5))


def test_written_book_loads_through_the_command_line_readers(tmp_path: Path) -> None:
    """write_book writes CSVs and a scenario that load back into the same book."""
    book = generate.generate_book((90, 15), seed=5)
    path = generate.write_book(book, tmp_path)
    scenario = load_scenario(path)
    problem = load_problem(scenario)
    assert problem.num_clients == 90 and problem.num_managers == 15
    for original, loaded in zip(book.problem.clients, problem.clients, strict=True):
        assert (loaded.client_id, loaded.industry, loaded.manager, loaded.importance,
                loaded.locked) == (original.client_id, original.industry, original.manager,
                                   original.importance, original.locked)
        assert loaded.revenue == pytest.approx(original.revenue)
    assert scenario.forbid == book.scenario.forbid
