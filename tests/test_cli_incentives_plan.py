"""``rebalance incentives`` with a budget, on a plan, and in Chinese — as a planner types it."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from test_cli_incentives import BASELINE, SAMPLE, SUBSCRIBERS, book, read_csv, run

CJK = re.compile(r"[\u4e00-\u9fff]")


def money_sum(table: pd.DataFrame, column: str) -> float:
    return float(table[column].astype(float).sum())


# --------------------------------------------------------------------------- budget


@pytest.mark.parametrize("mix", ["{quantity: 0.2, in_network: 0.3, profit: 0.5}",
                                 "{quantity: 0.5, in_network: 0.1, profit: 0.4}"])
def test_budget_is_met_and_written(tmp_path: Path, mix: str) -> None:
    """--budget 20,000 on the sample: the written rewards add up to it within rounding; the
    calibration file gives the solved coefficients, each component's total and the fines."""
    out = tmp_path / "out"
    code, output = run(str(BASELINE), "--budget", "20,000", "--set", f"incentives.mix={mix}",
                       "--out", str(out), "--whatif", "0,50")
    assert code == 0, output
    table = read_csv(out / "incentives.csv")
    assert money_sum(table, "reward") == pytest.approx(20_000, abs=0.005 * len(table))
    cal = read_csv(out / "incentives_calibration.csv").set_index("component")
    assert float(cal.loc["total", "total"]) == 20_000
    parts = sum(float(cal.loc[c, "total"]) for c in ("quantity", "in_network", "profit"))
    assert parts + float(cal.loc["fines", "total"]) == pytest.approx(20_000, abs=0.02)
    coef = {row["setting"]: float(row["coefficient"]) for _, row in cal.iterrows()
            if row["setting"]}
    assert coef["coef_profit"] > coef["coef_in_network"] > 0
    assert f"{coef['unit_reward']:.6g}" in output  # printed as well as written
    summary = dict(read_csv(out / "incentives_summary.csv").values.tolist())
    assert float(summary["new scheme total"]) == pytest.approx(20_000, abs=0.01)


def test_budget_old_on_the_bundled_sample_equals_the_old_total(tmp_path: Path) -> None:
    """--budget old: the new scheme's total equals the old scheme's on the same subscribers."""
    code, output = run(str(BASELINE), "--subscribers", str(SAMPLE), "--budget", "old",
                       "--out", str(tmp_path), "--whatif", "0")
    assert code == 0, output
    summary = dict(read_csv(tmp_path / "incentives_summary.csv").values.tolist())
    assert summary["new scheme total"] == summary["old scheme total"] == "3482.87"
    assert summary["budget (= old scheme's total)"] == "3482.87"
    table = read_csv(tmp_path / "incentives.csv")
    assert money_sum(table, "reward") == pytest.approx(3482.87, abs=0.005 * len(table))
    gain, lose = (int(summary[k]) for k in ("managers gaining vs the old scheme",
                                            "managers losing vs the old scheme"))
    assert gain + lose + int(summary["managers unchanged"]) == 18 and gain and lose


def test_budget_from_the_scenario(tmp_path: Path) -> None:
    """incentives.budget in the scenario calibrates without --budget; --budget wins."""
    scenario = book(tmp_path)
    code, output = run(str(scenario), "--set", "incentives.budget=500", "--out",
                       str(tmp_path / "a"), "--whatif", "0")
    assert code == 0, output
    assert money_sum(read_csv(tmp_path / "a" / "incentives.csv"), "reward") == \
        pytest.approx(500, abs=0.02)
    code, output = run(str(scenario), "--set", "incentives.budget=500", "--budget", "800",
                       "--out", str(tmp_path / "b"), "--whatif", "0")
    assert code == 0, output
    assert money_sum(read_csv(tmp_path / "b" / "incentives.csv"), "reward") == \
        pytest.approx(800, abs=0.02)


