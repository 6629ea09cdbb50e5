"""Scenario files: extends (deep merge, lists replaced), cycles, error positions, --set."""

from __future__ import annotations

from pathlib import Path

import pytest

from rebalance.errors import InputError
from rebalance.scenario import load_scenario, with_overrides

BASE = """\
name: base
description: the parent
data:
  clients: data/clients.csv
  managers: data/managers.xlsx
balance:
  revenue: {tolerance: 0.10, weight: 10}
  importance: {tolerance: 0.15, weight: 5}
locks:
  - {client: "001", manager: M1}
  - {client: "002", manager: M2}
solver:
  time_limit: 30
  seed: 3
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_lines(path: Path, overrides: tuple[str, ...] = ()) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_scenario(path, overrides)
    return [str(i) for i in exc.value.issues]


def test_extends_merges_dictionaries_deeply_and_replaces_lists(tmp_path: Path) -> None:
    """A child changes one tolerance, keeps the parent's weight, and replaces the locks list."""
    write(tmp_path / "base.yaml", BASE)
    child = write(tmp_path / "what-if" / "child.yaml", """\
extends: ../base.yaml
name: child
balance:
  revenue: {tolerance: 0.05}
locks:
  - {client: "003", manager: M3}
""")
    s = load_scenario(child)
    assert s.name == "child" and s.description == "the parent"
    assert (s.balance.revenue.tolerance, s.balance.revenue.weight) == (0.05, 10)
    assert s.balance.importance.tolerance == 0.15
    assert [(p.client, p.manager) for p in s.locks] == [("003", "M3")]
    assert s.solver.seed == 3
    # data paths stay relative to the file that named them (the parent)
    assert s.data.clients == (tmp_path / "data" / "clients.csv").resolve()
    assert s.source == child.resolve()


def test_extends_cycle_is_detected(tmp_path: Path) -> None:
    """a extends b extends a: an error naming the chain, not a recursion crash."""
    write(tmp_path / "a.yaml", "extends: b.yaml\ndata: {clients: c.csv, managers: m.csv}\n")
    write(tmp_path / "b.yaml", "extends: a.yaml\n")
    (line,) = error_lines(tmp_path / "a.yaml")
    assert "cycle" in line and "a.yaml -> b.yaml -> a.yaml" in line


def test_unknown_key_in_child_names_child_file_and_line(tmp_path: Path) -> None:
    """A typo in the child is reported at the child's line, not the parent's."""
    write(tmp_path / "base.yaml", BASE)
    child = write(tmp_path / "child.yaml", """\
extends: base.yaml
balance:
  revenue:
    tolerance: 0.2
  colour: red
solver:
  time_limit: -1
""")
    lines = error_lines(child)
    assert lines == [
        f"{child.resolve()}:5: unknown key 'balance.colour'",
        f"{child.resolve()}:7: solver.time_limit: must be greater than 0 (got -1)",
    ]


def test_replaced_list_errors_point_at_the_child(tmp_path: Path) -> None:
    """A child's replacement list with an incomplete entry is the child's fault, not the
    parent's (whose own list had a manager on that line)."""
    write(tmp_path / "base.yaml", BASE)
    child = write(tmp_path / "child.yaml", "extends: base.yaml\nlocks:\n  - {client: '009'}\n")
    assert error_lines(child) == [f"{child.resolve()}:3: missing required key 'locks.0.manager'"]


def test_set_overrides_any_field(tmp_path: Path) -> None:
    """--set a.b=value sets nested fields, parsing values as YAML scalars."""
    base = write(tmp_path / "base.yaml", BASE)
    s = load_scenario(base, ["balance.revenue.tolerance=0.3", "continuity.max_moves=15",
                             "priorities=null", "name=what if"])
    assert s.balance.revenue.tolerance == 0.3 and s.balance.revenue.weight == 10
    assert s.continuity.max_moves == 15 and s.priorities is None and s.name == "what if"
    again = with_overrides(s, ["solver.seed=9"])
    assert again.solver.seed == 9 and again.continuity.max_moves == 15


def test_set_errors_name_the_override(tmp_path: Path) -> None:
    """A bad --set is reported as the --set, even for a new key under an existing section."""
    base = write(tmp_path / "base.yaml", BASE)
    assert error_lines(base, ("balance.revenu.tolerance=0.3",)) == [
        "--set balance.revenu.tolerance=0.3: unknown key 'balance.revenu'"]
    assert error_lines(base, ("solver.workers=0",)) == [
        "--set solver.workers=0: solver.workers: must be 1 or more (got 0)"]
    assert error_lines(base, ("solver.workers",)) == [
        "--set 'solver.workers': expected key=value, e.g. solver.time_limit=10"]


def test_missing_extends_target_names_the_line(tmp_path: Path) -> None:
    """extends naming a file that does not exist says which line."""
    child = write(tmp_path / "child.yaml", "name: x\nextends: nowhere.yaml\n")
    (line,) = error_lines(child)
    assert line.startswith(f"{child.resolve()}:2:") and "nowhere.yaml" in line


def test_bundled_baseline_scenario_loads() -> None:
    """scenarios/baseline.yaml is valid and says what the brief asks of it."""
    s = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml")
    assert s.name == "baseline" and not s.backup.enabled
    assert (s.solver.time_limit, s.solver.workers, s.solver.seed) == (30, 8, 0)
    assert s.data.clients.name == "clients.csv" and s.data.managers.name == "managers.xlsx"
    assert s.data.clients.exists() and s.data.managers.exists()
