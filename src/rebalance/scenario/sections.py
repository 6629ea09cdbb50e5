"""The sections of a scenario file: one pydantic model each, with the sane ranges of its values.

A new section (its settings and their checks) goes in its own module beside this one and gets
one field on ``rebalance.scenario.model.Scenario``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rebalance.executors import Executor


class _Model(BaseModel):
    # allow_inf_nan=False: ``.inf`` / ``.nan`` in a scenario are errors, never solver input.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# Sane ranges (issue 12): wide enough for every real department, narrow enough that nothing
# the model scales to integers (weights × 1000, loads × 10⁵ of a share) can overflow CP-SAT.
MAX_WEIGHT = 1000.0
MAX_TOLERANCE = 10.0
MAX_COUNT = 10_000_000  # clients, moves: far above any book
MAX_AMOUNT = 1e15  # money: above any department's revenue, exact in a float
MAX_SECONDS = 1e7  # about 115 days
MAX_WORKERS = 256
MAX_SEED = 2**31 - 1  # CP-SAT's random_seed is a 32-bit integer


class Band(_Model):
    """Tolerance band of one balance metric: no penalty within ±tolerance of the fair share."""

    tolerance: float = Field(ge=0, le=MAX_TOLERANCE)
    weight: float = Field(ge=0, le=MAX_WEIGHT)


class Balance(_Model):
    revenue: Band = Band(tolerance=0.10, weight=10)
    importance: Band = Band(tolerance=0.15, weight=5)
    clients: Band = Band(tolerance=0.25, weight=1)

    def bands(self) -> dict[str, Band]:
        """metric name -> band, in the contract's order."""
        return {"revenue": self.revenue, "importance": self.importance, "clients": self.clients}


class Continuity(_Model):
    weight: float = Field(default=1.0, ge=0, le=MAX_WEIGHT)
    max_moves: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    max_moves_per_manager: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    # what a manager may take on in one plan: rules/incoming.py
    max_incoming_per_manager: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    protect_importance: int | None = Field(default=None, ge=1, le=5)


class Pair(_Model):
    client: str
    manager: str

    @field_validator("client", "manager", mode="before")
    @classmethod
    def _as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


class Targets(_Model):
    total: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    growth: float = Field(default=0.08, ge=-1, le=100)
    method: Literal["proportional", "blend"] = "proportional"
    potential_weight: float = Field(default=0.3, ge=0, le=1)
    max_growth: float | None = Field(default=None, le=100)  # below -1: targets.check_caps
    min_growth: float | None = Field(default=None, le=100)
    round_to: float = Field(default=1000, gt=0, le=MAX_AMOUNT)


class Backup(_Model):
    enabled: bool = False
    mode: Literal["spread", "pairs"] = "spread"
    max_per_manager: int | None = Field(default=None, ge=0, le=MAX_COUNT)


class Incentives(_Model):
    """The department's incentive scheme (docs/incentives.md); money in ``currency`` per period."""

    unit_reward: float = Field(default=30, ge=0)
    coef_in_network: float = Field(default=0.02, ge=0)
    coef_profit: float = Field(default=0.05, ge=0)
    arrears_threshold: float = Field(default=0.05, ge=0)
    fine_rate: float = Field(default=0.5, ge=0)
    months_quantity: int = Field(default=3, ge=0)
    months_in_network: int = Field(default=6, ge=0)
    months_profit: int = Field(default=24, ge=0)
    old_unit_reward: float = Field(default=30, ge=0)  # old scheme: bonus per new subscriber
    new_months: int = Field(default=12, ge=0)  # old scheme: a subscriber counts as new below this
    # flow: pay the quantity reward once, in the period a subscriber reaches months_quantity
    # (the proposal's reading, see docs/incentives.md); stock: every period past it.
    quantity_basis: Literal["stock", "flow"] = "flow"
    period_months: int = Field(default=12, ge=1)  # length of one evaluation period
    currency: str = Field(default="元", min_length=1, max_length=12)
    # Budget per period: the coefficients are then solved so the scheme pays exactly this
    # (net of fines); "old" = what the old scheme pays on the same subscribers.
    budget: float | Literal["old"] | None = None
    # Share of the budget (before fines are taken back) each component takes; sums to 1.
    mix: dict[str, float] = Field(
        default_factory=lambda: {"quantity": 0.2, "in_network": 0.3, "profit": 0.5})
    # Round solved coefficients to this many significant digits (figures to publish); the
    # scheme then misses the budget by the rounding, which is shown. None = exact.
    coefficient_digits: int | None = Field(default=None, ge=1, le=15)

    @model_validator(mode="after")
    def _profit_above_in_network(self) -> Incentives:
        if not self.coef_profit > self.coef_in_network:
            raise ValueError(
                f"coef_profit ({self.coef_profit:g}) must be greater than coef_in_network "
                f"({self.coef_in_network:g}), as the proposal requires"
            )
        return self

    @model_validator(mode="after")
    def _mix_is_shares(self) -> Incentives:
        unknown = sorted(set(self.mix) - {"quantity", "in_network", "profit"})
        if unknown:
            raise ValueError(f"mix: unknown component(s) {', '.join(unknown)}; use quantity, "
                             "in_network and profit")
        if any(v < 0 for v in self.mix.values()) or abs(sum(self.mix.values()) - 1) > 1e-6:
            given = ", ".join(f"{k}: {v:g}" for k, v in self.mix.items())
            raise ValueError(
                f"mix ({given}) must give quantity, in_network and profit shares of 0 or more "
                f"that add up to 1 (they add up to {sum(self.mix.values()):g})"
            )
        return self


