"""The portfolio relaxation (``scale.colgen``, ``scale.pricing``) and honest stage labels.

Small books only: every bound is compared with an optimum the engine proves.
"""

from __future__ import annotations

import numpy as np
import pytest

from rebalance.contract import OPTIMALITY_TOLERANCE, within_tolerance
from rebalance.pools import build_rules
from rebalance.scale.bounds import oversize, release_bound, rounding_slack
from rebalance.scale.colgen import plan_of, run_column_generation
from rebalance.scale.decompose import ScaleOutcome, pool_bounds, scale_stages
from rebalance.scale.ledger import Ledger
from rebalance.scale.pool_search import PoolOutcome
from rebalance.scale.pricing import pricers
from rebalance.solve import solve

from helpers import make_scenario, random_problem


def _proven(seed: int, clients: int = 40, managers: int = 5):  # type: ignore[no-untyped-def]
    problem = random_problem(seed, num_clients=clients, num_managers=managers,
                             num_new_clients=3)
    scenario = make_scenario(solver={"time_limit": 20})
    best = solve(problem, scenario)
    assert best.status == "OPTIMAL"
    ledger = Ledger(problem, scenario, build_rules(problem, scenario))
    ledger.load_plan(best.client_to_manager)
    return ledger, best


def _floors(ledger: Ledger) -> np.ndarray:
    info = oversize(ledger)
    floors = np.zeros(len(ledger.client_ids))
    floors[info.clients] = info.company if info.superadditive else info.alone
    return floors


@pytest.mark.parametrize(("seed", "heuristic"), [(2, 0), (9, 0), (4, 20)])
def test_every_portfolio_bound_is_at_most_the_proven_optimum(seed: int, heuristic: int) -> None:
    """Anytime validity: each Lagrangian bound proven along the way (not only the last) is
    at most the optimal continuity cost at the optimal balance excess, and at most the
    optimal balance excess in balance mode; also when heuristic pricing steps move the
    prices between the exact rounds."""
    ledger, best = _proven(seed)
    held = best.balance_excess + rounding_slack(ledger)
    seen: list[float] = []
    cost = run_column_generation(ledger, "continuity", held, seconds=3.0,
                                 deterministic=True, floors=_floors(ledger),
                                 on_bound=lambda _r, b: seen.append(b),
                                 heuristic_rounds=heuristic)
    assert heuristic == 0 or cost.heuristic_rounds > 0
    assert seen and max(seen) == pytest.approx(cost.bound)
    assert all(b <= best.continuity_cost + 1e-6 for b in seen)
    seen.clear()
    balance = run_column_generation(ledger, "balance", seconds=3.0, deterministic=True,
                                    floors=_floors(ledger),
                                    on_bound=lambda _r, b: seen.append(b))
    assert seen and all(b <= best.balance_excess + rounding_slack(ledger) for b in seen)
    assert balance.bound <= best.balance_excess + rounding_slack(ledger)


def test_portfolio_bound_meets_the_optimum_when_its_portfolios_form_a_plan() -> None:
    """With nothing to trade off (the excess held is what the current book has, so keeping
    every client is optimal at cost 0), the relaxation is integral: the bound equals the
    optimum, and the portfolios at the best prices keep every client with a manager."""
    problem = random_problem(3, num_clients=30, num_managers=4)
    scenario = make_scenario(solver={"time_limit": 20})
    ledger = Ledger(problem, scenario, build_rules(problem, scenario))
    ledger.load_plan(problem.current_assignment)
    assert ledger.total_cost() == 0.0
    found = run_column_generation(ledger, "continuity", ledger.total_excess() + 1e-6,
                                  seconds=5.0, deterministic=True)
    assert found.bound == pytest.approx(0.0, abs=1e-6)
    owner = plan_of(found.support, len(ledger.client_ids))
    assert (owner >= 0).all()


def test_portfolio_bound_beats_the_release_bound_where_balance_is_tight() -> None:
    """On a book whose optimal balance leaves no slack, the portfolio bound (priced from
    the oversize floors) proves at least what the release bound proves, and both stay
    below the optimum."""
    ledger, best = _proven(9, clients=60, managers=6)
    held = best.balance_excess + rounding_slack(ledger)
    release = release_bound(ledger, held, oversize(ledger))
    found = run_column_generation(ledger, "continuity", held, seconds=5.0,
                                  deterministic=True, floors=_floors(ledger))
    assert release - 1e-6 <= found.bound <= best.continuity_cost + 1e-6


@pytest.mark.parametrize("price", [3.0, 0.0])
def test_pricing_bounds_are_below_every_portfolio(price: float) -> None:
    """The pricing's proven lower bound (CP-SAT, or the sorted items when the excess is
    unpriced) and its solver-free tangent bound are never above the value of any portfolio
    the manager could hold (random portfolios of each manager, random prices)."""
    ledger, _best = _proven(2)
    rng = np.random.default_rng(0)
    for p in pricers(ledger):
        if not len(p.candidates):
            continue
        item = rng.normal(0.0, 2.0, len(p.candidates))
        take, low = p.solve_exact(item, price, 1.0)
        near = rng.random(len(p.candidates)) < 0.3
        tangent = p.linear_bound(item, price, near)
        assert take.sum() <= p.room
        assert low <= p.value(take, item, price) + 1e-9
        assert tangent <= p.value(take, item, price) + 1e-9
        for _ in range(50):
            other = rng.random(len(p.candidates)) < 0.5
            if other.sum() <= p.room:
                assert max(low, tangent) <= p.value(other, item, price) + 1e-9


