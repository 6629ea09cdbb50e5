"""Adopt a plan: write the next book (clients, managers, scenario) and record it in the history.

The next book is the input tables as they were, every column kept (also ones rebalance does
not know, under the headers the planner used), with:

- clients: the adopted manager as the current one; a client whose manager changed (a move, a
  handover or a placement) gets the relationship ``adopt.new_relationship`` and loses a table
  lock (it was a lock to the old manager); a backup that is now the client's manager or a
  leaver is cleared;
- managers: leavers removed, new hires made active, the scenario's ``managers:`` overrides
  written in (the next scenario does not repeat them);
- scenario.yaml: the same rules, pointing at the new tables.

Solving the next book with its scenario proposes no moves when the adopted plan was optimal
under those rules (tests/test_review_loop.py).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rebalance import __version__
from rebalance.check import Verdict, check
from rebalance.data import Problem
from rebalance.errors import InputError, Issue, NoPlanError
from rebalance.i18n import t
from rebalance.io.read import TRUE_WORDS
from rebalance.pools import KINDS, Rules, change_kind
from rebalance.report.tables import assignment_table, managers_table
from rebalance.review import history
from rebalance.review.revise import scenario_yaml
from rebalance.review.sheets import ACTIVE, CJK, Sheet
from rebalance.scenario import Scenario


def _number(value: float) -> str:
    return f"{value:g}"


def next_clients(scenario: Scenario, problem: Problem, plan: Mapping[str, str]) -> pd.DataFrame:
    """The clients table of the next book (see the module docstring)."""
    sheet = Sheet(Path(scenario.data.clients), scenario.data.encoding, "clients")
    leaving = {m.manager_id for m in problem.managers if not m.staying}
    id_col, manager_col = sheet.canon["client_id"], sheet.column("manager")
    relationship = _number(scenario.adopt.new_relationship)
    for row in sheet.rows:
        cid = row.get(id_col) or ""
        new = plan[cid]
        moved = change_kind(problem, cid, new) is not None
        row[manager_col] = new
        if moved:
            row[sheet.column("relationship")] = relationship
            locked = sheet.canon.get("locked")
            if locked and (row.get(locked) or "").strip().lower() in TRUE_WORDS:
                row[locked] = None
        backup = sheet.canon.get("backup")
        if backup and (row.get(backup) == new or row.get(backup) in leaving):
            row[backup] = None
    if scenario.data.candidates is not None:  # the candidates taken in join the book
        from rebalance.intake.adopt import placed_rows

        sheet.rows.extend(placed_rows(scenario, sheet, plan, relationship))
    return sheet.frame(sheet.rows)


def _status(cell: str | None) -> str:
    from rebalance.io.read import parse_status

    try:
        return parse_status(cell) if cell else "active"
    except ValueError:
        return "active"  # the book validated, so an override decided this manager's status


def next_managers(scenario: Scenario, problem: Problem) -> pd.DataFrame:
    """The managers table of the next book: leavers out, new hires active, overrides in."""
    sheet = Sheet(Path(scenario.data.managers), scenario.data.encoding, "managers")
    id_col = sheet.canon["manager_id"]
    rows = []
    for row in sheet.rows:
        manager = problem.manager(row.get(id_col) or "")
        if not manager.staying:
            continue
        cell = row.get(sheet.canon["status"]) if "status" in sheet.canon else None
        if _status(cell) != "active":  # a new hire (or one made active by an override)
            zh = sheet.zh or bool(cell and CJK.search(cell))
            row[sheet.column("status")] = ACTIVE[1 if zh else 0]
        change = scenario.managers.get(manager.manager_id)
        if change is not None:
            if change.fte is not None:
                row[sheet.column("fte")] = _number(manager.fte)
            if change.capacity is not None:
                row[sheet.column("capacity")] = str(manager.capacity)
            if change.industry is not None:
                row[sheet.column("industry")] = ";".join(manager.industries)
        rows.append(row)
    listed = {row.get(id_col) for row in sheet.rows}
    hires = tuple(m for m in problem.managers if m.manager_id not in listed)
    if hires:  # the intake's hires (intake.hires) the plan uses: active from now on
        from rebalance.intake.adopt import hire_rows

        rows.extend(hire_rows(sheet, hires))
    return sheet.frame(rows)


def history_store(scenario: Scenario) -> Path | None:
    """The shared store ``adopt.history`` names (relative to the scenario file), or None."""
    if scenario.adopt.history is None:
        return None
    base = Path(scenario.source).parent if scenario.source else Path.cwd()
    return (base / scenario.adopt.history).resolve()


def next_scenario(scenario: Scenario, problem: Problem, to_dir: Path, comment: str) -> str:
    """scenario.yaml of the next book: the same rules, the new tables, no overrides left."""
    staying = {m.manager_id for m in problem.managers if m.staying}
    data = scenario.resolved()["data"]
    data.update(clients=str(to_dir.resolve() / "clients.csv"),
                managers=str(to_dir.resolve() / "managers.csv"), encoding=None)
    forbid = [p.model_dump() for p in scenario.forbid if p.manager in staying]
    adopt = scenario.resolved()["adopt"]
    shared = history_store(scenario)
    if shared is not None:  # the same store, named from the new book's folder
        adopt["history"] = os.path.relpath(shared, to_dir.resolve())
    fields: dict[str, Any] = {}
    if scenario.data.candidates is not None:  # see intake.adopt
        from rebalance.intake.adopt import next_scenario_fields

        data["candidates"] = None
        fields = next_scenario_fields(scenario)
    return scenario_yaml(scenario, to_dir, comment, data=data, forbid=forbid, adopt=adopt,
                         managers=None, unlock=None, unlock_leavers=None, **fields)


def figures(verdict: Verdict, problem: Problem, plan: Mapping[str, str]) -> dict[str, Any]:
    """The figures a history record keeps of a plan."""
    kinds = [change_kind(problem, c.client_id, plan.get(c.client_id)) for c in problem.clients]
    out: dict[str, Any] = {
        "balance_excess": round(verdict.balance_excess, 6),
        "continuity_cost": round(verdict.continuity_cost, 6),
        "outside_band": len(verdict.outside_band),
        "clients": problem.num_clients,
        "managers": sum(1 for m in problem.managers if m.staying),
    }
    out.update({f"{k}s": kinds.count(k) for k in KINDS})
    return out


def read_plan(path: Path, problem: Problem, encoding: str | None = None,
              optional: frozenset[str] = frozenset()) -> dict[str, str]:
    """The plan to adopt, checked row by row against the book: a CSV, or a workbook's
    assignment sheet (English or Chinese title; else its first sheet). ``optional``: clients
    the plan may leave out (intake candidates, ``intake.review_book``)."""
    from rebalance.io.plans import read_assignment
    from rebalance.io.raw import EXCEL_SUFFIXES
    from rebalance.review.plans import ASSIGNMENT_SHEETS, is_missing_sheet, on_sheet

    if path.suffix.lower() in EXCEL_SUFFIXES:
        try:
            return on_sheet(path, ASSIGNMENT_SHEETS,
                            lambda sheet: read_assignment(path, problem, sheet=sheet,
                                                          optional=optional))
        except InputError as exc:
            if not is_missing_sheet(exc, ASSIGNMENT_SHEETS):
                raise
    return read_assignment(path, problem, encoding, optional=optional)


@dataclass(frozen=True)
class Adopted:
    """What ``adopt`` wrote."""

    paths: tuple[Path, ...]
    plan_id: int
    store: Path
    figures: Mapping[str, Any]
    removed: tuple[str, ...]  # leavers taken out of the managers table
    activated: tuple[str, ...]  # new hires made active


def _guard(scenario: Scenario, to_dir: Path, lang: str) -> None:
    """Refuse to write over the inputs (they are never modified)."""
    inputs = {Path(scenario.data.clients).resolve(), Path(scenario.data.managers).resolve()}
    if scenario.source is not None:
        inputs.add(Path(scenario.source).resolve())
    if scenario.data.candidates is not None:
        inputs.add(Path(scenario.data.candidates).resolve())
    clash = [n for n in ("clients.csv", "managers.csv", "scenario.yaml", "candidates.csv")
             if (to_dir / n).resolve() in inputs]
    if clash:
        raise InputError([Issue(t("review.adopt.overwrite", lang, files=", ".join(clash)),
                                file=str(to_dir))])


def adopt(scenario: Scenario, problem: Problem, rules: Rules, plan: Mapping[str, str],
          to_dir: str | Path, *, note: str | None = None, by: str | None = None,
          store: str | Path | None = None, lang: str = "en",
          intake_reasons: Mapping[str, tuple[str, dict[str, Any]]] | None = None) -> Adopted:
    """Write the next book for ``plan`` into ``to_dir`` and append it to the history.

    NoPlanError when the plan breaks a hard rule (nothing is written). All or nothing: the
    tables, the scenario and (by default) the history store are published together. With
    intake candidates (``intake.adopt``), ``intake_reasons`` are the proven reasons of the
    plan's summary.json, kept in the history's intake.csv.
    """
    from rebalance.io.write import atomic_output_dir, write_csv
    from rebalance.plan import input_hash

    to_dir = Path(to_dir)
    _guard(scenario, to_dir, lang)
    base = problem
    if scenario.data.candidates is not None:  # the book with the candidates it takes in
        from rebalance.intake import plan_book, review_book
        from rebalance.pools import build_rules

        every, ids = review_book(problem, scenario)
        problem = plan_book(problem, every, ids, plan)
        rules = build_rules(problem, scenario)
    verdict = check(problem, scenario, plan, rules)
    if not verdict.ok:
        raise NoPlanError([t("review.adopt.broken", lang, n=len(verdict.violations)),
                           *(v.text(lang) for v in verdict.violations)])
    clients = next_clients(scenario, problem, plan)
    managers = next_managers(scenario, problem)
    comment = t("review.adopt.yaml_comment", lang, name=scenario.name)
    text = next_scenario(scenario, problem, to_dir, comment)
    figs = figures(verdict, problem, plan)
    cpath, mpath = Path(scenario.data.clients), Path(scenario.data.managers)
    rows = [(c.client_id, c.name, c.revenue, c.importance, c.manager, plan[c.client_id],
             change_kind(problem, c.client_id, plan[c.client_id])) for c in problem.clients]
    tables = {
        "assignment": assignment_table(problem, rules, plan).to_csv(index=False),
        "managers": managers_table(problem, rules, problem.current_assignment,
                                   plan).to_csv(index=False),
    }
    names = ["clients.csv", "managers.csv", "scenario.yaml"]
    inputs = {"clients": (cpath.name, cpath.read_bytes()),
              "managers": (mpath.name, mpath.read_bytes())}
    left: pd.DataFrame | None = None
    if scenario.data.candidates is not None:
        from rebalance.intake.adopt import CANDIDATES_FILE, intake_csv, left_out

        candidates = Path(scenario.data.candidates)
        inputs["candidates"] = (candidates.name, candidates.read_bytes())
        tables["intake"] = intake_csv(scenario, base, problem, plan, verdict, intake_reasons)
        left = left_out(scenario, plan)
        names.append(CANDIDATES_FILE)
    with atomic_output_dir(to_dir) as staging:
        write_csv(clients, staging / "clients.csv")
        write_csv(managers, staging / "managers.csv")
        if left is not None:
            write_csv(left, staging / CANDIDATES_FILE)
        (staging / "scenario.yaml").write_text(text, encoding="utf-8")
        if store is None:
            target = staging / history.STORE_NAME
            for earlier in (to_dir / history.STORE_NAME, cpath.parent / history.STORE_NAME):
                if earlier.exists():  # the history travels with the book
                    shutil.copyfile(earlier, target)
                    break
            names.append(history.STORE_NAME)
            final = to_dir / history.STORE_NAME
        else:
            target = final = Path(store)
        with history.open_store(target, create=True) as conn:
            plan_id = history.append(
                conn, scenario=scenario.resolved(), input_hash=input_hash(scenario),
                book=str(to_dir.resolve()), figures=figs,
                inputs=inputs,
                assignment=rows, tables=tables, note=note, by=by, version=__version__)
    staying_new = tuple(m.manager_id for m in problem.managers if m.status == "new")
    removed = tuple(m.manager_id for m in problem.managers if not m.staying)
    return Adopted(tuple(to_dir / n for n in names), plan_id, final, figs, removed, staying_new)
