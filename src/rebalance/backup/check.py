"""The solver-free checker of a backup plan (``check_backups``): the backups' oracle, as
``rebalance.check`` is the owner plan's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from rebalance.backup.plan import backup_loads
from rebalance.data import Client, Problem
from rebalance.pools import Rules, may_serve
from rebalance.scenario import Scenario


def check_backups(problem: Problem, scenario: Scenario, rules: Rules,
                  client_to_manager: Mapping[str, str], client_to_backup: Mapping[str, str],
                  pairs: Sequence[Sequence[str]] | None = None) -> list[str]:
    """Every way the backups break the rules, as readable lines; [] when valid. No solver.

    Checks: every client has a backup; it is a known, staying manager, not the owner, allowed
    to serve the client's industry, not a forbidden pair; ``max_per_manager`` holds. With
    ``pairs`` (a ``BackupPlan.pairs``): groups of two or three managers of one pool, disjoint,
    at most one trio per pool, and each client backed up by a partner of its owner unless no
    partner may take it. ``rules`` is used only for pools; eligibility is recomputed here.
    """
    out: list[str] = []
    forbidden = {(p.client, p.manager) for p in scenario.forbid}

    def may_back(manager_id: str, client: Client) -> bool:
        m = problem.manager(manager_id)
        return (may_serve(m, client, scenario.eligibility)
                and (client.client_id, manager_id) not in forbidden)

    for c in problem.clients:
        cid, b = c.client_id, client_to_backup.get(c.client_id)
        if b is None or b == "":
            out.append(f"{cid}: no backup manager")
            continue
        if b not in problem.manager_index:
            out.append(f"{cid}: backup {b} is not in the managers table")
            continue
        m = problem.manager(b)
        if b == client_to_manager.get(cid):
            out.append(f"{cid}: backup {b} is also its owner")
        if not m.staying:
            out.append(f"{cid}: backup {b} is leaving")
        elif not may_serve(m, c, scenario.eligibility):
            out.append(f"{cid}: backup {b} does not serve industry {c.industry}")
        if (cid, b) in forbidden:
            out.append(f"{cid}: backup {b} is a forbidden pair")
    for cid in sorted(set(client_to_backup) - set(problem.client_index)):
        out.append(f"{cid}: backup given for a client not in the clients table")
    cap = scenario.backup.max_per_manager
    if cap is not None:
        for mid, (n, _) in sorted(backup_loads(problem, client_to_backup).items()):
            if n > cap:
                out.append(f"{mid}: backs up {n} clients, more than max_per_manager {cap}")
    if pairs is None:
        return out

    partners: dict[str, set[str]] = {}
    trios: Counter[int] = Counter()
    for group in pairs:
        names = "+".join(group)
        if len(group) not in (2, 3):
            out.append(f"pairs: group {names} has {len(group)} managers, not 2 or 3")
        if len({rules.pool_of_manager.get(m, -1) for m in group}) != 1:
            out.append(f"pairs: group {names} spans more than one pool")
        if len(group) == 3:
            trios[rules.pool_of_manager.get(group[0], -1)] += 1
        for mid in group:
            if mid in partners:
                out.append(f"pairs: {mid} is in more than one group")
            partners[mid] = set(group) - {mid}
    out.extend(f"pairs: more than one trio in the pool of {', '.join(p.manager_ids)}"
               for p in rules.pools if trios[p.index] > 1)
    for c in problem.clients:
        owner, b = client_to_manager.get(c.client_id), client_to_backup.get(c.client_id)
        mates = partners.get(owner or "", set())
        able = sorted(p for p in mates if may_back(p, c))
        if able and b not in able:
            out.append(f"{c.client_id}: backup {b} is not a partner of its owner {owner} "
                       f"({', '.join(able)} may back it up)")
    return out
