"""The candidates table (``data.candidates``): clients that may be brought into the pool.

Same columns and Chinese aliases as the clients table (``io.aliases.CANDIDATE_COLUMNS``), plus
the optional quality fields ``arrears_rate`` (欠费率), ``growth`` (增长率), ``tenure_years``
(在网年限). Every cell is checked like the clients' cells; what only the book can show (an id
that is already a client, an industry nobody serves, required / excluded ids that name no
candidate) is checked by ``load_candidates`` against the ``Problem``. All problems are reported
at once (``InputError``, exit 2).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rebalance.data import Client, Problem
from rebalance.errors import InputError, Issue
from rebalance.io.cells import CellError, parse_number
from rebalance.io.read import clients_from_table
from rebalance.io.tables import Table, table_and_issues
from rebalance.scenario import Scenario
from rebalance.scenario.intake import DEFAULT_SCORE, SCORE_FIELDS

QUALITY_FIELDS: tuple[str, ...] = ("arrears_rate", "growth", "tenure_years")


@dataclass(frozen=True)
class Candidate:
    """One client that may join the pool: its row as a (new, unassigned) client and its
    quality fields (None when blank or the column is missing)."""

    client: Client
    arrears_rate: float | None = None
    growth: float | None = None
    tenure_years: float | None = None

    @property
    def client_id(self) -> str:
        return self.client.client_id

    def field(self, name: str) -> float | None:
        """The value a score weighs: a quality field or one of the client's numbers."""
        if name in QUALITY_FIELDS:
            value: float | None = getattr(self, name)
            return value
        if name == "importance":
            return float(self.client.importance)
        if name == "revenue":
            return self.client.revenue
        if name == "potential":
            return self.client.potential
        raise ValueError(f"unknown score field {name!r}")


@dataclass(frozen=True)
class CandidateBook:
    """The candidates of a scenario, their source and the columns the file has."""

    candidates: tuple[Candidate, ...]
    source: str  # file name for messages
    columns: frozenset[str]  # canonical columns present in the file

    def candidate(self, client_id: str) -> Candidate:
        return next(c for c in self.candidates if c.client_id == client_id)


def _rate(text: str, low: float, high: float, key: str) -> float:
    """A number or a percentage (``9%`` = 0.09) within [low, high]."""
    value_text = unicodedata.normalize("NFKC", text).strip()
    percent = value_text.endswith("%")
    value = parse_number(value_text.removesuffix("%"))
    if percent:
        value /= 100
    if not low <= value <= high:
        raise CellError(key, text=text)
    return value


_PARSERS = {
    "arrears_rate": lambda s: _rate(s, 0.0, 1.0, "intake.cell.arrears_rate"),
    "growth": lambda s: _rate(s, -1.0, 100.0, "intake.cell.growth"),
    "tenure_years": lambda s: _rate(s, 0.0, 200.0, "intake.cell.tenure_years"),
}


