"""Messy and hostile inputs (issue 12 §1, §2, §3, §6 and issue 13 §6), through the CLI.

Each test builds its own hostile book in a temp folder and runs the command a planner would
type: nothing is read silently wrong, every problem is named in the planner's own words (and
in Chinese with ``--lang zh``), and nothing ends in a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rebalance.cli import app
from rebalance.errors import InputError
from rebalance.io.read import load_problem
from rebalance.scenario import load_scenario

runner = CliRunner()

CLIENTS = [
    ["客户编码", "客户名称", "行业", "年收入", "客户经理"],
    ["011045", "南昌市政府", "政府", "120000", "00231"],
    ["011046", "九江市政府", "政府", "90000", "00231"],
    ["011047", "赣州银行", "金融", "150000", "00233"],
    ["011048", "上饶市政府", "政府", "60000", "00232"],
    ["011049", "江西银行", "金融", "80000", "00234"],
]
MANAGERS = [
    ["工号", "姓名", "行业", "人力系数"],
    ["00231", "王芳", "政府", "1"],
    ["00232", "李雷", "政府", "1"],
    ["00233", "韩梅", "金融", "1"],
    ["00234", "赵敏", "金融", "1"],
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def book(tmp: Path, clients: list[list[str]] | None = None,
         managers: list[list[str]] | None = None, extra: str = "",
         clients_file: str = "clients.csv") -> Path:
    """A valid two-industry book (unless told otherwise); returns the scenario path."""
    if not (tmp / clients_file).exists():
        write_csv(tmp / clients_file, clients if clients is not None else CLIENTS)
    write_csv(tmp / "managers.csv", managers if managers is not None else MANAGERS)
    scenario = tmp / "s.yaml"
    scenario.write_text(f"name: t\ndata:\n  clients: {clients_file}\n  managers: managers.csv\n"
                        f"solver:\n  time_limit: 5\n  workers: 1\n{extra}", encoding="utf-8")
    return scenario


def run(*args: str) -> tuple[int, str]:
    """Exit code and everything printed (stdout and stderr)."""
    result = runner.invoke(app, list(args))
    text = result.output  # stdout and stderr, as the planner sees them
    assert "Traceback" not in text, text
    return result.exit_code, text


# --------------------------------------------------------------------------- 12 §1


def test_unquoted_thousands_in_the_last_column_is_an_error_naming_the_row(tmp_path: Path) -> None:
    """An unquoted 1,234,567 in the last column splits into extra cells: an error, not a drop."""
    path = tmp_path / "clients.csv"
    path.write_text("client_id,industry,manager,revenue\nC1,政府,00231,100\n"
                    "C2,政府,00232,1,234,567\n", encoding="utf-8")
    code, out = run("validate", str(book(tmp_path)))
    assert code == 2
    assert "clients.csv row 3: has a value where the header row has no column name" in out
    assert '"234", "567"' in out
    assert "1 problem in the input" in out  # the shifted cells are not reported one by one


def _xlsx_with_merged_manager(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["客户编码", "行业", "年收入", "客户经理"])
    for cid, industry, revenue, manager in (("011045", "政府", 100, "00231"),
                                            ("011046", "政府", 200, None),
                                            ("011047", "政府", 300, None),
                                            ("011048", "金融", 400, "00233"),
                                            ("011049", "金融", 100, "00234")):
        ws.append([cid, industry, revenue, manager])
    ws.merge_cells("D2:D4")  # 00231 merged down over its three clients, as people do
    wb.save(path)


def test_merged_cells_are_reported_or_filled_down_when_asked(tmp_path: Path) -> None:
    """Merged xlsx cells name the sheet and range (exit 2); data.fill_merged fills them."""
    _xlsx_with_merged_manager(tmp_path / "clients.xlsx")
    code, out = run("validate", str(book(tmp_path, clients_file="clients.xlsx")))
    assert code == 2
    assert 'sheet "名单", cells D2:D4 (客户经理) are merged' in out
    scenario = book(tmp_path, clients_file="clients.xlsx", extra="")
    scenario.write_text(scenario.read_text(encoding="utf-8").replace(
        "managers: managers.csv\n", "managers: managers.csv\n  fill_merged: true\n"),
        encoding="utf-8")
    problem = load_problem(load_scenario(scenario))
    assert [c.manager for c in problem.clients[:3]] == ["00231"] * 3


def test_ids_keep_every_character_and_plans_read_back_exactly(tmp_path: Path) -> None:
    """Leading zeros, ids starting with - + @ (and = in the CSV managers table), 16- and
    19-digit xlsx ids survive solve -> assignment.csv (escaped) -> check and targets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["client_id", "industry", "revenue", "manager"])
    ws.append(["1234567890123456789", "gov", 100, "@M2"])  # 19 digits, typed as text
    ws.append([1234567890123456, "gov", 60, "M1"])  # 16 digits, a number Excel holds exactly
    ws.append(["-123", "gov", 200, "M1"])
    ws.append(["+86123", "gov", 300, "M1"])
    ws.append(["007", "gov", 50, "@M2"])
    ws.append(["@x", "gov", 70, "M1"])
    wb.save(tmp_path / "clients.xlsx")
    scenario = book(tmp_path, managers=[["manager_id", "industry"], ["M1", "gov"],
                                        ["@M2", "gov"]], clients_file="clients.xlsx")
    problem = load_problem(load_scenario(scenario))
    assert [c.client_id for c in problem.clients] == [
        "1234567890123456789", "1234567890123456", "-123", "+86123", "007", "@x"]
    code, out = run("solve", str(scenario), "--out", str(tmp_path / "out"), "-q")
    assert code == 0, out
    plan = tmp_path / "out" / "assignment.csv"
    assert "'-123" in plan.read_text(encoding="utf-8-sig")  # escaped on the way out …
    code, out = run("check", str(scenario), "--assignment", str(plan))
    assert code == 0, out  # … and read back exactly
    code, out = run("targets", str(scenario), "--assignment", str(plan))
    assert code == 0, out
    # "=M3" can only be text in a CSV (Excel would take it for a formula)
    csv_book = tmp_path / "csv"
    csv_book.mkdir()
    scenario = book(csv_book, [["client_id", "industry", "revenue", "manager"],
                               ["=C1", "gov", "100", "=M3"], ["C2", "gov", "300", "M1"]],
                    [["manager_id", "industry"], ["M1", "gov"], ["=M3", "gov"]])
    assert run("solve", str(scenario), "--out", str(csv_book / "out"), "-q")[0] == 0
    code, out = run("check", str(scenario), "--assignment", str(csv_book / "out" /
                                                                  "assignment.csv"))
    assert code == 0, out


