"""Reading tables: encodings, Excel and Parquet, headers and aliases, cell parsing, plans."""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance.data import Client, Manager, Problem
from rebalance.errors import InputError
from rebalance.io.read import (
    load_book,
    load_problem,
    parse_bool,
    parse_importance,
    parse_number,
    parse_relationship,
    parse_status,
    read_assignment,
    read_backups,
    read_table,
    split_industries,
)
from rebalance.scenario import load_scenario

DATA = Path(__file__).parent / "data" / "io"
ROOT = Path(__file__).resolve().parents[1]

ZH_HEADER = ["客户编码", "客户名称", "行业", "年收入", "重要程度", "客户经理", "关系强度",
             "潜在收入", "锁定", "备注"]


def write_scenario(tmp_path: Path, clients: Path, managers: Path, extra: str = "") -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(f"name: t\ndata:\n  clients: {clients}\n  managers: {managers}\n{extra}",
                    encoding="utf-8")
    return path


def load(tmp_path: Path, clients: Path, managers: Path = DATA / "managers.csv",
         extra: str = "") -> Problem:
    return load_problem(load_scenario(write_scenario(tmp_path, clients, managers, extra)))


# --------------------------------------------------------------------------- encodings


def test_valid_book_reads_every_field(tmp_path: Path) -> None:
    """The reference book parses: tiers, thousands separators, defaults, extras, rows."""
    problem = load(tmp_path, DATA / "clients.csv")
    by_id = {c.client_id: c for c in problem.clients}
    assert [c.client_id for c in problem.clients] == ["C01", "C02", "C03", "C04", "C05", "C06"]
    assert by_id["C01"].locked and by_id["C01"].importance == 5
    assert by_id["C02"].importance == 4  # tier A
    assert by_id["C04"].importance == 3  # tier b, lower case
    assert by_id["C05"].revenue == 1234.5
    assert by_id["C03"].relationship == 0.5  # blank -> default
    assert by_id["C06"].manager is None and by_id["C06"].importance == 1
    assert by_id["C02"].potential is None and by_id["C04"].potential == 90
    assert by_id["C01"].extra == {"note": "key account"}
    assert by_id["C06"].row == 7
    assert problem.manager("M2").industries == ("gov", "fin")


def test_gb18030_with_chinese_headers_loads_without_options(tmp_path: Path) -> None:
    """A GBK/GB18030 export with Chinese headers is detected and its aliases understood."""
    rows = [ZH_HEADER, ["041233", "南昌市人民政府", "gov", "1,200", "S", "M1", "0.8", "", "是",
                        "重点"],
            ["000007", "九江银行", "fin", "300", "2", "M3", "", "500", "否", ""]]
    path = tmp_path / "clients.csv"
    path.write_bytes("\r\n".join(",".join(f'"{v}"' for v in r) for r in rows).encode("gb18030"))
    table = read_table(path)
    assert table.encoding == "gb18030"
    problem = load(tmp_path, path)
    first = problem.clients[0]
    assert first.client_id == "041233" and first.name == "南昌市人民政府"
    assert first.revenue == 1200 and first.importance == 5 and first.locked
    assert first.extra == {"备注": "重点"}
    assert problem.clients[1].client_id == "000007" and not problem.clients[1].locked


def test_utf8_bom_is_not_part_of_the_first_header(tmp_path: Path) -> None:
    """Excel's "CSV UTF-8" puts a BOM before the first header; it must still be client_id."""
    path = tmp_path / "clients.csv"
    path.write_bytes((DATA / "clients.csv").read_bytes().decode().encode("utf-8-sig"))
    table = read_table(path)
    assert table.encoding == "utf-8-sig"
    assert table.columns["client_id"] == "client_id"
    assert load(tmp_path, path).clients[0].client_id == "C01"


def test_explicit_encoding_overrides_detection(tmp_path: Path) -> None:
    """data.encoding reads a Big5 file that detection would misread as GB18030."""
    path = tmp_path / "clients.csv"
    text = "client_id,name,industry,revenue\nC1,臺灣銀行,fin,10\n"
    path.write_bytes(text.encode("big5"))
    assert read_table(path).records[0]["name"] != "臺灣銀行"  # detection guesses wrong
    assert read_table(path, encoding="big5").records[0]["name"] == "臺灣銀行"
    problem = load(tmp_path, path, extra="  encoding: big5\n")
    assert problem.clients[0].name == "臺灣銀行"


