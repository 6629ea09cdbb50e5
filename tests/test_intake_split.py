"""A ``max_clients`` that binds across pools (``intake.split``): each pool solved for every
count it could take, the counts chosen by a knapsack. The oracle is the exact engine over
every set of candidates that keeps the cap: the best balance, then the best score among the
sets that reach it."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from rebalance.intake.candidates import Candidate, CandidateBook, scores
from rebalance.intake.engine import run_intake
from rebalance.intake.split import knapsack
from rebalance.intake.stages import IntakeRun
from rebalance.solve import solve

from helpers import make_client, make_problem, make_scenario

# Two pools (industries A and B), each unbalanced in a way its candidates can mend: together
# they would take more than the cap of 2 allows.
BOOK = make_problem(
    [{"client_id": "A1", "industry": "A", "revenue": 500, "importance": 3, "manager": "MA1"},
     {"client_id": "A2", "industry": "A", "revenue": 120, "importance": 2, "manager": "MA2"},
     {"client_id": "A3", "industry": "A", "revenue": 100, "importance": 2, "manager": "MA2"},
     {"client_id": "B1", "industry": "B", "revenue": 400, "importance": 3, "manager": "MB1"},
     {"client_id": "B2", "industry": "B", "revenue": 90, "importance": 1, "manager": "MB2"},
     {"client_id": "B3", "industry": "B", "revenue": 80, "importance": 2, "manager": "MB2"}],
    [{"manager_id": "MA1", "industry": "A"}, {"manager_id": "MA2", "industry": "A"},
     {"manager_id": "MB1", "industry": "B"}, {"manager_id": "MB2", "industry": "B"}],
)
SPECS = [
    {"client_id": "NA1", "industry": "A", "revenue": 150, "importance": 2},
    {"client_id": "NA2", "industry": "A", "revenue": 110, "importance": 3},
    {"client_id": "NA3", "industry": "A", "revenue": 60, "importance": 1},
    {"client_id": "NB1", "industry": "B", "revenue": 200, "importance": 2},
    {"client_id": "NB2", "industry": "B", "revenue": 70, "importance": 4},
    {"client_id": "NB3", "industry": "B", "revenue": 140, "importance": 1},
]
CANDIDATES = CandidateBook(
    tuple(Candidate(make_client({**s, "row": i + 2})) for i, s in enumerate(SPECS)),
    "candidates.csv", frozenset({"client_id", "industry", "revenue", "importance"}))


def test_a_binding_cap_is_split_over_the_pools_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    """The split path runs (the pools' own optima take more than the cap), both stages are
    proven, and they equal the enumeration of every set of at most two candidates."""
    calls = []
    original = IntakeRun._split

    def spy(self: IntakeRun, lead: str, reach: dict[int, int]) -> object:
        calls.append(reach)
        return original(self, lead, reach)

    monkeypatch.setattr(IntakeRun, "_split", spy)
    scenario = make_scenario(priorities=["balance", "intake", "continuity"],
                             intake={"score": {"revenue": 0.5, "importance": 0.5},
                                     "max_clients": 2},
                             solver={"time_limit": 30, "workers": 1})
    outcome = run_intake(BOOK, scenario, CANDIDATES, explain=False)
    assert calls and sum(calls[0].values()) > 2
    assert [s.status for s in outcome.stages] == ["OPTIMAL"] * 3
    score = scores(CANDIDATES, scenario)
    plain = make_scenario(priorities=["balance"], solver={"time_limit": 20, "workers": 1})
    results = {}
    ids = [c.client_id for c in CANDIDATES.candidates]
    for k in range(3):
        for subset in itertools.combinations(ids, k):
            taken = [c.client for c in CANDIDATES.candidates if c.client_id in subset]
            res = solve(replace(BOOK, clients=(*BOOK.clients, *taken)), plain)
            results[subset] = (res.balance_excess, sum(score[c] for c in subset))
    best = min(b for b, _ in results.values())
    top = max(s for b, s in results.values() if b <= best + 1e-3)
    assert outcome.result.balance_excess == pytest.approx(best, abs=2e-3)
    assert outcome.total_score == pytest.approx(top, abs=1e-6)
    assert len(outcome.taken) <= 2


def test_knapsack_is_the_best_choice_by_brute_force() -> None:
    """Seeded random curves: the programme's choice costs what the best of every combination
    costs (lexicographic costs, Σ k within the cap)."""
    rng = random.Random("intake-knapsack")
    for _ in range(200):
        curves = [[(k, (rng.randint(0, 9), -rng.randint(0, 9))) for k in range(rng.randint(1, 4))]
                  for _ in range(rng.randint(1, 4))]
        cap = rng.randint(0, 6)
        found = knapsack(curves, cap)
        best = None
        for choice in itertools.product(*(range(len(c)) for c in curves)):
            if sum(curves[i][n][0] for i, n in enumerate(choice)) > cap:
                continue
            cost = tuple(map(sum, zip(*(curves[i][n][1] for i, n in enumerate(choice)),
                                      strict=True)))
            best = cost if best is None or cost < best else best
        if best is None:
            assert found is None
        else:
            assert found is not None and found[0] == best
