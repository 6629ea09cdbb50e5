"""Why no plan exists (diagnose.py): contradictions between hard rules, in English and Chinese.

``{clients}`` is a count of clients as each language says it ("3 clients" / "3 个客户"); lists
of ids are joined the way each language joins them.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "diagnose.clients": ("{n} clients", "{n} 个客户"),
    "diagnose.client": ("{n} client", "{n} 个客户"),
    "diagnose.and": (" and ", "；且"),
    "diagnose.why.leaving": ("{manager} is leaving", "{manager} 即将离开"),
    "diagnose.why.industry": ("{manager} does not serve {industry}", "{manager} 不负责{industry}"),
    "diagnose.why.forbidden": ("the pair {client}–{manager} is forbidden",
                               "{client}–{manager} 是禁止的配对"),
    "diagnose.why.unknown": ("{manager} is not in the managers table",
                             "客户经理表中没有 {manager}"),
    "diagnose.fixed.protected": (
        "client {client} (importance {importance}) is protected (protect_importance: {level}) "
        "and must stay with {manager}",
        "客户 {client}（重要程度 {importance}）受保护（protect_importance: {level}），"
        "必须留在 {manager}",
    ),
    "diagnose.fixed.lock": ("client {client} is locked to {manager}",
                            "客户 {client} 锁定在 {manager}"),
    "diagnose.fixed_but": ("{head}, but {why}", "{head}，但{why}"),
    "diagnose.no_manager": ("client {client} ({industry}) has no eligible manager: {why}",
                            "客户 {client}（{industry}）没有可分配的客户经理：{why}"),
    "diagnose.nobody_serves": ("no manager serves {industry}", "没有客户经理负责{industry}"),
    "diagnose.what.locks": ("locks", "锁定"),
    "diagnose.what.protected": ("protected clients", "受保护客户"),
    "diagnose.what.both": ("locks and protected clients", "锁定和受保护客户"),
    "diagnose.fixed_over_capacity": (
        "{what} put {clients} on {manager} but its capacity is {cap}",
        "{what}使 {manager} 必须负责 {clients}，但其容量只有 {cap}",
    ),
    "diagnose.capacity_short": (
        "{clients} ({industries}) can only go to {managers}, whose capacities add up to {room}",
        "{clients}（{industries}）只能分配给 {managers}，但他们的容量合计只有 {room}",
    ),
    "diagnose.must_go": ("{n} may not stay with their manager: {names}",
                         "{n} 个不能留在原客户经理处：{names}"),
    "diagnose.over_capacity": ("{n} over capacity ({full})", "{n} 个超出容量（{full}）"),
    "diagnose.over_capacity_short": ("over capacity", "超出容量"),
    "diagnose.max_moves": (
        "at least {clients} must move ({parts}), but continuity.max_moves is {cap}",
        "至少 {clients}必须调整（{parts}），但 continuity.max_moves 为 {cap}",
    ),
    "diagnose.max_moves_per_manager": (
        "{manager} must lose at least {clients} ({names}), but "
        "continuity.max_moves_per_manager is {cap}",
        "{manager} 至少要流出 {clients}（{names}），但 continuity.max_moves_per_manager 为 {cap}",
    ),
    "diagnose.rule.capacity": ("{manager} holds at most {clients} (capacity)",
                               "{manager} 最多负责 {clients}（容量）"),
    "diagnose.rule.max_moves": ("at most {clients} may move (continuity.max_moves)",
                                "最多调整 {clients}（continuity.max_moves）"),
    "diagnose.rule.max_moves_per_manager": (
        "{manager} loses at most {clients} (continuity.max_moves_per_manager)",
        "{manager} 最多流出 {clients}（continuity.max_moves_per_manager）",
    ),
    "diagnose.core": ("these rules cannot all hold together: {rules}",
                      "以下规则无法同时满足：{rules}"),
}
