"""Contradicting hard rules are named with their numbers, never just "infeasible"."""

from __future__ import annotations

from typing import Any

from rebalance.diagnose import contradictions, explain_infeasibility
from rebalance.pools import build_rules
from rebalance.report.findings import render, render_all
from rebalance.solve import solve

from helpers import make_problem, make_scenario

FAST = {"solver": {"time_limit": 5, "workers": 1}}


def contradictions_of(clients: list[dict[str, Any]], managers: list[dict[str, Any]],
                      lang: str = "en", **overrides: Any) -> tuple[list[str], Any]:
    problem = make_problem(clients, managers)
    scenario = make_scenario(**FAST, **overrides)
    rules = build_rules(problem, scenario)
    found = list(render_all(contradictions(problem, scenario, rules), lang))
    result = solve(problem, scenario, rules)
    assert result.status == "INFEASIBLE" and not result.has_plan
    assert result.client_to_manager == {}
    return found, result


def test_client_without_any_eligible_manager_names_each_reason():
    """Protects the message for a client every manager is excluded from, with the reasons."""
    found, result = contradictions_of(
        [{"client_id": "041233", "industry": "教育", "manager": "KM012"}],
        [{"manager_id": "KM012", "industry": "教育", "status": "leaving"},
         {"manager_id": "KM013", "industry": "教育"},
         {"manager_id": "KM001", "industry": "政府"}],
        forbid=[{"client": "041233", "manager": "KM013"}],
    )
    expected = ("client 041233 (教育) has no eligible manager: KM012 is leaving and the pair "
                "041233–KM013 is forbidden")
    assert found == [expected]
    assert render_all(result.findings) == (expected,)
    zh = render_all(result.findings, "zh")
    assert zh[0].startswith("客户 041233（教育）没有可分配的客户经理")


def test_lock_to_a_manager_of_another_industry():
    """Protects the message for a lock the client's industry does not allow."""
    found, _ = contradictions_of(
        [{"client_id": "c1", "industry": "A", "manager": "M1"}],
        [{"manager_id": "M1", "industry": "A"}, {"manager_id": "M2", "industry": "B"}],
        locks=[{"client": "c1", "manager": "M2"}],
    )
    assert found == ["client c1 is locked to M2, but M2 does not serve A"]


def test_protected_client_with_a_forbidden_current_manager():
    """Protects the message when protection keeps a client on a manager it may not have."""
    found, _ = contradictions_of(
        [{"client_id": "c1", "manager": "M1", "importance": 5}],
        [{"manager_id": "M1"}, {"manager_id": "M2"}],
        continuity={"protect_importance": 4},
        forbid=[{"client": "c1", "manager": "M1"}],
    )
    assert found == ["client c1 (importance 5) is protected (protect_importance: 4) and must "
                     "stay with M1, but the pair c1–M1 is forbidden"]


def test_locks_beyond_capacity():
    """Protects "locks put 17 clients on KM005 but its capacity is 16"."""
    clients = [{"client_id": f"c{i:02d}", "manager": "KM005", "locked": True}
               for i in range(17)]
    found, result = contradictions_of(
        clients, [{"manager_id": "KM005", "capacity": 16}, {"manager_id": "KM006"}])
    assert "locks put 17 clients on KM005 but its capacity is 16" in found
    assert "locks put 17 clients on KM005 but its capacity is 16" in render_all(result.findings)


def test_total_capacity_below_the_clients_who_need_it():
    """Protects the capacity count over the managers a group of clients may go to."""
    found, _ = contradictions_of(
        [{"client_id": f"c{i}", "industry": "A"} for i in range(5)]
        + [{"client_id": "b1", "industry": "B"}],
        [{"manager_id": "M1", "industry": "A", "capacity": 2},
         {"manager_id": "M2", "industry": "A", "capacity": 2},
         {"manager_id": "M3", "industry": "B"}],
    )
    assert found == ["5 clients (A) can only go to M1, M2, whose capacities add up to 4"]


