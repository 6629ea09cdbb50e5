"""The report a planner sends upward: report.html, the workbook's summary sheet, `report`."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "report.title": ("Rebalancing plan: {name}", "客户经理调整方案：{name}"),
    "report.sweep_title": ("Sweep of {name}", "{name} 参数扫描"),
    "report.subtitle": (
        "{clients} clients, {managers} managers, {pools} pools · solver {status}, gap {gap}",
        "{clients} 个客户，{managers} 名客户经理，{pools} 个均衡池 · 求解状态 {status}，差距 {gap}",
    ),
    "report.summary": ("Summary", "摘要"),
    "report.changes": ("Changes", "客户变动"),
    "report.changes_value": (
        "{moves} moves · {handovers} handovers · {placements} placements",
        "调整 {moves} · 交接 {handovers} · 新客户分配 {placements}",
    ),
    "report.inside": ("Managers inside every band", "各项均在容差区间内的客户经理"),
    "report.inside_value": ("{before} → {after} of {total}", "{before} → {after}（共 {total} 名）"),
    "report.spread": ("Revenue spread (load vs fair share)", "收入偏差范围（相对公平份额）"),
    "report.spread_value": ("before {before} → after {after}", "调整前 {before} → 调整后 {after}"),
    "report.growth": ("Required growth", "所需增长率"),
    "report.growth_value": (
        "derived targets {derived} · equal split {equal}",
        "按组合分解 {derived} · 平均分配 {equal}",
    ),
    "report.chart_title": (
        "Every manager's load against their fair share (100 %) and band, before and after",
        "每名客户经理调整前后的负荷（公平份额 = 100%）与容差区间",
    ),
    "report.largest": ("The three largest changes", "最大的三项变动"),
    "report.decisions": ("Needs a decision", "需要决策"),
    "report.decisions_more": (
        "… and {n} more, listed after the moves",
        "……另有 {n} 项，列在调整清单之后",
    ),
    "report.no_decisions": (
        "Nothing: every manager ends inside every band.",
        "无：所有客户经理的各项指标均在容差区间内。",
    ),
    "report.change_line": (
        "{client} (revenue {revenue}): {from_} → {to}, {kind}",
        "{client}（收入 {revenue}）：{from_} → {to}，{kind}",
    ),
    "report.new_client": ("new client", "新客户"),
    "report.moves_by_manager": ("Moves by manager", "按客户经理列出的调整"),
    "report.manager_heading": (
        "{manager}: gives {out}, receives {in_}",
        "{manager}：调出 {out} 个，调入 {in_} 个",
    ),
    "report.no_moves": ("No client changes manager.", "没有客户更换客户经理。"),
    "report.targets": ("Targets", "指标"),
    "report.backups": ("Backups (B roles)", "B角"),
    "report.scenarios": ("Scenarios side by side", "场景对比"),
    "report.curve": ("Moves against balance", "调整数与均衡度"),
    "report.sweep_table": ("Every combination", "全部组合"),
    "report.rows_folded": ("{n} rows (click to open)", "共 {n} 行（点击展开）"),
    "report.footer": (
        "rebalance {version} · seed {seed} · inputs {inputs}",
        "rebalance {version} · 随机种子 {seed} · 输入 {inputs}",
    ),
    "report.headline": ("Headline figure", "关键指标"),
    "report.value": ("Value", "数值"),
    "report.summary_sheet": ("summary", "摘要"),
    "report.sheet_load": ("{metric} {when}, % of fair share", "{when}{metric}（占公平份额）"),
    "report.sheet_chart": ("{metric}: load as % of fair share", "{metric}：负荷占公平份额"),
    "report.sheet_band": ("band ±{tol}", "容差区间 ±{tol}"),
    "report.no_outputs": (
        "{path} has no {file}: run `rebalance solve SCENARIO --out {path}` first",
        "{path} 中没有 {file}：请先运行 `rebalance solve SCENARIO --out {path}`",
    ),
    "report.inputs_changed": (
        "the input files changed since this plan was written ({file}); "
        "solve the scenario again to report on the new inputs",
        "生成该方案后输入文件已改动（{file}）；请重新求解场景后再生成报告",
    ),
    "report.cjk_font_missing": (
        "no Chinese (CJK) font found: chart text is in English. Install one "
        "(`apt-get install fonts-wqy-microhei`) or set REBALANCE_CJK_FONT to a font file",
        "未找到中文字体：图表文字将显示为英文。请安装中文字体"
        "（`apt-get install fonts-wqy-microhei`），或将 REBALANCE_CJK_FONT 设为字体文件路径",
    ),
    "report.summary_unreadable": (
        "cannot read summary.json: {error}",
        "无法读取 summary.json：{error}",
    ),
    "report.summary_no_scenario": (
        "summary.json has no scenario: this folder was not written by `rebalance solve`",
        "summary.json 中没有场景：该文件夹不是 `rebalance solve` 的输出",
    ),
    "report.summary_bad_scenario": (
        "the scenario in summary.json does not load: {error}",
        "summary.json 中的场景无法加载：{error}",
    ),
}
