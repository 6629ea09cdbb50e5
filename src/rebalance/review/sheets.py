"""Input tables read as text with their headers as written, for writing them back column by
column (``rebalance adopt``: the next book keeps every column under the planner's headers)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from rebalance.io.aliases import header_lookup, normalise_header
from rebalance.io.read import Table, read_table

CJK = re.compile(r"[\u4e00-\u9fff]")
NEW_HEADERS: Mapping[str, tuple[str, str]] = {  # a column the input lacked: (en, zh) header
    "manager": ("manager", "客户经理"), "relationship": ("relationship", "关系强度"),
    "fte": ("fte", "人力系数"), "capacity": ("capacity", "最大客户数"),
    "industry": ("industry", "行业组"), "status": ("status", "状态"),
    # columns a placed intake candidate may bring that the clients table lacked
    "name": ("name", "客户名称"), "importance": ("importance", "重要程度"),
    "potential": ("potential", "潜在收入"),
}
ACTIVE = ("active", "在岗")


class Sheet:
    """A table read as text with its headers as written, for writing back column by column."""

    def __init__(self, path: Path, encoding: str | None, kind: str) -> None:
        self.table: Table = read_table(path, encoding, "raw")
        self.headers = list(self.table.extra_columns)  # "raw": every column, in file order
        lookup = header_lookup(kind)
        self.zh = any(CJK.search(h) for h in self.headers)
        self.canon: dict[str, str] = {}
        for header in self.headers:
            canonical = lookup.get(normalise_header(header))
            if canonical is not None:
                self.canon.setdefault(canonical, header)
        self.rows = [dict(r) for r in self.table.records]

    def column(self, canonical: str) -> str:
        """The header of ``canonical``, added (in the table's language) when missing."""
        if canonical not in self.canon:
            header = NEW_HEADERS[canonical][1 if self.zh else 0]
            self.canon[canonical] = header
            self.headers.append(header)
        return self.canon[canonical]

    def frame(self, rows: list[dict[str, str | None]]) -> pd.DataFrame:
        return pd.DataFrame([[r.get(h) for h in self.headers] for r in rows],
                            columns=self.headers, dtype=object)
