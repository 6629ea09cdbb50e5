"""The planner's loop end to end through the CLI: solve → review in Excel → revise → diff →
adopt → solve again → history, on a tiny book (optimality proven by enumeration) and on the
bundled baseline."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import openpyxl
import pytest
from review_book import best, write_book
from typer.testing import CliRunner

from rebalance import pipeline
from rebalance.check import check
from rebalance.cli import app
from rebalance.pools import build_rules

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
ENV = {"COLUMNS": "200"}
runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=ENV)
    return result.exit_code, result.output


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def plan_of(folder: Path) -> dict[str, str]:
    return {r["client_id"]: r["manager"] for r in rows(folder / "assignment.csv")}


def review(workbook: Path, target: Path, reject: list[str],
           pins: dict[str, str | None]) -> None:
    """Fill in decisions as a planner does in Excel: reject moves, pin clients (to the manager
    shown, or to another one typed into the manager cell)."""
    wb = openpyxl.load_workbook(workbook)
    moves = wb["moves"]
    head = [c.value for c in moves[1]]
    for r in range(2, moves.max_row + 1):
        if moves.cell(r, head.index("client_id") + 1).value in reject:
            moves.cell(r, head.index("decision") + 1).value = "reject"
    sheet = wb["assignment"]
    head = [c.value for c in sheet[1]]
    for r in range(2, sheet.max_row + 1):
        cid = sheet.cell(r, head.index("client_id") + 1).value
        if cid in pins:
            sheet.cell(r, head.index("pin") + 1).value = "是"
            if pins[cid] is not None:
                sheet.cell(r, head.index("manager") + 1).value = pins[cid]
    wb.save(target)


def loop(scenario: Path, tmp: Path, pick_pins: int = 2,
         insist: bool = True) -> dict[str, object]:
    """Run the loop; return what each step gave, for the tests to judge."""
    code, out = run("solve", str(scenario), "--out", str(tmp / "solved"), "--quiet")
    assert code == 0, out
    solved = plan_of(tmp / "solved")
    moves = [r for r in rows(tmp / "solved" / "moves.csv")
             if r["from_manager"] and r["to_manager"]]
    sc, problem, rules = pipeline.load(scenario)
    movable = [m["client_id"] for m in moves if problem.manager(m["from_manager"]).staying]
    assert len(movable) >= 3, "the book must propose at least three moves"
    reject = movable[:3]
    others = [c.client_id for c in problem.clients if c.client_id not in reject]
    pins: dict[str, str | None] = {others[0]: None}
    if insist:  # the head insists on a manager the optimiser did not choose
        cid = next(c for c in others[1:] if len(rules.eligible[c]) > 1
                   and not rules.fixed.get(c))
        pins[cid] = next(m for m in rules.eligible[cid] if m != solved[cid])
    else:
        pins[others[1]] = None
    review(tmp / "solved" / "assignment.xlsx", tmp / "reviewed.xlsx", reject, pins)
    code, out = run("revise", str(scenario), "--review", str(tmp / "reviewed.xlsx"),
                    "--out", str(tmp / "revised"), "--quiet")
    assert code == 0, out
    return {"solved": solved, "reject": reject, "pins": pins, "problem": problem,
            "scenario": sc, "revised": plan_of(tmp / "revised"), "revise_output": out}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    tmp = tmp_path_factory.mktemp("tiny")
    scenario = write_book(tmp / "book")
    return tmp, loop(scenario, tmp)


def test_decisions_hold_and_the_rest_is_optimal_given_them(
        tiny: tuple[Path, dict[str, object]]) -> None:
    """Rejected moves stay with the previous manager, pins hold, and no plan that keeps those
    decisions is better (balance, then continuity): proven by enumerating all 6,561 plans."""
    _, got = tiny
    problem, sc = got["problem"], got["scenario"]
    revised, solved = got["revised"], got["solved"]
    assert isinstance(revised, dict) and isinstance(solved, dict)
    holds = {cid: problem.client(cid).manager for cid in got["reject"]}  # type: ignore[attr-defined]
    for cid, manager in got["pins"].items():  # type: ignore[attr-defined]
        holds[cid] = manager or solved[cid]
    assert {c: revised[c] for c in holds} == holds
    verdict = check(problem, sc, revised)  # type: ignore[arg-type]
    assert verdict.ok
    assert (round(verdict.balance_excess, 6), round(verdict.continuity_cost, 6)) == \
        best(problem, sc, holds)  # type: ignore[arg-type]


def test_revise_reports_exactly_what_changed(tiny: tuple[Path, dict[str, object]]) -> None:
    """changes.csv and `rebalance diff` name exactly the clients whose manager differs between
    the reviewed and the revised plan."""
    tmp, got = tiny
    solved, revised = got["solved"], got["revised"]
    assert isinstance(revised, dict) and isinstance(solved, dict)
    reviewed = dict(solved)
    for cid, manager in got["pins"].items():  # type: ignore[attr-defined]
        if manager:
            reviewed[cid] = manager  # typed into the workbook before pinning
    changed = {c for c in reviewed if reviewed[c] != revised[c]}
    assert changed  # rejecting moves must change something
    assert {r["client_id"] for r in rows(tmp / "revised" / "changes.csv")} == changed
    code, out = run("diff", str(tmp / "solved"), str(tmp / "revised"), "--out",
                    str(tmp / "diff"))
    assert code == 0, out
    diffed = {r["client_id"] for r in rows(tmp / "diff" / "diff_clients.csv")}
    assert diffed == {c for c in solved if solved[c] != revised[c]}
    figures = rows(tmp / "diff" / "diff_figures.csv")
    assert [f["figure"] for f in figures] == ["balance excess", "continuity cost", "moves"]
    assert all(f["A"] != "" and f["B"] != "" for f in figures)


def test_adopt_then_solve_proposes_no_moves_and_history_rechecks(
        tiny: tuple[Path, dict[str, object]]) -> None:
    """The adopted book keeps every column, drops the leaver, activates the new hire, starts
    moved clients at adopt.new_relationship; solving it proposes no moves; the history lists
    the plan and re-checks it against its stored inputs."""
    tmp, got = tiny
    revised = got["revised"]
    assert isinstance(revised, dict)
    code, out = run("adopt", str(tmp / "revised" / "scenario.yaml"), "--assignment",
                    str(tmp / "revised"), "--to", str(tmp / "book2"), "--note", "round 1",
                    "--by", "Head Li")
    assert code == 0, out
    with open(tmp / "book2" / "clients.csv", encoding="utf-8-sig", newline="") as fh:
        clients = list(csv.DictReader(fh))
    assert list(clients[0]) == ["客户编码", "客户名称", "行业", "年收入", "重要程度",
                                "客户经理", "关系强度", "备注", "锁定"]
    assert {c["客户编码"]: c["客户经理"] for c in clients} == revised
    problem = got["problem"]
    for c in clients:
        before = problem.client(c["客户编码"])  # type: ignore[attr-defined]
        if before.manager != c["客户经理"]:
            assert c["关系强度"] == "0.3"
        else:
            assert float(c["关系强度"]) == before.relationship
    assert clients[0]["备注"] == "老客户" and clients[2]["备注"] == "'=SUM(A1)"
    managers = rows(tmp / "book2" / "managers.csv")
    assert [(m["工号"], m["状态"]) for m in managers] == [
        ("KM1", "在岗"), ("KM2", "在岗"), ("KM3", "在岗")]

    code, out = run("solve", str(tmp / "book2" / "scenario.yaml"), "--out",
                    str(tmp / "solved2"), "--quiet")
    assert code == 0, out
    assert rows(tmp / "solved2" / "moves.csv") == []
    summary = json.loads((tmp / "solved2" / "summary.json").read_text(encoding="utf-8"))
    assert summary["moves"] == 0 and summary["status"] == "OPTIMAL"

    code, out = run("history", str(tmp / "book2"))
    assert code == 0, out
    assert "round 1" in out and "Head Li" in out
    code, out = run("history", "show", "1", str(tmp / "book2"))
    assert code == 0, out
    assert "every hard rule holds" in out


def test_the_loop_on_the_baseline(tmp_path: Path) -> None:
    """On the bundled baseline: decisions hold, the revised plan is proven optimal (status
    OPTIMAL, check agrees), adopting it and solving again proposes no moves, and a second
    adoption carries the history forward."""
    got = loop(BASELINE, tmp_path)
    problem, sc, revised = got["problem"], got["scenario"], got["revised"]
    assert isinstance(revised, dict)
    for cid in got["reject"]:  # type: ignore[attr-defined]
        assert revised[cid] == problem.client(cid).manager  # type: ignore[attr-defined]
    for cid, manager in got["pins"].items():  # type: ignore[attr-defined]
        assert revised[cid] == (manager or got["solved"][cid])  # type: ignore[index]
    summary = json.loads((tmp_path / "revised" / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "OPTIMAL" and summary["hard_rules_ok"]
    rules = build_rules(problem, sc)  # type: ignore[arg-type]
    assert check(problem, sc, revised, rules).ok  # type: ignore[arg-type]

    code, out = run("adopt", str(tmp_path / "revised" / "scenario.yaml"), "--assignment",
                    str(tmp_path / "revised" / "assignment.csv"), "--to", str(tmp_path / "b2"))
    assert code == 0, out
    code, out = run("solve", str(tmp_path / "b2" / "scenario.yaml"), "--out",
                    str(tmp_path / "s2"), "--quiet")
    assert code == 0, out
    assert rows(tmp_path / "s2" / "moves.csv") == []
    code, out = run("adopt", str(tmp_path / "b2" / "scenario.yaml"), "--assignment",
                    str(tmp_path / "s2"), "--to", str(tmp_path / "b3"))
    assert code == 0, out
    code, out = run("history", "diff", "1", "2", str(tmp_path / "b3"))
    assert code == 0, out
    assert "0 client(s) with a different manager" in out


def test_revise_reads_a_chinese_workbook_and_is_deterministic(tmp_path: Path) -> None:
    """A workbook written with --lang zh is reviewed with 拒绝 / 是 under its Chinese sheet
    titles and headers; revising twice gives byte-identical tables."""
    scenario = write_book(tmp_path / "book")
    code, out = run("solve", str(scenario), "--out", str(tmp_path / "zh"), "--lang", "zh",
                    "--quiet")
    assert code == 0, out
    wb = openpyxl.load_workbook(tmp_path / "zh" / "assignment.xlsx")
    moves = wb["调整清单"]
    head = [c.value for c in moves[1]]
    first = moves.cell(2, head.index("客户编码") + 1).value
    moves.cell(2, head.index("审核意见") + 1).value = "拒绝"
    wb.save(tmp_path / "reviewed.xlsx")
    outputs = []
    for n in (1, 2):
        code, out = run("revise", str(scenario), "--review", str(tmp_path / "reviewed.xlsx"),
                        "--out", str(tmp_path / f"rev{n}"), "--lang", "zh", "--quiet")
        assert code == 0, out
        assert "拒绝 1 项调整" in out
        outputs.append([(tmp_path / f"rev{n}" / name).read_bytes()
                        for name in ("assignment.csv", "moves.csv", "changes.csv")])
    assert outputs[0] == outputs[1]
    with open(tmp_path / "rev1" / "assignment.csv", encoding="utf-8-sig", newline="") as fh:
        plan = {r["客户编码"]: (r["原客户经理"], r["客户经理"]) for r in csv.DictReader(fh)}
    assert plan[first][0] == plan[first][1]  # the rejected move did not happen


def test_revised_workbook_keeps_the_decisions_pinned(
        tiny: tuple[Path, dict[str, object]]) -> None:
    """The revised workbook shows every decided client pinned, so a second review round
    starts from the first round's decisions."""
    tmp, got = tiny
    wb = openpyxl.load_workbook(tmp / "revised" / "assignment.xlsx", read_only=True)
    sheet = wb["assignment"]
    head = [c.value for c in next(sheet.iter_rows(max_row=1))]
    pinned = {r[head.index("client_id")] for r in sheet.iter_rows(min_row=2, values_only=True)
              if r[head.index("pin")] == "yes"}
    wb.close()
    assert pinned == {*got["reject"], *got["pins"]}  # type: ignore[misc]
    wb = openpyxl.load_workbook(tmp / "revised" / "assignment.xlsx")
    offered = {ws.title: [dv.formula1 for dv in ws.data_validations.dataValidation]
               for ws in wb}
    assert offered["moves"] == ['"accept,reject,同意,拒绝"']  # a drop-down for the reviewer
    assert offered["assignment"] == ['"yes,是"']


