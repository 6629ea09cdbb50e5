"""Errors that carry a place: file, row (as Excel shows it), column.

An ``Issue`` is rendered in the run's language: issues built with ``Issue.of(key, ...)`` take
their text from the message catalog (``rebalance.i18n``, area ``inputs``); issues built with a
plain ``message`` keep it as written. A column is named as the user's file spells it, with the
canonical name in brackets (``年收入 (revenue)``). Whatever came from a cell is shown escaped
(``safe_text``), so a control character or a terminal escape sequence in the data can never
move the cursor, clear the screen or hide part of a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

# C0 and C1 control characters, DEL, and the bidirectional overrides/isolates that can make a
# line read differently from what it contains.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


_UNSAFE_IN_LINES = re.compile(  # the same, but line breaks and tabs stay
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str, lines: bool = False) -> str:
    """``text`` with control characters and escape sequences shown as ``\\x1b`` etc.;
    ``lines=True`` keeps line breaks and tabs (text of several lines)."""
    return (_UNSAFE_IN_LINES if lines else _UNSAFE).sub(_escape, text)


@dataclass(frozen=True)
class Issue:
    """One problem in the input, with where it is and what to do about it.

    ``row`` is the row number a user sees in Excel (the header is row 1, so the first data
    row is row 2). ``column`` is the canonical column name, ``header`` how the file spells it.
    ``None`` fields are simply left out of the message. ``key``/``values`` name a catalog
    message; ``message`` is its English text (or the whole text of an uncatalogued issue).
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None
    header: str | None = None
    # how the message is rendered in another language; two issues saying the same thing in
    # the same place are the same issue, however they were built
    key: str | None = field(default=None, compare=False)
    values: tuple[tuple[str, object], ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, key: str, /, *, file: str | None = None, row: int | None = None,
           column: str | None = None, header: str | None = None, **values: Any) -> Issue:
        """An issue whose text is the catalog message ``key`` with ``values``."""
        from rebalance.i18n import t

        return cls(t(key, "en", **values), file=file, row=row, column=column, header=header,
                   key=key, values=tuple(values.items()))

    def with_header(self, header: str | None) -> Issue:
        """The same issue, naming its column as the file spells it."""
        return replace(self, header=header)

    def where(self, lang: str = "en") -> str:
        """``clients.csv row 14, 年收入 (revenue)``: the place, as far as it is known."""
        place = []
        if self.file:
            place.append(self.file)
        if self.row is not None:
            from rebalance.i18n import t

            place.append(t("inputs.where.row", lang, row=self.row))
        where = " ".join(place)
        if self.column:
            column = self.column
            if self.header and self.header != self.column:
                column = f"{self.header} ({self.column})"
            comma = "，" if lang == "zh" else ", "
            where = f"{where}{comma}{column}" if where else column
        return where

    def text(self, lang: str = "en") -> str:
        """The whole issue in ``lang``, safe to print on a terminal."""
        message = self.message
        if self.key is not None and lang != "en":
            from rebalance.i18n import t

            message = t(self.key, lang, **dict(self.values))
        where = self.where(lang)
        colon = "：" if lang == "zh" else ": "
        return safe_text(f"{where}{colon}{message}" if where else message)

    def __str__(self) -> str:
        return self.text("en")


class InputError(Exception):
    """Bad input: every problem found, collected so they can all be shown at once."""

    def __init__(self, issues: Iterable[Issue]):
        self.issues: list[Issue] = list(issues)
        super().__init__(self.render())

    def render(self, lang: str = "en") -> str:
        """A head line and one line per issue, in ``lang``."""
        from rebalance.i18n import t

        n = len(self.issues)
        head = t("common.problem" if n == 1 else "common.problems", lang, n=n)
        return "\n".join([head, *(f"  - {issue.text(lang)}" for issue in self.issues)])


class IssueCollector:
    """Collects issues; ``raise_if_any()`` turns them into one InputError."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.issues.append(Issue(message=message, file=file, row=row, column=column))

    def add_key(self, key: str, /, *, file: str | None = None, row: int | None = None,
                column: str | None = None, **values: Any) -> None:
        """Add the catalog message ``key`` (see ``Issue.of``)."""
        self.issues.append(Issue.of(key, file=file, row=row, column=column, **values))

    def append(self, issue: Issue) -> None:
        self.issues.append(issue)

    def extend(self, issues: Iterable[Issue]) -> None:
        self.issues.extend(issues)

    def __bool__(self) -> bool:
        return bool(self.issues)

    def raise_if_any(self) -> None:
        if self.issues:
            raise InputError(self.issues)


class NoPlanError(Exception):
    """No acceptable plan: hard rules contradict each other, or nothing was found in time.

    ``reasons`` name the rules, managers and clients involved, with the numbers.
    """

    def __init__(self, reasons: str | Iterable[str]):
        self.reasons: list[str] = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__("\n".join(self.reasons))
