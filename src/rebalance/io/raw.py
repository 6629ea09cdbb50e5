"""Raw reading: a CSV / Excel / Parquet file as rows of text cells (``None`` for blank).

Nothing here knows what a column means; ``rebalance.io.read`` does. What is decided here is
how a value becomes the text a user sees, so that nothing is read silently wrong:

- CSV encoding: BOM -> UTF-8 -> GB18030, unless an encoding is given;
- Excel numbers as typed (``12.0`` -> ``"12"``), integers with every digit (a 19-digit id stays
  19 digits), ``000000``-formatted ids with their zeros; a fractional-looking number of 16+
  digits is flagged (Excel keeps only 15 significant digits, the rest may be lost already);
- merged Excel cells are reported with sheet and range, or filled down when asked; formulas
  without a calculated value and ids Excel turned into dates are flagged for the reader.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rebalance.errors import InputError, Issue

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")
EXACT_DIGITS = 15  # Excel (a double) keeps this many significant digits of a number


@dataclass
class RawCells:
    """The cells of a file's first sheet, and what reading them noticed."""

    rows: list[list[str | None]]
    encoding: str | None = None
    sheet: str | None = None
    merged: list[tuple[str, int, int, int, int]] = field(default_factory=list)  # ref, r0,c0,r1,c1
    inexact: set[tuple[int, int]] = field(default_factory=set)  # (row, col), 0-based
    dates: set[tuple[int, int]] = field(default_factory=set)  # cells Excel holds as dates
    uncalculated: list[tuple[str, int, int]] = field(default_factory=list)  # ref, row, col
    other_sheets: list[tuple[str, list[str | None]]] = field(default_factory=list)  # first rows


