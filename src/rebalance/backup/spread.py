"""Spread mode: every client's backup chosen on its own, in groups of interchangeable clients
(``solve_spread``), with a greedy start and the dealing of counts to clients.

Integer scaling (the only place): loads and fair shares in 1/``SHARE_SCALE`` units; the
deviation |load − share| is an exact integer in those units and its relative weight
``weight_k / share`` becomes the integer ``round(scale × weight_k / share)`` with ``scale``
chosen so the smallest such coefficient is at least ``COEF_PRECISION`` (0.05 % rounding at
worst).
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from ortools.sat.python import cp_model

from rebalance.backup.diagnose import spread_failure
from rebalance.backup.plan import (
    BACKUP_METRICS,
    COEF_PRECISION,
    EVEN_SLACK,
    SHARE_SCALE,
    backup_candidates,
    keepable_backups,
)
from rebalance.backup.stages import TimeLeft, run_stages
from rebalance.data import Client, Problem
from rebalance.pools import Rules, linked_components
from rebalance.scenario import Scenario

_GroupKey = tuple[tuple[str, ...], int, str]  # (allowed backups, importance, existing or "")


def solve_spread(problem: Problem, scenario: Scenario, rules: Rules,
                 client_to_manager: Mapping[str, str],
                 allowed: Mapping[str, tuple[str, ...]], budget: TimeLeft
                ) -> tuple[dict[str, str], str]:
    """One backup per client among ``allowed`` (never its owner), staged objectives.

    Clients with the same allowed managers, importance and existing backup form one group,
    modelled by how many of them each allowed manager backs up (``n[g, b]``), at most the
    group's clients that ``b`` does not own. That bound is the whole story: a group's clients
    can be dealt out so that nobody backs up their own clients iff every manager's number
    plus the clients they own stays within the group (Hall), and ``_deal`` does it. Grouping
    removes the symmetry between interchangeable clients that makes proofs slow and keeps the
    model small on big books. Groups sharing no manager are solved apart (each pool, each
    pair in pairs mode): the staged optimum of the whole is the sum of theirs. Raises
    ``BackupInfeasible`` when impossible.
    """
    cap = scenario.backup.max_per_manager
    keepable = keepable_backups(problem, client_to_manager, allowed)
    members: dict[_GroupKey, list[str]] = defaultdict(list)
    for c in problem.clients:
        key = (allowed[c.client_id], c.importance, keepable.get(c.client_id, ""))
        members[key].append(c.client_id)
    owned = {key: Counter(client_to_manager[cid] for cid in ids) for key, ids in members.items()}
    greedy, greedy_complete = _greedy_counts(members, owned, rules, cap)
    counts: dict[tuple[_GroupKey, str], int] = {}
    status = "OPTIMAL"
    components = _components(sorted(members))
    # Each component gets time in proportion to its clients (of those still to solve).
    sizes = [sum(len(members[key]) for key in groups) for groups in components]
    for i, groups in enumerate(components):
        part_budget = budget.slice(sum(sizes[i:]) / sizes[i])
        part, part_status, failure = _solve_component(
            groups, members, owned, scenario, rules, greedy, part_budget)
        if failure == "UNKNOWN" and greedy_complete:
            # Nothing found in time: the greedy counts are valid, use them.
            part = {(key, b): greedy[(key, b)] for key in groups for b in key[0]}
            part_status = "FEASIBLE"
        elif failure:
            raise spread_failure(problem, scenario,
                                  backup_candidates(rules, client_to_manager), failure)
        counts.update(part)
        if part_status != "OPTIMAL":
            status = "FEASIBLE"
    chosen: dict[str, str] = {}
    for key, ids in members.items():
        demand = {b: counts.get((key, b), 0) for b in key[0]}
        chosen.update(deal(ids, client_to_manager, demand))
    return chosen, status


def _components(groups: Sequence[_GroupKey]) -> list[list[_GroupKey]]:
    """Groups linked by a shared manager, each component sorted, in sorted order."""
    return sorted(sorted(c) for c in linked_components(groups, lambda g: g[0]))


def _solve_component(groups: Sequence[_GroupKey], members: Mapping[_GroupKey, list[str]],
                     owned: Mapping[_GroupKey, Counter[str]], scenario: Scenario, rules: Rules,
                     hint_counts: Mapping[tuple[_GroupKey, str], int], budget: TimeLeft
                    ) -> tuple[dict[tuple[_GroupKey, str], int], str, str]:
    """The staged model for one component: ((group, manager) -> count, status, failure)."""
    bands = scenario.balance.bands()
    cap = scenario.backup.max_per_manager
    model = cp_model.CpModel()
    n: dict[tuple[_GroupKey, str], cp_model.IntVar] = {}
    by_manager: dict[str, list[tuple[int, int, cp_model.IntVar, int]]] = defaultdict(list)
    for g, key in enumerate(groups):
        cands, importance, _ = key
        size = len(members[key])
        row = []
        for b in cands:
            most = size - owned[key][b]  # b never backs up its own clients
            if cap is not None:
                most = min(most, cap)
            if most <= 0:
                continue
            var = model.new_int_var(0, most, f"n[{g},{b}]")
            n[(key, b)] = var
            by_manager[b].append((importance, most, var, hint_counts.get((key, b), 0)))
            row.append(var)
        if not row:  # e.g. max_per_manager 0: nobody may take these clients
            return {}, "OPTIMAL", "INFEASIBLE"
        model.add(sum(row) == size)

    if cap is not None:
        for mid in sorted(by_manager):
            model.add(sum(var for _, _, var, _ in by_manager[mid]) <= cap)
    terms = [(mid, k, share_q) for mid in sorted(by_manager) for k in BACKUP_METRICS
             if bands[k].weight > 0
             and (share_q := round(SHARE_SCALE * rules.fair_share(mid, k))) > 0]
    # One objective unit = 1/scale of balance excess; see the module docstring.
    scale = max((COEF_PRECISION * share_q / bands[k].weight for _, k, share_q in terms),
                default=1.0)
    balance_terms, even_terms = [], []
    # The hint covers the helper variables too, so the solver can take it as it is.
    variables: list[cp_model.IntVar] = list(n.values())
    hint = [hint_counts.get(key, 0) for key in n]
    for mid, k, share_q in terms:
        per = [(1 if k == "clients" else imp, size, var, h)
               for imp, size, var, h in by_manager[mid]]
        load = sum(w * var for w, _, var, _ in per)
        dev_max = max(SHARE_SCALE * sum(w * size for w, size, _, _ in per), share_q)
        dev_hint = abs(SHARE_SCALE * sum(w * h for w, _, _, h in per) - share_q)
        dev = model.new_int_var(0, dev_max, f"dev[{mid},{k}]")  # |load − share|, exact
        model.add(dev >= SHARE_SCALE * load - share_q)
        model.add(dev >= share_q - SHARE_SCALE * load)
        over = model.new_int_var(0, dev_max, f"over[{mid},{k}]")  # beyond the band
        model.add(over >= dev - round(bands[k].tolerance * share_q))
        # Evenness ignores the last unit or two: loads only move by whole clients, and
        # chasing the exact fractional share makes proofs slow for no planner-visible gain.
        rough = model.new_int_var(0, dev_max, f"rough[{mid},{k}]")
        model.add(rough >= dev - SHARE_SCALE * EVEN_SLACK[k])
        variables += [dev, over, rough]
        hint += [min(dev_hint, dev_max),
                 max(0, dev_hint - round(bands[k].tolerance * share_q)),
                 max(0, dev_hint - SHARE_SCALE * EVEN_SLACK[k])]
        coef = round(scale * bands[k].weight / share_q)
        balance_terms.append(coef * over)
        even_terms.append(coef * rough)

    changed = sum(imp * (len(members[key]) - n[(key, old)])
                  for key in groups for _, imp, old in (key,) if old and (key, old) in n)
    balance = sum(balance_terms)
    objectives = {
        "balance": balance,
        "keep": changed,
        "weighted": balance + round(scale * scenario.continuity.weight) * changed,
        "even": sum(even_terms),
    }
    values, status, failure = run_stages(model, variables, objectives, scenario, budget, hint,
                                          num_decisions=len(n))
    if failure:
        return {}, status, failure
    return dict(zip(n, values[:len(n)], strict=True)), status, ""


def deal(client_ids: Sequence[str], client_to_manager: Mapping[str, str],
         demand: Mapping[str, int]) -> dict[str, str]:
    """Deal a group's clients to backups so each ``b`` gets ``demand[b]``, none its own.

    Possible iff ``demand[b] + own[b] <= len(client_ids)`` for every b (checked by the model).
    Each step serves the tightest backup (largest demand + own) from the largest other owner,
    as many clients as keep every other manager within the shrinking group — which keeps the
    condition true, so the dealing never gets stuck. Clients go in id order: deterministic.
    """
    queue: dict[str, list[str]] = defaultdict(list)
    for cid in sorted(client_ids, reverse=True):
        queue[client_to_manager[cid]].append(cid)  # popped from the end: smallest id first
    own = {a: len(ids) for a, ids in queue.items()}
    need = {b: k for b, k in sorted(demand.items()) if k > 0}
    left = len(client_ids)
    out: dict[str, str] = {}
    while left:
        b = max(need, key=lambda m: need[m] + own.get(m, 0))
        a = max((m for m in sorted(own) if m != b and own[m] > 0), key=lambda m: own[m])
        others = max((need.get(m, 0) + own.get(m, 0) for m in (*need, *own)
                      if m not in (a, b)), default=0)
        k = max(1, min(need[b], own[a], left - others))
        for _ in range(k):
            out[queue[a].pop()] = b
        need[b] -= k
        own[a] -= k
        left -= k
        if not need[b]:
            del need[b]
    return out


def metric_load(client: Client, metric: str) -> int:
    """A client's backup load of ``metric``: 1 client, or its importance."""
    return 1 if metric == "clients" else client.importance


