"""The solver-free checker: every rule it reports and the two contract figures it computes."""

from __future__ import annotations

import pytest

from rebalance.check import RULES, check, evaluate

from helpers import make_problem, make_scenario

# Two managers sharing industry A, three clients; fair shares are 300 revenue, 3 importance and
# 1.5 clients per manager.
CLIENTS = [
    {"client_id": "c1", "revenue": 300, "importance": 3, "manager": "M1", "relationship": 0.5},
    {"client_id": "c2", "revenue": 100, "importance": 1, "manager": "M1", "relationship": 0.2},
    {"client_id": "c3", "revenue": 200, "importance": 2, "manager": "M2", "relationship": 1.0},
]
MANAGERS = [{"manager_id": "M1"}, {"manager_id": "M2"}]


def small_book():
    return make_problem(CLIENTS, MANAGERS)


def test_balance_excess_matches_a_hand_computation():
    """Protects the contract formula Σ weight × max(0, |load − share|/share − tolerance)."""
    problem, scenario = small_book(), make_scenario()
    verdict = check(problem, scenario, {"c1": "M1", "c2": "M1", "c3": "M2"})
    # Both managers are a third off their share in every metric.
    expected = 2 * (10 * (1 / 3 - 0.10) + 5 * (1 / 3 - 0.15) + 1 * (1 / 3 - 0.25))
    assert verdict.ok
    assert verdict.balance_excess == pytest.approx(expected, rel=1e-12)
    assert verdict.devs[("M1", "revenue")] == pytest.approx(1 / 3)
    assert verdict.devs[("M2", "importance")] == pytest.approx(-1 / 3)
    assert verdict.shares[("M1", "clients")] == pytest.approx(1.5)
    assert verdict.loads[("M1", "revenue")] == pytest.approx(400)
    assert sum(verdict.excess_terms.values()) == pytest.approx(verdict.balance_excess)
    assert set(verdict.outside_band) == {(m, k) for m in ("M1", "M2")
                                         for k in ("revenue", "importance", "clients")}
    assert verdict.continuity_cost == 0 and verdict.num_moves == 0


def test_continuity_cost_counts_moved_clients_only():
    """Protects continuity cost = Σ importance × (0.5 + relationship) over moved clients."""
    problem, scenario = small_book(), make_scenario()
    verdict = check(problem, scenario, {"c1": "M1", "c2": "M2", "c3": "M2"})
    assert verdict.moved == ("c2",)
    assert verdict.continuity_cost == pytest.approx(1 * (0.5 + 0.2))
    assert verdict.moves_lost_per_manager == {"M1": 1, "M2": 0}
    # Revenue and importance are now exactly fair; only the client counts are off.
    assert verdict.balance_excess == pytest.approx(2 * (1 / 3 - 0.25))
    assert verdict.outside_band == (("M1", "clients"), ("M2", "clients"))
    assert evaluate(problem, scenario, {"c1": "M1", "c2": "M2", "c3": "M2"}) == (
        pytest.approx(verdict.balance_excess), pytest.approx(0.7))


def test_new_clients_and_clients_of_leaving_managers_move_for_free():
    """Protects the definition of a move: only away from a previous manager who stays."""
    problem = make_problem(
        [{"client_id": "n", "manager": None}, {"client_id": "l", "manager": "L"},
         {"client_id": "s", "manager": "M1", "importance": 5, "relationship": 1.0}],
        [{"manager_id": "M1"}, {"manager_id": "M2"}, {"manager_id": "L", "status": "leaving"}],
    )
    verdict = check(problem, make_scenario(), {"n": "M1", "l": "M2", "s": "M2"})
    assert verdict.moved == ("s",)
    assert verdict.continuity_cost == pytest.approx(5 * 1.5)
    assert "L" not in verdict.moves_lost_per_manager


def test_zero_share_gives_zero_deviation_and_no_excess():
    """Protects the rule that a term with share 0 is 0 (e.g. all revenue 0 in a pool)."""
    problem = make_problem([{"client_id": "a", "revenue": 0, "manager": "M1"}], MANAGERS)
    verdict = check(problem, make_scenario(), {"a": "M1"})
    assert verdict.devs[("M1", "revenue")] == 0.0
    assert verdict.excess_terms[("M2", "revenue")] == 0.0


