"""`rebalance compare` and `rebalance sweep`: figures side by side and the moves/balance curve."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from rebalance.cli import app  # noqa: E402
from rebalance.errors import InputError  # noqa: E402
from rebalance.whatif import (  # noqa: E402
    NO_PLAN,
    display_frame,
    format_value,
    gain_per_move,
    grid_points,
    markdown,
    no_plan_row,
    parse_grid,
)

DATA = Path(__file__).parent / "data" / "whatif"
TINY = DATA / "tiny.yaml"
CAPPED = DATA / "tiny_capped.yaml"
FAST = ["--set", "solver.time_limit=5", "--set", "solver.workers=2"]


def _run(*args: str | Path) -> tuple[int, str]:
    """Exit code and output (stdout and stderr) with line wrapping folded into spaces."""
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, " ".join(result.output.split())


def _read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


# --------------------------------------------------------------------------- pure parts


def test_parse_grid_keeps_keys_and_values_in_order() -> None:
    """Each --grid gives one key and its values as typed, in the order given."""
    grid = parse_grid(["continuity.max_moves=0, 2,4", "eligibility=strict,any"])
    assert grid == [("continuity.max_moves", ["0", "2", "4"]),
                    ("eligibility", ["strict", "any"])]


def test_parse_grid_reports_every_problem_at_once() -> None:
    """Missing '=', empty values and a repeated key are all listed in one InputError."""
    with pytest.raises(InputError) as info:
        parse_grid(["continuity.max_moves", "solver.seed=1,,2", "a.b=1", "a.b=2"])
    messages = [i.message for i in info.value.issues]
    assert len(messages) == 3
    assert "expected key=v1,v2" in messages[0]
    assert "empty value" in messages[1]
    assert "given twice" in messages[2]
    with pytest.raises(InputError, match="at least one --grid"):
        parse_grid([])


def test_grid_points_vary_the_first_key_slowest() -> None:
    """Combinations come in product order: the first grid key changes last."""
    points = grid_points([("a", ["1", "2"]), ("b", ["x", "y"])])
    assert points == [[("a", "1"), ("b", "x")], [("a", "1"), ("b", "y")],
                      [("a", "2"), ("b", "x")], [("a", "2"), ("b", "y")]]


def test_gain_per_move_is_the_excess_bought_by_each_extra_move() -> None:
    """Along the first key, per group of the other keys; empty at a group's start or no plan."""
    rows = pd.DataFrame({
        "cap": [0, 4, 8, 0, 4],
        "mode": ["s", "s", "s", "a", "a"],
        "moves": [0, 4, 6, 0, None],
        "balance_excess": [10.0, 6.0, 6.0, 8.0, None],
    })
    assert gain_per_move(rows, ["cap", "mode"]) == [None, 1.0, 0.0, None, None]


def test_display_frame_turns_the_table_and_shows_before_and_after() -> None:
    """A row per figure, a column per scenario; before → after pairs; — for no plan."""
    solved = {**no_plan_row("a", []), "status": "OPTIMAL", "moves": 3,
              "balance_excess": 1.23456, "managers_outside_before": 4,
              "managers_outside_after": 1, "revenue_max_dev_before": 0.5,
              "revenue_max_dev": 0.1, "note": ""}
    table = pd.DataFrame([solved, no_plan_row("b", ["locks contradict"])])
    shown = display_frame(table).set_index("figure")
    assert list(shown.columns) == ["a", "b"]
    assert shown.loc["moves", "a"] == "3"
    assert shown.loc["balance excess", "a"] == "1.235"
    assert shown.loc["managers outside a band (before → after)", "a"] == "4 → 1"
    assert shown.loc["revenue max |dev| (before → after)", "a"] == "50.0% → 10.0%"
    assert shown.loc["solver status", "b"] == NO_PLAN
    assert shown.loc["moves", "b"] == "—"
    zh = display_frame(table, "zh")
    assert zh.columns[0] == "数据项" and "调整客户数" in list(zh["数据项"])


def test_markdown_escapes_pipes_and_aligns_numbers_right() -> None:
    """The Markdown table is valid: header, alignment row, one line per row, | escaped."""
    text = markdown(pd.DataFrame({"figure": ["max |dev|"], "s1": ["10%"]}))
    assert text.splitlines() == ["| figure | s1 |", "|:---|---:|", "| max \\|dev\\| | 10% |"]


def test_format_value_shows_fractions_as_percent_and_blanks_as_dash() -> None:
    """Percent, counts, ratios and missing values are shown the way the tables promise."""
    assert format_value(0.1234, "pct") == "12.3%"
    assert format_value(7.0, "int") == "7"
    assert format_value(float("nan"), "num") == "—"
    assert format_value(None, "pct") == "—"


# --------------------------------------------------------------------------- compare


