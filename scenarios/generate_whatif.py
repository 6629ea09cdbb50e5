"""Write the data files of the what-if scenarios, derived from the baseline book.

Run by hand from the repository root after ``generate_baseline.py`` (the outputs are committed):

    python scenarios/generate_whatif.py

A scenario file can only change data paths and rules, so a change in *who is in the book* is a
change in a data file:

- ``data/managers_leave_km012.xlsx``: the baseline managers, KM012 (孙丽, 医疗, who holds
  many of its big clients) marked ``leaving``; her clients must be handed over. (KM012 holds
  no locked client: a lock to a leaving manager is an input error.)
- ``data/managers_hires.xlsx``: the baseline managers plus two new hires at fte 0.5
  (KM019 政府, KM020 制造;中小企业), status ``new``: they start empty and get half a share.
- ``data/clients_plus20.csv``: the baseline clients (rows copied byte for byte) plus 20
  high-quality business clients (商客) brought into the group-client pool: no manager yet,
  importance A or S, revenue from the upper part of their industry's range. Same GB18030
  encoding and Chinese headers as the baseline.

The baseline files are read, never modified. The same seed gives byte-identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import numpy as np
import openpyxl
import xlsxwriter

SEED = 20240615
HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
ENCODING = "gb18030"
LEAVING = "KM012"
# (manager_id, name, industry, capacity, fte, status)
HIRES = (
    ("KM019", "林晓", "政府", None, 0.5, "new"),
    ("KM020", "郑凯", "制造;中小企业", None, 0.5, "new"),
)
# Business clients are mostly small and mid-sized firms; a few are banks or logistics firms.
NEW_CLIENT_INDUSTRIES = {"中小企业": 8, "制造": 6, "交通": 3, "金融": 3}
NUM_NEW_CLIENTS = sum(NEW_CLIENT_INDUSTRIES.values())  # 20
CITIES = ("南昌", "九江", "赣州", "吉安", "宜春", "上饶", "抚州", "萍乡", "新余", "景德镇", "鹰潭")
NAME_PARTS = {
    "中小企业": ("{}云图网络科技有限公司", "{}鑫源商贸有限公司", "{}博远信息技术有限公司",
                 "{}华盛连锁超市有限公司", "{}佳和医药连锁有限公司", "{}瑞丰酒店管理有限公司"),
    "制造": ("{}新能电池有限公司", "{}精工模具有限公司", "{}晶科光伏有限公司",
             "{}联创光电有限公司", "{}万向汽车零部件有限公司"),
    "交通": ("{}冷链物流有限公司", "{}快运集团有限公司", "{}城际客运有限公司"),
    "金融": ("{}村镇银行", "{}小额贷款有限公司", "{}融资担保有限公司"),
}
TIER_LETTERS = {5: "S", 4: "A"}
NOTE = "商客转入"


def _read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    text = path.read_bytes().decode(ENCODING)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def _amount(text: str) -> float:
    return float(text.replace(",", "")) if text.strip() else 0.0


def new_code_and_name(rng: np.random.Generator, parts: tuple[str, ...], codes: set[str],
                      names: set[str], cities: tuple[str, ...] = CITIES) -> tuple[str, str]:
    """A six-digit client code and a company name (a pattern of ``parts`` with a city), both
    new to ``codes`` / ``names`` (which they are added to); also used by generate_intake.py."""
    code = f"{int(rng.integers(1, 1_000_000)):06d}"
    while code in codes:
        code = f"{int(rng.integers(1, 1_000_000)):06d}"
    codes.add(code)
    name = parts[int(rng.integers(len(parts)))].format(cities[int(rng.integers(len(cities)))])
    while name in names:
        name = parts[int(rng.integers(len(parts)))].format(
            cities[int(rng.integers(len(cities)))])
    names.add(name)
    return code, name


def new_client_rows(header: list[str], rows: list[list[str]], seed: int = SEED) -> list[list[str]]:
    """20 new rows (blank manager) in the baseline's columns, drawn with ``seed``."""
    col = {name: i for i, name in enumerate(header)}
    rng = np.random.default_rng(seed)
    codes = {r[col["客户编码"]] for r in rows}
    names = {r[col["客户名称"]] for r in rows}
    out: list[list[str]] = []
    for industry, count in NEW_CLIENT_INDUSTRIES.items():
        revenues = np.array(sorted(_amount(r[col["年收入"]]) for r in rows
                                   if r[col["行业"]] == industry))
        # high quality: between the industry's 60th and 95th percentile of revenue
        low, high = np.quantile(revenues, [0.60, 0.95])
        for _ in range(count):
            code, name = new_code_and_name(rng, NAME_PARTS[industry], codes, names)
            revenue = round(float(rng.uniform(low, high)) / 100) * 100
            importance = 5 if rng.random() < 0.3 else 4
            potential = round(revenue * float(rng.uniform(1.2, 1.8)) / 1000) * 1000
            row = [""] * len(header)
            row[col["客户编码"]] = code
            row[col["客户名称"]] = name
            row[col["行业"]] = industry
            row[col["年收入"]] = str(revenue)
            row[col["重要程度"]] = TIER_LETTERS[importance]
            row[col["客户经理"]] = ""  # new to the department: nobody holds it yet
            row[col["关系强度"]] = ""
            row[col["潜在收入"]] = str(potential)
            row[col["锁定"]] = ""
            row[col["备注"]] = NOTE
            out.append(row)
    return out


