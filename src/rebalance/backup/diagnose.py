"""Why no backup plan exists, as coded findings: lone managers, forbidden pairs, a
``max_per_manager`` too tight for a set of clients (a min cut), pairs that cannot be formed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from rebalance.backup.plan import TIME_SHARE, BackupInfeasible
from rebalance.data import Client, Problem
from rebalance.findings import Finding, Names, finding
from rebalance.pools import Rules, may_serve
from rebalance.scenario import Scenario


def impossible_backups(problem: Problem, scenario: Scenario,
                       rules: Rules) -> list[Finding]:
    """Before any plan: clients no plan can give a backup (fewer than two managers may serve
    them, e.g. a single-manager industry group)."""
    # no eligible manager at all is a contradiction of its own (diagnose.contradictions)
    lone = {cid: eligible for cid, eligible in rules.eligible.items() if len(eligible) == 1}
    if not lone:
        return []
    owners = {cid: eligible[0] for cid, eligible in lone.items()}
    candidates = {cid: () if cid in lone else ("?",) for cid in rules.eligible}
    return diagnose_no_candidate(problem, scenario, owners, candidates)


def diagnose_no_candidate(problem: Problem, scenario: Scenario,
                          client_to_manager: Mapping[str, str],
                          candidates: Mapping[str, tuple[str, ...]]
                         ) -> list[Finding]:
    """Clients nobody may back up, grouped by industry where a lone manager is the cause."""
    stuck = [c for c in problem.clients if not candidates[c.client_id]]
    out: list[Finding] = []
    by_industry: dict[str, list[Client]] = defaultdict(list)
    for c in stuck:
        by_industry[c.industry].append(c)
    for industry in sorted(by_industry):
        clients = by_industry[industry]
        serving = sorted(m.manager_id for m in problem.managers
                         if may_serve(m, clients[0], scenario.eligibility))
        if len(serving) == 1:
            lone = serving[0]
            total = sum(1 for c in problem.clients if c.industry == industry)
            key = "backup.lone_any" if scenario.eligibility == "any" else "backup.lone_industry"
            out.append(finding(key, manager=lone, n=total, industry=industry))
            continue
        for c in clients:
            owner = client_to_manager[c.client_id]
            others = Names(tuple(m for m in serving if m != owner))
            out.append(finding("backup.all_forbidden", client=c.client_id, industry=industry,
                               owner=owner, others=others))
    return out


def spread_failure(problem: Problem, scenario: Scenario,
                   candidates: Mapping[str, tuple[str, ...]], failure: str) -> BackupInfeasible:
    """Explain why one-backup-per-client failed: a set of clients max_per_manager cannot hold."""
    cap = scenario.backup.max_per_manager
    if failure != "INFEASIBLE":
        limit = TIME_SHARE * scenario.solver.time_limit
        return _infeasible("backup.no_time", limit=limit)
    if cap is not None:
        hall = _hall_violator(problem, candidates, cap)
        if hall is not None:
            clients, managers = hall
            shown = Names(tuple(clients), 8)
            industries = Names(tuple(sorted({problem.client(c).industry for c in clients})))
            names = Names(tuple(managers)) if managers else finding("findings.nobody")
            return _infeasible("backup.too_tight", cap=cap, n=len(clients),
                               industries=industries, shown=shown, names=names,
                               most=cap * len(managers))
    return _infeasible("backup.unsatisfiable", mode=scenario.backup.mode, cap=cap)


def _infeasible(key: str, **values: object) -> BackupInfeasible:
    """One coded reason."""
    return BackupInfeasible([finding(key, **values)])


def _hall_violator(problem: Problem, candidates: Mapping[str, tuple[str, ...]], cap: int
                  ) -> tuple[list[str], list[str]] | None:
    """Clients whose candidates cannot hold them all under ``cap`` (a min cut), or None.

    Max flow source → candidate set (its number of clients) → manager (cap) → sink, on clients
    grouped by candidate set so the graph stays small. The clients left on the source side of
    the min cut, and the managers they reach, are the smallest story of why it fails.
    """
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for cid in sorted(candidates):
        groups[candidates[cid]].append(cid)
    sets = sorted(groups)
    managers = sorted({m for s in sets for m in s})
    source, sink = "S", "T"
    cap_edge: dict[tuple[str, str], int] = defaultdict(int)
    adj: dict[str, set[str]] = defaultdict(set)

    def edge(u: str, v: str, c: int) -> None:
        cap_edge[(u, v)] += c
        adj[u].add(v)
        adj[v].add(u)

    big = len(candidates) + 1
    for i, s in enumerate(sets):
        edge(source, f"g{i}", len(groups[s]))
        for m in s:
            edge(f"g{i}", f"m:{m}", big)
    for m in managers:
        edge(f"m:{m}", sink, cap)
    flow = 0
    while True:
        parent = {source: source}
        queue = [source]
        for u in queue:
            for v in sorted(adj[u]):
                if v not in parent and cap_edge[(u, v)] > 0:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            break
        path, v = [], sink
        while v != source:
            path.append((parent[v], v))
            v = parent[v]
        push = min(cap_edge[e] for e in path)
        for u, v in path:
            cap_edge[(u, v)] -= push
            cap_edge[(v, u)] += push
        flow += push
    if flow >= len(candidates):
        return None
    side = set(parent)
    clients = sorted(cid for i, s in enumerate(sets) if f"g{i}" in side for cid in groups[s])
    reached = sorted(m for m in managers if f"m:{m}" in side)
    return clients, reached


def pairing_failure(industries: Sequence[str], managers: Sequence[str],
                    owned: Mapping[str, Sequence[Client]], cap: int | None,
                    failure: str) -> Finding:
    """Why a pool's managers could not be grouped (only ``max_per_manager`` or time can)."""
    group_names = Names(tuple(industries))
    if failure != "INFEASIBLE":
        return finding("backup.pairs_no_time", group=group_names)
    big = Names(tuple(f"{m} ({len(owned[m])})" for m in managers
                      if cap is not None and len(owned[m]) > cap))
    detail = finding("backup.pairs_cap.detail", big=big) if big.ids else ""
    return finding("backup.pairs_cap", group=group_names, n=len(managers), cap=cap,
                   detail=detail)
