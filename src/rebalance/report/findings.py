"""The engine's coded findings (``rebalance.findings``) in English or Chinese."""

from __future__ import annotations

from collections.abc import Iterable

from rebalance.findings import Finding, Joined, Names
from rebalance.i18n import t

# How each language lists ids and separates clauses (no words: not in the catalog).
LIST_SEPARATOR = {"en": ", ", "zh": "、"}
CLAUSE_SEPARATOR = {"en": "; ", "zh": "；"}


def render(value: object, lang: str = "en") -> str:
    """A finding (or one of its values) as a sentence in ``lang``."""
    if isinstance(value, Finding):
        return t(value.code, lang, **{k: _value(v, lang) for k, v in value.values.items()})
    return str(_value(value, lang))


def render_all(findings: Iterable[Finding], lang: str = "en") -> tuple[str, ...]:
    """Each finding as a sentence in ``lang``."""
    return tuple(render(f, lang) for f in findings)


def _value(value: object, lang: str) -> object:
    """A value ready for the catalog's ``format``: coded values rendered, numbers kept."""
    if isinstance(value, Finding):
        return render(value, lang)
    if isinstance(value, Joined):
        sep = CLAUSE_SEPARATOR[_lang(lang)] if value.sep == "clauses" else t(value.sep, lang)
        return sep.join(render(part, lang) for part in value.parts)
    if isinstance(value, Names):
        sep = LIST_SEPARATOR[_lang(lang)]
        shown = list(value.ids if value.limit is None else value.ids[:value.limit])
        cut = value.limit is not None and len(value.ids) > value.limit
        return sep.join(shown) + (f"{sep}…" if cut else "")
    return value


def _lang(lang: str) -> str:
    return "zh" if lang == "zh" else "en"
