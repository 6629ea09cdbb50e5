"""The review loop on a plan with an intake, through the CLI as a planner types it.

A tiny real book (GB18030 clients with Chinese headers, a candidates file, one hire in 金融
through ``intake.hires``) is solved; the planner rejects one placement and pins another
candidate to a manager the optimiser did not choose; ``revise`` must leave the first out and
place the second there (``intake.excluded`` / ``intake.placed`` in its scenario.yaml);
``adopt`` must write the candidates taken in as clients, the hire used as an active manager,
the candidates left out as the next round's candidates.csv, and keep intake.csv and the
candidates file in the history, which ``history show`` re-checks.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
import yaml
from test_review_loop import plan_of, review, rows, run

CLIENTS = """客户编码,客户名称,行业,年收入,重要程度,客户经理,关系强度
001,甲局,政府,900,3,KM1,0.9
002,乙局,政府,400,2,KM1,0.2
003,丙局,政府,350,1,KM2,0.4
004,丁局,政府,300,2,KM2,0.7
005,戊局,政府,250,1,KM3,0.1
006,己行,金融,800,3,KM4,0.5
007,庚行,金融,700,2,KM4,0.5
"""
MANAGERS = """工号,姓名,行业组,最大客户数
KM1,张伟,政府,3
KM2,王芳,政府,3
KM3,李娜,政府,3
KM4,刘洋,金融,2
"""
CANDIDATES = """客户编码,客户名称,行业,年收入,重要程度,欠费率,增长率
N01,新甲局,政府,300,3,1%,10%
N02,新乙局,政府,250,2,2%,5%
N03,新丙局,政府,200,1,9%,20%
N04,新丁行,金融,600,3,1%,10%
N05,新戊局,政府,150,1,0%,0%
"""
SCENARIO = """name: tinyintake
data:
  clients: clients.csv
  managers: managers.csv
  candidates: candidates.csv
priorities: [balance, intake, continuity]
intake:
  max_clients: 3
  hires: {金融: 1}
  hire_capacity: 2
solver:
  time_limit: 5
  workers: 2
