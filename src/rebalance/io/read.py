"""Reading client books: tables from CSV / Excel / Parquet into a validated ``Problem``.

Three layers, each reporting every problem it finds with file, Excel row and column:

1. ``read_table`` turns a file into a ``Table`` of text cells (``None`` for blank) with
   canonical column names (aliases, NFKC headers) and the Excel row of every record;
2. ``clients_from_table`` / ``managers_from_table`` parse cells (numbers, tiers, yes/no,
   status) into ``Client`` / ``Manager``, substituting a harmless default for a bad cell so the
   row still takes part in the cross-table checks;
3. ``load_problem`` builds the ``Problem`` (cross-table checks) and ``load_book`` adds the
   scenario's checks (``build_rules``), raising one ``InputError`` with everything found.

Files are only ever read. In messages a file is named by its base name (``clients.csv``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from rebalance.data import Client, Manager, Problem
from rebalance.errors import InputError, Issue, IssueCollector
from rebalance.io.aliases import (
    AMOUNT_COLUMNS,
    COLUMNS,
    REQUIRED,
    accepted_names,
    header_lookup,
    header_unit,
    normalise_header,
    priority,
    unit_scale,
)
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
from rebalance.io.ids import Suggester, lost_zeros, manager_suggester, pair_issues
from rebalance.io.raw import EXACT_DIGITS, RawCells, read_cells
from rebalance.pools import Rules, build_rules
from rebalance.scenario import Scenario

__all__ = [
    "FALSE_WORDS", "INDUSTRY_SEPARATORS", "STATUS_WORDS", "TIERS", "TRUE_WORDS", "Table",
    "clients_from_table", "load_book", "load_problem", "managers_from_table", "parse_amount",
    "parse_bool", "parse_capacity", "parse_fte", "parse_importance", "parse_number",
    "parse_relationship", "parse_status", "read_assignment", "read_backups", "read_table",
    "split_industries",
]

T = TypeVar("T")

EXCEL_CELL_LIMIT = 32_767  # characters Excel holds in one cell
ID_COLUMNS = frozenset({"client_id", "manager_id", "manager", "backup", "backup_manager"})


@dataclass(frozen=True)
class Table:
    """The text cells of one input table.

    ``records[i]`` maps a column to its cell text (``None`` when blank). Recognised columns are
    keyed by their canonical name (``client_id``, ``revenue`` …); unknown columns by their
    header as written in the file (they are carried into ``Client.extra``/``Manager.extra``).
    ``rows[i]`` is the Excel row of ``records[i]`` (the header is row 1). ``scales`` holds the
    unit a header named for an amount column (``收入(万元)`` -> revenue × 10,000).
    """

    path: Path
    name: str  # how messages name the file
    kind: str
    columns: Mapping[str, str]  # canonical column -> header text as in the file
    extra_columns: tuple[str, ...]  # unknown columns, header text as in the file
    records: tuple[Mapping[str, str | None], ...]
    rows: tuple[int, ...]
    encoding: str | None = None  # the CSV encoding used (detected or given)
    scales: Mapping[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.records)

    def items(self) -> Iterable[tuple[int, Mapping[str, str | None]]]:
        """(Excel row, record) pairs in file order."""
        return zip(self.rows, self.records, strict=True)

    def named(self, issues: Iterable[Issue]) -> list[Issue]:
        """``issues`` with this table's columns named as the file spells them."""
        return [i.with_header(self.columns.get(i.column)) if i.file == self.name and i.column
                and i.header is None and i.column in self.columns else i for i in issues]


# --------------------------------------------------------------------------- tables


