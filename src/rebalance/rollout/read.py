"""Reading a schedule back (``rebalance check --schedule FILE``): the rows of a
``schedule.csv`` (client, wave, to manager) against a plan and the scenario's calendar."""

from __future__ import annotations

from pathlib import Path

from rebalance.data import Problem
from rebalance.errors import InputError, IssueCollector
from rebalance.io.tables import read_table
from rebalance.rollout.calendar import wave_dates
from rebalance.rollout.schedule import Book, Schedule, plan_changes
from rebalance.scenario.rollout import Rollout


def read_schedule(path: Path, problem: Problem, plan: Book | None, settings: Rollout,
                  encoding: str | None = None) -> tuple[dict[str, str | None], Schedule]:
    """(plan, schedule) from a schedule file. Without ``plan`` the plan is today's book with
    the schedule's changes; with one, the two must agree and every change must be scheduled.
    ``InputError`` (exit 2) lists every row that does not fit, with file and row."""
    table = read_table(Path(path), encoding, "schedule")
    issues = IssueCollector()
    dates = wave_dates(settings)
    wave_of: dict[str, int] = {}
    to: dict[str, str] = {}
    first_row: dict[str, int] = {}
    for row, record in table.items():
        cid, text, mid = record.get("client_id"), record.get("wave") or "", record.get(
            "to_manager")
        if cid is None or cid not in problem.client_index:
            issues.add_key("inputs.plan.client_unknown", file=table.name, row=row,
                           column="client_id", id=cid or "", table=problem.clients_source)
            continue
        if cid in first_row:
            issues.add_key("inputs.plan.client_twice", file=table.name, row=row,
                           column="client_id", id=cid, first=first_row[cid])
            continue
        first_row[cid] = row
        if not text.strip().isdigit() or not 1 <= int(text) <= len(dates):
            issues.add_key("rollout.check.bad_wave", file=table.name, row=row, column="wave",
                           text=text, waves=len(dates))
            continue
        date = record.get("effective_date")
        if date is not None and date != dates[int(text) - 1].isoformat():
            issues.add_key("rollout.check.other_date", file=table.name, row=row,
                           column="effective_date", text=date, wave=int(text),
                           date=dates[int(text) - 1].isoformat())
            continue
        if mid is None or mid not in problem.manager_index:
            issues.add_key("inputs.plan.manager_empty", file=table.name, row=row,
                           column="to_manager", id=cid)
            continue
        wave_of[cid], to[cid] = int(text), mid
        if plan is not None and plan.get(cid) != mid:
            issues.add_key("rollout.check.other_manager", file=table.name, row=row,
                           column="to_manager", id=cid, schedule=mid, plan=plan.get(cid) or "")
    full: dict[str, str | None] = dict(plan) if plan is not None else {
        **{c.client_id: c.manager for c in problem.clients}, **to}
    changes = plan_changes(problem, full)
    scheduled = {c.client_id for c in changes}
    for cid in wave_of:
        if cid not in scheduled:
            issues.add_key("rollout.check.not_a_change", file=table.name, id=cid)
    missing = [c.client_id for c in changes if c.client_id not in wave_of]
    if missing:
        issues.add_key("rollout.check.not_in_schedule", file=table.name, n=len(missing),
                       ids=", ".join(missing[:20]))
    if issues:
        raise InputError(table.named(issues.issues))
    return full, Schedule(changes, wave_of, dates)
