"""Outputs all or nothing (``rebalance.io.publish``): path checks before solving, atomic sets,
kill -9 at any instant, full disks and file-size limits, leftovers of interrupted runs."""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rebalance.cli import app
from rebalance.io.publish import (
    MARK,
    OutputError,
    check_out_dir,
    clean_leftovers,
    publish_dir,
    publish_file,
)
from rebalance.pipeline import OUTPUT_FILES

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PLUS20 = ROOT / "scenarios" / "plus20.yaml"  # another book: another input hash
FILES = OUTPUT_FILES  # what solve writes
runner = CliRunner()
STARTUP_SECONDS = 2.0  # roughly what a fresh interpreter takes to import rebalance and ortools


def run_cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.output


def cli_subprocess(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    code = "from rebalance.cli import main; main()"
    return subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)  # type: ignore[call-overload]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def siblings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.parent.iterdir())


# --------------------------------------------------------------------------- path checks

BAD_PATHS = ["file_in_the_way", "dangling_link", "under_a_file", "folder_in_the_way"]


def make_bad_path(tmp_path: Path, kind: str) -> Path:
    if kind == "file_in_the_way":
        (tmp_path / "out").write_text("not a folder", encoding="utf-8")
        return tmp_path / "out"
    if kind == "dangling_link":
        (tmp_path / "out").symlink_to(tmp_path / "nowhere")
        return tmp_path / "out"
    if kind == "under_a_file":
        (tmp_path / "file").write_text("x", encoding="utf-8")
        return tmp_path / "file" / "out"
    (tmp_path / "out" / "assignment.csv").mkdir(parents=True)
    return tmp_path / "out"


@pytest.mark.parametrize("kind", BAD_PATHS)
def test_bad_out_path_exits_2_before_anything_is_read(tmp_path: Path, kind: str) -> None:
    """Each output path problem is exit 2 with its reason, found before the scenario is even
    read (a missing scenario would otherwise be the error), and nothing is created."""
    out = make_bad_path(tmp_path, kind)
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    code, output = run_cli("solve", str(tmp_path / "missing.yaml"), "--out", str(out), "-q")
    assert code == 2, output
    assert "--out" in output and "Traceback" not in output
    assert "missing.yaml" not in output
    assert sorted(str(p) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("command", [
    ["targets", str(BASELINE), "--assignment", "a.csv"],
    ["sweep", str(BASELINE), "--grid", "continuity.max_moves=0,5"],
    ["incentives", str(BASELINE)],
])
def test_every_command_checks_its_out_folder_first(tmp_path: Path, command: list[str]) -> None:
    """targets, sweep and incentives refuse a file where their --out folder goes, at once."""
    out = make_bad_path(tmp_path, "file_in_the_way")
    code, output = run_cli(*command, "--out", str(out))
    assert code == 2, output
    assert "a file is in the way" in output


def test_compare_refuses_a_folder_where_its_file_goes(tmp_path: Path) -> None:
    """compare --out FILE: a folder at that path is exit 2 before any scenario is solved."""
    (tmp_path / "cmp.csv").mkdir()
    code, output = run_cli("compare", str(BASELINE), "--out", str(tmp_path / "cmp.csv"),
                           "--lang", "zh")
    assert code == 2, output
    assert "同名文件夹" in output


def _without_root_override() -> None:
    """In the child: drop CAP_DAC_OVERRIDE, so root obeys folder permissions like anyone."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    pr_capbset_drop, cap_dac_override = 24, 1
    if libc.prctl(pr_capbset_drop, cap_dac_override, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_unwritable_folder_exits_2(tmp_path: Path) -> None:
    """A folder the user may not write into is exit 2 with the reason. Root may write
    anywhere, so as root the command runs without the capability that allows it."""
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o555)
    extra = {"preexec_fn": _without_root_override} if os.geteuid() == 0 else {}
    proc = cli_subprocess("solve", str(tmp_path / "missing.yaml"), "--out",
                          str(locked / "out"), "-q", **extra)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err.decode()
    assert "cannot write in folder" in err.decode()
    assert list(locked.iterdir()) == []


def test_check_out_dir_accepts_a_fresh_or_existing_folder(tmp_path: Path) -> None:
    """The check passes for a folder that does not exist yet and for an existing set."""
    check_out_dir(tmp_path / "a" / "b", FILES)
    (tmp_path / "set").mkdir()
    (tmp_path / "set" / "assignment.csv").write_text("old", encoding="utf-8")
    check_out_dir(tmp_path / "set", FILES)
    with pytest.raises(OutputError):
        check_out_dir(tmp_path / "set" / "assignment.csv")


# --------------------------------------------------------------------------- publishing


@pytest.mark.parametrize("exchange", [True, False])
def test_publish_swaps_the_whole_set_and_keeps_other_files(
        tmp_path: Path, exchange: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new set replaces the old one as a whole (with the atomic swap and with the
    two-rename fallback); a planner's own file in the folder stays; no hidden folder is left."""
    if not exchange:
        monkeypatch.setenv("REBALANCE_NO_EXCHANGE", "1")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "a.csv").write_text("old a", encoding="utf-8")
    (out / "b.csv").write_text("old b", encoding="utf-8")
    with publish_dir(out) as staging:
        (staging / "a.csv").write_text("new a", encoding="utf-8")
        (staging / "b.csv").write_text("new b", encoding="utf-8")
    assert snapshot(out) == {"a.csv": b"new a", "b.csv": b"new b", "notes.txt": b"mine"}
    assert siblings(out) == ["out"]


