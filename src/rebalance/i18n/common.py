"""Words shared by every command: languages, statuses, yes/no, metric names, error titles.

Glossary terms (``term.*``) are the one vocabulary of the docs, the terminal and the files.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "common.unknown_lang": (
        "unknown language {lang!r}: use en or zh",
        "未知语言 {lang!r}：请使用 en 或 zh",
    ),
    "common.title.bad_input": ("Bad input", "输入有误"),
    "common.problem": ("{n} problem in the input:", "输入中有 {n} 处问题："),
    "common.problems": ("{n} problems in the input:", "输入中有 {n} 处问题："),
    "common.title.no_plan": ("No acceptable plan", "没有可行方案"),
    "common.title.internal": (
        "Internal error (please report it with the trace below)",
        "内部错误（请连同下面的错误信息一起反馈）",
    ),
    "common.yes": ("yes", "是"),
    "common.no": ("no", "否"),
    "common.status.active": ("active", "在岗"),
    "common.status.leaving": ("leaving", "离职"),
    "common.status.new": ("new", "新入职"),
    "common.metric.revenue": ("revenue", "收入"),
    "common.metric.importance": ("importance", "重要程度"),
    "common.metric.clients": ("client count", "客户数"),
    "term.balance_excess": ("balance excess", "均衡超额"),
    "term.continuity_cost": ("continuity cost", "关系成本"),
    "term.pool": ("pool", "均衡池"),
    "term.fair_share": ("fair share", "公平份额"),
    "term.band": ("band", "容差区间"),
    "term.handover": ("handover", "交接"),
    "term.move": ("move", "调整"),
    "term.placement": ("placement", "新客户分配"),
    "term.exchange": ("exchange", "交换"),
    "term.outside_band": ("outside a band", "超出容差区间"),
    "term.target": ("target", "指标"),
}
