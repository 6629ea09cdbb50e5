"""``rebalance init DIR``: a template scenario and data tables that validate out of the box."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import typer

from rebalance.commands import options
from rebalance.i18n import t

# template file in rebalance/templates -> where it goes under DIR, per language (the clients
# template has Chinese headers in both: that is what the department's systems export)
TEMPLATE_FILES: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("scenario.yaml", "scenario.yaml"), ("clients.csv", "data/clients.csv"),
           ("managers.csv", "data/managers.csv")),
    "zh": (("scenario.zh.yaml", "scenario.yaml"), ("clients.csv", "data/clients.csv"),
           ("managers.zh.csv", "data/managers.csv")),
}


def template_bytes(name: str) -> bytes:
    """The bytes of one bundled template file."""
    return resources.files("rebalance").joinpath("templates", name).read_bytes()


def write_templates(directory: Path, force: bool = False, lang: str = "en") -> list[Path]:
    """Write the templates under ``directory``; return the files written.

    Raises ``FileExistsError`` naming every file that exists already, unless ``force``;
    then nothing is written.
    """
    targets = [(name, directory / rel) for name, rel in TEMPLATE_FILES[lang]]
    existing = [path for _, path in targets if path.exists()]
    if existing and not force:
        raise FileExistsError(", ".join(str(p) for p in existing))
    written = []
    for name, path in targets:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(template_bytes(name))
        written.append(path)
    return written


def init(
    directory: Path = typer.Argument(..., metavar="DIR", help="Folder to create the files in."),
    force: bool = typer.Option(False, "--force", help="Overwrite files that exist already."),
    lang: str | None = options.lang("Language of the messages and templates"),
) -> None:
    """Write a template scenario.yaml and data/clients.csv, data/managers.csv to fill in."""
    from rebalance.cli import EXIT_BAD_INPUT, console, err_console, exit_codes

    lang = options.early_lang(lang)
    with exit_codes(lang):
        if directory.exists() and not directory.is_dir():
            err_console.print(t("init.not_a_folder", lang, path=directory), markup=False)
            raise typer.Exit(EXIT_BAD_INPUT)
        try:
            written = write_templates(directory, force=force, lang=lang)
        except FileExistsError as exc:
            err_console.print(t("init.exists", lang, files=exc), markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        console.print(t("init.wrote", lang))
        for path in written:
            console.print(f"  {path}", markup=False)
        console.print(t("init.next", lang, command=f"rebalance validate "
                                                   f"{directory / 'scenario.yaml'}"),
                      markup=False)


def register(app: typer.Typer) -> None:
    """Add ``init`` to the command line."""
    app.command("init")(init)
