"""A/B roles (backup managers): both modes on tiny books, the rules, the checker, determinism."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rebalance.backup import (
    BackupInfeasible,
    BackupPlan,
    assign_backups,
    backup_candidates,
    check_backups,
)
from rebalance.backup.spread import deal as deal_out
from rebalance.data import Problem
from rebalance.pools import build_rules, may_serve
from rebalance.report.findings import render_all
from rebalance.scenario import Scenario

from helpers import make_problem, make_scenario

FAST = {"time_limit": 5, "workers": 1, "seed": 0}


def scenario(mode: str = "spread", max_per_manager: int | None = None, **fields: Any
             ) -> Scenario:
    backup = {"enabled": True, "mode": mode, "max_per_manager": max_per_manager}
    return make_scenario(backup=backup, solver=dict(FAST), **fields)


def owners(problem: Problem) -> dict[str, str]:
    """The current managers as the owner plan (every tiny book here has them)."""
    return {c.client_id: c.manager or "" for c in problem.clients}


def run(problem: Problem, scen: Scenario, plan_owners: Mapping[str, str] | None = None
        ) -> BackupPlan:
    """Assign backups and insist the independent checker finds nothing wrong."""
    rules = build_rules(problem, scen)
    own = dict(plan_owners or owners(problem))
    plan = assign_backups(problem, scen, rules, own)
    pairs = plan.pairs if plan.mode == "pairs" else None
    assert check_backups(problem, scen, rules, own, plan.client_to_backup, pairs) == []
    return plan


def clients_of(owner: str, specs: Sequence[tuple[str, int]], industry: str = "A"
               ) -> list[dict[str, Any]]:
    return [{"client_id": cid, "industry": industry, "importance": imp, "manager": owner}
            for cid, imp in specs]


# --------------------------------------------------------------------------- spread mode


def test_spread_balances_count_and_importance() -> None:
    """Spread mode splits backups evenly by count and importance, not "first eligible"."""
    clients = clients_of("M1", [("C1", 5), ("C2", 5), ("C3", 1), ("C4", 1)])
    clients += clients_of("M2", [("C5", 1), ("C6", 1)]) + clients_of("M3", [("C7", 1),
                                                                            ("C8", 1)])
    problem = make_problem(clients, [{"manager_id": m} for m in ("M1", "M2", "M3")])
    plan = run(problem, scenario())
    # M1's four clients go two to M2 and two to M3, one big (5) and one small (1) each.
    m1_backups = {cid: plan.client_to_backup[cid] for cid in ("C1", "C2", "C3", "C4")}
    assert sorted(m1_backups.values()) == ["M2", "M2", "M3", "M3"]
    assert plan.client_to_backup["C1"] != plan.client_to_backup["C2"]
    assert plan.loads["M2"] == plan.loads["M3"]
    assert plan.status == "OPTIMAL" and plan.mode == "spread" and plan.pairs == ()


def test_spread_respects_fte() -> None:
    """A half-time manager carries half the backups of a full-time one."""
    clients = clients_of("M1", [(f"A{i}", 1) for i in range(5)])
    clients += clients_of("M2", [(f"B{i}", 1) for i in range(5)])
    managers = [{"manager_id": "M1"}, {"manager_id": "M2"}, {"manager_id": "M3", "fte": 0.5}]
    plan = run(make_problem(clients, managers), scenario())
    assert [plan.loads[m][0] for m in ("M1", "M2", "M3")] == [4, 4, 2]
    assert plan.shares["M3"] == (2.0, 2.0)


def test_backup_never_owner_leaving_other_industry_or_forbidden() -> None:
    """Backups skip the owner, leaving managers, other industries and forbidden pairs."""
    clients = clients_of("M1", [("C1", 3), ("C2", 3)]) + clients_of("M5", [("C3", 1)], "B")
    managers = [{"manager_id": "M1"}, {"manager_id": "M2"}, {"manager_id": "M3"},
                {"manager_id": "M4", "status": "leaving"}, {"manager_id": "M5", "industry": "B"},
                {"manager_id": "M6", "industry": "B"}]
    problem = make_problem(clients, managers)
    scen = scenario(forbid=[{"client": "C1", "manager": "M2"}])
    plan = run(problem, scen)
    assert plan.client_to_backup == {"C1": "M3", "C2": "M2", "C3": "M6"}
    assert plan.loads["M4"] == (0, 0)


def test_max_per_manager_holds_and_binds() -> None:
    """max_per_manager caps backups; without it the full-time manager would take more."""
    clients = clients_of("M3", [(f"C{i}", 1 + i % 3) for i in range(8)])
    managers = [{"manager_id": "M1", "fte": 3}, {"manager_id": "M2"}, {"manager_id": "M3"}]
    problem = make_problem(clients, managers)
    free = run(problem, scenario())
    assert free.loads["M1"][0] > 4
    capped = run(problem, scenario(max_per_manager=4))
    assert capped.loads["M1"][0] == 4 and capped.loads["M2"][0] == 4


def test_evenness_breaks_ties_inside_the_bands() -> None:
    """When band excess ties, the even split wins: importance 3+3 against 2+2+2, not 7 vs 5."""
    clients = clients_of("M1", [("C1", 3), ("C2", 3), ("C3", 2), ("C4", 2), ("C5", 2)])
    problem = make_problem(clients, [{"manager_id": m} for m in ("M1", "M2", "M3")])
    plan = run(problem, scenario())
    assert plan.loads["M2"][1] == plan.loads["M3"][1] == 6


def test_max_per_manager_too_tight_names_the_clients() -> None:
    """An impossible cap is a BackupInfeasible naming the clients and who could take them."""
    clients = clients_of("M1", [(f"C{i}", 1) for i in range(5)])
    problem = make_problem(clients, [{"manager_id": "M1"}, {"manager_id": "M2"},
                                     {"manager_id": "M3"}])
    scen = scenario(max_per_manager=2)
    with pytest.raises(BackupInfeasible) as err:
        assign_backups(problem, scen, build_rules(problem, scen), owners(problem))
    text = "\n".join(render_all(err.value.findings))
    assert "max_per_manager = 2 is too tight: 5 clients" in text
    assert "M2, M3" in text


# --------------------------------------------------------------------------- keeping


def test_existing_backups_kept_when_free_to() -> None:
    """Existing backups that break no rule and no balance are all kept."""
    clients = [
        {"client_id": "C1", "manager": "M1", "backup": "M3"},
        {"client_id": "C2", "manager": "M1", "backup": "M2"},
        {"client_id": "C3", "manager": "M2", "backup": "M3"},
        {"client_id": "C4", "manager": "M2", "backup": "M1"},
        {"client_id": "C5", "manager": "M3", "backup": "M2"},
        {"client_id": "C6", "manager": "M3", "backup": "M1"},
    ]
    problem = make_problem(clients, [{"manager_id": m} for m in ("M1", "M2", "M3")])
    plan = run(problem, scenario())
    assert plan.client_to_backup == {c["client_id"]: c["backup"] for c in clients}
    assert plan.kept == plan.num_keepable == 6


def test_existing_backup_replaced_when_no_longer_allowed() -> None:
    """A backup who now owns the client, or leaves, is replaced and not counted as keepable."""
    clients = [
        {"client_id": "C1", "manager": "M1", "backup": "M4"},  # M4 leaves
        {"client_id": "C2", "manager": "M2", "backup": "M1"},
        {"client_id": "C3", "manager": "M3", "backup": "M2"},
    ]
    problem = make_problem(clients, [{"manager_id": "M1"}, {"manager_id": "M2"},
                                     {"manager_id": "M3"},
                                     {"manager_id": "M4", "status": "leaving"}])
    owner_plan = {"C1": "M1", "C2": "M1", "C3": "M3"}  # C2 moved to its old backup M1
    plan = run(problem, scenario(priorities=["continuity", "balance"]), owner_plan)
    assert plan.client_to_backup["C1"] in ("M2", "M3")
    assert plan.client_to_backup["C2"] != "M1"
    assert plan.num_keepable == 1 and plan.kept == 1  # only C3's M2 could be kept


def test_balance_before_keeping_follows_priorities() -> None:
    """Default priorities rebalance a lopsided existing backup set; continuity-first keeps it."""
    clients = clients_of("M1", [("C1", 1), ("C2", 1), ("C3", 1), ("C4", 1)])
    clients += clients_of("M2", [("C5", 1), ("C6", 1)]) + clients_of("M3", [("C7", 1),
                                                                            ("C8", 1)])
    for c in clients[:4]:
        c["backup"] = "M2"
    problem = make_problem(clients, [{"manager_id": m} for m in ("M1", "M2", "M3")])
    balanced = run(problem, scenario())
    assert balanced.kept < 4 and balanced.loads["M2"][0] < 6
    keep_first = run(problem, scenario(priorities=["continuity", "balance"]))
    assert keep_first.kept == 4


# --------------------------------------------------------------------------- infeasible


def test_single_manager_industry_is_a_named_error() -> None:
    """An industry with one staying manager cannot have B角: the error names it and counts."""
    clients = clients_of("KM014", [(f"C{i}", 1) for i in range(9)], "医疗")
    clients += clients_of("KM001", [("G1", 1)], "政府")
    managers = [{"manager_id": "KM014", "industry": "医疗"},
                {"manager_id": "KM015", "industry": "医疗", "status": "leaving"},
                {"manager_id": "KM001", "industry": "政府"},
                {"manager_id": "KM002", "industry": "政府"}]
    problem = make_problem(clients, managers)
    for mode in ("spread", "pairs"):
        scen = scenario(mode)
        with pytest.raises(BackupInfeasible) as err:
            assign_backups(problem, scen, build_rules(problem, scen), owners(problem))
        assert list(render_all(err.value.findings)) == [
            "industry 医疗 has a single staying manager (KM014): "
            "no one can be B角 for its 9 clients"]
        assert "KM014" in render_all(err.value.findings, "zh")[0]


def test_all_others_forbidden_is_a_named_error() -> None:
    """A client whose only possible backup is forbidden gets its own message."""
    clients = clients_of("M1", [("C1", 1), ("C2", 1)])
    problem = make_problem(clients, [{"manager_id": "M1"}, {"manager_id": "M2"}])
    scen = scenario(forbid=[{"client": "C2", "manager": "M2"}])
    with pytest.raises(BackupInfeasible) as err:
        assign_backups(problem, scen, build_rules(problem, scen), owners(problem))
    reasons = render_all(err.value.findings)
    assert len(reasons) == 1 and reasons[0].startswith("client C2 (A)")


# --------------------------------------------------------------------------- pairs mode


def test_pairs_back_each_other_up() -> None:
    """Pairs mode: every client's backup is its owner's partner, and partners are mutual."""
    clients = []
    for m in ("M1", "M2", "M3", "M4"):
        clients += clients_of(m, [(f"{m}C{i}", 1 + i) for i in range(3)])
    problem = make_problem(clients, [{"manager_id": m} for m in ("M1", "M2", "M3", "M4")])
    plan = run(problem, scenario("pairs"))
    assert len(plan.pairs) == 2 and all(len(p) == 2 for p in plan.pairs)
    partner = {a: b for p in plan.pairs for a, b in (p, p[::-1])}
    for c in problem.clients:
        assert plan.client_to_backup[c.client_id] == partner[c.manager or ""]
    assert plan.mode == "pairs" and plan.status == "OPTIMAL"


def test_pairs_chosen_to_balance_load_by_fte() -> None:
    """Half-time managers pair with each other, so nobody carries a full portfolio at half fte."""
    clients = clients_of("A", [("A1", 1), ("A2", 1)]) + clients_of("D", [("D1", 1), ("D2", 1)])
    clients += clients_of("B", [(f"B{i}", 1) for i in range(6)])
    clients += clients_of("C", [(f"C{i}", 1) for i in range(6)])
    managers = [{"manager_id": "A", "fte": 0.5}, {"manager_id": "B"}, {"manager_id": "C"},
                {"manager_id": "D", "fte": 0.5}]
    plan = run(make_problem(clients, managers), scenario("pairs"))
    assert plan.pairs == (("A", "D"), ("B", "C"))


def test_pairs_follow_existing_backups() -> None:
    """When pairings balance equally, the one that keeps existing backups wins."""
    clients = []
    existing = {"M1": "M3", "M3": "M1", "M2": "M4", "M4": "M2"}
    for m in ("M1", "M2", "M3", "M4"):
        clients += [{"client_id": f"{m}C{i}", "manager": m, "backup": existing[m]}
                    for i in range(2)]
    problem = make_problem(clients, [{"manager_id": m} for m in ("M1", "M2", "M3", "M4")])
    plan = run(problem, scenario("pairs"))
    assert plan.pairs == (("M1", "M3"), ("M2", "M4"))
    assert plan.kept == 8


def test_odd_pool_gets_one_trio() -> None:
    """Five managers make one pair and one trio; trio clients are split between the other two."""
    clients = []
    for m in ("M1", "M2", "M3", "M4", "M5"):
        clients += clients_of(m, [(f"{m}C{i}", 1) for i in range(4)])
    problem = make_problem(clients, [{"manager_id": m} for m in ("M1", "M2", "M3", "M4", "M5")])
    plan = run(problem, scenario("pairs"))
    assert sorted(len(g) for g in plan.pairs) == [2, 3]
    trio = next(g for g in plan.pairs if len(g) == 3)
    for c in problem.clients:
        if c.manager in trio:
            assert plan.client_to_backup[c.client_id] in set(trio) - {c.manager}
    for m in trio:  # 8 clients of the two others, split evenly: 4 each
        assert plan.loads[m][0] == 4


def test_three_managers_form_a_trio() -> None:
    """A pool of three is one trio, not an error."""
    clients = []
    for m in ("M1", "M2", "M3"):
        clients += clients_of(m, [(f"{m}C{i}", 1) for i in range(2)])
    problem = make_problem(clients, [{"manager_id": m} for m in ("M1", "M2", "M3")])
    plan = run(problem, scenario("pairs"))
    assert plan.pairs == (("M1", "M2", "M3"),)


def test_pairs_fall_back_for_clients_no_partner_may_take() -> None:
    """A two-industry manager's clients its partner cannot serve get a spread backup."""
    clients = [{"client_id": "G1", "industry": "G", "manager": "M1"},
               {"client_id": "F1", "industry": "F", "manager": "M1", "importance": 3},
               {"client_id": "G2", "industry": "G", "manager": "M2"},
               {"client_id": "F2", "industry": "F", "manager": "M3"},
               {"client_id": "F3", "industry": "F", "manager": "M4"}]
    managers = [{"manager_id": "M1", "industry": "G;F"}, {"manager_id": "M2", "industry": "G"},
                {"manager_id": "M3", "industry": "F"}, {"manager_id": "M4", "industry": "F"}]
    problem = make_problem(clients, managers)
    plan = run(problem, scenario("pairs"))
    # M2 is the only one who can cover M1's G client and must be covered by M1 itself.
    assert plan.pairs == (("M1", "M2"), ("M3", "M4"))
    assert plan.outside_pairs == ("F1",)
    assert plan.client_to_backup["G1"] == "M2" and plan.client_to_backup["G2"] == "M1"
    assert plan.client_to_backup["F1"] in ("M3", "M4")


