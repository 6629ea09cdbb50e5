"""`rebalance rollout` and `solve`/`check` with a rollout, end to end as a planner types them,
on the bundled ``scenarios/rollout.yaml`` (173 clients, real solver, GB18030 CSV input)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from rebalance.cli import app

from helpers import ROOT

SCENARIO = ROOT / "scenarios" / "rollout.yaml"
runner = CliRunner()


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, table: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    return path


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_rollout_writes_a_schedule_check_accepts(tmp_path: Path) -> None:
    """Protects the planner's path: `rollout` writes the schedule, fairness per wave, loads,
    prorated targets (summing exactly to the department total), workbook and json; `check
    --schedule` accepts it (exit 0), rejects a wave moved out of its caps (exit 1) and a date
    that is not the scenario's (exit 2, file and row)."""
    out = tmp_path / "out"
    code, text = run("rollout", str(SCENARIO), "--out", str(out))
    assert code == 0, text
    schedule = rows(out / "schedule.csv")
    assert list(schedule[0]) == ["wave", "effective_date", "client_id", "name", "from_manager",
                                 "to_manager", "kind", "exchange", "reason"]
    assert len(schedule) == 54
    per_wave = {w: sum(r["wave"] == w and r["kind"] == "move" for r in schedule)
                for w in ("1", "2", "3")}
    assert max(per_wave.values()) <= 20 and sum(per_wave.values()) == 54
    assert {r["effective_date"] for r in schedule} <= {"2025-01-01", "2025-04-01", "2025-07-01"}
    waves = rows(out / "waves.csv")
    excess = [float(r["balance_excess"]) for r in waves]
    assert excess == sorted(excess, reverse=True) and len(waves) == 4
    managers = rows(out / "managers.csv")
    summary = json.loads((out / "rollout.json").read_text(encoding="utf-8"))
    assert summary["status"] == "OPTIMAL" and summary["schedule_ok"]
    assert sum(float(m["prorated_target"]) for m in managers) == summary[
        "prorated_targets_total"]
    book = openpyxl.load_workbook(out / "rollout.xlsx")
    assert book.sheetnames[:2] == ["rollout", "schedule"]
    assert book["rollout"]._charts  # the native chart of fairness after each wave

    code, text = run("check", str(SCENARIO), "--schedule", str(out / "schedule.csv"))
    assert code == 0, text
    assert "Schedule OK" in text
    for r in schedule:
        r["wave"], r["effective_date"] = "1", "2025-01-01"
    bad = write_rows(tmp_path / "bad.csv", schedule)
    code, text = run("check", str(SCENARIO), "--schedule", str(bad))
    assert code == 1
    assert "above rollout.max_moves 20" in text
    schedule[0]["effective_date"] = "2025-02-30"  # not the scenario's date of wave 1
    code, text = run("check", str(SCENARIO), "--schedule", str(write_rows(bad, schedule)))
    assert code == 2
    assert "bad.csv row 2" in text and "not the date of wave 1" in text


