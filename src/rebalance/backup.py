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
  allowed manager (see ``_solve_spread``); independent pools are solved apart.
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

Integer scaling (the only place): loads and fair shares in 1/``SHARE_SCALE`` units; the
deviation |load − share| is an exact integer in those units and its relative weight
``weight_k / share`` becomes the integer ``round(scale × weight_k / share)`` with ``scale``
chosen so the smallest such coefficient is at least ``COEF_PRECISION`` (0.05 % rounding at
worst). Pair costs (pairs mode) are floats × ``PAIR_COST_SCALE``.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Literal

from ortools.sat.python import cp_model

from rebalance.contract import excess
from rebalance.data import Client, Problem
from rebalance.i18n import both
from rebalance.pools import Rules, may_serve
from rebalance.scenario import Scenario
from rebalance.staged import Budget, new_solver, solve_stage

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
    """No backup plan satisfies the rules; ``reasons`` say which group or client and why.

    ``reasons_zh`` carries the same reasons in Chinese for ``--lang zh``.
    """

    def __init__(self, reasons: Iterable[str], reasons_zh: Iterable[str] = ()) -> None:
        self.reasons: list[str] = list(reasons)
        self.reasons_zh: list[str] = list(reasons_zh) or list(self.reasons)
        super().__init__("\n".join(self.reasons))

    def render(self, lang: str = "en") -> str:
        """The reasons as lines, in English or Chinese."""
        return "\n".join(self.reasons_zh if lang == "zh" else self.reasons)


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


# --------------------------------------------------------------------------- checker


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


# --------------------------------------------------------------------------- solving


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
    reasons, reasons_zh = _diagnose_no_candidate(problem, scenario, client_to_manager, candidates)
    if reasons:
        raise BackupInfeasible(reasons, reasons_zh)

    mode: Mode = scenario.backup.mode
    budget = _Budget.starting(scenario, start)
    groups: tuple[tuple[str, ...], ...] = ()
    pair_status = "OPTIMAL"
    outside: tuple[str, ...] = ()
    allowed: Mapping[str, tuple[str, ...]] = rules.eligible  # the owner is excluded later
    if mode == "pairs":
        groups, pair_status = _choose_pairs(problem, scenario, rules, client_to_manager,
                                            candidates, budget)
        allowed, outside = _restrict_to_groups(candidates, client_to_manager, groups)
    client_to_backup, status = _solve_spread(problem, scenario, rules, client_to_manager,
                                             allowed, budget)
    if pair_status != "OPTIMAL":
        status = pair_status
    loads = backup_loads(problem, client_to_backup)
    keepable = _keepable(problem, client_to_manager, rules.eligible)
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


