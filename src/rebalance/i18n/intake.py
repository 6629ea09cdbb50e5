"""Intake (candidates, ``rebalance staffing``, intake.csv): messages, reasons and headers."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # cells and book checks of the candidates table
    "intake.cell.arrears_rate": (
        '"{text}" is not an arrears rate between 0 and 1 (or 0 % and 100 %)',
        "“{text}”不是0到1（或0%到100%）之间的欠费率",
    ),
    "intake.cell.growth": (
        '"{text}" is not a growth rate between -100 % and 10,000 %',
        "“{text}”不是-100%到10000%之间的增长率",
    ),
    "intake.cell.tenure_years": (
        '"{text}" is not a number of years between 0 and 200',
        "“{text}”不是0到200之间的年数",
    ),
    "intake.error.already_client": (
        "candidate {id} is already a client ({clients} row {crow}, manager {manager}): "
        "a candidate must be new to the pool",
        "候选客户{id}已经是集团客户（{clients}第{crow}行，客户经理{manager}）：候选客户必须是尚未纳入的客户",
    ),
    "intake.error.has_manager": (
        "candidate {id} names manager {manager}: candidates have no manager yet "
        "(leave the column blank)",
        "候选客户{id}填写了客户经理{manager}：候选客户尚无客户经理（请留空该列）",
    ),
    "intake.error.unknown_id": (
        "intake.{what} names {id}, which is not in {candidates}",
        "intake.{what} 中的 {id} 不在 {candidates} 中",
    ),
    "intake.error.score_missing_column": (
        "the score weighs {field}, but {candidates} has no such column: add it or set its "
        "weight to 0",
        "评分使用了{field}，但{candidates}没有该列：请补充该列或把权重设为0",
    ),
    "intake.error.score_blank": (
        "candidate {id} has no {field}, which the score weighs: fill it in or set its weight "
        "to 0",
        "候选客户{id}缺少评分所需的{field}：请填写或把权重设为0",
    ),
    "intake.error.required_screened": (
        "candidate {id} is required but {why}",
        "候选客户{id}被要求纳入，但{why}",
    ),
    "intake.error.required_over_cap": (
        "{n} candidates are required but max_clients is {cap}",
        "要求纳入{n}个候选客户，但 max_clients 为{cap}",
    ),
    "intake.error.no_candidates": (
        "the scenario names no data.candidates: add the candidates file to use intake or "
        "staffing",
        "场景未指定 data.candidates：请添加候选客户文件后再使用纳入或人员测算",
    ),
    # why there is no plan
    "intake.finding.room": (
        "{group}: {n} clients (today's {existing} and {required} required candidates) but "
        "its managers hold at most {cap}",
        "{group}：共{n}个客户（现有{existing}个，要求纳入{required}个），但该组客户经理最多容纳{cap}个",
    ),
    "intake.finding.required": (
        "the required candidates ({ids}) cannot all be placed under the hard rules",
        "要求纳入的候选客户（{ids}）无法在硬性规则下全部分配",
    ),
    "intake.finding.time": (
        "no intake plan was found within {seconds} s",
        "在{seconds}秒内未找到纳入方案",
    ),
    # reasons, one per candidate in intake.csv
    "intake.reason.excluded": ("excluded by the scenario", "场景中排除"),
    "intake.reason.revenue": (
        "revenue {revenue} below the {limit} minimum",
        "年收入{revenue}低于{limit}的下限",
    ),
    "intake.reason.arrears": (
        "arrears {rate} above the {limit} limit",
        "欠费率{rate}高于{limit}的上限",
    ),
    "intake.reason.taken": (
        "taken (score {score}): adds {revenue} to {manager}'s portfolio, {band}",
        "纳入（评分{score}）：为{manager}的客户组合增加{revenue}，{band}",
    ),
    "intake.reason.in_band": ("inside the band ({dev})", "在区间内（{dev}）"),
    "intake.reason.out_band": ("outside the band ({dev})", "超出区间（{dev}）"),
    "intake.reason.required": ("required by the scenario", "场景要求纳入"),
    "intake.reason.no_room": (
        "score {score}: no capacity left in {group} without a new hire",
        "评分{score}：{group}已无容量，需新增人员",
    ),
    "intake.reason.cap": (
        "score {score}: the {cap} places (max_clients) went to higher-scoring candidates",
        "评分{score}：{cap}个名额（max_clients）已给评分更高的候选客户",
    ),
    "intake.reason.no_plan": (
        "score {score}: no plan keeps the hard rules with it in {group} (capacity, eligibility, "
        "caps)",
        "评分{score}：纳入后{group}没有满足硬性规则（容量、资格、上限）的方案",
    ),
    "intake.reason.balance_cost": (
        "score {score}: with it {group}'s balance excess would rise above {without}, its best "
        "without it",
        "评分{score}：纳入后{group}的均衡超额将高于不纳入时的最优值{without}",
    ),
    "intake.reason.cap_swap": (
        "score {score}: it keeps the balance, but the {cap} places (max_clients) are used: every "
        "set of candidates with it scores no more in total, or costs balance",
        "评分{score}：纳入不影响均衡，但{cap}个名额（max_clients）已用完：任何包含它的组合总评分不会更高，"
        "或会损失均衡",
    ),
    "intake.reason.search_left": (
        "score {score}: it keeps the balance; the search left it out within the time limit (the "
        "intake stage is not proven)",
        "评分{score}：纳入不影响均衡；搜索在时限内未纳入（纳入阶段未证明最优）",
    ),
    "intake.reason.unproven": (
        "score {score}: left out by the search; whether taking it costs balance was not settled "
        "within {work} units of solver work",
        "评分{score}：搜索未纳入；在{work}个单位的求解工作量内未能确定纳入是否损失均衡",
    ),
    "intake.reason.unexplained": (
        "score {score}: left out by the search (too many candidates or too big a pool to test "
        "each one)",
        "评分{score}：搜索未纳入（候选客户过多或客户池过大，未逐一验证）",
    ),
    "intake.reason.negative": (
        "score {score}: at or below zero, taking it would lower quality",
        "评分{score}：不高于0，纳入会降低质量",
    ),
    "intake.reason.not_taken": ("score {score}: not taken", "评分{score}：未纳入"),
    # intake.csv columns (client_id, name, industry, revenue, importance, manager: the
    # clients' headers, tables.client.*)
    "intake.col.arrears_rate": ("arrears_rate", "欠费率"),
    "intake.col.growth": ("growth", "增长率"),
    "intake.col.tenure_years": ("tenure_years", "在网年限"),
    "intake.col.score": ("score", "评分"),
    "intake.col.rank": ("rank", "排名"),
    "intake.col.taken": ("taken", "是否纳入"),
    "intake.col.reason": ("reason", "原因"),
    "intake.sheet": ("intake", "纳入"),
    # terminal and summary
    "intake.summary": (
        "Intake: {taken} of {candidates} candidates taken (score {score}), {screened} left out "
        "by the filters",
        "纳入：{candidates}个候选客户中纳入{taken}个（总评分{score}），{screened}个未通过筛选",
    ),
    # staffing
    "staffing.title": (
        "Staffing for {scenario}: {n} new manager(s) needed",
        "{scenario}的人员测算：需新增{n}名客户经理",
    ),
    "staffing.group": ("{group}: {n} hire(s)", "{group}：新增{n}人"),
    "staffing.proof": (
        "proven minimal: with {n} hire(s) the plan is worse ({why})",
        "已证明最少：只新增{n}人时方案更差（{why}）",
    ),
    "staffing.proof_none": (
        "no hire is needed: today's managers hold the intake inside every band that can be met",
        "无需新增人员：现有客户经理即可承接纳入客户并满足所有可达到的均衡区间",
    ),
    "staffing.unproven": (
        "not proven minimal within the time limit (status {status})",
        "在时限内未能证明为最少（状态{status}）",
    ),
    "staffing.fewer_infeasible": ("no plan keeps the hard rules", "无满足硬性规则的方案"),
    "staffing.fewer_worse": (
        "balance excess {balance} instead of {best}, intake score {score} instead of {top}",
        "均衡超额{balance}（而非{best}），纳入评分{score}（而非{top}）",
    ),
    "staffing.extra": (
        "hire {n}: balance excess {balance}, intake score {score}, continuity cost {cost}, "
        "{moves} moves",
        "新增{n}人：均衡超额{balance}，纳入评分{score}，关系成本{cost}，调整{moves}个客户",
    ),
    "staffing.extra_title": (
        "The answer beside one hire fewer and each extra hire, group by group:",
        "测算结果与各行业组少招一人、多招人员的对比：",
    ),
    "staffing.col.hires": ("hires", "新增人数"),
    "staffing.col.group": ("industry group", "行业组"),
    "staffing.col.balance_excess": ("balance excess", "均衡超额"),
    "staffing.col.intake_score": ("intake score", "纳入评分"),
    "staffing.col.taken": ("candidates taken", "纳入客户数"),
    "staffing.col.continuity_cost": ("continuity cost", "关系成本"),
    "staffing.col.moves": ("moves", "调整客户数"),
    "staffing.col.status": ("status", "状态"),
    "staffing.col.note": ("note", "说明"),
    "staffing.note.chosen": ("the staffing answer", "测算结果"),
    "staffing.note.fewer": ("one hire fewer", "少一人"),
    "staffing.note.extra": ("more hires", "多招人员"),
    "staffing.none": ("no plan", "无方案"),
    "staffing.progress_first": (
        "staffing: run 1, the fewest hires (every group's hire slots open) …",
        "人员测算：第1次求解，求最少新增人数（各行业组拟招岗位均可用）……",
    ),
    "staffing.progress": (
        "staffing: run {k} of {n} ({run}; new managers: {hires}) …",
        "人员测算：第{k}/{n}次求解（{run}；新增人员：{hires}）……",
    ),
}

MESSAGES.update({
    # stage names of the intake engine (beside engine.stage.balance / continuity / weighted)
    "engine.stage.intake": ("intake", "纳入"),
    "engine.stage.hires": ("hires", "新增人员"),
    # internal: the fewest takes that keep the first stage (a start that keeps max_clients)
    "engine.stage.fewest": ("fewest takes", "最少纳入"),
    # `compare` / `sweep` columns
    "whatif.col.intake_taken": ("candidates taken in", "纳入候选客户数"),
    "whatif.col.intake_score": ("intake score", "纳入评分"),
    "whatif.show.intake_taken": ("candidates taken in", "纳入候选客户数"),
    "whatif.show.intake_score": ("intake score", "纳入评分"),
    "intake.validate": (
        "Candidates: {n} in {file}, {screened} left out by the intake filters, {open} open",
        "候选客户：{file}中共{n}个，{screened}个未通过纳入筛选，{open}个可纳入",
    ),
})
