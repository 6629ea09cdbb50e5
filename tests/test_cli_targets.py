"""`rebalance targets SCENARIO --assignment FILE` as a planner types it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rebalance.cli import app

CLIENTS = """客户编码,客户名称,行业,收入,重要程度,客户经理,潜在收入
C001,Alpha,gov,600000,5,M1,900000
C002,Beta,gov,300000,3,M2,
C003,Gamma,gov,100000,2,M3,0
C004,Delta,gov,5000,1,M4,
"""
MANAGERS = """工号,姓名,行业组,人力系数,状态
M1,=HYPERLINK("x"),gov,1,在岗
M2,李四,gov,1,
M3,王五,gov,0.5,新入职
M4,赵六,gov,1,离职
"""
PLAN = """client_id,manager
C001,M1
C002,M2
C003,M3
C004,M3
"""


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A scenario with four managers (one leaving, one new at half fte) and a plan for them."""
    (tmp_path / "clients.csv").write_text(CLIENTS, encoding="utf-8")
    (tmp_path / "managers.csv").write_text(MANAGERS, encoding="utf-8")
    (tmp_path / "plan.csv").write_text(PLAN, encoding="utf-8")
    (tmp_path / "s.yaml").write_text(
        "name: t\ndata: {clients: clients.csv, managers: managers.csv}\n", encoding="utf-8"
    )
    return tmp_path


def _run(*args: str) -> tuple[int, str]:
    """Exit code and output with line wrapping folded into single spaces."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, " ".join(result.output.split())


def _read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def test_prints_targets_and_the_spread_line(book: Path) -> None:
    """The table shows every manager's target beside the equal split, then the spread."""
    code, out = _run("targets", str(book / "s.yaml"), "--assignment", str(book / "plan.csv"))
    assert code == 0, out
    # 1.08 × 1,005,000 = 1,085,400 -> 1,085,000; M1 holds 600,000 -> 647,761 -> 648,000
    assert "1,085,000" in out and "648,000" in out
    assert "434,000" in out  # equal split: 1,085,000 × 1 / 2.5
    assert "Spread of required growth: 0.4 pp" in out
    assert "134.3 pp with an equal split" in out


def test_out_writes_targets_csv_summing_to_the_total(book: Path) -> None:
    """--out writes targets.csv: BOM, one row per manager, targets sum to the total,
    text that looks like a formula escaped, no temporary files left behind."""
    out_dir = book / "out"
    code, out = _run("targets", str(book / "s.yaml"), "-a", str(book / "plan.csv"),
                     "--out", str(out_dir))
    assert code == 0, out
    rows = _read_csv(out_dir / "targets.csv")
    assert [r["manager_id"] for r in rows] == ["M1", "M2", "M3", "M4"]
    assert sum(float(r["target"]) for r in rows) == 1_085_000
    assert rows[0]["name"] == "'=HYPERLINK(\"x\")"
    assert rows[3]["status"] == "leaving" and float(rows[3]["target"]) == 0
    assert rows[0]["required_growth"] == "0.08"
    assert sorted(p.name for p in out_dir.iterdir()) == ["targets.csv"]


def test_set_and_lang_zh_give_chinese_headers_and_caps(book: Path) -> None:
    """--set switches method and caps; --lang zh writes Chinese headers, statuses and marks."""
    out_dir = book / "zh"
    code, out = _run("targets", str(book / "s.yaml"), "-a", str(book / "plan.csv"),
                     "--set", "targets.method=blend", "--set", "targets.max_growth=0.1",
                     "--lang", "zh", "--out", str(out_dir))
    assert code == 0, out
    assert "所需增长率极差" in out and "2 个客户未填潜在收入" in out
    rows = _read_csv(out_dir / "targets.csv")
    assert list(rows[0])[:4] == ["客户经理编码", "姓名", "行业组", "状态"]
    assert [r["增长率封顶"] for r in rows] == ["上限", "上限", "", ""]
    assert rows[3]["状态"] == "离职"
    assert sum(float(r["指标"]) for r in rows) == 1_085_000


def test_impossible_caps_exit_1_with_numbers_and_write_nothing(book: Path) -> None:
    """Caps that cannot reach the total: exit 1, the message names both sums, no file."""
    out_dir = book / "out"
    code, out = _run("targets", str(book / "s.yaml"), "-a", str(book / "plan.csv"),
                     "--set", "targets.max_growth=0.05", "--out", str(out_dir))
    assert code == 1
    assert "max_growth 0.05 allows at most 1,055,250 in total" in out
    assert "1,085,000" in out
    assert not out_dir.exists()


def test_impossible_caps_in_chinese(book: Path) -> None:
    """The infeasible message follows --lang zh."""
    code, out = _run("targets", str(book / "s.yaml"), "-a", str(book / "plan.csv"),
                     "--set", "targets.min_growth=0.2", "--lang", "zh")
    assert code == 1
    assert "min_growth 0.2 时指标合计至少 1,206,000" in out


def test_bad_plan_and_contradicting_caps_exit_2(book: Path) -> None:
    """A plan naming an unknown manager, or min_growth above max_growth, is bad input."""
    (book / "bad.csv").write_text(PLAN.replace("C004,M3", "C004,M9"), encoding="utf-8")
    code, out = _run("targets", str(book / "s.yaml"), "-a", str(book / "bad.csv"))
    assert code == 2
    assert "M9" in out
    code, out = _run("targets", str(book / "s.yaml"), "-a", str(book / "plan.csv"),
                     "--set", "targets.min_growth=0.2", "--set", "targets.max_growth=0.1")
    assert code == 2
    assert "min_growth" in out
