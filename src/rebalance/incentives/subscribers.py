"""The subscribers table of an evaluation period, and who each subscriber counts for.

A subscriber belongs to a group client (``client_id`` / 客户编码) and through it to the
client's manager in a plan (``attribute``); one without a client keeps its manager column.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rebalance.errors import IssueCollector
from rebalance.i18n import t
from rebalance.io.aliases import normalise_header
from rebalance.io.read import parse_number, read_table

# --------------------------------------------------------------------------- subscribers


@dataclass(frozen=True)
class Subscriber:
    """One subscriber (用户) of the evaluation period, as read from the subscribers table."""

    subscriber_id: str
    manager: str
    tenure_months: float
    revenue: float
    terminal_cost: float = 0.0
    arrears: float = 0.0
    client_id: str = ""
    row: int | None = None  # Excel row in the source file, for messages


# canonical column -> accepted headers (matched after NFKC, trim, case-folding)
SUBSCRIBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "subscriber_id": ("subscriber_id", "subscriber", "用户编码", "用户ID", "用户编号",
                      "用户号码", "号码"),
    "manager": ("manager", "manager_id", "客户经理", "客户经理编码", "归属客户经理", "工号"),
    "client_id": ("client_id", "客户编码", "集团编码", "客户ID", "客户编号"),
    "tenure_months": ("tenure_months", "tenure", "在网月数", "在网时长", "网龄"),
    "activation_date": ("activation_date", "入网日期", "开户日期", "激活日期"),
    "as_of": ("as_of", "统计日期", "截止日期", "考核日期"),
    "revenue": ("revenue", "收入", "期间收入", "业务收入", "出账收入"),
    "terminal_cost": ("terminal_cost", "终端成本", "终端补贴", "购机补贴"),
    "arrears": ("arrears", "欠费", "欠费金额"),
}
# tenure_months is required too, unless activation_date (+ as_of) gives it
_REQUIRED = ("subscriber_id", "manager", "revenue", "arrears")
_MONEY = ("revenue", "terminal_cost", "arrears")


_ALIAS_TO_COLUMN = {normalise_header(a): col for col, aliases in SUBSCRIBER_COLUMNS.items()
                    for a in aliases}


# Billing exports are plain decimals: those skip parse_number's normalising (a third of the
# reading time on 10^5 rows); anything else (full-width digits, 1,234.5) goes through it.
_PLAIN_DECIMAL = re.compile(r"\d+(?:\.\d+)?")


def _number(text: str) -> float | None:
    if _PLAIN_DECIMAL.fullmatch(text):
        return float(text)
    try:
        value = parse_number(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _parse_date(text: str) -> dt.date | None:
    s = unicodedata.normalize("NFKC", text).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def complete_months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end``: 2024-01-15 → 2024-04-15 is 3; → 04-14 is 2.

    A month-end ``end`` completes a month that started on a later day number (01-31 → 02-29
    is 1 month).
    """
    months = (end.year - start.year) * 12 + (end.month - start.month)
    month_end = end.day == calendar.monthrange(end.year, end.month)[1]
    if end.day < start.day and not month_end:
        months -= 1
    return months