def _keepable(problem: Problem, client_to_manager: Mapping[str, str],
              candidates: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """client_id -> existing backup, for clients whose existing backup is still allowed."""
    return {c.client_id: c.backup for c in problem.clients
            if c.backup is not None and c.backup in candidates[c.client_id]
            and c.backup != client_to_manager[c.client_id]}


class _Budget:
    """The wall-clock time left for the backup solves, handed out as ``staged.Budget``s.

    ``slice(parts)`` gives a sub-solve its part of the time left, so one slow stage or pool
    cannot starve the others; time a solve does not use flows on to the next.
    """

    def __init__(self, scenario: Scenario, deadline: float) -> None:
        self.scenario = scenario
        self.deadline = deadline

    @classmethod
    def starting(cls, scenario: Scenario, start: float) -> _Budget:
        return cls(scenario, start + TIME_SHARE * scenario.solver.time_limit)

    def slice(self, parts: float) -> _Budget:
        """A sub-budget with 1/parts of the time left."""
        now = time.monotonic()
        return _Budget(self.scenario, now + max(0.0, self.deadline - now) / max(1.0, parts))

    def solver(self) -> cp_model.CpSolver | None:
        """A solver with the time left, the work share and the scenario's seed and workers
        (several workers deterministic); None when no time is left."""
        left = self.deadline - time.monotonic()
        if left <= 0.005:
            return None
        settings = self.scenario.solver
        work = None if settings.work_limit is None else TIME_SHARE * settings.work_limit / 3
        return new_solver(Budget(left, work), settings.seed, settings.workers,
                          interleave=settings.workers > 1)


def _stage_names(scenario: Scenario) -> list[str]:
    """Stage order: priorities (continuity = keep) or one weighted stage, then ``even``."""
    if scenario.priorities is None:
        return ["weighted", "even"]
    names = ["keep" if p == "continuity" else "balance" for p in scenario.priorities]
    names += [n for n in ("balance", "keep") if n not in names]
    return [*names, "even"]


def _run_stages(model: cp_model.CpModel, variables: Sequence[cp_model.IntVar],
                objectives: Mapping[str, cp_model.LinearExprT], scenario: Scenario,
                budget: _Budget, hint: Sequence[int], num_decisions: int | None = None,
                first: Sequence[str] = ()) -> tuple[list[int], str, str]:
    """Minimise the objectives in stage order, holding each optimum; return values and status.

    ``first`` names stages that come before the scenario's. ``hint`` covers all
    ``variables``; later stages are hinted with the previous stage's values
    of the first ``num_decisions`` variables only (the decisions; helpers follow from them),
    which in practice lets the search move more freely.

    Returns (variable values, "OPTIMAL"/"FEASIBLE", failure) where failure is "" or, when the
    first stage found nothing, "INFEASIBLE" / "UNKNOWN" (and no values).
    """
    for var, value in zip(variables, hint, strict=True):
        model.add_hint(var, value)
    values: list[int] | None = None
    status = "OPTIMAL"
    # A constant objective (e.g. no existing backups to keep) is no stage; with none left,
    # one plain feasibility solve.
    stages: list[cp_model.LinearExpr | None] = [
        e for n in (*first, *_stage_names(scenario))
        if isinstance(e := objectives[n], cp_model.LinearExpr)] or [None]
    for i, expr in enumerate(stages):
        solver = budget.slice(len(stages) - i).solver()
        if solver is None:
            status = "FEASIBLE"
            break

        def read(solution: cp_model.CpSolver) -> None:
            nonlocal values
            values = [int(solution.value(v)) for v in variables]

        outcome = solve_stage(model, expr, solver, hold_slack=0,
                              rehint=list(variables)[:num_decisions], on_found=read)
        if not outcome.found:
            if values is None:
                failed = "INFEASIBLE" if outcome.status == cp_model.INFEASIBLE else "UNKNOWN"
                return [], status, failed
            status = "FEASIBLE"
            break
        if outcome.status == cp_model.FEASIBLE:
            status = "FEASIBLE"
    if values is None:
        return [], status, "UNKNOWN"
    return values, status, ""


_GroupKey = tuple[tuple[str, ...], int, str]  # (allowed backups, importance, existing or "")


def _solve_spread(problem: Problem, scenario: Scenario, rules: Rules,
                  client_to_manager: Mapping[str, str],
                  allowed: Mapping[str, tuple[str, ...]], budget: _Budget
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
    keepable = _keepable(problem, client_to_manager, allowed)
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
            raise _spread_failure(problem, scenario,
                                  backup_candidates(rules, client_to_manager), failure)
        counts.update(part)
        if part_status != "OPTIMAL":
            status = "FEASIBLE"
    chosen: dict[str, str] = {}
    for key, ids in members.items():
        demand = {b: counts.get((key, b), 0) for b in key[0]}
        chosen.update(_deal(ids, client_to_manager, demand))
    return chosen, status


def _components(groups: Sequence[_GroupKey]) -> list[list[_GroupKey]]:
    """Groups linked by a shared manager, each component sorted, in order of first group."""
    parent = list(range(len(groups)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[str, int] = {}
    for g, (cands, _, _) in enumerate(groups):
        for b in cands:
            if b in first_with:
                parent[find(g)] = find(first_with[b])
            else:
                first_with[b] = g
    out: dict[int, list[_GroupKey]] = defaultdict(list)
    for g, key in enumerate(groups):
        out[find(g)].append(key)
    return sorted(out.values())


def _solve_component(groups: Sequence[_GroupKey], members: Mapping[_GroupKey, list[str]],
                     owned: Mapping[_GroupKey, Counter[str]], scenario: Scenario, rules: Rules,
                     hint_counts: Mapping[tuple[_GroupKey, str], int], budget: _Budget
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
    values, status, failure = _run_stages(model, variables, objectives, scenario, budget, hint,
                                          num_decisions=len(n))
    if failure:
        return {}, status, failure
    return dict(zip(n, values[:len(n)], strict=True)), status, ""


def _deal(client_ids: Sequence[str], client_to_manager: Mapping[str, str],
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


def _metric(client: Client, metric: str) -> int:
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


# --------------------------------------------------------------------------- pairs mode


@dataclass(frozen=True)
class _Group:
    """A possible pair or trio and what choosing it would cost, stage by stage."""

    members: tuple[str, ...]
    cover: int  # importance of members' clients no other member may back up
    balance: int  # backup balance excess, × PAIR_COST_SCALE
    keep: int  # importance of keepable existing backups lost
    even: int  # relative deviation, × PAIR_COST_SCALE


def _choose_pairs(problem: Problem, scenario: Scenario, rules: Rules,
                  client_to_manager: Mapping[str, str],
                  candidates: Mapping[str, tuple[str, ...]], budget: _Budget
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
    keepable = _keepable(problem, client_to_manager, candidates)
    cap = scenario.backup.max_per_manager
    chosen: list[tuple[str, ...]] = []
    status = "OPTIMAL"
    reasons: list[str] = []
    reasons_zh: list[str] = []
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
            en, zh = _pairing_failure(pool.industries, managers, owned, cap, pool_status)
            reasons.append(en)
            reasons_zh.append(zh)
            continue
        if pool_status != "OPTIMAL":
            status = "FEASIBLE"
        chosen.extend(picked)
    if reasons:
        raise BackupInfeasible(reasons, reasons_zh)
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
                    carried[o][k] += _metric(c, k) / len(able)
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
                     budget: _Budget) -> tuple[list[tuple[str, ...]] | None, str]:
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
    values, status, failure = _run_stages(model, y, objectives, scenario, budget, hint,
                                          first=("cover",))
    if failure == "UNKNOWN" and used == set(managers):
        values, status, failure = hint, "FEASIBLE", ""
    if failure:
        return None, failure
    return [g.members for v, g in zip(values, options, strict=True) if v], status


def _restrict_to_groups(candidates: Mapping[str, tuple[str, ...]],
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


# --------------------------------------------------------------------------- diagnostics


def impossible_backups(problem: Problem, scenario: Scenario,
                       rules: Rules) -> tuple[list[str], list[str]]:
    """Before any plan: clients no plan can give a backup (fewer than two managers may serve
    them, e.g. a single-manager industry group), as (en, zh) reasons."""
    # no eligible manager at all is a contradiction of its own (diagnose.contradictions)
    lone = {cid: eligible for cid, eligible in rules.eligible.items() if len(eligible) == 1}
    if not lone:
        return [], []
    owners = {cid: eligible[0] for cid, eligible in lone.items()}
    candidates = {cid: () if cid in lone else ("?",) for cid in rules.eligible}
    return _diagnose_no_candidate(problem, scenario, owners, candidates)


def _diagnose_no_candidate(problem: Problem, scenario: Scenario,
                           client_to_manager: Mapping[str, str],
                           candidates: Mapping[str, tuple[str, ...]]
                           ) -> tuple[list[str], list[str]]:
    """Clients nobody may back up, grouped by industry where a lone manager is the cause."""
    stuck = [c for c in problem.clients if not candidates[c.client_id]]
    en: list[str] = []
    zh: list[str] = []
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
            pair = both(key, manager=lone, n=total, industry=industry)
            en.append(pair[0])
            zh.append(pair[1])
            continue
        for c in clients:
            owner = client_to_manager[c.client_id]
            others = ", ".join(m for m in serving if m != owner)
            pair = both("backup.all_forbidden", client=c.client_id, industry=industry,
                        owner=owner, others=others)
            en.append(pair[0])
            zh.append(pair[1])
    return en, zh


def _spread_failure(problem: Problem, scenario: Scenario,
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
            shown = ", ".join(clients[:8]) + (" …" if len(clients) > 8 else "")
            industries = ", ".join(sorted({problem.client(c).industry for c in clients}))
            names = ", ".join(managers) or "nobody"
            return _infeasible("backup.too_tight", cap=cap, n=len(clients),
                               industries=industries, shown=shown, names=names,
                               most=cap * len(managers))
    return _infeasible("backup.unsatisfiable", mode=scenario.backup.mode, cap=cap)


def _infeasible(key: str, **values: object) -> BackupInfeasible:
    """One reason from the catalog, in both languages."""
    en, zh = both(key, **values)
    return BackupInfeasible([en], [zh])


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


def _pairing_failure(industries: Sequence[str], managers: Sequence[str],
                     owned: Mapping[str, Sequence[Client]], cap: int | None,
                     failure: str) -> tuple[str, str]:
    """Why a pool's managers could not be grouped (only ``max_per_manager`` or time can)."""
    group_names = ", ".join(industries)
    if failure != "INFEASIBLE":
        return both("backup.pairs_no_time", group=group_names)
    big = ", ".join(f"{m} ({len(owned[m])})" for m in managers
                    if cap is not None and len(owned[m]) > cap)
    detail = both("backup.pairs_cap.detail", big=big) if big else ("", "")
    en, _ = both("backup.pairs_cap", group=group_names, n=len(managers), cap=cap,
                 detail=detail[0])
    _, zh = both("backup.pairs_cap", group=group_names, n=len(managers), cap=cap,
                 detail=detail[1])
    return en, zh