def _match_headers(header: list[str | None], kind: str, name: str,
                   issues: IssueCollector) -> tuple[dict[str, int], dict[str, str], list[str],
                                                    dict[str, float]]:
    """column key -> index, canonical -> header text, unknown headers, amount scales."""
    lookup = header_lookup(kind) if kind in COLUMNS else {}
    position: dict[str, int] = {}
    columns: dict[str, str] = {}
    extra: list[str] = []
    scales: dict[str, float] = {}
    for index, raw in enumerate(header):
        text = (raw or "").strip().lstrip("\ufeff").strip()
        if not text:
            continue
        canonical = lookup.get(normalise_header(text))
        unit: str | None = None
        if canonical is None and (decorated := header_unit(text)) is not None:
            canonical = lookup.get(normalise_header(decorated[0]))
            unit = decorated[1] if canonical is not None else None
        if canonical is None:
            key, n = text, 2
            while key in position:
                key, n = f"{text} ({n})", n + 1
            position[key] = index
            extra.append(key)
            continue
        if canonical in columns:
            if kind == "assignment":
                if priority(kind, canonical, text) < priority(kind, canonical, columns[canonical]):
                    columns[canonical], position[canonical] = text, index
            else:
                issues.add_key("inputs.header.twice", file=name, row=1, column=canonical,
                               first=columns[canonical], second=text, meaning=canonical)
            continue
        columns[canonical], position[canonical] = text, index
        if unit is not None and canonical in AMOUNT_COLUMNS:
            scale = unit_scale(unit)
            if scale is None:
                issues.append(Issue.of("inputs.header.unit", file=name, row=1,
                                             column=canonical, header=text, unit=unit))
            else:
                scales[canonical] = scale
    return position, columns, extra, scales


def _header_below(raw: RawCells, kind: str, name: str) -> list[Issue]:
    """When row 1 lacks required columns but a row just below has them all (a title row
    above the table, as exports often have), say where the header seems to be."""
    lookup = header_lookup(kind) if kind in COLUMNS else {}
    for index, row in enumerate(raw.rows[1:6], start=2):
        found = {lookup.get(normalise_header(cell)) for cell in row if cell}
        if REQUIRED.get(kind) and set(REQUIRED[kind]) <= found:
            return [Issue.of("inputs.header.lower", file=name, row=1, header_row=index,
                             above=index - 1)]
    return []


def _column_label(header: list[str | None], index: int) -> str:
    """How a message names the column at ``index``: its header, else its position."""
    text = header[index] if index < len(header) else None
    return text.strip() if text and text.strip() else f"#{index + 1}"


def _merged_issues(raw: RawCells, fill: bool, name: str) -> list[Issue]:
    """Fill merged ranges down (``fill``) or report each with its sheet and range."""
    issues = []
    header = raw.rows[0] if raw.rows else []
    for ref, r0, c0, r1, c1 in raw.merged:
        if fill and r0 >= 1:
            value = raw.rows[r0][c0] if r0 < len(raw.rows) and c0 < len(raw.rows[r0]) else None
            for r in range(r0, min(r1, len(raw.rows) - 1) + 1):
                row = raw.rows[r]
                row.extend([None] * (c1 + 1 - len(row)))  # merged cells are absent from the XML
                for c in range(c0, c1 + 1):
                    row[c] = value
            continue
        issues.append(Issue.of("inputs.excel.merged", file=name, row=r0 + 1,
                               sheet=raw.sheet or "", range=ref,
                               heading=_column_label(header, c0)))
    return issues


def _unescape(text: str | None) -> str | None:
    """A cell the tool's own CSV escaped (``'-123``) as the text it stood for (``-123``)."""
    from rebalance.io.write import FORMULA_PREFIXES  # local: writing pulls in pandas

    if text is not None and text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def read_table(path: Path, encoding: str | None = None, kind: str = "clients",
               name: str | None = None, fill_merged: bool = False) -> Table:
    """Read a ``kind`` table ("clients", "managers", "assignment", or "raw": no aliases).

    CSV encoding is detected (BOM -> UTF-8 -> GB18030) unless ``encoding`` is given. Every cell
    is text; Excel numbers stored as floats show as typed (``12.0`` -> ``"12"``). Raises one
    ``InputError`` for a file that cannot be read, missing or doubled columns, a value in a
    column without a header (an unquoted ``1,234,567``), merged Excel cells (unless
    ``fill_merged``), cells over Excel's 32,767 characters and ids Excel kept only in part.
    """
    table, issues = _read_table(path, encoding, kind, name, fill_merged)
    if issues:
        raise InputError(issues)
    return table


