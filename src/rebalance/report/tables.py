"""The output tables as pandas DataFrames (English headers; ``translate`` for Chinese).

Column lists are the contract in DESIGN.md "Outputs"; docs/outputs.md explains every column.
Values are rounded here, once, so the CSV files are byte-stable: money (revenue, shares of
revenue, targets) to 2 decimals, relative figures (deviations, growth rates, importance shares)
to 4. Rows are in a fixed order: clients and managers in input order, moves by client id.

Unknown input columns (``Client.extra`` / ``Manager.extra``) are carried at the end, in the
order they first appear; one whose name equals an output column (English or Chinese) is left
out, so feeding last run's ``assignment.csv`` back in never duplicates a column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from rebalance.data import Problem
from rebalance.i18n import t
from rebalance.metrics import Assignment, manager_loads
from rebalance.pools import MOVE, Rules, change_kind, changed_clients, is_moved
from rebalance.report.labels import ZH_COLUMNS, ZH_MANAGER_COLUMNS, column_names

ASSIGNMENT_COLUMNS: tuple[str, ...] = (
    "client_id", "name", "industry", "revenue", "importance",
    "previous_manager", "previous_manager_name", "manager", "manager_name", "moved", "kind",
    "locked", "reason",
)
MANAGER_COLUMNS: tuple[str, ...] = (
    "manager_id", "name", "industry", "status", "clients_before", "clients_after",
    "revenue_before", "revenue_after", "revenue_share", "revenue_dev",
    "importance_before", "importance_after", "importance_share", "importance_dev",
    "target", "equal_split_target", "required_growth", "equal_split_growth",
)
BACKUP_MANAGER_COLUMNS: tuple[str, ...] = ("backup_clients", "backup_importance")
MOVE_COLUMNS: tuple[str, ...] = (
    "client_id", "name", "kind", "exchange", "from_manager", "from_manager_name", "to_manager",
    "to_manager_name", "revenue", "importance", "reason",
)

MONEY_DIGITS = 2
RATIO_DIGITS = 4
INDUSTRY_SEPARATOR = ";"  # the managers reader splits on ; , 、

_RESERVED: frozenset[str] = frozenset(
    [*ZH_COLUMNS, *ZH_COLUMNS.values(), *ZH_MANAGER_COLUMNS, *ZH_MANAGER_COLUMNS.values()]
)


def _money(value: float) -> float:
    return round(float(value), MONEY_DIGITS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _ratio(value: float | None) -> float:
    if value is None or not np.isfinite(value):
        return float("nan")
    return round(float(value), RATIO_DIGITS) + 0.0


def _extra_columns(extras: Iterable[Mapping[str, object]], taken: Iterable[str]) -> list[str]:
    blocked = _RESERVED | set(taken)
    seen: dict[str, None] = {}
    for extra in extras:
        for key in extra:
            if str(key) not in blocked:
                seen.setdefault(str(key), None)
    return list(seen)


def _manager_name(problem: Problem, manager_id: str | None) -> str:
    if manager_id is None or manager_id not in problem.manager_index:
        return ""
    return problem.manager(manager_id).name


def _frame(
    rows: list[dict[str, Any]], columns: list[str], dtypes: Mapping[str, Any]
) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    return df.astype({col: dtype for col, dtype in dtypes.items() if col in df.columns})


def assignment_table(
    problem: Problem,
    rules: Rules,
    client_to_manager: Assignment,
    reasons: Mapping[str, str] | None = None,
    backups: Mapping[str, str | None] | None = None,
) -> pd.DataFrame:
    """One row per client, in input order: the contract's columns (+ backup_manager) + extras.

    ``moved`` follows the contract (previous manager stays and the client now has another);
    ``locked`` is true when a rule held the client's manager (table or scenario lock, or
    protected importance; ``reason`` says which).
    """
    columns = list(ASSIGNMENT_COLUMNS) + (["backup_manager"] if backups is not None else [])
    extras = _extra_columns((c.extra for c in problem.clients), columns)
    rows = []
    for c in problem.clients:
        manager = client_to_manager.get(c.client_id)
        row: dict[str, Any] = {
            "client_id": c.client_id,
            "name": c.name,
            "industry": c.industry,
            "revenue": _money(c.revenue),
            "importance": c.importance,
            "previous_manager": c.manager or "",
            "previous_manager_name": _manager_name(problem, c.manager),
            "manager": manager or "",
            "manager_name": _manager_name(problem, manager),
            "moved": is_moved(problem, c.client_id, manager),
            "kind": change_kind(problem, c.client_id, manager) or "",
            "locked": c.client_id in rules.fixed,
            "reason": (reasons or {}).get(c.client_id, ""),
        }
        if backups is not None:
            row["backup_manager"] = backups.get(c.client_id) or ""
        for key in extras:
            row[key] = c.extra.get(key)
        rows.append(row)
    dtypes = {"importance": "int64", "moved": "bool", "locked": "bool"}
    return _frame(rows, columns + extras, dtypes)


def backup_loads_from(
    problem: Problem, backups: Mapping[str, str | None]
) -> dict[str, tuple[int, int]]:
    """manager_id -> (backup clients, backup importance), the shape of ``BackupPlan.loads``."""
    count = {m.manager_id: 0 for m in problem.managers}
    importance = dict(count)
    for c in problem.clients:
        mid = backups.get(c.client_id)
        if mid in count:
            count[mid] += 1
            importance[mid] += c.importance
    return {mid: (count[mid], importance[mid]) for mid in count}


def _target_field(plan: object | None, manager_id: str, name: str) -> float:
    if plan is None:
        return float("nan")
    targets = getattr(plan, "targets", {})
    entry = targets.get(manager_id) if isinstance(targets, Mapping) else None
    value = getattr(entry, name, None) if entry is not None else None
    return float(value) if isinstance(value, int | float) else float("nan")


def managers_table(
    problem: Problem,
    rules: Rules,
    before: Assignment,
    after: Assignment,
    target_plan: object | None = None,
    backup_loads: Mapping[str, tuple[int, int]] | None = None,
) -> pd.DataFrame:
    """One row per manager, in input order: loads before → after against fair shares.

    ``*_share`` is the fair share (pool total × fte / pool fte) and ``*_dev`` the relative
    deviation after, ``(load_after − share) / share`` (empty when the share is 0, e.g. for a
    leaving manager). Target columns come from ``target_plan.targets[manager_id]`` (attributes
    ``target``, ``equal_split_target``, ``required_growth``, ``equal_split_growth``) and are
    empty without a plan. ``backup_loads`` (manager_id -> (backup clients, backup importance),
    as ``BackupPlan.loads`` or ``backup_loads_from``) adds ``backup_clients`` and
    ``backup_importance``.
    """
    columns = list(MANAGER_COLUMNS) + (
        list(BACKUP_MANAGER_COLUMNS) if backup_loads is not None else [])
    extras = _extra_columns((m.extra for m in problem.managers), columns)
    load_before = manager_loads(problem, before)
    load_after = manager_loads(problem, after)
    rows = []
    for m in problem.managers:
        mid = m.manager_id
        row: dict[str, Any] = {
            "manager_id": mid,
            "name": m.name,
            "industry": INDUSTRY_SEPARATOR.join(m.industries),
            "status": m.status,
            "clients_before": int(load_before[(mid, "clients")]),
            "clients_after": int(load_after[(mid, "clients")]),
        }
        for k, digits in (("revenue", MONEY_DIGITS), ("importance", RATIO_DIGITS)):
            share = rules.fair_share(mid, k)
            after_load = load_after[(mid, k)]
            row[f"{k}_before"] = round(load_before[(mid, k)], digits) + 0.0
            row[f"{k}_after"] = round(after_load, digits) + 0.0
            row[f"{k}_share"] = round(share, digits) + 0.0
            row[f"{k}_dev"] = _ratio((after_load - share) / share) if share > 0 else float("nan")
        row["target"] = _money(_target_field(target_plan, mid, "target"))
        row["equal_split_target"] = _money(_target_field(target_plan, mid, "equal_split_target"))
        row["required_growth"] = _ratio(_target_field(target_plan, mid, "required_growth"))
        row["equal_split_growth"] = _ratio(_target_field(target_plan, mid, "equal_split_growth"))
        if backup_loads is not None:
            num_backup, backup_importance = backup_loads.get(mid, (0, 0))
            row["backup_clients"] = int(num_backup)
            row["backup_importance"] = int(backup_importance)
        for key in extras:
            row[key] = m.extra.get(key)
        rows.append(row)
    dtypes: dict[str, Any] = {"clients_before": "int64", "clients_after": "int64",
              "importance_before": "int64", "importance_after": "int64",
              "backup_clients": "int64", "backup_importance": "int64"}
    df = _frame(rows, columns + extras, dtypes)
    for col in ("revenue_before", "revenue_after", "revenue_share", "revenue_dev",
                "importance_share", "importance_dev", "target", "equal_split_target",
                "required_growth", "equal_split_growth"):
        df[col] = df[col].astype("float64")
    return df


def moves_table(
    problem: Problem,
    client_to_manager: Assignment,
    reasons: Mapping[str, str] | None = None,
    include_handovers: bool = True,
    exchanges: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Every client whose manager changes, with its ``kind``, sorted by client id.

    ``kind`` is ``pools.change_kind``: ``move`` (the previous manager stays; the only kind
    continuity cost counts), ``handover`` (the previous manager leaves) or ``placement`` (a
    new client; ``from_manager`` empty). Without ``include_handovers``, only moves.
    ``exchanges`` (client_id -> exchange id, from ``reasons``) fills the ``exchange`` column.
    """
    rows = []
    for c, new, kind in changed_clients(problem, client_to_manager):
        if not include_handovers and kind != MOVE:
            continue
        rows.append({
            "client_id": c.client_id,
            "name": c.name,
            "kind": kind,
            "exchange": (exchanges or {}).get(c.client_id, ""),
            "from_manager": c.manager or "",
            "from_manager_name": _manager_name(problem, c.manager),
            "to_manager": new,
            "to_manager_name": _manager_name(problem, new),
            "revenue": _money(c.revenue),
            "importance": c.importance,
            "reason": (reasons or {}).get(c.client_id, ""),
        })
    rows.sort(key=lambda r: str(r["client_id"]))
    return _frame(rows, list(MOVE_COLUMNS), {"revenue": "float64", "importance": "int64"})


def _detect_table(df: pd.DataFrame) -> str:
    cols = set(map(str, df.columns))
    if "manager_id" in cols:
        return "managers"
    if "from_manager" in cols:
        return "moves"
    return "assignment"


def translate(df: pd.DataFrame, lang: str, table: str | None = None) -> pd.DataFrame:
    """The table with headers and labels in ``lang`` (``en`` returns an unchanged copy).

    Chinese: headers renamed (see ``labels``), true/false as 是/否, status as 在岗/离职/新入职.
    ``table`` (assignment/managers/moves) is detected from the columns when not given. Extra
    input columns keep their names.
    """
    names = column_names(table or _detect_table(df), lang)
    out = df.copy()
    if lang == "en":
        return out
    yes_no = {True: t("common.yes", lang), False: t("common.no", lang)}
    for col in out.columns:
        if col in names and pd.api.types.is_bool_dtype(out[col].dtype):
            out[col] = out[col].map(yes_no).astype(object)
    for col, prefix in (("status", "common.status."), ("kind", "term.")):
        if col in out.columns and col in names:
            out[col] = out[col].map(lambda v, p=prefix: t(p + v, lang) if v else v).astype(object)
    return out.rename(columns={c: names[c] for c in out.columns if c in names})