def test_rollout_is_deterministic_and_speaks_chinese(tmp_path: Path) -> None:
    """Protects determinism (same inputs, same bytes) and the Chinese outputs: headers,
    kinds and the workbook's sheet names."""
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        code, text = run("rollout", str(SCENARIO), "--out", str(out), "--lang", "zh")
        assert code == 0, text
    for name in ("schedule.csv", "waves.csv", "handover_load.csv", "managers.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    schedule = rows(a / "schedule.csv")
    assert "批次" in schedule[0] and schedule[0]["变动类型"] == "调整"
    assert "折算指标" in rows(a / "managers.csv")[0]
    assert openpyxl.load_workbook(a / "rollout.xlsx").sheetnames[:2] == ["分批实施", "分批计划"]
    code, text = run("check", str(SCENARIO), "--schedule", str(a / "schedule.csv"))
    assert code == 0, text


def test_solve_phases_when_rollout_is_set(tmp_path: Path) -> None:
    """Protects `solve` with `rollout:`: the schedule files beside the plan, the schedule
    sheet in the workbook, prorated targets in managers.csv, summary.json's rollout and the
    report's rollout section (also when `rebalance report` rebuilds it); `rollout -a` with
    the solved plan, and `revise` without decisions, give the same schedule byte for byte."""
    out = tmp_path / "solve"
    code, text = run("solve", str(SCENARIO), "--out", str(out), "-q")
    assert code == 0, text
    for name in ("schedule.csv", "waves.csv", "handover_load.csv"):
        assert (out / name).exists()
    assert "prorated_target" in rows(out / "managers.csv")[0]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["rollout"]["schedule_ok"]
    assert "schedule" in openpyxl.load_workbook(out / "assignment.xlsx").sheetnames
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="rollout"' in html and "Rollout: fairness after each wave" in html
    assert "prorated_target" in html
    (out / "report.html").unlink()
    code, text = run("report", str(out))  # rebuilt from the files: the same bytes
    assert code == 0, text
    assert (out / "report.html").read_text(encoding="utf-8") == html
    code, text = run("check", str(SCENARIO), "-a", str(out / "assignment.csv"),
                     "--schedule", str(out / "schedule.csv"))
    assert code == 0, text
    given = tmp_path / "given"  # the same plan given with --assignment: the same schedule
    code, text = run("rollout", str(SCENARIO), "-a", str(out / "assignment.csv"), "--out",
                     str(given))
    assert code == 0, text
    assert (given / "schedule.csv").read_bytes() == (out / "schedule.csv").read_bytes()
    revised = tmp_path / "revised"  # revise with no decisions: the same plan, phased alike
    code, text = run("revise", str(SCENARIO), "--review", str(out / "assignment.xlsx"),
                     "--out", str(revised), "-q")
    assert code == 0, text
    assert (revised / "schedule.csv").read_bytes() == (out / "schedule.csv").read_bytes()


def test_impossible_caps_exit_1_with_the_numbers(tmp_path: Path) -> None:
    """Protects the issue's example: 54 moves, 3 waves of at most 10 → exit 1 naming the
    numbers and the smallest max_moves that works, and nothing written."""
    out = tmp_path / "none"
    code, text = run("rollout", str(SCENARIO), "--out", str(out), "--set",
                     "rollout.max_moves=10", "--set", "rollout.max_handovers_per_manager=null")
    assert code == 1
    assert "54 moves in 3 waves need at least 18 per wave" in text
    assert "the smallest max_moves that works is 18" in text
    assert not out.exists()


def test_dates_that_are_not_dates_exit_2_at_file_line(tmp_path: Path) -> None:
    """Protects the date errors: an impossible date and a word are exit 2 with file:line."""
    for value, line in (("2025-13-01", 3), ("next monday", 3)):
        scenario = tmp_path / "s.yaml"
        scenario.write_text(f"extends: {SCENARIO}\nrollout:\n  start: {value}\n",
                            encoding="utf-8")
        code, text = run("rollout", str(scenario), "--out", str(tmp_path / "o"))
        assert code == 2, text
        assert f"s.yaml:{line}" in text and "rollout.start" in text


def test_rollout_without_section_is_a_usage_error(tmp_path: Path) -> None:
    """Protects the message when the scenario has no rollout: section (exit 2)."""
    code, text = run("rollout", str(ROOT / "scenarios" / "baseline.yaml"), "--out",
                     str(tmp_path / "o"))
    assert code == 2
    assert "no rollout: section" in text


def test_rollout_of_an_intake_plan_places_the_candidates_first(tmp_path: Path) -> None:
    """Protects rollout with intake (issue 21): the candidates brought into the pool are
    clients of the plan's own book, placed with wave 1 (``first_wave_for``)."""
    out = tmp_path / "intake"
    code, text = run("rollout", str(ROOT / "scenarios" / "intake.yaml"), "--out", str(out),
                     "--set", "rollout.start=2025-01-01", "--set", "rollout.waves=2")
    assert code == 0, text
    schedule = rows(out / "schedule.csv")
    placements = [r for r in schedule if r["kind"] == "placement"]
    assert placements and {r["wave"] for r in placements} == {"1"}
