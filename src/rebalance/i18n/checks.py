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
}
