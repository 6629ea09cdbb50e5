"""The scale strategies: pools, starts, LNS, local search and the bounds they prove.

Small books only (a few seconds each); the big instances are benchmarks, never tests.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance.check import check
from rebalance.io.read import load_book
from rebalance.pools import build_rules
from rebalance.scale.bounds import oversize, oversize_bound, release_bound, rounding_slack
from rebalance.scale.decompose import search_pools, supports
from rebalance.scale.greedy import greedy_plan
from rebalance.scale.ledger import Ledger
from rebalance.scale.lns import solve_neighbourhood
from rebalance.scale.local_search import local_search
from rebalance.scenario import Scenario, load_scenario
from rebalance.solve import ProgressEvent, solve
from rebalance.staged import Budget

from helpers import make_problem, make_scenario, random_problem

ROOT = Path(__file__).resolve().parent.parent


def _lexi(balance: float, cost: float) -> tuple[float, float]:
    return round(balance, 6), round(cost, 6)


def test_scale_engine_proves_a_small_book_like_the_engine() -> None:
    """On a baseline-sized random book every pool is solved whole: the result is proven
    optimal with the same figures as the engine's (the oracle recomputes both)."""
    problem = random_problem(11, num_clients=60, num_managers=6)
    scenario = make_scenario(solver={"time_limit": 20, "workers": 2})
    result = solve(problem, scenario, engine="scale")
    engine = solve(problem, scenario)
    assert engine.status == "OPTIMAL"
    assert result.status == "OPTIMAL"
    verdict = check(problem, scenario, result.client_to_manager)
    assert verdict.ok
    assert verdict.balance_excess == pytest.approx(engine.balance_excess, abs=1e-3)
    assert verdict.continuity_cost == pytest.approx(engine.continuity_cost, abs=1e-6)


def test_scale_engine_is_never_worse_than_the_greedy() -> None:
    """With a short budget the plan is still at least as good as the greedy's, in the
    lexicographic order (balance first), and breaks no rule."""
    problem = random_problem(5, num_clients=150, num_managers=14, num_new_clients=6, leaving=1)
    scenario = make_scenario(solver={"time_limit": 3, "workers": 2})
    greedy = greedy_plan(problem, scenario)
    result = solve(problem, scenario, engine="scale")
    verdict = result.verdict
    assert verdict.ok
    assert _lexi(verdict.balance_excess, verdict.continuity_cost) <= _lexi(
        greedy.balance_excess, greedy.continuity_cost)


def test_scale_engine_reports_every_pool_while_it_searches() -> None:
    """Progress on a big book comes per pool: every pool reports, each ends on its
    continuity cost and bound, and those last figures add up to the plan's."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    problem, rules = load_book(scenario)
    events: list[ProgressEvent] = []
    result = solve(problem, scenario, rules, progress=events.append, engine="scale")
    last: dict[int, ProgressEvent] = {}
    for event in events:
        assert event.stage in ("balance", "continuity")
        assert event.num_parts == len(rules.pools)
        assert event.bound <= event.objective + 1e-6
        last[event.part] = event
    assert sorted(last) == list(range(1, len(rules.pools) + 1))
    assert all(e.stage == "continuity" for e in last.values())
    total = sum(e.objective for e in last.values())
    assert total == pytest.approx(result.continuity_cost, abs=1e-6)


def test_scale_engine_keeps_a_global_move_cap() -> None:
    """max_moves ties the pools together: the plan moves at most that many clients."""
    problem = random_problem(8, num_clients=90, num_managers=9)
    scenario = make_scenario(continuity={"max_moves": 4}, solver={"time_limit": 3})
    result = solve(problem, scenario, engine="scale")
    verdict = check(problem, scenario, result.client_to_manager)
    assert verdict.ok and verdict.num_moves <= 4


def test_work_limit_gives_the_same_plan_twice() -> None:
    """With solver.work_limit the search stops on deterministic work: two runs of a book too
    big to prove in that work give the same plan."""
    problem = random_problem(3, num_clients=300, num_managers=30, num_new_clients=10,
                             industries=("A",))  # one pool, searched by LNS
    scenario = make_scenario(solver={"time_limit": 60, "workers": 2, "work_limit": 1.0})
    first = search_pools(problem, scenario)
    second = search_pools(problem, scenario)
    assert first.client_to_manager == second.client_to_manager
    assert (first.balance_excess, first.continuity_cost) == (second.balance_excess,
                                                             second.continuity_cost)


def test_other_priorities_are_left_to_the_engine() -> None:
    """The scale engine handles [balance, continuity] only and says so."""
    assert supports(make_scenario())
    weighted = make_scenario(priorities=None)
    assert not supports(weighted)
    with pytest.raises(ValueError):
        solve(random_problem(1, 20, 3), weighted, engine="scale")


def test_contradicting_rules_give_a_status_not_an_exception() -> None:
    """Locks beyond a capacity: INFEASIBLE with the engine's diagnostics, no plan."""
    problem = make_problem(
        clients=[{"client_id": f"C{i}", "manager": "M1", "locked": True} for i in range(3)],
        managers=[{"manager_id": "M1", "capacity": 2}, {"manager_id": "M2"}],
    )
    result = solve(problem, make_scenario(), engine="scale")
    assert result.status == "INFEASIBLE"
    assert result.findings


