"""Loading a scenario: YAML with positions, ``extends:``, ``--set`` overrides, errors at file:line.

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
from typing import Any

import yaml
from pydantic import ValidationError

from rebalance.errors import InputError, Issue
from rebalance.scenario.model import Scenario

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
    try:
        return loader.construct_object(node, deep=True)
    except ValueError as exc:  # a scalar YAML reads as a date that no calendar has (2025-13-01)
        raise InputError([_issue("inputs.scenario.invalid", file, node.start_mark.line + 1,
                                 key=".".join(map(str, path)),
                                 detail=f"{node.value!r}: {exc}")]) from None


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
        for key in ("clients", "managers", "subscribers", "candidates"):
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
