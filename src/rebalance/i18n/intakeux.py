"""Intake as a department head sees it: report.html's intake section, the terminal's intake
lines, the review loop with candidates (revise, adopt)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "intake.report.title": (
        "Intake: candidates brought into the pool",
        "纳入：引入集团客户池的候选客户",
    ),
    "intake.report.lead": (
        "{taken} of {candidates} candidates taken in, bringing {revenue} of annual revenue "
        "(score {score}); {screened} left out by the filters",
        "{candidates}个候选客户中纳入{taken}个，带来年收入{revenue}（总评分{score}）；"
        "{screened}个未通过筛选",
    ),
    "intake.report.stage_proven": (
        "The choice is proven the best: no other set of candidates scores more than {score} "
        "under the same balance",
        "已证明为最优选择：在同样的均衡下，没有其他候选客户组合的总评分高于{score}",
    ),
    "intake.report.stage_first": (
        "The candidates were chosen first, by score: no choice of candidates scores more "
        "than {score}; the book was then balanced around them",
        "先按评分选择候选客户：任何候选客户组合的总评分都不超过{score}；随后围绕它们均衡客户组合",
    ),
    "intake.report.headline": ("Intake", "纳入"),
    "intake.report.page1": ("Intake: {line}", "纳入：{line}"),
    "intake.report.stage_open": (
        "The choice scores {score}; within the time limit it was not proven the best "
        "(no set can score more than {bound})",
        "当前选择总评分{score}；在时限内未能证明为最优（任何组合的总评分不超过{bound}）",
    ),
    "intake.report.filters": (
        "Limits: at most {cap} taken in; revenue at least {revenue}; arrears rate at most "
        "{arrears}",
        "限制：最多纳入{cap}个；年收入不低于{revenue}；欠费率不高于{arrears}",
    ),
    "intake.report.formula": (
        "Score = 100 × Σ weight × value ÷ the largest value of that field among the "
        "candidates (every field on the same 0–1 scale; a negative weight counts against). "
        "Weights: {weights}",
        "评分 = 100 × Σ 权重 × 数值 ÷ 候选客户中该项的最大值（各项按同一0–1尺度计；"
        "负权重为扣分）。权重：{weights}",
    ),
    "intake.report.groups_title": ("By industry group", "按行业组"),
    "intake.report.taken_title": (
        "Candidates taken in and who serves them",
        "纳入的候选客户及负责的客户经理",
    ),
    "intake.report.no_taken": ("No candidate was taken in.", "未纳入任何候选客户。"),
    "intake.report.left_title": (
        "The {n} best candidates left out, and why",
        "未纳入的评分最高的{n}个候选客户及原因",
    ),
    "intake.report.hires_title": (
        "New managers the plan uses (intake.hires)",
        "方案使用的新增客户经理（intake.hires）",
    ),
    "intake.report.col.candidates": ("candidates", "候选客户数"),
    "intake.report.col.screened": ("left out by the filters", "未通过筛选"),
    "intake.report.col.revenue_in": ("revenue brought in", "新增收入"),
    "intake.report.col.hire": ("new manager", "新增客户经理"),
    "intake.report.col.clients": ("clients", "客户数"),
    "intake.col.potential": ("potential", "潜在收入"),
    "intake.reason.screened": ("score {score}: {why}", "评分{score}：{why}"),
    # the review loop with candidates (revise, adopt)
    "review.row.reject_placement": (
        'client "{client}" is new and must be placed: a placement cannot be rejected; pin '
        "the client to the manager you want on the assignment sheet instead",
        "客户 {client} 是新客户，必须分配：不能拒绝新客户分配；"
        "请在客户分配表中把它固定到您希望的客户经理",
    ),
    "intake.review.contradiction": (
        'candidate "{client}": its placement is rejected ({reject}: left out) but it '
        "is pinned to {manager} ({pin})",
        "候选客户 {client}：其分配被拒绝（{reject}：不纳入），却又被固定到 {manager}（{pin}）",
    ),
    "review.revise.held.exclude": ("rejected: left out", "已拒绝：不纳入"),
    "intake.kind.left_out": ("left out", "未纳入"),
    # `compare` / `sweep`: what the intake brings in
    "whatif.col.intake_revenue": ("revenue brought in", "纳入新增收入"),
    "whatif.show.intake_revenue": ("revenue brought in by the intake", "纳入带来的年收入"),
    "intake.reason.no_room_first": (
        "score {score}: the candidates were chosen first (by score, under the hard rules) "
        "and it did not fit in {group}",
        "评分{score}：候选客户先按评分在硬性规则下选择，它在{group}中放不下",
    ),
    "intake.error.placed": (
        "candidate {id} is placed with {manager}, but {why}",
        "候选客户{id}被指定由{manager}负责，但{why}",
    ),
    "intake.why.unknown_manager": (
        "that manager is not in {managers}",
        "该客户经理不在{managers}中",
    ),
}
