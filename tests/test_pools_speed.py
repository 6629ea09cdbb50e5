"""``build_rules`` works eligibility out per industry; it must equal the plain
client × manager ``may_serve`` loop it replaced, field by field and in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest

from rebalance.data import Manager, Problem
from rebalance.errors import InputError, Issue
from rebalance.io.read import load_book
from rebalance.pools import (
    METRICS,
    Pool,
    Rules,
    build_pools,
    build_rules,
    client_load,
    fair_shares,
    may_serve,
)
from rebalance.scenario import Pair, Scenario, load_scenario, with_overrides

from helpers import benchmark_generator, make_problem, make_scenario, random_problem

ROOT = Path(__file__).resolve().parents[1]


generate = benchmark_generator()


# --------------------------------------------------------------------------- the reference


def reference_pools(problem: Problem, eligibility: str) -> tuple[Pool, ...]:
    """Pools as they were first written: every client tested against every pool member."""
    staying = [m for m in problem.managers if m.staying]
    parent = {m.manager_id: m.manager_id for m in staying}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    if eligibility == "any":
        for m in staying[1:]:
            union(staying[0].manager_id, m.manager_id)
    else:
        first: dict[str, str] = {}
        for m in staying:
            for ind in m.industries:
                if ind in first:
                    union(first[ind], m.manager_id)
                else:
                    first[ind] = m.manager_id
    groups: dict[str, list[Manager]] = {}
    for m in staying:
        groups.setdefault(find(m.manager_id), []).append(m)
    ordered = sorted(groups.values(), key=lambda ms: min(m.manager_id for m in ms))
    pools = []
    for index, members in enumerate(ordered):
        clients = [c for c in problem.clients
                   if any(may_serve(m, c, eligibility) for m in members)]
        pools.append(Pool(
            index=index,
            manager_ids=tuple(sorted(m.manager_id for m in members)),
            client_ids=tuple(c.client_id for c in clients),
            industries=tuple(sorted({ind for m in members for ind in m.industries})),
            totals={k: sum(client_load(c, k) for c in clients) for k in METRICS},
            fte=sum(m.fte for m in members),
        ))
    return tuple(pools)


def reference_rules(problem: Problem, scenario: Scenario) -> Rules:
    """``build_rules`` as it was first written (client × manager ``may_serve`` loop)."""
    where = str(scenario.source) if scenario.source else "scenario"
    issues: list[Issue] = []
    for section, pairs in (("locks", scenario.locks), ("forbid", scenario.forbid)):
        for n, pair in enumerate(pairs, start=1):
            if pair.client not in problem.client_index:
                issues.append(Issue(f"{section} entry {n} names client {pair.client!r}, "
                                    f"which is not in the clients table", file=where))
            if pair.manager not in problem.manager_index:
                issues.append(Issue(f"{section} entry {n} names manager {pair.manager!r}, "
                                    f"which is not in the managers table", file=where))
            elif section == "locks" and not problem.manager(pair.manager).staying:
                issues.append(Issue(f"locks entry {n} puts client {pair.client!r} on manager "
                                    f"{pair.manager!r}, who is leaving", file=where))
    if issues:
        raise InputError(issues)
    forbidden = frozenset((p.client, p.manager) for p in scenario.forbid)
    eligible = {
        c.client_id: tuple(sorted(
            m.manager_id for m in problem.managers
            if may_serve(m, c, scenario.eligibility)
            and (c.client_id, m.manager_id) not in forbidden
        ))
        for c in problem.clients
    }
    fixed: dict[str, str] = {}
    fixed_reason: dict[str, str] = {}
    protect = scenario.continuity.protect_importance
    for c in problem.clients:
        current = problem.manager(c.manager) if c.manager else None
        if c.locked and c.manager:
            fixed[c.client_id], fixed_reason[c.client_id] = c.manager, "locked"
        elif (protect is not None and current is not None and current.staying
              and c.importance >= protect):
            fixed[c.client_id], fixed_reason[c.client_id] = c.manager or "", "protected"
    for pair in scenario.locks:
        fixed[pair.client], fixed_reason[pair.client] = pair.manager, "lock in scenario"
    pools = reference_pools(problem, scenario.eligibility)
    return Rules(
        eligible=eligible,
        forbidden=forbidden,
        fixed=fixed,
        fixed_reason=fixed_reason,
        pools=pools,
        pool_of_client={cid: p.index for p in pools for cid in p.client_ids},
        pool_of_manager={mid: p.index for p in pools for mid in p.manager_ids},
        shares=fair_shares(problem, pools),
    )


def assert_same_rules(got: Rules, want: Rules) -> None:
    """Equal field by field, mappings in the same key order, pools exactly (floats too)."""
    assert list(got.eligible.items()) == list(want.eligible.items())
    assert got.forbidden == want.forbidden
    assert list(got.fixed.items()) == list(want.fixed.items())
    assert list(got.fixed_reason.items()) == list(want.fixed_reason.items())
    assert len(got.pools) == len(want.pools)
    for p, q in zip(got.pools, want.pools, strict=True):
        assert (p.index, p.manager_ids, p.client_ids, p.industries, p.fte) == \
            (q.index, q.manager_ids, q.client_ids, q.industries, q.fte)
        assert list(p.totals.items()) == list(q.totals.items())
    assert got.pools == want.pools
    assert list(got.pool_of_client.items()) == list(want.pool_of_client.items())
    assert list(got.pool_of_manager.items()) == list(want.pool_of_manager.items())
    assert list(got.shares.items()) == list(want.shares.items())
    assert got == want


def check_both_modes(problem: Problem, scenario: Scenario) -> None:
    for eligibility in ("strict", "any"):
        scen = scenario.model_copy(update={"eligibility": eligibility})
        assert_same_rules(build_rules(problem, scen), reference_rules(problem, scen))
        assert build_pools(problem, eligibility) == reference_pools(problem, eligibility)


# --------------------------------------------------------------------------- books


def test_baseline_rules_equal_the_reference() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    problem, rules = load_book(scenario)
    assert_same_rules(rules, reference_rules(problem, scenario))
    anyone = with_overrides(scenario, ["eligibility=any"])
    assert_same_rules(build_rules(problem, anyone), reference_rules(problem, anyone))
    check_both_modes(problem, scenario)


def test_baseline_with_locks_forbids_and_protection_equals_the_reference() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    problem, _ = load_book(scenario)
    clients, managers = problem.clients, problem.managers
    forbid = tuple(Pair(client=c.client_id, manager=m.manager_id)
                   for c in clients[::9] for m in managers[::5])
    locks = tuple(Pair(client=c.client_id, manager=managers[i % len(managers)].manager_id)
                  for i, c in enumerate(clients[::17]))
    scen = scenario.model_copy(update={
        "forbid": forbid, "locks": locks,
        "continuity": scenario.continuity.model_copy(update={"protect_importance": 4}),
    })
    check_both_modes(problem, scen)


@pytest.mark.parametrize("size", [(173, 18), (600, 60)])
@pytest.mark.parametrize("seed", [0, 1])
def test_generated_books_equal_the_reference(size: tuple[int, int], seed: int) -> None:
    book = generate.generate_book(size, seed)
    assert any(not m.staying for m in book.problem.managers)
    check_both_modes(book.problem, book.scenario)
    anyone = with_overrides(book.scenario, ["eligibility=any"])
    assert_same_rules(build_rules(book.problem, anyone),
                      reference_rules(book.problem, anyone))
    # Small books may draw no forbidden pair: add some (a client may have several).
    problem = book.problem
    extra = tuple(Pair(client=c.client_id, manager=m.manager_id)
                  for c in problem.clients[seed::11] for m in problem.managers[seed::4])
    check_both_modes(problem, book.scenario.model_copy(
        update={"forbid": book.scenario.forbid + extra}))


@pytest.mark.parametrize("seed", range(4))
def test_random_books_with_leaving_managers_equal_the_reference(seed: int) -> None:
    problem = random_problem(seed, 120, 14, num_new_clients=6, leaving=3, dual_industry=4)
    forbid = tuple(Pair(client=c.client_id, manager=m.manager_id)
                   for c in problem.clients[seed::7] for m in problem.managers[seed::3])
    check_both_modes(problem, make_scenario(forbid=forbid))


def test_odd_managers_equal_the_reference() -> None:
    """Ids out of order, a repeated industry, a leaving manager who alone lists an industry,
    a client forbidden from every manager, several pools."""
    problem = make_problem(
        clients=[
            {"client_id": "c3", "industry": "A", "manager": "m9"},
            {"client_id": "c1", "industry": "B", "manager": "m2", "importance": 5},
            {"client_id": "c2", "industry": "C", "locked": True, "manager": "m10"},
            {"client_id": "c0", "industry": "A"},
            {"client_id": "c4", "industry": "D", "manager": "m1"},
        ],
        managers=[
            {"manager_id": "m9", "industries": ("A", "A")},
            {"manager_id": "m2", "industry": "B;A", "fte": 0.5},
            {"manager_id": "m10", "industry": "C"},
            {"manager_id": "m1", "industry": "D;E", "status": "leaving"},
            {"manager_id": "m0", "industry": "D", "status": "new"},
            {"manager_id": "m3", "industry": "E;A", "status": "leaving"},
        ],
    )
    forbid = [{"client": "c0", "manager": m} for m in ("m9", "m2", "m10", "m0", "m1")]
    scenario = make_scenario(forbid=forbid, locks=[{"client": "c4", "manager": "m0"}],
                             continuity={"protect_importance": 5})
    check_both_modes(problem, scenario)
    rules = build_rules(problem, scenario)
    assert rules.eligible["c0"] == ()
    assert rules.eligible["c3"] == ("m2", "m9")


def test_bad_locks_and_forbids_give_the_same_errors() -> None:
    problem = random_problem(0, 30, 8, leaving=1)
    leaving = next(m.manager_id for m in problem.managers if not m.staying)
    scenario = make_scenario(
        locks=[{"client": "nobody", "manager": "M001"},
               {"client": problem.clients[0].client_id, "manager": leaving},
               {"client": "ghost", "manager": "MX"}],
        forbid=[{"client": problem.clients[1].client_id, "manager": "MY"},
                {"client": "ghost", "manager": leaving}],
    )
    with pytest.raises(InputError) as got:
        build_rules(problem, scenario)
    with pytest.raises(InputError) as want:
        reference_rules(problem, scenario)
    assert [str(i) for i in got.value.issues] == [str(i) for i in want.value.issues]
    assert got.value.issues == want.value.issues
    assert len(got.value.issues) == 6
