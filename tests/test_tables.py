"""Output tables and move reasons: exact columns, values, order, Chinese headers, reasons."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from rebalance.data import Client, Manager, Problem
from rebalance.io.read import read_assignment
from rebalance.io.write import write_csv
from rebalance.pools import Rules, build_rules
from rebalance.report import (
    assignment_table,
    backup_loads_from,
    managers_table,
    move_reasons,
    moves_table,
    translate,
)
from rebalance.scenario import Scenario

ASSIGNMENT = ["client_id", "name", "industry", "revenue", "importance", "previous_manager",
              "manager", "moved", "locked", "reason"]
MANAGERS = ["manager_id", "name", "industry", "status", "clients_before", "clients_after",
            "revenue_before", "revenue_after", "revenue_share", "revenue_dev",
            "importance_before", "importance_after", "importance_share", "importance_dev",
            "target", "equal_split_target", "required_growth", "equal_split_growth"]
MOVES = ["client_id", "name", "from_manager", "to_manager", "revenue", "importance", "reason"]


def _scenario(**fields: Any) -> Scenario:
    return Scenario.model_validate({"data": {"clients": "c.csv", "managers": "m.csv"}, **fields})


def _book() -> Problem:
    """One pool 'gov' of 3 staying managers (share 400 revenue each) and a leaving one.

    Before: KM001 holds 800 (+100 %), KM002 300 (−25 %), KM004 (new) nothing; KM003 leaves.
    """
    managers = (
        Manager("KM001", ("gov",), name="张三"),
        Manager("KM002", ("gov", "edu"), name="李四", extra={"备注": "组长", "reason": "x"}),
        Manager("KM003", ("gov",), name="王五", status="leaving"),
        Manager("KM004", ("gov",), name="赵六", status="new"),
    )
    clients = (
        Client("C005", "gov", 500.004, name="=HYPERLINK()", importance=5, manager="KM001",
               extra={"地区": "北京", "moved": "old", "客户经理": "dup"}),
        Client("C002", "gov", 300.0, name="乙", importance=3, manager="KM001", locked=True),
        Client("C003", "gov", 300.0, name="丙", importance=3, manager="KM002"),
        Client("C001", "gov", 100.0, name="甲", importance=1, manager="KM003"),
        Client("C004", "gov", 0.0, name="丁", importance=1),
    )
    return Problem(clients, managers)


AFTER = {"C005": "KM004", "C002": "KM001", "C003": "KM002", "C001": "KM002", "C004": "KM004"}


def _rules(problem: Problem, scenario: Scenario | None = None) -> Rules:
    return build_rules(problem, scenario or _scenario())


# --------------------------------------------------------------------------- assignment


def test_assignment_columns_exact_with_extras_last() -> None:
    """Contract columns in order, then unknown input columns; colliding names dropped."""
    problem = _book()
    df = assignment_table(problem, _rules(problem), AFTER, {})
    assert list(df.columns) == [*ASSIGNMENT, "地区"]
    df = assignment_table(problem, _rules(problem), AFTER, {}, backups={"C005": "KM002"})
    assert list(df.columns) == [*ASSIGNMENT, "backup_manager", "地区"]
    assert list(df["backup_manager"]) == ["KM002", "", "", "", ""]


def test_assignment_values_and_order() -> None:
    """Input order; moved per the contract (not for handovers or new clients); locked flags."""
    problem = _book()
    df = assignment_table(problem, _rules(problem), AFTER, {"C005": "why"})
    assert list(df["client_id"]) == ["C005", "C002", "C003", "C001", "C004"]
    assert list(df["moved"]) == [True, False, False, False, False]
    assert list(df["locked"]) == [False, True, False, False, False]
    assert list(df["previous_manager"]) == ["KM001", "KM001", "KM002", "KM003", ""]
    assert list(df["manager"]) == ["KM004", "KM001", "KM002", "KM002", "KM004"]
    assert df["revenue"].iloc[0] == 500.0  # money rounded to 2 decimals
    assert list(df["reason"]) == ["why", "", "", "", ""]
    assert df["importance"].dtype == "int64" and df["moved"].dtype == bool


# --------------------------------------------------------------------------- managers


def test_managers_columns_exact() -> None:
    """Contract columns + equal_split_growth, backup columns only with backups, extras last."""
    problem = _book()
    rules = _rules(problem)
    df = managers_table(problem, rules, problem.current_assignment, AFTER)
    assert list(df.columns) == [*MANAGERS, "备注"]  # extra "reason" collides, left out
    loads = backup_loads_from(problem, {"C005": "KM002", "C002": "KM002"})
    df = managers_table(problem, rules, problem.current_assignment, AFTER, backup_loads=loads)
    assert list(df.columns) == [*MANAGERS, "backup_clients", "backup_importance", "备注"]
    assert list(df["backup_clients"]) == [0, 2, 0, 0]
    assert list(df["backup_importance"]) == [0, 8, 0, 0]


def test_managers_values() -> None:
    """Loads before/after, fair shares and relative deviations (rounded), blank for leaving."""
    problem = _book()
    df = managers_table(problem, _rules(problem), problem.current_assignment, AFTER)
    by_id = df.set_index("manager_id")
    assert list(df["manager_id"]) == ["KM001", "KM002", "KM003", "KM004"]
    assert list(df["clients_before"]) == [2, 1, 1, 0]
    assert list(df["clients_after"]) == [1, 2, 0, 2]
    assert by_id.loc["KM002", "industry"] == "gov;edu"
    assert by_id.loc["KM001", "revenue_before"] == 800.0
    assert by_id.loc["KM001", "revenue_share"] == pytest.approx(400.0)  # 1200.004 / 3
    assert by_id.loc["KM001", "revenue_dev"] == pytest.approx(-0.25, abs=1e-4)
    assert by_id.loc["KM004", "revenue_dev"] == pytest.approx(0.25, abs=1e-4)
    share = float(df["importance_share"].iloc[3])
    assert share == pytest.approx(13 / 3, abs=1e-4) and round(share, 4) == share
    assert math.isnan(float(df["revenue_dev"].iloc[2]))
    assert by_id.loc["KM003", "status"] == "leaving"
    assert df["target"].isna().all()  # no target plan given


def test_managers_take_targets_from_plan() -> None:
    """Target columns read target / equal split / growth from plan.targets[manager_id]."""
    problem = _book()
    entry = SimpleNamespace(target=1234.567, equal_split_target=1000.0,
                            required_growth=0.123456, equal_split_growth=None)
    plan = SimpleNamespace(targets={"KM001": entry})
    df = managers_table(problem, _rules(problem), problem.current_assignment, AFTER, plan)
    row = df.iloc[0]
    assert (row["target"], row["equal_split_target"]) == (1234.57, 1000.0)
    assert row["required_growth"] == 0.1235
    assert pd.isna(row["equal_split_growth"]) and pd.isna(df.iloc[1]["target"])


# --------------------------------------------------------------------------- moves


def test_moves_columns_and_sorting() -> None:
    """Moves and handovers sorted by client id; new clients are not moves."""
    problem = _book()
    df = moves_table(problem, AFTER, {"C001": "r1"})
    assert list(df.columns) == MOVES
    assert list(df["client_id"]) == ["C001", "C005"]
    assert list(df["from_manager"]) == ["KM003", "KM001"]
    assert list(df["reason"]) == ["r1", ""]
    only_moves = moves_table(problem, AFTER, include_handovers=False)
    assert list(only_moves["client_id"]) == ["C005"]
    empty = moves_table(problem, problem.current_assignment)
    assert list(empty.columns) == MOVES and len(empty) == 0


# --------------------------------------------------------------------------- Chinese


def test_translate_zh_headers_and_labels() -> None:
    """Chinese headers, 是/否 for booleans, status in Chinese; extras keep their names."""
    problem = _book()
    rules = _rules(problem)
    zh = translate(assignment_table(problem, rules, AFTER, {}, backups={}), "zh")
    assert list(zh.columns) == ["客户编码", "客户名称", "行业", "收入", "重要程度", "原客户经理",
                                "客户经理", "是否调整", "锁定", "调整原因", "B角客户经理", "地区"]
    assert list(zh["是否调整"]) == ["是", "否", "否", "否", "否"]
    managers = translate(managers_table(problem, rules, problem.current_assignment, AFTER), "zh")
    assert list(managers.columns)[:6] == ["客户经理编码", "姓名", "行业组", "状态",
                                          "调整前客户数", "调整后客户数"]
    assert list(managers["状态"]) == ["在岗", "在岗", "离职", "新入职"]
    moves = translate(moves_table(problem, AFTER), "zh")
    assert list(moves.columns) == ["客户编码", "客户名称", "调出客户经理", "调入客户经理",
                                   "收入", "重要程度", "调整原因"]
    en = translate(moves_table(problem, AFTER), "en")
    assert list(en.columns) == MOVES


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_written_assignment_reads_back(tmp_path: Path, lang: str) -> None:
    """An assignment.csv in either language is read back by the input reader as the plan."""
    problem = _book()
    df = translate(assignment_table(problem, _rules(problem), AFTER, {}), lang)
    path = tmp_path / "assignment.csv"
    write_csv(df, path)
    assert read_assignment(path, problem) == AFTER


def test_tables_give_identical_csv_bytes(tmp_path: Path) -> None:
    """Building and writing the same tables twice gives byte-identical CSV files."""
    outputs = []
    for run in ("a", "b"):
        problem = _book()
        rules = _rules(problem)
        reasons = move_reasons(problem, _scenario(), rules, AFTER)
        path = tmp_path / f"{run}.csv"
        write_csv(managers_table(problem, rules, problem.current_assignment, AFTER), path)
        write_csv(assignment_table(problem, rules, AFTER, reasons), tmp_path / f"{run}2.csv")
        outputs.append((path.read_bytes(), (tmp_path / f"{run}2.csv").read_bytes()))
    assert outputs[0] == outputs[1]
    assert "'=HYPERLINK()" in outputs[0][1].decode("utf-8-sig")


# --------------------------------------------------------------------------- reasons


def test_reasons_name_the_band_repaired() -> None:
    """A move names the loser's worst out-of-band metric and the gainer's standing, en and zh."""
    problem = _book()
    rules = _rules(problem)
    en = move_reasons(problem, _scenario(), rules, AFTER)
    assert en["C005"] == "KM001 → KM004: KM001 revenue +100 % over fair share, KM004 −100 % under"
    assert en["C001"] == "KM003 → KM002: KM003 is leaving"
    assert en["C004"] == "new client → KM004"
    assert en["C002"] == "locked"
    assert en["C003"] == ""
    zh = move_reasons(problem, _scenario(), rules, AFTER, lang="zh")
    assert zh["C005"] == "KM001 → KM004：KM001 收入超出公平份额 100%，KM004 低于 100%"
    assert zh["C001"] == "KM003 → KM002：KM003 离职"
    assert zh["C004"] == "新客户 → KM004"
    assert zh["C002"] == "锁定"


def test_reason_picks_largest_excess_over_tolerance() -> None:
    """With revenue within band but client count far over, the reason names client count."""
    managers = (Manager("KM1", ("A",)), Manager("KM2", ("A",)))
    clients = (
        Client("C1", "A", 10.0, manager="KM1"),
        Client("C2", "A", 10.0, manager="KM1"),
        Client("C3", "A", 10.0, manager="KM1"),
        Client("C4", "A", 30.0, manager="KM2"),
    )
    problem = Problem(clients, managers)
    scenario = _scenario(balance={"revenue": {"tolerance": 0.1, "weight": 10},
                                  "importance": {"tolerance": 0.9, "weight": 5}})
    reasons = move_reasons(problem, scenario, build_rules(problem, scenario),
                           {"C1": "KM2", "C2": "KM1", "C3": "KM1", "C4": "KM2"})
    assert reasons["C1"] == "KM1 → KM2: KM1 client count +50 % over fair share, KM2 −50 % under"


def test_reason_gainer_under_and_balance_fallback() -> None:
    """Loser inside its bands: the gainer's shortfall is named; nothing out of band: balance."""
    managers = (Manager("KM1", ("A",)), Manager("KM2", ("A",)), Manager("KM3", ("A",)))
    clients = (
        Client("C1", "A", 100.0, manager="KM1"),
        Client("C2", "A", 100.0, manager="KM2"),
        Client("C3", "A", 100.0, manager="KM2"),
    )
    problem = Problem(clients, managers)
    scenario = _scenario(balance={"revenue": {"tolerance": 0.6, "weight": 10},
                                  "importance": {"tolerance": 0.6, "weight": 5},
                                  "clients": {"tolerance": 0.6, "weight": 1}})
    rules = build_rules(problem, scenario)
    reasons = move_reasons(problem, scenario, rules, {"C1": "KM3", "C2": "KM2", "C3": "KM2"})
    assert reasons["C1"] == "KM1 → KM3: KM3 revenue −100 % under fair share, KM1 at 0 %"
    reasons = move_reasons(problem, scenario, rules, {"C1": "KM2", "C2": "KM2", "C3": "KM2"})
    assert reasons["C1"] == "KM1 → KM2: balance"
    zh = move_reasons(problem, scenario, rules, {"C1": "KM2", "C2": "KM2", "C3": "KM2"}, "zh")
    assert zh["C1"] == "KM1 → KM2：均衡调整"


