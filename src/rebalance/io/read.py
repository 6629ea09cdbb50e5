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

import codecs
import csv
import datetime as dt
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rebalance.data import Client, Manager, Problem, Status
from rebalance.errors import InputError, Issue, IssueCollector
from rebalance.io.aliases import (
    COLUMNS,
    REQUIRED,
    accepted_names,
    header_lookup,
    normalise_header,
    priority,
)
from rebalance.pools import Rules, build_rules
from rebalance.review.overrides import apply_manager_overrides, apply_unlocks
from rebalance.scenario import Scenario

T = TypeVar("T")

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class Table:
    """The text cells of one input table.

    ``records[i]`` maps a column to its cell text (``None`` when blank). Recognised columns are
    keyed by their canonical name (``client_id``, ``revenue`` …); unknown columns by their
    header as written in the file (they are carried into ``Client.extra``/``Manager.extra``).
    ``rows[i]`` is the Excel row of ``records[i]`` (the header is row 1).
    """

    path: Path
    name: str  # how messages name the file
    kind: str
    columns: Mapping[str, str]  # canonical column -> header text as in the file
    extra_columns: tuple[str, ...]  # unknown columns, header text as in the file
    records: tuple[Mapping[str, str | None], ...]
    rows: tuple[int, ...]
    encoding: str | None = None  # the CSV encoding used (detected or given)

    def __len__(self) -> int:
        return len(self.records)

    def items(self) -> Iterable[tuple[int, Mapping[str, str | None]]]:
        """(Excel row, record) pairs in file order."""
        return zip(self.rows, self.records, strict=True)