def test_pairs_minimise_clients_outside_pairs() -> None:
    """Pairing keeps as much importance inside pairs as possible (two industries, duals)."""
    clients = [{"client_id": "E1", "industry": "E", "manager": "M1", "importance": 5},
               {"client_id": "H1", "industry": "H", "manager": "M2", "importance": 5},
               {"client_id": "E2", "industry": "E", "manager": "M3"},
               {"client_id": "H2", "industry": "H", "manager": "M4"}]
    managers = [{"manager_id": "M1", "industry": "E"}, {"manager_id": "M2", "industry": "H"},
                {"manager_id": "M3", "industry": "E;H"}, {"manager_id": "M4", "industry": "E;H"}]
    plan = run(make_problem(clients, managers), scenario("pairs"))
    # (M1,M3)+(M2,M4) or (M1,M4)+(M2,M3) cover everyone; (M1,M2)+(M3,M4) would not.
    assert plan.outside_pairs == ()
    assert ("M1", "M2") not in plan.pairs


def test_pairs_cover_comes_before_balance() -> None:
    """Keeping clients inside their pair beats a better balanced pairing that leaves some out."""
    clients = [{"client_id": "E0", "industry": "E", "manager": "M1"},
               {"client_id": "H0", "industry": "H", "manager": "M2"}]
    clients += clients_of("M3", [(f"E{i}", 1) for i in range(1, 6)], "E")
    clients += clients_of("M4", [(f"H{i}", 1) for i in range(1, 6)], "H")
    managers = [{"manager_id": "M1", "industry": "E", "fte": 0.2},
                {"manager_id": "M2", "industry": "H", "fte": 0.2},
                {"manager_id": "M3", "industry": "E;H"}, {"manager_id": "M4", "industry": "E;H"}]
    plan = run(make_problem(clients, managers), scenario("pairs"))
    assert plan.outside_pairs == ()
    assert ("M3", "M4") not in plan.pairs


