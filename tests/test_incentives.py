"""The incentive scheme: hand-computed rewards, the subscribers reader and the what-if."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from rebalance.errors import InputError
from rebalance.incentives import (
    HandsetProfile,
    Subscriber,
    complete_months,
    compute_rewards,
    manager_reward,
    read_subscribers,
    rewards_table,
    settings_table,
    whatif,
    whatif_period_book,
    whatif_table,
)
from rebalance.scenario import Incentives

# unit 30, coef 0.02 / 0.05, threshold 5 %, fine 0.5, months 3/6/24; the stock reading, which
# the hand-computed figures below use (flow has its own tests)
DEFAULTS = Incentives(quantity_basis="stock")


def sub(sid: str, manager: str, tenure: float, revenue: float, terminal: float = 0.0,
        arrears: float = 0.0) -> Subscriber:
    return Subscriber(sid, manager, tenure_months=tenure, revenue=revenue,
                      terminal_cost=terminal, arrears=arrears)


# Manager A: below the threshold, every tenure boundary (2 | 3, 5 | 6, 23 | 24).
TINY = [
    sub("a1", "A", 2, 100),
    sub("a2", "A", 3, 200, terminal=500, arrears=10),
    sub("a3", "A", 6, 300),
    sub("a4", "A", 24, 1000, terminal=400, arrears=20),
    sub("a5", "A", 23, 400),
    # B: arrears rate exactly 5 % (10 / 200): still "at or below", no fine
    sub("b1", "B", 30, 100, arrears=10),
    sub("b2", "B", 5, 100),
    # C: above the threshold (11 %), with a zero-revenue newcomer
    sub("c1", "C", 24, 100, arrears=11),
    sub("c2", "C", 1, 0),
    # D: no revenue but arrears: infinite rate, above any threshold
    sub("d1", "D", 4, 0, arrears=50),
    # E: no revenue, no arrears: rate 0
    sub("e1", "E", 0, 0),
]


def rewards_by_id() -> dict[str, object]:
    return {r.manager_id: r for r in compute_rewards(TINY, DEFAULTS)}


def test_below_threshold_with_tenure_boundaries() -> None:
    """Tenure exactly 3, 6, 24 counts; 2, 5, 23 does not; arrears deducted inside profit."""
    a = rewards_by_id()["A"]
    assert a.num_quantity == 4  # a2 (3), a3, a4, a5 — not a1 (2)
    assert a.quantity_reward == pytest.approx(120)  # 30 × 4
    assert a.revenue_in_network == pytest.approx(1700)  # a3 300 + a4 1000 + a5 400
    assert a.in_network_reward == pytest.approx(34)  # 0.02 × 1700
    assert a.profit_base == pytest.approx(600)  # a4 only: 1000 − 400
    assert a.arrears_rate == pytest.approx(30 / 2000)
    assert a.threshold_applied
    assert a.arrears_deduction == pytest.approx(1.5)  # 0.05 × 30
    assert a.profit_reward == pytest.approx(28.5)  # 0.05 × 600 − 1.5
    assert a.fine == 0
    assert a.reward == pytest.approx(182.5)  # 120 + 34 + 28.5
    # old scheme: a1, a2, a3 are new (tenure < 12): 3 × 30 − 0.5 × 30
    assert (a.num_new, a.old_bonus, a.old_fine, a.old_reward) == (3, 90, 15, 75)
    assert a.difference == pytest.approx(107.5)


def test_rate_exactly_at_threshold_is_not_fined() -> None:
    """5 % arrears with a 5 % threshold: no fine, arrears deducted, no terminal cost."""
    b = rewards_by_id()["B"]
    assert b.arrears_rate == pytest.approx(0.05)
    assert b.threshold_applied
    assert b.quantity_reward == pytest.approx(60)
    assert b.in_network_reward == pytest.approx(2)  # b1 only (b2 has 5 months)
    assert b.profit_reward == pytest.approx(4.5)  # 0.05 × (100 − 0) − 0.05 × 10
    assert b.fine == 0
    assert b.reward == pytest.approx(66.5)
    assert b.old_reward == pytest.approx(25)  # b2 new: 30 − 0.5 × 10


def test_above_threshold_is_fined_and_not_deducted() -> None:
    """11 % arrears: fine = 0.5 × arrears, profit reward without deduction."""
    c = rewards_by_id()["C"]
    assert c.arrears_rate == pytest.approx(0.11)
    assert not c.threshold_applied
    assert c.arrears_deduction == 0
    assert c.profit_reward == pytest.approx(5)  # 0.05 × 100
    assert c.fine == pytest.approx(5.5)
    assert c.reward == pytest.approx(30 + 2 + 5 - 5.5)
    assert c.old_reward == pytest.approx(30 - 5.5)


def test_zero_revenue_rules() -> None:
    """Revenue 0 with arrears: infinite rate, fined; revenue 0 without arrears: rate 0."""
    got = rewards_by_id()
    d, e = got["D"], got["E"]
    assert math.isinf(d.arrears_rate) and not d.threshold_applied
    assert d.fine == pytest.approx(25)
    assert d.reward == pytest.approx(30 - 25)
    assert e.arrears_rate == 0 and e.threshold_applied
    assert e.reward == 0 and e.old_reward == pytest.approx(30)


def test_settings_change_the_tiers_and_coefficients() -> None:
    """Month thresholds and coefficients are settings, not constants."""
    s = Incentives(unit_reward=10, coef_in_network=0.1, coef_profit=0.2, months_quantity=2,
                   months_in_network=3, months_profit=6, arrears_threshold=0.0, fine_rate=1,
                   old_unit_reward=5, new_months=4, quantity_basis="stock")
    a = manager_reward("A", [x for x in TINY if x.manager == "A"], s)
    assert a.quantity_reward == pytest.approx(50)  # all five have tenure ≥ 2
    assert a.in_network_reward == pytest.approx(0.1 * 1900)  # all but a1
    assert a.profit_base == pytest.approx(300 + 600 + 400)  # a3, a4, a5
    assert not a.threshold_applied and a.fine == pytest.approx(30)
    assert a.reward == pytest.approx(50 + 190 + 0.2 * 1300 - 30)
    assert a.old_reward == pytest.approx(5 * 2 - 30)  # a1, a2 new (< 4 months)


def test_coef_profit_must_exceed_coef_in_network() -> None:
    """The proposal requires coefficient 2 > coefficient 1; equal or lower is rejected."""
    with pytest.raises(ValidationError, match="coef_profit"):
        Incentives(coef_in_network=0.05, coef_profit=0.05)
    with pytest.raises(ValidationError, match="coef_profit"):
        Incentives(coef_in_network=0.05, coef_profit=0.01)


def test_managers_of_the_book_all_get_a_row_in_book_order() -> None:
    """Book managers without subscribers get zeros; others follow sorted by id."""
    rows = compute_rewards(TINY, DEFAULTS, managers=[("Z", "Zed"), ("B", "Bee")])
    assert [r.manager_id for r in rows] == ["Z", "B", "A", "C", "D", "E"]
    assert rows[0].name == "Zed" and rows[0].num_subscribers == 0 and rows[0].reward == 0


def test_reward_table_en_and_zh() -> None:
    """Tables: rounded money, blank infinite rate, yes/no in Chinese, Chinese headers."""
    rewards = compute_rewards(TINY, DEFAULTS)
    en = rewards_table(rewards, DEFAULTS)
    assert list(en["manager_id"]) == ["A", "B", "C", "D", "E"]
    assert en.loc[0, "reward"] == 182.5
    assert list(en["threshold_applied"]) == [True, True, False, False, True]
    assert math.isnan(en.loc[3, "arrears_rate"])
    zh = rewards_table(rewards, DEFAULTS, "zh")
    assert "新方案奖励" in zh.columns and "旧方案奖励" in zh.columns
    assert list(zh["阈值内免罚"]) == ["是", "是", "否", "否", "是"]
    assert set(en["currency"]) == {"元"} and set(zh["考核期月数"]) == {12}
    assert list(settings_table(DEFAULTS)["setting"])[:3] == ["unit_reward", "coef_in_network",
                                                              "coef_profit"]


# --------------------------------------------------------------------------- reader


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_reader_accepts_chinese_headers_gb18030_and_blank_money(tmp_path: Path) -> None:
    """Chinese aliases, GB18030 encoding, blank terminal cost/arrears as 0, ids as text."""
    path = write(tmp_path / "subs.csv",
                 "用户编码,客户经理,客户编码,在网月数,收入,终端成本,欠费,备注\n"
                 "00123,KM001,000045,24,\"1,200.5\",,,老用户\n"
                 "00124,KM001,000045,3,0,800,12,\n", "gb18030")
    subs = read_subscribers(path)
    assert subs[0] == Subscriber("00123", "KM001", 24.0, 1200.5, 0.0, 0.0, "000045", row=2)
    assert subs[1].terminal_cost == 800 and subs[1].arrears == 12 and subs[1].row == 3


def test_reader_reads_xlsx(tmp_path: Path) -> None:
    """An Excel subscribers table is read like a CSV one."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["subscriber_id", "manager", "tenure_months", "revenue", "arrears"])
    ws.append(["S1", "KM001", 7, 120.5, 0])
    wb.save(tmp_path / "subs.xlsx")
    (s,) = read_subscribers(tmp_path / "subs.xlsx")
    assert (s.subscriber_id, s.tenure_months, s.revenue, s.terminal_cost) == ("S1", 7, 120.5, 0)