def test_weight_zero_metric_adds_nothing_but_is_still_outside_its_band():
    """Protects that a zero weight switches a metric's penalty off, not its band report."""
    scenario = make_scenario(balance={"revenue": {"tolerance": 0.1, "weight": 0},
                                      "importance": {"tolerance": 5, "weight": 5},
                                      "clients": {"tolerance": 5, "weight": 1}})
    verdict = check(small_book(), scenario, {"c1": "M1", "c2": "M1", "c3": "M2"})
    assert verdict.balance_excess == 0.0
    assert ("M1", "revenue") in verdict.outside_band


@pytest.mark.parametrize(
    ("rule", "problem_spec", "scenario_overrides", "plan", "named"),
    [
        ("unassigned", None, {}, {"c1": "M1", "c2": "M1"}, ("c3", None)),
        ("unknown_client", None, {}, {"c1": "M1", "c2": "M1", "c3": "M2", "zz": "M1"},
         ("zz", None)),
        ("unknown_manager", None, {}, {"c1": "M1", "c2": "M9", "c3": "M2"}, ("c2", "M9")),
        ("leaving_manager", "leaving", {}, {"c1": "M1", "c2": "L", "c3": "M2"}, ("c2", "L")),
        ("ineligible", "industries", {}, {"c1": "M1", "c2": "M1", "c3": "M1"}, ("c3", "M1")),
        ("forbidden", None, {"forbid": [{"client": "c3", "manager": "M2"}]},
         {"c1": "M1", "c2": "M1", "c3": "M2"}, ("c3", "M2")),
        ("lock", None, {"locks": [{"client": "c1", "manager": "M1"}]},
         {"c1": "M2", "c2": "M1", "c3": "M2"}, ("c1", "M2")),
        ("protected", None, {"continuity": {"protect_importance": 3}},
         {"c1": "M2", "c2": "M1", "c3": "M2"}, ("c1", "M2")),
        ("capacity", "capacity", {}, {"c1": "M1", "c2": "M1", "c3": "M1"}, (None, "M1")),
        ("max_moves", None, {"continuity": {"max_moves": 1}},
         {"c1": "M2", "c2": "M2", "c3": "M2"}, (None, None)),
        ("max_moves_per_manager", None, {"continuity": {"max_moves_per_manager": 1}},
         {"c1": "M2", "c2": "M2", "c3": "M2"}, (None, "M1")),
    ],
)
def test_each_rule_is_reported_with_client_and_manager(rule, problem_spec, scenario_overrides,
                                                       plan, named):
    """Protects every violation kind check() can report, with the ids it names."""
    managers = [dict(m) for m in MANAGERS]
    clients = [dict(c) for c in CLIENTS]
    if problem_spec == "leaving":
        managers.append({"manager_id": "L", "status": "leaving"})
    elif problem_spec == "industries":
        managers = [{"manager_id": "M1", "industry": "A"}, {"manager_id": "M2", "industry": "B"}]
        clients[2]["industry"] = "B"
    elif problem_spec == "capacity":
        managers[0]["capacity"] = 2
    problem = make_problem(clients, managers)
    verdict = check(problem, make_scenario(**scenario_overrides), plan)
    assert rule in RULES
    found = verdict.by_rule(rule)
    assert len(found) == 1, verdict.violations
    assert not verdict.ok
    assert (found[0].client_id, found[0].manager_id) == named
    assert found[0].message and found[0].message_zh
    for text in named:
        if text is not None:
            assert text in found[0].message


def test_messages_are_plain_words():
    """Protects the wording a planner reads for the most common violations."""
    problem = make_problem(CLIENTS, [{"manager_id": "M1", "capacity": 2}, {"manager_id": "M2"}])
    scenario = make_scenario(locks=[{"client": "c3", "manager": "M2"}],
                             continuity={"max_moves": 0})
    verdict = check(problem, scenario, {"c1": "M1", "c2": "M1", "c3": "M1"})
    texts = [v.message for v in verdict.violations]
    assert "client c3 is locked to M2, but the plan gives it to M1" in texts
    assert "M1 has 3 clients but its capacity is 2" in texts
    assert "the plan moves 1 client but at most 0 may move" in texts
    assert verdict.violations[0].text("zh").startswith("客户 c3 锁定在 M2")


def test_a_valid_plan_has_no_violations_and_sorted_moves():
    """Protects ok, moved (sorted ids) and num_moves on a plan that breaks nothing."""
    problem = make_problem(
        [{"client_id": cid, "manager": "M1"} for cid in ("b", "a", "c")], MANAGERS)
    verdict = check(problem, make_scenario(), {"a": "M2", "b": "M2", "c": "M1"})
    assert verdict.ok
    assert verdict.moved == ("a", "b")
    assert verdict.num_moves == 2
    assert verdict.clients_per_manager == {"M1": 1, "M2": 2}
