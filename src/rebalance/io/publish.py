"""Publishing a set of output files all at once: the complete old set or the complete new one.

Every command that writes files (``solve``, ``targets``, ``compare``, ``sweep``,
``incentives`` …) goes through here:

1. ``check_out_dir`` / ``check_out_file`` look at the output path *before* any solving: a file
   where the folder should be, a dangling symlink, a folder that cannot be written, a folder
   in the way of an output file are ``OutputError`` (exit 2) at once, with the reason.
2. ``publish_dir`` yields a fresh hidden staging folder beside the output folder
   (``.<name>.rebalance-new-<pid>-<random>``). The command writes its files there. Files of the
   old folder that the command does not write (a planner's notes) are carried into the staging
   folder as hard links (copies where links are impossible).
3. The staging folder then takes the output folder's place in **one atomic operation**: on
   Linux ``renameat2(RENAME_EXCHANGE)`` swaps the two folders; when the output folder does not
   exist yet a plain ``rename`` publishes it. The old set, now under the hidden name, is
   removed.

A ``kill -9`` at any instant therefore leaves either the complete old set or the complete new
set under the output path. What it can leave is a hidden ``.<name>.rebalance-*`` folder beside
it; the next run removes those of processes that no longer exist (``clean_leftovers``).

Fallback where ``RENAME_EXCHANGE`` is not available (not Linux, or a file system that refuses
it, e.g. some network mounts): the old folder is renamed to ``.<name>.rebalance-old-<pid>-…``
and the staging folder renamed onto the output path. Between those two renames the output
path is briefly missing; if the run dies right there, the next run's ``clean_leftovers`` puts
the old set back before anything else. docs/outputs.md describes both.

Disk and permission errors (``OSError``: a full disk, a file-size limit, a read-only folder)
become ``OutputError``: a one-line reason in the planner's language, exit 2, the old set kept.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import secrets
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from rebalance.i18n import t

__all__ = [
    "OutputError",
    "check_out_dir",
    "check_out_file",
    "clean_leftovers",
    "publish_dir",
    "publish_file",
]

MARK = ".rebalance-"  # hidden siblings: .<name>.rebalance-new-<pid>-<hex> / -old-<pid>-<hex>
RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100


class OutputError(Exception):
    """The outputs cannot be written where asked: a message key of ``i18n/outputs.py``."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        """The one-line reason in ``lang``."""
        return t(self.key, lang, **self.values)


def _reason(exc: OSError) -> str:
    """What the operating system said, without Python's decorations."""
    return exc.strerror or str(exc)


def _write_failed(path: Path, exc: OSError) -> OutputError:
    return OutputError("outputs.write_failed", path=str(path), reason=_reason(exc))


# --------------------------------------------------------------------------- checks


def _check_parent(path: Path) -> None:
    """The nearest existing ancestor of ``path`` must be a folder we can create entries in."""
    ancestor = path.parent
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if os.path.islink(ancestor) and not ancestor.exists():
        raise OutputError("outputs.dangling_link", path=str(ancestor))
    if not ancestor.is_dir():
        raise OutputError("outputs.parent_not_folder", path=str(path), parent=str(ancestor))
    try:  # os.access says yes to root even on a read-only mount: try for real
        probe = Path(ancestor) / f".rebalance-probe-{os.getpid()}-{secrets.token_hex(4)}"
        probe.mkdir()
        probe.rmdir()
    except OSError as exc:
        raise OutputError("outputs.not_writable", path=str(ancestor),
                          reason=_reason(exc)) from None


def check_out_dir(out_dir: str | os.PathLike[str], names: Iterable[str] = ()) -> None:
    """Raise ``OutputError`` unless a set of files ``names`` can be published as ``out_dir``.

    Cheap and solver-free: commands call it before they load or solve anything.
    """
    path = Path(out_dir)
    if os.path.islink(path) and not path.exists():
        raise OutputError("outputs.dangling_link", path=str(path))
    if path.exists() and not path.is_dir():
        raise OutputError("outputs.not_a_folder", path=str(path))
    _check_parent(_real(path))
    for name in names:
        entry = path / name
        if os.path.lexists(entry) and (entry.is_symlink() or not entry.is_file()):
            raise OutputError("outputs.in_the_way", path=str(entry), name=name)


def check_out_file(path: str | os.PathLike[str]) -> None:
    """Raise ``OutputError`` unless one output file can be written (atomically) at ``path``."""
    target = Path(path)
    if os.path.islink(target) and not target.exists():
        raise OutputError("outputs.dangling_link", path=str(target))
    if target.exists() and not target.is_file():
        raise OutputError("outputs.file_is_folder", path=str(target))
    _check_parent(target)


