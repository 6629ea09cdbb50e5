"""The engine's optimum against exhaustive enumeration on tiny books (7 clients × 3 managers).

Every plan of the book is enumerated and priced by ``check`` (no solver); the engine's plan
must be as good as the best one, stage by stage, within the engine's documented tolerance
(``OPTIMALITY_TOLERANCE`` per stage and the 10⁻⁵-of-a-share load grid).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from rebalance.check import Verdict, check
from rebalance.data import Problem
from rebalance.pools import build_rules
from rebalance.scenario import Scenario
from rebalance.solve import OPTIMALITY_TOLERANCE, solve

from helpers import make_problem, make_scenario

BALANCE_SLACK = 3 * OPTIMALITY_TOLERANCE  # stage tolerance + hold slack + load-grid rounding
TIE = 1e-9


def tiny_book(seed: int) -> tuple[Problem, dict[str, Any]]:
    """7 clients, 3 managers, one of them serving a second industry; some variety by seed."""
    rng = random.Random(seed)
    managers: list[dict[str, Any]] = [
        {"manager_id": "M1", "industry": "A"},
        {"manager_id": "M2", "industry": "A;B", "fte": rng.choice([1.0, 0.5])},
        {"manager_id": "M3", "industry": "B" if seed % 2 else "A"},
    ]
    if seed % 3 == 1:
        managers[0]["capacity"] = 3
    clients = []
    for i in range(7):
        industry = "B" if i >= 5 else "A"
        serving = [m["manager_id"] for m in managers if industry in m["industry"].split(";")]
        clients.append({
            "client_id": f"c{i}",
            "industry": industry,
            "revenue": round(rng.lognormvariate(3, 1), 1),
            "importance": rng.randint(1, 5),
            "manager": None if rng.random() < 0.15 else rng.choice(serving),
            "relationship": round(rng.random(), 2),
        })
    overrides: dict[str, Any] = {
        "balance": {"revenue": {"tolerance": 0.05, "weight": 10},
                    "importance": {"tolerance": 0.1, "weight": 5},
                    "clients": {"tolerance": 0.2, "weight": 1}},
        "solver": {"time_limit": 10, "workers": 1, "seed": seed},
    }
    if seed % 4 == 2:
        overrides["continuity"] = {"max_moves": 2}
    return make_problem(clients, managers), overrides


@dataclass(frozen=True)
class Priced:
    balance: float
    continuity: float


def all_plans(problem: Problem, scenario: Scenario) -> Iterator[tuple[dict[str, str], Verdict]]:
    """Every plan that keeps the hard rules, with its verdict."""
    rules = build_rules(problem, scenario)
    ids = [c.client_id for c in problem.clients]
    for choice in itertools.product(*(rules.eligible[cid] for cid in ids)):
        plan = dict(zip(ids, choice, strict=True))
        verdict = check(problem, scenario, plan, rules)
        if verdict.ok:
            yield plan, verdict


def priced(problem: Problem, scenario: Scenario) -> list[Priced]:
    plans = [Priced(v.balance_excess, v.continuity_cost) for _, v in all_plans(problem, scenario)]
    assert plans, "the tiny book must have at least one valid plan"
    return plans


SEEDS = range(6)


@pytest.mark.parametrize("seed", SEEDS)
def test_balance_then_continuity_matches_enumeration(seed: int) -> None:
    """Protects the default lexicographic optimum: best balance, then fewest costly moves."""
    problem, overrides = tiny_book(seed)
    scenario = make_scenario(**overrides)
    plans = priced(problem, scenario)
    best_balance = min(p.balance for p in plans)
    best_continuity = min(p.continuity for p in plans if p.balance <= best_balance + TIE)

    result = solve(problem, scenario)
    assert result.status == "OPTIMAL"
    assert result.balance_excess is not None and result.continuity_cost is not None
    assert result.balance_excess <= best_balance + BALANCE_SLACK
    assert result.continuity_cost <= best_continuity + TIE


@pytest.mark.parametrize("seed", SEEDS)
def test_continuity_then_balance_matches_enumeration(seed: int) -> None:
    """Protects priorities [continuity, balance]: fewest costly moves, then best balance."""
    problem, overrides = tiny_book(seed)
    scenario = make_scenario(**overrides, priorities=["continuity", "balance"])
    plans = priced(problem, scenario)
    best_continuity = min(p.continuity for p in plans)
    best_balance = min(p.balance for p in plans if p.continuity <= best_continuity + TIE)

    result = solve(problem, scenario)
    assert result.status == "OPTIMAL"
    assert result.continuity_cost is not None and result.balance_excess is not None
    assert result.continuity_cost <= best_continuity + OPTIMALITY_TOLERANCE + TIE
    assert result.balance_excess <= best_balance + BALANCE_SLACK
    assert [s.name for s in result.stages] == ["continuity", "balance"]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("weight", [0.05, 1.0])
def test_weighted_objective_matches_enumeration(seed: int, weight: float) -> None:
    """Protects priorities: null — one objective balance + continuity.weight × continuity."""
    problem, overrides = tiny_book(seed)
    continuity = {**overrides.get("continuity", {}), "weight": weight}
    scenario = make_scenario(**{**overrides, "continuity": continuity}, priorities=None)
    best = min(p.balance + weight * p.continuity for p in priced(problem, scenario))

    result = solve(problem, scenario)
    assert result.status == "OPTIMAL"
    assert [s.name for s in result.stages] == ["weighted"]
    assert result.verdict is not None
    value = result.verdict.weighted_objective(weight)
    assert value <= best + BALANCE_SLACK
    assert result.stages[0].objective == pytest.approx(value, rel=1e-3, abs=1e-4)


@pytest.mark.parametrize("seed", SEEDS)
def test_balance_only_matches_enumeration(seed: int) -> None:
    """Protects a single-objective priorities list: [balance] ignores continuity."""
    problem, overrides = tiny_book(seed)
    scenario = make_scenario(**overrides, priorities=["balance"])
    best = min(p.balance for p in priced(problem, scenario))
    result = solve(problem, scenario)
    assert result.balance_excess is not None
    assert result.balance_excess <= best + BALANCE_SLACK
    assert result.stages[0].objective == pytest.approx(result.balance_excess,
                                                       rel=1e-3, abs=1e-4)


def test_enumeration_finds_a_nontrivial_optimum() -> None:
    """Protects the test itself: the tiny books are not all trivially in band or move-free."""
    positive = 0
    for seed in SEEDS:
        problem, overrides = tiny_book(seed)
        plans = priced(problem, make_scenario(**overrides))
        best = min(p.balance for p in plans)
        positive += best > 0.01
        assert min(p.continuity for p in plans if p.balance <= best + TIE) >= 0
    assert positive >= 3