@pytest.mark.parametrize("args, words", [
    (["--budget", "-100"], ["fines of 50.00", "at least -50.00"]),
    (["--budget", "1000", "--set",
      "incentives.mix={quantity: 0.1, in_network: 0.8, profit: 0.1}"],
     ["coef_profit", "coef_in_network", "profit share must be more than"]),
])
def test_impossible_budget_exits_1_with_the_numbers(tmp_path: Path, args: list[str],
                                                    words: list[str]) -> None:
    """Fines alone above the budget, or a mix against coef_profit > coef_in_network: exit 1,
    the numbers in the message, nothing written."""
    code, output = run(str(book(tmp_path)), *args, "--out", str(tmp_path / "out"))
    assert code == 1, output
    for word in words:
        assert word in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, words", [
    (["--budget", "lots"], "--budget 'lots'"),
    (["--set", "incentives.mix={quantity: 0.5, in_network: 0.5, profit: 0.5}"], "add up to"),
    (["--set", "incentives.quantity_basis=yearly"], "quantity_basis"),
])
def test_bad_budget_or_settings_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    """A budget that is not a number or old, a mix not adding up to 1, an unknown basis."""
    code, output = run(str(book(tmp_path)), *args)
    assert code == 2, output
    assert words in output


# --------------------------------------------------------------------------- plans


def write_plan(tmp_path: Path, rows: str, chinese: bool = False) -> Path:
    head = "客户编码,客户经理\n" if chinese else "client_id,manager\n"
    path = tmp_path / ("方案.csv" if chinese else "plan.csv")
    path.write_text(head + rows, encoding="gb18030" if chinese else "utf-8")
    return path


@pytest.mark.parametrize("chinese", [False, True])
def test_rewards_follow_the_plan(tmp_path: Path, chinese: bool) -> None:
    """--assignment: client 000002's subscriber (S3) moves from M1 to M3 with it; the table
    shows the reward on the plan, on the current book and the change (English or Chinese
    plan headers, GB18030)."""
    plan = write_plan(tmp_path, "000001,M1\n000002,M3\n000003,M2\n", chinese)
    code, output = run(str(book(tmp_path)), "--assignment", str(plan), "--out",
                       str(tmp_path / "out"), "--whatif", "0")
    assert code == 0, output
    table = read_csv(tmp_path / "out" / "incentives.csv").set_index("manager_id")
    assert table["num_subscribers"].tolist() == ["2", "1", "1"]
    assert table["num_moved_subscribers"].tolist() == ["0", "0", "1"]
    # M1 keeps S1, S2: arrears 30 on revenue 200 is 15 %, above the threshold now that S3's
    # revenue has gone: 60 + 0.02×200 − 0.5×30 = 49. M3: S3, in-network 0.02×800 + profit
    # 0.05×(800 − 200) = 46 (no quantity reward: it reached 3 months long ago).
    assert table["reward"].tolist() == ["49", "-20", "46"]
    assert table["book_reward"].tolist() == ["108.5", "-20", "0"]
    assert table["plan_change"].tolist() == ["-59.5", "0", "46"]
    assert "1 subscribers follow 1 clients" in output
    assert "on the plan 1 managers earn more than on the current book, 1 less" in output
    summary = dict(read_csv(tmp_path / "out" / "incentives_summary.csv").values.tolist())
    assert summary["managers earning more on the plan than on the current book"] == "1"


def test_subscriber_whose_client_is_not_in_the_book_is_named(tmp_path: Path) -> None:
    """A client id the clients table does not know: exit 2 at its row and column."""
    bad = SUBSCRIBERS + "S5,M1,999999,3,100,0,0\n"
    code, output = run(str(book(tmp_path, bad)))
    assert code == 2
    assert 'subs.csv row 6, client_id: client "999999" is not in the clients table' in output


