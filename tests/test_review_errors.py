"""The review loop refuses what it must: bad decisions (sheet, row, column; exit 2),
contradicting decisions (exit 1), broken plans, overwritten inputs, corrupt or foreign history
stores; and the scenario's managers:/unlock: overrides work from the file and from --set."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from review_book import write_book
from typer.testing import CliRunner

from rebalance.cli import app
from rebalance.review import history

ENV = {"COLUMNS": "200"}
runner = CliRunner()


def csv_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=ENV)
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("errors")
    scenario = write_book(tmp / "book")
    code, out = run("solve", str(scenario), "--out", str(tmp / "solved"), "--quiet")
    assert code == 0, out
    return scenario, tmp / "solved"


def edit(src: Path, target: Path, cells: dict[tuple[str, int, str], str]) -> Path:
    """Set (sheet, row, header) cells of a workbook, as a planner would in Excel."""
    wb = openpyxl.load_workbook(src)
    for (sheet, row, header), value in cells.items():
        ws = wb[sheet]
        col = [c.value for c in ws[1]].index(header) + 1
        ws.cell(row, col).value = value
    wb.save(target)
    return target


def test_bad_decisions_are_named_by_sheet_row_and_column(solved: tuple[Path, Path],
                                                         tmp_path: Path) -> None:
    """An unknown decision, an edited id, a pin to a leaver and a bad pin value are all
    reported at once with their places; exit 2 and nothing is written."""
    scenario, out = solved
    reviewed = edit(out / "assignment.xlsx", tmp_path / "r.xlsx", {
        ("moves", 2, "decision"): "maybe",
        ("moves", 3, "client_id"): "099",
        ("assignment", 3, "manager"): "KM4",
        ("assignment", 3, "pin"): "yes",
        ("assignment", 4, "pin"): "sure",
    })
    code, output = run("revise", str(scenario), "--review", str(reviewed), "--out",
                       str(tmp_path / "rev"))
    assert code == 2, output
    assert 'r.xlsx [moves] row 2, decision: "maybe" is not a decision' in output
    assert 'r.xlsx [moves] row 3, client_id: client "099" is not in the clients table' in output
    assert "r.xlsx [assignment] row 3, pin" in output and "is leaving" in output
    assert 'r.xlsx [assignment] row 4, pin: "sure" is not a pin' in output
    assert not (tmp_path / "rev").exists()


def test_a_reject_and_a_pin_that_contradict_each_other(solved: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    """Rejecting a move (stay) and pinning the same client to its new manager: exit 2 naming
    both places."""
    scenario, out = solved
    moves = csv_rows(out / "moves.csv")
    first = next(m for m in moves if m["from_manager"] != "KM4")
    clients = [r["client_id"] for r in csv_rows(out / "assignment.csv")]
    row = clients.index(first["client_id"]) + 2
    moves_row = [m["client_id"] for m in moves].index(first["client_id"]) + 2
    reviewed = edit(out / "assignment.xlsx", tmp_path / "r.xlsx", {
        ("moves", moves_row, "decision"): "拒绝", ("assignment", row, "pin"): "是"})
    code, output = run("revise", str(scenario), "--review", str(reviewed))
    assert code == 2, output
    assert f'client "{first["client_id"]}": the move is rejected' in output
    assert f"[assignment] row {row}" in output


def test_decisions_that_break_a_rule_exit_1_with_the_reason(solved: tuple[Path, Path],
                                                            tmp_path: Path) -> None:
    """Pins that put more clients on a manager than its capacity (set in the scenario's
    managers: override): no acceptable plan, exit 1, the capacity named."""
    scenario, out = solved
    reviewed = edit(out / "assignment.xlsx", tmp_path / "r.xlsx", {
        **{("assignment", r, "manager"): "KM2" for r in (2, 3, 4)},
        **{("assignment", r, "pin"): "yes" for r in (2, 3, 4)}})
    code, output = run("revise", str(scenario), "--review", str(reviewed),
                       "--set", "managers.KM2.capacity=2", "--out", str(tmp_path / "rev"))
    assert code == 1, output
    assert "capacity is 2" in output
    assert not (tmp_path / "rev").exists()


def test_manager_overrides_from_set_and_validate_shows_them(tmp_path: Path) -> None:
    """--set managers.KM2.status=leaving empties KM2; validate lists the override applied; an
    unknown id in managers: is bad input."""
    scenario = write_book(tmp_path / "book")
    code, output = run("validate", str(scenario), "--set", "managers.KM2.status=leaving",
                       "--set", "managers.KM1.fte=0.5")
    assert code == 0, output
    assert "KM2: status active → leaving" in output and "KM1: fte 1 → 0.5" in output
    code, output = run("solve", str(scenario), "--set", "managers.KM2.status=离职",
                       "--out", str(tmp_path / "out"), "--quiet")
    assert code == 0, output
    plan = [r["manager"] for r in csv_rows(tmp_path / "out" / "assignment.csv")]
    assert "KM2" not in plan
    code, output = run("validate", str(scenario), "--set", "managers.KM9.fte=2")
    assert code == 2 and "KM9" in output


def test_unlock_releases_table_locks(tmp_path: Path) -> None:
    """A client locked to a leaving manager is bad input until unlock: or unlock_leavers:
    releases the lock."""
    scenario = write_book(tmp_path / "book", locked=("008",))
    code, output = run("validate", str(scenario))
    assert code == 2 and "who is leaving" in output
    for setting in ("unlock_leavers=true", 'unlock=["008"]'):
        code, output = run("validate", str(scenario), "--set", setting)
        assert code == 0, output
        assert "table locks released for 1 client(s): 008" in output
    code, output = run("validate", str(scenario), "--set", 'unlock=["404"]')
    assert code == 2 and "404" in output


def test_adopt_refuses_a_broken_plan_and_the_inputs(solved: tuple[Path, Path],
                                                    tmp_path: Path) -> None:
    """A plan that leaves a client with a leaver is not adopted (exit 1, nothing written);
    adopting into the book's own folder would overwrite the inputs (exit 2)."""
    scenario, out = solved
    rows = csv_rows(out / "assignment.csv")
    bad = tmp_path / "bad.csv"
    with open(bad, "w", encoding="utf-8", newline="") as fh:
        fh.write("client_id,manager\n")
        fh.writelines(f"{r['client_id']},KM4\n" for r in rows)
    code, output = run("adopt", str(scenario), "--assignment", str(bad), "--to",
                       str(tmp_path / "next"))
    assert code == 1 and "cannot be adopted" in output
    assert not (tmp_path / "next").exists()
    code, output = run("adopt", str(scenario), "--assignment", str(out), "--to",
                       str(scenario.parent))
    assert code == 2 and "would overwrite the input" in output


