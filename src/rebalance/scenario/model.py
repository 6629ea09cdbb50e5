"""``Scenario``: one rebalancing run, its data and its rules (the sections it is made of)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from rebalance.scenario.intake import Intake
from rebalance.scenario.rollout import Rollout
from rebalance.scenario.sections import (
    Adopt,
    Backup,
    Balance,
    ClientIds,
    Continuity,
    DataPaths,
    Incentives,
    ManagerOverrides,
    Pair,
    RaySettings,
    Solver,
    Targets,
    _Model,
)


class Scenario(_Model):
    """One rebalancing run: data and rules. Field defaults are what a planner would choose."""

    name: str = "scenario"
    description: str = ""
    extends: str | None = None
    lang: Literal["en", "zh"] | None = None  # language of messages and tables (--lang wins)
    data: DataPaths
    balance: Balance = Balance()
    continuity: Continuity = Continuity()
    eligibility: Literal["strict", "any"] = "strict"
    locks: tuple[Pair, ...] = ()
    forbid: tuple[Pair, ...] = ()
    priorities: tuple[Literal["balance", "continuity", "intake"], ...] | None = (
        "balance", "continuity")
    intake: Intake = Intake()  # candidates to bring into the pool (scenario/intake.py)
    targets: Targets = Targets()
    backup: Backup = Backup()
    incentives: Incentives = Incentives()
    solver: Solver = Solver()
    # the review loop (issue 15): staff and lock changes, and how `adopt` writes the next book
    managers: ManagerOverrides = Field(default_factory=dict)  # overrides by manager id
    unlock: ClientIds = ()  # client ids whose table lock (locked column) is released
    unlock_leavers: bool = False  # release the table locks of clients of leaving managers
    adopt: Adopt = Adopt()
    ray: RaySettings = RaySettings()
    rollout: Rollout | None = None  # phase the plan in waves (rebalance.rollout)
    source: Path | None = Field(default=None, exclude=True)  # the file it was loaded from

    @field_validator("priorities")
    @classmethod
    def _priorities_distinct(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is not None and (len(set(v)) != len(v) or not v):
            raise ValueError("priorities must list balance, continuity and/or intake, each once")
        return v

    def resolved(self) -> dict[str, Any]:
        """The scenario as plain JSON-able data (for summary.json and reports)."""
        return self.model_dump(mode="json", exclude={"source"})
