"""Column names the readers accept, in English and Chinese (see docs/input.md).

Headers are compared after ``normalise_header``: trimmed, Unicode NFKC (full-width letters,
digits and brackets become half-width), case-folded, and runs of spaces, hyphens and dots
turned into one underscore. So ``Client ID``, ``client-id`` and ``ＣＬＩＥＮＴ_ＩＤ`` all mean
``client_id``.

A header may carry decoration the reader looks through (``header_unit``): a bracketed note or
unit (``年收入（元）``, ``收入(万元)``, ``重要程度[1-5]``) or a trailing unit word (``收入万元``).
A money unit on an amount column is applied (万元 → × 10,000); an unknown unit there is
reported, never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# canonical column -> accepted names (the canonical name itself is always accepted)
CLIENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "client_id": ("客户编码", "集团编码", "客户ID", "客户编号"),
    "name": ("客户名称", "集团名称"),
    "industry": ("行业", "行业组", "所属行业"),
    "revenue": ("收入", "年收入", "业务收入"),
    "importance": ("重要程度", "重要性", "客户等级"),
    "manager": ("客户经理", "现客户经理", "归属客户经理"),
    "relationship": ("关系强度", "客户关系"),
    "potential": ("潜在收入", "潜力"),
    "locked": ("锁定",),
    "backup": ("备份客户经理", "B角"),
}
CLIENT_REQUIRED: tuple[str, ...] = ("client_id", "industry", "revenue")

MANAGER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "manager_id": ("客户经理编码", "工号", "员工编号"),
    "name": ("姓名", "客户经理姓名"),
    "industry": ("行业组", "行业"),
    "capacity": ("最大客户数", "容量"),
    "fte": ("人力系数",),
    "status": ("状态",),
}
MANAGER_REQUIRED: tuple[str, ...] = ("manager_id", "industry")

# A candidates table (intake, docs/intake.md): the clients' columns plus quality fields.
CANDIDATE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    **CLIENT_COLUMNS,
    "arrears_rate": ("欠费率",),
    "growth": ("增长率", "收入增长率"),
    "tenure_years": ("在网年限",),
}

# A plan file (e.g. the assignment.csv that ``rebalance solve`` writes). When several manager
# columns are present the first in this order wins: a plan names the new manager next to the
# previous one, and the new one is what counts.
ASSIGNMENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "client_id": CLIENT_COLUMNS["client_id"],
    "manager": ("new_manager", "新客户经理", "客户经理", "归属客户经理"),
    "backup_manager": ("B角客户经理", "backup", "备份客户经理", "B角"),
}
ASSIGNMENT_REQUIRED: tuple[str, ...] = ("client_id", "manager")

# A rollout schedule (the schedule.csv that ``rebalance rollout`` writes): one row per change.
SCHEDULE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "client_id": CLIENT_COLUMNS["client_id"],
    "wave": ("批次", "波次"),
    "effective_date": ("生效日期",),
    "to_manager": ("调入客户经理", "new_manager", "新客户经理"),
}
SCHEDULE_REQUIRED: tuple[str, ...] = ("client_id", "wave", "to_manager")

COLUMNS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "clients": CLIENT_COLUMNS,
    "managers": MANAGER_COLUMNS,
    "assignment": ASSIGNMENT_COLUMNS,
    "candidates": CANDIDATE_COLUMNS,
    "schedule": SCHEDULE_COLUMNS,
}
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "clients": CLIENT_REQUIRED,
    "managers": MANAGER_REQUIRED,
    "assignment": ASSIGNMENT_REQUIRED,
    "candidates": CLIENT_REQUIRED,
    "schedule": SCHEDULE_REQUIRED,
}

_SEPARATORS = re.compile(r"[\s\-.]+")

# Money units a header may name, and what one unit is in 元.
UNIT_SCALES: Mapping[str, float] = {
    "元": 1, "yuan": 1, "rmb": 1, "cny": 1, "¥": 1, "人民币": 1, "人民币元": 1,
    "千元": 1e3, "万元": 1e4, "万": 1e4, "百万元": 1e6, "百万": 1e6, "亿元": 1e8, "亿": 1e8,
}
AMOUNT_COLUMNS: frozenset[str] = frozenset({"revenue", "potential"})
_BRACKETED = re.compile(r"^(?P<base>.*?)\s*[(\[](?P<unit>[^()\[\]]*)[)\]]$")
_TRAILING_UNIT = re.compile(
    r"^(?P<base>.+?)\s*(?P<unit>" + "|".join(
        re.escape(u) for u in sorted(UNIT_SCALES, key=len, reverse=True)) + r")$",
    re.IGNORECASE)


def normalise_header(text: str) -> str:
    """The form headers are compared in: trimmed, NFKC, case-folded, separators as ``_``."""
    text = unicodedata.normalize("NFKC", text).strip().lstrip("\ufeff").strip()
    return _SEPARATORS.sub("_", text).casefold()


def accepted_names(kind: str, column: str) -> tuple[str, ...]:
    """Every header accepted for ``column`` of a ``kind`` table, canonical name first."""
    return (column, *COLUMNS[kind][column])


def header_lookup(kind: str) -> dict[str, str]:
    """normalised header -> canonical column, for a ``kind`` table."""
    lookup: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for name in accepted_names(kind, column):
            lookup.setdefault(normalise_header(name), column)
    return lookup


def priority(kind: str, column: str, header: str) -> int:
    """Position of ``header`` among the names accepted for ``column`` (lower wins)."""
    key = normalise_header(header)
    names = [normalise_header(n) for n in accepted_names(kind, column)]
    return names.index(key) if key in names else len(names)


def header_unit(text: str) -> tuple[str, str] | None:
    """(header without its decoration, the unit or note) for ``收入(万元)`` / ``收入万元``;
    None when the header carries no decoration. Brackets may be full-width."""
    text = unicodedata.normalize("NFKC", text).strip().lstrip("\ufeff").strip()
    for pattern in (_BRACKETED, _TRAILING_UNIT):
        found = pattern.match(text)
        if found and found.group("base").strip():
            return found.group("base").strip(), found.group("unit").strip()
    return None


def unit_scale(unit: str) -> float | None:
    """What one ``unit`` is in 元 (万元 → 10,000), or None for a unit the reader does not know."""
    return UNIT_SCALES.get(unit.strip().casefold())
