"""Scenario files: pydantic models (``sections``, ``model``) and their loading (``loading``).

A scenario names the data and the rules of one rebalancing run. Everything callers need is
importable from here.
"""

from rebalance.scenario.loading import (
    ID_KEYS,
    ID_LISTS,
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    MAX_SCENARIO_BYTES,
    PYDANTIC_KINDS,
    KeyPath,
    Position,
    apply_overrides,
    load_scenario,
    parse_override,
    with_overrides,
)
from rebalance.scenario.model import Scenario
from rebalance.scenario.sections import (
    MAX_AMOUNT,
    MAX_COUNT,
    MAX_SECONDS,
    MAX_SEED,
    MAX_TOLERANCE,
    MAX_WEIGHT,
    MAX_WORKERS,
    Adopt,
    Backup,
    Balance,
    Band,
    ClientIds,
    Continuity,
    DataPaths,
    Incentives,
    ManagerOverride,
    ManagerOverrides,
    Pair,
    RaySettings,
    Solver,
    Targets,
)

__all__ = [
    "ID_KEYS", "ID_LISTS", "MAX_AMOUNT", "MAX_COUNT", "MAX_DEPTH", "MAX_EXPANDED_NODES",
    "MAX_SCENARIO_BYTES", "MAX_SECONDS", "MAX_SEED", "MAX_TOLERANCE", "MAX_WEIGHT",
    "MAX_WORKERS", "PYDANTIC_KINDS", "Adopt", "Backup", "Balance", "Band", "ClientIds",
    "Continuity", "DataPaths", "Incentives", "KeyPath", "ManagerOverride", "ManagerOverrides",
    "Pair", "Position", "RaySettings", "Scenario", "Solver", "Targets", "apply_overrides",
    "load_scenario", "parse_override", "with_overrides",
]