def _quality(table: Table, row: int, record: Mapping[str, str | None],
             issues: list[Issue]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name in QUALITY_FIELDS:
        raw = record.get(name)
        out[name] = None
        if raw is None or row in table.spilled:
            continue
        try:
            out[name] = _PARSERS[name](raw)
        except CellError as exc:
            values: dict[str, Any] = dict(exc.values)
            issues.append(Issue.of(exc.key, file=table.name, row=row, column=name, **values))
    return out


def read_candidates(path: Path, scenario: Scenario) -> tuple[CandidateBook | None, list[Issue]]:
    """Parse the candidates table; bad cells become issues (the rows stay for other checks)."""
    name = Path(path).name
    try:
        table, found = table_and_issues(Path(path), scenario.data.encoding, "candidates", name,
                                        scenario.data.fill_merged)
    except InputError as exc:
        return None, list(exc.issues)
    clients, parsed = clients_from_table(table)
    issues: list[Issue] = [*found, *parsed]
    candidates = []
    for (row, record), client in zip(table.items(), clients, strict=True):
        candidates.append(Candidate(client, **_quality(table, row, record, issues)))
    book = CandidateBook(tuple(candidates), name, frozenset(table.columns))
    return book, table.named(issues)


def book_issues(book: CandidateBook, problem: Problem, scenario: Scenario) -> list[Issue]:
    """What only the whole book shows: ids twice or already clients, industries nobody serves,
    a manager on a candidate, required/excluded ids that name no candidate, score fields the
    file lacks or leaves blank."""
    issues: list[Issue] = []
    file = book.source
    served = {ind for m in problem.managers if m.staying for ind in m.industries}
    seen: dict[str, int | None] = {}
    for cand in book.candidates:
        c = cand.client
        if not c.client_id:
            issues.append(Issue.of("inputs.plan.client_empty", file=file, row=c.row,
                                   column="client_id"))
            continue
        if c.client_id in seen:
            issues.append(Issue.of("inputs.book.client_id_twice", file=file, row=c.row,
                                   column="client_id", id=c.client_id, first=seen[c.client_id]))
        seen.setdefault(c.client_id, c.row)
        if c.client_id in problem.client_index:
            existing = problem.client(c.client_id)
            issues.append(Issue.of("intake.error.already_client", file=file, row=c.row,
                                   column="client_id", id=c.client_id,
                                   clients=problem.clients_source, crow=existing.row,
                                   manager=existing.manager or "-"))
        if c.industry and c.industry not in served:
            issues.append(Issue.of("inputs.book.industry_unserved", file=file, row=c.row,
                                   column="industry", industry=c.industry,
                                   known=", ".join(sorted(served)) or "none"))
        elif not c.industry:
            issues.append(Issue.of("inputs.cell.empty", file=file, row=c.row, column="industry"))
        if c.manager is not None:
            issues.append(Issue.of("intake.error.has_manager", file=file, row=c.row,
                                   column="manager", id=c.client_id, manager=c.manager))
        if not c.revenue >= 0:
            issues.append(Issue.of("inputs.cell.negative", file=file, row=c.row,
                                   column="revenue", what="revenue", text=f"{c.revenue:g}"))
    intake = scenario.intake
    for what, ids in (("required", intake.required), ("excluded", intake.excluded)):
        for cid in ids:
            if cid not in seen:
                issues.append(Issue.of("intake.error.unknown_id", file=scenario_name(scenario),
                                       column=f"intake.{what}", id=cid, what=what,
                                       candidates=file))
    issues.extend(placed_issues(book, problem, scenario))
    issues.extend(score_issues(book, scenario))
    return issues


def placed_issues(book: CandidateBook, problem: Problem, scenario: Scenario) -> list[Issue]:
    """``intake.placed`` naming a manager the candidate cannot have: unknown, leaving, or not
    serving its industry (with ``eligibility: strict``). Unknown candidate ids are reported
    as ``intake.required`` ids (every placed candidate is required)."""
    from rebalance.i18n import t

    issues: list[Issue] = []
    ids = {c.client_id: c.client for c in book.candidates}
    for cid, mid in scenario.intake.placed.items():
        client = ids.get(cid)
        if client is None:
            continue
        if mid not in problem.manager_index:
            why = t("intake.why.unknown_manager", "en", managers=problem.managers_source)
        elif not problem.manager(mid).staying:
            why = t("review.why.leaving", "en")
        elif (scenario.eligibility == "strict"
              and client.industry not in problem.manager(mid).industries):
            why = t("review.why.industry", "en", industry=client.industry)
        else:
            continue
        issues.append(Issue.of("intake.error.placed", file=scenario_name(scenario),
                               column="intake.placed", id=cid, manager=mid, why=why))
    return issues


def scenario_name(scenario: Scenario) -> str:
    return scenario.source.name if scenario.source is not None else "scenario"


def score_weights(book: CandidateBook, scenario: Scenario) -> dict[str, float]:
    """The score's weights: the scenario's, or the default over the fields the file has."""
    if scenario.intake.score is not None:
        return {k: w for k, w in scenario.intake.score.items() if w != 0}
    present = {"revenue", "importance"} | (book.columns & set(SCORE_FIELDS))
    return {k: w for k, w in DEFAULT_SCORE.items() if k in present}


def score_issues(book: CandidateBook, scenario: Scenario) -> list[Issue]:
    """A weighted field the file lacks (one issue) or leaves blank (one issue per row)."""
    issues: list[Issue] = []
    weights = score_weights(book, scenario)
    for name in weights:
        if name in ("revenue", "importance"):
            continue  # always there: revenue is required, importance defaults to 1
        if name not in book.columns:
            issues.append(Issue.of("intake.error.score_missing_column",
                                   file=scenario_name(scenario), column="intake.score",
                                   field=name, candidates=book.source))
            continue
        for cand in book.candidates:
            if cand.field(name) is None:
                issues.append(Issue.of("intake.error.score_blank", file=book.source,
                                       row=cand.client.row, column=name, field=name,
                                       id=cand.client_id))
    return issues


def scores(book: CandidateBook, scenario: Scenario) -> dict[str, float]:
    """client_id -> quality score: 100 × Σ weight × value ÷ the largest |value| among the
    candidates (so every field counts on the same 0–1 scale), rounded to hundredths."""
    weights = score_weights(book, scenario)
    largest = {name: max((abs(c.field(name) or 0.0) for c in book.candidates), default=0.0)
               for name in weights}
    out: dict[str, float] = {}
    for cand in book.candidates:
        total = 0.0
        for name, weight in weights.items():
            value = cand.field(name) or 0.0
            if largest[name] > 0:
                total += weight * value / largest[name]
        out[cand.client_id] = round(100 * total, 2)
    return out


def load_candidates(scenario: Scenario, problem: Problem) -> CandidateBook:
    """The scenario's candidates, checked against the book; ``InputError`` lists every
    problem (exit 2)."""
    if scenario.data.candidates is None:
        raise ValueError("the scenario names no data.candidates")
    book, issues = read_candidates(scenario.data.candidates, scenario)
    if book is not None:
        issues.extend(book_issues(book, problem, scenario))
    if issues or book is None:
        raise InputError(issues)
    return book


def with_placed(scenario: Scenario) -> Scenario:
    """The scenario with ``intake.placed`` (candidate -> manager) as locks: the model then
    offers a placed candidate only its manager (it is required, so it is taken)."""
    from rebalance.scenario import Pair

    if not scenario.intake.placed:
        return scenario
    added = tuple(Pair(client=c, manager=m) for c, m in scenario.intake.placed.items())
    return scenario.model_copy(update={"locks": (*scenario.locks, *added)})
