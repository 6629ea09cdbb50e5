"""The message catalog: complete in both languages, and the language of a run chosen once."""

from __future__ import annotations

import re
import string

import pytest

from rebalance import i18n

CJK = re.compile(r"[\u4e00-\u9fff]")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(i18n.catalog()))
def test_every_message_has_both_languages(key: str) -> None:
    """A message missing its Chinese (or English) text, or with different placeholders, fails."""
    en, zh = i18n.catalog()[key]
    assert en.strip() and zh.strip(), key
    assert _fields(en) == _fields(zh), key
    assert CJK.search(zh), f"{key}: the zh text has no Chinese: {zh!r}"


def test_resolve_lang_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    """--lang beats the scenario, the scenario beats $REBALANCE_LANG, which beats English."""
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert i18n.resolve_lang() == "en"
    monkeypatch.setenv(i18n.ENV_VAR, "zh")
    assert i18n.resolve_lang() == "zh"
    assert i18n.resolve_lang(scenario="en") == "en"
    assert i18n.resolve_lang("zh", scenario="en") == "zh"
    with pytest.raises(i18n.UnknownLanguage):
        i18n.resolve_lang("fr")


def test_t_renders_in_the_language() -> None:
    """t() picks the language and fills the placeholders."""
    assert i18n.t("common.unknown_lang", "zh", lang="fr").startswith("未知语言")
    assert "'fr'" in i18n.t("common.unknown_lang", "en", lang="fr")
