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
    ray: RaySettings = RaySettings()
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


# Bounds that hold before anything is built from the YAML: an alias/anchor "bomb" (a few
# hundred bytes that expand to billions of nodes) is refused by counting, never by expanding.
MAX_SCENARIO_BYTES = 1_000_000
MAX_EXPANDED_NODES = 100_000
MAX_DEPTH = 50

# Scalars under these keys are ids: kept as the text the person typed (``client: 011045`` is
# "011045", never the octal number 4645 or the integer 11045).
ID_KEYS = frozenset({"client", "manager", "client_id", "manager_id"})
ID_LISTS = frozenset({"unlock"})


def _issue(key: str, file: str, line: int | None = None, /, **values: Any) -> Issue:
    """A scenario issue at ``file:line``."""
    where = f"{file}:{line}" if line else file
    return Issue.of(key, file=where, **values)


def _decode_scenario(data: bytes, file: str) -> str:
    """Scenario text: UTF-8 (with or without BOM), else GB18030 as a Chinese Windows editor
    saves it; anything else is refused with what to do."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError([_issue("inputs.scenario.encoding", file)]) from None
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    raise InputError([_issue("inputs.scenario.encoding", file)])


def _check_size(node: yaml.Node, file: str) -> None:
    """Refuse a node graph whose expansion (aliases followed) exceeds ``MAX_EXPANDED_NODES``
    or ``MAX_DEPTH``, or that refers to itself; counted with memo, so it costs one pass."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(n: yaml.Node, depth: int) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise InputError([_issue("inputs.scenario.recursive", file,
                                     n.start_mark.line + 1)])
        if depth > MAX_DEPTH:
            raise InputError([_issue("inputs.scenario.too_deep", file, n.start_mark.line + 1,
                                     limit=MAX_DEPTH)])
        total = 1
        if isinstance(n, yaml.MappingNode | yaml.SequenceNode):
            active.add(key)
            children = ([c for pair in n.value for c in pair]
                        if isinstance(n, yaml.MappingNode) else list(n.value))
            for child in children:
                total += size(child, depth + 1)
                if total > MAX_EXPANDED_NODES:
                    raise InputError([_issue("inputs.scenario.too_big", file,
                                             n.start_mark.line + 1, limit=MAX_EXPANDED_NODES)])
            active.discard(key)
        sizes[key] = total
        return total

    size(node, 0)


def _load_yaml(path: Path) -> tuple[dict[str, Any], dict[KeyPath, Position]]:
    file = str(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_SCENARIO_BYTES + 1)
    except OSError as exc:
        raise InputError([_issue("inputs.scenario.unreadable", file,
                                 reason=exc.strerror or str(exc))]) from exc
    if len(raw) > MAX_SCENARIO_BYTES:
        raise InputError([_issue("inputs.scenario.too_large", file, limit=MAX_SCENARIO_BYTES)])
    text = _decode_scenario(raw, file)
    try:
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            positions: dict[KeyPath, Position] = {}
            data: Any = {}
            if node is not None:
                _check_size(node, file)
                data = _construct(loader, node, file, (), positions)
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([_issue("inputs.scenario.not_yaml", file,
                                 mark.line + 1 if mark is not None else None,
                                 problem=problem)]) from exc
    except RecursionError:
        raise InputError([_issue("inputs.scenario.too_deep", file, limit=MAX_DEPTH)]) from None
    if not isinstance(data, dict):
        raise InputError([_issue("inputs.scenario.not_mapping", file)])
    return data, positions


def _construct(loader: yaml.SafeLoader, node: yaml.Node, file: str, path: KeyPath,
               positions: dict[KeyPath, Position]) -> Any:
    positions.setdefault(path, (file, node.start_mark.line + 1))
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # ``<<: *defaults`` merge keys, as safe_load does
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            # Keys are text as written: ``011045:`` is "011045", not an octal number.
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
            else:
                key = str(loader.construct_object(key_node, deep=True))
            line = key_node.start_mark.line + 1
            if key in first_line:
                raise InputError([_issue("inputs.scenario.duplicate_key", file, line, key=key,
                                         first=first_line[key])])
            first_line[key] = line
            child = (*path, key)
            positions[child] = (file, line)
            out[key] = _construct(loader, value_node, file, child, positions)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(loader, item, file, (*path, i), positions)
                for i, item in enumerate(node.value)]
    if isinstance(node, yaml.ScalarNode) and _is_id(path) and node.tag != "tag:yaml.org,2002:null":
        return node.value
    return loader.construct_object(node, deep=True)


