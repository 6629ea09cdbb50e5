"""The arguments and options several commands share, defined once.

A command declares them as ``lang: str = options.lang("Language of the table")``: each command
keeps its own help text (what the option means there); the flag, its default and its type are
the same everywhere. ``with_time_limit`` and ``exit_unless_lang`` are the handling that goes
with ``--time-limit`` and ``--lang``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import typer

LANGS = ("en", "zh")


def scenario(text: str = "Scenario YAML file.", metavar: str | None = None) -> Any:
    """The scenario file, required."""
    return typer.Argument(..., metavar=metavar, help=text)


def assignment(text: str) -> Any:
    """``--assignment/-a FILE``, required: a plan (a table with client_id and manager)."""
    return typer.Option(..., "--assignment", "-a", help=text)


def out(text: str, *short: str) -> Any:
    """``--out PATH``, optional: where the command writes its files."""
    return typer.Option(None, "--out", *short, help=text)


def overrides(text: str) -> Any:
    """``--set a.b=value``, repeatable: override scenario fields."""
    return typer.Option([], "--set", help=text)


def time_limit(text: str) -> Any:
    """``--time-limit SECONDS``, optional: see ``with_time_limit``."""
    return typer.Option(None, "--time-limit", help=text)


def lang(what: str) -> Any:
    """``--lang en|zh``, default en; the help reads ``"<what>: en or zh."``."""
    return typer.Option("en", "--lang", help=f"{what}: en or zh.")


def with_time_limit(sets: Sequence[str], seconds: float | None) -> list[str]:
    """The ``--set`` overrides, then ``solver.time_limit`` when ``--time-limit`` is given."""
    out = [*sets]
    if seconds is not None:
        out.append(f"solver.time_limit={seconds}")
    return out


def exit_unless_lang(lang: str) -> None:
    """Exit 2 with a one-line message unless ``lang`` is one of ``LANGS``."""
    from rebalance.cli import EXIT_BAD_INPUT, err_console

    if lang not in LANGS:
        err_console.print(f"--lang must be en or zh, got {lang!r}")
        raise typer.Exit(EXIT_BAD_INPUT)