def test_pairs_max_per_manager_impossible_is_named() -> None:
    """When every pairing overloads a partner beyond max_per_manager, the error says so."""
    clients = clients_of("M1", [(f"C{i}", 1) for i in range(3)]) + clients_of("M2", [("D", 1)])
    problem = make_problem(clients, [{"manager_id": "M1"}, {"manager_id": "M2"}])
    scen = scenario("pairs", max_per_manager=2)
    with pytest.raises(BackupInfeasible) as err:
        assign_backups(problem, scen, build_rules(problem, scen), owners(problem))
    text = "\n".join(render_all(err.value.findings))
    assert "max_per_manager = 2" in text and "M1 (3)" in text


# --------------------------------------------------------------------------- checker


def test_check_backups_reports_every_broken_rule() -> None:
    """The solver-free checker names missing, owner, leaving, industry, forbidden and cap."""
    clients = clients_of("M1", [("C1", 1), ("C2", 1), ("C3", 1), ("C4", 1), ("C5", 1)])
    clients.append({"client_id": "C6", "industry": "B", "manager": "M5"})
    managers = [{"manager_id": "M1"}, {"manager_id": "M2"},
                {"manager_id": "M4", "status": "leaving"}, {"manager_id": "M5", "industry": "B"}]
    problem = make_problem(clients, managers)
    scen = scenario(max_per_manager=1, forbid=[{"client": "C5", "manager": "M2"}])
    rules = build_rules(problem, scen)
    backups = {"C1": "M1", "C2": "M4", "C3": "M5", "C4": "M2", "C5": "M2", "X9": "M2"}
    found = check_backups(problem, scen, rules, owners(problem), backups)
    assert found == [
        "C1: backup M1 is also its owner",
        "C2: backup M4 is leaving",
        "C3: backup M5 does not serve industry A",
        "C5: backup M2 is a forbidden pair",
        "C6: no backup manager",
        "X9: backup given for a client not in the clients table",
        "M2: backs up 2 clients, more than max_per_manager 1",
    ]


