"""Parsing one cell: numbers, amounts, tiers, yes/no, statuses, capacities, fte, industries.

Each parser takes the cell's text and returns the value, or raises ``CellError`` (a
``ValueError``) naming a catalog message, so the reader can report it in the run's language
with the cell's place. Every number is finite and inside a sane range: nothing the solver
scales to integers can overflow, and a typo like ``1e400`` is an error, not infinity.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping

from rebalance.data import Status
from rebalance.scenario import MAX_AMOUNT, MAX_COUNT

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_WAN = re.compile(r"^[+-]?[\d.,]+\s*(万元|万|亿元|亿|千元)$")

TIERS: Mapping[str, int] = {"S": 5, "A": 4, "B": 3, "C": 2, "D": 1}
TRUE_WORDS = frozenset({"是", "true", "1", "yes", "y"})
FALSE_WORDS = frozenset({"否", "false", "0", "no", "n"})
STATUS_WORDS: Mapping[str, Status] = {
    "active": "active", "在岗": "active",
    "leaving": "leaving", "离职": "leaving", "调出": "leaving",
    "new": "new", "新入职": "new",
}
INDUSTRY_SEPARATORS = re.compile(r"[;,、；，]")
MIN_FTE, MAX_FTE = 0.01, 10.0  # a share weight: 0.5 is half a portfolio, 10 ten portfolios


class CellError(ValueError):
    """A cell that cannot be read: the catalog message ``key`` with ``values``."""

    def __init__(self, key: str, **values: object) -> None:
        from rebalance.i18n import t

        self.key, self.values = key, values
        super().__init__(t(key, "en", **values))


def parse_number(text: str) -> float:
    """A finite number such as ``1234.5`` or ``1,234.5`` (full-width digits too)."""
    value = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if _THOUSANDS.match(value):
        value = value.replace(",", "")
    if not _PLAIN.match(value):
        if _WAN.match(unicodedata.normalize("NFKC", text).strip()):
            raise CellError("inputs.cell.number_with_unit", text=text)
        raise CellError("inputs.cell.not_number", text=text)
    number = float(value)
    if not math.isfinite(number) or abs(number) > MAX_AMOUNT:
        raise CellError("inputs.cell.too_large", text=text, limit=f"{MAX_AMOUNT:.0e}")
    return number


def parse_amount(text: str, column: str) -> float:
    """A revenue-like amount: a number, 0 or more."""
    value = parse_number(text)
    if value < 0:
        raise CellError("inputs.cell.negative", what=column, text=text)
    return value


def parse_importance(text: str) -> int:
    """1-5, or a tier letter S/A/B/C/D (= 5..1, any case)."""
    key = unicodedata.normalize("NFKC", text).strip().upper()
    if key in TIERS:
        return TIERS[key]
    try:
        value = parse_number(text)
    except ValueError:
        raise CellError("inputs.cell.importance", text=text) from None
    if not value.is_integer() or not 1 <= value <= 5:
        raise CellError("inputs.cell.importance", text=text)
    return int(value)


def parse_relationship(text: str) -> float:
    """A strength between 0 and 1; ``80%`` is read as 0.8."""
    value_text = unicodedata.normalize("NFKC", text).strip()
    percent = value_text.endswith("%")
    try:
        value = parse_number(value_text.removesuffix("%"))
    except ValueError:
        raise CellError("inputs.cell.not_number", text=text) from None
    if percent:
        value /= 100
    if not 0 <= value <= 1:
        raise CellError("inputs.cell.relationship", text=text)
    return value


def parse_bool(text: str) -> bool:
    """是/否, true/false, 1/0, yes/no, y/n (any case)."""
    key = unicodedata.normalize("NFKC", text).strip().casefold()
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise CellError("inputs.cell.bool", text=text)


def parse_status(text: str) -> Status:
    """active/在岗, leaving/离职/调出, new/新入职."""
    key = unicodedata.normalize("NFKC", text).strip().casefold()
    if key in STATUS_WORDS:
        return STATUS_WORDS[key]
    raise CellError("inputs.cell.status", text=text)


def parse_capacity(text: str) -> int:
    """A whole number of clients, 0 or more."""
    try:
        value = parse_number(text)
    except ValueError:
        raise CellError("inputs.cell.not_whole", text=text) from None
    if not value.is_integer():
        raise CellError("inputs.cell.capacity_whole", text=text)
    if value < 0:
        raise CellError("inputs.cell.negative", what="capacity", text=text)
    if value > MAX_COUNT:
        raise CellError("inputs.cell.too_large", text=text, limit=f"{MAX_COUNT:,}")
    return int(value)


def parse_fte(text: str) -> float:
    """A share weight greater than 0 (between ``MIN_FTE`` and ``MAX_FTE``)."""
    value = parse_number(text)
    if not value > 0:
        raise CellError("inputs.cell.fte", text=text)
    if not MIN_FTE <= value <= MAX_FTE:
        raise CellError("inputs.cell.fte_range", text=text, low=MIN_FTE, high=MAX_FTE)
    return value


def split_industries(text: str) -> tuple[str, ...]:
    """Industry groups separated by ``;`` ``,`` ``、`` (half- or full-width), in order, once."""
    parts = (p.strip() for p in INDUSTRY_SEPARATORS.split(text))
    return tuple(dict.fromkeys(p for p in parts if p))
