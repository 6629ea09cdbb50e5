"""Why no plan exists: contradictions between hard rules, named with their numbers.

Two layers:

1. ``find_contradictions`` — cheap counting arguments, each a proof that no plan exists and
   each phrased with the numbers a planner can act on ("locks put 17 clients on KM005 but its
   capacity is 16"). The engine runs them before building a model.
2. ``explain_infeasibility`` — when the model is infeasible for a reason the counts miss, every
   rule instance (each lock, each capacity, the move caps) is switched on by an assumption
   literal; CP-SAT returns a set of assumptions that cannot hold together, which is shrunk
   (one rule left out at a time) and named.

Messages come in English and Chinese (``lang="zh"``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rebalance.data import Client, Problem
from rebalance.model.builder import Part, RebalanceModel
from rebalance.pools import Rules
from rebalance.scenario import Scenario

# Cores larger than this are reported as found, without shrinking them to a minimal set.
MAX_CORE_TO_SHRINK = 40
MAX_NAMED = 6  # clients named in one message before "…"


@dataclass(frozen=True)
class Finding:
    """One contradiction in both languages."""

    en: str
    zh: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def _n(count: int) -> str:
    """"1 client" / "3 clients"."""
    return f"{count} client" if count == 1 else f"{count} clients"


def _names(ids: Iterable[str], sep: str = ", ") -> str:
    ids = list(ids)
    shown = sep.join(ids[:MAX_NAMED])
    return shown + (f"{sep}…" if len(ids) > MAX_NAMED else "")


def _why_not(problem: Problem, scenario: Scenario, rules: Rules, client: Client,
             manager_id: str) -> tuple[str, str]:
    """Why a manager may not take a client (en, zh), or ("", "") when it may."""
    manager = problem.manager(manager_id)
    if not manager.staying:
        return f"{manager_id} is leaving", f"{manager_id} 即将离开"
    if scenario.eligibility == "strict" and not manager.serves(client.industry):
        return (f"{manager_id} does not serve {client.industry}",
                f"{manager_id} 不负责{client.industry}")
    if (client.client_id, manager_id) in rules.forbidden:
        return (f"the pair {client.client_id}–{manager_id} is forbidden",
                f"{client.client_id}–{manager_id} 是禁止的配对")
    return "", ""


def _fixed_phrase(rules: Rules, client: Client, scenario: Scenario) -> tuple[str, str]:
    cid, fixed = client.client_id, rules.fixed[client.client_id]
    if rules.fixed_reason.get(cid) == "protected":
        level = scenario.continuity.protect_importance
        return (f"client {cid} (importance {client.importance}) is protected "
                f"(protect_importance: {level}) and must stay with {fixed}",
                f"客户 {cid}（重要程度 {client.importance}）受保护（protect_importance: {level}），"
                f"必须留在 {fixed}")
    return (f"client {cid} is locked to {fixed}", f"客户 {cid} 锁定在 {fixed}")


def contradictions(problem: Problem, scenario: Scenario, rules: Rules) -> list[Finding]:
    """Every contradiction the counting checks can prove, in both languages."""
    found: list[Finding] = []
    found += _clients_without_manager(problem, scenario, rules)
    found += _fixed_to_ineligible(problem, scenario, rules)
    found += _fixed_over_capacity(problem, rules)
    found += _capacity_short(problem, rules)
    found += _forced_moves(problem, scenario, rules)
    return found


def find_contradictions(problem: Problem, scenario: Scenario, rules: Rules,
                        lang: str = "en") -> list[str]:
    """Contradictions between hard rules that make every plan impossible, in plain words."""
    return [f.text(lang) for f in contradictions(problem, scenario, rules)]


# --------------------------------------------------------------------------- counting checks


def _clients_without_manager(problem: Problem, scenario: Scenario,
                             rules: Rules) -> list[Finding]:
    out = []
    for client in problem.clients:
        if rules.eligible.get(client.client_id):
            continue
        candidates = [m.manager_id for m in problem.managers
                      if scenario.eligibility == "any" or m.serves(client.industry)]
        reasons = [_why_not(problem, scenario, rules, client, mid) for mid in candidates]
        en = " and ".join(r[0] for r in reasons) or f"no manager serves {client.industry}"
        zh = "，".join(r[1] for r in reasons) or f"没有客户经理负责{client.industry}"
        cid = client.client_id
        out.append(Finding(
            f"client {cid} ({client.industry}) has no eligible manager: {en}",
            f"客户 {cid}（{client.industry}）没有可分配的客户经理：{zh}",
        ))
    return out


def _fixed_to_ineligible(problem: Problem, scenario: Scenario, rules: Rules) -> list[Finding]:
    out = []
    for client in problem.clients:
        fixed = rules.fixed.get(client.client_id)
        if fixed is None or fixed in rules.eligible.get(client.client_id, ()):
            continue
        if fixed not in problem.manager_index:
            why = (f"{fixed} is not in the managers table", f"客户经理表中没有 {fixed}")
        else:
            why = _why_not(problem, scenario, rules, client, fixed)
        head = _fixed_phrase(rules, client, scenario)
        out.append(Finding(f"{head[0]}, but {why[0]}", f"{head[1]}，但{why[1]}"))
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
        what = ("locks and protected clients" if "protected" in reasons[mid]
                and len(reasons[mid]) > 1 else
                "protected clients" if "protected" in reasons[mid] else "locks")
        what_zh = {"locks": "锁定", "protected clients": "受保护客户",
                   "locks and protected clients": "锁定和受保护客户"}[what]
        verb = "put"
        out.append(Finding(
            f"{what} {verb} {_n(count)} on {mid} but its capacity is {manager.capacity}",
            f"{what_zh}使 {mid} 必须负责 {count} 个客户，但其容量只有 {manager.capacity}",
        ))
    return out


def _capacity_short(problem: Problem, rules: Rules) -> list[Finding]:
    """Hall's condition on the sets of managers clients may go to (only managers with a
    capacity limit a set): per distinct eligible set, and per pool."""
    capacity = {m.manager_id: m.capacity for m in problem.managers}
    eligible = {c.client_id: frozenset(rules.eligible.get(c.client_id, ()))
                for c in problem.clients}
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
        managers = ", ".join(sorted(group))
        out.append(Finding(
            f"{_n(len(inside))} ({', '.join(industries)}) can only go to {managers}, "
            f"whose capacities add up to {room}",
            f"{len(inside)} 个客户（{'、'.join(industries)}）只能分配给 {managers}，"
            f"但他们的容量合计只有 {room}",
        ))
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
            parts_en, parts_zh = [], []
            if named:
                parts_en.append(f"{len(named)} may not stay with their manager: {_names(named)}")
                parts_zh.append(f"{len(named)} 个不能留在原客户经理处：{_names(named, '、')}")
            if extra:
                full = ", ".join(f"{mid} +{n}" for mid, n in sorted(over.items()) if n)
                parts_en.append(f"{extra} over capacity ({full})")
                parts_zh.append(f"{extra} 个超出容量（{full}）")
            out.append(Finding(
                f"at least {_n(total)} must move ({'; '.join(parts_en)}), "
                f"but continuity.max_moves is {cap_total}",
                f"至少 {total} 个客户必须调整（{'；'.join(parts_zh)}），"
                f"但 continuity.max_moves 为 {cap_total}",
            ))
    if cap_each is not None:
        for mid in sorted(forced):
            total = len(forced[mid]) + over.get(mid, 0)
            if total > cap_each:
                named_zh = _names(forced[mid], "、") or "超出容量"
                out.append(Finding(
                    f"{mid} must lose at least {_n(total)} "
                    f"({_names(forced[mid]) or 'over capacity'}), "
                    f"but continuity.max_moves_per_manager is {cap_each}",
                    f"{mid} 至少要流出 {total} 个客户（{named_zh}），"
                    f"但 continuity.max_moves_per_manager 为 {cap_each}",
                ))
    return out


# --------------------------------------------------------------------------- assumptions


class _Guards:
    """The assumption literal of every rule instance, with its name in both languages."""

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
        cont = self.scenario.continuity
        if rule in ("lock", "protected"):
            client = self.problem.client(key)
            en, zh = _fixed_phrase(self.rules, client, self.scenario)
            return Finding(en, zh)
        if rule == "capacity":
            cap = self.problem.manager(key).capacity
            return Finding(f"{key} holds at most {_n(cap or 0)} (capacity)",
                           f"{key} 最多负责 {cap} 个客户（容量）")
        if rule == "max_moves":
            return Finding(f"at most {_n(cont.max_moves or 0)} may move (continuity.max_moves)",
                           f"最多调整 {cont.max_moves} 个客户（continuity.max_moves）")
        cap_each = cont.max_moves_per_manager
        return Finding(
            f"{key} loses at most {_n(cap_each or 0)} (continuity.max_moves_per_manager)",
            f"{key} 最多流出 {cap_each} 个客户（continuity.max_moves_per_manager）",
        )


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
    return [Finding(
        "these rules cannot all hold together: " + "; ".join(n.en for n in names),
        "以下规则无法同时满足：" + "；".join(n.zh for n in names),
    )]
