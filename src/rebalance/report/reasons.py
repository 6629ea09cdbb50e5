"""A reason a manager can read for every client's outcome, in English or Chinese.

Reasons are computed from the deviations *before* the rebalancing (the current assignment's
loads against the fair shares), because that is what a move repairs. For a client whose manager
changes, the first rule that applies gives the reason:

1. the client ends with no manager → ``not assigned``
2. its previous manager is leaving → ``KM012 → KM004: KM012 is leaving``
3. a scenario lock puts it elsewhere → ``… locked to KM004 in the scenario``
4. its previous manager may no longer serve it (a forbidden pair, or not their industry)
5. its previous manager held more clients than their capacity
6. balance: the metric in which the losing manager was furthest *above* its band (largest
   ``dev − tolerance``; metrics with weight 0 are skipped), e.g.
   ``KM003 → KM007: KM003 revenue +38 % over fair share, KM007 −22 % under``;
   failing that, the metric in which the gaining manager was furthest *below* its band
7. otherwise ``balance`` (the move makes room for another one in the same pool)

Clients that keep their manager get ``locked`` / ``locked in scenario`` / ``protected`` when a
rule held them, and an empty reason otherwise; new clients get ``new client → KM004``.
"""

from __future__ import annotations

from collections.abc import Mapping

from rebalance.data import Problem
from rebalance.metrics import Assignment, manager_loads, relative_devs
from rebalance.pools import METRICS, Rules
from rebalance.scenario import Scenario

BAND_EPS = 1e-9

METRIC_NAMES: dict[str, dict[str, str]] = {
    "en": {"revenue": "revenue", "importance": "importance", "clients": "client count"},
    "zh": {"revenue": "收入", "importance": "重要程度", "clients": "客户数"},
}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "move": "{frm} → {to}: {why}",
        "sep": ", ",
        "over": "{who} {metric} {pct} over fair share",
        "under": "{who} {metric} {pct} under fair share",
        "other_under": "{who} {pct} under",
        "other_over": "{who} {pct} over",
        "other_at": "{who} at {pct}",
        "leaving": "{frm} is leaving",
        "scenario_lock": "locked to {to} in the scenario",
        "forbidden": "{frm} may not serve this client (forbidden pair)",
        "industry": "{frm} does not serve {industry}",
        "capacity": "{frm} over capacity ({n} > {cap})",
        "balance": "balance",
        "new": "new client → {to}",
        "unassigned": "not assigned",
        "locked": "locked",
        "lock in scenario": "locked in scenario",
        "protected": "protected (importance ≥ {level})",
    },
    "zh": {
        "move": "{frm} → {to}：{why}",
        "sep": "，",
        "over": "{who} {metric}超出公平份额 {pct}",
        "under": "{who} {metric}低于公平份额 {pct}",
        "other_under": "{who} 低于 {pct}",
        "other_over": "{who} 超出 {pct}",
        "other_at": "{who} 持平",
        "leaving": "{frm} 离职",
        "scenario_lock": "方案锁定至 {to}",
        "forbidden": "{frm} 不得服务该客户（禁止配对）",
        "industry": "{frm} 不服务行业 {industry}",
        "capacity": "{frm} 超出容量（{n} > {cap}）",
        "balance": "均衡调整",
        "new": "新客户 → {to}",
        "unassigned": "未分配",
        "locked": "锁定",
        "lock in scenario": "方案锁定",
        "protected": "重要客户保护（重要程度 ≥ {level}）",
    },
}


def _pct(dev: float, lang: str) -> str:
    """+38 % / −22 % in English (Unicode minus); 38% (direction in words) in Chinese."""
    value = round(dev * 100)
    if lang == "zh":
        return f"{abs(value)}%"
    if value == 0:
        return "0 %"
    return f"{'+' if value > 0 else '−'}{abs(value)} %"