# --------------------------------------------------------------------------- bounds


def _optimum(problem, scenario: Scenario):  # type: ignore[no-untyped-def]
    result = solve(problem, scenario)
    assert result.status == "OPTIMAL"
    return result


@pytest.mark.parametrize("seed", [2, 9])
def test_bounds_never_exceed_the_proven_optimum(seed: int) -> None:
    """The oversize bound is at most the optimal balance excess and the release bound at
    most the optimal continuity cost at that excess (the engine proves both optima)."""
    problem = random_problem(seed, num_clients=40, num_managers=5, num_new_clients=3)
    scenario = make_scenario(solver={"time_limit": 20})
    best = _optimum(problem, scenario)
    rules = build_rules(problem, scenario)
    ledger = Ledger(problem, scenario, rules)
    ledger.load_plan(best.client_to_manager)
    info = oversize(ledger)
    assert info.bound <= best.balance_excess + rounding_slack(ledger)
    held = best.balance_excess + rounding_slack(ledger)
    assert release_bound(ledger, held, info) <= best.continuity_cost + 1e-6


def test_oversize_bound_counts_a_client_bigger_than_every_band() -> None:
    """One client with 3× a manager's fair share of revenue: the bound is at least
    10 × (3 − 1.1) wherever it goes (weight 10, tolerance 10 %), and no plan beats it."""
    clients = [{"client_id": "BIG", "revenue": 600, "manager": "M1", "importance": 5}]
    clients += [{"client_id": f"C{i}", "revenue": 10, "manager": "M2"} for i in range(40)]
    problem = make_problem(clients, [{"manager_id": "M1"}, {"manager_id": "M2"},
                                     {"manager_id": "M3"}, {"manager_id": "M4"},
                                     {"manager_id": "M5"}])
    scenario = make_scenario()
    rules = build_rules(problem, scenario)
    share = rules.fair_share("M1", "revenue")
    bound = oversize_bound(Ledger(problem, scenario, rules))
    assert bound >= 10 * (600 / share - 1.1) - 1e-9
    plan = solve(problem, scenario, engine="scale").client_to_manager
    assert bound <= check(problem, scenario, plan).balance_excess + 1e-9


def test_bounds_hold_when_a_band_cannot_be_met() -> None:
    """With a client six times a fair share the best plan keeps some excess (the slack the
    release bound shares out): both bounds stay below the whole-pool CP-SAT optimum."""
    clients = [{"client_id": "BIG", "revenue": 600, "manager": "M1", "importance": 5,
                "relationship": 0.9}]
    clients += [{"client_id": f"C{i}", "revenue": 10 + (i * 7) % 23,
                 "manager": f"M{1 + i % 2}", "importance": 1 + i % 3,
                 "relationship": (i % 10) / 10} for i in range(30)]
    problem = make_problem(clients, [{"manager_id": f"M{j}"} for j in range(1, 6)])
    scenario = make_scenario(solver={"time_limit": 20, "workers": 1})
    best = solve(problem, scenario, engine="scale")
    assert best.status == "OPTIMAL"
    ledger = Ledger(problem, scenario, build_rules(problem, scenario))
    info = oversize(ledger)
    assert info.superadditive and len(info.clients) == 1
    excess, cost = best.balance_excess, best.continuity_cost
    assert 0 < info.bound <= excess + rounding_slack(ledger)
    assert release_bound(ledger, excess + rounding_slack(ledger), info) <= cost + 1e-6


def test_release_bound_is_the_cheapest_way_back_into_band() -> None:
    """M1 holds four equal clients but its band allows two: it must lose the two cheapest
    (relationship 0.1 and 0.2: cost 0.6 + 0.7), and the bound says exactly that."""
    problem = make_problem(
        clients=[{"client_id": f"C{i}", "revenue": 100, "manager": "M1",
                  "relationship": r} for i, r in enumerate([0.1, 0.2, 0.8, 0.9])],
        managers=[{"manager_id": "M1"}, {"manager_id": "M2"}],
    )
    scenario = make_scenario()
    ledger = Ledger(problem, scenario, build_rules(problem, scenario))
    assert release_bound(ledger, 0.0) == pytest.approx(1.3, abs=1e-6)


