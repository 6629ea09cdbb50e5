"""Chart titles, axes and legends (report/plots.py), in English and Chinese.

These are templates filled in by the plotting code itself (format specs such as ``{tol:.0%}``).
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "plots.loads_title": (
        "{metric} load before and after (fair share = 100 %, band ±{tol:.0%})",
        "{metric}调整前后（公平份额 = 100%，容差区间 ±{tol:.0%}）",
    ),
    "plots.loads_y": ("load as % of fair share", "占公平份额的百分比"),
    "plots.before": ("before", "调整前"),
    "plots.after": ("after", "调整后"),
    "plots.band": ("tolerance band", "容差区间"),
    "plots.lorenz_title": ("Lorenz curve of {metric} load per fair share",
                           "{metric}负荷（相对公平份额）洛伦兹曲线"),
    "plots.lorenz_x": ("share of managers (lightest first)", "客户经理累计占比（由轻到重）"),
    "plots.lorenz_y": ("share of load", "负荷累计占比"),
    "plots.equality": ("equal load", "完全均衡"),
    "plots.gini_before": ("before (Gini {g:.3f})", "调整前（基尼系数 {g:.3f}）"),
    "plots.gini_after": ("after (Gini {g:.3f})", "调整后（基尼系数 {g:.3f}）"),
    "plots.tradeoff_title": ("What each extra move buys in balance",
                             "每多调整一个客户换来多少均衡"),
    "plots.tradeoff_x": ("moves (relationships changed)", "调整客户数（变更的客户关系）"),
    "plots.tradeoff_y": ("balance excess", "均衡超额"),
    "plots.per_move": ("−{gain:.3g}/move", "每次调整 −{gain:.3g}"),
    "plots.point_labels": ("point labels: {label}", "点旁数字：{label}"),
    "plots.revenue": ("Revenue", "收入"),
    "plots.importance": ("Importance", "重要程度"),
    "plots.clients": ("Clients", "客户数"),
}
