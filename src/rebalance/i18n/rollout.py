"""Phased rollout (``rebalance rollout``, ``rollout:`` in a scenario), in English and Chinese."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # errors
    "rollout.no_section": (
        "the scenario has no rollout: section (give at least rollout.start, e.g. "
        "--set rollout.start=2025-01-01)",
        "方案中没有 rollout: 部分（至少要给出 rollout.start，例如 --set rollout.start=2025-01-01）",
    ),
    "rollout.plan_broken": (
        "The plan breaks {n} hard rule(s); only a plan that keeps every rule can be rolled out:",
        "该方案违反 {n} 条硬性规则；只有遵守全部规则的方案才能分批实施：",
    ),
    "rollout.nothing_in_time": (
        "No schedule was found within the time limit of {seconds} s; raise solver.time_limit",
        "在 {seconds} 秒时限内未找到分批计划；请放宽 solver.time_limit",
    ),
    "rollout.infeasible": (
        "No order of the {n} changes ({moves} moves) in {waves} waves keeps every cap and "
        "every hard rule after each wave:",
        "{n} 项变动（其中调整 {moves} 个）无法排入 {waves} 批，"
        "使每批都满足上限、每批之后都满足全部硬性规则：",
    ),
    "rollout.cap.max_moves": (
        "rollout.max_moves is {value}: {moves} moves in {waves} waves need at least {per_wave} "
        "per wave (the largest exchange alone has {biggest}); the smallest max_moves that works "
        "is {smallest}",
        "rollout.max_moves 为 {value}：{moves} 个调整分 {waves} 批，每批至少 {per_wave} 个"
        "（最大的交换组就有 {biggest} 个）；可行的最小 max_moves 为 {smallest}",
    ),
    "rollout.cap.max_handovers_per_manager": (
        "rollout.max_handovers_per_manager is {value}; the smallest that works is {smallest} "
        "(a manager's clients in one exchange change together)",
        "rollout.max_handovers_per_manager 为 {value}；可行的最小值为 {smallest}"
        "（同一交换组中的客户须同批交接）",
    ),
    "rollout.cap.max_strategic": (
        "rollout.max_strategic is {value}; the smallest that works is {smallest}",
        "rollout.max_strategic 为 {value}；可行的最小值为 {smallest}",
    ),
    "rollout.cap_alone": (
        "no value of rollout.{cap} alone makes a schedule possible (now {value})",
        "仅调整 rollout.{cap}（当前 {value}）无法得到可行的分批计划",
    ),
    "rollout.cap_works": (
        "rollout.{cap} is {value}; {works} works (the time limit was too short to prove "
        "it the smallest)",
        "rollout.{cap} 为 {value}；取 {works} 可行（时限内未能证明其为最小值）",
    ),
    "rollout.no_cap": (
        "no cap is set: the hard rules (capacities, locks) cannot hold in every intermediate "
        "book with these first-wave kinds; allow more waves or fewer first-wave kinds",
        "未设置上限：在指定首批类型下，中间各批的组合无法满足硬性规则（容量、锁定）；"
        "请增加批次或减少首批类型",
    ),
    # check of a schedule
    "rollout.violation.max_moves": (
        "wave {wave} has {n} moves, above rollout.max_moves {cap}",
        "第 {wave} 批有 {n} 个调整，超过 rollout.max_moves {cap}",
    ),
    "rollout.violation.max_handovers_per_manager": (
        "wave {wave}: {manager} gives or takes {n} clients, above "
        "rollout.max_handovers_per_manager {cap}",
        "第 {wave} 批：{manager} 交出和接收共 {n} 个客户，"
        "超过 rollout.max_handovers_per_manager {cap}",
    ),
    "rollout.violation.max_strategic": (
        "wave {wave} changes {n} strategic clients, above rollout.max_strategic {cap}",
        "第 {wave} 批变动 {n} 个战略客户，超过 rollout.max_strategic {cap}",
    ),
    "rollout.violation.first_wave": (
        "{client} ({kind}) takes effect in wave {wave}; rollout.first_wave_for puts it in wave 1",
        "{client}（{kind}）在第 {wave} 批生效；按 rollout.first_wave_for 应在第 1 批",
    ),
    "rollout.violation.exchange": (
        "exchange {exchange} is split over waves {waves}; its moves only work together",
        "交换组 {exchange} 被拆到第 {waves} 批；其调整只能一起生效",
    ),
    "rollout.check.needs_plan": (
        "give the plan to check: --assignment FILE, --schedule FILE or both",
        "请给出要检查的方案：--assignment FILE、--schedule FILE 或两者",
    ),
    "rollout.check.wave": ("wave {wave}", "第 {wave} 批"),
    "rollout.check.ok": (
        "Schedule OK: {waves} waves, every book keeps every hard rule and every cap",
        "分批计划通过：共 {waves} 批，每批之后都满足全部硬性规则和上限",
    ),
    "rollout.check.broken": (
        "The schedule breaks {n} rule(s) or cap(s):",
        "分批计划违反 {n} 项规则或上限：",
    ),
    "rollout.check.not_in_schedule": (
        "{n} change(s) of the plan are in no wave of the schedule: {ids}",
        "方案中有 {n} 项变动不在分批计划中：{ids}",
    ),
    "rollout.check.not_a_change": (
        "client {id} is in the schedule but keeps its manager in the plan",
        "客户 {id} 在分批计划中，但方案中其客户经理未变",
    ),
    "rollout.check.bad_wave": (
        "wave \"{text}\" is not a wave number from 1 to {waves}",
        "批次“{text}”不是 1 到 {waves} 之间的批次号",
    ),
    "rollout.check.other_date": (
        "effective date {text} is not the date of wave {wave} in the scenario ({date}); "
        "change rollout: in the scenario, not the schedule file",
        "生效日期 {text} 与方案中第 {wave} 批的日期（{date}）不符；请修改方案中的 rollout:，"
        "而不是分批计划文件",
    ),
    "rollout.check.other_manager": (
        "client {id}: the schedule gives {schedule}, the plan {plan}",
        "客户 {id}：分批计划为 {schedule}，方案为 {plan}",
    ),
    # terminal
    "rollout.phasing": (
        "Phasing {n} changes into {waves} waves ({dates}) …",
        "正在把 {n} 项变动分为 {waves} 批（{dates}）……",
    ),
    "rollout.stage.excess": ("balance excess over waves", "各批均衡超额之和"),
    "rollout.stage.peak": ("peak handover load", "最大单批交接量"),
    "rollout.stage.spread": ("spread of handover load", "交接量分布"),
    "rollout.stage_line": (
        "  {name}: {status}, objective {obj}, bound {bound}, gap {gap}, {t} s",
        "  {name}：{status}，目标值 {obj}，下界 {bound}，差距 {gap}，{t} 秒",
    ),
    "rollout.wave_line": (
        "  wave {wave} on {date}: {moves} moves, {handovers} handovers, {placements} placements;"
        " balance excess {excess}, {outside} managers outside a band, peak load {peak}",
        "  第 {wave} 批（{date}）：调整 {moves}，交接 {handovers}，新客户分配 {placements}；"
        "均衡超额 {excess}，{outside} 名客户经理超出容差区间，单人最大交接量 {peak}",
    ),
    "rollout.today_line": (
        "  today: balance excess {excess}, {outside} managers outside a band",
        "  当前：均衡超额 {excess}，{outside} 名客户经理超出容差区间",
    ),
    "rollout.status_line": (
        "Rollout {status} in {t} s; targets prorated over {year}",
        "分批计划 {status}，用时 {t} 秒；指标按 {year} 年分段折算",
    ),
    "rollout.wrote": ("Wrote {files} to {out}", "已写入 {files} 到 {out}"),
    # tables
    "rollout.col.wave": ("wave", "批次"),
    "rollout.col.effective_date": ("effective_date", "生效日期"),
    "rollout.col.year_share": ("year_share", "占全年比例"),
    "rollout.col.moves": ("moves", "调整数"),
    "rollout.col.handovers": ("handovers", "交接数"),
    "rollout.col.placements": ("placements", "新客户分配数"),
    "rollout.col.balance_excess": ("balance_excess", "均衡超额"),
    "rollout.col.managers_outside_band": ("managers_outside_band", "超出容差区间人数"),
    "rollout.col.revenue_max_dev": ("revenue_max_dev", "收入最大偏差"),
    "rollout.col.importance_max_dev": ("importance_max_dev", "重要程度最大偏差"),
    "rollout.col.clients_max_dev": ("clients_max_dev", "客户数最大偏差"),
    "rollout.col.revenue_gini": ("revenue_gini", "收入基尼系数"),
    "rollout.col.peak_load": ("peak_load", "单人最大交接量"),
    "rollout.col.hard_rules_ok": ("hard_rules_ok", "满足硬性规则"),
    "rollout.col.manager_id": ("manager_id", "客户经理编码"),
    "rollout.col.manager_name": ("name", "姓名"),
    "rollout.col.prorated_revenue": ("prorated_revenue", "折算组合收入"),
    "rollout.col.prorated_target": ("prorated_target", "折算指标"),
    "rollout.col.prorated_growth": ("prorated_growth", "折算所需增长率"),
    "rollout.col.wave_n": ("wave {k} ({date})", "第{k}批（{date}）"),
    "rollout.sheet.rollout": ("rollout", "分批实施"),
    "rollout.sheet.schedule": ("schedule", "分批计划"),
    "rollout.sheet.load": ("handover load", "交接量"),
    "rollout.sheet.managers": ("managers", "客户经理"),
    "rollout.chart.today": ("today", "当前"),
    "rollout.chart.wave": ("wave {k}\n{date}", "第{k}批\n{date}"),
    "rollout.report.title": ("Rollout: fairness after each wave", "分批实施：各批之后的均衡情况"),
    "rollout.chart.title": (
        "Balance excess and managers outside a band after each wave",
        "各批之后的均衡超额与超出容差区间人数",
    ),
}
