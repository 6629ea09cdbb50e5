"""The ``intake:`` section: which candidate clients may be brought into the pool, how their
quality is scored, and how hires are counted by ``rebalance staffing`` (docs/intake.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pydantic
from pydantic import Field, field_validator, model_validator

from rebalance.scenario.sections import MAX_AMOUNT, MAX_COUNT, ClientIds, _id_keys, _Model

# candidate id -> manager id (ids written as YAML numbers are still ids)
Placements = Annotated[dict[str, str], pydantic.BeforeValidator(_id_keys)]

# Fields a quality score may weigh: the candidates table's numeric columns.
SCORE_FIELDS: tuple[str, ...] = (
    "revenue", "importance", "potential", "growth", "tenure_years", "arrears_rate",
)
# The documented default score: revenue counts most, then importance and the quality fields;
# arrears count against. Fields the candidates file lacks are left out of the default (a
# score the planner writes must name fields the file has).
DEFAULT_SCORE: dict[str, float] = {
    "revenue": 0.4, "importance": 0.2, "potential": 0.1, "growth": 0.2, "tenure_years": 0.1,
    "arrears_rate": -0.2,
}
MAX_HIRES_PER_GROUP = 20


class Intake(_Model):
    """Which candidates may join, how quality is scored, and what hires may be counted."""

    max_clients: int | None = Field(default=None, ge=0, le=MAX_COUNT)  # None: no cap
    min_revenue: float | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    max_arrears_rate: float | None = Field(default=0.05, ge=0, le=1)
    # field -> weight; score = 100 × Σ weight × value ÷ the largest value among candidates
    score: dict[str, float] | None = None  # None: DEFAULT_SCORE over the fields present
    required: ClientIds = ()
    excluded: ClientIds = ()
    # candidates taken and placed with a given manager (a pin in `rebalance revise`); each
    # is required too (added to `required` when the scenario is read)
    placed: Placements = Field(default_factory=dict)
    # `rebalance staffing`: hire slots per industry group and the fte of one hire
    max_hires_per_group: int = Field(default=3, ge=0, le=MAX_HIRES_PER_GROUP)
    hire_fte: float = Field(default=1.0, gt=0, le=1)
    hire_capacity: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    # hires: a fixed number of hires per industry group for `solve` (the staffing answer)
    hires: dict[str, int] = Field(default_factory=dict)
    kind: Literal["business"] = "business"  # what the candidates are (商客); for the report

    @model_validator(mode="before")
    @classmethod
    def _placed_are_required(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("placed"), dict):
            return data
        required = data.get("required") or []
        if isinstance(required, str | int):
            required = [required]
        have = [str(c) for c in required]
        return {**data, "required": [*have, *(str(c) for c in data["placed"]
                                              if str(c) not in have)]}

    @field_validator("score")
    @classmethod
    def _known_fields(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        if v is None:
            return v
        unknown = sorted(set(v) - set(SCORE_FIELDS))
        if unknown:
            raise ValueError(f"score: unknown field(s) {', '.join(unknown)}; use "
                             f"{', '.join(SCORE_FIELDS)}")
        if any(abs(w) > 1000 for w in v.values()):
            raise ValueError("score: a weight must lie between -1000 and 1000")
        return v

    @field_validator("hires")
    @classmethod
    def _hire_counts(cls, v: dict[str, int]) -> dict[str, int]:
        if any(n < 0 or n > MAX_HIRES_PER_GROUP for n in v.values()):
            raise ValueError(f"hires: each count must lie between 0 and {MAX_HIRES_PER_GROUP}")
        return v

    @model_validator(mode="after")
    def _required_not_excluded(self) -> Intake:
        both = sorted(set(self.required) & set(self.excluded))
        if both:
            raise ValueError(f"candidates both required and excluded: {', '.join(both)}")
        return self
