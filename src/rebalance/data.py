"""Solver-neutral problem data: clients, managers and the book they form.

Everything here is immutable and validated once, when a ``Problem`` is built. Readers in
``rebalance.io`` check each cell and report row/column; ``Problem`` checks what only the whole
book can show (duplicate ids, unknown managers, industries nobody serves) and uses the rows the
readers recorded so that its messages point at the same Excel rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from rebalance.errors import IssueCollector

Status = Literal["active", "leaving", "new"]
STATUSES: tuple[Status, ...] = ("active", "leaving", "new")


@dataclass(frozen=True)
class Client:
    """One group client (集团客户) as read from the clients table."""

    client_id: str
    industry: str
    revenue: float
    name: str = ""
    importance: int = 1
    manager: str | None = None  # current manager id; None = new, unassigned client
    relationship: float = 0.5
    potential: float | None = None
    locked: bool = False
    backup: str | None = None  # current backup (B角) manager id
    extra: Mapping[str, object] = field(default_factory=dict)  # unknown columns, carried through
    row: int | None = None  # Excel row in the source file, for messages


@dataclass(frozen=True)
class Manager:
    """One account manager (客户经理)."""

    manager_id: str
    industries: tuple[str, ...]
    name: str = ""
    capacity: int | None = None
    fte: float = 1.0
    status: Status = "active"
    extra: Mapping[str, object] = field(default_factory=dict)
    row: int | None = None

    @property
    def staying(self) -> bool:
        """True unless the manager is leaving (leaving managers must end with no clients)."""
        return self.status != "leaving"

    def serves(self, industry: str) -> bool:
        return industry in self.industries


@dataclass(frozen=True)
class Problem:
    """A validated book: clients, managers and where they were read from.

    Construction raises ``InputError`` listing every inconsistency at once.
    """

    clients: tuple[Client, ...]
    managers: tuple[Manager, ...]
    clients_source: str = "clients"
    managers_source: str = "managers"

    def __post_init__(self) -> None:
        object.__setattr__(self, "clients", tuple(self.clients))
        object.__setattr__(self, "managers", tuple(self.managers))
        issues = IssueCollector()
        cfile, mfile = self.clients_source, self.managers_source

        seen_m: dict[str, Manager] = {}
        for m in self.managers:
            if not m.manager_id:
                issues.add_key("inputs.book.manager_id_empty", file=mfile, row=m.row,
                               column="manager_id")
            elif m.manager_id in seen_m:
                first = seen_m[m.manager_id]
                issues.add_key("inputs.book.manager_id_twice", file=mfile, row=m.row,
                               column="manager_id", id=m.manager_id, first=first.row)
            else:
                seen_m[m.manager_id] = m
            if not m.fte > 0:
                issues.add_key("inputs.cell.fte", file=mfile, row=m.row, column="fte",
                               text=f"{m.fte:g}")
            if m.status not in STATUSES:
                issues.add_key("inputs.cell.status", file=mfile, row=m.row, column="status",
                               text=m.status)
            if m.capacity is not None and m.capacity < 0:
                issues.add_key("inputs.cell.negative", file=mfile, row=m.row, column="capacity",
                               what="capacity", text=m.capacity)
            if not m.industries:
                issues.add_key("inputs.book.no_industry", file=mfile, row=m.row,
                               column="industry")

        served = {ind for m in self.managers if m.staying for ind in m.industries}
        seen_c: dict[str, Client] = {}
        for c in self.clients:
            if not c.client_id:
                issues.add_key("inputs.plan.client_empty", file=cfile, row=c.row,
                               column="client_id")
            elif c.client_id in seen_c:
                first_client = seen_c[c.client_id]
                issues.add_key("inputs.book.client_id_twice", file=cfile, row=c.row,
                               column="client_id", id=c.client_id, first=first_client.row)
            else:
                seen_c[c.client_id] = c
            if not c.revenue >= 0:
                issues.add_key("inputs.cell.negative", file=cfile, row=c.row, column="revenue",
                               what="revenue", text=f"{c.revenue:g}")
            if not 1 <= c.importance <= 5:
                issues.add_key("inputs.cell.importance", file=cfile, row=c.row,
                               column="importance", text=c.importance)
            if not 0 <= c.relationship <= 1:
                issues.add_key("inputs.cell.relationship", file=cfile, row=c.row,
                               column="relationship", text=f"{c.relationship:g}")
            if c.potential is not None and not c.potential >= 0:
                issues.add_key("inputs.cell.negative", file=cfile, row=c.row, column="potential",
                               what="potential", text=f"{c.potential:g}")
            if c.manager is not None and c.manager not in seen_m:
                issues.add_key("inputs.manager.unknown", file=cfile, row=c.row,
                               column="manager", id=c.manager, table=mfile)
            if c.backup is not None and c.backup not in seen_m:
                issues.add_key("inputs.manager.unknown", file=cfile, row=c.row,
                               column="backup", id=c.backup, table=mfile)
            if c.industry and c.industry not in served:
                known = ", ".join(sorted(served)) or "none"
                issues.add_key("inputs.book.industry_unserved", file=cfile, row=c.row,
                               column="industry", industry=c.industry, known=known)
            elif not c.industry:
                issues.add_key("inputs.cell.empty", file=cfile, row=c.row, column="industry")
            if c.locked:
                owner = seen_m.get(c.manager) if c.manager else None
                if c.manager is None:
                    issues.add_key("inputs.book.locked_new", file=cfile, row=c.row,
                                   column="locked")
                elif owner is not None and not owner.staying:
                    issues.add_key("inputs.book.locked_leaving", file=cfile, row=c.row,
                                   column="locked", id=c.manager)
        issues.raise_if_any()

    @cached_property
    def client_index(self) -> dict[str, int]:
        """client_id -> position in ``clients``."""
        return {c.client_id: i for i, c in enumerate(self.clients)}

    @cached_property
    def manager_index(self) -> dict[str, int]:
        """manager_id -> position in ``managers``."""
        return {m.manager_id: j for j, m in enumerate(self.managers)}

    def client(self, client_id: str) -> Client:
        return self.clients[self.client_index[client_id]]

    def manager(self, manager_id: str) -> Manager:
        return self.managers[self.manager_index[manager_id]]

    @property
    def num_clients(self) -> int:
        return len(self.clients)

    @property
    def num_managers(self) -> int:
        return len(self.managers)

    @property
    def current_assignment(self) -> dict[str, str | None]:
        """client_id -> current manager id (None for new clients)."""
        return {c.client_id: c.manager for c in self.clients}
