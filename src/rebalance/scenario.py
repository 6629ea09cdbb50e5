"""Scenario files: pydantic models, YAML loading with positions, ``extends:`` and ``--set``.

A scenario names the data and the rules of one rebalancing run. Loading:

1. each YAML file is read with ``yaml.safe_load`` semantics (``SafeLoader`` nodes), keeping the
   line of every key so errors can name ``file:line``;
2. ``extends:`` (relative to the file) is loaded first and the child merged over it:
   dictionaries merge deeply, lists and scalars are replaced; cycles are errors;
3. ``--set a.b=value`` overrides are applied last (values parsed as YAML scalars);
4. the merged dictionary is validated by ``Scenario`` (unknown keys forbidden). Every
   validation error is reported at the file and line that set the offending key.

Data paths are resolved relative to the file that named them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from rebalance.errors import InputError, Issue


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Model):
    """Tolerance band of one balance metric: no penalty within ±tolerance of the fair share."""

    tolerance: float = Field(ge=0)
    weight: float = Field(ge=0)


class Balance(_Model):
    revenue: Band = Band(tolerance=0.10, weight=10)
    importance: Band = Band(tolerance=0.15, weight=5)
    clients: Band = Band(tolerance=0.25, weight=1)

    def bands(self) -> dict[str, Band]:
        """metric name -> band, in the contract's order."""
        return {"revenue": self.revenue, "importance": self.importance, "clients": self.clients}


class Continuity(_Model):
    weight: float = Field(default=1.0, ge=0)
    max_moves: int | None = Field(default=None, ge=0)
    max_moves_per_manager: int | None = Field(default=None, ge=0)
    protect_importance: int | None = Field(default=None, ge=1, le=5)


class Pair(_Model):
    client: str
    manager: str

    @field_validator("client", "manager", mode="before")
    @classmethod
    def _as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


class Targets(_Model):
    total: float | None = Field(default=None, ge=0)
    growth: float = 0.08
    method: Literal["proportional", "blend"] = "proportional"
    potential_weight: float = Field(default=0.3, ge=0, le=1)
    max_growth: float | None = None
    min_growth: float | None = None
    round_to: float = Field(default=1000, gt=0)


class Backup(_Model):
    enabled: bool = False
    mode: Literal["spread", "pairs"] = "spread"
    max_per_manager: int | None = Field(default=None, ge=0)


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
    time_limit: float = Field(default=30, gt=0)
    workers: int = Field(default=8, ge=1)
    seed: int = Field(default=0, ge=0)
    # Deterministic work limit (CP-SAT "deterministic time", roughly seconds on a fast
    # machine). When set, a run that is not proven optimal still gives the same plan twice.
    work_limit: float | None = Field(default=None, gt=0)


class DataPaths(_Model):
    clients: Path
    managers: Path
    subscribers: Path | None = None
    encoding: str | None = None  # CSV encoding override; default detects BOM/UTF-8/GB18030


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
    priorities: tuple[Literal["balance", "continuity"], ...] | None = ("balance", "continuity")
    targets: Targets = Targets()
    backup: Backup = Backup()
    incentives: Incentives = Incentives()
    solver: Solver = Solver()
    # the review loop (issue 15): staff and lock changes, and how `adopt` writes the next book
    managers: ManagerOverrides = Field(default_factory=dict)  # overrides by manager id
    unlock: ClientIds = ()  # client ids whose table lock (locked column) is released
    unlock_leavers: bool = False  # release the table locks of clients of leaving managers
    adopt: Adopt = Adopt()
    source: Path | None = Field(default=None, exclude=True)  # the file it was loaded from

    @field_validator("priorities")
    @classmethod
    def _priorities_distinct(cls, v: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if v is not None and (len(set(v)) != len(v) or not v):
            raise ValueError("priorities must list balance and/or continuity, each once")
        return v

    def resolved(self) -> dict[str, Any]:
        """The scenario as plain JSON-able data (for summary.json and reports)."""
        return self.model_dump(mode="json", exclude={"source"})


# --------------------------------------------------------------------------- loading


Position = tuple[str, int]  # (file, 1-based line)
KeyPath = tuple[str | int, ...]


def _load_yaml(path: Path) -> tuple[dict[str, Any], dict[KeyPath, Position]]:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError([Issue(f"cannot read scenario file: {exc.strerror}", file=file)]) from exc
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            positions: dict[KeyPath, Position] = {}
            data = _construct(loader, node, file, (), positions) if node is not None else {}
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Issue(f"{file}{line}: not valid YAML: {problem}")]) from exc
    if not isinstance(data, dict):
        raise InputError([Issue(f"{file}: a scenario must be a mapping of fields")])
    return data, positions