def _pool(balance: float, bound: float, proven: bool) -> PoolOutcome:
    return PoolOutcome(index=0, client_to_manager={}, balance_excess=balance,
                       continuity_cost=10.0, balance_bound=bound, continuity_bound=10.0,
                       balance_proven=proven, continuity_proven=proven, start="greedy",
                       neighbourhoods=0, improvements=0, wall_time=0.0, work=0.0,
                       balance_method="oversize", continuity_method="release")


def test_a_stage_is_optimal_only_within_the_stated_tolerance() -> None:
    """The one rule: a gap above OPTIMALITY_TOLERANCE is not optimal (a 2,100-client book
    was labelled ``balance: OPTIMAL … gap 0.51 %`` when "within rounding" counted), and the
    scale engine's stages and summary pools follow the pools' proofs."""
    assert within_tolerance(8.0, 8.0 - OPTIMALITY_TOLERANCE)
    assert not within_tolerance(8.0, 8.0 - 0.0051 * 8.0)
    pool = _pool(8.0, 8.0 - 0.0051 * 8.0, proven=False)
    outcome = ScaleOutcome(client_to_manager={}, balance_excess=8.0, continuity_cost=10.0,
                           balance_bound=pool.balance_bound, continuity_bound=10.0,
                           wall_time=0.0, pools=(pool,))
    verdict = type("V", (), {"balance_excess": 8.0, "continuity_cost": 10.0})()
    stages = scale_stages(outcome, verdict, make_scenario(), 0.0)  # type: ignore[arg-type]
    assert [s.status for s in stages] == ["FEASIBLE", "FEASIBLE"]
    assert stages[0].gap == pytest.approx(0.0051)
    (entry,) = pool_bounds(outcome)
    assert (entry.balance_status, entry.balance_method) == ("FEASIBLE", "oversize")
    assert (entry.continuity_status, entry.continuity_method) == ("FEASIBLE", "release")


def test_scale_engine_labels_follow_the_bounds_it_reports() -> None:
    """On a book the scale engine cannot prove in a short run, every stage or pool labelled
    OPTIMAL is within the tolerance of the bound it reports, and the pools name a method."""
    problem = random_problem(5, num_clients=400, num_managers=40, num_new_clients=6)
    scenario = make_scenario(solver={"time_limit": 6, "workers": 2})
    result = solve(problem, scenario, engine="scale")
    assert result.pools
    for pool in result.pools:
        assert pool.balance_method in ("cp-sat", "oversize", "none")
        assert pool.continuity_method in ("cp-sat", "release", "colgen", "none")
        if pool.balance_status == "OPTIMAL":
            assert within_tolerance(pool.balance_excess, pool.balance_bound)
        if pool.continuity_status == "OPTIMAL":
            assert within_tolerance(pool.continuity_cost, pool.continuity_bound)
    for stage in result.stages:
        if stage.status == "OPTIMAL":
            assert stage.objective - stage.best_bound <= OPTIMALITY_TOLERANCE * len(result.pools)


def test_summary_json_names_each_pools_bounds_and_their_method(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``rebalance solve`` on a book the scale engine plans (the bundled ``pooled``
    what-if: one pool of 173 × 18 = 3,114 pairs) writes, per pool, both values, bounds,
    statuses and the method that proved each bound; statuses agree with the tolerance."""
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from rebalance.cli import app

    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "pooled.yaml"
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["solve", str(scenario), "--out", str(out), "--quiet",
                                      "--set", "solver.time_limit=10"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["pools"]) == 1
    (pool,) = summary["pools"]
    assert pool["balance_method"] in ("cp-sat", "oversize", "company", "none")
    assert pool["continuity_method"] in ("cp-sat", "release", "colgen", "none")
    balance = within_tolerance(pool["balance_excess"], pool["balance_bound"])
    assert pool["balance_status"] == ("OPTIMAL" if balance else "FEASIBLE")
    # Continuity is proven given the balance held: only once balance is proven too.
    cost = balance and within_tolerance(pool["continuity_cost"], pool["continuity_bound"])
    assert pool["continuity_status"] == ("OPTIMAL" if cost else "FEASIBLE")


def test_the_bound_stops_at_its_first_round_without_progress() -> None:
    """``stall=1`` (the engine's rule on the clock): the ascent ends at the first exact round
    that proves no more than the best so far, every round before it improved, and the bound
    kept is the best seen (still at most the proven optimum)."""
    ledger, best = _proven(2)
    held = best.balance_excess + rounding_slack(ledger)
    seen: list[float] = []
    found = run_column_generation(ledger, "continuity", held, seconds=20.0, deterministic=True,
                                  floors=_floors(ledger), on_bound=lambda _r, b: seen.append(b),
                                  stall=1)
    assert len(seen) >= 2 and found.rounds == len(seen)
    assert seen[-1] <= max(seen[:-1]) + 1e-9
    assert all(later > earlier for earlier, later in zip(seen[:-2], seen[1:-1], strict=True))
    assert found.bound == pytest.approx(max(seen))
    assert found.bound <= best.continuity_cost + 1e-6
