"""Reasons are checkable: every number they quote is recomputed here by the solver-free checker.

The baseline plan is solved once; each move's claim ("undoing it alone / the whole exchange
would …", "the cheaper client would leave the balance excess … higher", "keeps the oversize
client …") is re-done by re-assigning clients and running ``check`` on the changed plan.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from rebalance import pipeline
from rebalance.check import check
from rebalance.metrics import outside_band
from rebalance.pools import build_rules
from rebalance.report.counterfactual import exchanges, move_cost
from rebalance.report.labels import pct
from rebalance.report.reasons import Explanation, explain, move_reasons

from helpers import make_problem, make_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


@cache
def _baseline() -> tuple[pipeline.Plan, dict[str, Explanation]]:
    scenario, problem, rules = pipeline.load(BASELINE)
    plan = pipeline.run(scenario, problem, rules)
    return plan, explain(problem, scenario, rules, plan.client_to_manager, "en", plan.verdict)


def _recheck(plan: pipeline.Plan, changes: dict[str, str]):  # type: ignore[no-untyped-def]
    changed = {**plan.client_to_manager, **changes}
    return check(plan.problem, plan.scenario, changed, plan.rules)


def test_every_undo_claim_is_what_check_finds() -> None:
    """Undoing a move (or its exchange) on the final plan: the excess rise, the broken band's
    load, share and deviations quoted in the reason equal check()'s figures."""
    plan, explanations = _baseline()
    moves = [e for e in explanations.values() if e.kind == "move"]
    assert len(moves) == plan.verdict.num_moves > 0
    for e in moves:
        assert e.undo is not None and e.rule is None, e.text
        after = _recheck(plan, dict(e.undo.changes))
        assert after.balance_excess - plan.verdict.balance_excess == pytest.approx(
            e.undo.excess_delta, abs=1e-6), e.text
        worst = e.undo.worst
        # The plan is optimal in balance, then in continuity: undoing must cost balance.
        assert worst is not None and e.undo.excess_delta > 0, e.text
        key = (worst.manager_id, worst.metric)
        assert after.loads[key] == pytest.approx(worst.load_then)
        assert after.shares[key] == pytest.approx(worst.share)
        assert outside_band(after.devs[key], worst.tolerance)
        assert pct(after.devs[key], worst.tolerance) in e.text
        assert pct(plan.verdict.devs[key], worst.tolerance) in e.text
        assert f"{worst.load_then:,.0f}" in e.text
        assert f"{e.undo.excess_delta:.4f}" in e.text


def test_every_pick_claim_is_what_check_finds() -> None:
    """'Cheapest of n' and 'the cheaper ones would leave the excess higher' hold in check()."""
    plan, explanations = _baseline()
    problem, rules = plan.problem, plan.rules
    for e in explanations.values():
        if e.kind != "move" or e.pick is None:
            continue
        frm, to = e.from_manager or "", e.to_manager or ""
        candidates = [c.client_id for c in problem.clients
                      if c.manager == frm and plan.client_to_manager[c.client_id] == frm
                      and c.client_id not in rules.fixed and to in rules.eligible[c.client_id]]
        assert e.pick.num_candidates == len(candidates), e.text
        cheaper = [z for z in candidates
                   if move_cost(problem, z) < move_cost(problem, e.client_id) - 1e-9]
        assert list(e.pick.cheaper) == cheaper, e.text
        deltas = {z: _recheck(plan, {e.client_id: frm, z: to}).balance_excess
                  - plan.verdict.balance_excess for z in cheaper}
        if cheaper:
            assert e.pick.best_alternative is not None
            assert deltas[e.pick.best_alternative] == pytest.approx(e.pick.best_delta, abs=1e-6)
            assert min(deltas.values()) == pytest.approx(e.pick.best_delta, abs=1e-6)
            assert e.pick.best_delta > 0, e.text  # continuity-optimal: no cheaper equal swap
            assert f"{e.pick.best_delta:.4f}" in e.text


