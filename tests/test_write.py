"""Output writers: formula escaping, BOM, deterministic bytes, Excel layout, atomicity."""

from __future__ import annotations

import io
import json
import math
import os
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from rebalance.io.write import (
    atomic_output_dir,
    display_width,
    escape_cell,
    format_value,
    write_csv,
    write_json,
    write_tables,
    write_xlsx,
)


def _sample() -> pd.DataFrame:
    return pd.DataFrame({
        "client_id": ["C001", "C002", "C003"],
        "name": ["=1+1", "普通客户, 有逗号", "-5"],
        "revenue": [1200.0, 0.125, float("nan")],
        "importance": [5, 1, 3],
        "moved": [True, False, True],
    })


# --------------------------------------------------------------------------- escaping


@pytest.mark.parametrize("text", ["=1+1", "+86 10", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_escape_cell_prefixes_formula_like_text(text: str) -> None:
    """Text a spreadsheet would evaluate gets a leading apostrophe."""
    assert escape_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["abc", "客户", "", "a=b", 5, -5, 1.5, None, True])
def test_escape_cell_leaves_safe_values_alone(value: object) -> None:
    """Plain text and numbers (even negative ones) are not altered."""
    assert escape_cell(value) == value


def test_format_value_is_fixed_and_compact() -> None:
    """Floats in fixed notation without trailing zeros; NaN empty; -0 as 0; bools as words."""
    assert format_value(1200.0) == "1200"
    assert format_value(0.125) == "0.125"
    assert format_value(1 / 3) == "0.333333"
    assert format_value(1e-12) == "0"
    assert format_value(-0.0) == "0"
    assert format_value(123456789.5) == "123456789.5"
    assert format_value(float("nan")) == ""
    assert format_value(None) == ""
    assert format_value(np.int64(7)) == "7"
    assert format_value(True) == "true"
    assert format_value(np.bool_(False)) == "false"


def test_display_width_counts_cjk_double() -> None:
    """CJK and full-width characters take two columns, ASCII one."""
    assert display_width("abcd") == 4
    assert display_width("客户编码") == 8
    assert display_width("ＡＢ") == 4
    assert display_width("C001 客户") == 9


# --------------------------------------------------------------------------- CSV


def test_csv_has_bom_and_escapes_formulas(tmp_path: Path) -> None:
    """CSV starts with the UTF-8 BOM and a formula-like cell comes out with an apostrophe."""
    path = tmp_path / "t.csv"
    write_csv(_sample(), path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.StringIO(data.decode("utf-8-sig")), dtype=str, keep_default_na=False)
    assert list(back["name"]) == ["'=1+1", "普通客户, 有逗号", "'-5"]
    assert list(back["revenue"]) == ["1200", "0.125", ""]
    assert list(back["moved"]) == ["true", "false", "true"]


def test_csv_escapes_header_too(tmp_path: Path) -> None:
    """A formula-like column name (carried from input) is escaped as well."""
    path = tmp_path / "t.csv"
    write_csv(pd.DataFrame({"=cmd": ["x"]}), path)
    assert path.read_bytes().decode("utf-8-sig").splitlines()[0] == "'=cmd"


def test_csv_bytes_identical_for_equal_frames(tmp_path: Path) -> None:
    """Two equal DataFrames built separately give byte-identical files."""
    write_csv(_sample(), tmp_path / "a.csv")
    write_csv(_sample().copy(), tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_csv_replaces_existing_file_without_leftovers(tmp_path: Path) -> None:
    """Writing over a file replaces it and leaves no temporary files behind."""
    path = tmp_path / "t.csv"
    path.write_text("old", encoding="utf-8")
    write_csv(_sample(), path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfclient_id")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


# --------------------------------------------------------------------------- Excel


def test_xlsx_strings_stay_strings_and_layout(tmp_path: Path) -> None:
    """Formula-like text is a string cell, header frozen, numbers numeric, formats applied."""
    path = tmp_path / "t.xlsx"
    write_xlsx(path, {"客户分配": _sample(), "two": _sample()}, number_formats={"revenue": "0.0%"})
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["客户分配", "two"]
    ws = wb["客户分配"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["client_id", "name", "revenue", "importance", "moved"]
    cell = ws["B2"]
    assert cell.value == "=1+1" and cell.data_type == "s" and cell.quotePrefix
    assert ws["B4"].value == "-5" and ws["B4"].data_type == "s"
    assert ws["C2"].value == 1200 and ws["C2"].data_type == "n"
    assert ws["C2"].number_format == "0.0%"
    assert ws["C4"].value is None  # NaN written as an empty cell
    assert ws["D2"].value == 5 and ws["D2"].number_format == "0"
    assert ws["E2"].value is True


def test_xlsx_cjk_columns_are_wider(tmp_path: Path) -> None:
    """A column of Chinese text is about twice as wide as one of ASCII of the same length."""
    df = pd.DataFrame({"a": ["客户名称很长的一家集团"], "b": ["abcdefghijk"]})
    path = tmp_path / "w.xlsx"
    write_xlsx(path, {"s": df})
    ws = openpyxl.load_workbook(path)["s"]
    wide, narrow = ws.column_dimensions["A"].width, ws.column_dimensions["B"].width
    assert wide >= 22 > narrow >= 11


def test_xlsx_does_not_depend_on_the_clock(tmp_path: Path) -> None:
    """The creation date is fixed, so writing twice gives the same bytes."""
    write_xlsx(tmp_path / "a.xlsx", {"s": _sample()})
    write_xlsx(tmp_path / "b.xlsx", {"s": _sample()})
    wb = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert wb.properties.created is not None and wb.properties.created.year == 2000
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


def test_xlsx_failure_keeps_old_file(tmp_path: Path) -> None:
    """A failing Excel write (invalid sheet name) leaves the previous file and no temp files."""
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"previous")
    with pytest.raises(Exception, match="sheet"):
        write_xlsx(path, {"bad[name]": _sample()})
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["t.xlsx"]


# --------------------------------------------------------------------------- JSON


def test_json_sorted_unicode_and_nan(tmp_path: Path) -> None:
    """JSON has sorted keys, Chinese as is, NaN as null and numpy values unwrapped."""
    path = tmp_path / "s.json"
    write_json({"b": float("nan"), "a": np.float64(0.5), "名称": "基线", "n": np.int64(3),
                "p": Path("x/y"), "t": (1, 2)}, path)
    text = path.read_text(encoding="utf-8")
    assert text.endswith("\n") and "基线" in text
    assert list(json.loads(text)) == ["a", "b", "n", "p", "t", "名称"]
    data = json.loads(text)
    assert data["b"] is None and data["a"] == 0.5 and data["n"] == 3 and data["t"] == [1, 2]
    assert data["p"] == "x/y"
    assert "NaN" not in text and not math.isnan(data["a"])


# --------------------------------------------------------------------------- atomic dirs


def test_output_dir_failure_writes_nothing_and_keeps_user_files(tmp_path: Path) -> None:
    """A failure halfway leaves the out dir exactly as it was: no partial or staging files."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "assignment.csv").write_text("old plan", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_output_dir(out) as staging:
        write_csv(_sample(), staging / "assignment.csv")
        write_csv(_sample(), staging / "moves.csv")
        raise RuntimeError("solver crashed while writing")
    assert sorted(p.name for p in out.iterdir()) == ["assignment.csv", "notes.txt"]
    assert (out / "assignment.csv").read_text(encoding="utf-8") == "old plan"
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_output_dir_failure_does_not_create_dir(tmp_path: Path) -> None:
    """When the out dir did not exist and writing fails, it still does not exist."""
    out = tmp_path / "new" / "out"
    with pytest.raises(ValueError), atomic_output_dir(out) as staging:
        (staging / "a.csv").write_text("x", encoding="utf-8")
        raise ValueError("boom")
    assert not out.exists()
    assert list((tmp_path / "new").iterdir()) == []


def test_output_dir_success_replaces_outputs_keeps_others(tmp_path: Path) -> None:
    """On success the new outputs replace the old ones; unrelated files stay."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "assignment.csv").write_text("old plan", encoding="utf-8")
    with atomic_output_dir(out) as staging:
        write_csv(_sample(), staging / "assignment.csv")
        write_json({"x": 1}, staging / "summary.json")
    assert sorted(p.name for p in out.iterdir()) == ["assignment.csv", "notes.txt", "summary.json"]
    assert (out / "assignment.csv").read_bytes().startswith(b"\xef\xbb\xbfclient_id")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_output_dir_created_when_missing(tmp_path: Path) -> None:
    """A missing out dir (and its parents) is created with the files in it."""
    out = tmp_path / "a" / "b"
    with atomic_output_dir(out) as staging:
        write_json({"x": 1}, staging / "summary.json")
    assert [p.name for p in out.iterdir()] == ["summary.json"]
    mask = os.umask(0o022)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o777 & ~mask  # not the staging dir's private 0700
    assert (out / "summary.json").stat().st_mode & 0o777 == 0o666 & ~mask


def test_write_tables_all_or_nothing(tmp_path: Path) -> None:
    """write_tables writes CSVs, workbook and summary; a failing workbook leaves no CSV behind."""
    out = tmp_path / "out"
    paths = write_tables(out, {"assignment": _sample(), "moves": _sample()},
                         summary={"status": "OPTIMAL"}, sheet_names={"assignment": "客户分配"})
    assert [p.name for p in paths] == ["assignment.csv", "moves.csv", "assignment.xlsx",
                                       "summary.json"]
    assert openpyxl.load_workbook(out / "assignment.xlsx").sheetnames == ["客户分配", "moves"]

    other = tmp_path / "other"
    with pytest.raises(Exception, match="sheet"):
        write_tables(other, {"assignment": _sample()}, sheet_names={"assignment": "bad:name"})
    assert not other.exists()


def test_negative_numbers_stay_numbers(tmp_path):
    """A negative number (e.g. a deviation of -27.7 %) must not be escaped as if it were text."""
    import pandas as pd

    from rebalance.io.write import write_csv

    path = tmp_path / "n.csv"
    write_csv(pd.DataFrame({"dev": [-0.277, 0.1], "note": ["-x", "ok"]}), path)
    text = path.read_bytes().decode("utf-8-sig")
    assert "\r\n-0.277,'-x\r\n" in text