def _big_client_book(seed: int = 0):  # type: ignore[no-untyped-def]
    """A book with one client six times a fair share (a band that cannot be met)."""
    clients = [{"client_id": "BIG", "revenue": 600, "manager": "M1", "importance": 5,
                "relationship": 0.9}]
    clients += [{"client_id": f"C{i}", "revenue": 10 + (i * 7 + seed) % 23,
                 "manager": f"M{1 + (i + seed) % 2}", "importance": 1 + (i + seed) % 3,
                 "relationship": ((i + seed) % 10) / 10} for i in range(30)]
    return make_problem(clients, [{"manager_id": f"M{j}"} for j in range(1, 6)])


def _floors(ledger: Ledger) -> np.ndarray:
    info = oversize(ledger)
    floors = np.zeros(len(ledger.client_ids))
    floors[info.clients] = info.company if info.superadditive else info.alone
    return floors


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_every_plan_pays_the_floors_of_the_clients_a_manager_holds(seed: int) -> None:
    """The floor cuts' premise: whatever the plan, a manager's excess is at least the sum of
    the floors (oversize bounds) of the clients it holds."""
    problem = _big_client_book(seed % 7)
    scenario = make_scenario()
    ledger = Ledger(problem, scenario, build_rules(problem, scenario))
    floors = _floors(ledger)
    assert floors.max() > 0
    rng = np.random.default_rng(seed)
    for c, options in enumerate(ledger.eligible):
        ledger.place(c, int(rng.choice(options)))
    held = np.bincount(ledger.assign, weights=floors, minlength=len(ledger.manager_ids))
    assert (ledger.manager_excess() >= held - 1e-9).all()


@pytest.mark.parametrize("seed", [0, 3])
def test_floor_cuts_remove_no_plan(seed: int) -> None:
    """Solving the whole pool with and without the floor cuts proves the same optimum."""
    problem = _big_client_book(seed)
    scenario = make_scenario()
    rules = build_rules(problem, scenario)
    found = []
    for floors in (False, True):
        ledger = Ledger(problem, scenario, rules)
        ledger.load_plan(greedy_plan(problem, scenario, rules).client_to_manager)
        step = solve_neighbourhood(ledger, list(range(len(ledger.manager_ids))), "balance",
                                   Budget(20.0), floors=_floors(ledger) if floors else None)
        assert step.balance_status == "OPTIMAL" and step.status == "OPTIMAL"
        found.append(_lexi(ledger.total_excess(), ledger.total_cost()))
    assert found[0] == found[1]


# --------------------------------------------------------------------------- search steps


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), price=st.sampled_from([None, 10.0]))
def test_local_search_only_improves_and_keeps_the_rules(seed: int,
                                                        price: float | None) -> None:
    """Local search from the greedy plan never makes it lexicographically worse and never
    breaks a hard rule (check's verdict)."""
    problem = random_problem(seed, num_clients=70, num_managers=7, num_new_clients=3)
    scenario = make_scenario(forbid=[{"client": "000001", "manager": "M002"}])
    rules = build_rules(problem, scenario)
    ledger = Ledger(problem, scenario, rules)
    ledger.load_plan(greedy_plan(problem, scenario, rules).client_to_manager)
    before = (ledger.total_excess(), ledger.total_cost())
    local_search(ledger, lambda: False, price=price)
    verdict = check(problem, scenario, ledger.plan(), rules)
    assert verdict.ok, [v.message for v in verdict.violations]
    assert _lexi(verdict.balance_excess, verdict.continuity_cost) <= _lexi(*before)


def test_neighbourhood_solve_applies_only_improvements() -> None:
    """A neighbourhood solve on two managers never worsens the plan and its result is
    re-priced exactly (the ledger agrees with check)."""
    problem = random_problem(6, num_clients=40, num_managers=4)
    scenario = make_scenario()
    rules = build_rules(problem, scenario)
    ledger = Ledger(problem, scenario, rules)
    ledger.load_plan(greedy_plan(problem, scenario, rules).client_to_manager)
    before = (ledger.total_excess(), ledger.total_cost())
    managers = [int(m) for m in np.argsort(-ledger.manager_excess())[:2]]
    step = solve_neighbourhood(ledger, managers, "balance", Budget(2.0))
    verdict = check(problem, scenario, ledger.plan(), rules)
    assert verdict.ok
    assert verdict.balance_excess == pytest.approx(ledger.total_excess(), abs=1e-9)
    assert _lexi(verdict.balance_excess, verdict.continuity_cost) <= _lexi(*before)
    assert step.improved == (_lexi(*before) != _lexi(ledger.total_excess(),
                                                     ledger.total_cost()))
