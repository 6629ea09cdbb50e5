"""What a backup plan is and how it is priced: the settings' constants, ``BackupPlan``,
``BackupInfeasible``, who may back a client up, backup loads and their balance excess.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from rebalance.contract import excess
from rebalance.data import Client, Problem
from rebalance.findings import Finding
from rebalance.pools import Rules
from rebalance.scenario import Scenario

BACKUP_METRICS: tuple[str, ...] = ("clients", "importance")
SHARE_SCALE = 100  # loads and fair shares in 1/100 of a client or importance point
COEF_PRECISION = 1000  # smallest objective coefficient of a relative deviation
EVEN_SLACK = {"clients": 1, "importance": 2}  # evenness: deviations this small are free
PAIR_COST_SCALE = 1_000_000  # pairs mode: float costs of a pair or trio to integers
TIME_SHARE = 0.5  # backups get this fraction of solver.time_limit (on top of the owner solve)
MAX_TRIO_CANDIDATES = 20_000  # pools bigger than this many triples limit trio candidates
TRIO_POOL_LIMIT = 24  # ... to triples among this many managers with the smallest own load

Mode = Literal["spread", "pairs"]


class BackupInfeasible(Exception):
    """No backup plan satisfies the rules; ``findings`` say which group or client and why
    (coded: ``report.findings.render_all`` writes them in English or Chinese)."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings: list[Finding] = list(findings)
        super().__init__(", ".join(f.code for f in self.findings))


@dataclass(frozen=True)
class BackupPlan:
    """The backups of one owner plan.

    ``loads[manager_id] = (backup_clients, backup_importance)`` for every manager (leaving ones
    carry (0, 0)); ``shares[manager_id]`` the fair backup share of each (staying managers only);
    ``kept`` the clients whose existing backup was kept, out of ``num_keepable`` whose existing
    backup was still allowed; ``pairs`` the pairs and trios of ``pairs`` mode (empty in spread)
    and ``outside_pairs`` the clients no partner of their owner may take (they got a spread
    backup); ``balance_excess`` the backup balance excess (see the module docstring).
    """

    client_to_backup: Mapping[str, str]
    status: str  # OPTIMAL or FEASIBLE
    mode: str
    pairs: tuple[tuple[str, ...], ...]
    loads: Mapping[str, tuple[int, int]]
    kept: int
    wall_time: float
    shares: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    balance_excess: float = 0.0
    num_keepable: int = 0
    outside_pairs: tuple[str, ...] = ()  # pairs mode: clients no partner of the owner may take


# --------------------------------------------------------------------------- eligibility




def backup_candidates(rules: Rules, client_to_manager: Mapping[str, str]
                     ) -> dict[str, tuple[str, ...]]:
    """client_id -> managers who may back it up: ``rules.eligible`` minus the owner, sorted."""
    return {cid: tuple(m for m in eligible if m != client_to_manager.get(cid))
            for cid, eligible in rules.eligible.items()}


def backup_loads(problem: Problem, client_to_backup: Mapping[str, str]
                ) -> dict[str, tuple[int, int]]:
    """manager_id -> (backup clients, backup importance), every manager of the problem."""
    count: Counter[str] = Counter()
    importance: Counter[str] = Counter()
    for c in problem.clients:
        b = client_to_backup.get(c.client_id)
        if b is not None:
            count[b] += 1
            importance[b] += c.importance
    return {m.manager_id: (count[m.manager_id], importance[m.manager_id])
            for m in problem.managers}


def backup_excess(scenario: Scenario, rules: Rules, loads: Mapping[str, tuple[int, int]]
                 ) -> float:
    """Backup balance excess: the owner contract's formula on backup loads (clients, importance)."""
    bands = scenario.balance.bands()
    total = 0.0
    for mid, (n, imp) in sorted(loads.items()):
        for k, load in zip(BACKUP_METRICS, (n, imp), strict=True):
            share = rules.fair_share(mid, k)
            if share > 0:
                total += excess((load - share) / share, bands[k].tolerance, bands[k].weight)
    return total


def keepable_backups(problem: Problem, client_to_manager: Mapping[str, str],
                     candidates: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """client_id -> existing backup, for clients whose existing backup is still allowed."""
    return {c.client_id: c.backup for c in problem.clients
            if c.backup is not None and c.backup in candidates[c.client_id]
            and c.backup != client_to_manager[c.client_id]}


def metric_load(client: Client, metric: str) -> int:
    """A client's backup load of ``metric``: 1 client, or its importance."""
    return 1 if metric == "clients" else client.importance