def _other(who: str, dev: float | None, lang: str) -> str | None:
    """How the other manager of a move stood in the same metric."""
    if dev is None:
        return None
    t = TEXT[lang]
    value = round(dev * 100)
    if value < 0:
        return t["other_under"].format(who=who, pct=_pct(dev, lang))
    if value > 0:
        return t["other_over"].format(who=who, pct=_pct(dev, lang))
    return t["other_at"].format(who=who, pct=_pct(dev, lang))


def _balance_reason(
    frm: str,
    to: str,
    devs: Mapping[tuple[str, str], float],
    scenario: Scenario,
    lang: str,
) -> str:
    """Name the band the move repairs: the loser's worst over-band, else the gainer's under."""
    t, names = TEXT[lang], METRIC_NAMES[lang]
    bands = scenario.balance.bands()
    rated = [k for k in METRICS if bands[k].weight > 0]

    over = [(devs[(frm, k)] - bands[k].tolerance, -i, k) for i, k in enumerate(rated)
            if (frm, k) in devs and devs[(frm, k)] > bands[k].tolerance + BAND_EPS]
    if over:
        k = max(over)[2]
        parts = [t["over"].format(who=frm, metric=names[k], pct=_pct(devs[(frm, k)], lang))]
        other = _other(to, devs.get((to, k)), lang)
        return t["sep"].join(parts + ([other] if other else []))

    under = [(-devs[(to, k)] - bands[k].tolerance, -i, k) for i, k in enumerate(rated)
             if (to, k) in devs and -devs[(to, k)] > bands[k].tolerance + BAND_EPS]
    if under:
        k = max(under)[2]
        parts = [t["under"].format(who=to, metric=names[k], pct=_pct(devs[(to, k)], lang))]
        other = _other(frm, devs.get((frm, k)), lang)
        return t["sep"].join(parts + ([other] if other else []))
    return t["balance"]


def move_reasons(
    problem: Problem,
    scenario: Scenario,
    rules: Rules,
    client_to_manager: Assignment,
    lang: str = "en",
    before: Assignment | None = None,
) -> dict[str, str]:
    """client_id -> reason text for every client (empty when nothing needs saying).

    ``before`` defaults to the book's current assignment; deviations are taken from it. See the
    module docstring for the order in which reasons are chosen.
    """
    if lang not in TEXT:
        raise ValueError(f"unknown language {lang!r} (use 'en' or 'zh')")
    t = TEXT[lang]
    current = problem.current_assignment if before is None else before
    devs = relative_devs(problem, rules, current)
    counts = manager_loads(problem, current)
    protect = scenario.continuity.protect_importance

    reasons: dict[str, str] = {}
    for c in problem.clients:
        cid = c.client_id
        prev, new = current.get(cid), client_to_manager.get(cid)
        if new is None:
            reasons[cid] = t["unassigned"]
            continue
        if prev is None:
            reasons[cid] = t["new"].format(to=new)
            continue
        if prev == new:
            why = rules.fixed_reason.get(cid) if rules.fixed.get(cid) == new else None
            reasons[cid] = t[why].format(level=protect) if why in t else ""
            continue

        prev_manager = problem.manager(prev) if prev in problem.manager_index else None
        capacity = prev_manager.capacity if prev_manager else None
        num_before = int(counts.get((prev, "clients"), 0))
        if prev_manager is not None and not prev_manager.staying:
            why = t["leaving"].format(frm=prev)
        elif rules.fixed.get(cid) == new and rules.fixed_reason.get(cid) == "lock in scenario":
            why = t["scenario_lock"].format(to=new)
        elif (cid, prev) in rules.forbidden:
            why = t["forbidden"].format(frm=prev)
        elif prev not in rules.eligible.get(cid, ()):
            why = t["industry"].format(frm=prev, industry=c.industry)
        elif capacity is not None and num_before > capacity:
            why = t["capacity"].format(frm=prev, n=num_before, cap=capacity)
        else:
            why = _balance_reason(prev, new, devs, scenario, lang)
        reasons[cid] = t["move"].format(frm=prev, to=new, why=why)
    return reasons
