"""The history of adopted plans: an embedded SQLite store (standard library ``sqlite3``).

One row per adopted plan in ``plans`` (when, which scenario, the input hash, figures, note and
approver), its inputs as they were (``plan_inputs``: the clients and managers files, byte for
byte, with their sha256), its assignment (``plan_assignment``) and its tables as CSV
(``plan_tables``). The schema is built by ``MIGRATIONS`` (``PRAGMA user_version`` counts the
ones applied); triggers make every table append-only. A file that is not SQLite, or a SQLite
database that is not a rebalance history, is a clear ``InputError``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rebalance.errors import InputError, Issue
from rebalance.i18n import t

APPLICATION = "rebalance-history"
STORE_NAME = "history.sqlite"
TABLES: tuple[str, ...] = ("meta", "plans", "plan_inputs", "plan_assignment", "plan_tables")

_APPEND_ONLY = "".join(
    f"""
    CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, 'the rebalance history is append-only'); END;
    CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, 'the rebalance history is append-only'); END;
    """ for table in TABLES)

# Each entry upgrades the schema by one version; never edit one that has shipped, add another.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE plans (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        adopted_at TEXT NOT NULL,            -- UTC, ISO 8601
        scenario_name TEXT NOT NULL,
        scenario_json TEXT NOT NULL,         -- the resolved scenario the plan was adopted under
        input_hash TEXT NOT NULL,            -- pipeline.input_hash of the book
        book TEXT NOT NULL,                  -- the folder the next book was written to
        note TEXT,
        approved_by TEXT,
        figures_json TEXT NOT NULL,          -- balance excess, continuity cost, moves ...
        rebalance_version TEXT NOT NULL
    );
    CREATE TABLE plan_inputs (
        plan_id INTEGER NOT NULL REFERENCES plans(id),
        role TEXT NOT NULL,                  -- clients | managers
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        content BLOB NOT NULL,
        PRIMARY KEY (plan_id, role)
    );
    CREATE TABLE plan_assignment (
        plan_id INTEGER NOT NULL REFERENCES plans(id),
        client_id TEXT NOT NULL,
        name TEXT NOT NULL,
        revenue REAL NOT NULL,
        importance INTEGER NOT NULL,
        previous_manager TEXT,
        manager TEXT NOT NULL,
        kind TEXT,                           -- move | handover | placement | NULL
        PRIMARY KEY (plan_id, client_id)
    );
    CREATE TABLE plan_tables (
        plan_id INTEGER NOT NULL REFERENCES plans(id),
        name TEXT NOT NULL,                  -- assignment | managers
        csv TEXT NOT NULL,
        PRIMARY KEY (plan_id, name)
    );
    """ + _APPEND_ONLY,
)


@dataclass(frozen=True)
class Record:
    """One adopted plan as listed: id, when, scenario, who, note and its figures."""

    plan_id: int
    adopted_at: str
    scenario_name: str
    input_hash: str
    book: str
    note: str | None
    approved_by: str | None
    figures: Mapping[str, Any]


def _error(path: Path, key: str, lang: str = "en", **values: object) -> InputError:
    return InputError([Issue(t(key, lang, **values), file=str(path))])


@contextmanager
def open_store(path: str | Path, create: bool = False,
               lang: str = "en") -> Iterator[sqlite3.Connection]:
    """A connection to the history at ``path``, migrated to the current schema.

    ``create`` makes a new store when the file does not exist; otherwise a missing file, a
    file that is not SQLite, a foreign database or one from a newer rebalance is an InputError.
    """
    path = Path(path)
    if path.is_dir():
        path = path / STORE_NAME
    if not path.exists() and not create:
        raise _error(path, "review.history.missing", lang)
    try:
        conn = sqlite3.connect(path)
    except sqlite3.Error as exc:
        raise _error(path, "review.history.corrupt", lang, detail=str(exc)) from None
    try:
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            names = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            raise _error(path, "review.history.corrupt", lang, detail=str(exc)) from None
        if names and "meta" not in names:
            raise _error(path, "review.history.foreign", lang)
        if "meta" in names:
            row = conn.execute("SELECT value FROM meta WHERE key = 'application'").fetchone()
            if row is None or row[0] != APPLICATION:
                raise _error(path, "review.history.foreign", lang)
        if version > len(MIGRATIONS):
            raise _error(path, "review.history.newer", lang, version=version,
                         known=len(MIGRATIONS))
        for number in range(version, len(MIGRATIONS)):
            # one transaction per migration (executescript runs the BEGIN … COMMIT as is)
            conn.executescript("BEGIN;" + MIGRATIONS[number]
                               + f"; PRAGMA user_version = {number + 1};"
                               + ("INSERT INTO meta VALUES ('application', "
                                  f"'{APPLICATION}');" if number == 0 else "")
                               + "COMMIT;")
        yield conn
    finally:
        conn.close()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def append(conn: sqlite3.Connection, *, scenario: Mapping[str, Any], input_hash: str,
           book: str, figures: Mapping[str, Any], inputs: Mapping[str, tuple[str, bytes]],
           assignment: Sequence[tuple[str, str, float, int, str | None, str, str | None]],
           tables: Mapping[str, str], note: str | None = None, by: str | None = None,
           version: str = "", when: dt.datetime | None = None) -> int:
    """Append one adopted plan in a single transaction; returns its id.

    ``inputs``: role -> (file name, bytes); ``assignment``: (client_id, name, revenue,
    importance, previous manager, manager, kind) rows; ``tables``: name -> CSV text.
    """
    stamp = (when or dt.datetime.now(dt.UTC)).replace(microsecond=0).isoformat()
    with conn:
        cur = conn.execute(
            "INSERT INTO plans (adopted_at, scenario_name, scenario_json, input_hash, book, "
            "note, approved_by, figures_json, rebalance_version) VALUES (?,?,?,?,?,?,?,?,?)",
            (stamp, str(scenario.get("name", "")),
             json.dumps(scenario, ensure_ascii=False, sort_keys=True), input_hash, book, note,
             by, json.dumps(figures, ensure_ascii=False, sort_keys=True), version))
        plan_id = int(cur.lastrowid or 0)
        conn.executemany("INSERT INTO plan_inputs VALUES (?,?,?,?,?)",
                         [(plan_id, role, name, sha256(data), data)
                          for role, (name, data) in inputs.items()])
        conn.executemany("INSERT INTO plan_assignment VALUES (?,?,?,?,?,?,?,?)",
                         [(plan_id, *row) for row in assignment])
        conn.executemany("INSERT INTO plan_tables VALUES (?,?,?)",
                         [(plan_id, name, text) for name, text in tables.items()])
    return plan_id


