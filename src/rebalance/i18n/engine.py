"""What `solve` prints and what the pipeline writes beside the tables, in English and Chinese:
progress, stages and statuses, the objectives with their plain meaning, why managers stay
outside a band, and the workbook's sheet names.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "engine.solving": ("Solving {name}: {n} clients, {m} managers, {p} pools",
                       "求解 {name}：{n} 个客户，{m} 名客户经理，{p} 个均衡池"),
    "engine.progress": ("  {stage}{part} objective {obj}  bound {bound}  {t} s",
                        "  {stage}{part} 目标值 {obj}  下界 {bound}  {t} 秒"),
    "engine.part": (" pool {k}/{n}", " 均衡池 {k}/{n}"),
    "engine.stage_line": (
        "  stage {name}: {status}, objective {obj}, bound {bound}, gap {gap}, {t} s",
        "  阶段 {name}：{status}，目标值 {obj}，下界 {bound}，差距 {gap}，{t} 秒",
    ),
    "engine.stage.balance": ("balance", "均衡"),
    "engine.stage.continuity": ("continuity", "关系保持"),
    "engine.stage.weighted": ("weighted", "加权"),
    "engine.status.OPTIMAL": ("OPTIMAL", "最优"),
    "engine.status.FEASIBLE": ("FEASIBLE", "可行"),
    "engine.status.INFEASIBLE": ("INFEASIBLE", "无可行解"),
    "engine.status.UNKNOWN": ("UNKNOWN", "未知"),
    "engine.status.NO_PLAN": ("NO_PLAN", "无方案"),
    "engine.status.FAILED": ("FAILED", "执行失败"),
    "engine.status_line": (
        "Status {status}: {moves} moves, {handovers} handovers, {placements} placements "
        "(gap {gap}, {t} s)",
        "状态 {status}：调整 {moves} 个，交接 {handovers} 个，新客户分配 {placements} 个"
        "（差距 {gap}，{t} 秒）",
    ),
    "engine.objective.balance": (
        "  balance excess {value}: how far managers sit outside their bands, weighted "
        "(0 = every manager inside every band)",
        "  均衡超额 {value}：客户经理超出容差区间的加权幅度（0 = 全部在区间内）",
    ),
    "engine.objective.continuity": (
        "  continuity cost {value}: the client relationships the moves break, "
        "importance × (0.5 + relationship) summed over moved clients",
        "  关系成本 {value}：调整所打断的客户关系，按被调整客户的 重要程度 ×（0.5 + 关系强度）求和",
    ),
    "engine.outside": (
        "Managers outside a band: {before} before → {after} after ({detail})",
        "超出容差区间的客户经理：调整前 {before} 名 → 调整后 {after} 名（{detail}）",
    ),
    "engine.outside.metric": ("{metric} {before} → {after}", "{metric} {before} 名 → {after} 名"),
    "engine.spread": (
        "Required growth spread (max − min): derived targets {d}, equal split {e}",
        "所需增长率极差（最大 − 最小）：按新组合分解 {d}，平均分配 {e}",
    ),
    "engine.wrote": ("Wrote {files} to {out}", "已写入 {files} 到 {out}"),
    "engine.table.title": ("Managers before → after", "客户经理调整前 → 调整后"),
    "engine.table.manager": ("manager", "客户经理"),
    "engine.table.status": ("status", "状态"),
    "engine.table.clients": ("clients", "客户数"),
    "engine.table.revenue": ("revenue", "收入"),
    "engine.table.revenue_dev": ("revenue vs share", "收入偏差"),
    "engine.table.importance": ("importance", "重要程度"),
    "engine.table.target": ("target", "指标"),
    "engine.table.equal_split": ("equal split", "平均分配指标"),
    "engine.table.growth": ("growth", "所需增长"),
    "engine.no_plan_in_time": (
        "the solver found no plan in {seconds} s (status {status}); try a longer --time-limit",
        "求解器在 {seconds} 秒内未找到方案（状态 {status}）；请尝试更长的 --time-limit",
    ),
    "engine.time_limit_positive": ("--time-limit must be greater than 0",
                                   "--time-limit 必须大于 0"),
    # why a manager stays outside a band (summary.json, terminal)
    "engine.band.big": (
        "{m} {metric} {dev} (band {band}): holds {c}, whose {metric} alone ({load}) is above the "
        "band's upper edge ({edge}); a client cannot be split",
        "{m} {metric} {dev}（容差区间 {band}）：持有客户 {c}，其{metric}单独即达 {load}，"
        "超过容差上限 {edge}；客户无法拆分",
    ),
    "engine.band.over": (
        "{m} {metric} {dev} (band {band}): over its share; moving more away would cost more "
        "balance elsewhere or break a rule (locks, caps, eligibility)",
        "{m} {metric} {dev}（容差区间 {band}）：高于公平份额；再调出会使其他客户经理偏离更多，"
        "或违反规则（锁定、上限、行业）",
    ),
    "engine.band.under": (
        "{m} {metric} {dev} (band {band}): under its share; the clients that would fill it are "
        "bigger than the gap or held by rules (locks, caps, eligibility)",
        "{m} {metric} {dev}（容差区间 {band}）：低于公平份额；可补足的客户大于差额，"
        "或受规则约束（锁定、上限、行业）",
    ),
    "engine.band.under_big": (
        "{m} {metric} {dev} (band {band}): under its share because {c} (with {holder}) is "
        "bigger than a whole band and takes more than its share of the pool; the rest is spread "
        "as evenly as the bands allow",
        "{m} {metric} {dev}（容差区间 {band}）：低于公平份额，因为客户 {c}（{holder}）单独超过"
        "容差上限，占去了均衡池的更多份额；其余已尽量均衡",
    ),
    # workbook sheets
    "engine.sheet.assignment": ("assignment", "客户分配"),
    "engine.sheet.managers": ("managers", "客户经理"),
    "engine.sheet.moves": ("moves", "调整清单"),
    "engine.sheet.backups": ("backups", "B角"),
    "engine.sheet.parameters": ("parameters", "参数"),
    "engine.param.parameter": ("parameter", "参数"),
    "engine.param.value": ("value", "取值"),
    # findings of the engine itself (solve.py, scale/decompose.py) when no plan comes out
    "engine.finding.contradict": ("the hard rules of {part} contradict each other",
                                  "{part} 的硬性规则相互矛盾"),
    "engine.finding.work_limit": ("the work limit ({work:g}) or time limit",
                                  "工作量上限（{work:g}）或时间限制"),
    "engine.finding.time_limit": ("the time limit ({seconds:g} s)", "时间限制（{seconds:g} 秒）"),
    "engine.finding.nothing": (
        "no plan found for {part} within {limit}; allow the solver more time",
        "在{limit}内没有为 {part} 找到方案；请放宽求解时间",
    ),
    "engine.finding.no_room": ("no room found for clients {names}",
                               "没有为以下客户找到可用的客户经理：{names}"),
}
