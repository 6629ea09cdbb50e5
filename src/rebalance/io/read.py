"""Reading client books: tables from CSV / Excel / Parquet into a validated ``Problem``.

Three layers, each reporting every problem it finds with file, Excel row and column:

1. ``read_table`` (``rebalance.io.tables``) turns a file into a ``Table`` of text cells
   (``None`` for blank) with canonical column names (aliases, NFKC headers, units) and the
   Excel row of every record;
2. ``clients_from_table`` / ``managers_from_table`` parse cells (numbers, tiers, yes/no,
   status) into ``Client`` / ``Manager``, substituting a harmless default for a bad cell so the
   row still takes part in the cross-table checks;
3. ``load_problem`` builds the ``Problem`` (cross-table checks) and ``load_book`` adds the
   scenario's checks (``build_rules``), raising one ``InputError`` with everything found.

Files are only ever read. In messages a file is named by its base name (``clients.csv``) and
a column as the file spells it. Cells are parsed by ``rebalance.io.cells``; plans are read by
``rebalance.io.plans`` (``read_assignment`` and ``read_backups`` are re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from rebalance.data import Client, Manager, Problem
from rebalance.errors import InputError, Issue, IssueCollector
from rebalance.io.cells import (
    FALSE_WORDS,
    INDUSTRY_SEPARATORS,
    STATUS_WORDS,
    TIERS,
    TRUE_WORDS,
    CellError,
    parse_amount,
    parse_bool,
    parse_capacity,
    parse_fte,
    parse_importance,
    parse_number,
    parse_relationship,
    parse_status,
    split_industries,
)
from rebalance.io.ids import Suggester, manager_suggester, pair_issues
from rebalance.io.plans import read_assignment, read_backups
from rebalance.io.tables import Table, read_table, table_and_issues
from rebalance.pools import Rules, build_rules
from rebalance.review.overrides import apply_manager_overrides, apply_unlocks
from rebalance.scenario import Scenario

__all__ = [
    "FALSE_WORDS", "INDUSTRY_SEPARATORS", "STATUS_WORDS", "TIERS", "TRUE_WORDS", "Table",
    "clients_from_table", "load_book", "load_problem", "managers_from_table", "parse_amount",
    "parse_bool", "parse_capacity", "parse_fte", "parse_importance", "parse_number",
    "parse_relationship", "parse_status", "read_assignment", "read_backups", "read_table",
    "split_industries",
]

T = TypeVar("T")

# --------------------------------------------------------------------------- rows


class _Cells:
    """Parses the cells of one table, collecting issues and substituting defaults."""

    def __init__(self, table: Table, issues: IssueCollector):
        self.table = table
        self.issues = issues

    def get(self, record: Mapping[str, str | None], row: int, column: str,
            parse: Callable[[str], T], default: T, *, required: bool = False) -> T:
        raw = record.get(column)
        if row in self.table.spilled:
            return default  # the row's cells are shifted: reported once, as a whole row
        name = self.table.name
        if raw is None:
            if required:
                self.issues.add_key("inputs.cell.empty", file=name, row=row, column=column)
            return default
        try:
            return parse(raw)
        except CellError as exc:
            self.issues.add_key(exc.key, file=name, row=row, column=column, **exc.values)
        except ValueError as exc:
            self.issues.add(str(exc), file=name, row=row, column=column)
        return default

    def amount(self, record: Mapping[str, str | None], row: int, column: str,
               default: T, *, required: bool = False) -> float | T:
        """An amount in 元: the cell times the unit its header names (万元 -> × 10,000)."""
        value = self.get(record, row, column, lambda s: parse_amount(s, column), None,
                         required=required)
        if value is None:
            return default
        scale = self.table.scales.get(column)
        # round: 1.1 万元 is 11,000 元, not 11,000.000000000002
        return value if scale is None else round(value * scale, 6)

    def extra(self, record: Mapping[str, str | None]) -> dict[str, object]:
        return {key: record.get(key) for key in self.table.extra_columns}


def clients_from_table(table: Table) -> tuple[list[Client], list[Issue]]:
    """Parse a clients table. Bad cells become issues and a default, so the row stays."""
    issues = IssueCollector()
    cells = _Cells(table, issues)
    clients = []
    for row, record in table.items():
        clients.append(Client(
            client_id=record.get("client_id") or "",
            industry=record.get("industry") or "",
            revenue=cells.amount(record, row, "revenue", 0.0, required=True),
            name=record.get("name") or "",
            importance=cells.get(record, row, "importance", parse_importance, 1),
            manager=record.get("manager"),
            relationship=cells.get(record, row, "relationship", parse_relationship, 0.5),
            potential=cells.amount(record, row, "potential", None),
            locked=cells.get(record, row, "locked", parse_bool, False),
            backup=record.get("backup"),
            extra=cells.extra(record),
            row=row,
        ))
    return clients, table.named(issues.issues)


def managers_from_table(table: Table) -> tuple[list[Manager], list[Issue]]:
    """Parse a managers table. Bad cells become issues and a default, so the row stays."""
    issues = IssueCollector()
    cells = _Cells(table, issues)
    managers = []
    for row, record in table.items():
        managers.append(Manager(
            manager_id=record.get("manager_id") or "",
            industries=split_industries(record.get("industry") or ""),
            name=record.get("name") or "",
            capacity=cells.get(record, row, "capacity", parse_capacity, None),
            fte=cells.get(record, row, "fte", parse_fte, 1.0),
            status=cells.get(record, row, "status", parse_status, "active"),
            extra=cells.extra(record),
            row=row,
        ))
    return managers, table.named(issues.issues)


# --------------------------------------------------------------------------- the book


@dataclass(frozen=True)
class _Book:
    """What reading both tables gave: parsed rows (maybe partial), the problem if valid."""

    clients: list[Client] | None
    managers: list[Manager] | None
    clients_name: str
    managers_name: str
    problem: Problem | None
    issues: list[Issue]


def _ordered(issues: Iterable[Issue], files: list[str]) -> list[Issue]:
    """Issues grouped by file (clients, managers, others) and by row, each once."""
    rank = {name: i for i, name in enumerate(files)}
    unique = list(dict.fromkeys(issues))
    return sorted(unique, key=lambda i: (rank.get(i.file or "", len(files)), i.row or 0))


def _known_managers(clients: list[Client], managers: list[Manager], name: str,
                    managers_name: str, spilled: frozenset[int] = frozenset()
                    ) -> tuple[list[Client], list[Issue]]:
    """Clients whose manager / backup names no manager get an issue with the nearest id or
    name ("did you mean 00231 王芳?") and a blank in its place, so ``Problem`` still checks
    the rest of the row (rows in ``spilled`` were reported whole: only the blank)."""
    known = {m.manager_id for m in managers}
    suggest: Suggester | None = None
    out, issues = [], []
    for c in clients:
        changes: dict[str, object] = {}
        for column, value in (("manager", c.manager), ("backup", c.backup)):
            if value is None or value in known:
                continue
            changes[column] = None
            if c.row in spilled:
                continue
            suggest = suggest or manager_suggester(managers)
            found = suggest.nearest(value)
            issues.append(Issue.of(
                "inputs.manager.unknown" if found is None else "inputs.manager.unknown_near",
                file=name, row=c.row, column=column, id=value, table=managers_name,
                label=suggest.label(found or "")))
            if column == "manager":
                changes["locked"] = False
        out.append(replace(c, **changes) if changes else c)  # type: ignore[arg-type]
    return out, issues


def _read_book(scenario: Scenario) -> _Book:
    data = scenario.data
    encoding, fill = data.encoding, data.fill_merged
    cpath, mpath = Path(data.clients), Path(data.managers)
    cname, mname = cpath.name, mpath.name
    if cname == mname and cpath != mpath:
        cname, mname = str(cpath), str(mpath)
    issues: list[Issue] = []
    tables: list[Table] = []

    clients: list[Client] | None = None
    managers: list[Manager] | None = None
    try:
        table, found = table_and_issues(cpath, encoding, "clients", cname, fill)
        tables.append(table)
        clients, parsed = clients_from_table(table)
        issues.extend([*found, *parsed])
    except InputError as exc:
        issues.extend(exc.issues)
    try:
        table, found = table_and_issues(mpath, encoding, "managers", mname, fill)
        tables.append(table)
        managers, parsed = managers_from_table(table)
        issues.extend([*found, *parsed])
    except InputError as exc:
        issues.extend(exc.issues)

    if managers is not None:  # scenario ``managers:`` / ``unlock:`` (rebalance.review)
        managers, found = apply_manager_overrides(managers, scenario)
        issues.extend(found)
        if clients is not None:
            clients, found = apply_unlocks(clients, managers, scenario)
            issues.extend(found)

    problem: Problem | None = None
    if managers is not None:
        # Without a readable managers table every client would be "unknown": skip those checks.
        checked = clients or []
        if clients is not None:
            spilled = tables[0].spilled if tables and tables[0].kind == "clients" else frozenset()
            checked, found = _known_managers(clients, managers, cname, mname, spilled)
            issues.extend(found)
        try:
            problem = Problem(clients=tuple(checked), managers=tuple(managers),
                              clients_source=cname, managers_source=mname)
        except InputError as exc:
            issues.extend(exc.issues)
    if clients is None or issues:
        problem = None
    for table in tables:
        issues = table.named(issues)
    return _Book(clients, managers, cname, mname, problem, _ordered(issues, [cname, mname]))


def load_problem(scenario: Scenario) -> Problem:
    """Read the scenario's clients and managers tables into a validated ``Problem``.

    Raises one ``InputError`` with every cell problem and every cross-table problem found.
    """
    book = _read_book(scenario)
    if book.problem is None:
        raise InputError(book.issues)
    return book.problem


def load_book(scenario: Scenario) -> tuple[Problem, Rules]:
    """The validated ``Problem`` and its ``Rules``; one ``InputError`` lists every problem
    in the tables and in the scenario's locks and forbidden pairs."""
    book = _read_book(scenario)
    if book.problem is None:
        issues = list(book.issues)
        if book.clients is not None and book.managers is not None:
            issues.extend(pair_issues(scenario, book.clients, book.managers))
        raise InputError(issues)
    return book.problem, build_rules(book.problem, scenario)


