"""Who may serve whom, balancing pools and fair shares. Pure functions, no solver.

A *pool* is a connected group of staying managers and the clients they may serve (by industry
with ``eligibility: strict``, everyone with ``any``). Fair shares are computed inside a pool:

    fair_share(manager, metric) = pool total of metric × manager fte / pool fte

for the three metrics ``revenue``, ``importance`` (sum of client importance) and ``clients``
(number of clients). Leaving managers belong to no pool and get no share.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rebalance.data import Client, Manager, Problem
from rebalance.errors import InputError
from rebalance.io.ids import pair_issues
from rebalance.scenario import Scenario

METRICS: tuple[str, ...] = ("revenue", "importance", "clients")


def client_load(client: Client, metric: str) -> float:
    """What one client adds to a manager's load for ``metric``."""
    if metric == "revenue":
        return client.revenue
    if metric == "importance":
        return float(client.importance)
    if metric == "clients":
        return 1.0
    raise ValueError(f"unknown metric {metric!r}")


def may_serve(manager: Manager, client: Client, eligibility: str) -> bool:
    """Industry eligibility only (forbidden pairs and locks are separate rules)."""
    return manager.staying and (eligibility == "any" or manager.serves(client.industry))


@dataclass(frozen=True)
class Pool:
    """A balancing pool: its managers, its clients, and the totals shares are cut from."""

    index: int
    manager_ids: tuple[str, ...]
    client_ids: tuple[str, ...]
    industries: tuple[str, ...]
    totals: Mapping[str, float]  # metric -> pool total
    fte: float  # sum of fte of the pool's managers


@dataclass(frozen=True)
class Rules:
    """Everything the model and the checker need to know about who may serve whom.

    - ``eligible[client_id]``: managers the client may end with (industry eligibility, staying,
      not forbidden), sorted by manager id. Locks do not shrink this set: a lock outside it is a
      contradiction that the engine's diagnostics report.
    - ``fixed[client_id]``: the manager a client must end with (table lock, scenario lock, or
      protected importance while its manager stays).
    - ``fixed_reason[client_id]``: why (``locked`` / ``lock in scenario`` / ``protected``).
    """

    eligible: Mapping[str, tuple[str, ...]]
    forbidden: frozenset[tuple[str, str]]
    fixed: Mapping[str, str]
    fixed_reason: Mapping[str, str]
    pools: tuple[Pool, ...]
    pool_of_client: Mapping[str, int]
    pool_of_manager: Mapping[str, int]
    shares: Mapping[tuple[str, str], float]  # (manager_id, metric) -> fair share

    def fair_share(self, manager_id: str, metric: str) -> float:
        return self.shares.get((manager_id, metric), 0.0)


T = TypeVar("T")


def linked_components(items: Sequence[T], keys: Callable[[T], Iterable[Hashable]]
                      ) -> list[list[T]]:
    """Items linked (directly or through others) by a shared key, as components.

    Union-find over item positions; each component lists its items in input order, and the
    components come in the order of their first item. The one grouping that pools (managers by
    industry) and backup groups (by shared candidate manager) both use.
    """
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[Hashable, int] = {}
    for i, item in enumerate(items):
        for key in keys(item):
            if key in first_with:
                a, b = find(i), find(first_with[key])
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                first_with[key] = i
    out: dict[int, list[T]] = {}
    for i, item in enumerate(items):
        out.setdefault(find(i), []).append(item)
    return list(out.values())


def build_pools(problem: Problem, eligibility: str) -> tuple[Pool, ...]:
    """Connected components of staying managers and the clients they may serve."""
    staying = [m for m in problem.managers if m.staying]
    # with ``any`` every staying manager is in one pool; with ``strict`` managers that share
    # an industry group (directly or through others) are
    ordered = sorted(
        linked_components(staying, lambda m: ("*",) if eligibility == "any" else m.industries),
        key=lambda ms: min(m.manager_id for m in ms))

    # Which pools may serve a client depends only on its industry (``may_serve``): with
    # ``any`` every staying manager serves everyone, with ``strict`` the pools whose managers
    # list the industry. One pass over the clients sorts them into pools, in problem order.
    member_industries = [{ind for m in members for ind in m.industries} for members in ordered]
    pools_of_industry: dict[str, list[int]] = {}
    for index, inds in enumerate(member_industries):
        for ind in inds:
            pools_of_industry.setdefault(ind, []).append(index)
    every_pool = list(range(len(ordered)))
    pool_clients: list[list[Client]] = [[] for _ in ordered]
    for c in problem.clients:
        targets = every_pool if eligibility == "any" else pools_of_industry.get(c.industry, [])
        for index in targets:
            pool_clients[index].append(c)

    pools = []
    for index, members in enumerate(ordered):
        ids = {m.manager_id for m in members}
        industries = sorted(member_industries[index])
        clients = pool_clients[index]
        totals = {k: sum(client_load(c, k) for c in clients) for k in METRICS}
        pools.append(Pool(
            index=index,
            manager_ids=tuple(sorted(ids)),
            client_ids=tuple(c.client_id for c in clients),
            industries=tuple(industries),
            totals=totals,
            fte=sum(m.fte for m in members),
        ))
    return tuple(pools)


