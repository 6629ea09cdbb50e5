"""The CP-SAT model: variables, hard rules, objectives and the builder that wires them."""

from rebalance.model.builder import Part, RebalanceModel, Stage, split_book, stage_names
from rebalance.model.constraints import Constraints, RuleGuards
from rebalance.model.objective import (
    DEV_SCALE,
    OBJECTIVE_SCALE,
    WEIGHT_SCALE,
    Objective,
    ObjectiveWeights,
    from_model_units,
    to_model_units,
)
from rebalance.model.variables import Variables

__all__ = [
    "DEV_SCALE",
    "OBJECTIVE_SCALE",
    "WEIGHT_SCALE",
    "Constraints",
    "Objective",
    "ObjectiveWeights",
    "Part",
    "RebalanceModel",
    "RuleGuards",
    "Stage",
    "Variables",
    "from_model_units",
    "to_model_units",
    "split_book",
    "stage_names",
]
