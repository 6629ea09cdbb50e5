"""Messages of the review loop: revise, diff, adopt, history, scenario overrides."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # scenario overrides
    "review.override.unknown_manager": (
        "managers: names manager {manager!r}, which is not in the managers table",
        "managers：客户经理 {manager!r} 不在客户经理表中",
    ),
    "review.override.unknown_client": (
        "unlock: names client {client!r}, which is not in the clients table",
        "unlock：客户 {client!r} 不在客户表中",
    ),
    "review.override.title": ("Scenario overrides applied:", "已应用的场景覆盖："),
    "review.override.line": (
        "  {manager}: {field} {before} → {after}",
        "  {manager}：{field} {before} → {after}",
    ),
    "review.override.unlocked": (
        "  table locks released for {n} client(s): {clients}",
        "  已解除 {n} 个客户的表内锁定：{clients}",
    ),
}
