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
        "  {manager}：{field}由 {before} 改为 {after}",
    ),
    "review.override.field.status": ("status", "状态"),
    "review.override.field.fte": ("fte", "人力系数"),
    "review.override.field.capacity": ("capacity", "容量"),
    "review.override.field.industry": ("industry", "行业组"),
    "review.override.unlocked": (
        "  table locks released for {n} client(s): {clients}",
        "  已解除 {n} 个客户的表内锁定：{clients}",
    ),
    # shared by the review commands
    "review.no_sheet": ("has no sheet {sheet}", "缺少工作表 {sheet}"),
    "review.col.decision": ("decision", "审核意见"),
    "review.col.pin": ("pin", "固定"),
    "review.value.accept": ("accept", "同意"),
    "review.value.reject": ("reject", "拒绝"),
    "review.not_workbook": (
        "is not an Excel workbook (.xlsx): review the assignment.xlsx that solve wrote",
        "不是 Excel 工作簿（.xlsx）：请审核 solve 生成的 assignment.xlsx",
    ),
    "review.no_assignment": (
        "the folder has no assignment.csv (give a plan folder, an assignment CSV or a workbook)",
        "该文件夹中没有 assignment.csv（请给出方案文件夹、分配表 CSV 或工作簿）",
    ),
    "review.more_rows": ("… and {n} more (all of them are in the files)",
                         "……另有 {n} 行（文件中有全部内容）"),
    # diff
    "review.diff.title": (
        "{a} → {b}: {n} client(s) with a different manager",
        "{a} → {b}：{n} 个客户的客户经理不同",
    ),
    "review.diff.doc_title": ("Plan diff: {a} → {b}", "方案对比：{a} → {b}"),
    "review.diff.section.clients": ("Clients whose manager differs", "客户经理不同的客户"),
    "review.diff.section.managers": ("Changes per manager", "各客户经理的变化"),
    "review.diff.section.figures": ("Objectives", "目标值"),
    "review.diff.col.manager_a": ("manager {a}", "客户经理（{a}）"),
    "review.diff.col.manager_b": ("manager {b}", "客户经理（{b}）"),
    "review.diff.col.clients_a": ("clients {a}", "客户数（{a}）"),
    "review.diff.col.clients_b": ("clients {b}", "客户数（{b}）"),
    "review.diff.col.clients_change": ("clients change", "客户数变化"),
    "review.diff.col.revenue_a": ("revenue {a}", "收入（{a}）"),
    "review.diff.col.revenue_b": ("revenue {b}", "收入（{b}）"),
    "review.diff.col.revenue_change": ("revenue change", "收入变化"),
    "review.diff.col.importance_a": ("importance {a}", "重要程度（{a}）"),
    "review.diff.col.importance_b": ("importance {b}", "重要程度（{b}）"),
    "review.diff.col.importance_change": ("importance change", "重要程度变化"),
    "review.diff.col.a": ("{a}", "方案 {a}"),
    "review.diff.col.b": ("{b}", "方案 {b}"),
    "review.diff.col.change": ("change", "变化"),
    # the reviewed workbook
    "review.missing_column": ("missing column {column!r}", "缺少列 {column!r}"),
    "review.missing_clients": (
        "{n} client(s) of the clients table are missing from the sheet: {clients}",
        "客户表中有 {n} 个客户不在该工作表中：{clients}",
    ),
    "review.row.empty_id": ("client id is empty", "客户编码为空"),
    "review.row.unknown_client": (
        'client "{client}" is not in the clients table (was the id edited?)',
        "客户 {client} 不在客户表中（客户编码是否被修改？）",
    ),
    "review.row.duplicate": (
        'client "{client}" appears more than once (first in row {first})',
        "客户 {client} 出现多次（首次在第 {first} 行）",
    ),
    "review.row.name_mismatch": (
        'client "{client}" is "{book}" in the clients table, but the row says "{name}" '
        "(was the id edited?)",
        "客户 {client} 在客户表中为“{book}”，此行却为“{name}”（客户编码是否被修改？）",
    ),
    "review.row.previous_mismatch": (
        'client "{client}" has previous manager {book} in the clients table, but the row '
        "says {shown} (was the row edited?)",
        "客户 {client} 在客户表中的原客户经理为 {book}，此行却为 {shown}（此行是否被修改？）",
    ),
    "review.row.unknown_manager": (
        'manager "{manager}" is not in the managers table',
        "客户经理 {manager} 不在客户经理表中",
    ),
    "review.row.to_mismatch": (
        'client "{client}" goes to {plan} on the assignment sheet, but this row says {shown}; '
        "change the manager on the assignment sheet and pin it instead",
        "客户 {client} 在客户分配表中调入 {plan}，此行却为 {shown}；"
        "请在客户分配表中修改客户经理并固定",
    ),
    "review.row.bad_decision": (
        '"{value}" is not a decision: use accept or reject (同意 / 拒绝); blank means accept',
        "“{value}”不是有效的审核意见：请填写 同意 或 拒绝（accept / reject），空白表示同意",
    ),
    "review.row.bad_pin": (
        '"{value}" is not a pin: use yes (是) to pin, blank or no (否) not to',
        "“{value}”不是有效的固定标记：填写 是（yes）表示固定，空白或 否（no）表示不固定",
    ),
    "review.row.reject_handover": (
        'client "{client}" cannot stay with {manager}, who is leaving (a handover cannot be '
        "rejected; pin the client to a staying manager instead)",
        "客户 {client} 无法留在离职的 {manager} 名下（交接不能拒绝；请改为固定到在岗客户经理）",
    ),
    "review.row.pin_ineligible": (
        'client "{client}" cannot be pinned to {manager}: {why}',
        "客户 {client} 不能固定到 {manager}：{why}",
    ),
    "review.why.leaving": ("the manager is leaving", "该客户经理离职"),
    "review.why.forbidden": ("the scenario forbids this pair", "场景禁止该配对"),
    "review.why.industry": (
        "the manager does not serve industry {industry}",
        "该客户经理不负责行业 {industry}",
    ),
    "review.row.pin_fixed": (
        'client "{client}" is pinned to {manager}, but a rule holds it with {held} ({reason})',
        "客户 {client} 被固定到 {manager}，但规则要求其留在 {held}（{reason}）",
    ),
    "review.row.contradiction": (
        'client "{client}": the move is rejected ({reject}: stay with {previous}) but the '
        "client is pinned to {manager} ({pin})",
        "客户 {client}：调整被拒绝（{reject}：留在 {previous}），却又被固定到 {manager}（{pin}）",
    ),
    # revise
    "review.revise.read": (
        "{file}: {rejected} move(s) rejected, {pins} client(s) pinned, {accepted} move(s) "
        "accepted; re-optimising the rest",
        "{file}：拒绝 {rejected} 项调整，固定 {pins} 个客户，同意 {accepted} 项调整；其余重新优化",
    ),
    "review.revise.status": (
        "Status {status}: {moves} moves, balance excess {be:.4f}, continuity cost {cc:.3f}, "
        "gap {gap:.2%}",
        "状态 {status}：调整 {moves} 个客户，均衡超额 {be:.4f}，关系成本 {cc:.3f}，差距 {gap:.2%}",
    ),
    "review.revise.changed": (
        "{n} client(s) have another manager than in the reviewed plan",
        "与审核的方案相比，{n} 个客户的客户经理有变化",
    ),
    "review.revise.changes_title": ("Changes against the reviewed plan", "相对审核方案的变化"),
    "review.revise.reviewed": ("reviewed", "审核方案"),
    "review.revise.revised": ("revised", "修订方案"),
    "review.revise.held.reject": ("rejected: stays", "已拒绝：留任"),
    "review.revise.held.pin": ("pinned", "已固定"),
    "review.revise.yaml_comment": (
        "Written by rebalance revise from {file}: the scenario with {n} decision(s) as locks.\n"
        "Adopt with: rebalance adopt scenario.yaml --assignment assignment.csv --to NEXT_BOOK",
        "由 rebalance revise 根据 {file} 生成：场景中已将 {n} 项审核决定写为锁定。\n"
        "采纳：rebalance adopt scenario.yaml --assignment assignment.csv --to 新台账目录",
    ),
    # adopt
    "review.adopt.overwrite": (
        "would overwrite the input {files}; choose a new folder for the next book",
        "将覆盖输入文件 {files}；请为新台账选择新的文件夹",
    ),
    "review.adopt.broken": (
        "the plan breaks {n} hard rule(s) and cannot be adopted:",
        "该方案违反 {n} 条硬性规则，不能采纳：",
    ),
    "review.adopt.yaml_comment": (
        "The next book after adopting a plan of scenario {name} (written by rebalance adopt).\n"
        "The same rules as before; the tables hold the adopted managers.",
        "采纳场景 {name} 的方案后的新台账（由 rebalance adopt 生成）。\n"
        "规则与之前相同；表中的客户经理为采纳后的归属。",
    ),
    "review.adopt.done": (
        "Adopted plan {plan}: {moves} moves, {handovers} handovers, {placements} placements; "
        "balance excess {be:.4f}, continuity cost {cc:.3f}",
        "已采纳方案 {plan}：调整 {moves} 个，交接 {handovers} 个，新客户分配 {placements} 个；"
        "均衡超额 {be:.4f}，关系成本 {cc:.3f}",
    ),
    "review.adopt.removed": ("Leavers removed from the managers table: {managers}",
                             "已从客户经理表中移除离职人员：{managers}"),
    "review.adopt.activated": ("New hires made active: {managers}",
                               "新入职人员已设为在岗：{managers}"),
    "review.adopt.history": ("History: {store}", "历史记录：{store}"),
    # history
    "review.history.missing": (
        "no history store here (rebalance adopt creates one)",
        "此处没有历史记录库（rebalance adopt 会创建）",
    ),
    "review.history.corrupt": (
        "is not a readable SQLite database ({detail})",
        "不是可读取的 SQLite 数据库（{detail}）",
    ),
    "review.history.foreign": (
        "is a SQLite database, but not a rebalance history",
        "是 SQLite 数据库，但不是 rebalance 历史记录库",
    ),
    "review.history.newer": (
        "was written by a newer rebalance (schema {version}, this one knows {known})",
        "由更新版本的 rebalance 写入（结构版本 {version}，当前版本只支持到 {known}）",
    ),
    "review.history.no_plan": (
        "has no plan {plan} (stored plans: {ids})",
        "没有编号为 {plan} 的方案（已存方案：{ids}）",
    ),
    "review.history.title": ("Adopted plans in {store}", "{store} 中已采纳的方案"),
    "review.history.empty": ("No plan has been adopted yet.", "尚未采纳任何方案。"),
    "review.history.usage": (
        "use: rebalance history [DIR] | history show N [DIR] | history diff N M [DIR]",
        "用法：rebalance history [目录] | history show N [目录] | history diff N M [目录]",
    ),
    "review.history.col.id": ("plan", "方案"),
    "review.history.col.adopted_at": ("adopted (UTC)", "采纳时间（UTC）"),
    "review.history.col.by": ("approved by", "审批人"),
    "review.history.col.input_hash": ("input hash", "输入哈希"),
    "review.history.show": (
        "Plan {plan}, adopted {when} under scenario {scenario}{by}{note}",
        "方案 {plan}，采纳于 {when}，场景 {scenario}{by}{note}",
    ),
    "review.history.hash_ok": (
        "Stored inputs match their recorded hashes ({files}).",
        "已存输入文件与记录的哈希一致（{files}）。",
    ),
    "review.history.hash_bad": (
        "Stored input {file} does not match its recorded hash: the store was altered.",
        "已存输入文件 {file} 与记录的哈希不一致：历史记录库已被改动。",
    ),
    "review.history.check_ok": (
        "Re-checked against its stored inputs: every hard rule holds; balance excess {be:.4f} "
        "(recorded {rbe:.4f}), continuity cost {cc:.3f} (recorded {rcc:.3f}).",
        "已按存档输入重新核验：全部硬性规则满足；均衡超额 {be:.4f}（记录 {rbe:.4f}），"
        "关系成本 {cc:.3f}（记录 {rcc:.3f}）。",
    ),
    "review.history.check_bad": (
        "Re-checked against its stored inputs: {n} hard rule violation(s) or changed figures:",
        "已按存档输入重新核验：{n} 处违反硬性规则或数值不一致：",
    ),
    "review.history.figures_differ": (
        "recorded figures differ from the re-check",
        "记录的数值与重新核验结果不一致",
    ),
}