def _construct(loader: yaml.SafeLoader, node: yaml.Node, file: str, path: KeyPath,
               positions: dict[KeyPath, Position]) -> Any:
    positions.setdefault(path, (file, node.start_mark.line + 1))
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(loader.construct_object(key_node, deep=True))
            child = (*path, key)
            positions[child] = (file, key_node.start_mark.line + 1)
            out[key] = _construct(loader, value_node, file, child, positions)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, item, file, (*path, i), positions)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _deep_merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _resolve_paths(data: dict[str, Any], base_dir: Path) -> None:
    """Make data paths absolute, relative to the file that named them."""
    section = data.get("data")
    if isinstance(section, dict):
        for key in ("clients", "managers", "subscribers"):
            value = section.get(key)
            if isinstance(value, str) and value:
                section[key] = str((base_dir / value).resolve())


def _load_chain(path: Path,
                seen: tuple[Path, ...]) -> tuple[dict[str, Any], dict[KeyPath, Position]]:
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise InputError([Issue(f"extends forms a cycle: {chain}", file=str(seen[-1]))])
    data, positions = _load_yaml(path)
    _resolve_paths(data, path.parent)
    parent = data.get("extends")
    if parent is None:
        return data, positions
    if not isinstance(parent, str):
        file, line = positions.get(("extends",), (str(path), 0))
        raise InputError([Issue(f"{file}:{line}: extends must be a file name")])
    parent_path = (path.parent / parent)
    if not parent_path.exists():
        file, line = positions.get(("extends",), (str(path), 0))
        raise InputError([Issue(f"{file}:{line}: extends names {parent!r}, which does not exist")])
    base, base_positions = _load_chain(parent_path, (*seen, path))
    merged = _deep_merge(base, data)
    # A list or scalar in the child replaces the parent's whole value, so the parent's
    # positions below it no longer name anything that is in the merged scenario.
    replaced = [key for key in positions if key and not isinstance(_get(data, key), dict)]
    merged_positions = {
        key: pos for key, pos in base_positions.items()
        if not any(key[:len(r)] == r and len(key) > len(r) for r in replaced)
    }
    merged_positions.update(positions)
    return merged, merged_positions


def _get(data: Any, key: KeyPath) -> Any:
    for part in key:
        data = data[part]
    return data


def parse_override(text: str) -> tuple[list[str], Any]:
    """Parse ``a.b=value`` into (["a", "b"], value); the value is read as a YAML scalar."""
    if "=" not in text:
        raise InputError([Issue(f"--set {text!r}: expected key=value, e.g. solver.time_limit=10")])
    key, raw = text.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".") if p.strip()]
    if not parts:
        raise InputError([Issue(f"--set {text!r}: the key is empty")])
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as exc:
        raise InputError([Issue(f"--set {text!r}: cannot read the value ({exc})")]) from exc
    return parts, value


def apply_overrides(data: dict[str, Any], overrides: Sequence[str],
                    positions: dict[KeyPath, Position]) -> dict[str, Any]:
    out = _deep_merge({}, data)
    for text in overrides:
        parts, value = parse_override(text)
        node: dict[str, Any] = out
        for part in parts[:-1]:
            nxt = node.get(part)
            if not isinstance(nxt, dict):
                nxt = {}
            node[part] = nxt = dict(nxt)
            node = nxt
        node[parts[-1]] = value
        # every level the override creates is named by it (not by the file's nearest key)
        for n in range(1, len(parts)):
            positions.setdefault(tuple(parts[:n]), (f"--set {text}", 0))
        positions[tuple(parts)] = (f"--set {text}", 0)
    return out


def _issue_for(error: Mapping[str, Any], positions: Mapping[KeyPath, Position],
               fallback: str) -> Issue:
    loc: KeyPath = tuple(error.get("loc", ()))
    dotted = ".".join(str(p) for p in loc)
    # The closest recorded ancestor names the place in the file.
    file, line = fallback, 0
    for n in range(len(loc), -1, -1):
        if loc[:n] in positions:
            file, line = positions[loc[:n]]
            break
    kind = error.get("type", "")
    if kind == "extra_forbidden":
        msg = f"unknown key {dotted!r}"
    elif kind == "missing":
        msg = f"missing required key {dotted!r}"
    else:
        detail = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        got = error.get("input")
        shown = f" (got {got!r})" if not isinstance(got, dict | list) and got is not None else ""
        msg = f"{dotted or 'scenario'}: {detail}{shown}"
    where = f"{file}:{line}" if line else file
    return Issue(f"{where}: {msg}")


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load, merge and validate a scenario file. Raises ``InputError`` with file:line places."""
    path = Path(path)
    if not path.exists():
        raise InputError([Issue(f"scenario file {str(path)!r} does not exist")])
    data, positions = _load_chain(path, ())
    data = apply_overrides(data, overrides, positions)
    data.pop("source", None)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            _issue_for(err, positions, str(path.resolve())) for err in exc.errors()
        ) from exc
    return scenario.model_copy(update={"source": path.resolve()})


def with_overrides(scenario: Scenario, overrides: Sequence[str]) -> Scenario:
    """A copy of a loaded scenario with ``a.b=value`` overrides applied and re-validated."""
    data = scenario.resolved()
    positions: dict[KeyPath, Position] = {}
    data = apply_overrides(data, overrides, positions)
    try:
        new = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(_issue_for(e, positions, "--set") for e in exc.errors()) from exc
    return new.model_copy(update={"source": scenario.source})