def _real(path: Path) -> Path:
    """An output path that is a symlink to a folder publishes into the folder it points to
    (swapping the link itself would replace it with a plain folder)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


# --------------------------------------------------------------------------- leftovers


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(out_dir: str | os.PathLike[str]) -> None:
    """Remove hidden staging folders an interrupted run left beside ``out_dir``.

    Only folders of processes that no longer exist are touched. An old set that the fallback
    had moved aside, while the output path itself is missing, is put back first.
    """
    target = _real(Path(out_dir))
    parent = target.parent
    prefix = f".{target.name}{MARK}"
    try:
        entries = sorted(e for e in os.listdir(parent) if e.startswith(prefix))
    except OSError:
        return
    for entry in entries:
        kind, _, rest = entry[len(prefix):].partition("-")
        pid_text = rest.split("-", 1)[0]
        if not pid_text.isdigit() or _pid_alive(int(pid_text)):
            continue
        leftover = parent / entry
        if kind == "old" and not os.path.lexists(target):
            with contextlib.suppress(OSError):
                os.rename(leftover, target)  # the fallback died between its two renames
                continue
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                leftover.unlink()


# --------------------------------------------------------------------------- the swap


def _renameat2() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return getattr(libc, "renameat2", None)
    except OSError:
        return None


_RENAMEAT2 = None
_RENAMEAT2_LOOKED_UP = False


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (``renameat2(RENAME_EXCHANGE)``); False where unsupported."""
    global _RENAMEAT2, _RENAMEAT2_LOOKED_UP
    if not _RENAMEAT2_LOOKED_UP:
        _RENAMEAT2, _RENAMEAT2_LOOKED_UP = _renameat2(), True
    if _RENAMEAT2 is None or os.environ.get("REBALANCE_NO_EXCHANGE"):
        return False
    func = _RENAMEAT2
    assert callable(func)
    result = func(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False  # this kernel or file system cannot swap: use the fallback
    raise OSError(code, os.strerror(code), str(b))


def _fsync_tree(folder: Path) -> None:
    """Flush the staged files and the folder itself, so a crash after the swap loses nothing."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system can sync a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _carry_over(old: Path, staging: Path) -> None:
    """Bring the old folder's other entries (a planner's notes …) into the new set."""
    for entry in sorted(old.iterdir()):
        dest = staging / entry.name
        if os.path.lexists(dest):
            continue  # the new set writes this one
        if entry.is_symlink():
            os.symlink(os.readlink(entry), dest)
        elif entry.is_dir():
            shutil.copytree(entry, dest, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(str(entry), str(dest))


def _link_or_copy(src: str, dest: str) -> str:
    try:
        os.link(src, dest)
    except OSError:
        shutil.copy2(src, dest)
    return dest


def _umask() -> int:
    mask = os.umask(0o022)  # the umask can only be read by setting it
    os.umask(mask)
    return mask


def _hidden_sibling(target: Path, kind: str, create_parent: bool = False) -> Path:
    """``.<name>.rebalance-<kind>-<pid>-<random>`` beside ``target`` (see ``clean_leftovers``);
    with ``create_parent`` the folder it goes in is created first."""
    if create_parent:
        target.parent.mkdir(parents=True, exist_ok=True)
    return target.parent / f".{target.name}{MARK}{kind}-{os.getpid()}-{secrets.token_hex(4)}"


def _swap_in(staging: Path, target: Path) -> None:
    """Make ``staging`` the folder at ``target``, in one atomic step where the system can."""
    if not os.path.lexists(target):
        os.rename(staging, target)
        return
    if exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # ``staging`` now holds the old set
        return
    old = _hidden_sibling(target, "old")
    os.rename(target, old)
    os.rename(staging, target)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def publish_dir(out_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a staging folder; when the body succeeds, it becomes ``out_dir`` atomically.

    Files already in ``out_dir`` that the body does not write are kept (hard-linked into the
    new set). If the body raises, nothing under ``out_dir`` changes and the staging folder is
    removed; an ``OSError`` (full disk, file-size limit, permissions) becomes ``OutputError``.
    """
    requested = Path(out_dir)
    check_out_dir(requested)
    target = _real(requested)
    clean_leftovers(target)
    staging: Path | None = None
    try:
        staging = _hidden_sibling(target, "new", create_parent=True)
        staging.mkdir()
        os.chmod(staging, 0o777 & ~_umask())
        yield staging
        for entry in staging.iterdir():
            check_out_dir(requested, [entry.name])  # a folder in the way of a new file
        if target.is_dir():
            _carry_over(target, staging)
            os.chmod(staging, target.stat().st_mode & 0o7777)
        _fsync_tree(staging)
        _swap_in(staging, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise _write_failed(requested, exc) from None
    finally:
        if staging is not None and os.path.lexists(staging):
            shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def publish_file(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the body succeeds it replaces ``path``.

    The single-file form of ``publish_dir`` (``compare --out FILE``): same checks, same
    ``OutputError`` for disk and permission errors, the old file kept on any failure.
    """
    target = Path(path)
    check_out_file(target)
    tmp: Path | None = None
    try:
        tmp = _hidden_sibling(target, "new", create_parent=True)
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        raise _write_failed(target, exc) from None
    finally:
        if tmp is not None and os.path.lexists(tmp):
            with contextlib.suppress(OSError):
                tmp.unlink()