def test_forced_moves_beyond_max_moves():
    """Protects the count of moves no plan can avoid against continuity.max_moves."""
    found, _ = contradictions_of(
        [{"client_id": "c1", "manager": "M1"}, {"client_id": "c2", "manager": "M1"},
         {"client_id": "c3", "manager": "M2"}],
        [{"manager_id": "M1"}, {"manager_id": "M2"}],
        forbid=[{"client": "c1", "manager": "M1"}, {"client": "c2", "manager": "M1"}],
        continuity={"max_moves": 1},
    )
    assert found == ["at least 2 clients must move (2 may not stay with their manager: c1, c2), "
                     "but continuity.max_moves is 1"]


def test_over_capacity_manager_beyond_max_moves_per_manager():
    """Protects the per-manager move cap against a manager who holds more than its capacity."""
    found, _ = contradictions_of(
        [{"client_id": f"c{i}", "manager": "M1"} for i in range(4)],
        [{"manager_id": "M1", "capacity": 2}, {"manager_id": "M2"}],
        continuity={"max_moves_per_manager": 1},
    )
    assert found == ["M1 must lose at least 2 clients (over capacity), "
                     "but continuity.max_moves_per_manager is 1"]


def test_messages_in_chinese():
    """Protects the Chinese wording of a contradiction (--lang zh)."""
    clients = [{"client_id": f"c{i}", "manager": "M1", "locked": True} for i in range(3)]
    found, _ = contradictions_of(clients, [{"manager_id": "M1", "capacity": 2},
                                           {"manager_id": "M2"}], lang="zh")
    assert found == ["锁定使 M1 必须负责 3 个客户，但其容量只有 2"]


def test_solver_names_the_rules_when_counting_is_not_enough():
    """Protects the assumption-based explanation: five clients that only four capacity-1
    managers may take, in a way no single group of eligible managers shows."""
    forbid_all_but = {"c1": ("M1", "M2"), "c2": ("M1", "M2"), "c3": ("M3", "M4"),
                      "c4": ("M3", "M4"), "c5": ("M2", "M3")}
    managers = [{"manager_id": f"M{j}", "capacity": 1} for j in range(1, 5)]
    managers.append({"manager_id": "M5"})  # no capacity, but every client is forbidden there
    forbid = [{"client": c, "manager": f"M{j}"} for c, allowed in forbid_all_but.items()
              for j in range(1, 6) if f"M{j}" not in allowed]
    problem = make_problem([{"client_id": c} for c in forbid_all_but], managers)
    scenario = make_scenario(**FAST, forbid=forbid)
    rules = build_rules(problem, scenario)
    assert contradictions(problem, scenario, rules) == []

    explained = explain_infeasibility(problem, scenario, rules)
    assert [render(f) for f in explained] == [
        "these rules cannot all hold together: M1 holds at most 1 client (capacity); "
        "M2 holds at most 1 client (capacity); M3 holds at most 1 client (capacity); "
        "M4 holds at most 1 client (capacity)"]
    result = solve(problem, scenario, rules)
    assert result.status == "INFEASIBLE"
    assert result.findings == tuple(explained)
    assert render_all(result.findings, "zh")[0].startswith("以下规则无法同时满足")


def test_consistent_rules_have_no_contradictions():
    """Protects against false alarms: a solvable book yields no diagnostics."""
    problem = make_problem(
        [{"client_id": "c1", "manager": "M1", "locked": True}, {"client_id": "c2"}],
        [{"manager_id": "M1", "capacity": 1}, {"manager_id": "M2", "capacity": 1}])
    scenario = make_scenario(**FAST, continuity={"max_moves": 0})
    rules = build_rules(problem, scenario)
    assert contradictions(problem, scenario, rules) == []
    assert explain_infeasibility(problem, scenario, rules) == []
    assert solve(problem, scenario, rules).status == "OPTIMAL"
