"""Writing outputs: CSV (UTF-8 with BOM), Excel and JSON, atomically and deterministically.

Every writer first writes a temporary file beside its target and renames it into place, so a
reader never sees half a file. ``atomic_output_dir`` extends that to a set of files: everything
is written into a hidden staging folder that then takes the output folder's place in one
atomic step (``rebalance.io.publish``).

Spreadsheet safety: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would be run as a formula by Excel or LibreOffice when a CSV is opened ("CSV injection").
In CSV such text gets a leading apostrophe (``escape_cell``); in Excel files it is written as a
plain string with Excel's hidden quote prefix, so the cell shows the original text and stays text
even when edited.

Determinism: the same DataFrames give byte-identical CSV files. Floats are written in fixed
notation with at most ``FLOAT_DECIMALS`` decimals and no trailing zeros (``1200.0`` → ``1200``),
NaN as an empty cell, booleans as ``true``/``false``; nothing depends on the clock.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import math
import os
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
FLOAT_DECIMALS = 6  # CSV floats: fixed notation, at most this many decimals
FIXED_CREATED = dt.datetime(2000, 1, 1)  # xlsx "created" property: fixed, not the clock
MIN_WIDTH, MAX_WIDTH = 6, 60  # Excel column widths, in characters

__all__ = [
    "FORMULA_PREFIXES",
    "atomic_output_dir",
    "atomic_path",
    "display_width",
    "escape_cell",
    "format_value",
    "is_formula_like",
    "to_jsonable",
    "write_csv",
    "write_json",
    "write_tables",
    "write_text",
    "write_xlsx",
]


# --------------------------------------------------------------------------- cells


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would run as a formula (begins with = + - @ tab CR)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def escape_cell(value: object) -> object:
    """Text beginning with ``= + - @`` (or tab / CR) gets a leading apostrophe; others unchanged."""
    if is_formula_like(value):
        return "'" + str(value)
    return value


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(float(value))


def _format_float(value: float) -> str:
    if not math.isfinite(value):
        return ""
    text = f"{round(value, FLOAT_DECIMALS):.{FLOAT_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(value: object) -> str:
    """One CSV cell as text: fixed-notation floats, ``true``/``false``, empty for missing."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return _format_float(float(value))
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return value.isoformat()
    return str(value)


def display_width(text: str) -> int:
    """Width of ``text`` on screen, counting East Asian wide/full-width characters as 2."""
    if text.isascii():  # most cells (numbers, ids): no per-character look-up
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


# --------------------------------------------------------------------------- atomic files


def _umask() -> int:
    # os.umask can only be read by setting it; done once per call, restored immediately.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it onto ``path``.

    On any exception the temporary file is removed and ``path`` is left as it was.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _write_bytes_atomic(data: bytes, path: str | os.PathLike[str]) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_output_dir(out_dir: str | os.PathLike[str]) -> contextlib.AbstractContextManager[Path]:
    """Stage a set of output files and publish them as ``out_dir`` only if all were written.

    The one publishing function of the project, ``rebalance.io.publish.publish_dir``: the
    complete old set or the complete new one, whatever happens (see that module).
    """
    from rebalance.io.publish import publish_dir

    return publish_dir(out_dir)


# --------------------------------------------------------------------------- writers


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write ``df`` as CSV: UTF-8 with BOM (Excel shows Chinese), formula-escaped, atomic.

    Same DataFrame → same bytes: see the module docstring for the fixed value formatting.
    Rows end with ``\\r\\n`` (what Excel writes and expects); the index is not written.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_cell(str(c)) for c in df.columns])
    for row in df.itertuples(index=False, name=None):
        # Only text is escaped: a negative number stays a number ("-0.25", not "'-0.25").
        writer.writerow([escape_cell(v) if isinstance(v, str) else format_value(v) for v in row])
    data = buffer.getvalue()
    _write_bytes_atomic(("\ufeff" + data).encode("utf-8"), path)


def _cell_text(value: object, num_format: str | None) -> str:
    """What a cell roughly looks like in Excel, for column widths."""
    if _is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "FALSE" if not value else "TRUE"
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return ""
        if num_format and "%" in num_format:
            return f"{number * 100:.1f}%"
        if num_format and "," in num_format:
            return f"{number:,.2f}"
        return format_value(value)
    return str(value)