def test_publish_into_a_symlinked_folder_keeps_the_link(tmp_path: Path) -> None:
    """An --out that is a link to a folder publishes into that folder; the link stays a link."""
    real = tmp_path / "v1"
    real.mkdir()
    (tmp_path / "out").symlink_to(real)
    with publish_dir(tmp_path / "out") as staging:
        (staging / "a.csv").write_text("new", encoding="utf-8")
    assert (tmp_path / "out").is_symlink()
    assert (real / "a.csv").read_text(encoding="utf-8") == "new"


def test_disk_error_is_an_output_error_and_keeps_the_old_set(tmp_path: Path) -> None:
    """An OSError while writing (here: no space) becomes OutputError; the old set is intact."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old", encoding="utf-8")
    with pytest.raises(OutputError) as caught, publish_dir(out) as staging:
        (staging / "a.csv").write_text("half", encoding="utf-8")
        raise OSError(28, "No space left on device")
    assert "No space left on device" in caught.value.text("en")
    assert "原有文件未作任何改动" in caught.value.text("zh")
    assert snapshot(out) == {"a.csv": b"old"}
    assert siblings(out) == ["out"]


def test_publish_file_replaces_one_file_or_nothing(tmp_path: Path) -> None:
    """The single-file form: the old file stays on failure, is replaced on success."""
    target = tmp_path / "cmp.md"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(OutputError), publish_file(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise OSError(27, "File too large")
    assert target.read_text(encoding="utf-8") == "old"
    with publish_file(target) as tmp:
        tmp.write_text("new", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "new"
    assert siblings(target) == ["cmp.md"]


def test_leftovers_of_dead_runs_are_cleaned_and_live_ones_kept(tmp_path: Path) -> None:
    """Hidden staging folders of processes that are gone are removed on the next run; one of a
    running process is not; an old set the fallback had moved aside is put back."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    out = tmp_path / "out"
    old = tmp_path / f".out{MARK}old-{dead}-abcd"
    old.mkdir()
    (old / "a.csv").write_text("old set", encoding="utf-8")
    (tmp_path / f".out{MARK}new-{dead}-ef01").mkdir()
    live = tmp_path / f".out{MARK}new-{os.getpid()}-2345"
    live.mkdir()
    clean_leftovers(out)
    assert (out / "a.csv").read_text(encoding="utf-8") == "old set"
    assert siblings(out) == [live.name, "out"]


# --------------------------------------------------------------------------- kill -9

