"""What `rebalance targets` prints, in English and Chinese."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "targets.title": ("Targets per manager", "客户经理指标"),
    "targets.head.manager": ("manager", "客户经理"),
    "targets.head.name": ("name", "姓名"),
    "targets.head.portfolio": ("portfolio\nrevenue", "组合收入"),
    "targets.head.target": ("target", "指标"),
    "targets.head.growth": ("required\ngrowth", "所需\n增长率"),
    "targets.head.equal": ("equal\nsplit", "平均分配\n指标"),
    "targets.head.equal_growth": ("equal-split\ngrowth", "平均分配\n增长率"),
    "targets.capped.max": ("max", "上限"),
    "targets.capped.min": ("min", "下限"),
    "targets.method.proportional": ("proportional", "按组合收入"),
    "targets.method.blend": ("blend", "收入与潜力加权"),
    "targets.department": (
        "Department target {total} (revenue now {revenue}, growth {growth}); method {method}, "
        "rounded to {round_to}",
        "部门指标 {total}（当前收入 {revenue}，增长 {growth}），分配方法：{method}，"
        "取整到 {round_to}",
    ),
    "targets.blank_potentials": (
        "{n} client(s) without a potential: counted with their revenue",
        "{n} 个客户未填潜在收入，按其收入计",
    ),
    "targets.unheld": (
        "Note: {amount} of revenue is held by no staying manager (unassigned, or left with "
        "leaving managers); the staying managers still carry the whole target",
        "注意：{amount} 的收入不在任何在岗客户经理名下（未分配或仍在离职客户经理名下），"
        "指标仍由在岗客户经理承担",
    ),
    "targets.split_by_fte": (
        "Note: no staying manager holds any revenue or potential; the total is split by fte",
        "注意：在岗客户经理没有任何收入或潜力，指标按人力系数平均分配",
    ),
    "targets.spread": (
        "[bold]Spread of required growth: {d} pp with these targets vs {e} pp with an equal "
        "split[/] (std {ds} vs {es} pp)",
        "[bold]所需增长率极差：按组合分配 {d} 个百分点，平均分配 {e} 个百分点[/]"
        "（标准差 {ds} 对 {es}）",
    ),
    "targets.wrote": ("Wrote {path}", "已写入 {path}"),
    "targets.none_staying": (
        "the department target is {total}, but no staying manager can carry it",
        "部门指标为 {total}，但没有在岗客户经理可以承担",
    ),
    "targets.cap.max": (
        "with max_growth {cap:g} the targets add up to at most {limit}, but the department "
        "target is {total} (the staying managers hold {held} now); raise targets.max_growth or "
        "lower the department target",
        "max_growth {cap:g} 时指标合计最多 {limit}，但部门指标为 {total}（在岗客户经理当前收入 "
        "{held}）；请提高 targets.max_growth 或降低部门指标",
    ),
    "targets.cap.min": (
        "with min_growth {cap:g} the targets add up to at least {limit}, but the department "
        "target is {total} (the staying managers hold {held} now); lower targets.min_growth or "
        "raise the department target",
        "min_growth {cap:g} 时指标合计至少 {limit}，但部门指标为 {total}（在岗客户经理当前收入 "
        "{held}）；请降低 targets.min_growth 或提高部门指标",
    ),
}
