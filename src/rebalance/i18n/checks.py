"""What `rebalance check` prints: the verdict on a plan, in English and Chinese."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "checks.ok": ("All hard rules hold for {n} clients.", "全部 {n} 个客户的硬性规则均满足。"),
    "checks.broken": ("{n} hard rule violation(s):", "{n} 处违反硬性规则："),
    "checks.figures": (
        "{moves} moves, {handovers} handovers, {placements} placements; "
        "{outside} managers outside a band",
        "调整 {moves} 个，交接 {handovers} 个，新客户分配 {placements} 个；"
        "{outside} 名客户经理超出容差区间",
    ),
    "checks.backups_ok": ("Backups: every client has a valid backup manager (B).",
                          "B角：每个客户都有有效的B角。"),
    "checks.backups_broken": ("{n} backup problem(s):", "{n} 处B角问题："),
    "checks.title": ("Managers outside a band, per metric", "超出容差区间的客户经理（按指标）"),
    "checks.col.manager": ("manager", "客户经理"),
    "checks.col.metric": ("metric", "考核维度"),
    "checks.col.load": ("load", "负载"),
    "checks.col.share": ("fair share", "公平份额"),
    "checks.col.dev": ("deviation", "偏差"),
    "checks.col.band": ("band", "容差区间"),
    "checks.col.excess": ("excess", "超额"),
    "checks.rule.unknown_client": ("unknown client", "未知客户"),
    "checks.rule.unassigned": ("unassigned", "未分配"),
    "checks.rule.unknown_manager": ("unknown manager", "未知客户经理"),
    "checks.rule.leaving_manager": ("leaving manager", "离职客户经理"),
    "checks.rule.ineligible": ("industry", "行业"),
    "checks.rule.forbidden": ("forbidden pair", "禁止配对"),
    "checks.rule.lock": ("lock", "锁定"),
    "checks.rule.protected": ("protected", "重要客户保护"),
    "checks.rule.capacity": ("capacity", "容量"),
    "checks.rule.max_moves": ("max_moves", "调整上限"),
    "checks.rule.max_moves_per_manager": ("max_moves_per_manager", "每人调出上限"),
    # one broken hard rule (check.py's Violation)
    "checks.violation.unknown_client": (
        "the plan names client {client}, which is not in the clients table",
        "方案中的客户 {client} 不在客户表中",
    ),
    "checks.violation.unassigned": ("client {client} has no manager in the plan",
                                    "客户 {client} 没有分配客户经理"),
    "checks.violation.unknown_manager": (
        "client {client} is given to {manager}, who is not in the managers table",
        "客户 {client} 被分配给 {manager}，但客户经理表中没有 {manager}",
    ),
    "checks.violation.leaving_manager": (
        "client {client} is given to {manager}, who is leaving and must end with no clients",
        "客户 {client} 被分配给离职客户经理 {manager}（离职者不能保留客户）",
    ),
    "checks.violation.ineligible": (
        "client {client} ({industry}) is given to {manager}, who does not serve {industry} "
        "(serves {served})",
        "客户 {client}（{industry}）被分配给 {manager}，"
        "但 {manager} 不负责该行业（负责：{served}）",
    ),
    "checks.violation.forbidden": (
        "client {client} is given to {manager}, a pair the scenario forbids",
        "客户 {client} 被分配给 {manager}，而情景禁止这一配对",
    ),
    "checks.violation.protected": (
        "client {client} (importance {importance}) is protected and must stay with {fixed}, "
        "but the plan gives it to {manager}",
        "客户 {client}（重要程度 {importance}）受保护，应留在 {fixed}，但方案把它分给了 {manager}",
    ),
    "checks.violation.lock": (
        "client {client} is locked to {fixed}, but the plan gives it to {manager}",
        "客户 {client} 锁定在 {fixed}，但方案把它分给了 {manager}",
    ),
    "checks.violation.capacity": ("{manager} has {n} clients but its capacity is {cap}",
                                  "{manager} 有 {n} 个客户，超过其容量 {cap}"),
    "checks.violation.capacity.one": ("{manager} has {n} client but its capacity is {cap}",
                                      "{manager} 有 {n} 个客户，超过其容量 {cap}"),
    "checks.violation.max_moves": (
        "the plan moves {n} clients but at most {cap} may move",
        "方案调整了 {n} 个客户，超过上限 {cap}",
    ),
    "checks.violation.max_moves.one": (
        "the plan moves {n} client but at most {cap} may move",
        "方案调整了 {n} 个客户，超过上限 {cap}",
    ),
    "checks.violation.max_moves_per_manager": (
        "{manager} loses {n} clients but at most {cap} may leave one manager",
        "{manager} 流出 {n} 个客户，超过每位客户经理的上限 {cap}",
    ),
    "checks.violation.max_moves_per_manager.one": (
        "{manager} loses {n} client but at most {cap} may leave one manager",
        "{manager} 流出 {n} 个客户，超过每位客户经理的上限 {cap}",
    ),
}