def test_reader_names_every_bad_cell_by_row_and_column(tmp_path: Path) -> None:
    """All problems at once: file, Excel row and column for each bad cell."""
    path = write(tmp_path / "subs.csv",
                 "subscriber_id,manager,tenure_months,revenue,terminal_cost,arrears\n"
                 "S1,KM001,3,100,0,0\n"
                 "S2,KM001,3,12万,0,0\n"
                 "S3,KM001,-1,100,0,0\n"
                 "S1,KM001,3,100,-5,0\n"
                 "S5,KM099,3,100,0,abc\n"
                 "S6,,,100,0,0\n")
    with pytest.raises(InputError) as caught:
        read_subscribers(path, known_managers=["KM001"], managers_source="managers.xlsx")
    places = {(i.file, i.row, i.column) for i in caught.value.issues}
    assert places == {
        ("subs.csv", 3, "revenue"),
        ("subs.csv", 4, "tenure_months"),
        ("subs.csv", 5, "subscriber_id"),
        ("subs.csv", 5, "terminal_cost"),
        ("subs.csv", 6, "manager"),
        ("subs.csv", 6, "arrears"),
        ("subs.csv", 7, "manager"),
        ("subs.csv", 7, "tenure_months"),
    }
    text = caught.value.render()
    assert '"12万" is not a number' in text
    assert 'duplicate subscriber id "S1" (first seen in row 2)' in text
    assert 'manager "KM099" is not in the managers table (managers.xlsx)' in text


