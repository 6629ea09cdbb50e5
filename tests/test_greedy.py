"""The greedy repair plan: hard rules hold, its figures are check's, and it repairs."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance.check import check
from rebalance.pools import build_rules
from rebalance.scale.greedy import greedy_plan
from rebalance.scale.ledger import Ledger, pool_positions

from helpers import make_problem, make_scenario, random_problem


def _book():  # type: ignore[no-untyped-def]
    """Two managers of A, one leaving; M1 holds everything, a new client arrives."""
    return make_problem(
        clients=[
            {"client_id": "C1", "revenue": 100, "manager": "M1", "relationship": 0.9},
            {"client_id": "C2", "revenue": 100, "manager": "M1", "relationship": 0.1},
            {"client_id": "C3", "revenue": 100, "manager": "M1", "relationship": 0.5},
            {"client_id": "C4", "revenue": 100, "manager": "M1", "relationship": 0.2},
            {"client_id": "C5", "revenue": 100, "manager": "M3"},
            {"client_id": "C6", "revenue": 100},
        ],
        managers=[
            {"manager_id": "M1"}, {"manager_id": "M2"},
            {"manager_id": "M3", "status": "leaving"},
        ],
    )


def test_greedy_balances_a_lopsided_book_with_the_cheapest_moves() -> None:
    """M1 holds four of six clients: the greedy gives M2 three, moving the client with the
    weakest relationship (C2, cost 0.6) and placing the free ones, and ends in band."""
    problem, scenario = _book(), make_scenario()
    plan = greedy_plan(problem, scenario)
    verdict = check(problem, scenario, plan.client_to_manager)
    assert verdict.ok
    assert verdict.balance_excess == 0.0
    assert plan.client_to_manager["C2"] == "M2"
    assert verdict.moved == ("C2",)
    assert plan.continuity_cost == verdict.continuity_cost == 0.6


def test_greedy_keeps_locks_forbidden_pairs_and_capacity() -> None:
    """The cheapest client is locked, another pair forbidden, M2 capped at two clients:
    the plan keeps all three rules (check finds nothing)."""
    problem = make_problem(
        clients=[
            {"client_id": "C1", "revenue": 100, "manager": "M1", "relationship": 0.1,
             "locked": True},
            {"client_id": "C2", "revenue": 100, "manager": "M1", "relationship": 0.2},
            {"client_id": "C3", "revenue": 100, "manager": "M1", "relationship": 0.3},
            {"client_id": "C4", "revenue": 100, "manager": "M1", "relationship": 0.4},
            {"client_id": "C5", "revenue": 100, "manager": "M1", "relationship": 0.5},
            {"client_id": "C6", "revenue": 100, "manager": "M1", "relationship": 0.6},
        ],
        managers=[{"manager_id": "M1"}, {"manager_id": "M2", "capacity": 2},
                  {"manager_id": "M3"}],
    )
    scenario = make_scenario(forbid=[{"client": "C2", "manager": "M2"}])
    plan = greedy_plan(problem, scenario)
    verdict = check(problem, scenario, plan.client_to_manager)
    assert verdict.ok, verdict.violations
    assert plan.client_to_manager["C1"] == "M1"
    assert plan.client_to_manager["C2"] != "M2"
    assert sum(m == "M2" for m in plan.client_to_manager.values()) <= 2
    assert verdict.balance_excess < check(problem, scenario,
                                          problem.current_assignment).balance_excess


def test_greedy_respects_move_caps() -> None:
    """With max_moves 1 the lopsided book moves one client only, even if more would help."""
    problem = make_problem(
        clients=[{"client_id": f"C{i}", "revenue": 100, "manager": "M1"} for i in range(6)],
        managers=[{"manager_id": "M1"}, {"manager_id": "M2"}, {"manager_id": "M3"}],
    )
    scenario = make_scenario(continuity={"max_moves": 1})
    plan = greedy_plan(problem, scenario)
    verdict = check(problem, scenario, plan.client_to_manager)
    assert verdict.ok and verdict.num_moves == 1 and plan.moves == 1


def test_greedy_moves_clients_off_a_manager_above_capacity() -> None:
    """A manager whose current book exceeds its capacity gives up clients (rule holds)."""
    problem = make_problem(
        clients=[{"client_id": f"C{i}", "revenue": 100, "manager": "M1"} for i in range(5)],
        managers=[{"manager_id": "M1", "capacity": 3}, {"manager_id": "M2"}],
    )
    scenario = make_scenario()
    plan = greedy_plan(problem, scenario)
    assert check(problem, scenario, plan.client_to_manager).ok


def test_ledger_subset_prices_like_the_whole_book() -> None:
    """A pool's ledger gives the same excess and cost for that pool as the book's ledger."""
    problem = random_problem(7, num_clients=60, num_managers=8)
    scenario = make_scenario()
    rules = build_rules(problem, scenario)
    plan = greedy_plan(problem, scenario, rules)
    book = Ledger(problem, scenario, rules)
    book.load_plan(plan.client_to_manager)
    total_excess = total_cost = 0.0
    for pool in rules.pools:
        sub = book.subset(*pool_positions(problem, pool))
        total_excess += sub.total_excess()
        total_cost += sub.total_cost()
    assert abs(total_excess - book.total_excess()) < 1e-9
    assert abs(total_cost - book.total_cost()) < 1e-9


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), num_clients=st.integers(10, 80),
       num_managers=st.integers(2, 9), max_moves=st.one_of(st.none(), st.integers(0, 10)),
       num_new_clients=st.integers(0, 5), leaving=st.integers(0, 2))
def test_greedy_plans_always_pass_the_checker(seed: int, num_clients: int, num_managers: int,
                                              max_moves: int | None, num_new_clients: int,
                                              leaving: int) -> None:
    """On random books (new clients, leaving managers, move caps) the greedy breaks no hard
    rule and reports exactly check's figures."""
    problem = random_problem(seed, num_clients=num_clients, num_managers=num_managers,
                             num_new_clients=num_new_clients, leaving=leaving)
    scenario = make_scenario(continuity={"max_moves": max_moves})
    rules = build_rules(problem, scenario)
    plan = greedy_plan(problem, scenario, rules)
    if plan.unplaced:  # no room anywhere for some client: nothing to check
        return
    verdict = check(problem, scenario, plan.client_to_manager, rules)
    assert verdict.ok, [v.message for v in verdict.violations]
    assert abs(plan.balance_excess - verdict.balance_excess) < 1e-9
    assert abs(plan.continuity_cost - verdict.continuity_cost) < 1e-9
    assert plan.moves == verdict.num_moves
