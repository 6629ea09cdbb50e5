"""Each hard rule, on a tiny book where breaking it would improve balance.

For every rule: without the rule the engine's best plan breaks it (so the case binds), with
the rule the engine's plan keeps it and ``check`` passes, and a hand-made plan that breaks it
is reported by ``check`` under that rule's name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from rebalance.check import check
from rebalance.exact import RebalanceModel, split_book
from rebalance.pools import build_rules
from rebalance.solve import solve

from helpers import make_problem, make_scenario

FAST = {"solver": {"time_limit": 5, "workers": 1}}


def lopsided(**client_extra: Any) -> list[dict[str, Any]]:
    """Four equal clients all with M1 (M2 empty): balance wants two of them on M2."""
    return [{"client_id": f"c{i}", "manager": "M1", "revenue": 100, **client_extra}
            for i in range(1, 5)]


TWO = [{"manager_id": "M1"}, {"manager_id": "M2"}]


def on(plan: Mapping[str, str], manager: str) -> int:
    return sum(1 for m in plan.values() if m == manager)


@dataclass
class Case:
    rule: str
    clients: list[dict[str, Any]]
    managers: list[dict[str, Any]]
    rule_overrides: dict[str, Any]  # scenario fields that switch the rule on
    holds: Callable[[Mapping[str, str]], bool]
    bad_plan: dict[str, str]
    managers_without_rule: list[dict[str, Any]] | None = None
    clients_without_rule: list[dict[str, Any]] | None = None
    notes: list[str] = field(default_factory=list)


CASES = [
    Case("capacity", lopsided(), [{"manager_id": "M1"}, {"manager_id": "M2", "capacity": 1}],
         {}, lambda p: on(p, "M2") <= 1,
         {"c1": "M2", "c2": "M2", "c3": "M1", "c4": "M1"}, managers_without_rule=TWO),
    Case("max_moves", lopsided(), TWO, {"continuity": {"max_moves": 1}},
         lambda p: on(p, "M2") <= 1, {"c1": "M2", "c2": "M2", "c3": "M1", "c4": "M1"}),
    Case("max_moves_per_manager", lopsided(), TWO,
         {"continuity": {"max_moves_per_manager": 1}},
         lambda p: on(p, "M2") <= 1, {"c1": "M2", "c2": "M2", "c3": "M1", "c4": "M1"}),
    Case("lock", lopsided(), TWO,
         {"locks": [{"client": f"c{i}", "manager": "M1"} for i in (1, 2, 3)]},
         lambda p: all(p[f"c{i}"] == "M1" for i in (1, 2, 3)),
         {"c1": "M2", "c2": "M1", "c3": "M1", "c4": "M2"}),
    Case("lock", lopsided(locked=True), TWO, {},
         lambda p: on(p, "M1") == 4, {"c1": "M2", "c2": "M1", "c3": "M1", "c4": "M1"},
         clients_without_rule=lopsided()),
    Case("protected", lopsided(importance=5), TWO, {"continuity": {"protect_importance": 5}},
         lambda p: on(p, "M1") == 4, {"c1": "M2", "c2": "M1", "c3": "M1", "c4": "M1"}),
    Case("forbidden", lopsided(), TWO,
         {"forbid": [{"client": f"c{i}", "manager": "M2"} for i in (1, 2, 3)]},
         lambda p: all(p[f"c{i}"] == "M1" for i in (1, 2, 3)),
         {"c1": "M2", "c2": "M1", "c3": "M1", "c4": "M2"}),
    Case("leaving_manager", lopsided(),
         [{"manager_id": "M1", "status": "leaving"}, {"manager_id": "M2"},
          {"manager_id": "M3"}],
         {}, lambda p: on(p, "M1") == 0, {"c1": "M1", "c2": "M2", "c3": "M3", "c4": "M3"},
         managers_without_rule=[{"manager_id": "M1"}, {"manager_id": "M2"},
                                {"manager_id": "M3"}]),
    Case("ineligible", lopsided(industry="A"),
         [{"manager_id": "M1", "industry": "A;B"}, {"manager_id": "M2", "industry": "B"}],
         {}, lambda p: on(p, "M2") == 0, {"c1": "M2", "c2": "M1", "c3": "M1", "c4": "M1"},
         managers_without_rule=[{"manager_id": "M1", "industry": "A;B"},
                                {"manager_id": "M2", "industry": "A;B"}]),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.rule}-{i}" for i, c in enumerate(CASES)])
def test_rule_binds_holds_and_is_checked(case: Case) -> None:
    """Protects each hard rule in the engine (kept) and in the checker (reported)."""
    free = make_problem(case.clients_without_rule or case.clients,
                        case.managers_without_rule or case.managers)
    free_plan = solve(free, make_scenario(**FAST)).client_to_manager
    assert not case.holds(free_plan), "the case must bind: without the rule balance breaks it"

    problem = make_problem(case.clients, case.managers)
    scenario = make_scenario(**FAST, **case.rule_overrides)
    result = solve(problem, scenario)
    assert result.status == "OPTIMAL"
    assert case.holds(result.client_to_manager)
    assert check(problem, scenario, result.client_to_manager).ok

    bad = check(problem, scenario, case.bad_plan)
    assert [v.rule for v in bad.violations] == [case.rule]


def test_every_client_gets_exactly_one_manager() -> None:
    """Protects the one-manager rule: new clients and clients of leaving managers are placed."""
    problem = make_problem(
        [{"client_id": "new", "manager": None}, {"client_id": "orphan", "manager": "L"},
         {"client_id": "kept", "manager": "M1"}],
        TWO + [{"manager_id": "L", "status": "leaving"}],
    )
    scenario = make_scenario(**FAST)
    result = solve(problem, scenario)
    assert set(result.client_to_manager) == {"new", "orphan", "kept"}
    assert set(result.client_to_manager.values()) <= {"M1", "M2"}
    assert check(problem, scenario, result.client_to_manager).ok
    bad = check(problem, scenario, {"new": "M1", "kept": "M1"})
    assert [v.rule for v in bad.violations] == ["unassigned"]


def test_fixed_clients_keep_their_manager_even_when_it_costs_balance() -> None:
    """Protects locks beating balance: the locked big client stays although it overloads M1."""
    problem = make_problem(
        [{"client_id": "big", "manager": "M1", "revenue": 1000, "locked": True},
         {"client_id": "s1", "manager": "M1", "revenue": 10},
         {"client_id": "s2", "manager": "M2", "revenue": 10}], TWO)
    scenario = make_scenario(**FAST)
    result = solve(problem, scenario)
    assert result.client_to_manager["big"] == "M1"
    assert result.client_to_manager["s1"] == "M2"  # the rest leaves the overloaded manager
    assert result.balance_excess is not None and result.balance_excess > 0


def test_variables_exist_only_for_allowed_pairs() -> None:
    """Protects eligibility by construction: no variable for a leaving manager, another
    industry, a forbidden pair, or (for a fixed client) any manager but the fixed one."""
    problem = make_problem(
        [{"client_id": "a", "industry": "A", "manager": "M1"},
         {"client_id": "b", "industry": "B", "manager": "M2"},
         {"client_id": "f", "industry": "A", "manager": "M1", "locked": True}],
        [{"manager_id": "M1", "industry": "A;B"}, {"manager_id": "M2", "industry": "B"},
         {"manager_id": "M3", "industry": "A"},
         {"manager_id": "L", "industry": "A;B", "status": "leaving"}],
    )
    scenario = make_scenario(forbid=[{"client": "a", "manager": "M3"}])
    built = RebalanceModel(problem, scenario, build_rules(problem, scenario))
    assert sorted(built.vars.assign) == [("a", "M1"), ("b", "M1"), ("b", "M2"), ("f", "M1")]


def test_book_splits_by_pool_unless_a_global_move_cap_ties_pools() -> None:
    """Protects split_book: one part per pool with clients; one part when max_moves is set."""
    problem = make_problem(
        [{"client_id": "a", "industry": "A"}, {"client_id": "b", "industry": "B"}],
        [{"manager_id": "M1", "industry": "A"}, {"manager_id": "M2", "industry": "B"},
         {"manager_id": "M3", "industry": "C"}],
    )
    scenario = make_scenario()
    parts = split_book(problem, scenario, build_rules(problem, scenario))
    assert [[c.client_id for c in p.clients] for p in parts] == [["a"], ["b"]]
    assert [[m.manager_id for m in p.managers] for p in parts] == [["M1"], ["M2"]]
    capped = make_scenario(continuity={"max_moves": 3})
    assert len(split_book(problem, capped, build_rules(problem, capped))) == 1
