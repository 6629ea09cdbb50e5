"""Coded findings: the engine says what it found as catalog keys and numbers, the report writes
the sentences (``report.findings``), and no engine module reaches for the catalog itself."""

from __future__ import annotations

import ast
from pathlib import Path

from rebalance.findings import Joined, Names, clients, finding
from rebalance.report.findings import render, render_all

SRC = Path(__file__).resolve().parents[1] / "src" / "rebalance"
# The engine: what decides the plan and says why there is none. ``scale/lanes.py`` names its
# executor tasks with the catalog's English ``fanout.pool`` (an executor's label, shown in
# logs only): it is the one exception, named here so that it cannot spread.
ENGINE = ["solve.py", "guard.py", "diagnose.py", "result.py", "findings.py", "staged.py",
          "exact", "scale", "backup", "rules/__init__.py"]
EXCEPTIONS = {"scale/lanes.py"}


def test_nested_findings_render_in_each_language() -> None:
    """A finding with a count, a joined phrase and a cut list of ids reads right in en and zh
    (the values are rendered in the finding's language, lists cut after the limit)."""
    found = finding("diagnose.max_moves_per_manager", manager="KM1", clients=clients(3),
                    names=Names(("C1", "C2", "C3"), 2), cap=1)
    assert render(found) == render_all([found])[0]
    en, zh = render(found, "en"), render(found, "zh")
    assert "KM1" in en and "3 clients" in en and "C1, C2, …" in en
    assert "3 个客户" in zh and "C1、C2、…" in zh
    joined = finding("diagnose.core", rules=Joined((clients(1), clients(2)), "clauses"))
    assert "1 client; 2 clients" in render(joined)
    assert "1 个客户；2 个客户" in render(joined, "zh")


def test_the_engine_does_not_write_sentences() -> None:
    """No engine module imports the message catalog: findings are coded, the report renders
    them (one place for every sentence, in both languages)."""
    offenders = []
    for entry in ENGINE:
        path = SRC / entry
        for file in ([path] if path.is_file() else sorted(path.rglob("*.py"))):
            name = file.relative_to(SRC).as_posix()
            if name in EXCEPTIONS:
                continue
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                        "rebalance.i18n"):
                    offenders.append(name)
    assert offenders == []
