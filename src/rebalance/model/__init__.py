"""The CP-SAT model: variables, hard rules, objectives and the builder that wires them.

Units and scales: ``rebalance.contract``."""

from rebalance.model.builder import Part, RebalanceModel, Stage, split_book, stage_names
from rebalance.model.constraints import Constraints, RuleGuards
from rebalance.model.objective import Objective, ObjectiveWeights
from rebalance.model.variables import Variables

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