def test_an_xlsx_id_excel_kept_only_in_part_is_reported(tmp_path: Path) -> None:
    """A 17-digit id stored as a float (Excel keeps 15 digits) is an error, not a guess."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["client_id", "industry", "revenue", "manager"])
    ws.append([12345678901234567.0, "政府", 100, "00231"])
    wb.save(tmp_path / "clients.xlsx")
    code, out = run("validate", str(book(tmp_path, clients_file="clients.xlsx")))
    assert code == 2
    assert "clients.xlsx row 2, client_id" in out and "15 significant digits" in out


def test_excel_quirks_that_would_read_as_blanks_or_dates_are_reported(tmp_path: Path) -> None:
    """A formula never calculated (a file written by a program) would read as blank, an id
    Excel turned into a date would read as one: both are errors naming cell and row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["client_id", "industry", "revenue", "importance", "manager"])
    ws.append(["C1", "政府", 100, "=2+3", "00231"])  # importance: a formula with no value
    ws.append([dt.datetime(2024, 1, 2), "政府", 100, 3, "00232"])  # "1-2" typed, now a date
    wb.save(tmp_path / "clients.xlsx")
    code, out = run("validate", str(book(tmp_path, clients_file="clients.xlsx")))
    assert code == 2
    assert "clients.xlsx row 2, importance: cell D2 holds a formula whose value was never " \
           "calculated" in out
    assert 'clients.xlsx row 3, client_id: "2024-01-02" is a date' in out