def test_wrong_explicit_encoding_names_the_row(tmp_path: Path) -> None:
    """Forcing UTF-8 on a GB18030 file is an error that points at the first bad row."""
    path = tmp_path / "clients.csv"
    path.write_bytes("client_id,name,industry,revenue\nC1,ok,fin,1\nC2,南昌,fin,2\n"
                     .encode("gb18030"))
    with pytest.raises(InputError) as exc:
        read_table(path, encoding="utf-8")
    issue = exc.value.issues[0]
    assert issue.file == "clients.csv" and issue.row == 3 and "utf-8" in issue.message


def test_unknown_encoding_name_is_reported(tmp_path: Path) -> None:
    """A typo in data.encoding is a readable error, not a LookupError trace."""
    with pytest.raises(InputError, match='unknown encoding "gbkk"'):
        read_table(DATA / "clients.csv", encoding="gbkk")


# --------------------------------------------------------------------------- Excel, Parquet


def test_xlsx_keeps_leading_zeros_and_shows_whole_floats_as_integers(tmp_path: Path) -> None:
    """Ids typed as text keep their zeros; ids stored as numbers with a 000000 format show
    them; 12.0 is read as "12"; importance 5.0 is 5."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户编码", "行业", "收入", "重要性", "客户经理", "锁定"])
    ws.append(["041233", "gov", 12.0, 5.0, "M1", True])
    ws.append([42, "fin", 1234.5, "C", "M3", None])
    ws["A3"].number_format = "000000"
    ws.append([None, None, None, None, None, None])  # trailing blank row
    path = tmp_path / "clients.xlsx"
    wb.save(path)

    table = read_table(path)
    assert [r["client_id"] for r in table.records] == ["041233", "000042"]
    assert table.records[0]["revenue"] == "12"
    assert table.rows == (2, 3)
    problem = load(tmp_path, path)
    assert [c.client_id for c in problem.clients] == ["041233", "000042"]
    assert problem.clients[0].importance == 5 and problem.clients[0].locked
    assert problem.clients[1].revenue == 1234.5 and problem.clients[1].importance == 2


def test_xlsx_cell_error_names_the_excel_row(tmp_path: Path) -> None:
    """An error in an .xlsx names the row number Excel shows (header is row 1)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["client_id", "industry", "revenue", "manager"])
    for i in range(12):
        ws.append([f"C{i:02d}", "gov", 10, "M1"])
    ws.append(["C99", "gov", "12万", "M1"])
    path = tmp_path / "clients.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as exc:
        load(tmp_path, path)
    [issue] = exc.value.issues
    assert str(issue).startswith('clients.xlsx row 14, revenue: "12万" is not a number')


def test_parquet_reads_as_text(tmp_path: Path) -> None:
    """Parquet tables load too; numeric ids become text, integral floats lose ".0"."""
    frame = pd.DataFrame({"client_id": ["007", "008"], "industry": ["gov", "fin"],
                          "revenue": [10.0, 2.5], "manager": ["M1", None]})
    path = tmp_path / "clients.parquet"
    frame.to_parquet(path)
    table = read_table(path)
    assert table.records[0]["revenue"] == "10"
    problem = load(tmp_path, path)
    assert [c.client_id for c in problem.clients] == ["007", "008"]
    assert problem.clients[1].manager is None


def test_unsupported_file_type_is_an_input_error(tmp_path: Path) -> None:
    """An old .xls is refused with advice, not a crash."""
    path = tmp_path / "clients.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(InputError, match=r"save it as \.xlsx"):
        read_table(path)


# --------------------------------------------------------------------------- headers


def test_headers_are_trimmed_nfkc_normalised_and_case_insensitive(tmp_path: Path) -> None:
    """' Client ID ', full-width 'ＲＥＶＥＮＵＥ' and '行业　' all find their column."""
    path = tmp_path / "clients.csv"
    path.write_text(" Client ID ,ＲＥＶＥＮＵＥ,行业\u3000,Remarks\nC1,5,gov,x\n", encoding="utf-8")
    table = read_table(path)
    assert set(table.columns) == {"client_id", "revenue", "industry"}
    assert table.extra_columns == ("Remarks",)
    assert table.records[0] == {"client_id": "C1", "revenue": "5", "industry": "gov",
                                "Remarks": "x"}