def test_over_share_moves_name_the_oversize_client() -> None:
    """A move into a manager above its revenue band names that deviation and the client whose
    revenue alone is above the band's upper edge (the issue's KM001 keeps 510997)."""
    plan, explanations = _baseline()
    noted = [e for e in explanations.values() if e.over_share is not None]
    assert noted
    tol = plan.scenario.balance.revenue.tolerance
    for e in noted:
        assert e.over_share is not None
        dev, big, metric = e.over_share
        to = e.to_manager or ""
        assert plan.verdict.devs[(to, "revenue")] == pytest.approx(dev)
        assert outside_band(dev, tol) and dev > 0
        assert big is not None and plan.client_to_manager[big] == to
        assert plan.problem.client(big).revenue > plan.verdict.shares[(to, "revenue")] * (1 + tol)
        assert big in e.text and pct(dev, tol) in e.text
        assert metric in ("importance", "clients")
    assert any(e.over_share[1] == "510997" for e in noted if e.over_share)


def test_mirror_moves_are_one_exchange() -> None:
    """The issue's mirror moves between KM007 and KM008 share one exchange id, and every
    exchange has clients going both ways (a swap) or round a loop (a chain)."""
    plan, explanations = _baseline()
    ids = {cid: e.exchange for cid, e in explanations.items() if e.exchange}
    between = {cid for cid, e in explanations.items() if e.kind == "move"
               and {e.from_manager, e.to_manager} == {"KM007", "KM008"}}
    assert between and len({ids.get(cid) for cid in between}) == 1 and None not in {
        ids.get(cid) for cid in between}
    for eid in set(ids.values()):
        edges = {(explanations[c].from_manager, explanations[c].to_manager)
                 for c, x in ids.items() if x == eid}
        givers = {a for a, _ in edges}
        takers = {b for _, b in edges}
        assert givers == takers, eid  # everyone who gives also takes
        members = [c for c, x in ids.items() if x == eid]
        text = explanations[members[0]].text
        assert "exchange " + eid in text
        if len(givers) == 2:  # a swap: both directions' counts and revenue are quoted
            for a, b in edges:
                flow = [c for c in members if (explanations[c].from_manager,
                                               explanations[c].to_manager) == (a, b)]
                revenue = sum(plan.problem.client(c).revenue for c in flow)
                assert f"{len(flow)}" in text and f"{revenue:,.0f}" in text, (eid, a, b)


def test_names_stand_beside_ids() -> None:
    """Reasons name managers as 'KM001 张伟', not by id alone."""
    plan, explanations = _baseline()
    for e in explanations.values():
        if e.kind:
            name = plan.problem.manager(e.to_manager or "").name
            assert f"{e.to_manager} {name}" in e.text


def test_exchange_detection_on_a_small_book() -> None:
    """Swaps (both ways between two managers) and 3-chains are grouped; a one-way chain is not."""
    problem = make_problem(
        clients=[{"client_id": f"C{i}", "manager": m} for i, m in
                 enumerate(["M1", "M2", "M3", "M4", "M5", "M6", "M1"])],
        managers=[{"manager_id": f"M{i}"} for i in range(1, 7)],
    )
    plan = {"C0": "M2", "C1": "M1",  # swap M1 <-> M2
            "C2": "M4", "C3": "M5", "C4": "M3",  # chain M3 -> M4 -> M5 -> M3
            "C5": "M1", "C6": "M3"}  # M6 -> M1 and M1 -> M3: one way, not grouped
    groups = exchanges(problem, plan)
    assert groups == {"C0": "E1", "C1": "E1", "C2": "E2", "C3": "E2", "C4": "E2"}