def test_check_backups_pairs_structure() -> None:
    """With pairs, a backup outside the owner's pair and malformed groups are reported."""
    clients = []
    for m in ("M1", "M2", "M3", "M4"):
        clients += clients_of(m, [(f"{m}C", 1)])
    problem = make_problem(clients, [{"manager_id": m} for m in ("M1", "M2", "M3", "M4")])
    scen = scenario("pairs")
    rules = build_rules(problem, scen)
    chain = {"M1C": "M2", "M2C": "M3", "M3C": "M4", "M4C": "M1"}
    pairs = (("M1", "M2"), ("M3", "M4"))
    assert check_backups(problem, scen, rules, owners(problem), chain, pairs) == [
        "M2C: backup M3 is not a partner of its owner M2 (M1 may back it up)",
        "M4C: backup M1 is not a partner of its owner M4 (M3 may back it up)",
    ]
    paired = {"M1C": "M2", "M2C": "M1", "M3C": "M4", "M4C": "M3"}
    assert check_backups(problem, scen, rules, owners(problem), paired, pairs) == []
    assert check_backups(problem, scen, rules, owners(problem), paired) == []
    bad = (("M1", "M2", "M3", "M4"), ("M1", "M2"))
    found = check_backups(problem, scen, rules, owners(problem), paired, bad)
    assert "pairs: group M1+M2+M3+M4 has 4 managers, not 2 or 3" in found
    assert "pairs: M1 is in more than one group" in found


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("workers", [1, 2])
def test_same_inputs_same_backups(workers: int) -> None:
    """Two runs on the same book and scenario give the same backups (also with 2 workers)."""
    clients = []
    for m, n in (("M1", 7), ("M2", 3), ("M3", 5), ("M4", 1), ("M5", 4)):
        clients += clients_of(m, [(f"{m}C{i}", 1 + (i * 3) % 5) for i in range(n)])
    problem = make_problem(clients, [{"manager_id": m} for m in ("M1", "M2", "M3", "M4", "M5")])
    for mode in ("spread", "pairs"):
        scen = make_scenario(backup={"enabled": True, "mode": mode},
                             solver={"time_limit": 5, "workers": workers, "seed": 3})
        first, second = run(problem, scen), run(problem, scen)
        assert first.client_to_backup == second.client_to_backup
        assert first.pairs == second.pairs