def test_a_title_row_above_the_header_is_pointed_out(tmp_path: Path) -> None:
    """Column names on row 2 under a title: the missing columns are listed, and the row
    where the names seem to be is named."""
    path = tmp_path / "clients.csv"
    rows = [["2024年集团客户清单"], *CLIENTS]
    write_csv(path, rows)
    code, out = run("validate", str(book(tmp_path)))
    assert code == 2
    assert 'missing required column "client_id"' in out
    assert "the column names seem to be on row 2: delete the 1 row(s) above them" in out


def test_a_cover_sheet_in_front_of_the_table_is_pointed_out(tmp_path: Path) -> None:
    """The first sheet is a cover note and the table is on the second: the missing columns
    are listed and the sheet that has them is named."""
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表为2024年集团客户清单"])
    table = wb.create_sheet("客户清单")
    for row in CLIENTS:
        table.append(row)
    wb.save(tmp_path / "clients.xlsx")
    code, out = run("validate", str(book(tmp_path, clients_file="clients.xlsx")))
    assert code == 2
    assert 'the columns seem to be on sheet "客户清单", but the first sheet ("说明")' in out


@pytest.mark.parametrize(("extra", "words"), [
    ("balance:\n  revenue: {tolerance: .inf, weight: 1}\n", "s.yaml:6"),
    ("balance:\n  revenue: {tolerance: 0.1, weight: .nan}\n", "balance.revenue.weight"),
    ("solver:\n  seed: 99999999999\n", "solver.seed"),
    ("continuity:\n  weight: 1e300\n", "continuity.weight"),
])
def test_scenario_numbers_are_finite_and_in_range(tmp_path: Path, extra: str,
                                                  words: str) -> None:
    """Infinite, NaN or absurd numbers in the scenario: exit 2 naming the key and line."""
    scenario = book(tmp_path)
    scenario.write_text(scenario.read_text(encoding="utf-8").replace("solver:\n", "solver_:\n")
                        .replace("solver_:\n  time_limit: 5\n  workers: 1\n", "") + extra,
                        encoding="utf-8")
    code, out = run("validate", str(scenario))
    assert code == 2, out
    assert words in out


@pytest.mark.parametrize(("column", "value", "words"), [
    ("年收入", "1e400", '"1e400" is too large or not finite'),
    ("年收入", "inf", '"inf" is not a number'),
    ("人力系数", "1e-9", "fte must be between"),
])
def test_data_numbers_are_finite_and_in_range(tmp_path: Path, column: str, value: str,
                                              words: str) -> None:
    """Infinite or absurd numbers in a cell: exit 2 with row and column, nothing to OR-Tools."""
    clients = [row[:] for row in CLIENTS]
    managers = [row[:] for row in MANAGERS]
    table = clients if column in clients[0] else managers
    table[2][table[0].index(column)] = value
    code, out = run("solve", str(book(tmp_path, clients, managers)), "--out",
                    str(tmp_path / "out"))
    assert code == 2, out
    assert f"row 3, {column} (" in out and words in out
    assert not (tmp_path / "out").exists()


# --------------------------------------------------------------------------- 12 §2

BOMB = "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n"
               for i in range(9))


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    """Nine levels of nine aliases (9⁹ values from 600 bytes): exit 2, counted not expanded."""
    path = tmp_path / "bomb.yaml"
    path.write_text('a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n' + BOMB,
                    encoding="utf-8")
    assert path.stat().st_size < 700
    code, out = run("validate", str(path))
    assert code == 2
    assert "would expand to more than 100,000 values" in out


def test_a_self_referring_alias_is_refused(tmp_path: Path) -> None:
    """An anchor that contains its own alias is an error, not a recursion."""
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [1, *a]\n", encoding="utf-8")
    code, out = run("validate", str(path))
    assert code == 2 and "refers to the anchor" in out


def test_duplicate_keys_are_an_error_with_their_lines(tmp_path: Path) -> None:
    """A key given twice names both lines; the second never silently wins."""
    scenario = book(tmp_path, extra="balance:\n  revenue: {tolerance: 0.1, weight: 1}\n"
                                    "  revenue: {tolerance: 0.5, weight: 1}\n")
    code, out = run("validate", str(scenario))
    assert code == 2
    assert 's.yaml:10: the key "revenue" is given twice (first on line 9)' in out


