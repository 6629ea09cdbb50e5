"""The exact engine: one CP-SAT model per part of the book (a balancing pool, or the whole
book when a move cap couples the pools): variables, the hard rules (``rebalance.rules``),
objectives and the builder that wires them.

Units and scales: ``rebalance.contract``."""

from rebalance.exact.builder import Part, RebalanceModel, Stage, split_book, stage_names
from rebalance.exact.constraints import Constraints, RuleGuards
from rebalance.exact.objective import Objective, ObjectiveWeights
from rebalance.exact.variables import Variables

__all__ = [
    "Constraints",
    "Objective",
    "ObjectiveWeights",
    "Part",
    "RebalanceModel",
    "RuleGuards",
    "Stage",
    "Variables",
    "split_book",
    "stage_names",
]
