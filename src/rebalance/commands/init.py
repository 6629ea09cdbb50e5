"""``rebalance init DIR``: a template scenario and data tables that validate out of the box."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import typer

from rebalance.commands import options

# template file in rebalance/templates -> where it goes under DIR
TEMPLATE_FILES: tuple[tuple[str, str], ...] = (
    ("scenario.yaml", "scenario.yaml"),
    ("clients.csv", "data/clients.csv"),
    ("managers.csv", "data/managers.csv"),
)


def template_bytes(name: str) -> bytes:
    """The bytes of one bundled template file."""
    return resources.files("rebalance").joinpath("templates", name).read_bytes()


def write_templates(directory: Path, force: bool = False) -> list[Path]:
    """Write the templates under ``directory``; return the files written.

    Raises ``FileExistsError`` naming every file that exists already, unless ``force``;
    then nothing is written.
    """
    targets = [(name, directory / rel) for name, rel in TEMPLATE_FILES]
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
    lang: str = options.lang("Language of the messages"),
) -> None:
    """Write a template scenario.yaml and data/clients.csv, data/managers.csv to fill in."""
    from rebalance.cli import EXIT_BAD_INPUT, console, err_console, exit_codes

    zh = lang == "zh"
    with exit_codes(lang):
        if directory.exists() and not directory.is_dir():
            err_console.print(f"{directory} 不是文件夹" if zh else f"{directory} is not a folder",
                              markup=False)
            raise typer.Exit(EXIT_BAD_INPUT)
        try:
            written = write_templates(directory, force=force)
        except FileExistsError as exc:
            message = (f"文件已存在,未写入任何文件:{exc}(使用 --force 覆盖)" if zh else
                       f"these files exist already, nothing was written: {exc} "
                       f"(use --force to overwrite them)")
            err_console.print(message, markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        console.print("已写入:" if zh else "Wrote:")
        for path in written:
            console.print(f"  {path}", markup=False)
        scenario = directory / "scenario.yaml"
        console.print(("请填写数据后检查:" if zh else "Fill in your data, then check it with:")
                      + f" rebalance validate {scenario}", markup=False)


def register(app: typer.Typer) -> None:
    """Add ``init`` to the command line."""
    app.command("init")(init)
