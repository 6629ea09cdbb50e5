"""Messages of ``rebalance incentives``: column headers, settings, terminal, calibration, plot.

Column headers (``incentives.col.*``) keep the machine name as their English text, so the
English CSV reads as before.
"""

from __future__ import annotations

_COLUMNS: dict[str, str] = {
    # per manager
    "manager_id": "客户经理编码",
    "name": "姓名",
    "num_subscribers": "用户数",
    "num_quantity": "计数量奖励用户数",
    "revenue": "收入",
    "revenue_in_network": "在网奖励收入基数",
    "profit_base": "效益奖励基数",
    "terminal_cost": "终端成本",
    "arrears": "欠费",
    "arrears_rate": "欠费率",
    "threshold_applied": "阈值内免罚",
    "quantity_reward": "数量奖励",
    "in_network_reward": "在网奖励",
    "arrears_deduction": "效益奖励内扣欠费",
    "profit_reward": "效益奖励",
    "fine": "欠费罚款",
    "reward": "新方案奖励",
    "num_new": "新增用户数",
    "old_bonus": "旧方案新增奖励",
    "old_fine": "旧方案欠费罚款",
    "old_reward": "旧方案奖励",
    "difference": "新旧差额",
    "num_moved_subscribers": "随客户调整的用户数",
    "book_reward": "现有归属下新方案奖励",
    "plan_change": "方案调整带来的变化",
    "reward_per_subscriber": "户均新方案奖励",
    "old_reward_per_subscriber": "户均旧方案奖励",
    "currency": "币种",
    "period_months": "考核期月数",
    # what-if
    "num_handsets": "捆绑终端销量",
    "num_churners": "欠费离网用户数",
    "new_quantity": "数量奖励",
    "new_in_network": "在网奖励",
    "new_profit": "效益奖励",
    "new_fine": "欠费罚款",
    "new_reward": "新方案奖励",
    "horizon_months": "模拟月数",
    # calibration and summary
    "component": "组成部分",
    "share": "预算占比",
    "base": "基数",
    "setting": "参数",
    "coefficient": "系数",
    "total": "金额",
    "item": "项目",
    "value": "取值",
}

_SETTINGS: dict[str, str] = {
    "unit_reward": "数量奖励单价",
    "coef_in_network": "在网奖励系数",
    "coef_profit": "效益奖励系数",
    "arrears_threshold": "欠费率阈值",
    "fine_rate": "欠费罚款比例",
    "months_quantity": "数量奖励在网月数",
    "months_in_network": "在网奖励在网月数",
    "months_profit": "效益奖励在网月数",
    "old_unit_reward": "旧方案新增奖励单价",
    "new_months": "旧方案新增用户在网月数上限",
    "quantity_basis": "数量奖励口径",
    "period_months": "考核期月数",
    "currency": "币种",
    "budget": "预算",
    "mix": "预算分配比例",
    "coefficient_digits": "系数有效位数",
    "monthly_revenue": "月收入",
    "subsidy": "终端补贴",
    "churn": "欠费离网比例",
    "paid_months": "缴费月数",
    "arrears_months": "欠费月数",
    "base_subscribers": "存量用户数",
    "base_arrears_rate": "存量欠费率",
    "horizon_months": "模拟月数",
}

_ITEMS: dict[str, tuple[str, str]] = {
    # rows of incentives_summary.csv
    "budget": ("budget", "预算"),
    "budget_old": ("budget (= old scheme's total)", "预算（= 旧方案总额）"),
    "total_quantity": ("quantity reward", "数量奖励"),
    "total_in_network": ("in-network reward", "在网奖励"),
    "total_profit": ("profit reward (net of deductions)", "效益奖励（已扣欠费）"),
    "total_fine": ("fines", "欠费罚款"),
    "total_new": ("new scheme total", "新方案总额"),
    "total_old": ("old scheme total", "旧方案总额"),
    "total_book": ("new scheme total on the current book", "现有归属下新方案总额"),
    "num_gain": ("managers gaining vs the old scheme", "比旧方案多拿的客户经理数"),
    "num_lose": ("managers losing vs the old scheme", "比旧方案少拿的客户经理数"),
    "num_same": ("managers unchanged", "持平的客户经理数"),
    "num_gain_plan": ("managers earning more on the plan than on the current book",
                      "按方案归属比现有归属多拿的客户经理数"),
    "num_lose_plan": ("managers earning less on the plan than on the current book",
                      "按方案归属比现有归属少拿的客户经理数"),
    "new_low": ("new reward per subscriber: lowest manager", "户均新方案奖励：最低"),
    "new_median": ("new reward per subscriber: median manager", "户均新方案奖励：中位"),
    "new_high": ("new reward per subscriber: highest manager", "户均新方案奖励：最高"),
    "cv_new": ("new reward per subscriber: coefficient of variation",
               "户均新方案奖励：变异系数"),
    "old_low": ("old reward per subscriber: lowest manager", "户均旧方案奖励：最低"),
    "old_median": ("old reward per subscriber: median manager", "户均旧方案奖励：中位"),
    "old_high": ("old reward per subscriber: highest manager", "户均旧方案奖励：最高"),
    "cv_old": ("old reward per subscriber: coefficient of variation",
               "户均旧方案奖励：变异系数"),
    "plan": ("plan", "归属方案"),
    "coefficient_digits": ("coefficients rounded to significant digits", "系数保留有效位数"),
    "quantity_basis": ("quantity basis", "数量奖励口径"),
    "currency": ("currency", "币种"),
    "period_months": ("period (months)", "考核期月数"),
}

