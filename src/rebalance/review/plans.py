"""A plan as the review commands see it: who holds which client, plus what the files say.

A plan is read from an output folder (``assignment.csv`` and, when present, ``summary.json``),
an assignment CSV, or a workbook (its assignment sheet, English or Chinese title). Headers are
matched in English or Chinese, as ``solve`` writes them (and as the plan readers accept them).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from rebalance.errors import InputError, Issue
from rebalance.i18n import both
from rebalance.io.aliases import normalise_header
from rebalance.io.read import Table, parse_number, read_table
from rebalance.report.labels import ZH_COLUMNS

# canonical column -> (English header, Chinese header) of the review columns
REVIEW_COLUMNS: Mapping[str, tuple[str, str]] = {
    name: both(f"review.col.{name}") for name in ("decision", "pin")
}
# the workbook's sheet titles, English first
ASSIGNMENT_SHEETS: tuple[str, ...] = both("engine.sheet.assignment")
MOVES_SHEETS: tuple[str, ...] = both("engine.sheet.moves")
FIGURES: tuple[str, ...] = ("balance_excess", "continuity_cost", "moves")
T = TypeVar("T")


def header_map(table: Table) -> dict[str, str]:
    """canonical column -> the key ``table.records`` uses, for output-table headers (en/zh)."""
    names: dict[str, str] = {}
    for en, zh in [*ZH_COLUMNS.items(), *REVIEW_COLUMNS.values()]:
        names[normalise_header(en)] = en
        names[normalise_header(zh)] = en
    found: dict[str, str] = {}
    for key in table.extra_columns:
        canonical = names.get(normalise_header(key))
        if canonical is not None:
            found.setdefault(canonical, key)
    found.update({c: c for c in table.columns})  # recognised by the reader itself
    return found


def on_sheet(path: Path, candidates: tuple[str, ...], read: Callable[[str], T]) -> T:
    """``read(sheet)`` for the first of ``candidates`` the workbook has (titles in English or
    Chinese); InputError when it has none of them."""
    from rebalance.io.raw import EXCEL_SUFFIXES

    if path.suffix.lower() not in EXCEL_SUFFIXES:
        raise InputError([Issue.of("review.not_workbook", file=path.name)])
    for sheet in candidates:  # opening the workbook is the slow part: no separate look-up
        try:
            return read(sheet)
        except InputError as exc:
            if not (len(exc.issues) == 1 and exc.issues[0].key == "inputs.excel.no_sheet"):
                raise
    raise InputError([Issue.of("review.no_sheet", file=path.name, sheet=" / ".join(candidates))])


def read_sheet(path: Path, candidates: tuple[str, ...], kind: str = "raw") -> Table:
    """One sheet of a workbook by title (English or Chinese); InputError when none exists."""
    return on_sheet(path, candidates, lambda sheet: read_table(
        path, None, kind, name=f"{path.name} [{sheet}]", sheet=sheet))


def is_missing_sheet(exc: InputError, candidates: tuple[str, ...]) -> bool:
    """True when ``exc`` only says the workbook has none of ``candidates``."""
    return [(i.key, dict(i.values)) for i in exc.issues] == [
        ("review.no_sheet", {"sheet": " / ".join(candidates)})]


@dataclass(frozen=True)
class PlanView:
    """A plan read from files: client -> manager, and the client facts the files carry."""

    label: str
    client_to_manager: Mapping[str, str]
    names: Mapping[str, str] = field(default_factory=dict)
    revenue: Mapping[str, float] = field(default_factory=dict)
    importance: Mapping[str, float] = field(default_factory=dict)
    figures: Mapping[str, float | None] = field(default_factory=dict)  # from summary.json


def _number(text: str | None) -> float:
    try:
        return parse_number(text) if text else 0.0
    except ValueError:
        return 0.0


def plan_table(path: Path) -> Table:
    """The assignment table of a plan file or folder (see the module docstring)."""
    path = Path(path)
    if path.is_dir():
        path = path / "assignment.csv"
        if not path.exists():
            raise InputError([Issue.of("review.no_assignment", file=str(path.parent))])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return read_sheet(path, ASSIGNMENT_SHEETS, "assignment")
        except InputError as exc:  # a workbook of the planner's own: its first sheet
            if not is_missing_sheet(exc, ASSIGNMENT_SHEETS):
                raise
    return read_table(path, None, "assignment")


def load_plan(path: str | Path, label: str | None = None) -> PlanView:
    """Read a plan (folder, CSV or workbook); every bad row is reported at once."""
    path = Path(path)
    table = plan_table(path)
    cols = header_map(table)
    issues: list[Issue] = []
    plan: dict[str, str] = {}
    names: dict[str, str] = {}
    revenue: dict[str, float] = {}
    importance: dict[str, float] = {}
    for row, record in table.items():
        cid, mid = record.get("client_id"), record.get("manager")
        if not cid:
            issues.append(Issue("client id is empty", file=table.name, row=row,
                                column="client_id"))
            continue
        if cid in plan:
            issues.append(Issue(f'client "{cid}" appears more than once', file=table.name,
                                row=row, column="client_id"))
            continue
        plan[cid] = mid or ""
        names[cid] = record.get(cols.get("name", "")) or ""
        revenue[cid] = _number(record.get(cols.get("revenue", "")))
        importance[cid] = _number(record.get(cols.get("importance", "")))
    if issues:
        raise InputError(issues)
    figures: dict[str, float | None] = {}
    summary = (path if path.is_dir() else path.parent) / "summary.json"
    if path.is_dir() and summary.exists():
        try:
            data = json.loads(summary.read_text(encoding="utf-8"))
            figures = {k: data.get(k) for k in FIGURES}
        except (OSError, ValueError):
            figures = {}
    return PlanView(label or path.name, plan, names, revenue, importance, figures)
