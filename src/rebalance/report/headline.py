"""The figures a department head reads first, computed once for report.html and the workbook.

``headline(plan, lang)`` gives the counts of changes by kind (``pools.change_kind``), managers
inside every band before and after, the spread of revenue load against the fair share, the
required growth with derived targets against an equal split, the three largest changes and the
managers left outside a band with the reason (``report.outside.outside_band_reasons``).
``load_rows(plan)`` gives every rated manager's load as a share of their fair share, before and
after, in the order the charts draw them. Names stand beside ids everywhere (``labels.who``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rebalance.metrics import kind_counts, managers_outside, relative_devs
from rebalance.pools import METRICS, change_kind
from rebalance.report.labels import client_label, who

if TYPE_CHECKING:
    from rebalance.plan import Plan

NUM_LARGEST = 3


@dataclass(frozen=True)
class Change:
    """One client that changes hands: who, how much, from whom to whom, which kind."""

    client: str  # id and name
    revenue: float
    from_manager: str | None  # id and name; None for a new client
    to_manager: str
    kind: str  # pools.MOVE / HANDOVER / PLACEMENT


@dataclass(frozen=True)
class Decision:
    """A manager left outside a band, and why (in the report's language)."""

    manager: str  # id and name
    metric: str
    reason: str


@dataclass(frozen=True)
class Headline:
    """Page 1 of the report and the top of the workbook's summary sheet."""

    kinds: dict[str, int]  # metrics.kind_counts: moves / handovers / placements
    num_rated: int  # managers with a fair share (staying)
    inside_before: int
    inside_after: int
    revenue_spread_before: tuple[float, float] | None  # (lowest dev, highest dev)
    revenue_spread_after: tuple[float, float] | None
    growth_derived: tuple[float, float] | None  # (lowest, highest) required growth
    growth_equal_split: tuple[float, float] | None
    largest: tuple[Change, ...]
    decisions: tuple[Decision, ...]


@dataclass(frozen=True)
class LoadRow:
    """A rated manager's load per metric as a share of the fair share (1.0 = at the share)."""

    manager_id: str
    name: str
    before: dict[str, float | None]  # metric -> load / share, None when unrated in the metric
    after: dict[str, float | None]


def _range(values: Sequence[float | None]) -> tuple[float, float] | None:
    known = [v for v in values if v is not None]
    return (min(known), max(known)) if known else None


def _rated_order(plan: Plan) -> list[str]:
    """Rated managers, pool by pool in the managers table's order (as ``plot_loads`` draws)."""
    rated = {mid for (mid, _k) in plan.rules.shares if plan.rules.shares[(mid, _k)] > 0}
    order = {m.manager_id: i for i, m in enumerate(plan.problem.managers)}
    return sorted((m for m in rated if plan.problem.manager(m).staying),
                  key=lambda mid: (plan.rules.pool_of_manager.get(mid, -1), order[mid]))


def load_rows(plan: Plan) -> list[LoadRow]:
    """Every rated manager's relative load per metric, before and after (chart order)."""
    problem, rules = plan.problem, plan.rules
    before = relative_devs(problem, rules, problem.current_assignment)
    after = relative_devs(problem, rules, plan.client_to_manager)
    rows = []
    for mid in _rated_order(plan):
        rows.append(LoadRow(
            manager_id=mid,
            name=problem.manager(mid).name or "",
            before={k: (1 + before[(mid, k)]) if (mid, k) in before else None for k in METRICS},
            after={k: (1 + after[(mid, k)]) if (mid, k) in after else None for k in METRICS},
        ))
    return rows


def headline(plan: Plan, lang: str = "en") -> Headline:
    """The headline figures of a plan (texts such as reasons in ``lang``)."""
    from rebalance.report.outside import outside_band_reasons

    problem, rules = plan.problem, plan.rules
    assignment = plan.client_to_manager
    changes: list[Change] = []
    for client in problem.clients:
        manager = assignment.get(client.client_id)
        kind = change_kind(problem, client.client_id, manager)
        if kind is None or manager is None:
            continue
        changes.append(Change(client_label(problem, client.client_id), client.revenue,
                              who(problem, client.manager) or None, who(problem, manager), kind))
    changes.sort(key=lambda c: (-c.revenue, c.client))
    rated = _rated_order(plan)
    before = relative_devs(problem, rules, problem.current_assignment)
    after = relative_devs(problem, rules, assignment)
    targets = [plan.targets.targets[m.manager_id] for m in problem.managers
               if m.staying and m.manager_id in plan.targets.targets]
    reasons = outside_band_reasons(plan, lang)
    decisions = tuple(Decision(who(problem, mid), metric, reason)
                      for (mid, metric), reason in zip(plan.verdict.outside_band, reasons,
                                                       strict=True))
    return Headline(
        kinds=kind_counts(problem, assignment),
        num_rated=len(rated),
        inside_before=len(rated) - managers_outside(problem, plan.scenario, rules,
                                                    problem.current_assignment),
        inside_after=len(rated) - managers_outside(problem, plan.scenario, rules, assignment),
        revenue_spread_before=_range([before.get((mid, "revenue")) for mid in rated]),
        revenue_spread_after=_range([after.get((mid, "revenue")) for mid in rated]),
        growth_derived=_range([t.required_growth for t in targets]),
        growth_equal_split=_range([t.equal_split_growth for t in targets]),
        largest=tuple(changes[:NUM_LARGEST]),
        decisions=decisions,
    )