MESSAGES: dict[str, tuple[str, str]] = {
    **{f"incentives.col.{k}": (k, zh) for k, zh in _COLUMNS.items()},
    **{f"incentives.setting.{k}": (k, zh) for k, zh in _SETTINGS.items()},
    **{f"incentives.item.{k}": v for k, v in _ITEMS.items()},
    "incentives.component.quantity": ("quantity", "数量奖励"),
    "incentives.component.in_network": ("in_network", "在网奖励"),
    "incentives.component.profit": ("profit", "效益奖励"),
    "incentives.component.fines": ("fines", "欠费罚款"),
    "incentives.component.total": ("total", "合计"),
    "incentives.basis.stock": ("stock", "存量"),
    "incentives.basis.flow": ("flow", "增量"),
    "incentives.plan.book": ("current book", "现有归属"),
    # terminal
    "incentives.unit": ("{currency} per {months}-month period",
                        "{currency}，每考核期 {months} 个月"),
    "incentives.title": ("Incentives: new scheme vs old ({unit})",
                         "激励方案：新旧对比（{unit}）"),
    "incentives.title.plan": ("Incentives on the plan {plan}: new scheme vs old ({unit})",
                              "按方案 {plan} 归属的激励：新旧对比（{unit}）"),
    "incentives.caption": ("* arrears rate above the threshold: fined instead of deducted",
                           "* 欠费率超过阈值：按欠费罚款，不在效益奖励内扣减"),
    "incentives.head.manager": ("manager", "客户经理"),
    "incentives.head.subs": ("subs", "用户数"),
    "incentives.head.quantity": ("quantity", "数量"),
    "incentives.head.in_network": ("in-net", "在网"),
    "incentives.head.profit": ("profit", "效益"),
    "incentives.head.fine": ("fine", "罚款"),
    "incentives.head.arrears": ("arrears", "欠费率"),
    "incentives.head.new": ("new", "新方案"),
    "incentives.head.old": ("old", "旧方案"),
    "incentives.head.change": ("new-old", "差额"),
    "incentives.head.book": ("on book", "现有归属"),
    "incentives.head.total": ("total", "合计"),
    "incentives.head.non_payers": ("non-payers", "欠费离网"),
    "incentives.head.max_arrears": ("max arrears", "最高欠费率"),
    "incentives.whatif.title": (
        "What-if: extra reward over {months} months from selling N bundled handsets ({currency})",
        "模拟：销售 N 部捆绑终端在 {months} 个月内带来的额外奖励（{currency}）"),
    "incentives.whatif.profile": (
        "Profile: plan {fee}/month, subsidy {subsidy}; {churn} of buyers pay {paid} months then "
        "leave {unpaid} months unpaid; base book {base} subscribers with {base_rate} arrears. "
        "* above the threshold.",
        "假设：月费 {fee}，终端补贴 {subsidy}，{churn} 的购机用户缴费 {paid} 个月后停缴、欠费 "
        "{unpaid} 个月；存量用户 {base} 户，存量欠费率 {base_rate}。* 超过阈值。"),
    "incentives.calibration.title": (
        "Calibrated to a budget of {budget} {unit} (closed form; fines {fines} taken back)",
        "按预算 {budget} 校准（{unit}；闭式求解；罚款 {fines} 抵回）"),
    "incentives.calibration.title_old": (
        "Calibrated to the old scheme's total, {budget} {unit} (closed form; fines {fines} "
        "taken back)",
        "按旧方案总额 {budget} 校准（{unit}；闭式求解；罚款 {fines} 抵回）"),
    "incentives.calibration.rounded": (
        "Coefficients rounded to {digits} significant digits: the scheme pays {paid}, {gap} "
        "from the budget.",
        "系数保留 {digits} 位有效数字：方案支出 {paid}，与预算相差 {gap}。"),
    "incentives.scheme.header": (
        "The scheme calibrated to {budget} {currency} per {months}-month period: run "
        "`rebalance incentives` on this file to apply these coefficients as they are.",
        "按每考核期（{months} 个月）{budget} {currency} 校准的方案：对本文件运行 "
        "`rebalance incentives` 即按这些系数直接计算。"),
    "incentives.scheme.header_old": (
        "The scheme calibrated to the old scheme's total, {budget} {currency} per "
        "{months}-month period: run `rebalance incentives` on this file to apply these "
        "coefficients as they are.",
        "按旧方案总额（每考核期 {months} 个月 {budget} {currency}）校准的方案：对本文件运行 "
        "`rebalance incentives` 即按这些系数直接计算。"),
    "incentives.fairness": (
        "Against the old scheme: {gain} managers gain, {lose} lose, {same} unchanged. Reward "
        "per subscriber across managers: new {new_low} to {new_high} (median {new_median}, "
        "CV {new_cv}); old {old_low} to {old_high} (median {old_median}, CV {old_cv}).",
        "与旧方案相比：{gain} 名客户经理多拿，{lose} 名少拿，{same} 名持平。各客户经理户均奖励："
        "新方案 {new_low} 至 {new_high}（中位 {new_median}，变异系数 {new_cv}）；旧方案 {old_low} "
        "至 {old_high}（中位 {old_median}，变异系数 {old_cv}）。"),
    "incentives.moved": (
        "{num} subscribers follow {clients} clients that change manager in the plan; on the "
        "plan {gain} managers earn more than on the current book, {lose} less.",
        "方案中有 {clients} 个客户更换客户经理，随之调整的用户 {num} 户；"
        "按方案归属，{gain} 名客户经理比现有归属多拿，{lose} 名少拿。"),
    "incentives.wrote": ("Wrote", "已写入"),
    # calibration impossible (exit 1)
    "incentives.calibration.fines_exceed": (
        "the budget {budget} {currency} cannot be met: fines of {fines} {currency} are fixed "
        "(no coefficient changes them), so the scheme pays at least {floor} {currency}; give a "
        "budget above {floor}",
        "预算 {budget} {currency} 无法达到：罚款 {fines} {currency} 与系数无关，方案最少支出 "
        "{floor} {currency}；请给出高于 {floor} 的预算"),
    "incentives.calibration.no_base": (
        "the mix gives {component} a share of {share} but its base is {base}: no coefficient "
        "can pay that share; set its share to 0",
        "预算分配给 {component} 的比例为 {share}，但其基数为 {base}：任何系数都无法支出这部分；"
        "请将其比例设为 0"),
    "incentives.calibration.mix_order": (
        "the mix (profit {share_profit}, in_network {share_in_network}) gives coef_profit "
        "{profit} ≤ coef_in_network {in_network}, against the proposal's rule: with a profit "
        "base of {profit_base} and an in-network base of {in_network_base}, the profit share "
        "must be more than {ratio} × the in-network share",
        "预算分配比例（效益 {share_profit}，在网 {share_in_network}）得出效益奖励系数 {profit} ≤ "
        "在网奖励系数 {in_network}，不符合方案要求：效益奖励基数 {profit_base}、在网奖励基数 "
        "{in_network_base}，效益占比须大于在网占比的 {ratio} 倍"),
    # bad options (exit 2)
    "incentives.error.budget": (
        "--budget {value!r}: give an amount per period or old",
        "--budget {value!r}：请给出每个考核期的金额，或 old"),
    "incentives.error.no_subscribers": (
        "no subscribers table: give --subscribers FILE or set data.subscribers in the scenario",
        "没有用户表：请用 --subscribers FILE 指定，或在情景文件中设置 data.subscribers"),
    # the subscribers table (exit 2), each at file, row and column
    "incentives.read.both_mean": (
        'columns "{first}" and "{second}" both mean {column}; keep only one',
        '"{first}" 和 "{second}" 两列都表示 {column}，请只保留一列'),
    "incentives.read.missing": (
        'missing required column "{column}" (accepted names: {accepted})',
        '缺少必需的列 "{column}"（可用列名：{accepted}）'),
    "incentives.read.missing_tenure": (
        'missing required column "{column}" (or activation_date with as_of) (accepted names: '
        '{accepted})',
        '缺少必需的列 "{column}"（或入网日期加统计日期）（可用列名：{accepted}）'),
    "incentives.read.empty_id": ("subscriber id is empty", "用户编码为空"),
    "incentives.read.duplicate_id": (
        'duplicate subscriber id "{id}" (first seen in row {first})',
        '用户编码 "{id}" 重复（首次出现在第 {first} 行）'),
    "incentives.read.empty_manager": ("manager is empty", "客户经理为空"),
    "incentives.read.unknown_manager": (
        'manager "{manager}" is not in the managers table ({source})',
        '客户经理 "{manager}" 不在客户经理表中（{source}）'),
    "incentives.read.unknown_client": (
        'client "{client}" is not in the clients table ({source})',
        '客户 "{client}" 不在客户表中（{source}）'),
    "incentives.read.not_number": ('"{text}" is not a number', '"{text}" 不是数字'),
    "incentives.read.negative": ('{column} must be 0 or more, got "{text}"',
                                 '{column} 不能为负数，实际为 "{text}"'),
    "incentives.read.not_months": ('"{text}" is not a number of months',
                                   '"{text}" 不是月数'),
    "incentives.read.empty_tenure": (
        "tenure is empty (give tenure_months, or activation_date with as_of)",
        "在网月数为空（请填写在网月数，或入网日期加统计日期）"),
    "incentives.read.not_date": ('"{text}" is not a date (use YYYY-MM-DD)',
                                 '"{text}" 不是日期（请用 YYYY-MM-DD）'),
    "incentives.read.no_as_of": (
        "no as-of date to count tenure from activation_date (give --as-of or an as_of column)",
        "没有统计日期，无法由入网日期计算在网月数（请用 --as-of 或统计日期列）"),
    "incentives.read.after_as_of": ("activation {start} is after the as-of date {end}",
                                    "入网日期 {start} 晚于统计日期 {end}"),
    "incentives.error.whatif": (
        "--whatif: {value!r} is not a whole number of handsets (0 or more)",
        "--whatif：{value!r} 不是终端销量（0 或正整数）"),
    "incentives.error.whatif_empty": ("--whatif: give at least one number, e.g. 0,50,100",
                                      "--whatif：请至少给出一个数，例如 0,50,100"),
    "incentives.error.as_of": ("--as-of {value!r}: not a date, use YYYY-MM-DD",
                               "--as-of {value!r}：不是日期，请用 YYYY-MM-DD"),
    "incentives.profile.churn": ("what-if: churn must be between 0 and 1, got {value}",
                                 "模拟：欠费离网比例须在 0 与 1 之间，实际为 {value}"),
    "incentives.profile.negative": ("what-if: {name} must be 0 or more, got {value}",
                                    "模拟：{name} 不能为负数，实际为 {value}"),
    "incentives.profile.period": ("what-if: period_months must be at least 1, got {value}",
                                  "模拟：考核期月数至少为 1，实际为 {value}"),
    "incentives.profile.horizon": (
        "what-if: horizon_months ({horizon}) must be at least one period ({period})",
        "模拟：模拟月数（{horizon}）至少为一个考核期（{period}）"),
    # plot
    "incentives.plot.title": ("Reward for selling N bundled handsets",
                              "销售 N 部捆绑终端的奖励"),
    "incentives.plot.x": ("bundled handsets sold (N)", "捆绑终端销量（N）"),
    "incentives.plot.y": ("extra reward over {months} months ({currency})",
                          "{months} 个月内的额外奖励（{currency}）"),
    "incentives.plot.old": ("old scheme (bonus per new subscriber, fine on all arrears)",
                            "旧方案（按新增用户奖励，全部欠费罚款）"),
    "incentives.plot.new": ("new scheme", "新方案"),
    "incentives.plot.fined": ("arrears rate above threshold: fine",
                              "欠费率超过阈值：罚款"),
    # sheet names
    "incentives.sheet.incentives": ("incentives", "激励"),
    "incentives.sheet.whatif": ("whatif", "模拟"),
    "incentives.sheet.settings": ("settings", "参数"),
    "incentives.sheet.summary": ("summary", "汇总"),
    "incentives.sheet.calibration": ("calibration", "校准"),
}