def test_two_columns_for_one_field_are_an_error(tmp_path: Path) -> None:
    """行业 and 行业组 both mean industry: ambiguous, so the user must keep one."""
    path = tmp_path / "clients.csv"
    path.write_text("客户编码,行业,行业组,收入\nC1,gov,gov,5\n", encoding="utf-8")
    with pytest.raises(InputError, match='"行业" and "行业组" both mean industry'):
        read_table(path)


def test_managers_table_aliases_and_status_words(tmp_path: Path) -> None:
    """Chinese manager headers, 、/；separators, 在岗/离职/新入职 and fte default."""
    path = tmp_path / "managers.csv"
    path.write_text("工号,姓名,行业组,最大客户数,人力系数,状态\n"
                    "M1,甲,gov、fin,10,,在岗\nM2,乙,gov；fin,,0.5,新入职\nM3,丙,fin,,,离职\n",
                    encoding="utf-8")
    clients = tmp_path / "clients.csv"
    clients.write_text("client_id,industry,revenue,manager\nC1,gov,1,M1\nC2,fin,1,M3\n",
                       encoding="utf-8")
    problem = load(tmp_path, clients, path)
    m1, m2, m3 = problem.managers
    assert m1.industries == ("gov", "fin") and m1.capacity == 10 and m1.fte == 1.0
    assert m2.industries == ("gov", "fin") and m2.status == "new" and m2.fte == 0.5
    assert m3.status == "leaving"


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize(("text", "value"), [
    ("1234.5", 1234.5), ("1,234.5", 1234.5), ("1,234,567", 1234567.0), ("１２３", 123.0),
    ("-5", -5.0), ("0.5", 0.5), (".5", 0.5), ("1e3", 1000.0),
])
def test_parse_number_accepts(text: str, value: float) -> None:
    """Numbers as planners type them, including thousands separators and full-width digits."""
    assert parse_number(text) == value


@pytest.mark.parametrize("text", ["12万", "1,23", "abc", "1.2.3", "", "nan", "inf"])
def test_parse_number_rejects(text: str) -> None:
    """Text that is not a plain number is rejected with the cell quoted."""
    with pytest.raises(ValueError, match=f'^"{text}" is not a number'):
        parse_number(text)


def test_parse_cells() -> None:
    """Tier letters, yes/no words, statuses, relationship percentages, industry lists."""
    assert [parse_importance(t) for t in ("S", "a", "B", "c", "D", "1", "5", "3.0")] == \
        [5, 4, 3, 2, 1, 1, 5, 3]
    for bad in ("0", "6", "2.5", "E", "high"):
        with pytest.raises(ValueError, match="importance must be 1-5"):
            parse_importance(bad)
    assert [parse_bool(t) for t in ("是", "否", "TRUE", "false", "1", "0", "Yes", "n")] == \
        [True, False, True, False, True, False, True, False]
    with pytest.raises(ValueError, match="not yes/no"):
        parse_bool("maybe")
    assert [parse_status(t) for t in ("Active", "在岗", "离职", "调出", "new", "新入职")] == \
        ["active", "active", "leaving", "leaving", "new", "new"]
    with pytest.raises(ValueError, match="unknown status"):
        parse_status("retired")
    assert parse_relationship("80%") == pytest.approx(0.8)
    with pytest.raises(ValueError, match="between 0 and 1"):
        parse_relationship("1.5")
    assert split_industries("政府; 金融，教育、医疗,,政府") == ("政府", "金融", "教育", "医疗")


# --------------------------------------------------------------------------- the baseline


