"""The review columns of assignment.xlsx: ``decision`` on the moves sheet, ``pin`` on the
assignment sheet; written blank (or pre-filled), read back as ``Decisions``.

A planner edits them in Excel or WPS: ``reject`` / ``拒绝`` keeps a client with its previous
manager, ``accept`` / ``同意`` or blank leaves the move to the optimiser; a pin (``yes`` / ``是``
…) holds a client with the manager shown on its row. Every bad cell is reported with its sheet,
row and column, all at once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from rebalance.data import Problem
from rebalance.errors import InputError, Issue
from rebalance.i18n import both, t
from rebalance.io.read import FALSE_WORDS, TRUE_WORDS, Table
from rebalance.pools import Rules
from rebalance.review.plans import (
    ASSIGNMENT_SHEETS,
    MOVES_SHEETS,
    REVIEW_COLUMNS,
    header_map,
    read_sheet,
)

ACCEPT_WORDS = frozenset({*both("review.value.accept"), "accepted"})
REJECT_WORDS = frozenset({*both("review.value.reject"), "rejected"})


def review_column(name: str, lang: str) -> str:
    """The header of review column ``name`` (decision / pin) in ``lang``."""
    en, zh = REVIEW_COLUMNS[name]
    return zh if lang == "zh" else en


def with_review_columns(table: str, df: pd.DataFrame, lang: str,
                        pinned: Collection[str] = ()) -> pd.DataFrame:
    """The workbook sheet of ``table`` with its review column added (other tables as is).

    ``pinned`` clients get their pin pre-filled, so decisions carry into the next round.
    """
    if table == "moves":
        return df.assign(**{review_column("decision", lang): ""})
    if table == "assignment":
        yes = t("common.yes", lang)
        ids = df.iloc[:, 0].astype(str)  # client_id is always the first column
        return df.assign(**{review_column("pin", lang): [yes if c in pinned else ""
                                                         for c in ids]})
    return df


def review_choices(lang: str) -> dict[str, tuple[str, ...]]:
    """The drop-down values of the review columns (both languages' words are accepted)."""
    first, second = ("zh", "en") if lang == "zh" else ("en", "zh")
    return {
        review_column("decision", lang): tuple(t(f"review.value.{v}", code)
                                               for code in (first, second)
                                               for v in ("accept", "reject")),
        review_column("pin", lang): (t("common.yes", first), t("common.yes", second)),
    }


@dataclass(frozen=True)
class Decision:
    """One decision: hold ``client_id`` with ``manager``, and where it was made."""

    client_id: str
    manager: str
    kind: str  # "reject" (keep the previous manager), "pin", or "exclude" (a candidate
    # whose placement was rejected: left out of the intake; ``manager`` is empty)
    place: str  # sheet and row, for messages


@dataclass(frozen=True)
class Decisions:
    """What a reviewed workbook says: the plan it showed and the planner's decisions."""

    reviewed: Mapping[str, str]  # client -> manager on the assignment sheet
    holds: tuple[Decision, ...] = ()
    accepted: tuple[str, ...] = field(default=())  # moves explicitly or implicitly accepted
    candidates: frozenset[str] = frozenset()  # intake candidates the workbook may show

    @property
    def rejected(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.holds if d.kind in ("reject", "exclude"))

    @property
    def pins(self) -> tuple[Decision, ...]:
        return tuple(d for d in self.holds if d.kind == "pin")


class _Rows:
    """Walks a review sheet, checking that each row still names the client it was written for."""

    def __init__(self, path: Path, sheets: tuple[str, ...], problem: Problem,
                 issues: list[Issue], lang: str) -> None:
        self.table: Table = read_sheet(path, sheets)
        self.problem, self.issues, self.lang = problem, issues, lang
        self.cols = header_map(self.table)
        self.seen: dict[str, int] = {}

    def require(self, *columns: str) -> bool:
        missing = [c for c in columns if c not in self.cols]
        for c in missing:
            self.issues.append(Issue(t("review.missing_column", self.lang, column=c),
                                     file=self.table.name))
        return not missing

    def cell(self, record: Mapping[str, str | None], column: str) -> str | None:
        key = self.cols.get(column)
        return record.get(key) if key is not None else None

    def add(self, row: int, column: str, key: str, **values: object) -> None:
        self.issues.append(Issue(t(key, self.lang, **values), file=self.table.name, row=row,
                                 column=self.cols.get(column, column)))

    def clients(self, manager_column: str, *required: str
                ) -> Iterator[tuple[int, Mapping[str, str | None], str]]:
        """(row, record, client id) of every row that still names its client (see
        ``client``); nothing when a required column is missing."""
        if not self.require("client_id", *required):
            return
        for row, record in self.table.items():
            cid = self.client(row, record, manager_column)
            if cid is not None:
                yield row, record, cid

    def client(self, row: int, record: Mapping[str, str | None],
               manager_column: str) -> str | None:
        """The row's client id when it is one of the book's, once, with its own name and
        previous manager; otherwise an issue (the id or the row was edited) and None."""
        cid = self.cell(record, "client_id")
        if not cid:
            self.add(row, "client_id", "review.row.empty_id")
            return None
        if cid not in self.problem.client_index:
            self.add(row, "client_id", "review.row.unknown_client", client=cid)
            return None
        if cid in self.seen:
            self.add(row, "client_id", "review.row.duplicate", client=cid, first=self.seen[cid])
            return None
        self.seen[cid] = row
        client = self.problem.client(cid)
        name = self.cell(record, "name")
        if name is not None and client.name and name.lstrip("'") != client.name:
            self.add(row, "client_id", "review.row.name_mismatch", client=cid, name=name,
                     book=client.name)
            return None
        previous = self.cell(record, manager_column) or None
        if manager_column in self.cols and previous != client.manager:
            self.add(row, manager_column, "review.row.previous_mismatch", client=cid,
                     shown=previous or "—", book=client.manager or "—")
            return None
        return cid


def _read_assignment_sheet(path: Path, problem: Problem, rules: Rules, issues: list[Issue],
                           lang: str, optional: Collection[str] = ()
                           ) -> tuple[dict[str, str], list[Decision]]:
    rows = _Rows(path, ASSIGNMENT_SHEETS, problem, issues, lang)
    reviewed: dict[str, str] = {}
    pins: list[Decision] = []
    for row, record, cid in rows.clients("previous_manager", "manager"):
        manager = rows.cell(record, "manager")
        if not manager or manager not in problem.manager_index:
            rows.add(row, "manager", "review.row.unknown_manager", manager=manager or "—")
            continue
        reviewed[cid] = manager
        raw = (rows.cell(record, "pin") or "").strip().lower()
        if not raw or raw in FALSE_WORDS:
            continue
        if raw not in TRUE_WORDS | {"x", "pin", "✓", "√"}:
            rows.add(row, "pin", "review.row.bad_pin", value=raw)
            continue
        if manager not in rules.eligible[cid]:
            m = problem.manager(manager)
            why = ("review.why.leaving" if not m.staying else
                   "review.why.forbidden" if (cid, manager) in rules.forbidden else
                   "review.why.industry")
            rows.add(row, "pin", "review.row.pin_ineligible", client=cid, manager=manager,
                     why=t(why, lang, industry=problem.client(cid).industry))
            continue
        held = rules.fixed.get(cid)
        if held is not None and held != manager:
            rows.add(row, "pin", "review.row.pin_fixed", client=cid, manager=manager,
                     held=held, reason=rules.fixed_reason[cid])
            continue
        pins.append(Decision(cid, manager, "pin", f"{rows.table.name} row {row}"))
    missing = [c.client_id for c in problem.clients
               if c.client_id not in rows.seen and c.client_id not in optional]
    if missing:
        issues.append(Issue(t("review.missing_clients", lang, n=len(missing),
                              clients=", ".join(missing[:20])), file=rows.table.name))
    return reviewed, pins


def _read_moves_sheet(path: Path, problem: Problem, reviewed: Mapping[str, str],
                      pinned: Collection[str], issues: list[Issue],
                      lang: str, candidates: Collection[str] = ()
                      ) -> tuple[list[Decision], list[str]]:
    rows = _Rows(path, MOVES_SHEETS, problem, issues, lang)
    rejected: list[Decision] = []
    accepted: list[str] = []
    for row, record, cid in rows.clients("from_manager", "from_manager", "to_manager",
                                         "decision"):
        to = rows.cell(record, "to_manager")
        # A pinned client's manager was set on the assignment sheet; otherwise the two
        # sheets must agree, or it is unclear which edit the planner meant.
        if cid in reviewed and cid not in pinned and to != reviewed[cid]:
            rows.add(row, "to_manager", "review.row.to_mismatch", client=cid, shown=to or "—",
                     plan=reviewed[cid])
            continue
        raw = (rows.cell(record, "decision") or "").strip()
        word = raw.lower()
        if not word or word in ACCEPT_WORDS:
            accepted.append(cid)
        elif word in REJECT_WORDS:
            previous = problem.client(cid).manager or ""
            if cid in candidates:  # a rejected placement of a candidate: leave it out
                rejected.append(Decision(cid, "", "exclude", f"{rows.table.name} row {row}"))
                continue
            if not previous:
                rows.add(row, "decision", "review.row.reject_placement", client=cid)
                continue
            if not problem.manager(previous).staying:
                rows.add(row, "decision", "review.row.reject_handover", client=cid,
                         manager=previous)
                continue
            rejected.append(Decision(cid, previous, "reject", f"{rows.table.name} row {row}"))
        else:
            rows.add(row, "decision", "review.row.bad_decision", value=raw)
    return rejected, accepted


def read_decisions(path: str | Path, problem: Problem, rules: Rules,
                   lang: str = "en", candidates: frozenset[str] = frozenset()) -> Decisions:
    """The decisions of a reviewed workbook; one InputError lists every bad cell (in ``lang``).

    ``candidates``: the intake's candidates, clients of ``problem`` (``intake.review_book``)
    the workbook shows only when the plan took them in; a rejected placement of one leaves
    it out, a pin takes it in with the manager shown. A client both rejected (kept with its
    previous manager, or left out) and pinned to another manager is a contradiction,
    reported with both places.
    """
    path = Path(path)
    issues: list[Issue] = []
    reviewed, pins = _read_assignment_sheet(path, problem, rules, issues, lang, candidates)
    pinned = {d.client_id: d for d in pins}
    rejected, accepted = _read_moves_sheet(path, problem, reviewed, pinned, issues, lang,
                                           candidates)
    for d in rejected:
        pin = pinned.get(d.client_id)
        if pin is not None and pin.manager != d.manager:
            key = ("intake.review.contradiction" if d.kind == "exclude"
                   else "review.row.contradiction")
            issues.append(Issue(t(key, lang, client=d.client_id, reject=d.place,
                                  previous=d.manager, pin=pin.place, manager=pin.manager)))
    if issues:
        raise InputError(issues)
    holds = {d.client_id: d for d in [*rejected, *pins]}  # a pin agreeing with a reject: once
    return Decisions(reviewed, tuple(holds[c] for c in sorted(holds)), tuple(accepted),
                     candidates)