def test_rule_reasons_en_and_zh() -> None:
    """A forbidden pair, a scenario lock, a capacity and protection each name their rule."""
    problem = make_problem(
        clients=[{"client_id": "C1", "importance": 5, "manager": "KM1"},
                 {"client_id": "C2", "manager": "KM1"}, {"client_id": "C3", "manager": "KM1"},
                 {"client_id": "C4", "manager": "KM2"}],
        managers=[{"manager_id": "KM1", "capacity": 1}, {"manager_id": "KM2"},
                  {"manager_id": "KM3"}],
    )
    scenario = make_scenario(forbid=[{"client": "C2", "manager": "KM1"}],
                             locks=[{"client": "C4", "manager": "KM3"}],
                             continuity={"protect_importance": 5})
    rules = build_rules(problem, scenario)
    after = {"C1": "KM1", "C2": "KM2", "C3": "KM3", "C4": "KM3"}
    en = move_reasons(problem, scenario, rules, after)
    assert en["C1"] == "protected (importance ≥ 5)"
    assert en["C2"] == "KM1 → KM2: KM1 may not serve this client (forbidden pair)"
    assert en["C3"] == "KM1 → KM3: undoing it would give KM1 2 clients, over its capacity of 1"
    assert en["C4"] == "KM2 → KM3: locked to KM3 in the scenario"
    zh = move_reasons(problem, scenario, rules, after, "zh")
    assert zh["C2"] == "KM1 → KM2：KM1 不得服务该客户（禁止配对）"
    assert zh["C3"] == "KM1 → KM3：撤销后 KM1 将有 2 个客户，超过其容量 1"
    assert zh["C4"] == "KM2 → KM3：情景锁定至 KM3"


def test_handover_and_placement_say_why_this_manager() -> None:
    """A handover names the leaving manager and what the best other manager would cost; a
    placement with a single possible manager says so."""
    problem = make_problem(
        clients=[{"client_id": "C1", "revenue": 100, "manager": "KM1"},
                 {"client_id": "C2", "revenue": 100, "manager": "KM2"},
                 {"client_id": "C3", "revenue": 100, "manager": "KM3"},
                 {"client_id": "C4", "industry": "B", "revenue": 10}],
        managers=[{"manager_id": "KM1", "name": "甲", "status": "leaving"},
                  {"manager_id": "KM2", "name": "乙", "industry": "A;B"},
                  {"manager_id": "KM3", "name": "丙"}],
    )
    scenario = make_scenario()
    rules = build_rules(problem, scenario)
    after = {"C1": "KM3", "C2": "KM2", "C3": "KM2", "C4": "KM2"}
    result = explain(problem, scenario, rules, after)
    e = result["C1"]
    assert e.kind == "handover" and e.choice is not None and e.choice.best_alternative == "KM2"
    recheck = check(problem, scenario, {**after, "C1": "KM2"}, rules).balance_excess
    assert recheck - check(problem, scenario, after, rules).balance_excess == pytest.approx(
        e.choice.best_delta)
    assert e.text.startswith("KM1 甲 → KM3 丙: KM1 甲 is leaving; ")
    assert result["C4"].text == "new client → KM2 乙: KM2 乙 is the only manager who may take it"
    zh = explain(problem, scenario, rules, after, "zh")
    assert zh["C4"].text == "新客户 → KM2 乙：KM2 乙 是唯一可接收该客户的客户经理"


def test_reasons_reject_unknown_language() -> None:
    """A typo in the language is an error, not silently English."""
    problem = make_problem(clients=[{"client_id": "C1", "manager": "M1"}],
                           managers=[{"manager_id": "M1"}])
    scenario = make_scenario()
    with pytest.raises(ValueError, match="language"):
        move_reasons(problem, scenario, build_rules(problem, scenario), {"C1": "M1"}, "fr")


@pytest.mark.parametrize(("dev", "tol", "shown"), [
    (-0.10012, 0.10, "−10.01%"),  # outside: never "−10.0%" beside a ±10 % band
    (0.100004, 0.10, "+10.0004%"),
    (-0.1, 0.10, "−10.0%"),  # exactly on the edge is inside
    (0.3566, 0.10, "+35.7%"),
    (0.0, 0.10, "0.0%"),
    (None, 0.10, "—"),
])
def test_percentages_never_contradict_the_band(dev: float | None, tol: float, shown: str) -> None:
    """A deviation outside its band is shown with enough decimals to read as outside."""
    assert pct(dev, tol) == shown