def test_baseline_book_has_the_intended_shape() -> None:
    """The bundled baseline: 173 clients, 18 managers, leading zeros, locks, heavy tail."""
    problem, rules = load_book(load_scenario(ROOT / "scenarios" / "baseline.yaml"))
    assert problem.num_clients == 173 and problem.num_managers == 18
    assert [m.manager_id for m in problem.managers] == [f"KM{i:03d}" for i in range(1, 19)]
    assert all(m.status == "active" for m in problem.managers)
    assert sum(c.client_id.startswith("0") for c in problem.clients) >= 10
    assert all(len(c.client_id) == 6 for c in problem.clients)
    assert 3 <= sum(c.locked for c in problem.clients) <= 4
    industries = {c.industry for c in problem.clients}
    assert len(industries) in (6, 7)
    for ind in industries:
        assert sum(m.serves(ind) for m in problem.managers) >= 2, ind
    assert any(len(m.industries) == 2 for m in problem.managers)
    revenue = sorted((c.revenue for c in problem.clients), reverse=True)
    assert 0.4 <= sum(revenue[:17]) / sum(revenue) <= 0.6
    counts = [sum(c.manager == m.manager_id for c in problem.clients) for m in problem.managers]
    assert min(counts) >= 4 and max(counts) <= 16
    assert sum(c.potential is None for c in problem.clients) > 0
    assert sum(c.potential is not None for c in problem.clients) > 100
    # at least one client is bigger than the whole revenue band of every manager who may take it
    tol = 0.10
    assert any(c.revenue > max(rules.fair_share(m, "revenue") * (1 + tol)
                               for m in rules.eligible[c.client_id]) for c in problem.clients)
    assert "备注" in problem.clients[0].extra