def write_xlsx(
    path: str | os.PathLike[str],
    sheets: Mapping[str, pd.DataFrame],
    number_formats: Mapping[str, str] | None = None,
    first_sheet: Callable[[Any], None] | None = None,
    choices: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Write each DataFrame as a sheet of one workbook, atomically.

    ``choices`` maps a column name to the values its cells offer in a drop-down list (other
    values are allowed after a warning; e.g. the review columns ``decision`` and ``pin``).

    Header row bold, frozen and filterable; column widths fit the content (CJK characters count
    double); text is written as text (never as a formula or URL) and formula-like text gets
    Excel's hidden quote prefix; numbers keep their type. ``number_formats`` maps a column
    name to an Excel number format (e.g. ``"0.0%"``); otherwise integers show as ``0`` and
    other numbers as Excel's General. The workbook's creation date is fixed, not the clock.
    ``first_sheet(workbook)``, when given, adds the sheet the workbook opens on (the report's
    summary, ``rebalance.report.workbook``) before the tables.
    """
    import xlsxwriter  # local: only needed when an Excel file is written
    import xlsxwriter.exceptions

    formats_by_column = dict(number_formats or {})
    with atomic_path(path) as tmp:
        workbook = xlsxwriter.Workbook(str(tmp), {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": False,
        })
        workbook.set_properties({"created": FIXED_CREATED})
        if first_sheet is not None:
            first_sheet(workbook)
        header_fmt = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        quoted_fmt = workbook.add_format({"quote_prefix": True})
        int_fmt = workbook.add_format({"num_format": "0"})
        cache: dict[str, Any] = {}

        def fmt_for(spec: str) -> Any:
            if spec not in cache:
                cache[spec] = workbook.add_format({"num_format": spec})
            return cache[spec]

        for sheet_name, df in sheets.items():
            ws = workbook.add_worksheet(sheet_name)
            columns = [str(c) for c in df.columns]
            for j, name in enumerate(columns):
                ws.write_string(0, j, name, header_fmt)
            for j, name in enumerate(columns):
                spec = formats_by_column.get(name)
                width = display_width(name) + 3  # room for the filter button
                is_int_col = pd.api.types.is_integer_dtype(df.dtypes.iloc[j])
                seen: dict[tuple[type, object], int] = {}  # repeated values measured once
                for i, value in enumerate(df.iloc[:, j].tolist(), start=1):
                    key = (type(value), value)
                    cell_width = seen.get(key)
                    if cell_width is None:
                        cell_width = seen[key] = display_width(_cell_text(value, spec)) + 1
                    width = max(width, cell_width)
                    # The common exact types first, without the general checks below (at
                    # 200,000 clients, 3 million cells): the same calls with the same values.
                    kind = type(value)
                    if kind is str:
                        ws.write_string(i, j, value, quoted_fmt if is_formula_like(value) else None)
                        continue
                    if kind is float or kind is int:
                        if math.isfinite(value):
                            ws.write_number(i, j, float(value), fmt_for(spec) if spec else
                                            int_fmt if is_int_col or kind is int else None)
                        continue
                    if _is_missing(value):
                        continue
                    if isinstance(value, bool | np.bool_):
                        ws.write_boolean(i, j, bool(value))
                    elif isinstance(value, int | float | np.integer | np.floating):
                        number = float(value)
                        if not math.isfinite(number):
                            continue
                        if spec:
                            ws.write_number(i, j, number, fmt_for(spec))
                        elif is_int_col or isinstance(value, int | np.integer):
                            ws.write_number(i, j, number, int_fmt)
                        else:
                            ws.write_number(i, j, number)
                    else:
                        text = format_value(value)
                        ws.write_string(i, j, text, quoted_fmt if is_formula_like(text) else None)
                ws.set_column(j, j, min(MAX_WIDTH, max(MIN_WIDTH, width)))
                if choices and name in choices and len(df):
                    ws.data_validation(1, j, len(df), j, {
                        "validate": "list", "source": list(choices[name]),
                        "error_type": "warning"})
            ws.freeze_panes(1, 0)
            if columns:
                ws.autofilter(0, 0, max(len(df), 1), len(columns) - 1)
        try:
            workbook.close()
        except xlsxwriter.exceptions.FileCreateError as exc:
            # xlsxwriter wraps the disk error (full disk, file-size limit): hand on the OSError
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise OSError(str(exc)) from None


def to_jsonable(obj: object) -> Any:
    """Plain JSON data: numpy scalars unwrapped, NaN/inf → null, paths and dates as text."""
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, set | frozenset):
        return [to_jsonable(v) for v in sorted(obj, key=str)]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if _is_missing(obj):
        return None
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, dt.datetime | dt.date):
        return obj.isoformat()
    return str(obj)


def write_json(obj: object, path: str | os.PathLike[str]) -> None:
    """Write ``obj`` as JSON: sorted keys, UTF-8 (Chinese as is), indent 2, atomic."""
    text = json.dumps(to_jsonable(obj), sort_keys=True, ensure_ascii=False, indent=2)
    _write_bytes_atomic((text + "\n").encode("utf-8"), path)


def write_text(text: str, path: str | os.PathLike[str]) -> None:
    """Write ``text`` as UTF-8 (no BOM), atomically: HTML reports and other text files."""
    _write_bytes_atomic(text.encode("utf-8"), path)


def write_tables(
    out_dir: str | os.PathLike[str],
    tables: Mapping[str, pd.DataFrame],
    *,
    summary: object | None = None,
    xlsx_name: str | None = "assignment.xlsx",
    sheet_names: Mapping[str, str] | None = None,
    number_formats: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write a set of outputs into ``out_dir`` all at once (see ``atomic_output_dir``).

    Each table becomes ``<name>.csv``; with ``xlsx_name`` all tables also go into one workbook,
    one sheet per table (sheet titles from ``sheet_names``, default the table name); ``summary``
    becomes ``summary.json``. Returns the written paths, in writing order.
    """
    names: list[str] = []
    with atomic_output_dir(out_dir) as staging:
        for name, df in tables.items():
            write_csv(df, staging / f"{name}.csv")
            names.append(f"{name}.csv")
        if xlsx_name:
            titles = sheet_names or {}
            sheets = {titles.get(name, name): df for name, df in tables.items()}
            write_xlsx(staging / xlsx_name, sheets, number_formats=number_formats)
            names.append(xlsx_name)
        if summary is not None:
            write_json(summary, staging / "summary.json")
            names.append("summary.json")
    return [Path(out_dir) / n for n in names]
