"""Input tables: a file's cells as a ``Table`` of text with canonical column names.

``read_table`` turns a CSV / Excel / Parquet file (``rebalance.io.raw``) into text cells keyed
by canonical column (aliases, decorated headers and units: ``rebalance.io.aliases``), with the
Excel row of every record, and reports what would otherwise be read silently wrong: stray
cells past the header, merged or never-calculated Excel cells, cells over Excel's limit, ids
Excel kept only in part or turned into dates, and a title row above the header.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

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
from rebalance.io.raw import EXACT_DIGITS, RawCells, read_cells

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
    # rows whose cells spill past the header: already reported once, their shifted cells
    # are not reported again one by one
    spilled: frozenset[int] = frozenset()

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


def _header_elsewhere(raw: RawCells, kind: str, name: str) -> list[Issue]:
    """When row 1 lacks required columns but a row just below has them all (a title row
    above the table, as exports often have), or the first row of another sheet does (a
    cover sheet in front), say where the header seems to be."""
    lookup = header_lookup(kind) if kind in COLUMNS else {}

    def has_all(row: list[str | None]) -> bool:
        found = {lookup.get(normalise_header(cell)) for cell in row if cell}
        return bool(REQUIRED.get(kind)) and set(REQUIRED[kind]) <= found

    for index, row in enumerate(raw.rows[1:6], start=2):
        if has_all(row):
            return [Issue.of("inputs.header.lower", file=name, row=1, header_row=index,
                             above=index - 1)]
    for title, row in raw.other_sheets:
        if has_all(row):
            return [Issue.of("inputs.excel.other_sheet", file=name, sheet=title,
                             first=raw.sheet or "")]
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
               name: str | None = None, fill_merged: bool = False,
               sheet: str | None = None) -> Table:
    """Read a ``kind`` table ("clients", "managers", "assignment", or "raw": no aliases).

    CSV encoding is detected (BOM -> UTF-8 -> GB18030) unless ``encoding`` is given. Every cell
    is text; Excel numbers stored as floats show as typed (``12.0`` -> ``"12"``). Raises one
    ``InputError`` for a file that cannot be read, missing or doubled columns, a value in a
    column without a header (an unquoted ``1,234,567``), merged Excel cells (unless
    ``fill_merged``), formulas never calculated, cells over Excel's 32,767 characters, and ids
    Excel kept only in part or turned into dates; a header found lower down or on another
    sheet is pointed out.
    """
    table, issues = table_and_issues(path, encoding, kind, name, fill_merged, sheet)
    if issues:
        raise InputError(issues)
    return table


def table_and_issues(path: Path, encoding: str | None, kind: str, name: str | None,
                     fill_merged: bool, sheet: str | None = None) -> tuple[Table, list[Issue]]:
    """``read_table``'s table and the problems found in its rows (raises only when the file or
    its header cannot be read), so a book's cell checks still run beside them."""
    path = Path(path)
    name = name or path.name
    raw = read_cells(path, encoding, name, sheet)
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
        issues.extend(_header_elsewhere(raw, kind, name))
    issues.raise_if_any()
    issues.extend(_merged_issues(raw, fill_merged, name))

    named = {i for i, h in enumerate(header) if h and h.strip()}
    label = {i: key for key, i in position.items()}
    for ref, r, c in raw.uncalculated:
        issues.append(Issue.of("inputs.excel.uncalculated", file=name, row=r + 1,
                               column=label.get(c, _column_label(header, c)), ref=ref))
    records: list[dict[str, str | None]] = []
    rows: list[int] = []
    spilled: set[int] = set()
    for offset, values in enumerate(raw.rows[1:], start=1):
        if not any(v is not None for v in values):
            continue  # blank rows (e.g. trailing ones Excel leaves) are not records
        row = offset + 1
        stray = [(i, v) for i, v in enumerate(values) if v is not None and i not in named]
        if stray:
            spilled.add(row)
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
                  records=tuple(records), rows=tuple(rows), encoding=raw.encoding, scales=scales,
                  spilled=frozenset(spilled))
    return table, table.named(issues.issues)
