"""Everything that can be known about a book before solving, in one place.

``validate`` and ``solve`` both run ``check_before_solving``:

- **contradictions**: hard rules that no plan can satisfy together — the counting checks of
  ``diagnose.contradictions`` (a lock to a manager who does not serve the client's industry,
  locks over a capacity, move caps below the moves no plan can avoid …) and, with backups
  enabled, clients no plan can give a backup (``backup.impossible_backups``: a single-manager
  industry group). Either means exit 1, no acceptable plan, before any model is built;
- **warnings**: legal, but probably a mistake — shown by both commands (and written in
  ``summary.json``), never a failure.

Bad cells and unknown ids are found earlier, while reading (``rebalance.io.read``).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from rebalance.backup import impossible_backups
from rebalance.data import Problem
from rebalance.diagnose import contradictions
from rebalance.errors import Issue
from rebalance.findings import Finding
from rebalance.pools import Rules
from rebalance.scenario import Scenario
from rebalance.targets import check_caps

WAN = 10_000  # one 万元 in 元: revenue whose typical client is below this looks like 万元


@dataclass(frozen=True)
class PreSolve:
    """What the book and scenario show before solving."""

    contradictions: tuple[Finding, ...]
    warnings: tuple[Issue, ...]

    def reasons(self, lang: str) -> list[str]:
        """The contradictions in ``lang``, one reason each."""
        from rebalance.report.findings import render_all

        return list(render_all(self.contradictions, lang))


def check_before_solving(problem: Problem, scenario: Scenario, rules: Rules,
                         counting: bool = True) -> PreSolve:
    """Contradictions between hard rules and warnings, without solving; ``InputError`` for
    target caps that contradict each other.

    ``counting=False`` leaves out ``diagnose.contradictions``: for ``solve``, whose engine runs
    exactly those checks first thing (``solve.solve``) and reports them the same way, so a
    large book does not pay for them twice (they still run here when another contradiction
    stops the run, so that every one is named at once).
    """
    check_caps(scenario)
    backups: list[Finding] = []
    if scenario.backup.enabled:
        backups = impossible_backups(problem, scenario, rules)
    # when this stops the run anyway, name every contradiction at once
    found = list(contradictions(problem, scenario, rules)) if counting or backups else []
    return PreSolve(tuple(found + backups), tuple(warnings(problem, scenario, rules)))


def warnings(problem: Problem, scenario: Scenario, rules: Rules) -> list[Issue]:
    """What is legal but probably a mistake, each with its place."""
    where = scenario.source.name if scenario.source else "scenario"
    out: list[Issue] = []
    for metric, band in scenario.balance.bands().items():
        if band.tolerance > 1:
            out.append(Issue.of("inputs.warn.tolerance", file=where, metric=metric,
                                tolerance=band.tolerance, percent=band.tolerance / 100))
    if "balance" in (scenario.priorities or ("balance",)) and not any(
            band.weight > 0 for band in scenario.balance.bands().values()):
        out.append(Issue.of("inputs.warn.no_balance", file=where))
    for pool in rules.pools:
        if len(pool.manager_ids) == 1:
            manager = problem.manager(pool.manager_ids[0])
            if manager.fte < 1 and pool.client_ids:
                out.append(Issue.of(
                    "inputs.warn.lone_part_time", file=problem.managers_source, row=manager.row,
                    column="fte", id=manager.manager_id, fte=manager.fte,
                    industries="、".join(pool.industries), n=len(pool.client_ids)))
    revenues = [c.revenue for c in problem.clients if c.revenue > 0]
    round_to = scenario.targets.round_to
    if revenues and round_to >= 1000:
        median = statistics.median(revenues)
        if median < WAN:
            out.append(Issue.of("inputs.warn.wan", file=problem.clients_source,
                                column="revenue", median=median, round_to=round_to))
    return out
