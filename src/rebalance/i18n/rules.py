"""Messages of the hard rules (``rebalance.rules``) that are not ``checks.*`` /
``diagnose.*`` entries: the rules added since (violations and their descriptions)."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "rules.incoming.violation": (
        "{manager} takes on {n} clients but at most {cap} may join one manager "
        "(continuity.max_incoming_per_manager)",
        "{manager} 接手 {n} 个客户，超过每位客户经理的上限 {cap}"
        "（continuity.max_incoming_per_manager）",
    ),
    "rules.incoming.violation.one": (
        "{manager} takes on {n} client but at most {cap} may join one manager "
        "(continuity.max_incoming_per_manager)",
        "{manager} 接手 {n} 个客户，超过每位客户经理的上限 {cap}"
        "（continuity.max_incoming_per_manager）",
    ),
    "rules.incoming.describe": (
        "{manager} takes on at most {clients} (continuity.max_incoming_per_manager)",
        "{manager} 最多接手 {clients}（continuity.max_incoming_per_manager）",
    ),
}