def read_subscribers(
    path: str | Path,
    *,
    encoding: str | None = None,
    as_of: dt.date | None = None,
    known_managers: Iterable[str] | None = None,
    managers_source: str = "managers table",
    known_clients: Iterable[str] | None = None,
    clients_source: str = "clients table",
    lang: str = "en",
) -> tuple[Subscriber, ...]:
    """Read and validate a subscribers table (.csv, .xlsx or .parquet).

    Tenure comes from ``tenure_months``, or else from ``activation_date`` and the as-of date
    (``as_of`` argument, else an ``as_of`` column) as whole months. Blank money cells are 0.
    With ``known_managers``, every manager must be one of them; with ``known_clients``, every
    client given must be one of them (a blank client is allowed: the subscriber then counts
    for its manager column). Every problem is collected and raised as one ``InputError``
    naming file, Excel row and column (as the file spells it), in ``lang``.
    """
    path = Path(path)
    table = read_table(path, encoding, kind="raw")
    file = table.name
    issues = IssueCollector()
    where: dict[str, str] = {}  # canonical column -> header key in the table

    def say(key: str, **values: object) -> str:
        return t(f"incentives.read.{key}", lang, **values)
    for key in table.extra_columns:
        col = _ALIAS_TO_COLUMN.get(normalise_header(key))
        if col is None:
            continue  # unknown columns are ignored
        if col in where:
            issues.add(say("both_mean", first=where[col], second=key, column=col),
                       file=file, row=1, column=key)
        else:
            where[col] = key
    missing = [c for c in _REQUIRED if c not in where]
    if "tenure_months" not in where and "activation_date" not in where:
        missing.append("tenure_months")
    for col in missing:
        accepted = ", ".join(f'"{n}"' for n in SUBSCRIBER_COLUMNS[col])
        key = "missing_tenure" if col == "tenure_months" else "missing"
        issues.add(say(key, column=col, accepted=accepted), file=file)
    issues.raise_if_any()

    known = None if known_managers is None else set(known_managers)
    clients = None if known_clients is None else set(known_clients)
    seen: dict[str, int] = {}
    out: list[Subscriber] = []

    def cell(record: Mapping[str, str | None], col: str) -> str:
        key = where.get(col)
        return (record.get(key) or "").strip() if key is not None else ""

    for row, cells in table.items():
        def bad(key: str, col: str, row: int = row, **values: object) -> None:
            issues.add(say(key, **values), file=file, row=row, column=where.get(col, col))

        sid = cell(cells, "subscriber_id")
        if not sid:
            bad("empty_id", "subscriber_id")
        elif sid in seen:
            bad("duplicate_id", "subscriber_id", id=sid, first=seen[sid])
        else:
            seen[sid] = row
        manager = cell(cells, "manager")
        if not manager:
            bad("empty_manager", "manager")
        elif known is not None and manager not in known:
            bad("unknown_manager", "manager", manager=manager, source=managers_source)

        client_id = cell(cells, "client_id")
        if client_id and clients is not None and client_id not in clients:
            bad("unknown_client", "client_id", client=client_id, source=clients_source)

        money: dict[str, float] = {}
        for col in _MONEY:
            text = cell(cells, col)
            value = 0.0 if not text else _number(text)
            if value is None:
                bad("not_number", col, text=text)
            elif value < 0:
                bad("negative", col, column=col, text=text)
            else:
                money[col] = value

        tenure = _tenure(cell(cells, "tenure_months"), cell(cells, "activation_date"),
                         cell(cells, "as_of"), as_of, bad)
        if len(money) == len(_MONEY) and tenure is not None and sid and manager:
            out.append(Subscriber(
                subscriber_id=sid, manager=manager, tenure_months=tenure,
                revenue=money["revenue"], terminal_cost=money["terminal_cost"],
                arrears=money["arrears"], client_id=client_id, row=row,
            ))
    issues.raise_if_any()
    return tuple(out)


def _tenure(text: str, activation: str, row_as_of: str, as_of: dt.date | None,
            bad: Callable[..., None]) -> float | None:
    """Tenure in months from the tenure cell, or from activation and as-of dates."""
    if text:
        value = _number(text)
        if value is None:
            bad("not_months", "tenure_months", text=text)
        elif value < 0:
            bad("negative", "tenure_months", column="tenure_months", text=text)
        return value if value is not None and value >= 0 else None
    if not activation:
        bad("empty_tenure", "tenure_months")
        return None
    start = _parse_date(activation)
    if start is None:
        bad("not_date", "activation_date", text=activation)
        return None
    end = as_of
    if end is None and row_as_of:
        end = _parse_date(row_as_of)
        if end is None:
            bad("not_date", "as_of", text=row_as_of)
            return None
    if end is None:
        bad("no_as_of", "as_of")
        return None
    if start > end:
        bad("after_as_of", "activation_date", start=start.isoformat(), end=end.isoformat())
        return None
    return float(complete_months(start, end))


def attribute(subscribers: Iterable[Subscriber], client_to_manager: Mapping[str, str | None],
              ) -> tuple[Subscriber, ...]:
    """The subscribers as a plan sees them: each one with a client counts for that client's
    manager in ``client_to_manager``; one without a client (or whose client has no manager
    in the plan) keeps its manager column. Clients must have been checked by the reader."""
    out = []
    for sub in subscribers:
        manager = client_to_manager.get(sub.client_id) if sub.client_id else None
        out.append(sub if not manager or manager == sub.manager
                   else dataclasses.replace(sub, manager=manager))
    return tuple(out)