def test_baseline_files_are_what_the_generator_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The committed clients.csv is exactly what generate_baseline.py produces (seeded)."""
    spec = importlib.util.spec_from_file_location(
        "generate_baseline", ROOT / "scenarios" / "generate_baseline.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "generate_baseline", module)  # dataclasses look it up
    spec.loader.exec_module(module)
    committed = (ROOT / "scenarios" / "data" / "clients.csv").read_bytes()
    assert module.clients_csv(module.build_book()) == committed
    committed.decode("gb18030")  # and it is GB18030 text
    with pytest.raises(UnicodeDecodeError):
        committed.decode("utf-8")


# --------------------------------------------------------------------------- plans


def _tiny_problem() -> Problem:
    return Problem(
        clients=(Client("C1", "gov", 10, manager="M1", row=2),
                 Client("C2", "gov", 5, manager="M2", row=3),
                 Client("C3", "gov", 1, row=4)),
        managers=(Manager("M1", ("gov",), row=2), Manager("M2", ("gov",), row=3)),
        clients_source="clients.csv", managers_source="managers.csv",
    )


def test_read_assignment_with_chinese_headers(tmp_path: Path) -> None:
    """A plan with 客户编码 / 原客户经理 / 新客户经理 reads the new manager."""
    path = tmp_path / "plan.csv"
    path.write_text("客户编码,原客户经理,新客户经理\nC1,M1,M2\nC2,M2,M2\nC3,,M1\n",
                    encoding="utf-8-sig")
    assert read_assignment(path, _tiny_problem()) == {"C1": "M2", "C2": "M2", "C3": "M1"}


def test_read_assignment_of_solve_output_headers(tmp_path: Path) -> None:
    """The English assignment.csv that solve writes: manager, not previous_manager, counts."""
    path = tmp_path / "assignment.csv"
    path.write_text("client_id,name,previous_manager,manager,moved\n"
                    "C1,a,M1,M1,False\nC2,b,M2,M1,True\nC3,c,,M2,False\n", encoding="utf-8")
    assert read_assignment(path, _tiny_problem()) == {"C1": "M1", "C2": "M1", "C3": "M2"}


def test_read_assignment_reports_every_problem(tmp_path: Path) -> None:
    """Unknown client, repeated client, unknown manager, blank manager and missing clients."""
    path = tmp_path / "plan.csv"
    path.write_text("client_id,manager\nC1,M1\nC9,M1\nC1,M2\nC2,M7\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_assignment(path, _tiny_problem())
    text = [str(i) for i in exc.value.issues]
    assert text == [
        'plan.csv row 3, client_id: client "C9" is not in the clients table (clients.csv)',
        'plan.csv row 4, client_id: client "C1" appears more than once (first in row 2)',
        'plan.csv row 5, manager: "M7" is not a manager id in managers.csv',
        "plan.csv: clients of the clients table missing from the plan (1): C3",
    ]


# --------------------------------------------------------------------------- property


_ids = st.lists(st.from_regex(r"\A[0-9]{6}\Z"), min_size=1, max_size=12, unique=True)
_text = st.text(alphabet=st.sampled_from("abc 中文客户,\"'-=银行"), max_size=8).map(str.strip)


@st.composite
def books(draw: st.DrawFn) -> tuple[list[Client], list[Manager]]:
    industries = ["政府", "金融", "gov"][: draw(st.integers(1, 3))]
    managers = [Manager(f"M{j}", (ind,), name=draw(_text),
                        fte=draw(st.sampled_from([1.0, 0.5, 0.8])))
                for j, ind in enumerate(industries * 2)]
    clients = []
    for i, cid in enumerate(draw(_ids)):
        ind = draw(st.sampled_from(industries))
        serving = [m.manager_id for m in managers if m.serves(ind)]
        clients.append(Client(
            client_id=cid, industry=ind, name=draw(_text),
            revenue=draw(st.one_of(st.integers(0, 10**9).map(float),
                                   st.floats(0, 1e9, allow_nan=False))),
            importance=draw(st.integers(1, 5)),
            manager=draw(st.one_of(st.none(), st.sampled_from(serving))),
            relationship=draw(st.sampled_from([0.0, 0.25, 0.5, 1.0])),
            potential=draw(st.one_of(st.none(), st.integers(0, 10**6).map(float))),
            row=i + 2,
        ))
    clients = [Client(**{**c.__dict__, "locked": c.manager is not None and draw(st.booleans())})
               for c in clients]
    return clients, managers


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(book=books(), chinese=st.booleans(), tiers=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_written_books_load_back_the_same(tmp_path: Path, book: tuple[list[Client],
                                          list[Manager]], chinese: bool, tiers: bool,
                                          encoding: str) -> None:
    """Any valid book written as CSV (either header language, tiers or digits, any of the
    detected encodings) loads back to the same clients and managers."""
    clients, managers = book
    letters = {5: "S", 4: "A", 3: "B", 2: "C", 1: "D"}
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(ZH_HEADER[:9] if chinese else
                    ["client_id", "name", "industry", "revenue", "importance", "manager",
                     "relationship", "potential", "locked"])
    for c in clients:
        writer.writerow([c.client_id, c.name, c.industry, repr(c.revenue),
                         letters[c.importance] if tiers else c.importance, c.manager or "",
                         c.relationship, "" if c.potential is None else c.potential,
                         ("是" if c.locked else "否") if chinese else c.locked])
    cpath = tmp_path / "clients.csv"
    cpath.write_bytes(out.getvalue().encode(encoding))
    mpath = tmp_path / "managers.csv"
    mpath.write_text("manager_id,name,industry,fte\n" + "".join(
        f'{m.manager_id},"{m.name.replace(chr(34), chr(34) * 2)}",{m.industries[0]},{m.fte}\n'
        for m in managers), encoding="utf-8")

    problem = load(tmp_path, cpath, mpath)
    assert list(problem.clients) == [Client(**{**c.__dict__, "extra": {}}) for c in clients]
    assert [(m.manager_id, m.name, m.industries, m.fte) for m in problem.managers] == \
        [(m.manager_id, m.name, m.industries, m.fte) for m in managers]


def test_read_backups_from_a_plan(tmp_path: Path) -> None:
    """The B角 column of a plan is read (blank = no backup); a plan without one gives None."""
    path = tmp_path / "plan.csv"
    path.write_text("客户编码,客户经理,B角客户经理\nC1,M1,M2\nC2,M2,\nC3,M1,M2\n",
                    encoding="utf-8-sig")
    assert read_backups(path, _tiny_problem()) == {"C1": "M2", "C2": "", "C3": "M2"}
    path.write_text("client_id,manager\nC1,M1\nC2,M2\nC3,M1\n", encoding="utf-8")
    assert read_backups(path, _tiny_problem()) is None


def test_a_csv_named_xlsx_is_an_input_error(tmp_path: Path) -> None:
    """A file that only pretends to be a workbook is reported, not a BadZipFile trace."""
    path = tmp_path / "clients.xlsx"
    path.write_bytes((DATA / "clients.csv").read_bytes())
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        read_table(path)