# --------------------------------------------------------------------------- raw reading


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _decode(data: bytes, encoding: str | None, name: str) -> tuple[str, str]:
    """Text and the encoding used: BOM -> UTF-8 -> GB18030, unless ``encoding`` is given."""
    if encoding:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise InputError([Issue(f'unknown encoding "{encoding}" (try utf-8 or gb18030)',
                                    file=name)]) from None
        if codec == "utf-8":
            codec = "utf-8-sig"  # a BOM is never part of the first header
        try:
            return data.decode(codec), encoding
        except UnicodeDecodeError as exc:
            row = data.count(b"\n", 0, exc.start) + 1
            raise InputError([Issue(f"cannot be read as {encoding}: {exc.reason} "
                                    f"(check the file's encoding)", file=name, row=row)]) from None
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                       (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise InputError([Issue(f"starts with a {codec} byte-order mark but cannot be "
                                        f"read as {codec}: {exc.reason}", file=name)]) from None
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise InputError([Issue("is neither UTF-8 nor GB18030 text; set data.encoding in the "
                            "scenario (e.g. big5)", file=name)])


def _read_csv(path: Path, encoding: str | None, name: str) -> tuple[list[list[str | None]], str]:
    text, used = _decode(path.read_bytes(), encoding, name)
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        if "\t" in first_line:
            delimiter = "\t"
        elif ";" in first_line:
            delimiter = ";"
    try:
        rows = [[_blank_to_none(cell) for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise InputError([Issue(f"is not a readable CSV file: {exc}", file=name)]) from None
    return rows, used


_ZERO_FORMAT = re.compile(r"^0+$")


def _cell_text(value: Any, number_format: str | None = None) -> str | None:
    """A spreadsheet/Parquet value as the text a user sees; numbers like 12.0 as ``12``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return None if math.isnan(value) else str(value)
        if float(value).is_integer() and abs(value) < 1e15:
            text = str(int(value))
            # An id typed as a number but formatted "000000" shows its leading zeros.
            if number_format and _ZERO_FORMAT.match(number_format) and int(value) >= 0:
                text = text.zfill(len(number_format))
            return text
        return format(float(value), ".15g")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return _blank_to_none(str(value))


def _read_excel(path: Path, name: str, sheet: str | None = None) -> list[list[str | None]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError([Issue(f"is not a readable Excel workbook ({exc})", file=name)]) from None
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise InputError([Issue(f'has no sheet "{sheet}" (sheets: '
                                    f'{", ".join(workbook.sheetnames)})', file=name)])
        ws = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        # Some exporters write a wrong sheet size, which read-only mode would trust.
        reset = getattr(ws, "reset_dimensions", None)
        if reset is not None:
            reset()
        return [
            [_cell_text(cell.value, getattr(cell, "number_format", None)) for cell in row]
            for row in ws.iter_rows()
        ]
    finally:
        workbook.close()


def _read_parquet(path: Path, name: str) -> list[list[str | None]]:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds; all mean "unreadable"
        raise InputError([Issue(f"is not a readable Parquet file ({exc})", file=name)]) from None
    header: list[str | None] = list(table.column_names)
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    body = [[_cell_text(col[r]) for col in columns] for r in range(table.num_rows)]
    return [header, *body]


def _read_cells(path: Path, encoding: str | None, name: str,
                sheet: str | None = None) -> tuple[list[list[str | None]], str | None]:
    if not path.exists():
        raise InputError([Issue(f"file {str(path)!r} does not exist", file=name)])
    if path.is_dir():
        raise InputError([Issue(f"{str(path)!r} is a folder, not a table", file=name)])
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            return _read_csv(path, encoding, name)
        if suffix in EXCEL_SUFFIXES:
            return _read_excel(path, name, sheet), None
        if suffix in PARQUET_SUFFIXES:
            return _read_parquet(path, name), None
    except OSError as exc:
        raise InputError([Issue(f"cannot read the file: {exc.strerror or exc}",
                                file=name)]) from None
    hint = " (save it as .xlsx)" if suffix == ".xls" else ""
    raise InputError([Issue(f'unsupported file type "{suffix or path.name}"{hint}: '
                            f"use .csv, .xlsx or .parquet", file=name)])


# --------------------------------------------------------------------------- tables


def read_table(path: Path, encoding: str | None = None, kind: str = "clients",
               name: str | None = None, sheet: str | None = None) -> Table:
    """Read a ``kind`` table ("clients", "managers", "assignment", or "raw": no aliases).

    CSV encoding is detected (BOM -> UTF-8 -> GB18030) unless ``encoding`` is given. Every cell
    is text; Excel numbers stored as floats show as typed (``12.0`` -> ``"12"``). Raises
    ``InputError`` when the file cannot be read or required columns are missing.
    """
    path = Path(path)
    name = name or path.name
    cells, used = _read_cells(path, encoding, name, sheet)  # sheet: Excel only, default first
    header = cells[0] if cells else []
    body = cells[1:]
    if not any(h for h in header):
        raise InputError([Issue("the first row must hold the column names, but it is empty",
                                file=name, row=1)])

    issues = IssueCollector()
    lookup = header_lookup(kind) if kind in COLUMNS else {}

    position: dict[str, int] = {}  # column key -> index in the row
    columns: dict[str, str] = {}
    extra: list[str] = []
    for index, raw in enumerate(header):
        text = (raw or "").strip().lstrip("\ufeff").strip()
        if not text:
            continue
        canonical = lookup.get(normalise_header(text))
        if canonical is None:
            key, n = text, 2
            while key in position:
                key, n = f"{text} ({n})", n + 1
            position[key] = index
            extra.append(key)
        elif canonical in columns:
            if kind == "assignment":
                if priority(kind, canonical, text) < priority(kind, canonical, columns[canonical]):
                    columns[canonical], position[canonical] = text, index
            else:
                issues.add(f'columns "{columns[canonical]}" and "{text}" both mean '
                           f"{canonical}; keep only one", file=name, row=1, column=canonical)
        else:
            columns[canonical], position[canonical] = text, index

    for column in REQUIRED.get(kind, ()):
        if column not in columns:
            names = ", ".join(f'"{n}"' for n in accepted_names(kind, column))
            issues.add(f'missing required column "{column}" (accepted names: {names})',
                       file=name)
    issues.raise_if_any()

    records: list[dict[str, str | None]] = []
    rows: list[int] = []
    for offset, values in enumerate(body):
        if not any(v is not None for v in values):
            continue  # blank rows (e.g. trailing ones Excel leaves) are not records
        records.append({key: values[i] if i < len(values) else None
                        for key, i in position.items()})
        rows.append(offset + 2)
    return Table(path=path, name=name, kind=kind, columns=columns, extra_columns=tuple(extra),
                 records=tuple(records), rows=tuple(rows), encoding=used)


# --------------------------------------------------------------------------- cell parsing

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

TIERS: Mapping[str, int] = {"S": 5, "A": 4, "B": 3, "C": 2, "D": 1}
TRUE_WORDS = frozenset({"是", "true", "1", "yes", "y"})
FALSE_WORDS = frozenset({"否", "false", "0", "no", "n"})
STATUS_WORDS: Mapping[str, Status] = {
    "active": "active", "在岗": "active",
    "leaving": "leaving", "离职": "leaving", "调出": "leaving",
    "new": "new", "新入职": "new",
}
INDUSTRY_SEPARATORS = re.compile(r"[;,、；，]")


def parse_number(text: str) -> float:
    """A number such as ``1234.5`` or ``1,234.5`` (full-width digits too); else ValueError."""
    value = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if _THOUSANDS.match(value):
        value = value.replace(",", "")
    if not _PLAIN.match(value):
        raise ValueError(f'"{text}" is not a number')
    return float(value)


def parse_amount(text: str, column: str) -> float:
    """A revenue-like amount: a number, 0 or more."""
    value = parse_number(text)
    if value < 0:
        raise ValueError(f'{column} must be 0 or more, got "{text}"')
    return value


def parse_importance(text: str) -> int:
    """1-5, or a tier letter S/A/B/C/D (= 5..1, any case)."""
    key = unicodedata.normalize("NFKC", text).strip().upper()
    if key in TIERS:
        return TIERS[key]
    message = f'importance must be 1-5 or a tier letter S/A/B/C/D, got "{text}"'
    try:
        value = parse_number(text)
    except ValueError:
        raise ValueError(message) from None
    if not value.is_integer() or not 1 <= value <= 5:
        raise ValueError(message)
    return int(value)


def parse_relationship(text: str) -> float:
    """A strength between 0 and 1; ``80%`` is read as 0.8."""
    value_text = unicodedata.normalize("NFKC", text).strip()
    percent = value_text.endswith("%")
    try:
        value = parse_number(value_text.removesuffix("%"))
    except ValueError:
        raise ValueError(f'"{text}" is not a number') from None
    if percent:
        value /= 100
    if not 0 <= value <= 1:
        raise ValueError(f'relationship must be between 0 and 1, got "{text}"')
    return value


def parse_bool(text: str) -> bool:
    """是/否, true/false, 1/0, yes/no, y/n (any case)."""
    key = unicodedata.normalize("NFKC", text).strip().casefold()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise ValueError(f'"{text}" is not yes/no (use 是/否, yes/no, true/false or 1/0)')


def parse_status(text: str) -> Status:
    """active/在岗, leaving/离职/调出, new/新入职."""
    key = unicodedata.normalize("NFKC", text).strip().casefold()
    if key in STATUS_WORDS:
        return STATUS_WORDS[key]
    raise ValueError(f'unknown status "{text}" (use active/在岗, leaving/离职/调出 or new/新入职)')


def parse_capacity(text: str) -> int:
    """A whole number of clients, 0 or more."""
    try:
        value = parse_number(text)
    except ValueError:
        raise ValueError(f'"{text}" is not a whole number') from None
    if not value.is_integer():
        raise ValueError(f'capacity must be a whole number, got "{text}"')
    if value < 0:
        raise ValueError(f'capacity must be 0 or more, got "{text}"')
    return int(value)


def parse_fte(text: str) -> float:
    """A share weight greater than 0."""
    value = parse_number(text)
    if not value > 0:
        raise ValueError(f'fte must be greater than 0, got "{text}"')
    return value


def split_industries(text: str) -> tuple[str, ...]:
    """Industry groups separated by ``;`` ``,`` ``、`` (half- or full-width), in order, once."""
    parts = (p.strip() for p in INDUSTRY_SEPARATORS.split(text))
    return tuple(dict.fromkeys(p for p in parts if p))


class _Cells:
    """Parses the cells of one table, collecting issues and substituting defaults."""

    def __init__(self, table: Table, issues: IssueCollector):
        self.table = table
        self.issues = issues

    def get(self, record: Mapping[str, str | None], row: int, column: str,
            parse: Callable[[str], T], default: T, *, required: bool = False) -> T:
        raw = record.get(column)
        if raw is None:
            if required:
                self.issues.add(f"{column} is empty", file=self.table.name, row=row,
                                column=column)
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            self.issues.add(str(exc), file=self.table.name, row=row, column=column)
            return default

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
            revenue=cells.get(record, row, "revenue", lambda s: parse_amount(s, "revenue"), 0.0,
                              required=True),
            name=record.get("name") or "",
            importance=cells.get(record, row, "importance", parse_importance, 1),
            manager=record.get("manager"),
            relationship=cells.get(record, row, "relationship", parse_relationship, 0.5),
            potential=cells.get(record, row, "potential",
                                lambda s: parse_amount(s, "potential"), None),
            locked=cells.get(record, row, "locked", parse_bool, False),
            backup=record.get("backup"),
            extra=cells.extra(record),
            row=row,
        ))
    return clients, issues.issues


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
    return managers, issues.issues


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


def _read_book(scenario: Scenario) -> _Book:
    encoding = scenario.data.encoding
    cpath, mpath = Path(scenario.data.clients), Path(scenario.data.managers)
    cname, mname = cpath.name, mpath.name
    if cname == mname and cpath != mpath:
        cname, mname = str(cpath), str(mpath)
    issues: list[Issue] = []

    clients: list[Client] | None = None
    managers: list[Manager] | None = None
    try:
        clients, found = clients_from_table(read_table(cpath, encoding, "clients", cname))
        issues.extend(found)
    except InputError as exc:
        issues.extend(exc.issues)
    try:
        managers, found = managers_from_table(read_table(mpath, encoding, "managers", mname))
        issues.extend(found)
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
        try:
            problem = Problem(clients=tuple(clients or ()), managers=tuple(managers),
                              clients_source=cname, managers_source=mname)
        except InputError as exc:
            issues.extend(exc.issues)
    if clients is None or issues:
        problem = None
    return _Book(clients, managers, cname, mname, problem, _ordered(issues, [cname, mname]))


def load_problem(scenario: Scenario) -> Problem:
    """Read the scenario's clients and managers tables into a validated ``Problem``.

    Raises one ``InputError`` with every cell problem and every cross-table problem found.
    """
    book = _read_book(scenario)
    if book.problem is None:
        raise InputError(book.issues)
    return book.problem


def _scenario_pair_issues(scenario: Scenario, clients: Iterable[Client],
                          managers: Iterable[Manager]) -> list[Issue]:
    """The checks of ``build_rules`` on locks/forbid, for a book that did not validate."""
    where = str(scenario.source) if scenario.source else "scenario"
    client_ids = {c.client_id for c in clients}
    staying = {m.manager_id: m.staying for m in managers}
    issues: list[Issue] = []
    for section, pairs in (("locks", scenario.locks), ("forbid", scenario.forbid)):
        for n, pair in enumerate(pairs, start=1):
            if pair.client not in client_ids:
                issues.append(Issue(f"{section} entry {n} names client {pair.client!r}, "
                                    f"which is not in the clients table", file=where))
            if pair.manager not in staying:
                issues.append(Issue(f"{section} entry {n} names manager {pair.manager!r}, "
                                    f"which is not in the managers table", file=where))
            elif section == "locks" and not staying[pair.manager]:
                issues.append(Issue(f"locks entry {n} puts client {pair.client!r} on manager "
                                    f"{pair.manager!r}, who is leaving", file=where))
    return issues


def load_book(scenario: Scenario) -> tuple[Problem, Rules]:
    """The validated ``Problem`` and its ``Rules``; one ``InputError`` lists every problem
    in the tables and in the scenario's locks and forbidden pairs."""
    book = _read_book(scenario)
    if book.problem is None:
        issues = list(book.issues)
        if book.clients is not None and book.managers is not None:
            issues.extend(_scenario_pair_issues(scenario, book.clients, book.managers))
        raise InputError(issues)
    return book.problem, build_rules(book.problem, scenario)


# --------------------------------------------------------------------------- plans


def read_assignment(path: Path, problem: Problem, encoding: str | None = None,
                    sheet: str | None = None) -> dict[str, str]:
    """Read a plan (client -> manager) and check it names every client of ``problem`` once
    and only known managers. Headers: client_id/客户编码 …, manager/客户经理/新客户经理.
    ``sheet``: the workbook sheet to read (default the first)."""
    table = read_table(Path(path), encoding, "assignment", sheet=sheet)
    issues = IssueCollector()
    name = table.name
    plan: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for row, record in table.items():
        client_id = record.get("client_id")
        manager_id = record.get("manager")
        if client_id is None:
            issues.add("client id is empty", file=name, row=row, column="client_id")
            continue
        if client_id not in problem.client_index:
            issues.add(f'client "{client_id}" is not in the clients table '
                       f"({problem.clients_source})", file=name, row=row, column="client_id")
            continue
        if client_id in first_row:
            issues.add(f'client "{client_id}" appears more than once (first in row '
                       f"{first_row[client_id]})", file=name, row=row, column="client_id")
            continue
        first_row[client_id] = row
        if manager_id is None:
            issues.add(f'no manager given for client "{client_id}"', file=name, row=row,
                       column="manager")
        elif manager_id not in problem.manager_index:
            issues.add(f'manager "{manager_id}" is not in the managers table '
                       f"({problem.managers_source})", file=name, row=row, column="manager")
        else:
            plan[client_id] = manager_id
    missing = [c.client_id for c in problem.clients if c.client_id not in first_row]
    if missing:
        shown = ", ".join(missing[:20]) + (f" … ({len(missing) - 20} more)"
                                           if len(missing) > 20 else "")
        issues.add(f"{len(missing)} client{'s' if len(missing) != 1 else ''} of the clients "
                   f"table {'are' if len(missing) != 1 else 'is'} missing from the plan: "
                   f"{shown}", file=name)
    issues.raise_if_any()
    return plan


def read_backups(path: Path, problem: Problem,
                 encoding: str | None = None) -> dict[str, str] | None:
    """client_id -> backup manager (B角) from a plan's ``backup_manager``/``B角客户经理`` column;
    ``None`` when the plan has no such column. Blank cells give ``""``. Ids are not judged
    here: ``read_assignment`` checks the clients, ``backup.check_backups`` the backups."""
    table = read_table(Path(path), encoding, "assignment")
    if "backup_manager" not in table.columns:
        return None
    backups: dict[str, str] = {}
    for record in table.records:
        client_id = record.get("client_id")
        if client_id is not None and client_id in problem.client_index:
            backups.setdefault(client_id, record.get("backup_manager") or "")
    return backups
