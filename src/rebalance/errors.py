"""Errors that carry a place: file, row (as Excel shows it), column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Issue:
    """One problem in the input, with where it is and what to do about it.

    ``row`` is the row number a user sees in Excel (the header is row 1, so the first data
    row is row 2). ``None`` fields are simply left out of the message.
    """

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        place = []
        if self.file:
            place.append(self.file)
        if self.row is not None:
            place.append(f"row {self.row}")
        where = " ".join(place)
        if self.column:
            where = f"{where}, {self.column}" if where else self.column
        return f"{where}: {self.message}" if where else self.message


class InputError(Exception):
    """Bad input: every problem found, collected so they can all be shown at once."""

    def __init__(self, issues: Iterable[Issue]):
        self.issues: list[Issue] = list(issues)
        super().__init__(self.render())

    def render(self) -> str:
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in the input:"
        return "\n".join([head, *(f"  - {issue}" for issue in self.issues)])


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
