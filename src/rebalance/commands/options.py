"""The arguments and options several commands share, defined once.

A command declares them as ``lang: str | None = options.lang("Language of the table")``:
each command keeps its own help text (what the option means there); the flag, its default
and its type are the same everywhere. ``with_time_limit``, ``early_lang`` and ``resolved``
are the handling that goes with ``--time-limit`` and ``--lang``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer


def scenario(text: str = "Scenario YAML file.", metavar: str | None = None) -> Any:
    """The scenario file, required."""
    return typer.Argument(..., metavar=metavar, help=text)


def assignment(text: str) -> Any:
    """``--assignment/-a FILE``, required: a plan (a table with client_id and manager)."""
    return typer.Option(..., "--assignment", "-a", help=text)


def out(text: str, *short: str) -> Any:
    """``--out/-o PATH``, optional: where the command writes its files (same flags
    everywhere; ``short`` adds others)."""
    return typer.Option(None, "--out", *dict.fromkeys(("-o", *short)), help=text)


def overrides(text: str) -> Any:
    """``--set a.b=value``, repeatable: override scenario fields."""
    return typer.Option([], "--set", help=text)


def time_limit(text: str) -> Any:
    """``--time-limit SECONDS``, optional: see ``with_time_limit``."""
    return typer.Option(None, "--time-limit", help=text)


def lang(what: str) -> Any:
    """``--lang en|zh``, optional: unset, the scenario's ``lang:`` field decides, then
    $REBALANCE_LANG, then English (``i18n.resolve_lang``). The help reads ``"<what>: en or
    zh (default: scenario lang:, $REBALANCE_LANG, en)."``."""
    return typer.Option(None, "--lang",
                        help=f"{what}: en or zh (default: scenario lang:, $REBALANCE_LANG, en).")


def executor() -> Any:
    """``--executor auto|local|processes|ray``, optional: overrides ``solver.executor``."""
    from rebalance.i18n import t

    return typer.Option(None, "--executor", help=t("fanout.option", "en"))


def with_executor(sets: Sequence[str], name: str | None) -> list[str]:
    """The ``--set`` overrides, then ``solver.executor`` when ``--executor`` is given (so the
    scenario validates it like any other field)."""
    return [*sets, f"solver.executor={name}"] if name is not None else [*sets]


def with_time_limit(sets: Sequence[str], seconds: float | None) -> list[str]:
    """The ``--set`` overrides, then ``solver.time_limit`` when ``--time-limit`` is given."""
    out = [*sets]
    if seconds is not None:
        out.append(f"solver.time_limit={seconds}")
    return out


def early_lang(option: str | None, scenario: object = None) -> str:
    """The language for messages before the scenario is loaded: ``--lang``, else the
    scenario file's ``lang:`` line when it can be read, else $REBALANCE_LANG, else en. Exits 2
    with a one-line message when ``--lang`` is not en or zh."""
    from rebalance.cli import EXIT_BAD_INPUT, err_console
    from rebalance.i18n import UnknownLanguage, resolve_lang

    try:
        return resolve_lang(option, _peek_lang(scenario))
    except UnknownLanguage as exc:
        err_console.print(str(exc), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def resolved(option: str | None, scenario: Any) -> str:
    """The language of a run once the scenario is loaded: ``--lang``, else its ``lang:``,
    else $REBALANCE_LANG, else en (``i18n.resolve_lang``)."""
    from rebalance.i18n import resolve_lang

    return resolve_lang(option, getattr(scenario, "lang", None))


def _peek_lang(scenario: object) -> str | None:
    """A top-level ``lang: zh`` line of the scenario file (no YAML parsing, no ``extends``):
    only to choose the language of errors met while the scenario itself is loaded."""
    import re
    from pathlib import Path

    if scenario is None:
        return None
    try:  # only the head: a huge or hostile file is the loader's to refuse, with its reason
        with Path(str(scenario)).open("rb") as handle:
            text = handle.read(20000).decode("utf-8", errors="ignore")
    except OSError:
        return None
    found = re.search(r"^lang:\s*[\"']?(en|zh)\b", text, re.MULTILINE)
    return found.group(1) if found else None


def exit_unless_lang(lang: str | None) -> str:
    """The language ``--lang`` asks for (``early_lang`` without a scenario); exit 2 with a
    one-line message unless it is en or zh."""
    return early_lang(lang)