# --------------------------------------------------------------------------- owner plan


def test_owner_plan_objectives_unchanged_by_backups() -> None:
    """Enabling backups leaves the owner plan and both contract objectives exactly as they were.

    Backups are chosen after the owner solve, from its result; this guards that the owner
    solve ignores the backup settings and that assigning backups never touches the owners.
    """
    solve = pytest.importorskip("rebalance.solve").solve
    from rebalance.check import check

    clients = clients_of("M1", [(f"A{i}", 1 + i % 5) for i in range(9)])
    clients += clients_of("M2", [(f"B{i}", 1 + i % 3) for i in range(3)])
    clients += [{"client_id": "N1", "industry": "A", "importance": 4, "manager": None,
                 "backup": "M2"}]
    managers = [{"manager_id": "M1"}, {"manager_id": "M2"}, {"manager_id": "M3"},
                {"manager_id": "M4", "fte": 0.5}]
    problem = make_problem(clients, managers)
    off = make_scenario(solver=dict(FAST))
    on = make_scenario(solver=dict(FAST), backup={"enabled": True, "mode": "pairs"})
    plain = solve(problem, off, build_rules(problem, off))
    rules = build_rules(problem, on)
    with_backups = solve(problem, on, rules)
    owners_before = dict(with_backups.client_to_manager)
    plan = assign_backups(problem, on, rules, with_backups.client_to_manager)
    assert dict(with_backups.client_to_manager) == owners_before == dict(plain.client_to_manager)
    assert with_backups.balance_excess == plain.balance_excess
    assert with_backups.continuity_cost == plain.continuity_cost
    verdict_off = check(problem, off, plain.client_to_manager)
    verdict_on = check(problem, on, owners_before)
    assert (verdict_on.balance_excess, verdict_on.continuity_cost) == (
        verdict_off.balance_excess, verdict_off.continuity_cost)
    assert check_backups(problem, on, rules, owners_before, plan.client_to_backup,
                         plan.pairs) == []


