"""Messages of the hard rules (``rebalance.rules``): violations and their descriptions."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "rules.incoming.violation": (
        "{manager} takes on {count} but at most {cap} may join one manager "
        "(continuity.max_incoming_per_manager)",
        "{manager} 接手 {count} 个客户，超过每位客户经理的上限 {cap}"
        "（continuity.max_incoming_per_manager）",
    ),
    "rules.incoming.describe": (
        "{manager} takes on at most {count} (continuity.max_incoming_per_manager)",
        "{manager} 最多接手 {count} 个客户（continuity.max_incoming_per_manager）",
    ),
}
