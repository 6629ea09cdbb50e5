"""``assign_backups``: the backups of an owner plan, spread or in pairs.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from rebalance.backup.diagnose import diagnose_no_candidate
from rebalance.backup.pairs import choose_pairs, restrict_to_groups
from rebalance.backup.plan import (
    BackupInfeasible,
    BackupPlan,
    Mode,
    backup_candidates,
    backup_excess,
    backup_loads,
    keepable_backups,
)
from rebalance.backup.spread import solve_spread
from rebalance.backup.stages import TimeLeft
from rebalance.data import Problem
from rebalance.pools import Rules
from rebalance.scenario import Scenario


def assign_backups(problem: Problem, scenario: Scenario, rules: Rules,
                   client_to_manager: Mapping[str, str]) -> BackupPlan:
    """Give every client a backup manager for the owner plan ``client_to_manager``.

    Uses ``scenario.backup.mode`` and ``max_per_manager`` (``enabled`` is the caller's switch).
    Raises ``BackupInfeasible`` naming the group or client when no valid plan exists, and
    ``ValueError`` when the owner plan leaves a client without a known, staying owner.
    """
    start = time.monotonic()
    _require_owner_plan(problem, client_to_manager)
    candidates = backup_candidates(rules, client_to_manager)
    reasons = diagnose_no_candidate(problem, scenario, client_to_manager, candidates)
    if reasons:
        raise BackupInfeasible(reasons)

    mode: Mode = scenario.backup.mode
    budget = TimeLeft.starting(scenario, start)
    groups: tuple[tuple[str, ...], ...] = ()
    pair_status = "OPTIMAL"
    outside: tuple[str, ...] = ()
    allowed: Mapping[str, tuple[str, ...]] = rules.eligible  # the owner is excluded later
    if mode == "pairs":
        groups, pair_status = choose_pairs(problem, scenario, rules, client_to_manager,
                                            candidates, budget)
        allowed, outside = restrict_to_groups(candidates, client_to_manager, groups)
    client_to_backup, status = solve_spread(problem, scenario, rules, client_to_manager,
                                             allowed, budget)
    if pair_status != "OPTIMAL":
        status = pair_status
    loads = backup_loads(problem, client_to_backup)
    keepable = keepable_backups(problem, client_to_manager, rules.eligible)
    shares = {mid: (rules.fair_share(mid, "clients"), rules.fair_share(mid, "importance"))
              for p in rules.pools for mid in p.manager_ids}
    return BackupPlan(
        client_to_backup=dict(sorted(client_to_backup.items())),
        status=status,
        mode=mode,
        pairs=groups,
        loads=loads,
        kept=sum(1 for cid, old in keepable.items() if client_to_backup[cid] == old),
        wall_time=time.monotonic() - start,
        shares=dict(sorted(shares.items())),
        balance_excess=backup_excess(scenario, rules, loads),
        num_keepable=len(keepable),
        outside_pairs=outside,
    )


def _require_owner_plan(problem: Problem, client_to_manager: Mapping[str, str]) -> None:
    bad = []
    for c in problem.clients:
        owner = client_to_manager.get(c.client_id)
        if owner is None or owner not in problem.manager_index:
            bad.append(f"{c.client_id} (owner {owner!r} unknown)")
        elif not problem.manager(owner).staying:
            bad.append(f"{c.client_id} (owner {owner} is leaving)")
    if bad:
        raise ValueError("the owner plan must give every client a staying manager before "
                         "backups are chosen: " + ", ".join(bad[:10])
                         + (f" and {len(bad) - 10} more" if len(bad) > 10 else ""))