def _is_id(path: KeyPath) -> bool:
    """Whether the scalar at ``path`` is an id (kept as typed text)."""
    last = path[-1] if path else None
    if isinstance(last, str) and last in ID_KEYS:
        return True
    return (isinstance(last, int) and len(path) >= 2 and isinstance(path[-2], str)
            and path[-2] in ID_LISTS)


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
        raise InputError([_issue("inputs.scenario.extends_cycle", str(seen[-1]), chain=chain)])
    data, positions = _load_yaml(path)
    _resolve_paths(data, path.parent)
    parent = data.get("extends")
    if parent is None:
        return data, positions
    if not isinstance(parent, str):
        file, line = positions.get(("extends",), (str(path), 0))
        raise InputError([_issue("inputs.scenario.extends_type", file, line)])
    parent_path = (path.parent / parent)
    if not parent_path.exists():
        file, line = positions.get(("extends",), (str(path), 0))
        raise InputError([_issue("inputs.scenario.extends_missing", file, line, parent=parent)])
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
        raise InputError([Issue.of("inputs.set.no_equals", text=text)])
    key, raw = text.split("=", 1)
    parts = [p.strip() for p in key.strip().split(".") if p.strip()]
    if not parts:
        raise InputError([Issue.of("inputs.set.empty_key", text=text)])
    if not raw.strip():
        return parts, None
    # Read like a scenario file: bounded aliases, duplicate keys refused, ids kept as text.
    where = f"--set {text}"
    try:
        loader = yaml.SafeLoader(raw)
        try:
            node = loader.get_single_node()
            value = None
            if node is not None:
                _check_size(node, where)
                value = _construct(loader, node, where, tuple(parts), {})
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise InputError([Issue.of("inputs.set.bad_value", text=text, reason=exc)]) from exc
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


# pydantic error types with a catalog message ``inputs.value.<type>``, and the context values
# the message quotes
PYDANTIC_KINDS: Mapping[str, tuple[str, ...]] = {
    "finite_number": (), "greater_than": ("gt",), "greater_than_equal": ("ge",),
    "less_than": ("lt",), "less_than_equal": ("le",), "literal_error": ("expected",),
    "int_parsing": (), "int_from_float": (), "float_parsing": (), "bool_parsing": (),
    "string_type": (), "dict_type": (), "tuple_type": (), "list_type": (),
}


def _plain(value: object) -> object:
    """``0.0`` as ``0``, ``1000.0`` as ``1000``: how a planner writes a limit."""
    return f"{value:g}" if isinstance(value, float) else value


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
    where = f"{file}:{line}" if line else file
    if kind == "extra_forbidden":
        return Issue.of("inputs.scenario.unknown_key", file=where, key=dotted)
    if kind == "missing":
        return Issue.of("inputs.scenario.missing_key", file=where, key=dotted)
    got = error.get("input")
    shown = "" if isinstance(got, dict | list) or got is None else repr(got)
    ctx = error.get("ctx") or {}
    if kind in PYDANTIC_KINDS:  # the common ones have their own words, in both languages
        quoted: dict[str, Any] = {k: _plain(ctx.get(k, "")) for k in PYDANTIC_KINDS[kind]}
        return Issue.of(f"inputs.value.{kind}", file=where, key=dotted or "scenario",
                        got=shown or "—", **quoted)
    detail = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    if not shown:
        return Issue.of("inputs.scenario.invalid", file=where, key=dotted or "scenario",
                        detail=detail)
    return Issue.of("inputs.scenario.invalid_got", file=where, key=dotted or "scenario",
                    detail=detail, got=shown)


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load, merge and validate a scenario file. Raises ``InputError`` with file:line places."""
    path = Path(path)
    if not path.exists():
        raise InputError([Issue.of("inputs.scenario.missing", path=str(path))])
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