# --------------------------------------------------------------------------- properties


@st.composite
def deals(draw: st.DrawFn) -> tuple[list[str], dict[str, str], dict[str, int]]:
    """A group of clients with owners and backup demands that leave room for everyone."""
    owners_ = draw(st.lists(st.sampled_from(["M0", "M1", "M2", "M3", "X"]), min_size=1,
                            max_size=40))
    ids = [f"C{i:02d}" for i in range(len(owners_))]
    own = Counter(owners_)
    demand: dict[str, int] = {}
    left = len(ids)
    for b in ("M0", "M1", "M2", "M3"):
        demand[b] = draw(st.integers(0, left))
        left -= demand[b]
    demand["M3"] += left
    assume(all(demand[b] + own[b] <= len(ids) for b in demand))
    return ids, dict(zip(ids, owners_, strict=True)), demand


@settings(max_examples=150, deadline=None)
@given(deals())
def test_dealing_gives_each_backup_its_number_and_never_its_own(
        deal: tuple[list[str], dict[str, str], dict[str, int]]) -> None:
    """Whenever demand + own clients fit in the group, the dealing succeeds, exactly."""
    ids, owner_of, demand = deal
    out = deal_out(ids, owner_of, demand)
    assert sorted(out) == sorted(ids)
    assert all(out[cid] != owner_of[cid] for cid in ids)
    assert Counter(out.values()) == Counter({b: k for b, k in demand.items() if k})


INDUSTRIES = ("A", "B", "C")


