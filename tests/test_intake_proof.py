"""The intake's proofs on the bundled book, at its real magnitudes, against the exact engine.

The intake model lets a pool's totals grow with the candidates it takes, so its balance terms
are products (``IntakeModel._pool_metric``). At the exact engine's 1/100,000 units those
constraints reached 10¹⁰ per client and CP-SAT 9.15's presolve proved 2.15 "optimal" on the
bundled 交通/物流 pool (revenue only) where taking the right candidates gives 0.119. Tiny books
(tests/test_intake.py) cannot show that: it needs the real figures. The oracle here is the
ordinary exact engine, solving the pool with a *fixed* set of candidates (constant shares, no
product): the intake's proven optimum must equal the oracle's on the set it took, and no other
set may beat it."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from rebalance.data import Problem
from rebalance.intake import load_candidates
from rebalance.intake.candidates import CandidateBook
from rebalance.intake.engine import run_intake, screen
from rebalance.pipeline import load
from rebalance.pools import build_rules
from rebalance.scenario import Scenario
from rebalance.solve import solve

ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 2e-3  # the model rounds revenue to 1/100,000 of a share; check() does not


def _pool_book(pool_index: int | tuple[int, ...], weights: dict[str, float]
               ) -> tuple[Problem, CandidateBook, Scenario]:
    """Pools of the bundled intake scenario: their managers, clients and candidates (those
    the filters let through), balanced on ``weights`` only, no cap on takes."""
    scenario, problem, _ = load(ROOT / "scenarios" / "intake.yaml", [])
    book = load_candidates(scenario, problem)
    indices = (pool_index,) if isinstance(pool_index, int) else pool_index
    pools = [build_rules(problem, scenario).pools[i] for i in indices]
    members = {c for pool in pools for c in pool.client_ids}
    managers = {m for pool in pools for m in pool.manager_ids}
    industries = {problem.client(c).industry for c in members}
    sub = Problem(clients=tuple(c for c in problem.clients if c.client_id in members),
                  managers=tuple(m for m in problem.managers if m.manager_id in managers),
                  clients_source=problem.clients_source,
                  managers_source=problem.managers_source)
    screened = screen(book, scenario)
    open_ = tuple(c for c in book.candidates
                  if c.client.industry in industries and c.client_id not in screened)
    balance = scenario.balance.model_copy(update={
        k: getattr(scenario.balance, k).model_copy(update={"weight": weights.get(k, 0.0)})
        for k in ("revenue", "importance", "clients")})
    scenario = scenario.model_copy(update={
        "balance": balance, "priorities": ("balance", "intake"),
        "intake": scenario.intake.model_copy(update={"max_clients": None})})
    return sub, replace(book, candidates=open_), scenario


def _oracle(problem: Problem, book: CandidateBook, scenario: Scenario,
            ids: frozenset[str]) -> float:
    """The exact engine's proven balance optimum of the pool with candidates ``ids`` in it."""
    taken = tuple(c.client for c in book.candidates if c.client_id in ids)
    plain = scenario.model_copy(update={
        "priorities": ("balance",), "data": scenario.data.model_copy(update={"candidates": None})})
    result = solve(replace(problem, clients=(*problem.clients, *taken)), plain)
    assert result.status == "OPTIMAL"
    return result.balance_excess


@pytest.mark.parametrize(("pool_index", "weights"), [
    (1, {"revenue": 10.0}),  # where CP-SAT's presolve went wrong at the old magnitudes
    (1, {"revenue": 10.0, "importance": 5.0, "clients": 1.0}),
])
def test_proven_intake_balance_is_the_best_set_of_candidates(
        pool_index: int, weights: dict[str, float]) -> None:
    """The intake's proven balance equals the exact engine's on the candidates it took, and
    seeded other sets (of every size that fits) do no better."""
    problem, book, scenario = _pool_book(pool_index, weights)
    outcome = run_intake(problem, scenario, book, explain=False)
    assert outcome.stages[0].name == "balance" and outcome.stages[0].status == "OPTIMAL"
    found = outcome.result.balance_excess
    taken = frozenset(outcome.taken)
    assert _oracle(problem, book, scenario, taken) == pytest.approx(found, abs=TOLERANCE)
    ids = [c.client_id for c in book.candidates]
    rng = random.Random(f"intake-proof-{pool_index}")
    # at most 10 fit (capacity 12 × 4 managers, 38 clients)
    others = {frozenset(rng.sample(ids, k)) for k in (0, 2, 4, 6, 8, 10)} - {taken}
    for other in sorted(others, key=sorted):
        assert _oracle(problem, book, scenario, other) >= found - TOLERANCE, sorted(other)


def test_weighted_intake_with_a_cap_that_does_not_bind_is_solved_pool_by_pool() -> None:
    """priorities: null (one weighted stage, then intake) on two pools: a max_clients above
    what the pools take gives the same proven stages as no cap at all."""
    problem, book, scenario = _pool_book((0, 3), {"revenue": 10.0, "importance": 5.0,
                                                  "clients": 1.0})
    weighted = scenario.model_copy(update={"priorities": None})
    free = run_intake(problem, weighted, book, explain=False)
    capped = run_intake(problem, weighted.model_copy(update={
        "intake": weighted.intake.model_copy(update={"max_clients": len(free.taken) + 1})}),
        book, explain=False)
    assert [s.name for s in free.stages] == ["weighted", "intake"]
    for a, b in zip(free.stages, capped.stages, strict=True):
        assert b.status == "OPTIMAL" and a.status == "OPTIMAL"
        assert b.objective == pytest.approx(a.objective, abs=1e-3)
