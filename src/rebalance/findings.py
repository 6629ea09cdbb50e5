"""Coded findings: what the engine has to say, as a catalog key and the numbers and ids its
sentence needs.

The engine (``solve``, ``diagnose``, ``guard``, the rules' descriptions, the backups) never
writes a sentence: it returns ``Finding(code, values)``, and ``report.findings.render`` turns
it into English or Chinese through the catalog (``rebalance.i18n``, where ``code`` is a key).
A value may itself be coded: a nested ``Finding`` (e.g. "3 clients"), ``Joined`` findings or
a list of ``Names``; the renderer writes each in the same language.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    """One thing the engine found: the catalog key of its sentence and the sentence's values."""

    code: str
    values: Mapping[str, object] = field(default_factory=dict)


def finding(code: str, /, **values: object) -> Finding:
    """``Finding(code, values)`` with the values as keywords."""
    return Finding(code, values)


def clients(n: int) -> Finding:
    """"1 client" / "3 clients" / "3 个客户", as each language counts them."""
    return finding("diagnose.client" if n == 1 else "diagnose.clients", n=n)


@dataclass(frozen=True)
class Joined:
    """Values read as one phrase: joined by the catalog's ``sep`` key (e.g. ``diagnose.and``),
    or by a language's clause separator when ``sep`` is ``"clauses"``."""

    parts: tuple[object, ...]
    sep: str = "diagnose.and"


@dataclass(frozen=True)
class Names:
    """Ids listed as each language lists them, cut after ``limit`` (None: all) with "…"."""

    ids: tuple[str, ...]
    limit: int | None = None