def test_reasons_for_rules() -> None:
    """Forbidden pair, scenario lock, protection and capacity each give their own reason."""
    managers = (Manager("KM1", ("A",), capacity=1), Manager("KM2", ("A",)),
                Manager("KM3", ("A",)))
    clients = (
        Client("C1", "A", 100.0, importance=5, manager="KM1"),
        Client("C2", "A", 100.0, manager="KM1"),
        Client("C3", "A", 100.0, manager="KM1"),
        Client("C4", "A", 100.0, manager="KM2"),
    )
    problem = Problem(clients, managers)
    scenario = _scenario(forbid=[{"client": "C2", "manager": "KM1"}],
                         locks=[{"client": "C4", "manager": "KM3"}],
                         continuity={"protect_importance": 5})
    rules = build_rules(problem, scenario)
    after = {"C1": "KM1", "C2": "KM2", "C3": "KM3", "C4": "KM3"}
    en = move_reasons(problem, scenario, rules, after)
    assert en["C1"] == "protected (importance ≥ 5)"
    assert en["C2"] == "KM1 → KM2: KM1 may not serve this client (forbidden pair)"
    assert en["C3"] == "KM1 → KM3: KM1 over capacity (3 > 1)"
    assert en["C4"] == "KM2 → KM3: locked to KM3 in the scenario"
    zh = move_reasons(problem, scenario, rules, after, "zh")
    assert zh["C2"] == "KM1 → KM2：KM1 不得服务该客户（禁止配对）"
    assert zh["C4"] == "KM2 → KM3：方案锁定至 KM3"


def test_reasons_reject_unknown_language() -> None:
    """A typo in the language is an error, not silently English."""
    problem = _book()
    with pytest.raises(ValueError, match="language"):
        move_reasons(problem, _scenario(), _rules(problem), AFTER, lang="fr")
