"""Adopting a plan with an intake (``rebalance adopt``, docs/intake.md "Review and adopt").

The next book holds the candidates the plan took in as clients (their rows from the
candidates file, under the clients table's own headers, with the adopted manager) and the
hires it used as active managers; the candidates left out go to the next book's
``candidates.csv``, for the next round. The next scenario names no candidates (solving the
next book proposes no moves), keeps the review's pins on candidates as ``locks:`` (they are
clients now) and forgets the intake's ids and hires (they are in the tables now).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from rebalance.data import Manager, Problem
from rebalance.review.sheets import ACTIVE, Sheet

if TYPE_CHECKING:
    from rebalance.check import Verdict
    from rebalance.scenario import Scenario

# the clients table's columns a placed candidate carries into the next book
CARRIED: tuple[str, ...] = ("client_id", "name", "industry", "revenue", "importance",
                            "potential")
CANDIDATES_FILE = "candidates.csv"


def _candidates_sheet(scenario: Scenario) -> Sheet:
    assert scenario.data.candidates is not None
    return Sheet(Path(scenario.data.candidates), scenario.data.encoding, "candidates")


def placed_rows(scenario: Scenario, clients: Sheet, plan: Mapping[str, str],
                relationship: str) -> list[dict[str, str | None]]:
    """Rows of the next clients table for the candidates ``plan`` takes in, in the
    candidates file's order, under ``clients``' headers (added when it lacks a column)."""
    sheet = _candidates_sheet(scenario)
    id_col = sheet.canon["client_id"]
    rows: list[dict[str, str | None]] = []
    for record in sheet.rows:
        cid = record.get(id_col) or ""
        if cid not in plan:
            continue
        row: dict[str, str | None] = {}
        for column in CARRIED:
            if column in sheet.canon:
                row[clients.column(column)] = record.get(sheet.canon[column])
        row[clients.column("manager")] = plan[cid]
        row[clients.column("relationship")] = relationship
        rows.append(row)
    return rows


def left_out(scenario: Scenario, plan: Mapping[str, str]) -> pd.DataFrame:
    """The candidates file without the candidates the plan took in (every column kept)."""
    sheet = _candidates_sheet(scenario)
    id_col = sheet.canon["client_id"]
    return sheet.frame([r for r in sheet.rows if (r.get(id_col) or "") not in plan])


def hire_rows(managers: Sheet, hires: tuple[Manager, ...]) -> list[dict[str, str | None]]:
    """Rows of the next managers table for the hires the plan uses (active from now on)."""
    rows = []
    for hire in hires:
        row: dict[str, str | None] = {managers.canon["manager_id"]: hire.manager_id,
                                      **({managers.canon["name"]: hire.name}
                                         if "name" in managers.canon else {}),
                                      managers.column("industry"): ";".join(hire.industries),
                                      managers.column("status"): ACTIVE[1 if managers.zh
                                                                        else 0],
                                      managers.column("fte"): f"{hire.fte:g}"}
        if hire.capacity is not None:
            row[managers.column("capacity")] = str(hire.capacity)
        rows.append(row)
    return rows


def next_scenario_fields(scenario: Scenario) -> dict[str, Any]:
    """What the next scenario changes with an intake: no candidates, pins as locks, the
    intake's ids and hires cleared."""
    have = {(p.client, p.manager) for p in scenario.locks}
    locks = [*(p.model_dump() for p in scenario.locks),
             *({"client": c, "manager": m} for c, m in scenario.intake.placed.items()
               if (c, m) not in have)]
    intake = scenario.resolved()["intake"]
    intake.update(required=[], excluded=[], placed={}, hires={})
    return {"locks": locks, "intake": intake}


def intake_csv(scenario: Scenario, base: Problem, book: Problem, plan: Mapping[str, str],
               verdict: Verdict,
               left_out: Mapping[str, tuple[str, dict[str, Any]]] | None = None) -> str:
    """intake.csv of an adopted plan (English headers), for the history; ``left_out``: the
    proven reasons of the plan's summary.json, when the plan came from an output folder."""
    from rebalance.intake.report import outcome_from_plan
    from rebalance.intake.table import intake_table
    from rebalance.pools import build_rules
    from rebalance.result import Result

    result = Result(status="FEASIBLE", client_to_manager=dict(plan), stages=(),
                    balance_excess=verdict.balance_excess,
                    continuity_cost=verdict.continuity_cost, objective=None, best_bound=None,
                    gap=None, wall_time=0.0, findings=(), seed=scenario.solver.seed,
                    verdict=verdict)
    outcome = outcome_from_plan(scenario, base, book, build_rules(book, scenario), result,
                                left_out)
    return intake_table(outcome, "en").to_csv(index=False)
