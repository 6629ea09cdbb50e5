"""The portfolio bound's columns put to work (``scale.guided``): neighbourhoods that follow
the bound's columns, its plan as a start, and a pool whose bound meets its plan proven.

Small generated books, work limits only (the searches repeat exactly, whatever the load).
"""

from __future__ import annotations

import numpy as np

from rebalance.check import check
from rebalance.contract import HOLD_SLACK, within_tolerance
from rebalance.pools import build_rules
from rebalance.scale.colgen import run_column_generation
from rebalance.scale.greedy import greedy_plan
from rebalance.scale.guided import column_links, support_start
from rebalance.scale.ledger import Ledger, eligibility_matrix
from rebalance.scale.pool_search import SMALL_POOL_PAIRS, PoolSearch
from rebalance.staged import Budget

from helpers import INDUSTRIES, make_scenario, random_problem


def _book(seed: int, clients: int, managers: int):  # type: ignore[no-untyped-def]
    problem = random_problem(seed, num_clients=clients, num_managers=managers,
                             num_new_clients=5)
    scenario = make_scenario()
    rules = build_rules(problem, scenario)
    ledger = Ledger(problem, scenario, rules)
    ledger.load_plan(greedy_plan(problem, scenario, rules).client_to_manager)
    return problem, scenario, ledger


def _value(ledger: Ledger) -> tuple[float, float]:
    return round(ledger.total_excess(), 9), ledger.total_cost()


def test_guided_neighbourhoods_are_used_and_never_make_the_plan_worse() -> None:
    """After the portfolio bound, the guided search takes neighbourhoods along the links
    between the plan and the bound's columns; the plan it ends with keeps every hard rule
    (``check``) and is lexicographically at least as good as the one it started from."""
    problem, scenario, ledger = _book(5, 150, 15)
    search = PoolSearch(ledger, 0, Budget.of(4.0, True), seed=0, say=lambda _m: None)
    search._start()
    before = _value(ledger)
    found = run_column_generation(ledger, "continuity", ledger.total_excess() + HOLD_SLACK,
                                  seconds=1.0, deterministic=True,
                                  floors=search.unavoidable)
    assert column_links(ledger, found.support), "the columns differ from the plan"
    search.support = found.support
    search._search(0.0, lambda: False, 0.0, 0.0, guided=True)
    assert search.guided_neighbourhoods > 0
    assert _value(ledger) <= before
    assert check(problem, scenario, ledger.plan()).ok


def test_a_pool_search_with_the_portfolio_bound_reports_it_honestly() -> None:
    """A pool too big to be solved whole first (one industry, 200 × 16 = 3,200 pairs), searched
    with a work limit: the portfolio bound runs half-way, is the better bound and is named
    ``colgen``; it is at most the plan's cost, the plan keeps every hard rule, and the
    continuity stage is labelled proven exactly when ``within_tolerance`` says so."""
    problem = random_problem(7, num_clients=200, num_managers=16, industries=INDUSTRIES[:1],
                             num_new_clients=5)
    scenario = make_scenario()
    rules = build_rules(problem, scenario)
    ledger = Ledger(problem, scenario, rules)
    ledger.load_plan(greedy_plan(problem, scenario, rules).client_to_manager)
    assert sum(len(e) for e in ledger.eligible) > SMALL_POOL_PAIRS
    outcome = PoolSearch(ledger, 0, Budget.of(2.0, True), seed=1, say=lambda _m: None).run()
    assert check(problem, scenario, outcome.client_to_manager).ok
    assert outcome.continuity_method == "colgen"
    assert 0.0 < outcome.continuity_bound <= outcome.continuity_cost + 1e-9
    proven = outcome.balance_proven and within_tolerance(outcome.continuity_cost,
                                                         outcome.continuity_bound)
    assert outcome.continuity_proven == proven


def test_the_support_is_taken_as_a_start_when_it_is_better() -> None:
    """Where the relaxation is integral (the excess held is the current book's, so keeping
    every client costs nothing), the bound's columns form the optimal plan: from a worse plan
    with the same excess ceiling, ``support_start`` takes it (cost 0) and keeps the rules."""
    problem = random_problem(3, num_clients=30, num_managers=4)
    scenario = make_scenario()
    rules = build_rules(problem, scenario)
    ledger = Ledger(problem, scenario, rules)
    ledger.load_plan(problem.current_assignment)
    found = run_column_generation(ledger, "continuity", ledger.total_excess() + 1e-6,
                                  seconds=5.0, deterministic=True)
    book = _value(ledger)
    # A worse plan: one client moved to another manager it may have, the excess not lower.
    for c, options in enumerate(ledger.eligible):
        home = int(ledger.assign[c])
        for other in options[options != home].tolist():
            if ledger.fixed[c] < 0 and ledger.allowed(c, np.array([other]))[0]:
                ledger.place(c, other)
                if _value(ledger) > book:
                    break
                ledger.place(c, home)
        if ledger.assign[c] != home:
            break
    moved = ledger.assign.copy()
    assert _value(ledger) > book and ledger.total_cost() > 0
    taken = support_start(ledger, found.support, lambda: False, eligibility_matrix(ledger))
    assert taken and _value(ledger) <= book
    assert not np.array_equal(ledger.assign, moved)
    assert check(problem, scenario, ledger.plan()).ok