def test_reader_lists_aliases_of_missing_columns(tmp_path: Path) -> None:
    """A missing required column is named with the headers accepted for it."""
    path = write(tmp_path / "subs.csv", "用户编码,收入\nS1,100\n")
    with pytest.raises(InputError) as caught:
        read_subscribers(path)
    text = caught.value.render()
    for column in ("manager", "arrears", "tenure_months"):
        assert f'missing required column "{column}"' in text
    assert '"客户经理"' in text and '"欠费"' in text and '"在网月数"' in text


def test_tenure_from_activation_date(tmp_path: Path) -> None:
    """Without tenure_months, whole months from activation_date to the as-of date."""
    path = write(tmp_path / "subs.csv",
                 "subscriber_id,manager,入网日期,revenue,arrears\n"
                 "S1,KM001,2024-01-15,10,0\nS2,KM001,2024/01/16,10,0\n")
    subs = read_subscribers(path, as_of=dt.date(2024, 4, 15))
    assert [s.tenure_months for s in subs] == [3, 2]
    with pytest.raises(InputError, match="no as-of date"):
        read_subscribers(path)
    late = write(tmp_path / "late.csv", "subscriber_id,manager,activation_date,as_of,revenue,"
                 "arrears\nS3,KM001,2024-05-01,2024-04-30,1,0\n")
    with pytest.raises(InputError, match="after the as-of date") as caught:
        read_subscribers(late)
    assert (caught.value.issues[0].row, caught.value.issues[0].column) == (2, "activation_date")


def test_complete_months_month_end() -> None:
    """Whole months, with a month-end as-of date completing a longer month."""
    assert complete_months(dt.date(2024, 1, 15), dt.date(2024, 4, 15)) == 3
    assert complete_months(dt.date(2024, 1, 15), dt.date(2024, 4, 14)) == 2
    assert complete_months(dt.date(2024, 1, 31), dt.date(2024, 2, 29)) == 1
    assert complete_months(dt.date(2024, 1, 31), dt.date(2024, 2, 28)) == 0


