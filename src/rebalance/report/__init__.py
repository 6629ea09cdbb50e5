"""Output tables (en/zh headers), move reasons and plots built from a plan."""

from rebalance.report.reasons import move_reasons
from rebalance.report.tables import (
    assignment_table,
    backup_loads_from,
    managers_table,
    moves_table,
    translate,
)

__all__ = [
    "assignment_table",
    "backup_loads_from",
    "managers_table",
    "move_reasons",
    "moves_table",
    "translate",
]
