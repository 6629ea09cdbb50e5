"""The hard rules as objects (``rebalance.rules``): one list, every engine obeys each rule.

Protects: the rule list's shape (each rule reported by ``check`` in its order), the new rule
``continuity.max_incoming_per_manager`` on the exact path, the scale path and in
``diagnose``, and every rule through the scale engine on a book big enough to use it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from rebalance.check import RULES, check
from rebalance.data import Problem
from rebalance.diagnose import contradictions
from rebalance.pools import build_rules, change_kind
from rebalance.report.findings import render_all
from rebalance.rules import HARD_RULES
from rebalance.scale.greedy import greedy_plan
from rebalance.solve import LARGE_POOL_PAIRS, largest_pool_pairs, solve

from helpers import benchmark_generator, make_problem, make_scenario


def _taken_on(problem: Problem, plan: Mapping[str, str]) -> Counter[str]:
    """Clients each manager takes on in ``plan`` (moves in, handovers, placements)."""
    return Counter(mid for cid, mid in plan.items()
                   if change_kind(problem, cid, mid) is not None)


def test_every_rule_has_its_place_in_check_order() -> None:
    """Each rule object's codes are reported by check, in the list's order."""
    codes = [code for rule in HARD_RULES for code in rule.codes]
    assert codes == [c for c in RULES if c in codes]
    assert "max_incoming_per_manager" in codes and "capacity" in codes
    assert [r.order for r in HARD_RULES] == sorted(r.order for r in HARD_RULES)


def _crowded_book() -> Problem:
    """Two managers hold everything, three stand empty: balance wants many clients to move."""
    clients = [{"client_id": f"C{i:02d}", "revenue": 100 + i, "manager": f"M{1 + i % 2}",
                "importance": 1 + i % 3, "relationship": 0.2} for i in range(24)]
    clients += [{"client_id": f"N{i}", "revenue": 90} for i in range(3)]  # new clients
    managers = [{"manager_id": f"M{j}"} for j in range(1, 6)]
    return make_problem(clients, managers)


def test_exact_path_keeps_the_incoming_cap() -> None:
    """Without the cap an empty manager takes on more than 3 clients; with it, none does,
    and check judges the plan the same way."""
    problem = _crowded_book()
    free = solve(problem, make_scenario(solver={"time_limit": 20, "workers": 1}))
    assert max(_taken_on(problem, free.client_to_manager).values()) > 3
    scenario = make_scenario(continuity={"max_incoming_per_manager": 3},
                             solver={"time_limit": 20, "workers": 1})
    capped = solve(problem, scenario)
    assert capped.has_plan and capped.checked().ok
    assert max(_taken_on(problem, capped.client_to_manager).values()) <= 3
    broken = check(problem, scenario, free.client_to_manager)
    assert broken.by_rule("max_incoming_per_manager")
    assert "takes on" in broken.violations[0].message
    assert "接手" in broken.violations[0].text("zh")


def test_scale_path_and_greedy_keep_the_incoming_cap() -> None:
    """The scale engine (greedy start, local search, neighbourhoods) keeps the cap too."""
    problem = _crowded_book()
    scenario = make_scenario(continuity={"max_incoming_per_manager": 3},
                             solver={"time_limit": 20, "workers": 1, "work_limit": 2})
    greedy = greedy_plan(problem, scenario)
    assert not greedy.unplaced
    assert max(_taken_on(problem, greedy.client_to_manager).values()) <= 3
    result = solve(problem, scenario, engine="scale")
    assert result.has_plan and result.checked().ok
    assert max(_taken_on(problem, result.client_to_manager).values()) <= 3


def test_diagnose_names_an_incoming_cap_no_plan_can_keep() -> None:
    """A leaving manager's 4 clients must go to one manager who may take on only 2: no plan,
    and the reason names the cap."""
    clients = [{"client_id": f"C{i}", "manager": "M1"} for i in range(4)]
    managers = [{"manager_id": "M1", "status": "leaving"}, {"manager_id": "M2"}]
    problem = make_problem(clients, managers)
    scenario = make_scenario(continuity={"max_incoming_per_manager": 2})
    result = solve(problem, scenario)
    assert result.status == "INFEASIBLE"
    assert any("max_incoming_per_manager" in d for d in render_all(result.findings))
    assert any("接手" in d for d in render_all(result.findings, "zh"))


def test_counting_proves_incoming_caps_no_plan_can_keep() -> None:
    """Before any model: locks bringing one manager more new clients than the cap, and a pool
    whose clients that must change manager outnumber what its managers may take on, are each
    named with their numbers; one client fewer on each side is no contradiction."""
    clients = [{"client_id": f"C{i}", "manager": "M1"} for i in range(5)]
    clients += [{"client_id": f"L{i}", "manager": "M2", "locked": True} for i in range(3)]
    managers = [{"manager_id": "M1", "status": "leaving"}, {"manager_id": "M2"},
                {"manager_id": "M3"}]
    problem = make_problem(clients, managers)
    locks = [{"client": f"L{i}", "manager": "M3"} for i in range(3)]
    scenario = make_scenario(continuity={"max_incoming_per_manager": 2}, locks=locks)
    rules = build_rules(problem, scenario)
    found = render_all(contradictions(problem, scenario, rules))
    assert any("locks bring 3 clients to M3" in f and "at most 2" in f for f in found), found
    assert any("8 clients must change manager" in f and "at most 4" in f for f in found), found
    easier = make_scenario(continuity={"max_incoming_per_manager": 4}, locks=locks)
    assert contradictions(problem, easier, build_rules(problem, easier)) == []


def test_every_rule_holds_on_the_scale_path_of_a_big_book() -> None:
    """A generated book (locks, forbidden pairs, capacities, leaving managers, new clients)
    pooled into one search of ~18,000 pairs, with both move caps and the incoming cap: the
    engine picks the scale path by itself and its plan keeps every rule."""
    generate = benchmark_generator()
    book = generate.generate_book((600, 30), seed=2, workers=1)
    caps = {"max_moves_per_manager": 4, "max_moves": 60, "max_incoming_per_manager": 6}
    scenario = book.scenario.model_copy(update={
        "eligibility": "any",
        "continuity": book.scenario.continuity.model_copy(update=caps),
        "solver": book.scenario.solver.model_copy(update={"work_limit": 3.0}),
    })
    problem = book.problem
    rules = build_rules(problem, scenario)
    assert largest_pool_pairs(problem, rules) > LARGE_POOL_PAIRS
    assert rules.fixed and rules.forbidden
    assert any(m.capacity is not None for m in problem.managers)
    result = solve(problem, scenario, rules)
    assert result.has_plan, render_all(result.findings)
    verdict = check(problem, scenario, result.client_to_manager, rules)
    assert verdict.ok, [v.message for v in verdict.violations[:3]]
    assert max(_taken_on(problem, result.client_to_manager).values()) <= 6
    assert verdict.num_moves <= 60