class Solver(_Model):
    time_limit: float = Field(default=30, gt=0, le=MAX_SECONDS)
    workers: int = Field(default=8, ge=1, le=MAX_WORKERS)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    # Deterministic work limit (CP-SAT "deterministic time", roughly seconds on a fast
    # machine). When set, a run that is not proven optimal still gives the same plan twice.
    work_limit: float | None = Field(default=None, gt=0, le=MAX_SECONDS)
    # Where sweep points, compared scenarios and the pools of a big book run (rebalance.executors):
    # auto = what was measured fastest for the job, local, processes (every core) or ray.
    executor: Executor = "auto"


class RaySettings(_Model):
    # auto (a running cluster), ray://host:10001, or none: start a local Ray instance.
    address: str | None = None


class DataPaths(_Model):
    clients: Path
    managers: Path
    subscribers: Path | None = None
    candidates: Path | None = None  # intake: clients that may be brought into the pool
    encoding: str | None = None  # CSV encoding override; default detects BOM/UTF-8/GB18030
    fill_merged: bool = False  # fill merged Excel cells down instead of reporting them
    restore_zeros: bool = False  # put back leading zeros a plan's ids lost (CSV saved by Excel)


# --------------------------------------------------------------------------- review loop
# Staff and lock changes without copying files, and how `adopt` writes the next book
# (issue 15). Kept in one block; applied to the tables by ``rebalance.review.overrides``.


class ManagerOverride(_Model):
    """Fields of one manager (by id) that the scenario changes over the managers table."""

    status: Literal["active", "leaving", "new"] | None = None
    fte: float | None = Field(default=None, gt=0)
    capacity: int | None = Field(default=None, ge=0)
    industry: str | tuple[str, ...] | None = None  # one or more groups ("A;B" or a list)

    @field_validator("status", mode="before")
    @classmethod
    def _status_words(cls, v: Any) -> Any:
        # the table's words (在岗/离职/调出/新入职) mean the same here
        words = {"在岗": "active", "离职": "leaving", "调出": "leaving", "新入职": "new"}
        return words.get(v.strip(), v.strip().lower()) if isinstance(v, str) else v


class Adopt(_Model):
    """How ``rebalance adopt`` writes the next book."""

    # relationship strength a moved (or handed-over, or placed) client starts with
    new_relationship: float = Field(default=0.3, ge=0, le=1)
    history: Path | None = None  # history store; default: history.sqlite in the new book


def _ids(v: Any) -> Any:
    """Ids written as YAML numbers are still ids (text)."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        return str(v)
    if isinstance(v, list | tuple):
        return [str(x) if isinstance(x, int | float) and not isinstance(x, bool) else x
                for x in v]
    return v


def _id_keys(v: Any) -> Any:
    return {str(k): val for k, val in v.items()} if isinstance(v, dict) else v


ClientIds = Annotated[tuple[str, ...], pydantic.BeforeValidator(_ids)]
ManagerOverrides = Annotated[dict[str, ManagerOverride], pydantic.BeforeValidator(_id_keys)]