def test_a_gbk_scenario_is_read_and_an_unreadable_one_refused(tmp_path: Path) -> None:
    """A scenario saved as GBK by a Chinese Windows editor loads; bytes that are no text
    encoding are refused with what to do."""
    scenario = book(tmp_path)
    text = scenario.read_text(encoding="utf-8").replace("name: t", "name: 南昌分公司")
    scenario.write_bytes(text.encode("gbk"))
    assert load_scenario(scenario).name == "南昌分公司"
    scenario.write_bytes(b"name: \x80\xff\xfe\n")
    code, out = run("validate", str(scenario))
    assert code == 2 and "neither UTF-8 nor GB18030/GBK" in out


def test_ids_in_yaml_are_text_and_lost_zeros_are_pointed_out(tmp_path: Path) -> None:
    """`client: 011045` is "011045" (never octal 4645); `client: 11045` suggests 011045."""
    scenario = book(tmp_path, extra="locks:\n  - {client: 011045, manager: 00232}\n")
    assert load_scenario(scenario).locks[0].client == "011045"
    assert load_scenario(scenario).locks[0].manager == "00232"
    scenario = book(tmp_path, extra="locks:\n  - {client: 11045, manager: 00232}\n")
    code, out = run("validate", str(scenario))
    assert code == 2
    assert "names client '11045', which is not in the clients table; did you mean " \
           "011045 南昌市政府?" in out


# --------------------------------------------------------------------------- 12 §3


def test_validate_finds_what_solve_would_reject_before_solving(tmp_path: Path) -> None:
    """A lock to a manager outside the client's industry and backups in a one-manager group:
    validate and solve both exit 1 naming them, before any model is built."""
    managers = [*MANAGERS, ["00235", "孙丽", "教育", "1"]]
    clients = [*CLIENTS, ["011050", "南昌大学", "教育", "70000", "00235"]]
    extra = "locks:\n  - {client: 011047, manager: 00231}\nbackup:\n  enabled: true\n"
    scenario = book(tmp_path, clients, managers, extra)
    for command in (["validate"], ["solve", "--out", str(tmp_path / "out")]):
        code, out = run(command[0], str(scenario), *command[1:])
        assert code == 1, out
        assert "client 011047 is locked to 00231, but 00231 does not serve 金融" in out
        assert "industry 教育 has a single staying manager (00235)" in out
    assert not (tmp_path / "out").exists()


def test_warnings_are_shown_by_validate_and_solve_and_written_in_the_summary(
        tmp_path: Path) -> None:
    """A tolerance above 1, a lone part-time manager and revenue in 万元 with round_to 1000
    are warnings: exit 0, shown by both commands, listed in summary.json."""
    clients = [["client_id", "industry", "revenue", "manager"],
               ["C1", "政府", "12", "00231"], ["C2", "政府", "30", "00232"],
               ["C3", "教育", "8", "00235"]]
    managers = [*MANAGERS[:3], ["00235", "孙丽", "教育", "0.5"]]
    extra = "balance:\n  clients: {tolerance: 2.5, weight: 1}\n"
    scenario = book(tmp_path, clients, managers, extra)
    code, out = run("validate", str(scenario))
    assert code == 0, out
    for words in ("balance.clients.tolerance is 2.5", "00235 (fte 0.5) is the only manager",
                  "revenue looks like 万元"):
        assert words in out
    code, out = run("solve", str(scenario), "--out", str(tmp_path / "out"), "-q")
    assert code == 0 and "revenue looks like 万元" in out
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["warnings"]) == 3


# --------------------------------------------------------------------------- 12 §6


def test_control_characters_from_cells_are_shown_escaped(tmp_path: Path) -> None:
    """An escape sequence in a cell reaches the terminal as text (\\x1b), never as a command."""
    clients = [row[:] for row in CLIENTS]
    clients[1][4] = "00231\x1b[2J\x07"
    code, out = run("validate", str(book(tmp_path, clients)))
    assert code == 2
    assert "\x1b" not in out and "\x07" not in out
    assert '"00231\\x1b[2J\\x07" is not a manager id' in out