def test_compare_prints_and_writes_the_figures_side_by_side(tmp_path: Path) -> None:
    """Two scenarios solve; the CSV has a row each with the contract's figures; .md too."""
    out = tmp_path / "cmp.csv"
    code, output = _run("compare", TINY, CAPPED, "--out", out, *FAST)
    assert code == 0, output
    assert "balance excess" in output and "tiny_capped" in output
    rows = _read_csv(out)
    assert [r["scenario"] for r in rows] == ["tiny", "tiny_capped"]
    for key in ("status", "moves", "continuity_cost", "balance_excess",
                "managers_outside_after", "revenue_max_dev", "revenue_gini_before",
                "revenue_gini_after", "growth_spread"):
        assert key in rows[0], key
    assert all(r["status"] in ("OPTIMAL", "FEASIBLE") for r in rows)
    assert all(r["hard_rules_ok"] == "true" for r in rows)
    assert int(rows[1]["moves"]) <= 2  # tiny_capped: max_moves 2
    assert float(rows[0]["balance_excess"]) <= float(rows[1]["balance_excess"])

    md = tmp_path / "cmp.md"
    code, output = _run("compare", TINY, CAPPED, "--out", md, "--lang", "zh", *FAST)
    assert code == 0, output
    lines = md.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "| 数据项 | tiny | tiny_capped |"
    assert any(line.startswith("| 均衡超额 |") for line in lines)


def test_compare_unknown_key_in_a_child_scenario_is_exit_2_with_file_and_line(
        tmp_path: Path) -> None:
    """A misspelt key is reported with its file and line, nothing is solved or written."""
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {TINY}\nname: child\ncontinuity:\n  max_move: 3\n",
                     encoding="utf-8")
    out = tmp_path / "cmp.csv"
    code, output = _run("compare", TINY, child, "--out", out)
    assert code == 2
    assert f"{child}:4" in output.replace(" ", "") or f"{child}:4" in output
    assert "continuity.max_move" in output
    assert not out.exists()


def test_compare_keeps_going_past_a_scenario_without_a_plan(tmp_path: Path) -> None:
    """A scenario whose rules contradict each other is a NO_PLAN row; exit 1, CSV written."""
    child = tmp_path / "stuck.yaml"
    child.write_text(f"extends: {TINY}\nname: stuck\ncontinuity:\n  max_moves: 0\n"
                     "forbid:\n  - {client: '000101', manager: T01}\n", encoding="utf-8")
    out = tmp_path / "cmp.csv"
    code, output = _run("compare", TINY, child, "--out", out, *FAST)
    assert code == 1, output
    rows = _read_csv(out)
    assert [r["status"] for r in rows][1] == NO_PLAN
    assert rows[1]["note"]
    assert rows[0]["status"] in ("OPTIMAL", "FEASIBLE")


def test_compare_refuses_an_unknown_output_kind(tmp_path: Path) -> None:
    """--out must be .csv, .md or .html: exit 2 before solving."""
    code, output = _run("compare", TINY, "--out", tmp_path / "x.xlsx")
    assert code == 2
    assert ".csv, .md or .html" in output


# --------------------------------------------------------------------------- sweep


def test_sweep_writes_csv_and_plot_and_balance_never_worsens_with_more_moves(
        tmp_path: Path) -> None:
    """Over max_moves 0..8 moves stay under the cap and the balance excess never grows."""
    out = tmp_path / "sweep"
    code, output = _run("sweep", TINY, "--grid", "continuity.max_moves=0,1,2,4,8",
                        "--out", out, *FAST)
    assert code == 0, output
    rows = _read_csv(out / "sweep.csv")
    assert [int(r["continuity.max_moves"]) for r in rows] == [0, 1, 2, 4, 8]
    assert all(r["status"] in ("OPTIMAL", "FEASIBLE") for r in rows)
    moves = [int(r["moves"]) for r in rows]
    excess = [float(r["balance_excess"]) for r in rows]
    assert moves[0] == 0 and all(m <= cap for m, cap in zip(moves, [0, 1, 2, 4, 8], strict=True))
    assert all(b <= a + 1e-9 for a, b in zip(excess, excess[1:], strict=False)), excess
    assert excess[-1] < excess[0]
    assert rows[0]["gain_per_move"] == "" and rows[1]["gain_per_move"] != ""
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweep_over_two_keys_solves_every_combination(tmp_path: Path) -> None:
    """Two --grid options give their product, one CSV row each, grid columns first."""
    out = tmp_path / "sweep"
    code, output = _run("sweep", TINY, "--grid", "continuity.max_moves=0,4",
                        "--grid", "eligibility=strict,any", "--out", out, *FAST)
    assert code == 0, output
    rows = _read_csv(out / "sweep.csv")
    assert [(r["continuity.max_moves"], r["eligibility"]) for r in rows] == [
        ("0", "strict"), ("0", "any"), ("4", "strict"), ("4", "any")]
    assert list(rows[0])[:3] == ["continuity.max_moves", "eligibility", "scenario"]


def test_sweep_bad_grid_value_is_exit_2_before_solving(tmp_path: Path) -> None:
    """A value the scenario refuses (a negative cap) is bad input; no output is written."""
    out = tmp_path / "sweep"
    code, output = _run("sweep", TINY, "--grid", "continuity.max_moves=2,-1", "--out", out)
    assert code == 2
    assert "max_moves" in output
    assert not out.exists()


def test_sweep_zh_writes_chinese_headers(tmp_path: Path) -> None:
    """--lang zh: figure columns in Chinese (grid keys stay as typed)."""
    out = tmp_path / "sweep"
    code, output = _run("sweep", TINY, "--grid", "continuity.max_moves=0,2", "--out", out,
                        "--lang", "zh", *FAST)
    assert code == 0, output
    header = list(_read_csv(out / "sweep.csv")[0])
    assert header[0] == "continuity.max_moves"
    assert "均衡超额" in header and "调整客户数" in header
