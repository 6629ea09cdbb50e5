"""Why no backup (B角) plan exists (``backup/diagnose.py``), in English and Chinese."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "backup.lone_any": (
        "only one staying manager ({manager}): no one can be B角 for its {n} clients",
        "只有一名在岗客户经理（{manager}）：其 {n} 个客户无人可任B角",
    ),
    "backup.lone_industry": (
        "industry {industry} has a single staying manager ({manager}): no one can be B角 for "
        "its {n} clients",
        "行业 {industry} 只有一名在岗客户经理（{manager}）：其 {n} 个客户无人可任B角",
    ),
    "backup.all_forbidden": (
        "client {client} ({industry}): no one can be B角 — the staying managers serving "
        "{industry} are its owner {owner} and {others}, all forbidden for this client",
        "客户 {client}（{industry}）无人可任B角：服务该行业的在岗客户经理为其客户经理 {owner} "
        "以及 {others}，均被禁止服务该客户",
    ),
    "backup.no_time": (
        "no backup plan found within {limit:g} s; raise solver.time_limit",
        "{limit:g} 秒内未找到B角方案；请增大 solver.time_limit",
    ),
    "backup.too_tight": (
        "max_per_manager = {cap} is too tight: {n} clients ({industries}: {shown}) can only be "
        "backed up by {names}, who may take at most {most} between them",
        "max_per_manager = {cap} 过紧：{n} 个客户（{industries}：{shown}）只能由 {names} 任B角，"
        "最多只能承担 {most} 个",
    ),
    "backup.unsatisfiable": (
        "no backup plan satisfies the backup rules (mode {mode}, max_per_manager {cap})",
        "没有满足B角规则的方案（模式 {mode}，max_per_manager {cap}）",
    ),
    "backup.pairs_no_time": (
        "pairs mode, group {group}: no pairing found in time; raise solver.time_limit or use "
        "backup.mode: spread",
        "互为A/B角模式，{group} 组：限时内未找到结对方案；请增大 solver.time_limit 或改用 "
        "backup.mode: spread",
    ),
    "backup.pairs_cap": (
        "pairs mode, group {group}: no way to pair its {n} staying managers so that no partner "
        "backs up more than max_per_manager = {cap} clients{detail}; raise max_per_manager or "
        "use backup.mode: spread",
        "互为A/B角模式，{group} 组：{n} 名在岗客户经理无论如何结对，都有人需担任超过 "
        "max_per_manager = {cap} 个客户的B角{detail}；请增大 max_per_manager 或改用 "
        "backup.mode: spread",
    ),
    "backup.pairs_cap.detail": ("; clients owned: {big}", "；客户数超限：{big}"),
}