def _greedy_counts(members: Mapping[_GroupKey, list[str]], owned: Mapping[_GroupKey, Counter[str]],
                   rules: Rules, cap: int | None
                  ) -> tuple[dict[tuple[_GroupKey, str], int], bool]:
    """A quick start for the solver, in group counts: keep existing backups, then the most
    important groups first, one client at a time to the allowed manager whose load (count and
    importance, relative to fair share) stays lowest. Also says whether every client got one
    within the limits (then it is a valid fallback plan)."""
    count: Counter[str] = Counter()
    points: Counter[str] = Counter()
    out: dict[tuple[_GroupKey, str], int] = defaultdict(int)
    room = {(key, b): len(ids) - owned[key][b] for key, ids in members.items() for b in key[0]}
    complete = True

    def take(key: _GroupKey, b: str, k: int) -> None:
        out[(key, b)] += k
        room[(key, b)] -= k
        count[b] += k
        points[b] += k * key[1]

    for key in sorted(members):
        if key[2]:
            keep = min(room[(key, key[2])], len(members[key]))
            take(key, key[2], keep if cap is None else min(keep, cap - count[key[2]]))
    for key in sorted(members, key=lambda k: (-k[1], k)):
        left = len(members[key]) - sum(out[(key, b)] for b in key[0])

        def score(b: str, key: _GroupKey = key) -> tuple[float, str]:
            return (max((count[b] + 1) / (rules.fair_share(b, "clients") or 1.0),
                        (points[b] + key[1]) / (rules.fair_share(b, "importance") or 1.0)), b)

        heap = [score(b) for b in key[0]
                if room[(key, b)] > 0 and (cap is None or count[b] < cap)]
        heapq.heapify(heap)
        while left and heap:
            _, b = heapq.heappop(heap)
            take(key, b, 1)
            left -= 1
            if room[(key, b)] > 0 and (cap is None or count[b] < cap):
                heapq.heappush(heap, score(b))
        complete = complete and left == 0
    return dict(out), complete