@st.composite
def books(draw: st.DrawFn) -> tuple[Problem, dict[str, str]]:
    """Small random books: 2–6 managers over three industries, 1–10 clients, some backups."""
    num_managers = draw(st.integers(2, 6))
    managers = []
    for j in range(num_managers):
        inds = draw(st.lists(st.sampled_from(INDUSTRIES), min_size=1, max_size=2, unique=True))
        managers.append({"manager_id": f"M{j}", "industries": tuple(sorted(inds)),
                         "status": draw(st.sampled_from(["active", "active", "new", "leaving"])),
                         "fte": draw(st.sampled_from([0.5, 1.0, 1.0]))})
    staying = [m for m in managers if m["status"] != "leaving"]
    if not staying:
        managers[0]["status"] = "active"
        staying = [managers[0]]
    served = sorted({i for m in staying for i in m["industries"]})
    clients, owner_plan = [], {}
    for i in range(draw(st.integers(1, 10))):
        ind = draw(st.sampled_from(served))
        able = [m["manager_id"] for m in staying if ind in m["industries"]]
        cid = f"C{i}"
        clients.append({"client_id": cid, "industry": ind, "importance": draw(st.integers(1, 5)),
                        "manager": draw(st.sampled_from([m["manager_id"] for m in managers])),
                        "backup": draw(st.sampled_from([None, *(m["manager_id"]
                                                                for m in managers)]))})
        owner_plan[cid] = draw(st.sampled_from(able))
    return make_problem(clients, managers), owner_plan


def _someone_has_no_candidate(problem: Problem, scen: Scenario, owner_plan: Mapping[str, str]
                              ) -> bool:
    return any(not any(may_serve(m, c, scen.eligibility) and m.manager_id
                       != owner_plan[c.client_id] for m in problem.managers)
               for c in problem.clients)


def _min_outside(managers: Sequence[str], owned: Mapping[str, list[tuple[str, int]]],
                 allowed: Mapping[str, tuple[str, ...]], trio_left: bool) -> int:
    """Brute force: least importance left without a partner over all pairings (one trio if odd)."""
    if not managers:
        return 0
    first, rest = managers[0], list(managers[1:])

    def outside(group: Sequence[str]) -> int:
        return sum(imp for m in group for cid, imp in owned[m]
                   if not set(allowed[cid]) & (set(group) - {m}))

    best = 10**9
    for i, b in enumerate(rest):
        left = rest[:i] + rest[i + 1:]
        if len(left) % 2 == 0 or trio_left:
            best = min(best, outside((first, b)) + _min_outside(left, owned, allowed, trio_left))
        if trio_left:
            for k in range(i + 1, len(rest)):
                trio = (first, b, rest[k])
                others = [m for m in rest if m not in trio]
                best = min(best, outside(trio) + _min_outside(others, owned, allowed, False))
    return best


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=books(), mode=st.sampled_from(["spread", "pairs"]))
def test_every_backup_is_valid(book: tuple[Problem, dict[str, str]], mode: str) -> None:
    """On random small books every backup passes the checker (pairs included), pairs leave
    the least importance possible outside, and an error comes only when nobody may back up."""
    problem, owner_plan = book
    scen = scenario(mode)
    rules = build_rules(problem, scen)
    try:
        plan = assign_backups(problem, scen, rules, owner_plan)
    except BackupInfeasible:
        assert _someone_has_no_candidate(problem, scen, owner_plan)
        return
    assert not _someone_has_no_candidate(problem, scen, owner_plan)
    pairs = plan.pairs if mode == "pairs" else None
    assert check_backups(problem, scen, rules, owner_plan, plan.client_to_backup, pairs) == []
    assert sum(n for n, _ in plan.loads.values()) == problem.num_clients
    assert plan.kept <= plan.num_keepable
    if mode == "pairs" and plan.status == "OPTIMAL":
        allowed = backup_candidates(rules, owner_plan)
        owned = {m: [(cid, problem.client(cid).importance)
                     for cid, o in sorted(owner_plan.items()) if o == m]
                 for p in rules.pools for m in p.manager_ids}
        best = sum(_min_outside(list(p.manager_ids), owned, allowed, len(p.manager_ids) % 2 == 1)
                   for p in rules.pools
                   if len(p.manager_ids) >= 2 and any(owned[m] for m in p.manager_ids))
        assert sum(problem.client(cid).importance for cid in plan.outside_pairs) == best
