"""The diff tables: exactly the clients whose manager differs, per-manager changes that add
up, figures side by side, Chinese headers."""

from __future__ import annotations

from rebalance.review.diff import clients_table, diff_plans, figures_table, managers_table
from rebalance.review.plans import PlanView

FACTS = {"revenue": {"c1": 100.0, "c2": 50.0, "c3": 25.0, "c4": 10.0},
         "importance": {"c1": 3.0, "c2": 1.0, "c3": 2.0, "c4": 1.0}}
A = PlanView("A", {"c1": "M1", "c2": "M1", "c3": "M2", "c4": "M2"}, **FACTS,
             figures={"balance_excess": 1.5, "continuity_cost": 0.0, "moves": 0})
B = PlanView("B", {"c1": "M1", "c2": "M2", "c3": "M3", "c4": "M2"}, **FACTS,
             figures={"balance_excess": 0.25, "continuity_cost": 3.5, "moves": 2})


def test_clients_whose_manager_differs() -> None:
    """Only c2 and c3 changed manager; each row says from whom to whom."""
    df = clients_table(A, B)
    assert df[["client_id", "manager_a", "manager_b"]].values.tolist() == [
        ["c2", "M1", "M2"], ["c3", "M2", "M3"]]


def test_per_manager_changes_add_up() -> None:
    """M1 loses c2, M2 gains c2 and loses c3, M3 gains c3: clients, revenue and importance
    changes per manager, and they sum to zero over the managers."""
    df = managers_table(A, B).set_index("manager_id")
    assert df.loc["M1", "clients_change"] == -1 and df.loc["M1", "revenue_change"] == -50
    assert df.loc["M2", "clients_change"] == 0 and df.loc["M2", "revenue_change"] == 25
    assert df.loc["M2", "importance_change"] == -1
    assert df.loc["M3", "clients_b"] == 1 and df.loc["M3", "importance_b"] == 2
    assert df["revenue_change"].sum() == 0 and df["clients_change"].sum() == 0


def test_figures_side_by_side_and_chinese_headers() -> None:
    """Both objectives and the moves of A and B with the change B − A; zh headers."""
    df = figures_table(A, B)
    assert df["change"].tolist() == [-1.25, 3.5, 2]
    zh = diff_plans(A, B, "zh")
    assert list(zh["clients"].columns)[:4] == ["客户编码", "客户名称", "客户经理（A）",
                                                "客户经理（B）"]
    assert zh["figures"]["数据项"].tolist() == ["均衡超额", "关系成本", "调整客户数"]
