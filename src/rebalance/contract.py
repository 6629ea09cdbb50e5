"""The contract's figures and units, in one place (docs/architecture.md, "Objectives").

Every engine and checker prices plans with these: ``check`` (floating point, the oracle),
the CP-SAT models of whole pools and neighbourhoods (scaled integers), the scale engine's
``Ledger``, the bounds and the backups.

- **move cost** of a client that leaves a staying manager: ``importance × (0.5 + relationship)``;
- **excess** of one (manager, metric) term: ``weight × max(0, |dev| − tolerance)`` where
  ``dev = (load − share) / share`` (a term with share 0 is 0);
- **units** of the CP-SAT models: loads in ``1 / DEV_SCALE`` of the fair share, weights in
  ``1 / WEIGHT_SCALE``; objectives count in ``1 / OBJECTIVE_SCALE`` of a contract unit
  (``to_model_units`` / ``from_model_units``), whole pools and neighbourhoods alike.
- **tolerances**: ``OPTIMALITY_TOLERANCE`` (a part counts as solved once no plan can beat the
  one found by more) and ``HOLD_SLACK`` (a later stage holds an earlier one at its value plus
  this: plans that differ by less are equally good).
"""

from __future__ import annotations

from rebalance.data import Client

# Why 10^5 and not finer: docs/engine.md ("Scaling"). Rounding a client's load costs at most
# 0.5 units, so a manager with 40 clients is measured within 2e-4 of a relative deviation.
DEV_SCALE = 100_000  # loads in units of 1/100,000 of the fair share
WEIGHT_SCALE = 1_000  # weights in thousandths
OBJECTIVE_SCALE = DEV_SCALE * WEIGHT_SCALE  # model objective units per contract unit

# Contract units. 0.001 of balance excess is a hundredth of a percent of a fair share at
# weight 10: closing the last sliver of such a gap means telling apart plans that differ by a
# few yuan, which can take minutes.
OPTIMALITY_TOLERANCE = 1e-3
HOLD_SLACK = 1e-4


def within_tolerance(objective: float, bound: float) -> bool:
    """True when ``bound`` proves ``objective`` optimal within ``OPTIMALITY_TOLERANCE``: the
    one rule for labelling a stage (or a pool's stage) ``OPTIMAL`` from a bound."""
    return objective - bound <= OPTIMALITY_TOLERANCE * (1.0 + 1e-9)


def move_cost(client: Client) -> float:
    """Continuity cost of moving ``client`` away from its (staying) previous manager."""
    return client.importance * (0.5 + client.relationship)


def excess(dev: float, tolerance: float, weight: float) -> float:
    """Weighted excess of one term: how far a relative deviation lies beyond its band."""
    return weight * max(0.0, abs(dev) - tolerance)


def to_model_units(value: float) -> int:
    """A contract value (balance excess, continuity cost) in model objective units."""
    return round(value * OBJECTIVE_SCALE)


def from_model_units(value: float) -> float:
    """A model objective value (or bound) in the contract's units."""
    return value / OBJECTIVE_SCALE
