"""Pairs mode (互为A/B角): each pool's staying managers partitioned into pairs (one trio in an
odd pool) who back each other up (``choose_pairs``); pair costs are floats ×
``PAIR_COST_SCALE``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from ortools.sat.python import cp_model

from rebalance.backup.diagnose import pairing_failure
from rebalance.backup.plan import (
    BACKUP_METRICS,
    MAX_TRIO_CANDIDATES,
    PAIR_COST_SCALE,
    TRIO_POOL_LIMIT,
    BackupInfeasible,
    keepable_backups,
    metric_load,
)
from rebalance.backup.stages import TimeLeft, run_stages
from rebalance.contract import excess
from rebalance.data import Client, Problem
from rebalance.findings import Finding
from rebalance.pools import Rules
from rebalance.scenario import Scenario


@dataclass(frozen=True)
class _Group:
    """A possible pair or trio and what choosing it would cost, stage by stage."""

    members: tuple[str, ...]
    cover: int  # importance of members' clients no other member may back up
    balance: int  # backup balance excess, × PAIR_COST_SCALE
    keep: int  # importance of keepable existing backups lost
    even: int  # relative deviation, × PAIR_COST_SCALE


def choose_pairs(problem: Problem, scenario: Scenario, rules: Rules,
                 client_to_manager: Mapping[str, str],
                 candidates: Mapping[str, tuple[str, ...]], budget: TimeLeft
                ) -> tuple[tuple[tuple[str, ...], ...], str]:
    """Partition each pool's staying managers into pairs (one trio if odd).

    Any two (three) managers of a pool may be grouped; the first stage ``cover`` minimises the
    importance of clients whose owner's partners may not back them up (they fall back to a
    spread backup), then the scenario's stages. Raises only when ``max_per_manager`` leaves no
    partition.
    """
    owned: dict[str, list[Client]] = defaultdict(list)
    for c in problem.clients:
        owned[client_to_manager[c.client_id]].append(c)
    allowed = {cid: frozenset(cands) for cid, cands in candidates.items()}
    keepable = keepable_backups(problem, client_to_manager, candidates)
    cap = scenario.backup.max_per_manager
    chosen: list[tuple[str, ...]] = []
    status = "OPTIMAL"
    reasons: list[Finding] = []
    # Pools with nothing to back up need no pairs (a lone manager with clients was reported
    # earlier); pairing gets half the time left, shared by the pools, the rest is for trios.
    to_pair = [p for p in rules.pools
               if len(p.manager_ids) >= 2 and any(owned[m] for m in p.manager_ids)]
    pairing_budget = budget.slice(2)
    for i, pool in enumerate(to_pair):
        managers = pool.manager_ids
        shapes: list[tuple[str, ...]] = list(combinations(managers, 2))
        if len(managers) % 2 == 1:
            trio_pool = managers
            if math.comb(len(managers), 3) > MAX_TRIO_CANDIDATES:
                trio_pool = tuple(sorted(sorted(
                    managers, key=lambda m: (len(owned[m]), m))[:TRIO_POOL_LIMIT]))
            shapes += combinations(trio_pool, 3)
        options = [g for shape in shapes
                   if (g := _cost_group(shape, scenario, rules, owned, allowed, keepable, cap))]
        picked, pool_status = _solve_partition(managers, options, scenario,
                                               pairing_budget.slice(len(to_pair) - i))
        if picked is None:
            reasons.append(pairing_failure(pool.industries, managers, owned, cap,
                                           pool_status))
            continue
        if pool_status != "OPTIMAL":
            status = "FEASIBLE"
        chosen.extend(picked)
    if reasons:
        raise BackupInfeasible(reasons)
    return tuple(sorted(chosen)), status


def _cost_group(members: tuple[str, ...], scenario: Scenario, rules: Rules,
                owned: Mapping[str, Sequence[Client]], allowed: Mapping[str, frozenset[str]],
                keepable: Mapping[str, str], cap: int | None) -> _Group | None:
    """What a pair or trio would cost, or None when a partner would exceed ``cap``.

    Each member carries the clients of the others that it may back up (a client two trio
    members may take counts half to each); clients nobody in the group may take are ``cover``.
    """
    bands = scenario.balance.bands()
    carried: dict[str, dict[str, float]] = {m: dict.fromkeys(BACKUP_METRICS, 0.0)
                                            for m in members}
    cover = lost = 0
    for owner in members:
        others = [o for o in members if o != owner]
        for c in owned[owner]:
            able = [o for o in others if o in allowed[c.client_id]]
            if not able:
                cover += c.importance
                continue
            for o in able:
                for k in BACKUP_METRICS:
                    carried[o][k] += metric_load(c, k) / len(able)
            old = keepable.get(c.client_id)
            if old is not None and old not in others:
                lost += c.importance
    if cap is not None and any(carried[m]["clients"] > cap + 1e-9 for m in members):
        return None
    balance = even = 0.0
    for m in members:
        for k in BACKUP_METRICS:
            share = rules.fair_share(m, k)
            if share > 0:
                rel = abs(carried[m][k] - share) / share
                balance += excess(rel, bands[k].tolerance, bands[k].weight)
                even += bands[k].weight * rel
    return _Group(members, cover, round(PAIR_COST_SCALE * balance), lost,
                  round(PAIR_COST_SCALE * even))


def _solve_partition(managers: Sequence[str], options: Sequence[_Group], scenario: Scenario,
                     budget: TimeLeft) -> tuple[list[tuple[str, ...]] | None, str]:
    """Exact cover of ``managers`` by the options, staged objectives; None when impossible."""
    if not options:
        return None, "INFEASIBLE"
    model = cp_model.CpModel()
    y = [model.new_bool_var(f"group[{'+'.join(g.members)}]") for g in options]
    for m in managers:
        model.add_exactly_one(v for v, g in zip(y, options, strict=True) if m in g.members)
    model.add(sum(v for v, g in zip(y, options, strict=True) if len(g.members) == 3)
              == len(managers) % 2)  # one trio in an odd pool, none in an even one
    keep_weight = round(PAIR_COST_SCALE * scenario.continuity.weight)
    objectives = {
        "cover": sum(g.cover * v for v, g in zip(y, options, strict=True)),
        "balance": sum(g.balance * v for v, g in zip(y, options, strict=True)),
        "keep": sum(g.keep * v for v, g in zip(y, options, strict=True)),
        "weighted": sum((g.balance + keep_weight * g.keep) * v
                        for v, g in zip(y, options, strict=True)),
        "even": sum(g.even * v for v, g in zip(y, options, strict=True)),
    }
    # Hint: the cheapest trio (odd pools), then the cheapest disjoint pairs. When every pair
    # is an option this is a whole partition, and the fallback if nothing better comes in time.
    hint = [0] * len(y)
    used: set[str] = set()
    order = sorted(range(len(options)), key=lambda j: (
        len(options[j].members) == 2, options[j].cover, options[j].balance, options[j].even,
        options[j].members))
    trio_left = len(managers) % 2 == 1
    for j in order:
        if len(options[j].members) == 3 and not trio_left:
            continue
        if used.isdisjoint(options[j].members):
            hint[j] = 1
            used.update(options[j].members)
            trio_left = trio_left and len(options[j].members) == 2
    values, status, failure = run_stages(model, y, objectives, scenario, budget, hint,
                                          first=("cover",))
    if failure == "UNKNOWN" and used == set(managers):
        values, status, failure = hint, "FEASIBLE", ""
    if failure:
        return None, failure
    return [g.members for v, g in zip(values, options, strict=True) if v], status


def restrict_to_groups(candidates: Mapping[str, tuple[str, ...]],
                       client_to_manager: Mapping[str, str],
                       groups: Sequence[tuple[str, ...]]
                      ) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    """In pairs mode a client's backup is one of its owner's partners; when no partner may
    take it, any candidate (the fallback). Returns the allowed backups and those clients."""
    partners = {m: set(g) - {m} for g in groups for m in g}
    allowed: dict[str, tuple[str, ...]] = {}
    outside: list[str] = []
    for cid, cands in sorted(candidates.items()):
        mine = tuple(b for b in cands if b in partners.get(client_to_manager[cid], ()))
        allowed[cid] = mine or cands
        if not mine:
            outside.append(cid)
    return allowed, tuple(outside)
