"""``rebalance solve`` and ``rebalance check`` end to end, as a planner types them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from rebalance.cli import app

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DATA = Path(__file__).parent / "data" / "io"
ENV = {"COLUMNS": "200"}

runner = CliRunner()


def solve(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["solve", *args, "--quiet"], env=ENV)
    return result.exit_code, result.output


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def baseline_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("baseline") / "out"
    code, output = solve(str(BASELINE), "--out", str(out))
    assert code == 0, output
    return out


def test_solve_writes_every_output(baseline_out: Path) -> None:
    """solve writes the contract's five files; every client placed once; figures agree."""
    names = sorted(p.name for p in baseline_out.iterdir())
    assert names == ["assignment.csv", "assignment.xlsx", "managers.csv", "moves.csv",
                     "report.html", "summary.json"]
    rows = read_csv(baseline_out / "assignment.csv")
    assert len(rows) == 173
    assert len({r["client_id"] for r in rows}) == 173
    assert all(r["manager"] for r in rows)
    assert list(rows[0])[:13] == ["client_id", "name", "industry", "revenue", "importance",
                                  "previous_manager", "previous_manager_name", "manager",
                                  "manager_name", "moved", "kind", "locked", "reason"]
    assert any(r["client_id"].startswith("0") for r in rows)  # leading zeros kept
    summary = json.loads((baseline_out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] in ("OPTIMAL", "FEASIBLE")
    moved = [r for r in rows if r["moved"] == "true"]
    assert summary["moves"] == len(moved) == sum(r["kind"] == "move" for r in rows)
    moves = read_csv(baseline_out / "moves.csv")
    assert {m["client_id"] for m in moves} >= {r["client_id"] for r in moved}
    assert all(m["reason"] for m in moves)
    for kind, key in (("move", "moves"), ("handover", "handovers"), ("placement", "placements")):
        assert summary[key] == sum(m["kind"] == kind for m in moves), kind
    managers = read_csv(baseline_out / "managers.csv")
    targets = sum(float(m["target"]) for m in managers)
    assert targets == pytest.approx(summary["targets"]["total"], abs=1e-6)
    wb = openpyxl.load_workbook(baseline_out / "assignment.xlsx")
    assert wb.sheetnames[:4] == ["summary", "assignment", "managers", "moves"]
    assert wb["assignment"].freeze_panes == "A2"
    headers = [c.value for c in next(wb["moves"].iter_rows(max_row=1))]
    assert {"kind", "exchange", "from_manager_name", "to_manager_name"} <= set(headers)
    kinds = [c.value for c in next(wb["assignment"].iter_rows(max_row=1))]
    assert "kind" in kinds and "manager_name" in kinds


def test_solve_is_deterministic(baseline_out: Path, tmp_path: Path) -> None:
    """Same inputs and seed give byte-identical assignment, managers and moves tables."""
    code, output = solve(str(BASELINE), "--out", str(tmp_path / "again"))
    assert code == 0, output
    for name in ("assignment.csv", "managers.csv", "moves.csv"):
        assert (tmp_path / "again" / name).read_bytes() == (baseline_out / name).read_bytes()


def test_check_agrees_with_solve(baseline_out: Path) -> None:
    """check (no solver) accepts the engine's plan and recomputes the same two objectives."""
    summary = json.loads((baseline_out / "summary.json").read_text(encoding="utf-8"))
    result = runner.invoke(app, ["check", str(BASELINE), "--assignment",
                                 str(baseline_out / "assignment.csv")], env=ENV)
    assert result.exit_code == 0, result.output
    assert "All hard rules hold" in result.output
    assert f"balance excess {summary['balance_excess']:.4f}" in result.output
    assert f"continuity cost {summary['continuity_cost']:.3f}" in result.output


def test_check_rejects_a_broken_plan(baseline_out: Path, tmp_path: Path) -> None:
    """A plan edited by hand that puts a client on a manager of another industry fails (exit 1)
    and the message names the client."""
    rows = read_csv(baseline_out / "assignment.csv")
    victim = next(r for r in rows if r["industry"] == "政府")
    victim["manager"] = "KM014"  # 制造
    edited = tmp_path / "edited.csv"
    with open(edited, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["check", str(BASELINE), "--assignment", str(edited)], env=ENV)
    assert result.exit_code == 1, result.output
    assert victim["client_id"] in result.output
    assert "KM014" in result.output


def test_solve_in_chinese_reads_back(tmp_path: Path) -> None:
    """--lang zh writes Chinese headers and reasons, and check reads that table back."""
    out = tmp_path / "zh"
    code, output = solve(str(BASELINE), "--out", str(out), "--lang", "zh")
    assert code == 0, output
    rows = read_csv(out / "assignment.csv")
    assert list(rows[0])[:2] == ["客户编码", "客户名称"]
    assert any("容差区间" in r["调整原因"] for r in rows)
    result = runner.invoke(app, ["check", str(BASELINE), "-a", str(out / "assignment.csv"),
                                 "--lang", "zh"], env=ENV)
    assert result.exit_code == 0, result.output


def test_contradicting_rules_exit_1_and_write_nothing(tmp_path: Path) -> None:
    """Scenario locks that move clients while max_moves is 0: exit 1, the message names the
    rule and the numbers, and no output folder appears."""
    scenario = tmp_path / "tight.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\nname: tight\n"
        "locks:\n  - {client: '510997', manager: KM003}\n  - {client: '022714', manager: KM003}\n",
        encoding="utf-8")
    out = tmp_path / "out"
    code, output = solve(str(scenario), "--out", str(out), "--set", "solver.time_limit=5",
                         "--set", "continuity.max_moves=0")
    assert code == 1, output
    assert "max_moves" in output or "moves" in output
    assert not out.exists()


def test_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    """Broken data through solve behaves as through validate: exit 2, rows named, nothing
    written."""
    scenario = tmp_path / "broken.yaml"
    scenario.write_text(f"name: broken\ndata:\n  clients: {DATA / 'clients_three_problems.csv'}\n"
                        f"  managers: {DATA / 'managers.csv'}\n", encoding="utf-8")
    out = tmp_path / "out"
    code, output = solve(str(scenario), "--out", str(out))
    assert code == 2, output
    assert "row" in output and "Traceback" not in output
    assert not out.exists()


def test_backups_through_the_cli(tmp_path: Path) -> None:
    """With backups on, every client has a B角 who is not its owner; check verifies them."""
    out = tmp_path / "ab"
    code, output = solve(str(BASELINE), "--out", str(out), "--set", "backup.enabled=true")
    assert code == 0, output
    rows = read_csv(out / "assignment.csv")
    assert all(r["backup_manager"] and r["backup_manager"] != r["manager"] for r in rows)
    managers = read_csv(out / "managers.csv")
    assert sum(int(m["backup_clients"]) for m in managers) == len(rows)
    result = runner.invoke(app, ["check", str(BASELINE), "-a", str(out / "assignment.csv")],
                           env=ENV)
    assert result.exit_code == 0, result.output
    assert "every client has a valid backup manager" in result.output
