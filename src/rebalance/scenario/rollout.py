"""The scenario's ``rollout:`` section: when the changes of a plan take effect, in waves.

A planner gives either a number of ``waves`` from ``start`` one ``every`` (``quarter``,
``month`` or a number of days) apart, or the effective ``dates`` themselves; caps per wave
bound what one wave may ask of the department (``max_moves``), of one manager
(``max_handovers_per_manager``: clients given plus taken) and of the strategic clients
(``max_strategic``: clients of at least ``strategic_importance``). ``first_wave_for`` lists
the kinds of change that take effect with the first wave (clients of leavers and new clients
by default). The engine is ``rebalance.rollout``; docs/rollout.md explains it.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from rebalance.scenario.sections import MAX_COUNT, _Model

MAX_WAVES = 52  # a weekly rollout over a year; more is no plan a department can follow
MAX_EVERY_DAYS = 366


class Rollout(_Model):
    """Phasing of a plan: the calendar of the waves and the caps per wave."""

    waves: int | None = Field(default=None, ge=1, le=MAX_WAVES)
    dates: tuple[dt.date, ...] | None = Field(default=None, min_length=1, max_length=MAX_WAVES)
    start: dt.date | None = None
    every: Literal["quarter", "month"] | int = "quarter"
    year: int | None = Field(default=None, ge=1900, le=2200)  # target year (default: the
    # year of the first wave) over which targets are prorated
    max_moves: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    max_handovers_per_manager: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    max_strategic: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    strategic_importance: int = Field(default=5, ge=1, le=5)
    first_wave_for: tuple[Literal["handover", "placement"], ...] = ("handover", "placement")

    @model_validator(mode="after")
    def _calendar(self) -> Rollout:
        if isinstance(self.every, int) and not 1 <= self.every <= MAX_EVERY_DAYS:
            raise ValueError(f"every must be quarter, month or 1..{MAX_EVERY_DAYS} days")
        if self.dates is not None:
            if self.waves is not None and self.waves != len(self.dates):
                raise ValueError(f"waves is {self.waves} but {len(self.dates)} dates are given "
                                 f"(with dates, leave waves out or set it to null)")
            if list(self.dates) != sorted(set(self.dates)):
                raise ValueError("dates must be distinct and in order")
        elif self.start is None:
            raise ValueError("give the first effective date (start) or the dates")
        return self

    @property
    def num_waves(self) -> int:
        """How many waves (``dates`` given, else ``waves``, else 3)."""
        return len(self.dates) if self.dates is not None else (self.waves or 3)