def test_subscriber_without_client_keeps_its_manager_on_a_plan(tmp_path: Path) -> None:
    """No client: the subscriber stays with its manager column whatever the plan does."""
    subs = SUBSCRIBERS + "S5,M2,,3,100,0,0\n"
    plan = write_plan(tmp_path, "000001,M3\n000002,M3\n000003,M3\n")
    code, output = run(str(book(tmp_path, subs)), "-a", str(plan), "--out",
                       str(tmp_path / "out"), "--whatif", "0")
    assert code == 0, output
    table = read_csv(tmp_path / "out" / "incentives.csv")
    assert table["num_subscribers"].tolist() == ["0", "1", "4"]


def test_budget_and_plan_outputs_are_byte_identical(tmp_path: Path) -> None:
    """Same inputs, plan and budget: the same bytes in every CSV."""
    scenario = book(tmp_path)
    plan = write_plan(tmp_path, "000001,M1\n000002,M3\n000003,M2\n")
    for name in ("a", "b"):
        code, _ = run(str(scenario), "-a", str(plan), "--budget", "old", "--out",
                      str(tmp_path / name))
        assert code == 0
    for file in sorted(p.name for p in (tmp_path / "a").glob("*.csv")):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


# --------------------------------------------------------------------------- language


def _english_words(text: str) -> set[str]:
    """Latin words of 3+ letters that are not ids, file names or the plan column's 'N'."""
    return {w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", text) if not w.startswith("KM")}


@pytest.mark.parametrize("how", ["option", "scenario"])
def test_every_output_under_zh_is_chinese(tmp_path: Path, how: str) -> None:
    """--lang zh (or lang: zh in the scenario): terminal, every CSV header and label, sheet
    names and settings are Chinese; money carries 元 and the period."""
    out = tmp_path / "out"
    args = ["--lang", "zh"] if how == "option" else ["--set", "lang=zh"]
    plan = str(write_plan(tmp_path, _sample_plan()))
    code, output = run(str(BASELINE), "--budget", "old", "-a", plan, *args, "--out", str(out))
    assert code == 0, output
    shown, wrote = output.split("已写入")  # the paths written come last
    shown = re.sub(r"\S*plan\.csv", "", shown)  # the plan's file name in the title
    assert "incentives.xlsx" in wrote.replace("\n", "")
    assert _english_words(shown) == set(), _english_words(shown)
    assert "元，每考核期 12 个月" in output
    for csv in out.glob("*.csv"):
        table = read_csv(csv)
        assert all(CJK.search(c) for c in table.columns), (csv.name, list(table.columns))
        for column in table.columns:
            for cell in table[column]:
                if cell != plan:  # the plan is named by its file
                    assert not _english_words(cell), (csv.name, column, cell)
    sheets = pd.read_excel(out / "incentives.xlsx", sheet_name=None)
    assert list(sheets) == ["激励", "汇总", "校准", "模拟", "参数"]
    settings = sheets["参数"]
    assert all(CJK.search(str(label)) for label in settings["参数"])
    assert {"增量", "预算（= 旧方案总额）"} <= set(settings["取值"].tolist())
    import openpyxl

    money = openpyxl.load_workbook(out / "incentives.xlsx")["激励"]["Q2"]  # 新方案奖励
    assert money.number_format == '#,##0.00 "元"'
    assert sheets["激励"].columns[16] == "新方案奖励"


def _sample_plan() -> str:
    """The bundled book as a plan, with its first client moved to KM018."""
    clients = pd.read_csv(BASELINE.parent / "data" / "clients.csv", encoding="gb18030",
                          dtype=str)
    ids, managers = clients.iloc[:, 0].tolist(), clients["客户经理"].tolist()
    managers[0] = "KM018"
    return "".join(f"{c},{m}\n" for c, m in zip(ids, managers, strict=True))


def test_whatif_plot_text_is_chinese_under_zh(monkeypatch: pytest.MonkeyPatch) -> None:
    """lang zh with a CJK font: title, axes and legend in Chinese, with 元 and the horizon;
    without a font: English with "yuan", so nothing is drawn as boxes."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rebalance.incentives import whatif
    from rebalance.report import plots
    from rebalance.scenario import Incentives

    rows = whatif([0, 100, 200], Incentives())
    font = plots.cjk_font() or "Noto Sans CJK SC"  # texts are checked, not glyphs
    for found, expect_cjk in ((font, True), (None, False)):
        monkeypatch.setattr(plots, "cjk_font", lambda found=found: found)
        fig, ax = plt.subplots()
        try:
            plots.plot_incentives_whatif(rows, currency="元", horizon_months=36, ax=ax,
                                         lang="zh")
            legend = ax.get_legend()
            assert legend is not None
            texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                     *(t.get_text() for t in legend.get_texts())]
        finally:
            plt.close(fig)
        if expect_cjk:
            assert all(CJK.search(text) for text in texts), texts
            assert "36 个月内的额外奖励（元）" in texts[2]
        else:
            assert not any(CJK.search(text) for text in texts), texts
            assert "36 months (yuan)" in texts[2]


def test_bad_rows_under_zh_are_chinese_at_the_files_own_column(tmp_path: Path) -> None:
    """--lang zh: the subscribers reader's messages are Chinese and name the column as the
    file spells it (客户经理, 收入), with the row."""
    subs = ("用户编码,客户经理,客户编码,在网月数,收入,欠费\n"
            "S1,M9,000001,3,100,0\n"    # row 2: unknown manager
            "S2,M1,999999,3,12万,0\n")  # row 3: unknown client, revenue not a number
    code, output = run(str(book(tmp_path, subs)), "--lang", "zh")
    assert code == 2
    # the place is Chinese too (第 N 行, full-width punctuation: rebalance.errors.Issue)
    assert 'subs.csv 第 2 行，客户经理：客户经理 "M9" 不在客户经理表中' in output
    assert 'subs.csv 第 3 行，客户编码：客户 "999999" 不在客户表中' in output
    assert 'subs.csv 第 3 行，收入："12万" 不是数字' in output


def test_rounded_coefficients_are_printed_with_their_gap(tmp_path: Path) -> None:
    """incentives.coefficient_digits=3: three-digit coefficients written, the total they pay
    and its gap to the budget printed; the written rewards add up to that total."""
    code, output = run(str(BASELINE), "--budget", "40000", "--set",
                       "incentives.coefficient_digits=3", "--out", str(tmp_path), "--whatif",
                       "0")
    assert code == 0, output
    cal = read_csv(tmp_path / "incentives_calibration.csv").set_index("component")
    assert cal.loc["quantity", "coefficient"] == "12.9"
    paid = float(cal.loc["total", "total"])
    assert paid != 40_000 and abs(paid - 40_000) < 200
    assert f"pays {paid:,.2f}, {paid - 40_000:+,.2f} from the budget" in output
    table = read_csv(tmp_path / "incentives.csv")
    assert money_sum(table, "reward") == pytest.approx(paid, abs=0.005 * len(table))


def test_the_calibrated_scheme_file_applies_the_coefficients_as_they_are(tmp_path: Path,
                                                                         ) -> None:
    """--budget writes incentives_scheme.yaml (extends the scenario, solved coefficients, no
    budget); running it pays the budget again without solving, and --subscribers carries
    over."""
    out = tmp_path / "cal"
    code, output = run(str(BASELINE), "--subscribers", str(SAMPLE), "--budget", "20000",
                       "--out", str(out), "--whatif", "0")
    assert code == 0, output
    text = (out / "incentives_scheme.yaml").read_text(encoding="utf-8")
    assert text.startswith("# The scheme calibrated to 20,000.00 元")
    assert "budget: null" in text and "extends: " in text and "subscribers: " in text
    code, output = run(str(out / "incentives_scheme.yaml"), "--out", str(tmp_path / "again"),
                       "--whatif", "0")
    assert code == 0, output
    assert not (tmp_path / "again" / "incentives_calibration.csv").exists()
    table = read_csv(tmp_path / "again" / "incentives.csv")
    assert money_sum(table, "reward") == pytest.approx(20_000, abs=0.005 * len(table))