def test_history_store_errors_and_append_only(tmp_path: Path) -> None:
    """A missing store, a file that is not SQLite and a foreign SQLite database are clear
    errors (exit 2); the schema is migrated to the current version; rows cannot be changed."""
    code, output = run("history", str(tmp_path))
    assert code == 2 and "no history store here" in output
    (tmp_path / "history.sqlite").write_bytes(b"not a database at all" * 100)
    code, output = run("history", str(tmp_path))
    assert code == 2 and "not a readable SQLite database" in output
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.close()
    code, output = run("history", str(foreign))
    assert code == 2 and "not a rebalance history" in output
    code, output = run("history", "show", "x")
    assert code == 2

    store = tmp_path / "new" / "history.sqlite"
    store.parent.mkdir()
    with history.open_store(store, create=True) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(history.MIGRATIONS)
        plan_id = history.append(conn, scenario={"name": "s"}, input_hash="h", book="b",
                                 figures={"moves": 0}, inputs={"clients": ("c.csv", b"x")},
                                 assignment=[("1", "n", 1.0, 1, None, "M", "placement")],
                                 tables={"assignment": "a"})
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("UPDATE plans SET note = 'x' WHERE id = ?", (plan_id,))
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute("DELETE FROM plan_assignment")
    code, output = run("history", str(store), "--lang", "zh")
    assert code == 0 and "已采纳的方案" in output


def test_diff_writes_markdown_in_chinese(solved: tuple[Path, Path], tmp_path: Path) -> None:
    """diff --lang zh --out FILE.md writes one markdown document with Chinese headings."""
    scenario, out = solved
    code, output = run("diff", str(out / "assignment.csv"), str(out / "assignment.xlsx"),
                       "--scenario", str(scenario), "--lang", "zh", "--out",
                       str(tmp_path / "d.md"))
    assert code == 0, output
    text = (tmp_path / "d.md").read_text(encoding="utf-8")
    assert "## 客户经理不同的客户" in text and "## 目标值" in text
    assert "0 个客户的客户经理不同" in output


def test_a_leaver_override_equals_the_copied_managers_table(tmp_path: Path) -> None:
    """`--set managers.KM012.status=leaving` on the baseline gives the same plan as the bundled
    leave_km012 scenario, whose managers table was copied to say the same."""
    root = Path(__file__).resolve().parents[1] / "scenarios"
    code, out = run("solve", str(root / "baseline.yaml"), "--set",
                    "managers.KM012.status=leaving", "--out", str(tmp_path / "a"), "--quiet")
    assert code == 0, out
    code, out = run("solve", str(root / "leave_km012.yaml"), "--out", str(tmp_path / "b"),
                    "--quiet")
    assert code == 0, out
    a, b = (csv_rows(tmp_path / n / "assignment.csv") for n in ("a", "b"))
    assert [(r["client_id"], r["manager"]) for r in a] == \
        [(r["client_id"], r["manager"]) for r in b]
    assert "KM012" not in {r["manager"] for r in a}


def test_history_show_finds_a_tampered_store(solved: tuple[Path, Path], tmp_path: Path) -> None:
    """A stored input changed behind the store's back (triggers dropped by hand) no longer
    matches its hash: `history show` says which file and exits 1."""
    scenario, out = solved
    code, output = run("adopt", str(scenario), "--assignment", str(out), "--to",
                       str(tmp_path / "next"))
    assert code == 0, output
    store = tmp_path / "next" / "history.sqlite"
    with sqlite3.connect(store) as conn:
        conn.execute("DROP TRIGGER plan_inputs_no_update")
        conn.execute("UPDATE plan_inputs SET content = x'00' WHERE role = 'managers'")
    conn.close()
    code, output = run("history", "show", "1", str(store))
    assert code == 1, output
    assert "managers.csv does not match its recorded hash" in output


def test_a_store_from_a_newer_rebalance_is_refused(tmp_path: Path) -> None:
    """A store whose schema is newer than this version's migrations is not touched: exit 2."""
    store = tmp_path / "history.sqlite"
    with history.open_store(store, create=True):
        pass
    with sqlite3.connect(store) as conn:
        conn.execute(f"PRAGMA user_version = {len(history.MIGRATIONS) + 1}")
    conn.close()
    code, output = run("history", str(tmp_path))
    assert code == 2 and "written by a newer rebalance" in output