def test_a_cell_longer_than_excel_allows_is_reported_not_cut(tmp_path: Path) -> None:
    """A 40,000-character cell: an input problem with file, row and column."""
    clients = [row[:] for row in CLIENTS]
    clients[3][1] = "长" * 40_000
    code, out = run("validate", str(book(tmp_path, clients)))
    assert code == 2
    assert "clients.csv row 4, 客户名称 (name): the cell holds 40,000 characters" in out


# --------------------------------------------------------------------------- 13 §6


def test_errors_name_the_column_as_the_file_spells_it(tmp_path: Path) -> None:
    """`年收入 (revenue)`, in English and in Chinese."""
    clients = [row[:] for row in CLIENTS]
    clients[2][3] = "12万"
    scenario = book(tmp_path, clients)
    code, out = run("validate", str(scenario))
    assert code == 2 and 'clients.csv row 3, 年收入 (revenue): "12万" is not a number' in out
    code, out = run("validate", str(scenario), "--lang", "zh")
    assert code == 2 and "输入有误" in out
    assert 'clients.csv 第 3 行，年收入 (revenue)："12万" 不是数字' in out


def test_decorated_headers_are_recognised_and_units_applied_or_reported(tmp_path: Path) -> None:
    """`年收入（元）` is revenue, `收入(万元)` is revenue × 10,000, `收入(美元)` is reported."""
    clients = [row[:] for row in CLIENTS]
    clients[0][3] = "年收入（元） "
    assert load_problem(load_scenario(book(tmp_path, clients))).clients[0].revenue == 120000
    clients[0][3] = "收入(万元)"
    clients[1][3] = "1.1"
    (tmp_path / "clients.csv").unlink()
    problem = load_problem(load_scenario(book(tmp_path, clients)))
    assert problem.clients[0].revenue == 11000
    clients[0][3] = "收入(美元)"
    (tmp_path / "clients.csv").unlink()
    code, out = run("validate", str(book(tmp_path, clients)))
    assert code == 2 and 'the header names the unit "美元"' in out


def test_an_unknown_manager_suggests_the_nearest_id_or_name(tmp_path: Path) -> None:
    """A name typed where the id belongs: "did you mean 00231 王芳?"."""
    clients = [row[:] for row in CLIENTS]
    clients[2][4] = "王芳"
    code, out = run("validate", str(book(tmp_path, clients)))
    assert code == 2
    assert ('clients.csv row 3, 客户经理 (manager): "王芳" is not a manager id in managers.csv; '
            "did you mean 00231 王芳?") in out


def test_a_plan_whose_ids_lost_their_zeros_is_recognised_and_the_fix_offered(
        tmp_path: Path) -> None:
    """A plan saved by Excel (011045 -> 11045): exit 2 saying so; the offered
    data.restore_zeros puts the zeros back and the check passes."""
    scenario = book(tmp_path)
    plan = write_csv(tmp_path / "plan.csv", [["client_id", "manager"]] + [
        [row[0].lstrip("0"), row[4].lstrip("0")] for row in CLIENTS[1:]])
    code, out = run("check", str(scenario), "--assignment", str(plan))
    assert code == 2
    assert 'lost their leading zeros (e.g. "11045" is "011045")' in out
    assert "--set data.restore_zeros=true" in out
    code, out = run("check", str(scenario), "--assignment", str(plan),
                    "--set", "data.restore_zeros=true")
    assert code == 0, out


def test_every_input_message_renders_in_chinese(tmp_path: Path) -> None:
    """A book with several problems under --lang zh: the head and every line are Chinese."""
    clients = [row[:] for row in CLIENTS]
    clients[1][3], clients[2][4] = "abc", "王芳"
    code, out = run("validate", str(book(tmp_path, clients)), "--lang", "zh")
    assert code == 2
    lines = [line for line in out.splitlines() if line.startswith("  - ")]
    assert len(lines) == 2
    assert all("不是" in line for line in lines)
    assert "is not" not in out


def test_input_error_lists_every_issue_once() -> None:
    """InputError renders a count head and one line per issue."""
    from rebalance.errors import Issue

    error = InputError([Issue.of("inputs.cell.empty", file="a.csv", row=2, column="revenue",
                                 header="收入")])
    assert error.render("zh").splitlines() == [
        "输入中有 1 处问题：", "  - a.csv 第 2 行，收入 (revenue)：为空"]


# --------------------------------------------------------------------------- property

