"""The ``rebalance`` command line: thin wiring around the library.

Each command lives in ``rebalance.commands.<name>`` and registers itself on ``app`` through a
``register(app)`` function. Exit codes (the public contract):

- 0: done (a plan was written, the check passed, the data is valid)
- 1: no acceptable plan (contradicting rules, nothing found in time, a failed check)
- 2: bad input or usage
- 3: internal error
"""

from __future__ import annotations

import importlib
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.errors import MarkupError
from rich.text import Text

from rebalance import __version__
from rebalance.errors import InputError, NoPlanError, safe_text
from rebalance.i18n import DEFAULT_LANG, LANGS, UnknownLanguage, t

EXIT_OK, EXIT_NO_PLAN, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

COMMAND_MODULES = (
    "validate", "init", "solve", "check", "targets", "compare", "sweep", "incentives",
)

app = typer.Typer(
    name="rebalance",
    help="Re-assign group clients to account managers and derive fair targets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _width(stream: object) -> int | None:
    """Rich's own width on a terminal; wide enough for the tables when piped to a file."""
    isatty = getattr(stream, "isatty", None)
    return None if callable(isatty) and isatty() else 200


class SafeConsole(Console):
    """A console for text that may hold cells of the planner's data: control characters and
    escape sequences are shown escaped, and text whose brackets are not valid rich markup
    (a client named ``[/]``) is printed as it is instead of raising."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        text = safe_text(text, lines=True)
        try:
            return super().render_str(text, **kwargs)
        except MarkupError:
            return super().render_str(text, **{**kwargs, "markup": False})


console = SafeConsole(highlight=False, width=_width(sys.stdout))
err_console = SafeConsole(stderr=True, highlight=False)

T = TypeVar("T")


NoPlan = NoPlanError  # raised by a command when no acceptable plan exists: message, exit 1


class Run:
    """The language errors are printed in; a command updates it once the scenario is loaded."""

    def __init__(self, lang: str) -> None:
        self.lang = lang


@contextmanager
def exit_codes(lang: str = "en") -> Iterator[Run]:
    """Map library errors to the contract's exit codes, with readable messages, no traceback.

    Yields a ``Run`` whose ``lang`` a command sets once it knows the scenario's language.
    """
    from rebalance.io.publish import OutputError

    run = Run(lang if lang in LANGS else DEFAULT_LANG)  # a bad --lang is told in English
    try:
        yield run
    except OutputError as exc:  # where the outputs go: one line, exit 2, old outputs kept
        err_console.print(exc.text(run.lang), markup=False, soft_wrap=True, style="bold red")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except InputError as exc:
        err_console.print(f"[bold red]{t('common.title.bad_input', run.lang)}[/]")
        # soft_wrap: one problem per line, never broken at the terminal width
        err_console.print(exc.render(run.lang), markup=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except UnknownLanguage as exc:
        err_console.print(f"[bold red]{t('common.title.bad_input', lang)}[/]")
        err_console.print(str(exc), markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except NoPlan as exc:
        err_console.print(f"[bold red]{t('common.title.no_plan', run.lang)}[/]")
        lines = str(exc).split("\n")  # one reason a line; what came from cells is escaped
        err_console.print("\n".join(safe_text(line) for line in lines), markup=False,
                          soft_wrap=True)
        raise typer.Exit(EXIT_NO_PLAN) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception:  # noqa: BLE001 - the last line of defence: exit 3 with the trace
        err_console.print(f"[bold red]{t('common.title.internal', run.lang)}[/]",
                          markup=True)
        err_console.print(traceback.format_exc(), markup=False)
        raise typer.Exit(EXIT_INTERNAL) from None


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"rebalance {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Re-assign group clients to account managers and derive fair targets."""


def _command_modules() -> list[str]:
    """The commands in help order: ``COMMAND_MODULES`` first, then any other module of
    ``rebalance.commands`` that has a ``register`` function, alphabetically."""
    import pkgutil

    from rebalance import commands

    found = sorted(m.name for m in pkgutil.iter_modules(commands.__path__))
    return [*COMMAND_MODULES, *(name for name in found if name not in COMMAND_MODULES)]


def _register_commands() -> None:
    for name in _command_modules():
        try:
            module = importlib.import_module(f"rebalance.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"rebalance.commands.{name}":
                continue  # command not built yet
            raise
        register: Callable[[typer.Typer], None] | None = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()


def main() -> None:
    """Console entry point."""
    try:
        app()
    except SystemExit as exc:
        code = exc.code
        if isinstance(code, int) and code not in (0, 1, 2, 3):
            # click uses 2 for usage errors already; anything else is unexpected
            sys.exit(EXIT_INTERNAL)
        raise