def clients_plus20(source: Path, seed: int = SEED) -> bytes:
    """The baseline clients file with the new rows appended (baseline bytes kept as they are)."""
    header, rows = _read_rows(source)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(new_client_rows(header, rows, seed))
    base = source.read_bytes()
    if not base.endswith(b"\r\n"):
        base += b"\r\n"
    return base + buffer.getvalue().encode(ENCODING)


def read_managers(path: Path) -> tuple[list[str], list[list[object]]]:
    """Header and rows of the baseline managers workbook (first sheet)."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return [str(h) for h in rows[0]], [r for r in rows[1:] if any(v is not None for v in r)]


def write_managers(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """Write a managers workbook like the baseline's (fixed timestamp: reproducible bytes)."""
    workbook = xlsxwriter.Workbook(str(path))
    workbook.set_properties({"created": dt.datetime(2024, 6, 1, 9, 0, 0)})
    sheet = workbook.add_worksheet("managers")
    bold = workbook.add_format({"bold": True})
    for c, title in enumerate(header):
        sheet.write_string(0, c, title, bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, len(header) - 1, 14)
    workbook.close()


def managers_leaving(rows: list[list[object]], header: list[str],
                     manager_id: str) -> list[list[object]]:
    """The rows with ``manager_id``'s status set to leaving."""
    idx, status = header.index("manager_id"), header.index("status")
    out = [list(r) for r in rows]
    matches = [r for r in out if r[idx] == manager_id]
    if len(matches) != 1:
        raise SystemExit(f"{manager_id} is not (once) in the managers table")
    matches[0][status] = "leaving"
    return out


def managers_hired(rows: list[list[object]], header: list[str]) -> list[list[object]]:
    """The rows plus ``HIRES`` (columns matched by name)."""
    out = [list(r) for r in rows]
    fields = ("manager_id", "name", "industry", "capacity", "fte", "status")
    for hire in HIRES:
        row: list[object] = [None] * len(header)
        for field, value in zip(fields, hire, strict=True):
            row[header.index(field)] = value
        out.append(row)
    return out


def write_all(source_dir: Path = DATA, out_dir: Path = DATA) -> list[Path]:
    """Write the three what-if files into ``out_dir`` from the baseline files in ``source_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    clients = out_dir / "clients_plus20.csv"
    clients.write_bytes(clients_plus20(source_dir / "clients.csv"))
    header, rows = read_managers(source_dir / "managers.xlsx")
    leaving = out_dir / f"managers_leave_{LEAVING.lower()}.xlsx"
    write_managers(leaving, header, managers_leaving(rows, header, LEAVING))
    hires = out_dir / "managers_hires.xlsx"
    write_managers(hires, header, managers_hired(rows, header))
    return [clients, leaving, hires]


def main() -> None:
    for path in write_all():
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