# Text that has broken terminals, spreadsheets or rich tables before, beside arbitrary text.
HOSTILE = st.sampled_from(["[/]", "[bold]x[/bold", "\x1b[2J", "\x1b]0;t\x07", "a\u202eb",
                           "=1+1", "-5", "+86", "@x", "'0", "011045", "1,234", "\t x ", "\ufeff",
                           "长" * 40])
CELL = st.one_of(st.text(max_size=30), HOSTILE)

SCENARIO_FIELDS = ("balance.revenue.tolerance", "balance.clients.weight", "continuity.weight",
                   "continuity.max_moves", "solver.seed", "solver.workers", "targets.round_to",
                   "targets.growth", "eligibility", "name", "locks")
YAML_SCALARS = st.one_of(
    st.text(max_size=12), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
    st.sampled_from([".inf", "-.inf", ".nan", "~", "0o17", "011045", "1e400", "&a x", "*a",
                     "!!python/object:os.system", "[1, 2", "{a: 1}", "yes", "- 1"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(row=st.integers(0, len(CLIENTS) - 1), col=st.integers(0, len(CLIENTS[0]) - 1),
       cell=CELL, field=st.sampled_from(SCENARIO_FIELDS), scalar=YAML_SCALARS,
       managers_cell=CELL)
def test_arbitrary_cells_and_yaml_scalars_never_crash(
        tmp_path_factory: pytest.TempPathFactory, row: int, col: int, cell: str, field: str,
        scalar: object, managers_cell: str) -> None:
    """Any cell text (headers too) and any YAML scalar in an otherwise valid book: validate
    exits 0, 1 or 2 — never 3, never a traceback."""
    tmp = tmp_path_factory.mktemp("prop")
    clients = [r[:] for r in CLIENTS]
    managers = [r[:] for r in MANAGERS]
    clients[row][col] = cell
    managers[1 + row % (len(managers) - 1)][col % len(managers[0])] = managers_cell
    scenario = book(tmp, clients, managers)
    key, *rest = field.split(".")
    value = scalar if isinstance(scalar, str) else repr(scalar)
    nested = "".join(f"\n{'  ' * (i + 1)}{part}:" for i, part in enumerate(rest))
    text = scenario.read_text(encoding="utf-8").replace("solver:\n  time_limit: 5\n"
                                                        "  workers: 1\n", "")
    scenario.write_text(f"{text}{key}:{nested} {value}\n", encoding="utf-8")
    code, out = run("validate", str(scenario))
    assert code in (0, 1, 2), out


SOLVE_FIELDS = ("balance.revenue.tolerance", "balance.importance.weight", "continuity.weight",
                "continuity.max_moves", "continuity.protect_importance", "solver.seed",
                "solver.time_limit", "targets.round_to", "targets.growth", "targets.max_growth",
                "backup.enabled", "backup.max_per_manager", "priorities")


@settings(max_examples=12, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(field=st.sampled_from(SOLVE_FIELDS), scalar=YAML_SCALARS, manager=HOSTILE, name=CELL)
def test_arbitrary_yaml_scalars_never_crash_solve(tmp_path_factory: pytest.TempPathFactory,
                                                  field: str, scalar: object, manager: str,
                                                  name: str) -> None:
    """Any YAML scalar in a solver-facing field, hostile text as a manager's id and as a
    client's name: solve exits 0, 1 or 2, never 3 — nothing reaches OR-Tools (or the
    terminal tables) that makes it raise."""
    tmp = tmp_path_factory.mktemp("solve")
    clients = [[manager if cell == "00231" else cell for cell in row] for row in CLIENTS]
    managers = [[manager if cell == "00231" else cell for cell in row] for row in MANAGERS]
    clients[2][1] = name
    value = scalar if isinstance(scalar, str) else repr(scalar)
    code, out = run("solve", str(book(tmp, clients, managers)), "--out", str(tmp / "out"),
                    "-q", "--set", f"{field}={value}", "--set", "solver.time_limit=2")
    assert code in (0, 1, 2), out


def test_ids_given_with_set_are_text(tmp_path: Path) -> None:
    """`--set 'locks=[{client: 011045, manager: 00232}]'` locks "011045", not octal 4645."""
    scenario = load_scenario(book(tmp_path), ["locks=[{client: 011045, manager: 00232}]"])
    assert (scenario.locks[0].client, scenario.locks[0].manager) == ("011045", "00232")


def test_markup_and_escape_sequences_in_ids_are_shown_as_text_by_every_command(
        tmp_path: Path) -> None:
    """A manager id `[/]` (rich markup) and a name holding a terminal title sequence: solve,
    check, targets and validate print them as text and exit 0."""
    clients = [[cell.replace("00231", "[/]") for cell in row] for row in CLIENTS]
    managers = [[cell.replace("00231", "[/]").replace("王芳", "王\x1b]0;pwned\x07芳")
                 for cell in row] for row in MANAGERS]
    scenario = book(tmp_path, clients, managers)
    code, out = run("solve", str(scenario), "--out", str(tmp_path / "out"))
    assert code == 0, out
    plan = str(tmp_path / "out" / "assignment.csv")
    for command in (["check", "--assignment", plan], ["targets", "--assignment", plan],
                    ["validate"]):
        code, out = run(command[0], str(scenario), *command[1:])
        assert code == 0, out
        assert "\x1b" not in out and "\x07" not in out
    assert "[/]" in out and "王\\x1b]0;pwned\\x07芳" in out


def test_validate_speaks_the_scenario_language_and_rebalance_lang(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`lang: zh` in the scenario makes the book's problems Chinese; $REBALANCE_LANG=zh the
    scenario file's own; an unknown language is exit 2, not a crash."""
    clients = [row[:] for row in CLIENTS]
    clients[2][3] = "abc"
    scenario = book(tmp_path, clients, extra="lang: zh\n")
    code, out = run("validate", str(scenario))
    assert code == 2 and '年收入 (revenue)："abc" 不是数字' in out
    broken = tmp_path / "dup.yaml"
    broken.write_text("name: a\nname: b\n", encoding="utf-8")
    monkeypatch.setenv("REBALANCE_LANG", "zh")
    code, out = run("validate", str(broken))
    assert code == 2 and '键 "name" 出现了两次（首次在第 1 行）' in out
    monkeypatch.setenv("REBALANCE_LANG", "fr")
    code, out = run("validate", str(broken))
    assert code == 2 and "unknown language 'fr'" in out


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(row=st.integers(0, len(CLIENTS) - 1), col=st.integers(0, 1), cell=CELL)
def test_arbitrary_plan_cells_never_crash_check_or_targets(
        tmp_path_factory: pytest.TempPathFactory, row: int, col: int, cell: str) -> None:
    """A plan (client -> manager) with any text in one cell, header included: check and
    targets exit 0, 1 or 2 — never 3, never a traceback."""
    tmp = tmp_path_factory.mktemp("plan")
    scenario = book(tmp)
    rows = [["客户编码", "客户经理"], *([r[0], r[4]] for r in CLIENTS[1:])]
    rows[row][col] = cell
    plan = write_csv(tmp / "plan.csv", rows)
    for command in ("check", "targets"):
        code, out = run(command, str(scenario), "--assignment", str(plan))
        assert code in (0, 1, 2), out


def test_an_unknown_client_in_a_plan_suggests_the_nearest(tmp_path: Path) -> None:
    """A letter O typed for a zero in a plan: "did you mean 011045 南昌市政府?"."""
    scenario = book(tmp_path)
    rows = [["client_id", "manager"], *([r[0], r[4]] for r in CLIENTS[1:])]
    rows[1][0] = "O11045"
    plan = write_csv(tmp_path / "plan.csv", rows)
    code, out = run("check", str(scenario), "--assignment", str(plan))
    assert code == 2
    assert 'client "O11045" is not in the clients table (clients.csv); did you mean 011045 ' \
           "南昌市政府?" in out


def test_every_scenario_value_error_kind_has_its_message() -> None:
    """The pydantic error kinds the loader words itself all have a catalog entry (the key is
    built at run time, so a missing one would only show as a crash on that input)."""
    from rebalance.i18n import catalog
    from rebalance.scenario import PYDANTIC_KINDS

    assert all(f"inputs.value.{kind}" in catalog() for kind in PYDANTIC_KINDS)