def records(conn: sqlite3.Connection) -> list[Record]:
    """Every adopted plan, oldest first."""
    rows = conn.execute("SELECT id, adopted_at, scenario_name, input_hash, book, note, "
                        "approved_by, figures_json FROM plans ORDER BY id").fetchall()
    return [Record(r[0], r[1], r[2], r[3], r[4], r[5], r[6], json.loads(r[7])) for r in rows]


def record(conn: sqlite3.Connection, plan_id: int, path: Path, lang: str = "en") -> Record:
    """One adopted plan by id; InputError naming the ids there are when it is not stored."""
    for rec in records(conn):
        if rec.plan_id == plan_id:
            return rec
    ids = ", ".join(str(r.plan_id) for r in records(conn)) or "—"
    raise _error(path, "review.history.no_plan", lang, plan=plan_id, ids=ids)


def stored_assignment(conn: sqlite3.Connection,
                      plan_id: int) -> list[tuple[str, str, float, int, str | None, str]]:
    """(client_id, name, revenue, importance, previous manager, manager) rows of a plan."""
    return conn.execute("SELECT client_id, name, revenue, importance, previous_manager, "
                        "manager FROM plan_assignment WHERE plan_id = ? ORDER BY client_id",
                        (plan_id,)).fetchall()


def stored_inputs(conn: sqlite3.Connection, plan_id: int) -> dict[str, tuple[str, str, bytes]]:
    """role -> (file name, recorded sha256, bytes) of a plan's inputs."""
    rows = conn.execute("SELECT role, file_name, sha256, content FROM plan_inputs "
                        "WHERE plan_id = ?", (plan_id,)).fetchall()
    return {r[0]: (r[1], r[2], bytes(r[3])) for r in rows}


def stored_scenario(conn: sqlite3.Connection, plan_id: int) -> dict[str, Any]:
    row = conn.execute("SELECT scenario_json FROM plans WHERE id = ?", (plan_id,)).fetchone()
    return dict(json.loads(row[0]))


@dataclass(frozen=True)
class Recheck:
    """``history show``: a stored plan checked again against its stored inputs."""

    record: Record
    bad_hashes: tuple[str, ...]  # stored input files whose bytes no longer match their hash
    files: tuple[str, ...]
    violations: tuple[str, ...]
    balance_excess: float
    continuity_cost: float

    @property
    def figures_match(self) -> bool:
        f = self.record.figures
        return (abs(self.balance_excess - float(f["balance_excess"])) <= 1e-6
                and abs(self.continuity_cost - float(f["continuity_cost"])) <= 1e-6)

    @property
    def ok(self) -> bool:
        return not self.bad_hashes and not self.violations and self.figures_match


def recheck(conn: sqlite3.Connection, plan_id: int, path: Path, lang: str = "en") -> Recheck:
    """Rebuild the book from the stored inputs and scenario and ``check`` the stored plan."""
    import tempfile

    from rebalance.check import check
    from rebalance.io.read import load_book
    from rebalance.scenario import Scenario

    rec = record(conn, plan_id, path, lang)
    inputs = stored_inputs(conn, plan_id)
    bad = tuple(name for name, digest, data in inputs.values() if sha256(data) != digest)
    names = tuple(n for n, _, _ in inputs.values())
    if bad:  # the book cannot be trusted: nothing to re-check against
        return Recheck(rec, bad, names, (), float("nan"), float("nan"))
    data = stored_scenario(conn, plan_id)
    with tempfile.TemporaryDirectory(prefix="rebalance-history-") as tmp:
        for role, (name, _, content) in inputs.items():
            target = Path(tmp) / role / name  # a folder per role: the names may be equal
            target.parent.mkdir()
            target.write_bytes(content)
            data["data"][role] = str(target)
        data["data"].pop("subscribers", None)
        scenario = Scenario.model_validate(data)
        problem, rules = load_book(scenario)
        plan = {row[0]: row[5] for row in stored_assignment(conn, plan_id)}
        if scenario.data.candidates is not None:  # the book with the candidates taken in
            from rebalance.intake import plan_book, review_book
            from rebalance.pools import build_rules

            every, ids = review_book(problem, scenario)
            problem = plan_book(problem, every, ids, plan)
            rules = build_rules(problem, scenario)
    verdict = check(problem, scenario, plan, rules)
    return Recheck(rec, bad, names, tuple(v.text(lang) for v in verdict.violations),
                   verdict.balance_excess, verdict.continuity_cost)
