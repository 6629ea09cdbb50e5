"""Reading plans: a table of client -> manager (and backup), as ``check`` and ``targets`` take.

The plan must name every client of the book once and only known managers. The tool's own
``assignment.csv`` reads back exactly (its formula-escaped cells included, see
``read_table``); ids that lost their leading zeros (a CSV saved by Excel) are recognised.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rebalance.data import Problem
from rebalance.errors import InputError, Issue, IssueCollector
from rebalance.io.ids import client_suggester, lost_zeros, manager_suggester
from rebalance.io.tables import Table, read_table


def _restore_zeros(table: Table, problem: Problem, restore: bool) -> Table:
    """The plan with ids that lost their leading zeros (a CSV saved by Excel) put right when
    ``restore``; otherwise one issue that recognises it and offers the fix."""
    ids = [(r.get("client_id"), r.get("manager")) for r in table.records]
    # in file order, so the example the message gives is the first one in the file
    unknown_clients = dict.fromkeys(c for c, _ in ids
                                    if c is not None and c not in problem.client_index)
    unknown_managers = dict.fromkeys(m for _, m in ids
                                     if m is not None and m not in problem.manager_index)
    fix = {**lost_zeros(unknown_clients, problem.client_index),
           **lost_zeros(unknown_managers, problem.manager_index)}
    if not fix:
        return table
    if not restore:
        short, full = next(iter(fix.items()))
        raise InputError([Issue.of("inputs.plan.lost_zeros", file=table.name, n=len(fix),
                                   short=short, full=full)])
    records = tuple({**r, **{k: fix.get(v, v) for k, v in r.items()
                             if k in ("client_id", "manager", "backup_manager") and v}}
                    for r in table.records)
    return replace(table, records=records)


def read_assignment(path: Path, problem: Problem, encoding: str | None = None,
                    restore_zeros: bool = False, sheet: str | None = None,
                    optional: frozenset[str] = frozenset()) -> dict[str, str]:
    """Read a plan (client -> manager) and check it names every client of ``problem`` once
    and only known managers. Headers: client_id/客户编码 …, manager/客户经理/新客户经理.
    Ids that lost their leading zeros are an error offering the fix, or are put right when
    ``restore_zeros`` (``data.restore_zeros: true``). ``sheet``: the workbook sheet to read
    (default the first). ``optional``: clients the plan may leave out (candidates it did not
    take in)."""
    table = _restore_zeros(read_table(Path(path), encoding, "assignment", sheet=sheet), problem,
                           restore_zeros)
    issues = IssueCollector()
    name = table.name
    plan: dict[str, str] = {}
    first_row: dict[str, int] = {}
    suggest = manager_suggester(problem.managers)
    clients = client_suggester(problem.clients)
    for row, record in table.items():
        client_id = record.get("client_id")
        manager_id = record.get("manager")
        if client_id is None:
            issues.add_key("inputs.plan.client_empty", column="client_id", file=name, row=row)
            continue
        if client_id not in problem.client_index:
            near = clients.nearest(client_id)
            issues.add_key("inputs.plan.client_unknown" if near is None
                           else "inputs.plan.client_unknown_near", column="client_id",
                           file=name, row=row, id=client_id, table=problem.clients_source,
                           label=clients.label(near or ""))
            continue
        if client_id in first_row:
            issues.add_key("inputs.plan.client_twice", column="client_id", file=name, row=row,
                           id=client_id, first=first_row[client_id])
            continue
        first_row[client_id] = row
        if manager_id is None:
            issues.add_key("inputs.plan.manager_empty", column="manager", file=name, row=row,
                           id=client_id)
        elif manager_id not in problem.manager_index:
            found = suggest.nearest(manager_id)
            issues.add_key("inputs.manager.unknown" if found is None
                           else "inputs.manager.unknown_near", column="manager", file=name, row=row,
                           id=manager_id, table=problem.managers_source,
                           label=suggest.label(found or ""))
        else:
            plan[client_id] = manager_id
    missing = [c.client_id for c in problem.clients
               if c.client_id not in first_row and c.client_id not in optional]
    if missing:
        shown = ", ".join(missing[:20]) + (f" … (+{len(missing) - 20})"
                                           if len(missing) > 20 else "")
        issues.add_key("inputs.plan.missing", file=name, n=len(missing), ids=shown)
    if issues:
        raise InputError(table.named(issues.issues))
    return plan


def read_backups(path: Path, problem: Problem, encoding: str | None = None,
                 restore_zeros: bool = False) -> dict[str, str] | None:
    """client_id -> backup manager (B角) from a plan's ``backup_manager``/``B角客户经理`` column;
    ``None`` when the plan has no such column. Blank cells give ``""``. Ids are not judged
    here: ``read_assignment`` checks the clients, ``backup.check_backups`` the backups."""
    table = read_table(Path(path), encoding, "assignment")
    if "backup_manager" not in table.columns:
        return None
    table = _restore_zeros(table, problem, restore=True) if restore_zeros else table
    backups: dict[str, str] = {}
    for record in table.records:
        client_id = record.get("client_id")
        if client_id is not None and client_id in problem.client_index:
            backups.setdefault(client_id, record.get("backup_manager") or "")
    return backups
