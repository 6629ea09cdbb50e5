"""``rebalance incentives`` end to end, as a planner types it."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from rebalance.cli import app

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SAMPLE = ROOT / "scenarios" / "data" / "subscribers.csv"

SUBSCRIBERS = (
    "subscriber_id,manager,client_id,tenure_months,revenue,terminal_cost,arrears\n"
    # M1: 3 % arrears, tenure boundaries: quantity 30×2 (flow: S1, S2 reached 3 months this
    #     12-month period, S3 long before), in-network 0.02×1000,
    #     profit 0.05×(800−200) − 0.05×30 → reward 60 + 20 + 28.5 = 108.5; old 30×2 − 15 = 45
    "S1,M1,000001,3,0,0,0\n"
    "S2,M1,000001,6,200,0,30\n"
    "S3,M1,000002,24,800,200,0\n"
    # M2: 20 % arrears → fine 0.5×100 = 50; reward 30 + 0 + 0 − 50 = −20; old 30 − 50 = −20
    "S4,M2,000003,4,500,1500,100\n"
)


def book(tmp_path: Path, subscribers: str = SUBSCRIBERS, with_default: bool = True) -> Path:
    """A two-manager book with a subscribers table; returns the scenario path."""
    (tmp_path / "clients.csv").write_text(
        "client_id,industry,revenue,manager\n000001,A,100,M1\n000002,A,100,M1\n"
        "000003,A,100,M2\n", encoding="utf-8")
    (tmp_path / "managers.csv").write_text(
        "manager_id,name,industry\nM1,=HYPERLINK(1),A\nM2,王二,A\nM3,张三,A\n",
        encoding="utf-8")
    (tmp_path / "subs.csv").write_text(subscribers, encoding="utf-8")
    data = "data:\n  clients: clients.csv\n  managers: managers.csv\n"
    if with_default:
        data += "  subscribers: subs.csv\n"
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: tiny\n{data}incentives:\n  unit_reward: 30\n", encoding="utf-8")
    return scenario


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["incentives", *args])
    return result.exit_code, result.output


def read_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(io.StringIO(data.decode("utf-8-sig")), dtype=str, keep_default_na=False)


def test_writes_the_files_with_hand_computed_rewards(tmp_path: Path) -> None:
    """--out: CSVs (BOM), xlsx and png; rewards as computed by hand (flow reading, the
    default); M3 has a zero row."""
    code, output = run(str(book(tmp_path)), "--out", str(tmp_path / "out"), "--whatif", "0,10")
    assert code == 0, output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == [
        "incentives.csv", "incentives.xlsx", "incentives_summary.csv", "incentives_whatif.csv",
        "incentives_whatif.png"]
    table = read_csv(out / "incentives.csv")
    assert list(table["manager_id"]) == ["M1", "M2", "M3"]
    assert list(table["reward"]) == ["108.5", "-20", "0"]  # negative numbers stay numbers
    assert list(table["old_reward"]) == ["45", "-20", "0"]
    assert list(table["arrears_rate"]) == ["0.03", "0.2", "0"]
    assert list(table["threshold_applied"]) == ["true", "false", "true"]
    assert table.loc[0, "name"] == "'=HYPERLINK(1)"  # formula-like text escaped
    whatif = read_csv(out / "incentives_whatif.csv")
    assert list(whatif["num_handsets"]) == ["0", "10"]
    sheets = pd.read_excel(out / "incentives.xlsx", sheet_name=None)
    assert list(sheets) == ["incentives", "summary", "whatif", "settings"]
    assert sheets["incentives"]["reward"].tolist() == [108.5, -20, 0]
    assert (out / "incentives_whatif.png").read_bytes().startswith(b"\x89PNG")
    assert "M1" in output and "108" in output


def test_outputs_are_byte_identical_across_runs(tmp_path: Path) -> None:
    """Same inputs, same CSV bytes."""
    scenario = book(tmp_path)
    for name in ("a", "b"):
        assert run(str(scenario), "--out", str(tmp_path / name))[0] == 0
    for file in ("incentives.csv", "incentives_whatif.csv"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_chinese_headers(tmp_path: Path) -> None:
    """--lang zh: Chinese headers and 是/否, Chinese terminal title."""
    code, output = run(str(book(tmp_path)), "--out", str(tmp_path / "out"), "--lang", "zh")
    assert code == 0, output
    table = read_csv(tmp_path / "out" / "incentives.csv")
    assert "新方案奖励" in table.columns and "旧方案奖励" in table.columns
    assert list(table["阈值内免罚"]) == ["是", "否", "是"]
    assert "激励方案" in output


def test_subscribers_option_overrides_the_scenario(tmp_path: Path) -> None:
    """--subscribers FILE wins over data.subscribers; without either it is a usage error."""
    scenario = book(tmp_path, with_default=False)
    code, output = run(str(scenario))
    assert code == 2 and "--subscribers" in output
    other = tmp_path / "other.csv"
    other.write_text("subscriber_id,manager,tenure_months,revenue,arrears\nX,M3,3,10,0\n",
                     encoding="utf-8")
    code, output = run(str(scenario), "--subscribers", str(other), "--out", str(tmp_path / "o"))
    assert code == 0, output
    assert list(read_csv(tmp_path / "o" / "incentives.csv")["num_subscribers"]) == ["0", "0", "1"]


def test_coef_profit_not_above_coef_in_network_is_rejected(tmp_path: Path) -> None:
    """coef_profit ≤ coef_in_network: exit 2, the message names the setting, nothing written."""
    code, output = run(str(book(tmp_path)), "--set", "incentives.coef_profit=0.02",
                       "--out", str(tmp_path / "out"))
    assert code == 2
    assert "coef_profit" in output and "greater than coef_in_network" in output
    assert not (tmp_path / "out").exists()


def test_bad_rows_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    """Bad cells: exit 2, every one named by file, row and column; no output folder."""
    bad = (SUBSCRIBERS
           + "S5,M9,000001,3,100,0,0\n"  # row 6: unknown manager
           + "S6,M1,000001,x,100,0,0\n"  # row 7: tenure not a number
           + "S2,M1,000001,3,-4,0,0\n")  # row 8: duplicate id, negative revenue
    code, output = run(str(book(tmp_path, bad)), "--out", str(tmp_path / "out"))
    assert code == 2
    for place in ("subs.csv row 6, manager", "subs.csv row 7, tenure_months",
                  "subs.csv row 8, subscriber_id", "subs.csv row 8, revenue"):
        assert place in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, words", [
    (["--whatif", "10,abc"], "abc"),
    (["--churn", "1.5"], "churn"),
    (["--as-of", "2024-13-01"], "--as-of"),
    (["--lang", "fr"], "en or zh"),
])
def test_bad_options_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    """Bad what-if numbers, profile, date or language: exit 2 with the option named."""
    code, output = run(str(book(tmp_path)), *args)
    assert code == 2
    assert words in output


def test_bundled_baseline_runs_out_of_the_box(tmp_path: Path) -> None:
    """The sample subscribers file matches the baseline managers and every branch occurs."""
    code, output = run(str(BASELINE), "--subscribers", str(SAMPLE), "--out", str(tmp_path))
    assert code == 0, output
    table = read_csv(tmp_path / "incentives.csv")
    assert list(table["manager_id"]) == [f"KM{i:03d}" for i in range(1, 19)]
    applied = set(table["threshold_applied"])
    assert applied == {"true", "false"}  # some managers above 5 %, most below
    assert (table["old_reward"].astype(float) < 0).any()  # the old scheme's fines bite