def fair_shares(problem: Problem, pools: tuple[Pool, ...]) -> dict[tuple[str, str], float]:
    """(manager_id, metric) -> fair share = pool total × fte / pool fte."""
    shares: dict[tuple[str, str], float] = {}
    for pool in pools:
        for mid in pool.manager_ids:
            fte = problem.manager(mid).fte
            for k in METRICS:
                shares[(mid, k)] = pool.totals[k] * fte / pool.fte if pool.fte > 0 else 0.0
    return shares


def _eligible(problem: Problem, eligibility: str,
              forbidden: frozenset[tuple[str, str]]) -> dict[str, tuple[str, ...]]:
    """client_id -> ids of the managers that ``may_serve`` it and are not forbidden, sorted.

    ``may_serve`` depends only on the client's industry, so the sorted manager ids are worked
    out once per industry (and shared between clients); forbidden pairs then drop managers
    from the few clients that have any.
    """
    staying = sorted((m for m in problem.managers if m.staying), key=lambda m: m.manager_id)
    everyone = tuple(m.manager_id for m in staying)
    by_industry: dict[str, list[str]] = {}
    for m in staying:  # in id order, so every list comes out sorted
        for ind in dict.fromkeys(m.industries):
            by_industry.setdefault(ind, []).append(m.manager_id)
    serving = {ind: tuple(ids) for ind, ids in by_industry.items()}
    forbidden_of: dict[str, set[str]] = {}
    for cid, mid in forbidden:
        forbidden_of.setdefault(cid, set()).add(mid)

    eligible: dict[str, tuple[str, ...]] = {}
    for c in problem.clients:
        ids = everyone if eligibility == "any" else serving.get(c.industry, ())
        banned = forbidden_of.get(c.client_id)
        if banned:
            ids = tuple(mid for mid in ids if mid not in banned)
        eligible[c.client_id] = ids
    return eligible


def build_rules(problem: Problem, scenario: Scenario) -> Rules:
    """Resolve eligibility, locks, forbidden pairs, protection, pools and shares.

    Raises ``InputError`` when the scenario's locks or forbidden pairs name unknown clients or
    managers, or lock a client to a leaving manager.
    """
    issues = pair_issues(scenario, problem.clients, problem.managers)
    if issues:
        raise InputError(issues)

    forbidden = frozenset((p.client, p.manager) for p in scenario.forbid)
    eligible = _eligible(problem, scenario.eligibility, forbidden)

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
    for pair in scenario.locks:  # scenario locks win over the table's
        fixed[pair.client], fixed_reason[pair.client] = pair.manager, "lock in scenario"

    pools = build_pools(problem, scenario.eligibility)
    pool_of_manager = {mid: p.index for p in pools for mid in p.manager_ids}
    pool_of_client = {cid: p.index for p in pools for cid in p.client_ids}
    return Rules(
        eligible=eligible,
        forbidden=forbidden,
        fixed=fixed,
        fixed_reason=fixed_reason,
        pools=pools,
        pool_of_client=pool_of_client,
        pool_of_manager=pool_of_manager,
        shares=fair_shares(problem, pools),
    )


def is_moved(problem: Problem, client_id: str, manager_id: str | None) -> bool:
    """A client counts as moved when its previous manager stays and it now has another."""
    prev = problem.client(client_id).manager
    if prev is None or manager_id == prev:
        return False
    return problem.manager(prev).staying


MOVE, HANDOVER, PLACEMENT = "move", "handover", "placement"
KINDS: tuple[str, ...] = (MOVE, HANDOVER, PLACEMENT)


def change_kind(problem: Problem, client_id: str, manager_id: str | None) -> str | None:
    """The kind of change a client's outcome is, or None when it keeps its manager.

    ``move``: its previous manager stays and it now has another (the only kind continuity
    cost counts, see ``is_moved``); ``handover``: its previous manager leaves;
    ``placement``: a new client (no previous manager) gets one.
    """
    prev = problem.client(client_id).manager
    if prev is None:
        return PLACEMENT if manager_id is not None else None
    if manager_id == prev:
        return None
    return MOVE if is_moved(problem, client_id, manager_id) else HANDOVER


def changed_clients(problem: Problem, client_to_manager: Mapping[str, str | None]
                    ) -> Iterator[tuple[Client, str, str]]:
    """(client, new manager, kind) of every client whose manager changes, in input order
    (a client the plan leaves without a manager is no change)."""
    for c in problem.clients:
        new = client_to_manager.get(c.client_id)
        kind = change_kind(problem, c.client_id, new)
        if kind is not None and new is not None:
            yield c, new, kind