KILL_AT = textwrap.dedent("""
    import os, shutil, signal, sys
    from pathlib import Path
    import rebalance.io.publish as publish

    out, point = Path(sys.argv[1]), sys.argv[2]
    die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    if point == "after_swap":
        publish.shutil.rmtree = die          # the old set is still in its hidden folder
    if point == "between_renames":
        os.environ["REBALANCE_NO_EXCHANGE"] = "1"
        real_rename = os.rename
        calls = []
        def rename(a, b):
            calls.append(a)
            if len(calls) == 2:
                die()
            real_rename(a, b)
        publish.os.rename = rename
    with publish.publish_dir(out) as staging:
        (staging / "a.csv").write_text("new a", encoding="utf-8")
        if point == "while_writing":
            die()
        (staging / "b.csv").write_text("new b", encoding="utf-8")
""")


@pytest.mark.parametrize("point", ["while_writing", "after_swap", "between_renames"])
def test_kill_at_each_publishing_step_leaves_one_complete_set(tmp_path: Path,
                                                              point: str) -> None:
    """SIGKILL while the set is written, right after the swap, and (fallback) between the two
    renames: the folder holds the complete old or new set, and the next run leaves no debris."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.csv").write_text("old a", encoding="utf-8")
    (out / "b.csv").write_text("old b", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", KILL_AT, str(out), point], check=False)
    assert proc.returncode == -signal.SIGKILL
    clean_leftovers(out)  # what the next run does first
    assert snapshot(out) in ({"a.csv": b"old a", "b.csv": b"old b"},
                             {"a.csv": b"new a", "b.csv": b"new b"})
    assert siblings(out) == ["out"]


def _complete_set(out: Path, references: dict[str, dict[str, bytes]]) -> str:
    """The input hash of the set in ``out`` after checking every file belongs to that set."""
    files = snapshot(out)
    assert sorted(files) == sorted(FILES)
    summary = json.loads(files["summary.json"])
    reference = references[summary["input_hash"]]
    for name in FILES:
        if name != "summary.json":  # summary.json carries the wall time
            assert files[name] == reference[name], name
    return str(summary["input_hash"])


def test_solve_killed_at_random_points_always_leaves_one_complete_set(tmp_path: Path) -> None:
    """A solve of another book over an existing output set, SIGKILLed at random instants (from
    start-up to publishing), always leaves the complete old or new set: every file matches the
    reference set of the input hash in summary.json, and no hidden folder stays after the next
    run."""
    references: dict[str, dict[str, bytes]] = {}
    durations = []
    for scenario in (BASELINE, PLUS20):
        ref = tmp_path / f"ref-{scenario.stem}"
        started = time.monotonic()
        code, output = run_cli("solve", str(scenario), "--out", str(ref), "-q")
        durations.append(time.monotonic() - started)
        assert code == 0, output
        files = snapshot(ref)
        references[json.loads(files["summary.json"])["input_hash"]] = files
    assert len(references) == 2
    old_hash = next(iter(references))
    rng = random.Random(12)
    seen = set()
    for attempt in range(6):
        out = tmp_path / f"out{attempt}"
        out.mkdir()
        for name, data in references[old_hash].items():
            (out / name).write_bytes(data)
        proc = cli_subprocess("solve", str(PLUS20), "--out", str(out), "-q")
        time.sleep(rng.uniform(0.2, durations[1] + STARTUP_SECONDS))
        proc.kill()
        proc.communicate(timeout=60)
        clean_leftovers(out)
        seen.add(_complete_set(out, references))
        assert not [p for p in tmp_path.iterdir() if MARK in p.name]


def test_file_size_limit_in_the_child_keeps_the_old_set(tmp_path: Path) -> None:
    """A solve whose files hit RLIMIT_FSIZE (set in the child) exits 2 with a one-line reason
    and leaves the old set byte for byte, without staging debris."""
    out = tmp_path / "out"
    code, output = run_cli("solve", str(BASELINE), "--out", str(out), "-q")
    assert code == 0, output
    before = snapshot(out)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    proc = cli_subprocess("solve", str(PLUS20), "--out", str(out), "-q", preexec_fn=limit)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, err.decode()
    assert "File too large" in err.decode() and "Traceback" not in err.decode()
    assert snapshot(out) == before
    assert siblings(out) == ["out"]