def _read_table(path: Path, encoding: str | None, kind: str, name: str | None,
                fill_merged: bool) -> tuple[Table, list[Issue]]:
    """``read_table``'s table and the problems found in its rows (raises only when the file or
    its header cannot be read), so a book's cell checks still run beside them."""
    path = Path(path)
    name = name or path.name
    raw = read_cells(path, encoding, name)
    header = raw.rows[0] if raw.rows else []
    if not any(h for h in header):
        raise InputError([Issue.of("inputs.header.empty", file=name, row=1)])

    issues = IssueCollector()
    position, columns, extra, scales = _match_headers(header, kind, name, issues)
    for column in REQUIRED.get(kind, ()):
        if column not in columns:
            names = ", ".join(f'"{n}"' for n in accepted_names(kind, column))
            issues.add_key("inputs.header.missing", file=name, what=column, names=names)
    if issues:
        issues.extend(_header_below(raw, kind, name))
    issues.raise_if_any()
    issues.extend(_merged_issues(raw, fill_merged, name))

    named = {i for i, h in enumerate(header) if h and h.strip()}
    label = {i: key for key, i in position.items()}
    for ref, r, c in raw.uncalculated:
        issues.append(Issue.of("inputs.excel.uncalculated", file=name, row=r + 1,
                               column=label.get(c, _column_label(header, c)), ref=ref))
    records: list[dict[str, str | None]] = []
    rows: list[int] = []
    for offset, values in enumerate(raw.rows[1:], start=1):
        if not any(v is not None for v in values):
            continue  # blank rows (e.g. trailing ones Excel leaves) are not records
        row = offset + 1
        stray = [(i, v) for i, v in enumerate(values) if v is not None and i not in named]
        if stray:
            issues.add_key("inputs.row.stray_cells", file=name, row=row,
                           cells=", ".join(f'"{v}"' for _, v in stray[:3]),
                           position=stray[0][0] + 1, columns=len(header))
        for i, v in enumerate(values):
            if v is not None and len(v) > EXCEL_CELL_LIMIT:
                issues.append(Issue.of("inputs.cell.too_long", file=name, row=row,
                                       column=label.get(i, _column_label(header, i)),
                                       n=len(v), limit=EXCEL_CELL_LIMIT))
            if label.get(i) in ID_COLUMNS and (offset, i) in raw.inexact:
                issues.append(Issue.of("inputs.cell.inexact_id", file=name, row=row,
                                       column=label[i], text=v, digits=EXACT_DIGITS))
            elif label.get(i) in ID_COLUMNS and (offset, i) in raw.dates:
                issues.append(Issue.of("inputs.cell.date_id", file=name, row=row,
                                       column=label[i], text=v))
        record = {key: values[i] if i < len(values) else None for key, i in position.items()}
        if kind == "assignment":
            record = {key: _unescape(v) for key, v in record.items()}
        records.append(record)
        rows.append(row)
    table = Table(path=path, name=name, kind=kind, columns=columns, extra_columns=tuple(extra),
                  records=tuple(records), rows=tuple(rows), encoding=raw.encoding, scales=scales)
    return table, table.named(issues.issues)


# --------------------------------------------------------------------------- rows


class _Cells:
    """Parses the cells of one table, collecting issues and substituting defaults."""

    def __init__(self, table: Table, issues: IssueCollector):
        self.table = table
        self.issues = issues

    def get(self, record: Mapping[str, str | None], row: int, column: str,
            parse: Callable[[str], T], default: T, *, required: bool = False) -> T:
        raw = record.get(column)
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


def _known_managers(clients: list[Client], managers: list[Manager],
                    name: str, managers_name: str) -> tuple[list[Client], list[Issue]]:
    """Clients whose manager / backup names no manager get an issue with the nearest id or
    name ("did you mean 00231 王芳?") and a blank in its place, so ``Problem`` still checks
    the rest of the row."""
    known = {m.manager_id for m in managers}
    suggest: Suggester | None = None
    out, issues = [], []
    for c in clients:
        changes: dict[str, object] = {}
        for column, value in (("manager", c.manager), ("backup", c.backup)):
            if value is None or value in known:
                continue
            suggest = suggest or manager_suggester(managers)
            found = suggest.nearest(value)
            issues.append(Issue.of(
                "inputs.manager.unknown" if found is None else "inputs.manager.unknown_near",
                file=name, row=c.row, column=column, id=value, table=managers_name,
                label=suggest.label(found or "")))
            changes[column] = None
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
        table, found = _read_table(cpath, encoding, "clients", cname, fill)
        tables.append(table)
        clients, parsed = clients_from_table(table)
        issues.extend([*found, *parsed])
    except InputError as exc:
        issues.extend(exc.issues)
    try:
        table, found = _read_table(mpath, encoding, "managers", mname, fill)
        tables.append(table)
        managers, parsed = managers_from_table(table)
        issues.extend([*found, *parsed])
    except InputError as exc:
        issues.extend(exc.issues)

    problem: Problem | None = None
    if managers is not None:
        # Without a readable managers table every client would be "unknown": skip those checks.
        checked = clients or []
        if clients is not None:
            checked, found = _known_managers(clients, managers, cname, mname)
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


