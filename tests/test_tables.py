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
              "previous_manager_name", "manager", "manager_name", "moved", "kind", "locked",
              "reason"]
MANAGERS = ["manager_id", "name", "industry", "status", "clients_before", "clients_after",
            "revenue_before", "revenue_after", "revenue_share", "revenue_dev",
            "importance_before", "importance_after", "importance_share", "importance_dev",
            "target", "equal_split_target", "required_growth", "equal_split_growth"]
MOVES = ["client_id", "name", "kind", "exchange", "from_manager", "from_manager_name",
         "to_manager", "to_manager_name", "revenue", "importance", "reason"]


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
    assert list(df["manager_name"]) == ["赵六", "张三", "李四", "李四", "赵六"]
    assert list(df["kind"]) == ["move", "", "", "handover", "placement"]
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
    """Every changed client sorted by id, with its kind (move / handover / placement)."""
    problem = _book()
    df = moves_table(problem, AFTER, {"C001": "r1"}, exchanges={"C005": "E1"})
    assert list(df.columns) == MOVES
    assert list(df["client_id"]) == ["C001", "C004", "C005"]
    assert list(df["kind"]) == ["handover", "placement", "move"]
    assert list(df["exchange"]) == ["", "", "E1"]
    assert list(df["from_manager"]) == ["KM003", "", "KM001"]
    assert list(df["from_manager_name"]) == ["王五", "", "张三"]
    assert list(df["reason"]) == ["r1", "", ""]
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
                                "原客户经理姓名", "客户经理", "客户经理姓名", "是否调整",
                                "变动类型", "锁定", "调整原因", "B角客户经理", "地区"]
    assert list(zh["是否调整"]) == ["是", "否", "否", "否", "否"]
    assert list(zh["变动类型"]) == ["调整", "", "", "交接", "新客户分配"]
    managers = translate(managers_table(problem, rules, problem.current_assignment, AFTER), "zh")
    assert list(managers.columns)[:6] == ["客户经理编码", "姓名", "行业组", "状态",
                                          "调整前客户数", "调整后客户数"]
    assert list(managers["状态"]) == ["在岗", "在岗", "离职", "新入职"]
    moves = translate(moves_table(problem, AFTER), "zh")
    assert list(moves.columns) == ["客户编码", "客户名称", "变动类型", "交换编号", "调出客户经理",
                                   "调出客户经理姓名", "调入客户经理", "调入客户经理姓名",
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
