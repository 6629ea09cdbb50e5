"""A tiny real book for the review-loop tests, written as files a planner would have.

8 clients of one industry (GB18030 CSV, Chinese headers, an unknown ``备注`` column); four
managers: KM1 holds six clients, KM2 one, KM4 is leaving with one, KM3 is a new hire. Every
plan of the book (3 staying managers ^ 8 clients = 6,561) can be enumerated and priced by
``check``, so "optimal given the decisions" is proven without the solver.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path

from rebalance.check import Verdict, check
from rebalance.data import Problem
from rebalance.scenario import Scenario

CLIENTS = [
    # id, name, industry, revenue, importance, manager, relationship, note
    ("001", "甲公司", "政府", 900, 3, "KM1", 0.9, "老客户"),
    ("002", "乙公司", "政府", 400, 2, "KM1", 0.2, ""),
    ("003", "丙公司", "政府", 350, 1, "KM1", 0.4, "=SUM(A1)"),
    ("004", "丁公司", "政府", 300, 2, "KM1", 0.7, ""),
    ("005", "戊公司", "政府", 250, 1, "KM1", 0.1, ""),
    ("006", "己公司", "政府", 200, 1, "KM1", 0.5, ""),
    ("007", "庚公司", "政府", 150, 1, "KM2", 0.6, ""),
    ("008", "辛公司", "政府", 100, 1, "KM4", 0.8, ""),
]
MANAGERS = [("KM1", "张伟", "政府", "在岗"), ("KM2", "王芳", "政府", "在岗"),
            ("KM3", "李娜", "政府", "新入职"), ("KM4", "刘洋", "政府", "离职")]
SCENARIO = """name: tiny
data:
  clients: clients.csv
  managers: managers.csv
solver:
  time_limit: 20
  workers: 2
"""


def write_book(folder: Path, locked: tuple[str, ...] = ()) -> Path:
    """Write clients.csv (GB18030), managers.csv and tiny.yaml into ``folder``; ``locked``
    clients get 锁定 = 是."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["客户编码,客户名称,行业,年收入,重要程度,客户经理,关系强度,备注,锁定"]
    lines += [",".join(str(v) for v in row) + ("," + ("是" if row[0] in locked else ""))
              for row in CLIENTS]
    (folder / "clients.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    mlines = ["工号,姓名,行业组,状态"] + [",".join(row) for row in MANAGERS]
    (folder / "managers.csv").write_text("\r\n".join(mlines) + "\r\n", encoding="utf-8")
    (folder / "tiny.yaml").write_text(SCENARIO, encoding="utf-8")
    return folder / "tiny.yaml"


def all_plans(problem: Problem, scenario: Scenario,
              holds: Mapping[str, str]) -> Iterator[tuple[dict[str, str], Verdict]]:
    """Every plan that gives each client a staying manager and keeps ``holds``, priced."""
    staying = [m.manager_id for m in problem.managers if m.staying]
    ids = [c.client_id for c in problem.clients]
    for choice in itertools.product(staying, repeat=len(ids)):
        plan = dict(zip(ids, choice, strict=True))
        if all(plan[c] == m for c, m in holds.items()):
            yield plan, check(problem, scenario, plan)


def best(problem: Problem, scenario: Scenario,
         holds: Mapping[str, str]) -> tuple[float, float]:
    """The lexicographic optimum (balance excess, then continuity cost) given ``holds``."""
    return min((round(v.balance_excess, 6), round(v.continuity_cost, 6))
               for _, v in all_plans(problem, scenario, holds) if v.ok)
