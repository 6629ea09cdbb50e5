"""Column names the readers accept, in English and Chinese (see docs/input.md).

Headers are compared after ``normalise_header``: trimmed, Unicode NFKC (full-width letters,
digits and brackets become half-width), case-folded, and runs of spaces, hyphens and dots
turned into one underscore. So ``Client ID``, ``client-id`` and ``ＣＬＩＥＮＴ_ＩＤ`` all mean
``client_id``.
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

# A plan file (e.g. the assignment.csv that ``rebalance solve`` writes). When several manager
# columns are present the first in this order wins: a plan names the new manager next to the
# previous one, and the new one is what counts.
ASSIGNMENT_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "client_id": CLIENT_COLUMNS["client_id"],
    "manager": ("new_manager", "新客户经理", "客户经理", "归属客户经理"),
    "backup_manager": ("B角客户经理", "backup", "备份客户经理", "B角"),
}
ASSIGNMENT_REQUIRED: tuple[str, ...] = ("client_id", "manager")

COLUMNS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "clients": CLIENT_COLUMNS,
    "managers": MANAGER_COLUMNS,
    "assignment": ASSIGNMENT_COLUMNS,
}
REQUIRED: Mapping[str, tuple[str, ...]] = {
    "clients": CLIENT_REQUIRED,
    "managers": MANAGER_REQUIRED,
    "assignment": ASSIGNMENT_REQUIRED,
}

_SEPARATORS = re.compile(r"[\s\-.]+")


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
