"""Why no plan exists: contradictions between hard rules, named with their numbers.

Two layers:

1. ``contradictions`` — cheap counting arguments, each a proof that no plan exists and
   each phrased with the numbers a planner can act on ("locks put 17 clients on KM005 but its
   capacity is 16"). The engine runs them before building a model.
2. ``explain_infeasibility`` — when the model is infeasible for a reason the counts miss, every
   rule instance (each lock, each capacity, the move caps) is switched on by an assumption
   literal; CP-SAT returns a set of assumptions that cannot hold together, which is shrunk
   (one rule left out at a time) and named.

Findings are coded (``rebalance.findings``): catalog keys (``i18n/diagnose.py``) with their
numbers; ``report.findings.render`` writes them in English or Chinese.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from rebalance.data import Client, Problem
from rebalance.exact.builder import Part, RebalanceModel
from rebalance.findings import Finding, Joined, Names, clients, finding
from rebalance.pools import Rules
from rebalance.rules import rule_of
from rebalance.scenario import Scenario

# Cores larger than this are reported as found, without shrinking them to a minimal set.
MAX_CORE_TO_SHRINK = 40
MAX_NAMED = 6  # clients named in one message before "…"


def _f(key: str, /, **values: object) -> Finding:
    """The coded finding ``diagnose.<key>``."""
    return finding(f"diagnose.{key}", **values)


def _why_not(problem: Problem, scenario: Scenario, rules: Rules, client: Client,
             manager_id: str) -> Finding | None:
    """Why a manager may not take a client, or None when it may."""
    manager = problem.manager(manager_id)
    values = {"manager": manager_id, "client": client.client_id, "industry": client.industry}
    if not manager.staying:
        return _f("why.leaving", **values)
    if scenario.eligibility == "strict" and not manager.serves(client.industry):
        return _f("why.industry", **values)
    if (client.client_id, manager_id) in rules.forbidden:
        return _f("why.forbidden", **values)
    return None


def _fixed_phrase(rules: Rules, client: Client, scenario: Scenario) -> Finding:
    cid, fixed = client.client_id, rules.fixed[client.client_id]
    if rules.fixed_reason.get(cid) == "protected":
        return _f("fixed.protected", client=cid, importance=client.importance,
                  level=scenario.continuity.protect_importance, manager=fixed)
    return _f("fixed.lock", client=cid, manager=fixed)


def contradictions(problem: Problem, scenario: Scenario, rules: Rules) -> list[Finding]:
    """Every contradiction the counting checks can prove, coded with its numbers."""
    found: list[Finding] = []
    found += _clients_without_manager(problem, scenario, rules)
    found += _fixed_to_ineligible(problem, scenario, rules)
    found += _fixed_over_capacity(problem, rules)
    found += _capacity_short(problem, rules)
    found += _forced_moves(problem, scenario, rules)
    return found


# --------------------------------------------------------------------------- counting checks


def _clients_without_manager(problem: Problem, scenario: Scenario,
                             rules: Rules) -> list[Finding]:
    out = []
    for client in problem.clients:
        if rules.eligible.get(client.client_id):
            continue
        candidates = [m.manager_id for m in problem.managers
                      if scenario.eligibility == "any" or m.serves(client.industry)]
        reasons = [r for mid in candidates
                   if (r := _why_not(problem, scenario, rules, client, mid)) is not None]
        why = (Joined(tuple(reasons)) if reasons else
               _f("nobody_serves", industry=client.industry))
        out.append(_f("no_manager", client=client.client_id, industry=client.industry, why=why))
    return out


def _fixed_to_ineligible(problem: Problem, scenario: Scenario, rules: Rules) -> list[Finding]:
    out = []
    for client in problem.clients:
        fixed = rules.fixed.get(client.client_id)
        if fixed is None or fixed in rules.eligible.get(client.client_id, ()):
            continue
        if fixed not in problem.manager_index:
            why: Finding | None = _f("why.unknown", manager=fixed)
        else:
            why = _why_not(problem, scenario, rules, client, fixed)
        head = _fixed_phrase(rules, client, scenario)
        out.append(_f("fixed_but", head=head, why=why if why else ""))
    return out


def _fixed_over_capacity(problem: Problem, rules: Rules) -> list[Finding]:
    on: dict[str, list[str]] = {}
    reasons: dict[str, set[str]] = {}
    for client in problem.clients:
        fixed = rules.fixed.get(client.client_id)
        if fixed is not None:
            on.setdefault(fixed, []).append(client.client_id)
            reasons.setdefault(fixed, set()).add(rules.fixed_reason.get(client.client_id, ""))
    out = []
    for manager in problem.managers:
        mid = manager.manager_id
        count = len(on.get(mid, ()))
        if manager.capacity is None or count <= manager.capacity:
            continue
        what = ("both" if "protected" in reasons[mid] and len(reasons[mid]) > 1 else
                "protected" if "protected" in reasons[mid] else "locks")
        out.append(_f("fixed_over_capacity", what=finding(f"diagnose.what.{what}"),
                      clients=clients(count), manager=mid, cap=manager.capacity))
    return out


def _capacity_short(problem: Problem, rules: Rules) -> list[Finding]:
    """Hall's condition on the sets of managers clients may go to (only managers with a
    capacity limit a set): per distinct eligible set, and per pool."""
    capacity = {m.manager_id: m.capacity for m in problem.managers}
    # Clients of one industry share one tuple of eligible ids: one frozenset per tuple (at
    # 200,000 clients, one each took minutes and gigabytes).
    frozen: dict[int, frozenset[str]] = {}
    eligible: dict[str, frozenset[str]] = {}
    for c in problem.clients:
        ids = rules.eligible.get(c.client_id, ())
        if id(ids) not in frozen:
            frozen[id(ids)] = frozenset(ids)
        eligible[c.client_id] = frozen[id(ids)]
    groups: list[frozenset[str]] = []
    seen: set[frozenset[str]] = set()
    for client in problem.clients:
        group = eligible[client.client_id]
        if group and group not in seen:
            seen.add(group)
            groups.append(group)
    for pool in rules.pools:
        group = frozenset(pool.manager_ids)
        if group not in seen:
            seen.add(group)
            groups.append(group)
    out = []
    for group in groups:
        if any(capacity[mid] is None for mid in group):
            continue
        room = sum(capacity[mid] or 0 for mid in group)
        inside = [c for c in problem.clients
                  if eligible[c.client_id] and eligible[c.client_id] <= group]
        if len(inside) <= room:
            continue
        industries = sorted({c.industry for c in inside})
        out.append(_f("capacity_short", clients=clients(len(inside)),
                      industries=Names(tuple(industries)),
                      managers=", ".join(sorted(group)), room=room))
    return out


def _forced_moves(problem: Problem, scenario: Scenario, rules: Rules) -> list[Finding]:
    """Moves no plan can avoid, against the move caps."""
    cap_total = scenario.continuity.max_moves
    cap_each = scenario.continuity.max_moves_per_manager
    if cap_total is None and cap_each is None:
        return []
    locked_in: dict[str, int] = {}
    for client in problem.clients:
        fixed = rules.fixed.get(client.client_id)
        if fixed is not None and fixed != client.manager:
            locked_in[fixed] = locked_in.get(fixed, 0) + 1
    held: dict[str, list[Client]] = {}
    for client in problem.clients:
        if client.manager is not None:
            held.setdefault(client.manager, []).append(client)
    forced: dict[str, list[str]] = {}  # manager -> clients that must leave it (named)
    over: dict[str, int] = {}  # manager -> further clients it must shed for its capacity
    for manager in problem.managers:
        if not manager.staying:
            continue
        mid = manager.manager_id
        mine = held.get(mid, [])
        must_go = [c.client_id for c in mine
                   if mid not in rules.eligible.get(c.client_id, ())
                   or rules.fixed.get(c.client_id, mid) != mid]
        forced[mid] = must_go
        may_stay = len(mine) - len(must_go)
        if manager.capacity is not None:
            room = max(0, manager.capacity - locked_in.get(mid, 0))
            over[mid] = max(0, may_stay - room)
    out = []
    if cap_total is not None:
        named = [cid for mid in sorted(forced) for cid in forced[mid]]
        extra = sum(over.values())
        total = len(named) + extra
        if total > cap_total:
            parts = []
            if named:
                parts.append(_f("must_go", n=len(named), names=Names(tuple(named), MAX_NAMED)))
            if extra:
                full = ", ".join(f"{mid} +{n}" for mid, n in sorted(over.items()) if n)
                parts.append(_f("over_capacity", n=extra, full=full))
            out.append(_f("max_moves", clients=clients(total), cap=cap_total,
                          parts=Joined(tuple(parts), "clauses")))
    if cap_each is not None:
        for mid in sorted(forced):
            total = len(forced[mid]) + over.get(mid, 0)
            if total > cap_each:
                names = (Names(tuple(forced[mid]), MAX_NAMED) if forced[mid] else
                         finding("diagnose.over_capacity_short"))
                out.append(_f("max_moves_per_manager", manager=mid, clients=clients(total),
                              names=names, cap=cap_each))
    return out


# --------------------------------------------------------------------------- assumptions


class _Guards:
    """The assumption literal of every rule instance, with its coded name."""

    def __init__(self, problem: Problem, scenario: Scenario, rules: Rules) -> None:
        self.problem = problem
        self.scenario = scenario
        self.rules = rules
        self.literals: list[cp_model.IntVar] = []
        self.names: list[Finding] = []

    def register(self, rule: str, key: str, literal: cp_model.IntVar) -> None:
        self.literals.append(literal)
        self.names.append(self._describe(rule, key))

    def _describe(self, rule: str, key: str) -> Finding:
        """The rule instance: the rule object's own description (``rebalance.rules``), or for
        locks and protection the phrase that names the fixed manager."""
        found = rule_of(rule)
        described = found.describe(self.problem, self.scenario, self.rules, key) if found else None
        if described is not None:
            return described
        return _fixed_phrase(self.rules, self.problem.client(key), self.scenario)


def explain_infeasibility(
    problem: Problem,
    scenario: Scenario,
    rules: Rules,
    part: Part | None = None,
    *,
    time_limit: float = 10.0,
) -> list[Finding]:
    """Name a set of rules that cannot all hold together (empty when none was found).

    ``part`` limits the model to one part of the book (None: all of it). Uses one worker:
    CP-SAT extracts assumption cores in a sequential search (and ``interleave_search``
    ignores assumptions).
    """
    guards = _Guards(problem, scenario, rules)
    built = RebalanceModel(problem, scenario, rules, part, guards=guards)
    if not guards.literals:
        return []

    deadline = time.perf_counter() + time_limit

    def infeasible(active: list[int]) -> tuple[bool, list[int]]:
        """Whether the rules in ``active`` cannot hold together, and a core among them."""
        built.model.clear_assumptions()
        built.model.add_assumptions([guards.literals[i] for i in active])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.1, deadline - time.perf_counter())
        status = solver.solve(built.model)
        if status != cp_model.INFEASIBLE:
            return False, []
        index = {guards.literals[i].index: i for i in active}
        core = [index[v] for v in solver.sufficient_assumptions_for_infeasibility()
                if v in index]
        return True, sorted(core)

    ok, core = infeasible(list(range(len(guards.literals))))
    if not ok or not core:
        return []
    if len(core) <= MAX_CORE_TO_SHRINK:  # leave one rule out at a time: a minimal set
        for i in list(core):
            if i not in core or time.perf_counter() > deadline:
                continue
            trial = [j for j in core if j != i]
            still, smaller = infeasible(trial)
            if still:
                core = smaller or trial
    names = [guards.names[i] for i in core]
    return [_f("core", rules=Joined(tuple(names), "clauses"))]
