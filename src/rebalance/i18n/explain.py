"""Reasons for every client's outcome (report/reasons.py), in English and Chinese.

A reason is a checkable statement about the final plan: what undoing the change (or its
exchange) would do, which rule forces it, and why this client or this manager.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "explain.new": ("new client → {to}: {why}", "新客户 → {to}：{why}"),
    "explain.unassigned": ("not assigned", "未分配"),
    "explain.kept.locked": ("locked", "锁定"),
    "explain.kept.lock_in_scenario": ("locked in scenario", "情景锁定"),
    "explain.kept.protected": ("protected (importance ≥ {level})",
                               "重要客户保护（重要程度 ≥ {level}）"),
    # what undoing would do
    "explain.it.move": ("undoing it alone", "单独撤销此项"),
    "explain.it.exchange": ("undoing the whole exchange", "撤销整组交换"),
    "explain.undo.under": (
        "{it} would leave {who} with {amount}, below its band of {range} ({dev_now} → {dev})",
        "{it}后，{who} 只有{amount}，低于容差区间 {range}（偏差 {dev_now} → {dev}）",
    ),
    "explain.undo.over": (
        "{it} would give {who} {amount}, above its band of {range} ({dev_now} → {dev})",
        "{it}后，{who} 将有{amount}，高于容差区间 {range}（偏差 {dev_now} → {dev}）",
    ),
    "explain.undo.excess": ("balance excess +{delta} ({now} → {then})",
                            "均衡超额 +{delta}（{now} → {then}）"),
    "explain.undo.neutral": ("{it} would not change the balance", "{it}不影响均衡"),
    "explain.undo.better": (
        "{it} would lower the balance excess by {delta}: the plan is not optimal here",
        "{it}可使均衡超额降低 {delta}：此处方案并非最优",
    ),
    "explain.amount.revenue": ("revenue of {v} 元", "收入 {v} 元"),
    "explain.amount.importance": ("importance of {v} points", "重要程度 {v} 分"),
    "explain.amount.clients": ("{v} clients", "{v} 个客户"),
    "explain.range.revenue": ("{lo}–{hi} 元", "{lo}–{hi} 元"),
    "explain.range.importance": ("{lo}–{hi} points", "{lo}–{hi} 分"),
    "explain.range.clients": ("{lo}–{hi} clients", "{lo}–{hi} 个客户"),
    # rules that force a change (undoing it would break them)
    "explain.rule.leaving": ("{frm} is leaving", "{frm} 离职"),
    "explain.rule.lock": ("locked to {to} in the scenario", "情景锁定至 {to}"),
    "explain.rule.protected": ("protected with {to}", "受保护，应由 {to} 负责"),
    "explain.rule.forbidden": ("{frm} may not serve this client (forbidden pair)",
                               "{frm} 不得服务该客户（禁止配对）"),
    "explain.rule.ineligible": ("{frm} does not serve {industry}", "{frm} 不负责行业 {industry}"),
    "explain.rule.capacity": ("undoing it would give {frm} {n} clients, over its capacity of {cap}",
                              "撤销后 {frm} 将有 {n} 个客户，超过其容量 {cap}"),
    # a move into a manager that is over its revenue share
    "explain.over_share": (
        "{to} takes it although {dev} over its revenue share, to lift its {metric} ({metric_dev})",
        "{to} 收入已超出公平份额 {dev}，仍接收此客户，以补足其{metric}（{metric_dev}）",
    ),
    "explain.over_share.keeps": (
        "{to} takes it although {dev} over its revenue share, to lift its {metric} "
        "({metric_dev}): it keeps {client}, whose revenue alone ({load} 元) is above its band's "
        "upper edge ({edge} 元)",
        "{to} 收入已超出公平份额 {dev}，仍接收此客户，以补足其{metric}（{metric_dev}）："
        "它保留的 {client} 单个客户收入（{load} 元）即超过容差上限（{edge} 元）",
    ),
    # why this client
    "explain.pick.only": ("{frm} keeps no other client {to} may serve",
                          "{frm} 没有其他可交给 {to} 的客户"),
    "explain.pick.cheapest": (
        "of the {n} clients {frm} could hand to {to}, this one costs the least continuity ({cost})",
        "在 {frm} 可交给 {to} 的 {n} 个客户中，此客户的关系成本最低（{cost}）",
    ),
    "explain.pick.fits": (
        "{k} of the {n} clients {frm} could hand to {to} cost less continuity, but the best of "
        "them ({alt}) would leave the balance excess {delta} higher",
        "{frm} 可交给 {to} 的 {n} 个客户中有 {k} 个关系成本更低，但其中最合适的（{alt}）"
        "会使均衡超额高出 {delta}",
    ),
    "explain.pick.tie": (
        "{alt} would cost less continuity ({alt_cost} against {cost}) and balance as well",
        "{alt} 的关系成本更低（{alt_cost}，此客户 {cost}），均衡效果相同",
    ),
    # why this manager (handovers and placements)
    "explain.choice.only": ("{to} is the only manager who may take it",
                            "{to} 是唯一可接收该客户的客户经理"),
    "explain.choice.best": (
        "of the {n} other managers who may take it, the best ({alt}) would raise the balance "
        "excess by {delta}",
        "其他 {n} 名可接收的客户经理中，最合适的（{alt}）也会使均衡超额增加 {delta}",
    ),
    "explain.choice.one_other": (
        "the one other manager who may take it ({alt}) would raise the balance excess by "
        "{delta}",
        "唯一另一名可接收的客户经理（{alt}）会使均衡超额增加 {delta}",
    ),
    "explain.choice.tie": ("{alt} would balance as well", "{alt} 的均衡效果相同"),
    # exchanges
    "explain.swap": (
        "exchange {id}: {a} gives {n_out} client(s) ({rev_out} 元) to {b} and takes {n_in} "
        "({rev_in} 元) back",
        "交换 {id}：{a} 调出 {n_out} 个客户（{rev_out} 元）给 {b}，并换回 {n_in} 个（{rev_in} 元）",
    ),
    "explain.chain": ("exchange {id}: a chain {loop} of {n} clients ({revenue} 元)",
                      "交换 {id}：{loop} 循环调整 {n} 个客户（{revenue} 元）"),
}
