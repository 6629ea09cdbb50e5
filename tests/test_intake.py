"""Intake: choosing candidates and placing them in one model (rebalance.intake).

Tiny books where every subset of candidates is solved by the ordinary engine prove the
intake optimal; every plan ends with ``check``'s verdict; the staffing answer is minimal."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rebalance.check import check
from rebalance.cli import app
from rebalance.data import Problem
from rebalance.intake.candidates import Candidate, CandidateBook, scores
from rebalance.intake.engine import run_intake
from rebalance.intake.staffing import staffing
from rebalance.pools import build_rules, change_kind
from rebalance.solve import solve

from helpers import make_client, make_problem, make_scenario

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _book(specs: list[dict]) -> CandidateBook:
    cands = tuple(Candidate(make_client({**s, "row": i + 2})) for i, s in enumerate(specs))
    return CandidateBook(cands, "candidates.csv", frozenset({"client_id", "industry",
                                                            "revenue", "importance"}))


BASE = make_problem(
    [{"client_id": "C1", "revenue": 500, "importance": 3, "manager": "M1"},
     {"client_id": "C2", "revenue": 300, "importance": 2, "manager": "M1"},
     {"client_id": "C3", "revenue": 100, "importance": 1, "manager": "M2"},
     {"client_id": "C4", "revenue": 120, "importance": 2, "manager": "M2"}],
    [{"manager_id": "M1"}, {"manager_id": "M2"}],
)
CANDIDATES = _book([
    {"client_id": "N1", "revenue": 260, "importance": 2},
    {"client_id": "N2", "revenue": 90, "importance": 4},
    {"client_id": "N3", "revenue": 400, "importance": 1},
    {"client_id": "N4", "revenue": 40, "importance": 1},
])


def _scenario(**intake: object):
    return make_scenario(priorities=["balance", "intake", "continuity"],
                         intake={"score": {"revenue": 0.5, "importance": 0.5}, **intake},
                         solver={"time_limit": 20, "workers": 1})


def _with(problem: Problem, book: CandidateBook, ids: tuple[str, ...]) -> Problem:
    taken = [c.client for c in book.candidates if c.client_id in ids]
    return replace(problem, clients=(*problem.clients, *taken))


def test_intake_is_the_best_subset_by_enumeration() -> None:
    """Solving every subset of at most max_clients candidates with the ordinary engine gives
    the best balance; the intake engine reaches it and, among those subsets, the top score."""
    scenario = _scenario(max_clients=2)
    outcome = run_intake(BASE, scenario, CANDIDATES)
    assert outcome.result.status == "OPTIMAL"
    score = scores(CANDIDATES, scenario)
    results = {}
    ids = [c.client_id for c in CANDIDATES.candidates]
    for k in range(3):
        for subset in itertools.combinations(ids, k):
            problem = _with(BASE, CANDIDATES, subset)
            plain = make_scenario(solver={"time_limit": 20, "workers": 1})
            res = solve(problem, plain)
            results[subset] = (res.balance_excess, sum(score[c] for c in subset))
    best = min(b for b, _ in results.values())
    top = max(s for b, s in results.values() if b <= best + 1e-3)
    assert outcome.result.balance_excess == pytest.approx(best, abs=2e-3)
    assert outcome.total_score == pytest.approx(top, abs=1e-6)


def test_every_plan_keeps_the_hard_rules_and_places_new_clients() -> None:
    """check() on the final book finds no broken rule; taken candidates are placements."""
    scenario = _scenario(max_clients=3)
    outcome = run_intake(BASE, scenario, CANDIDATES)
    plan = outcome.result.client_to_manager
    verdict = check(outcome.problem, scenario, plan, build_rules(outcome.problem, scenario))
    assert verdict.ok
    assert outcome.taken
    for cid in outcome.taken:
        assert change_kind(outcome.problem, cid, plan[cid]) == "placement"


def test_required_candidates_are_taken_and_excluded_ones_never() -> None:
    """required ends in the plan whatever its score; excluded never does."""
    scenario = _scenario(max_clients=2, required=["N4"], excluded=["N3"])
    outcome = run_intake(BASE, scenario, CANDIDATES)
    assert "N4" in outcome.taken and "N3" not in outcome.taken
    assert outcome.screened["N3"][0] == "intake.reason.excluded"


def test_staffing_answer_is_minimal() -> None:
    """Two managers of capacity 1 and two required candidates: hires are needed. Two hires
    put everyone inside the client-count band (one client each); the run with one hire fewer
    is worse (a manager holds two of four clients), and with none there is no plan."""
    problem = make_problem(
        [{"client_id": "C1", "revenue": 100, "manager": "M1"},
         {"client_id": "C2", "revenue": 100, "manager": "M2"}],
        [{"manager_id": "M1", "capacity": 1}, {"manager_id": "M2", "capacity": 1}],
    )
    book = _book([{"client_id": "N1", "revenue": 100}, {"client_id": "N2", "revenue": 100}])
    scenario = _scenario(required=["N1", "N2"], max_hires_per_group=3, hire_capacity=2)
    answer = staffing(problem, scenario, book)
    assert answer.proven and answer.hires == 2
    chosen = next(r for r in answer.rows if r.note == "chosen")
    fewer = answer.closest_fewer()
    assert fewer is not None
    assert fewer.note == "fewer" and fewer.hires == 1
    assert fewer.balance_excess is not None and chosen.balance_excess is not None
    assert fewer.balance_excess > chosen.balance_excess + 1e-3
    # beside it: exactly one more hire in the group (3 slots per group: room for one more)
    (group,) = chosen.per_group
    extra = [r for r in answer.rows if r.note == "extra"]
    assert [r.per_group for r in extra] == [{group: 3}] and extra[0].hires == 3
    none = run_intake(problem, scenario, book, slots=(), names=("balance", "intake"))
    assert none.result.status == "INFEASIBLE"
    outcome = answer.outcome
    assert check(outcome.problem, scenario, outcome.result.client_to_manager).ok


def _scenario_file(tmp_path: Path, csv_text: str, extra: str = "") -> Path:
    (tmp_path / "cands.csv").write_text(csv_text, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'intake.yaml'}\nname: t\n"
                    f"data:\n  candidates: cands.csv\n{extra}", encoding="utf-8")
    return path


def test_candidate_that_is_already_a_client_is_named_exit_2(tmp_path: Path) -> None:
    """A candidate id that is already a client: exit 2, the row and the client named."""
    path = _scenario_file(tmp_path, "客户编码,行业,年收入,欠费率,增长率,在网年限,潜在收入\n"
                                    "011045,政府,100000,1%,5%,3,200000\n")
    result = runner.invoke(app, ["solve", str(path), "--out", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 2, result.output
    assert "011045 is already a client" in result.output
    assert not (tmp_path / "o").exists()


def test_score_over_a_missing_field_is_named_exit_2(tmp_path: Path) -> None:
    """The score weighs growth but the file has no such column: exit 2, named."""
    path = _scenario_file(tmp_path, "客户编码,行业,年收入\n900001,政府,100000\n",
                          "intake:\n  score: {revenue: 1, growth: 1}\n")
    result = runner.invoke(app, ["solve", str(path), "-q", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "the score weighs growth" in result.output


def test_impossible_required_set_exits_2_with_numbers(tmp_path: Path) -> None:
    """Three required candidates but max_clients 2: exit 2 with both numbers."""
    rows = "".join(f"90000{i},政府,200000,1%,5%,3,300000\n" for i in range(3))
    path = _scenario_file(tmp_path, "客户编码,行业,年收入,欠费率,增长率,在网年限,潜在收入\n"
                          + rows, "intake:\n  max_clients: 2\n  required: "
                          "['900000', '900001', '900002']\n")
    result = runner.invoke(app, ["solve", str(path), "-q", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "3 candidates are required but max_clients is 2" in result.output


def test_solve_writes_intake_csv_in_chinese_with_placements(tmp_path: Path) -> None:
    """`solve scenarios/intake.yaml --lang zh` (quality first, so that a short run takes
    some): intake.csv lists all 60 candidates with Chinese headers and a reason each; the
    taken ones are the placements of the plan."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(ROOT / "scenarios" / "intake.yaml"), "--out",
                                 str(out), "--lang", "zh", "--time-limit", "8", "-q",
                                 "--set", "priorities=[intake, balance, continuity]"])
    assert result.exit_code == 0, result.output
    import pandas as pd

    intake = pd.read_csv(out / "intake.csv", dtype=str, encoding="utf-8-sig")
    assert list(intake.columns)[:3] == ["客户编码", "客户名称", "行业"]
    assert len(intake) == 60 and intake["原因"].notna().all()
    taken = set(intake.loc[intake["是否纳入"] == "是", "客户编码"])
    assert 0 < len(taken) <= 20
    assert any("欠费率" in r for r in intake["原因"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["placements"] == len(taken) == summary["intake"]["taken"]
    # `check` judges the written plan on the same book solve judged: the candidates it took
    # in are clients of it, the others are not expected in the plan
    checked = runner.invoke(app, ["check", str(ROOT / "scenarios" / "intake.yaml"), "-a",
                                  str(out / "assignment.csv"), "--lang", "en",
                                  "--set", "priorities=[intake, balance, continuity]"])
    assert checked.exit_code == 0, checked.output
    assert f"hold for {173 + len(taken)} clients" in checked.output
    assert f"balance excess {summary['balance_excess']:.4f}" in checked.output
    # and `report` rebuilds the report of that plan from the folder, byte for byte
    html = (out / "report.html").read_bytes()
    rebuilt = runner.invoke(app, ["report", str(out), "--lang", "zh"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert (out / "report.html").read_bytes() == html


def test_filters_leave_out_candidates_with_the_numbers_in_the_reason() -> None:
    """A candidate above the arrears limit or below the revenue minimum is never taken, and
    intake.csv says why with both numbers."""
    from rebalance.intake.table import intake_table

    book = CandidateBook((
        Candidate(make_client({"client_id": "N1", "revenue": 200, "row": 2}), arrears_rate=0.09),
        Candidate(make_client({"client_id": "N2", "revenue": 50, "row": 3}), arrears_rate=0.01),
        Candidate(make_client({"client_id": "N3", "revenue": 150, "row": 4}), arrears_rate=0.0),
    ), "candidates.csv", frozenset({"client_id", "industry", "revenue", "arrears_rate"}))
    scenario = _scenario(min_revenue=100, max_arrears_rate=0.05)
    outcome = run_intake(BASE, scenario, book)
    assert set(outcome.taken) <= {"N3"}
    reasons = dict(zip(intake_table(outcome)["client_id"], intake_table(outcome)["reason"],
                       strict=True))
    assert "arrears 9.0% above the 5.0% limit" in reasons["N1"]
    assert "revenue 50 below the 100 minimum" in reasons["N2"]


def test_intake_in_priorities_is_ignored_by_a_book_without_candidates() -> None:
    """priorities may name intake; the ordinary engine (no candidates) skips that stage."""
    scenario = make_scenario(priorities=["intake", "balance", "continuity"],
                             solver={"time_limit": 10, "workers": 1})
    result = solve(BASE, scenario)
    assert result.status == "OPTIMAL"
    assert [s.name for s in result.stages] == ["balance", "continuity"]