"""
def cli(*args: str | Path) -> tuple[int, str]:
    """``rebalance ARGS`` in process (test_review_loop.run with paths as text)."""
    return run(*(str(a) for a in args))


def write_book(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "clients.csv").write_bytes(CLIENTS.encode("gb18030"))
    (folder / "managers.csv").write_text(MANAGERS, encoding="utf-8")
    (folder / "candidates.csv").write_text(CANDIDATES, encoding="utf-8")
    (folder / "tiny.yaml").write_text(SCENARIO, encoding="utf-8")
    return folder / "tiny.yaml"


@pytest.fixture(scope="module")
def loop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """solve → review (one placement rejected, one candidate pinned elsewhere) → revise."""
    tmp = tmp_path_factory.mktemp("intake_loop")
    scenario = write_book(tmp / "book")
    code, out = cli("solve", scenario, "--out", tmp / "solved", "-q")
    assert code == 0, out
    solved = plan_of(tmp / "solved")
    taken = [c for c in ("N01", "N02", "N05") if c in solved]
    assert len(taken) >= 2, solved  # the book must take at least two 政府 candidates
    rejected, pinned = taken[0], taken[1]
    elsewhere = next(m for m in ("KM1", "KM2", "KM3") if m != solved[pinned])
    review(tmp / "solved" / "assignment.xlsx", tmp / "reviewed.xlsx", [rejected],
           {pinned: elsewhere})
    code, out = cli("revise", scenario, "--review", tmp / "reviewed.xlsx", "--out",
                    tmp / "revised", "-q")
    assert code == 0, out
    return {"tmp": tmp, "rejected": rejected, "pinned": pinned, "manager": elsewhere,
            "revised": plan_of(tmp / "revised"), "output": out}


def test_revise_leaves_a_rejected_candidate_out_and_holds_a_pin(loop: dict[str, object]
                                                                ) -> None:
    """The rejected placement's candidate is not in the revised plan (intake.csv: not taken,
    excluded); the pinned candidate is taken with the manager typed in; changes.csv says
    which decision holds each; scenario.yaml carries both decisions in intake:."""
    tmp, rejected, pinned = loop["tmp"], loop["rejected"], loop["pinned"]
    assert isinstance(tmp, Path) and isinstance(rejected, str) and isinstance(pinned, str)
    revised = loop["revised"]
    assert isinstance(revised, dict)
    assert rejected not in revised
    assert revised[pinned] == loop["manager"]
    intake = {r["client_id"]: r for r in rows(tmp / "revised" / "intake.csv")}
    assert intake[rejected]["taken"] == "no" and "excluded" in intake[rejected]["reason"]
    assert intake[pinned]["taken"] == "yes" and intake[pinned]["manager"] == loop["manager"]
    changes = {r["client_id"]: r for r in rows(tmp / "revised" / "changes.csv")}
    assert changes[rejected]["kind"] == "left out"
    assert changes[rejected]["decision"] == "rejected: left out"
    sc = yaml.safe_load((tmp / "revised" / "scenario.yaml").read_text(encoding="utf-8"))
    assert sc["intake"]["excluded"] == [rejected]
    assert sc["intake"]["placed"] == {pinned: loop["manager"]}
    assert pinned in sc["intake"]["required"]
    assert (tmp / "revised" / "scenario.yaml").parent.joinpath(
        sc["data"]["candidates"]).resolve() == (tmp / "book" / "candidates.csv").resolve()
    taken = sum(1 for r in intake.values() if r["taken"] == "yes")
    assert f"{taken} of 5 candidates taken in" in str(loop["output"])  # revise says it too
    code, out = cli("check", tmp / "revised" / "scenario.yaml", "-a",
                    tmp / "revised" / "assignment.csv")
    assert code == 0, out


def test_adopt_writes_the_intake_into_the_next_book(loop: dict[str, object]) -> None:
    """The next book: candidates taken in are clients with their manager (relationship
    0.3), the hire used is an active manager, the left-out candidates are candidates.csv,
    the scenario names no candidates and keeps the pin as a lock; the history keeps
    intake.csv and the candidates file and re-checks the plan."""
    tmp = loop["tmp"]
    assert isinstance(tmp, Path)
    revised = loop["revised"]
    assert isinstance(revised, dict)
    code, out = cli("adopt", tmp / "revised" / "scenario.yaml", "--assignment",
                    tmp / "revised", "--to", tmp / "book2", "--by", "Head Li")
    assert code == 0, out
    clients = {r["客户编码"]: r for r in rows(tmp / "book2" / "clients.csv")}
    assert {c: r["客户经理"] for c, r in clients.items()} == revised
    for cid in revised:
        if cid.startswith("N"):
            assert clients[cid]["关系强度"] == "0.3" and clients[cid]["行业"]
    hires = sorted({m for m in revised.values() if m.startswith("HIRE")})
    assert hires  # the book needs the hire in 金融 (KM4 holds at most 2)
    managers = {r["工号"]: r for r in rows(tmp / "book2" / "managers.csv")}
    for hire in hires:
        assert managers[hire]["状态"] == "在岗" and managers[hire]["最大客户数"] == "2"
    left = [r["客户编码"] for r in rows(tmp / "book2" / "candidates.csv")]
    assert left == [c for c in ("N01", "N02", "N03", "N04", "N05") if c not in revised]
    sc = yaml.safe_load((tmp / "book2" / "scenario.yaml").read_text(encoding="utf-8"))
    assert sc["data"]["candidates"] is None and sc["intake"]["hires"] == {}
    assert {"client": loop["pinned"], "manager": loop["manager"]} in sc["locks"]
    with sqlite3.connect(tmp / "book2" / "history.sqlite") as conn:
        roles = {r[0] for r in conn.execute("SELECT role FROM plan_inputs")}
        intake_csv = conn.execute("SELECT csv FROM plan_tables WHERE name = 'intake'"
                                  ).fetchone()[0]
        kinds = dict(conn.execute("SELECT client_id, kind FROM plan_assignment"))
    assert roles == {"clients", "managers", "candidates"}
    assert f"{loop['rejected']}," in intake_csv and "excluded" in intake_csv
    stored = {r["client_id"]: r["reason"] for r in csv.DictReader(io.StringIO(intake_csv))}
    assert stored == {r["client_id"]: r["reason"]
                      for r in rows(tmp / "revised" / "intake.csv")}  # the reasons reviewed
    assert all(kinds[c] == "placement" for c in revised if c.startswith("N"))
    code, out = cli("history", "show", "1", tmp / "book2")
    assert code == 0, out
    assert "every hard rule holds" in out
    code, out = cli("solve", tmp / "book2" / "scenario.yaml", "--out", tmp / "next", "-q")
    assert code == 0, out
    assert not any(r["kind"] == "placement" for r in rows(tmp / "next" / "moves.csv"))


def test_rejected_and_pinned_candidate_is_a_named_contradiction(
        loop: dict[str, object]) -> None:
    """Rejecting a candidate's placement and pinning it too is bad input (exit 2), named
    with both places; nothing is written."""
    tmp, rejected = loop["tmp"], loop["rejected"]
    assert isinstance(tmp, Path) and isinstance(rejected, str)
    solved = plan_of(tmp / "solved")
    review(tmp / "solved" / "assignment.xlsx", tmp / "both.xlsx", [rejected],
           {rejected: solved[rejected]})
    code, out = cli("revise", tmp / "book" / "tiny.yaml", "--review", tmp / "both.xlsx",
                    "--out", tmp / "both", "-q")
    assert code == 2, out
    assert f'candidate "{rejected}": its placement is rejected' in out
    assert not (tmp / "both").exists()


def test_a_new_clients_placement_cannot_be_rejected(tmp_path: Path) -> None:
    """Without candidates, a new client (no manager) must be placed: rejecting its placement
    is bad input (exit 2) that says to pin it instead."""
    folder = tmp_path / "book"
    write_book(folder)
    text = CLIENTS.replace("005,戊局,政府,250,1,KM3,0.1", "005,戊局,政府,250,1,,0.1")
    (folder / "clients.csv").write_bytes(text.encode("gb18030"))
    (folder / "tiny.yaml").write_text(SCENARIO.replace("  candidates: candidates.csv\n", "")
                                      .replace("  hires: {金融: 1}\n", ""), encoding="utf-8")
    code, out = cli("solve", folder / "tiny.yaml", "--out", tmp_path / "s", "-q")
    assert code == 0, out
    review(tmp_path / "s" / "assignment.xlsx", tmp_path / "r.xlsx", ["005"], {})
    code, out = cli("revise", folder / "tiny.yaml", "--review", tmp_path / "r.xlsx", "--out",
                    tmp_path / "r", "-q")
    assert code == 2, out
    assert 'client "005" is new and must be placed' in out


@pytest.mark.parametrize(("manager", "why"), [
    ("KM9", "that manager is not in managers.csv"),
    ("KM4", "the manager does not serve industry 政府"),
])
def test_a_placement_the_candidate_cannot_have_is_named(tmp_path: Path, manager: str,
                                                         why: str) -> None:
    """intake.placed naming an unknown manager or one outside the candidate's industry is
    bad input (exit 2) naming the candidate, the manager and why; nothing is written."""
    scenario = write_book(tmp_path / "book")
    code, out = cli("solve", scenario, "--out", tmp_path / "out", "-q", "--set",
                    f"intake.placed={{N01: {manager}}}")
    assert code == 2, out
    assert f"candidate N01 is placed with {manager}, but {why}" in out
    assert not (tmp_path / "out").exists()


def test_pinning_a_candidate_the_plan_left_out_takes_it_in(loop: dict[str, object]) -> None:
    """A row added to the assignment sheet for a candidate the plan did not take, pinned to
    a manager, takes it in with that manager; the same for a candidate the filters leave out
    is bad input naming the filter (exit 2)."""
    import openpyxl

    tmp = loop["tmp"]
    assert isinstance(tmp, Path)
    solved = plan_of(tmp / "solved")
    left = next(c for c in ("N01", "N02", "N05", "N04") if c not in solved)
    manager = "KM4" if left == "N04" else "KM1"
    for cid, target in ((left, "added.xlsx"), ("N03", "screened.xlsx")):
        wb = openpyxl.load_workbook(tmp / "solved" / "assignment.xlsx")
        sheet = wb["assignment"]
        head = [c.value for c in sheet[1]]
        row = sheet.max_row + 1
        for column, value in (("client_id", cid), ("manager", manager if cid == left
                                                              else "KM1"), ("pin", "yes")):
            sheet.cell(row, head.index(column) + 1).value = value
        wb.save(tmp / target)
    code, out = cli("revise", tmp / "book" / "tiny.yaml", "--review", tmp / "added.xlsx",
                    "--out", tmp / "added", "-q")
    assert code == 0, out
    assert plan_of(tmp / "added")[left] == manager
    code, out = cli("revise", tmp / "book" / "tiny.yaml", "--review", tmp / "screened.xlsx",
                    "--out", tmp / "screened", "-q")
    assert code == 2, out
    assert "candidate N03 is required but arrears 9.0% above the 5.0% limit" in out


def test_validate_reads_placements_as_solve_does(tmp_path: Path) -> None:
    """`validate` accepts a candidate placed with a hire of intake.hires (as solve does) and
    names a placement with an unknown manager (exit 2)."""
    scenario = write_book(tmp_path / "book")
    code, out = cli("validate", scenario, "--set", "intake.placed={N04: HIRE-金融-1}")
    assert code == 0, out
    code, out = cli("validate", scenario, "--set", "intake.placed={N04: KM9}")
    assert code == 2, out
    assert "candidate N04 is placed with KM9" in out