# --------------------------------------------------------------------------- plans


def _restore_zeros(table: Table, problem: Problem, restore: bool) -> Table:
    """The plan with ids that lost their leading zeros (a CSV saved by Excel) put right when
    ``restore``; otherwise one issue that recognises it and offers the fix."""
    ids = [(r.get("client_id"), r.get("manager")) for r in table.records]
    # in file order, so the example the message gives is the first one in the file
    unknown_clients = dict.fromkeys(c for c, _ in ids
                                    if c is not None and c not in problem.client_index)
    unknown_managers = dict.fromkeys(m for _, m in ids
                                     if m is not None and m not in problem.manager_index)
    fix = {**lost_zeros(unknown_clients, problem.client_index),
           **lost_zeros(unknown_managers, problem.manager_index)}
    if not fix:
        return table
    if not restore:
        short, full = next(iter(fix.items()))
        raise InputError([Issue.of("inputs.plan.lost_zeros", file=table.name, n=len(fix),
                                   short=short, full=full)])
    records = tuple({**r, **{k: fix.get(v, v) for k, v in r.items()
                             if k in ("client_id", "manager", "backup_manager") and v}}
                    for r in table.records)
    return replace(table, records=records)


def read_assignment(path: Path, problem: Problem, encoding: str | None = None,
                    restore_zeros: bool = False) -> dict[str, str]:
    """Read a plan (client -> manager) and check it names every client of ``problem`` once
    and only known managers. Headers: client_id/客户编码 …, manager/客户经理/新客户经理.
    Ids that lost their leading zeros are an error offering the fix, or are put right when
    ``restore_zeros`` (``data.restore_zeros: true``)."""
    table = _restore_zeros(read_table(Path(path), encoding, "assignment"), problem,
                           restore_zeros)
    issues = IssueCollector()
    name = table.name
    plan: dict[str, str] = {}
    first_row: dict[str, int] = {}
    suggest = manager_suggester(problem.managers)
    for row, record in table.items():
        client_id = record.get("client_id")
        manager_id = record.get("manager")
        if client_id is None:
            issues.add_key("inputs.plan.client_empty", column="client_id", file=name, row=row)
            continue
        if client_id not in problem.client_index:
            issues.add_key("inputs.plan.client_unknown", column="client_id", file=name, row=row,
                           id=client_id, table=problem.clients_source)
            continue
        if client_id in first_row:
            issues.add_key("inputs.plan.client_twice", column="client_id", file=name, row=row,
                           id=client_id, first=first_row[client_id])
            continue
        first_row[client_id] = row
        if manager_id is None:
            issues.add_key("inputs.plan.manager_empty", column="manager", file=name, row=row,
                           id=client_id)
        elif manager_id not in problem.manager_index:
            found = suggest.nearest(manager_id)
            issues.add_key("inputs.manager.unknown" if found is None
                           else "inputs.manager.unknown_near", column="manager", file=name, row=row,
                           id=manager_id, table=problem.managers_source,
                           label=suggest.label(found or ""))
        else:
            plan[client_id] = manager_id
    missing = [c.client_id for c in problem.clients if c.client_id not in first_row]
    if missing:
        shown = ", ".join(missing[:20]) + (f" … (+{len(missing) - 20})"
                                           if len(missing) > 20 else "")
        issues.add_key("inputs.plan.missing", file=name, n=len(missing), ids=shown)
    if issues:
        raise InputError(table.named(issues.issues))
    return plan


def read_backups(path: Path, problem: Problem, encoding: str | None = None,
                 restore_zeros: bool = False) -> dict[str, str] | None:
    """client_id -> backup manager (B角) from a plan's ``backup_manager``/``B角客户经理`` column;
    ``None`` when the plan has no such column. Blank cells give ``""``. Ids are not judged
    here: ``read_assignment`` checks the clients, ``backup.check_backups`` the backups."""
    table = read_table(Path(path), encoding, "assignment")
    if "backup_manager" not in table.columns:
        return None
    table = _restore_zeros(table, problem, restore=True) if restore_zeros else table
    backups: dict[str, str] = {}
    for record in table.records:
        client_id = record.get("client_id")
        if client_id is not None and client_id in problem.client_index:
            backups.setdefault(client_id, record.get("backup_manager") or "")
    return backups
