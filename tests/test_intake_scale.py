"""Big books with candidates (rebalance.intake.scale): choose by score, then balance around the
chosen candidates with the scale engine.

The bundled intake scenario (173 clients + 60 candidates) is sent down the big-book path by
lowering the size threshold, so the path runs on real data in test time; the benchmark
(benchmarks/intake.py) runs it on 1,730 × 180 with 600 candidates.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import rebalance.solve
from rebalance.check import check
from rebalance.data import Problem
from rebalance.intake import load_candidates, run_scenario
from rebalance.intake.candidates import scores
from rebalance.intake.engine import IntakeOutcome, screen
from rebalance.intake.scale import score_bound
from rebalance.pipeline import load
from rebalance.pools import build_rules
from rebalance.scenario import Scenario

from helpers import make_problem, make_scenario

ROOT = Path(__file__).resolve().parents[1]
INTAKE = ROOT / "scenarios" / "intake.yaml"


def test_score_bound_counts_required_then_the_best_within_the_cap() -> None:
    """Required candidates count whatever their score; the rest are the best positive
    scores, as many as max_clients leaves room for (none without room)."""
    quality = {"A": 50.0, "B": 40.0, "C": 30.0, "D": -5.0, "E": 10.0}
    ids = tuple(quality)
    assert score_bound(ids, quality, frozenset(), None) == 130.0
    assert score_bound(ids, quality, frozenset(), 2) == 90.0
    assert score_bound(ids, quality, frozenset({"D"}), 2) == 45.0
    assert score_bound(ids, quality, frozenset({"D", "E"}), 2) == 5.0


@pytest.fixture(scope="module")
def big_path() -> tuple[Scenario, Problem, IntakeOutcome]:
    """The bundled intake scenario solved by the big-book path (threshold lowered)."""
    scenario, problem, _ = load(INTAKE, ["solver.time_limit=20", "solver.workers=2"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rebalance.solve, "LARGE_POOL_PAIRS", 50)
        outcome = run_scenario(problem, scenario)
    return scenario, problem, outcome


def test_big_path_reports_the_stages_as_run_with_honest_bounds(
        big_path: tuple[Scenario, Problem, IntakeOutcome]) -> None:
    """Stages run intake, balance, continuity; the intake bound is the best score any choice
    of at most max_clients screened-in candidates can reach (recomputed here), and the stage
    is OPTIMAL only when the choice reaches it; the result is OPTIMAL only if every stage is."""
    scenario, problem, outcome = big_path
    assert [s.name for s in outcome.stages] == ["intake", "balance", "continuity"]
    book = load_candidates(scenario, problem)
    quality = scores(book, scenario)
    open_ = [c.client_id for c in book.candidates if c.client_id not in screen(book, scenario)]
    best = round(sum(sorted((quality[c] for c in open_ if quality[c] > 0),
                            reverse=True)[:scenario.intake.max_clients]), 2)
    intake = outcome.stages[0]
    assert intake.best_bound == pytest.approx(best)
    assert intake.objective == pytest.approx(outcome.total_score)
    assert (intake.status == "OPTIMAL") == (best - outcome.total_score <= 1e-3)
    for stage in outcome.stages[1:]:
        assert stage.best_bound is not None and stage.objective is not None
        assert stage.best_bound <= stage.objective + 1e-6
    assert (outcome.result.status == "OPTIMAL") == all(s.status == "OPTIMAL"
                                                       for s in outcome.stages)


def test_big_path_plan_keeps_every_hard_rule(
        big_path: tuple[Scenario, Problem, IntakeOutcome]) -> None:
    """The final book (existing clients + the candidates taken) is judged by check: every
    hard rule holds, at most max_clients are taken, none the filters left out, and the
    figures reported are check's."""
    scenario, problem, outcome = big_path
    assert outcome.result.has_plan
    plan = outcome.result.client_to_manager
    verdict = check(outcome.problem, scenario, plan, build_rules(outcome.problem, scenario))
    assert verdict.ok
    assert 0 < len(outcome.taken) <= (scenario.intake.max_clients or 0)
    assert not set(outcome.taken) & set(outcome.screened)
    assert outcome.result.balance_excess == pytest.approx(verdict.balance_excess)
    assert outcome.result.continuity_cost == pytest.approx(verdict.continuity_cost)
    assert {c.client_id for c in outcome.problem.clients} == {
        *(c.client_id for c in problem.clients), *outcome.taken}


def test_kept_start_is_the_greedy_plan_judged_by_check() -> None:
    """When the scale engine finds nothing in time, the greedy plan the choice was made with
    is kept if it keeps every hard rule — with check's figures and the bound every plan meets
    (0) — and refused (None) when it breaks one (here a capacity)."""
    from rebalance.intake.scale import kept_start

    book = make_problem(
        [{"client_id": "C1", "revenue": 500, "manager": "M1"},
         {"client_id": "C2", "revenue": 100, "manager": "M2"},
         {"client_id": "N1", "revenue": 300}],
        [{"manager_id": "M1", "capacity": 1}, {"manager_id": "M2"}])
    scenario = make_scenario()
    rules = build_rules(book, scenario)
    good = {"C1": "M1", "C2": "M2", "N1": "M2"}
    kept = kept_start(book, scenario, rules, good, 1.0)
    assert kept is not None
    plan, stages = kept
    verdict = check(book, scenario, plan, rules)
    assert plan == good and [s.name for s in stages] == ["balance", "continuity"]
    assert stages[0].objective == pytest.approx(verdict.balance_excess)
    assert all(s.best_bound == 0.0 for s in stages)
    assert (stages[0].status == "OPTIMAL") == (verdict.balance_excess <= 1e-3)
    assert kept_start(book, scenario, rules, {**good, "N1": "M1"}, 1.0) is None


def test_the_intake_models_score_bound_is_tightened_by_the_best_any_choice_can_score() -> None:
    """An intake stage the model left open is proven when its score reaches the best any
    choice of max_clients candidates can score; otherwise its bound is the better of the two,
    and a stage already proven is left alone."""
    from rebalance.intake.model import IntakeBook
    from rebalance.intake.scale import tightened
    from rebalance.result import StageResult

    problem = make_problem([{"client_id": "C1", "manager": "M1"}], [{"manager_id": "M1"}])
    scenario = make_scenario(intake={"max_clients": 2})
    ibook = IntakeBook(problem=problem, rules=build_rules(problem, scenario),
                       candidate_ids=("A", "B", "C"), scores={"A": 50.0, "B": 40.0, "C": 30.0},
                       required=frozenset(), slot_ids=())
    reached = tightened(StageResult("intake", "FEASIBLE", 90.0, 120.0, 0.33, 1.0), ibook,
                        scenario)
    assert (reached.status, reached.best_bound, reached.gap) == ("OPTIMAL", 90.0, 0.0)
    short = tightened(StageResult("intake", "FEASIBLE", 80.0, 120.0, 0.5, 1.0), ibook,
                      scenario)
    assert (short.status, short.best_bound) == ("FEASIBLE", 90.0)
    assert short.gap == pytest.approx(10 / 80)
    done = StageResult("intake", "OPTIMAL", 70.0, 70.0, 0.0, 1.0)
    assert tightened(done, ibook, scenario) is done
