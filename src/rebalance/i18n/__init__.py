"""The message catalog: every sentence a user sees, in English and Chinese, in one place.

Messages live in area modules beside this file (``common.py``, ``inputs.py`` …), each with a
``MESSAGES`` dict mapping a dotted key to an ``(en, zh)`` pair of ``str.format`` templates.
``t(key, lang, **values)`` renders one; ``catalog()`` merges the areas once and refuses a key
defined twice. ``tests/test_i18n.py`` walks the whole catalog: both languages present, the
same placeholders in both, Chinese text in the zh one.

The language of a run is chosen by ``resolve_lang``: the ``--lang`` option, else the
scenario's ``lang:`` field, else the ``REBALANCE_LANG`` environment variable, else English.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Mapping
from functools import cache

LANGS: tuple[str, ...] = ("en", "zh")
DEFAULT_LANG = "en"
ENV_VAR = "REBALANCE_LANG"

Text = tuple[str, str]  # (en, zh)


class UnknownLanguage(ValueError):
    """A language other than ``LANGS`` was asked for."""


@cache
def catalog() -> Mapping[str, Text]:
    """Every message of every area module, merged; a key defined twice is a bug."""
    merged: dict[str, Text] = {}
    owner: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, text in getattr(module, "MESSAGES", {}).items():
            if key in merged:
                raise RuntimeError(f"message {key!r} defined in both {owner[key]} and {info.name}")
            merged[key] = text
            owner[key] = info.name
    return merged


def check_lang(lang: str) -> str:
    """``lang`` itself when it is one of ``LANGS``; otherwise ``UnknownLanguage``."""
    if lang not in LANGS:
        raise UnknownLanguage(t("common.unknown_lang", DEFAULT_LANG, lang=lang))
    return lang


def resolve_lang(option: str | None = None, scenario: str | None = None) -> str:
    """The language of a run: ``--lang``, else scenario ``lang:``, else $REBALANCE_LANG, else en."""
    for candidate in (option, scenario, os.environ.get(ENV_VAR) or None):
        if candidate:
            return check_lang(candidate.strip().lower())
    return DEFAULT_LANG


def t(key: str, lang: str, /, **values: object) -> str:
    """The message ``key`` in ``lang``, with ``values`` filled in."""
    en, zh = catalog()[key]
    template = zh if check_lang(lang) == "zh" else en
    return template.format(**values) if values else template


def texts(lang: str, area: str) -> dict[str, str]:
    """The unfilled templates of ``<area>.*`` keys in ``lang``, keyed by the rest of the key
    (for code that fills them itself, e.g. with format specs)."""
    side = 1 if check_lang(lang) == "zh" else 0
    prefix = f"{area}."
    return {key[len(prefix):]: pair[side] for key, pair in catalog().items()
            if key.startswith(prefix)}


def both(key: str, /, **values: object) -> Text:
    """The message ``key`` in both languages (for tables that carry en and zh side by side)."""
    return t(key, "en", **values), t(key, "zh", **values)
