"""A/B roles (A/B角): a backup manager for every client, chosen after the owner plan.

The owner plan is fixed first (``rebalance.solve``); this module then gives every client a
backup (B角) without touching it, so the owner objectives are the same with or without backups.

Who may be a client's backup (``backup_candidates``): a staying manager who may serve the
client's industry (``rebalance.pools.may_serve`` under the scenario's ``eligibility``), who is
not a forbidden pair with the client, and who is not the client's owner. Forbidden pairs apply to
backups too: the stand-in looks after the client whenever the owner is away, so whatever reason
kept a manager from the client keeps them from being its B角.

Backup load of a manager = (number of clients backed up, sum of their importance). Its fair share
is the same as for ownership: pool total × fte / pool fte (``Rules.fair_share`` for the
``clients`` and ``importance`` metrics), because every client of a pool has one backup in it.

Objectives, solved in stages (each stage holds the previous optima, like the owner model):

- ``balance``: backup balance excess = Σ managers, metrics k ∈ {clients, importance} of
  ``weight_k × max(0, |load − share| / share − tolerance_k)`` with the scenario's
  ``balance.clients`` and ``balance.importance`` bands — the owner contract, on backup loads;
- ``keep``: Σ importance of clients whose existing backup (the clients table's ``backup``
  column) could have been kept but was changed — continuity for B角;
- ``even``: Σ weight_k × max(0, |load − share| − EVEN_SLACK_k) / share — spreads load evenly
  inside the bands; a deviation of one client / two importance points is free, since loads
  move in whole clients and chasing the fractional share only makes proofs slow.

``balance`` and ``keep`` follow ``scenario.priorities`` (``continuity`` means ``keep``); with
``priorities: null`` they form one weighted sum ``excess + continuity.weight × keep``. ``even``
always comes last. Modes:

- ``spread``: every client's backup is chosen on its own. Interchangeable clients (same
  allowed managers, importance and existing backup) are one group with an integer count per
  allowed manager (see ``solve_spread``); independent pools are solved apart.
- ``pairs`` (互为A/B角): the staying managers of each pool are partitioned into pairs (one trio
  when the pool has an odd number) who back each other up. A first stage ``cover`` minimises the
  importance of clients no partner of their owner may back up (a manager serving two industries
  rarely has a partner serving both); those clients — ``BackupPlan.outside_pairs`` — get a
  spread backup in their pool (the documented fallback). Then the scenario's stages, costed by
  the load each partner would carry (in a trio, clients two members may take count half to
  each); inside a trio each client's backup is chosen by the spread model. Only
  ``max_per_manager`` can make pairing impossible (``BackupInfeasible``).

Determinism: models are built in sorted order and solved with the scenario's seed, one worker or
(``solver.workers`` > 1) CP-SAT's deterministic interleaved search, so runs that prove every
stage optimal repeat exactly. A stage stopped by the wall clock may differ between runs; set
``solver.work_limit`` for runs that must repeat. Time: ``TIME_SHARE × solver.time_limit`` in
all, shared by pools (by size) and stages; when a pool finds nothing in time its greedy start is
used (still valid), status FEASIBLE.

Modules: ``plan`` (BackupPlan, loads, excess, constants), ``check`` (the solver-free
checker), ``stages`` (the staged solve on ``rebalance.staged``), ``spread`` (per-client model,
greedy start, dealing; its integer scaling), ``pairs`` (partition into pairs and trios),
``diagnose`` (why no plan exists), ``assign`` (``assign_backups``).
"""

from rebalance.backup.assign import assign_backups
from rebalance.backup.check import check_backups
from rebalance.backup.diagnose import impossible_backups
from rebalance.backup.plan import (
    BACKUP_METRICS,
    TIME_SHARE,
    BackupInfeasible,
    BackupPlan,
    Mode,
    backup_candidates,
    backup_excess,
    backup_loads,
)

__all__ = [
    "BACKUP_METRICS",
    "TIME_SHARE",
    "BackupInfeasible",
    "BackupPlan",
    "Mode",
    "assign_backups",
    "backup_candidates",
    "backup_excess",
    "backup_loads",
    "check_backups",
    "impossible_backups",
]
