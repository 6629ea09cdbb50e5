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
    # shared by the review commands
    "review.no_sheet": ("has no sheet {sheet}", "缺少工作表 {sheet}"),
    "review.no_assignment": (
        "the folder has no assignment.csv (give a plan folder, an assignment CSV or a workbook)",
        "该文件夹中没有 assignment.csv（请给出方案文件夹、分配表 CSV 或工作簿）",
    ),
    "review.more_rows": ("… and {n} more (all of them are in the files)",
                         "……另有 {n} 行（文件中有全部内容）"),
    "review.wrote": ("Wrote {files} to {out}", "已写入 {files} 到 {out}"),
    # diff
    "review.diff.title": (
        "{a} → {b}: {n} client(s) with a different manager",
        "{a} → {b}：{n} 个客户的客户经理不同",
    ),
    "review.diff.doc_title": ("Plan diff: {a} → {b}", "方案对比：{a} → {b}"),
    "review.diff.section.clients": ("Clients whose manager differs", "客户经理不同的客户"),
    "review.diff.section.managers": ("Changes per manager", "各客户经理的变化"),
    "review.diff.section.figures": ("Objectives", "目标值"),
    "review.diff.moves": ("moves", "调整客户数"),
    "review.diff.col.client_id": ("client_id", "客户编码"),
    "review.diff.col.name": ("name", "客户名称"),
    "review.diff.col.manager_a": ("manager {a}", "客户经理（{a}）"),
    "review.diff.col.manager_b": ("manager {b}", "客户经理（{b}）"),
    "review.diff.col.revenue": ("revenue", "收入"),
    "review.diff.col.importance": ("importance", "重要程度"),
    "review.diff.col.manager_id": ("manager_id", "客户经理编码"),
    "review.diff.col.clients_a": ("clients {a}", "客户数（{a}）"),
    "review.diff.col.clients_b": ("clients {b}", "客户数（{b}）"),
    "review.diff.col.clients_change": ("clients change", "客户数变化"),
    "review.diff.col.revenue_a": ("revenue {a}", "收入（{a}）"),
    "review.diff.col.revenue_b": ("revenue {b}", "收入（{b}）"),
    "review.diff.col.revenue_change": ("revenue change", "收入变化"),
    "review.diff.col.importance_a": ("importance {a}", "重要程度（{a}）"),
    "review.diff.col.importance_b": ("importance {b}", "重要程度（{b}）"),
    "review.diff.col.importance_change": ("importance change", "重要程度变化"),
    "review.diff.col.figure": ("figure", "指标项"),
    "review.diff.col.a": ("{a}", "方案 {a}"),
    "review.diff.col.b": ("{b}", "方案 {b}"),
    "review.diff.col.change": ("change", "变化"),
}
