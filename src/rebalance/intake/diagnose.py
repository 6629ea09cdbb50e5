"""Why an intake has no plan, in numbers: groups whose managers cannot hold their clients
plus the required candidates, else the required set named as a whole."""

from __future__ import annotations

from ortools.sat.python import cp_model

from rebalance.data import Problem
from rebalance.findings import Finding, finding
from rebalance.intake.model import IntakeBook
from rebalance.scenario import Scenario


def no_plan_findings(problem: Problem, scenario: Scenario, ibook: IntakeBook,
                     status: int) -> list[Finding]:
    """Why the intake model found no plan (coded: ``report.findings`` renders them)."""
    if status != cp_model.INFEASIBLE:
        return [finding("intake.finding.time", seconds=f"{scenario.solver.time_limit:g}")]
    out: list[Finding] = []
    required = set(ibook.required)
    for pool in ibook.rules.pools:
        managers = [ibook.problem.manager(m) for m in pool.manager_ids]
        if any(m.capacity is None for m in managers):
            continue
        cap = sum(m.capacity or 0 for m in managers)
        existing = sum(1 for c in problem.clients if c.client_id in set(pool.client_ids))
        needed = sum(1 for c in pool.client_ids if c in required)
        if existing + needed > cap:
            out.append(finding("intake.finding.room", group="/".join(pool.industries),
                            n=existing + needed, existing=existing, required=needed, cap=cap))
    if not out:
        out.append(finding("intake.finding.required", ids=", ".join(sorted(required)) or "-"))
    return out
