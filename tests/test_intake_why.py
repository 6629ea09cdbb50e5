"""Why a candidate was left out (``intake.why``): every reason is checked against the exact
engine solving the book with every set of candidates that fits (constant shares, no product):
the best balance of the sets with the candidate against the best of all sets."""

from __future__ import annotations

import itertools
from dataclasses import replace

from rebalance.data import Problem
from rebalance.intake.candidates import Candidate, CandidateBook
from rebalance.intake.engine import run_intake
from rebalance.intake.table import intake_table
from rebalance.solve import solve

from helpers import make_client, make_problem, make_scenario

BOOK = make_problem(
    [{"client_id": "C1", "revenue": 500, "importance": 3, "manager": "M1"},
     {"client_id": "C2", "revenue": 300, "importance": 2, "manager": "M1"},
     {"client_id": "C3", "revenue": 100, "importance": 1, "manager": "M2"},
     {"client_id": "C4", "revenue": 120, "importance": 2, "manager": "M2"}],
    [{"manager_id": "M1", "capacity": 3}, {"manager_id": "M2", "capacity": 3}],
)
SPECS = [
    {"client_id": "N1", "revenue": 260, "importance": 2},
    {"client_id": "N2", "revenue": 90, "importance": 4},
    {"client_id": "N3", "revenue": 400, "importance": 1},
    {"client_id": "N4", "revenue": 40, "importance": 1},
    {"client_id": "N5", "revenue": 180, "importance": 3},
    {"client_id": "N6", "revenue": 2000, "importance": 5},  # bigger than any band
]
CANDIDATES = CandidateBook(
    tuple(Candidate(make_client({**s, "row": i + 2})) for i, s in enumerate(SPECS)),
    "candidates.csv", frozenset({"client_id", "industry", "revenue", "importance"}))


def _balance(problem: Problem, ids: tuple[str, ...]) -> float | None:
    """The exact engine's proven best balance with candidates ``ids`` in the book (None:
    no plan keeps the hard rules)."""
    taken = [c.client for c in CANDIDATES.candidates if c.client_id in ids]
    plain = make_scenario(priorities=["balance"], solver={"time_limit": 20, "workers": 1})
    result = solve(replace(problem, clients=(*problem.clients, *taken)), plain)
    if not result.has_plan:
        return None
    assert result.status == "OPTIMAL"
    return result.balance_excess


def _best(problem: Problem, sets: list[tuple[str, ...]]) -> float | None:
    values = [v for v in (_balance(problem, ids) for ids in sets) if v is not None]
    return min(values, default=None)


def test_every_reason_for_leaving_a_candidate_out_holds() -> None:
    """balance_cost: every set with the candidate is less balanced than the best set;
    cap_swap: some set with it is as balanced, and the cap is used; no_room / no_plan: no set
    with it has a plan. Both main kinds occur; the reasons render in both languages."""
    scenario = make_scenario(priorities=["balance", "intake", "continuity"],
                             intake={"score": {"revenue": 0.5, "importance": 0.5},
                                     "max_clients": 1},
                             solver={"time_limit": 20, "workers": 1})
    outcome = run_intake(BOOK, scenario, CANDIDATES)
    assert outcome.result.status == "OPTIMAL"
    ids = [c.client_id for c in CANDIDATES.candidates]
    # capacity 3 + 3 with 4 clients: at most two candidates fit
    sets = [s for k in range(3) for s in itertools.combinations(ids, k)]
    best = _best(BOOK, sets)
    assert best is not None
    seen = set()
    for cid, (key, _values) in outcome.left_out.items():
        seen.add(key)
        with_it = _best(BOOK, [s for s in sets if cid in s])
        if key == "intake.reason.balance_cost":
            assert with_it is not None and with_it > best + 1e-4, cid
        elif key == "intake.reason.cap_swap":
            assert with_it is not None and with_it <= best + 2e-3, cid
            assert len(outcome.taken) == 1
        elif key in ("intake.reason.no_room", "intake.reason.no_plan"):
            assert with_it is None, cid
        else:
            raise AssertionError(f"{cid}: {key}")
    assert {"intake.reason.balance_cost", "intake.reason.cap_swap"} <= seen, seen
    for lang in ("en", "zh"):
        reasons = intake_table(outcome, lang).iloc[:, -1].tolist()
        assert all(reasons) and not any("{" in r for r in reasons)


def test_reasons_repeat_exactly() -> None:
    """The counterfactual solves run on deterministic work, not wall time: two runs give the
    same reasons, byte for byte."""
    scenario = make_scenario(priorities=["balance", "intake", "continuity"],
                             intake={"score": {"revenue": 0.5, "importance": 0.5},
                                     "max_clients": 1},
                             solver={"time_limit": 20, "workers": 2})
    tables = [intake_table(run_intake(BOOK, scenario, CANDIDATES), "zh").to_csv()
              for _ in range(2)]
    assert tables[0] == tables[1]