# --------------------------------------------------------------------------- what-if


def test_whatif_hand_computed() -> None:
    """10 handsets, 2 non-payers, no base book: each period scored by hand (see comments)."""
    profile = HandsetProfile(monthly_revenue=100, subsidy=1000, churn=0.2, paid_months=3,
                             arrears_months=3, base_subscribers=0, period_months=12,
                             horizon_months=36)
    (row,) = whatif([10], DEFAULTS, profile)
    # period 1 (sold mid-period, tenure 6): revenue 10 × 600, arrears 2 × 300 → rate 10 %:
    #   new 30 × 10 + 0.02 × 6000 − 0.5 × 600 = 120; old 30 × 10 − 0.5 × 600 = 0
    # period 2 (8 stayers, tenure 18, revenue 1200): 30 × 8 + 0.02 × 9600 = 432
    # period 3 (tenure 30, subsidy counted once): 432 + 0.05 × (9600 − 8000) = 512
    assert row.num_churners == 2
    assert row.arrears_rate == pytest.approx(0.1) and not row.threshold_applied
    assert (row.old_bonus, row.old_fine, row.old_reward) == (300, 300, 0)
    assert row.new_quantity == pytest.approx(300 + 240 + 240)
    assert row.new_in_network == pytest.approx(120 + 192 + 192)
    assert row.new_profit == pytest.approx(80)
    assert row.new_fine == pytest.approx(300)
    assert row.new_reward == pytest.approx(120 + 432 + 512)


def test_whatif_subsidy_counted_once() -> None:
    """A stayer's handset subsidy appears in exactly one period's table."""
    profile = HandsetProfile(base_subscribers=0, horizon_months=60)
    costs = [sum(s.terminal_cost for s in whatif_period_book(5, profile, k, DEFAULTS))
             for k in range(1, profile.num_periods + 1)]
    assert sum(1 for c in costs if c > 0) == 1
    assert sum(costs) == pytest.approx(4 * 1200)  # 5 sold, 1 non-payer, 4 stayers


def test_whatif_threshold_crossing_with_defaults() -> None:
    """Default profile: book arrears (1152 + 57.6 N) / (115200 + 576 N) passes 5 % after 160."""
    rows = {r.num_handsets: r for r in whatif([0, 160, 180], DEFAULTS)}
    assert rows[0].new_reward == 0 and rows[0].old_reward == 0
    assert rows[160].threshold_applied and rows[160].arrears_rate == pytest.approx(0.05)
    assert not rows[180].threshold_applied
    assert rows[180].new_fine > 0
    # the fine on the whole book's arrears makes selling 20 more handsets cost money
    assert rows[180].new_reward < rows[160].new_reward


def test_whatif_old_scheme_penalises_selling_when_non_payers_are_many() -> None:
    """The proposal's diagnosis: at 30 % non-payers the old scheme loses money per handset."""
    profile = HandsetProfile(churn=0.3)
    rows = whatif([0, 50, 100], DEFAULTS, profile)
    assert rows[1].old_reward < 0 and rows[2].old_reward < rows[1].old_reward
    table = whatif_table(rows, DEFAULTS, profile, "zh")
    assert list(table["捆绑终端销量"]) == [0, 50, 100]


def test_profile_problems() -> None:
    """Impossible profiles are named in plain words."""
    bad = HandsetProfile(churn=1.5, period_months=12, horizon_months=6, subsidy=-1)
    text = " ".join(bad.problems())
    assert "churn" in text and "horizon_months" in text and "subsidy" in text
    assert HandsetProfile().problems() == []


def test_plot_whatif_draws_both_schemes() -> None:
    """One chart: old and new lines, crosses where the threshold no longer applies; the
    y axis names the currency and the horizon."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rebalance.report.plots import plot_incentives_whatif

    rows = whatif([0, 160, 200], DEFAULTS)
    fig, ax = plt.subplots()
    try:
        assert plot_incentives_whatif(rows, currency="USD", horizon_months=36, ax=ax) is ax
        assert len(ax.lines) >= 2
        assert len(ax.collections) == 1  # the crosses for N = 200
        assert "36 months (USD)" in ax.get_ylabel()
    finally:
        plt.close(fig)