def test_a_shared_history_store_follows_the_books(tmp_path: Path) -> None:
    """With adopt.history set, every book's adoption lands in the one store, named from each
    new book's scenario."""
    scenario = write_book(tmp_path / "book")
    code, out = run("solve", str(scenario), "--out", str(tmp_path / "s1"), "--quiet")
    assert code == 0, out
    code, out = run("adopt", str(scenario), "--assignment", str(tmp_path / "s1"), "--to",
                    str(tmp_path / "b2"), "--set", "adopt.history=../shared.sqlite")
    assert code == 0, out
    code, out = run("adopt", str(tmp_path / "b2" / "scenario.yaml"), "--assignment",
                    str(tmp_path / "s1" / "assignment.xlsx"), "--to", str(tmp_path / "b3"),
                    "--by", "second")
    assert code == 0, out
    assert not (tmp_path / "b2" / "history.sqlite").exists()
    code, out = run("history", str(tmp_path / "shared.sqlite"))
    assert code == 0, out
    assert "second" in out and out.count(" tiny ") == 2  # both adoptions listed


ENGLISH = re.compile(r"\b[A-Za-z]{2,} [A-Za-z]{2,}\b")


def test_the_loop_speaks_chinese(tmp_path: Path) -> None:
    """Under --lang zh revise, diff, adopt and history print no English sentence (two English
    words in a row; paths, file names and ids aside), and changes.csv has Chinese headers."""
    scenario = write_book(tmp_path / "book")
    outputs = []
    code, out = run("solve", str(scenario), "--out", str(tmp_path / "s"), "--lang", "zh",
                    "--quiet")
    assert code == 0, out
    wb = openpyxl.load_workbook(tmp_path / "s" / "assignment.xlsx")
    moves = wb["调整清单"]
    moves.cell(2, [c.value for c in moves[1]].index("审核意见") + 1).value = "拒绝"
    wb.save(tmp_path / "r.xlsx")
    for args in (
        ("revise", str(scenario), "--review", str(tmp_path / "r.xlsx"), "--out",
         str(tmp_path / "v"), "--quiet"),
        ("diff", str(tmp_path / "s"), str(tmp_path / "v")),
        ("adopt", str(tmp_path / "v" / "scenario.yaml"), "--assignment", str(tmp_path / "v"),
         "--to", str(tmp_path / "b2"), "--note", "第一轮"),
        ("history", str(tmp_path / "b2")),
        ("history", "show", "1", str(tmp_path / "b2")),
    ):
        code, out = run(*args, "--lang", "zh")
        assert code == 0, out
        outputs.append(out)
    text = re.sub(r"\S+\.(csv|xlsx|yaml|sqlite)\b|\S*/\S*", " ", "\n".join(outputs))
    assert not ENGLISH.findall(text), ENGLISH.findall(text)
    with open(tmp_path / "v" / "changes.csv", encoding="utf-8-sig") as fh:
        assert fh.readline().startswith("客户编码,客户名称,客户经理（审核方案）")
