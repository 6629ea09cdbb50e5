"""The company bound (``scale.company``): big clients compete for small companions.

Every bound is compared with a balance optimum the exact engine proves; the hand-built book
is one where the single floors (``bounds.oversize``) miss the competition.
"""

from __future__ import annotations

import numpy as np
import pytest

from rebalance.pools import build_rules
from rebalance.scale import pool_search
from rebalance.scale.bounds import oversize, rounding_slack
from rebalance.scale.company import company_bound
from rebalance.scale.decompose import search_pools
from rebalance.scale.ledger import Ledger, eligibility_matrix
from rebalance.solve import solve

from helpers import make_problem, make_scenario


def _book() -> tuple:  # type: ignore[type-arg]
    """Three managers of one industry; two clients of 130 % and 109 % of a revenue share:
    both their managers need the same six tiny clients to reach their importance and
    client-count bands without more revenue (the single floors give each all six)."""
    managers = [{"manager_id": f"M{j}", "industries": ("金融",)} for j in range(1, 4)]
    clients = [
        {"client_id": "BIG1", "industry": "金融", "revenue": 4893.0, "importance": 5,
         "manager": "M1"},
        {"client_id": "BIG2", "industry": "金融", "revenue": 4103.0, "importance": 5,
         "manager": "M2"},
    ]
    # Six tiny clients rich in importance, twelve of ordinary size and importance 1.
    small = [(float(r), 3) for r in (1, 2, 3, 4, 5, 6)] + [
        (float(r), 1) for r in (80, 95, 110, 130, 150, 170, 190, 210, 240, 270, 300, 330)]
    for i, (revenue, importance) in enumerate(small):
        clients.append({"client_id": f"S{i:02d}", "industry": "金融", "revenue": revenue,
                        "importance": importance, "manager": f"M{1 + i % 3}"})
    problem = make_problem(clients, managers)
    return problem, make_scenario(solver={"time_limit": 30})


def test_the_competition_for_companions_is_counted_and_stays_a_bound() -> None:
    """The joint bound proves more than the single floors and no more than the optimum."""
    problem, scenario = _book()
    best = solve(problem, scenario)
    assert best.status == "OPTIMAL"
    ledger = Ledger(problem, scenario, build_rules(problem, scenario))
    info = oversize(ledger)
    found = company_bound(ledger, info, eligibility_matrix(ledger))
    assert found.big >= 2 and found.optimal
    assert found.bound > info.bound + 0.1
    assert found.bound <= best.balance_excess + rounding_slack(ledger)


def _tiny_book(seed: int) -> tuple:  # type: ignore[type-arg]
    """Three managers of one industry, nine clients: two near or above a revenue share, a
    third of 30-60 % of one, the rest small (seeded)."""
    rng = np.random.default_rng(seed)
    big = rng.uniform([0.9, 0.9, 0.3], [1.3, 1.1, 0.6])  # in fair shares (sum < 3)
    small = rng.lognormal(0.0, 1.2, size=6)
    share = float(small.sum()) / (3.0 - float(big.sum()))
    revenue = list(big * share) + list(small)
    clients = [{"client_id": f"C{i}", "industry": "金融", "revenue": round(float(r), 2),
                "importance": int(rng.integers(1, 6)), "manager": f"M{1 + i % 3}"}
               for i, r in enumerate(revenue)]
    managers = [{"manager_id": f"M{j}", "industries": ("金融",)} for j in range(1, 4)]
    return make_problem(clients, managers), make_scenario()


def _least_excess(ledger: Ledger) -> float:
    """The balance optimum by enumerating every plan (3⁹ of them): no solver."""
    n, m = len(ledger.client_ids), len(ledger.manager_ids)
    plans = np.indices((m,) * n).reshape(n, -1).T  # every assignment, one per row
    total = np.zeros(len(plans))
    for k in range(m):
        load = (plans == k).astype(float) @ ledger.client_load * ledger.inv_share[k]
        total += np.maximum(np.abs(load - 1.0) - ledger.tolerance, 0.0) @ ledger.weight
    return float(total.min())


def test_the_company_bound_is_at_most_the_optimum_on_every_tiny_book() -> None:
    """On 40 seeded tiny books the bound (with the clock or the node limit) never exceeds
    the optimum found by enumeration, and on some it proves more than the single floors."""
    gained = 0
    for seed in range(40):
        problem, scenario = _tiny_book(seed)
        ledger = Ledger(problem, scenario, build_rules(problem, scenario))
        info = oversize(ledger)
        least = _least_excess(ledger)
        assert info.bound <= least + 1e-9
        eligible = eligibility_matrix(ledger)
        for deterministic in (False, True):
            found = company_bound(ledger, info, eligible, deterministic=deterministic)
            assert info.bound <= found.bound <= least + 1e-9, seed
        gained += found.bound > info.bound + 1e-3
    assert gained >= 5


def test_the_scale_engine_reports_the_company_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the scale engine (the pool not solved whole first, as a big pool is not),
    the hand-built book's balance bound comes from the joint model (summary ``pools``:
    method ``company``) and stays below the proven optimum."""
    monkeypatch.setattr(pool_search, "SMALL_POOL_PAIRS", 0)
    problem, scenario = _book()
    rules = build_rules(problem, scenario)
    outcome = search_pools(problem, scenario, rules)
    pools = outcome.pools
    assert [p.balance_method for p in pools] == ["company"]
    assert pools[0].balance_bound <= pools[0].balance_excess
    best = solve(problem, scenario)
    assert pools[0].balance_bound <= best.balance_excess + 1e-6


def test_the_benchmark_prints_both_bounds_per_pool() -> None:
    """``benchmarks/company.py`` (the docs' per-pool table) runs on the small generated book:
    one row per pool and a total, each company bound at least its oversize bound."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "company.py"
    done = subprocess.run([sys.executable, str(script), "--size", "small", "--deterministic"],
                          capture_output=True, text=True, timeout=600, check=True)
    rows = [line.split("|")[1:-1] for line in done.stdout.splitlines()
            if line.startswith("| ") and not line.startswith("| pool")]
    assert len(rows) >= 2 and rows[-1][0].strip() == "all"
    for row in rows:
        assert float(row[4]) >= float(row[3]) - 1e-9
