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
    "rules.incoming.locked": (
        "locks bring {clients} to {manager} from other managers, but at most {cap} may join one "
        "manager (continuity.max_incoming_per_manager)",
        "锁定使 {manager} 必须从其他客户经理处接手 {clients}，但每位客户经理最多接手 {cap} 个"
        "（continuity.max_incoming_per_manager）",
    ),
    "rules.incoming.pool": (
        "{clients} must change manager and only {managers} may take them on, at most {room} "
        "together ({cap} each, continuity.max_incoming_per_manager)",
        "{clients} 必须更换客户经理，只能由 {managers} 接手，但他们合计最多接手 {room} 个"
        "（每人 {cap} 个，continuity.max_incoming_per_manager）",
    ),
}