def blank_to_none(value: str | None) -> str | None:
    """Trimmed text, or None when nothing is left."""
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
            raise InputError([Issue.of("inputs.encoding.unknown", file=name,
                                       encoding=encoding)]) from None
        if codec == "utf-8":
            codec = "utf-8-sig"  # a BOM is never part of the first header
        try:
            return data.decode(codec), encoding
        except UnicodeDecodeError as exc:
            row = data.count(b"\n", 0, exc.start) + 1
            raise InputError([Issue.of("inputs.encoding.wrong", file=name, row=row,
                                       encoding=encoding, reason=exc.reason)]) from None
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                       (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as exc:
                raise InputError([Issue.of("inputs.encoding.bom", file=name, codec=codec,
                                           reason=exc.reason)]) from None
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise InputError([Issue.of("inputs.encoding.neither", file=name)])


def _read_csv(path: Path, encoding: str | None, name: str) -> RawCells:
    text, used = _decode(path.read_bytes(), encoding, name)
    first_line = text.split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        if "\t" in first_line:
            delimiter = "\t"
        elif ";" in first_line:
            delimiter = ";"
    try:
        # csv's own field limit (128 KiB) would raise on a long cell; the reader reports cells
        # over Excel's limit itself, with their place.
        csv.field_size_limit(1 << 30)
        rows = [[blank_to_none(cell) for cell in row]
                for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise InputError([Issue.of("inputs.csv.unreadable", file=name, reason=exc)]) from None
    return RawCells(rows, encoding=used)


_ZERO_FORMAT = re.compile(r"^0+$")


def cell_text(value: Any, number_format: str | None = None) -> str | None:
    """A spreadsheet/Parquet value as the text a user sees; numbers like 12.0 as ``12``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        text = str(value)
        # An id typed as a number but formatted "000000" shows its leading zeros.
        if number_format and _ZERO_FORMAT.match(number_format) and value >= 0:
            text = text.zfill(len(number_format))
        return text
    if isinstance(value, float):
        if not math.isfinite(value):
            return None if math.isnan(value) else str(value)
        if value.is_integer() and abs(value) < 1e21:
            return cell_text(int(value), number_format)
        return format(value, ".15g")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return blank_to_none(str(value))


_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_CACHED = re.compile(rb"<v>[^<]")


def _position(ref: str) -> tuple[int, int]:
    """``B3`` -> (2, 1): 0-based row and column."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    column, row = coordinate_from_string(ref)
    return row - 1, column_index_from_string(column) - 1


def _scan_sheet_xml(path: Path, sheet: Any, raw: RawCells) -> None:
    """What read-only mode does not say, straight from the sheet's XML: merged ranges, and
    formulas whose value was never calculated (a file written by a program, not by Excel),
    which read-only mode would show as blank cells."""
    inner = getattr(sheet, "_worksheet_path", None)
    if not inner:
        return
    with zipfile.ZipFile(path) as archive:
        data = archive.read(inner.lstrip("/"))
    for first, last in _MERGE_REF.findall(data):
        (r0, c0), (r1, c1) = _position(first.decode()), _position(last.decode())
        raw.merged.append((f"{first.decode()}:{last.decode()}", r0, c0, r1, c1))
    if b"<f" not in data:
        return  # no formulas: the common case costs one substring search
    for found in _CELL.finditer(data):
        body = found.group(2) or b""
        if b"<f" in body and not _CACHED.search(body):
            ref = found.group(1).decode()
            raw.uncalculated.append((ref, *_position(ref)))


def _read_excel(path: Path, name: str, sheet_name: str | None = None) -> RawCells:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise InputError([Issue.of("inputs.excel.unreadable", file=name, reason=exc)]) from None
    try:
        if sheet_name is not None and sheet_name not in workbook.sheetnames:
            raise InputError([Issue.of("inputs.excel.no_sheet", file=name, sheet=sheet_name,
                                       sheets=", ".join(workbook.sheetnames))])
        sheet = workbook[sheet_name] if sheet_name is not None else workbook.worksheets[0]
        # Some exporters write a wrong sheet size, which read-only mode would trust.
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        raw = RawCells([], sheet=sheet.title)
        for r, row in enumerate(sheet.iter_rows()):
            texts = []
            for c, cell in enumerate(row):
                value = cell.value
                if isinstance(value, float) and math.isfinite(value) and abs(value) >= 1e15:
                    raw.inexact.add((r, c))
                elif isinstance(value, dt.date | dt.time):
                    raw.dates.add((r, c))
                texts.append(cell_text(value, getattr(cell, "number_format", None)))
            raw.rows.append(texts)
        # the other sheets' first rows only: to say where a table is
        for other in (w for w in workbook.worksheets if w.title != sheet.title):
            first = next(other.iter_rows(max_row=1, values_only=True), ())
            raw.other_sheets.append((other.title, [cell_text(v) for v in first]))
        # an unusual package layout: the values read above still stand
        with contextlib.suppress(KeyError, zipfile.BadZipFile, ValueError):
            _scan_sheet_xml(path, sheet, raw)
        return raw
    finally:
        workbook.close()


def _read_parquet(path: Path, name: str) -> RawCells:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many kinds; all mean "unreadable"
        raise InputError([Issue.of("inputs.parquet.unreadable", file=name,
                                   reason=exc)]) from None
    header: list[str | None] = list(table.column_names)
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    body = [[cell_text(col[r]) for col in columns] for r in range(table.num_rows)]
    return RawCells([header, *body])


def read_cells(path: Path, encoding: str | None, name: str,
               sheet: str | None = None) -> RawCells:
    """The cells of a CSV, Excel or Parquet file (``sheet``: an Excel sheet by name, default
    the first); ``InputError`` when it cannot be read."""
    if not path.exists():
        raise InputError([Issue.of("inputs.file.missing", file=name, path=str(path))])
    if path.is_dir():
        raise InputError([Issue.of("inputs.file.folder", file=name, path=str(path))])
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            return _read_csv(path, encoding, name)
        if suffix in EXCEL_SUFFIXES:
            return _read_excel(path, name, sheet)
        if suffix in PARQUET_SUFFIXES:
            return _read_parquet(path, name)
    except OSError as exc:
        raise InputError([Issue.of("inputs.file.unreadable", file=name,
                                   reason=exc.strerror or exc)]) from None
    key = "inputs.file.type_xls" if suffix == ".xls" else "inputs.file.type"
    raise InputError([Issue.of(key, file=name, suffix=suffix or path.name)])
