"""Under ``--lang zh`` every command speaks Chinese: what it prints and what it writes.

Each command runs as a planner types it; its terminal output and its files are searched for
an English sentence (two English words in a row). Ids, numbers, file names, scenario names,
option names and the user's own data (the scenario's description in the parameters sheet)
may stay as they are. ``--help`` stays English (Typer), as the README says.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from rebalance.cli import app

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
CAPPED = ROOT / "scenarios" / "capped_moves.yaml"
ENGLISH = re.compile(r"\b[A-Za-z]{2,} [A-Za-z]{2,}\b")
ALLOWED = re.compile(r"rebalance \w+|--[\w-]+|\S+\.(csv|xlsx|yaml|png|json|md)\b")

runner = CliRunner()


def _english(text: str, tmp: Path) -> list[str]:
    text = ALLOWED.sub(" ", text.replace(str(tmp), " ").replace(str(ROOT), " "))
    return ENGLISH.findall(text) and [m.group(0) for m in ENGLISH.finditer(text)]


def _run(tmp: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, [*args, "--lang", "zh"], env={"COLUMNS": "200"})
    assert result.exit_code == code, result.output
    found = _english(result.output, tmp)
    assert not found, f"{args[0]} prints English: {found}"
    return result.output


def _file_english(path: Path, tmp: Path) -> list[str]:
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        texts = []
        for sheet in book.worksheets:
            texts.append(sheet.title)
            for n, row in enumerate(sheet.iter_rows(values_only=True)):
                if sheet.title == "参数" and n > 0:
                    continue  # the resolved scenario: the user's own words and keys
                texts.extend(str(v) for v in row if isinstance(v, str))
        return _english("\n".join(texts), tmp)
    if path.suffix == ".json":
        summary = json.loads(path.read_text(encoding="utf-8"))
        return _english("\n".join(summary["outside_band"]), tmp)
    if path.suffix == ".csv":
        return _english(path.read_text(encoding="utf-8-sig"), tmp)
    return []


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("zh")
    _run(tmp, "solve", str(BASELINE), "--out", str(tmp / "out"), "--quiet")
    return tmp


def test_solve_prints_and_writes_chinese(solved: Path) -> None:
    """solve's terminal lines, CSV headers and reasons, workbook sheets and headers, and the
    summary's outside-band sentences are Chinese."""
    output = _run(solved, "solve", str(BASELINE), "--out", str(solved / "again"))
    assert "超出容差区间的客户经理" in output and "最优" in output
    for path in sorted((solved / "out").iterdir()):
        assert not _file_english(path, solved), path.name


def test_check_and_targets_in_chinese(solved: Path) -> None:
    """check and targets (terminal and targets.csv) say everything in Chinese."""
    plan = str(solved / "out" / "assignment.csv")
    _run(solved, "check", str(BASELINE), "--assignment", plan)
    _run(solved, "targets", str(BASELINE), "--assignment", plan, "--out", str(solved / "t"))
    assert not _file_english(solved / "t" / "targets.csv", solved)


def test_validate_and_init_in_chinese(tmp_path: Path) -> None:
    """validate's summary, init's messages and init's scenario comments are Chinese; the zh
    templates validate as they are."""
    _run(tmp_path, "validate", str(BASELINE))
    _run(tmp_path, "init", str(tmp_path / "new"))
    comments = [line.split("#", 1)[1] for line in
                (tmp_path / "new" / "scenario.yaml").read_text(encoding="utf-8").splitlines()
                if "#" in line]
    assert comments and not _english("\n".join(comments), tmp_path)
    assert "状态" in (tmp_path / "new" / "data" / "managers.csv").read_text(encoding="utf-8")
    _run(tmp_path, "validate", str(tmp_path / "new" / "scenario.yaml"))


def test_compare_and_sweep_in_chinese(tmp_path: Path) -> None:
    """compare and sweep print and write Chinese headers and statuses."""
    _run(tmp_path, "compare", str(BASELINE), str(CAPPED), "--time-limit", "10",
         "--out", str(tmp_path / "cmp.csv"))
    assert not _file_english(tmp_path / "cmp.csv", tmp_path)
    _run(tmp_path, "sweep", str(BASELINE), "--grid", "continuity.max_moves=0,10",
         "--time-limit", "10", "--out", str(tmp_path / "sweep"))
    assert not _file_english(tmp_path / "sweep" / "sweep.csv", tmp_path)


def test_errors_in_chinese(tmp_path: Path) -> None:
    """A contradiction (exit 1) and a bad option value (exit 2) are reported in Chinese."""
    scenario = tmp_path / "tight.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\nname: tight\n"
        "locks:\n  - {client: '510997', manager: KM003}\n", encoding="utf-8")
    output = _run(tmp_path, "solve", str(scenario), "--out", str(tmp_path / "o"), "--quiet",
                  "--set", "continuity.max_moves=0", code=1)
    assert "没有可行方案" in output
    output = _run(tmp_path, "solve", str(BASELINE), "--time-limit", "0", code=2)
    assert "输入有误" in output


def test_scenario_lang_field_selects_chinese(tmp_path: Path) -> None:
    """Without --lang, a scenario's ``lang: zh`` makes the command speak Chinese; --lang en
    wins over it."""
    scenario = tmp_path / "zh.yaml"
    scenario.write_text(f"extends: {BASELINE}\nname: zh\nlang: zh\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(scenario)], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "数据和场景未发现问题" in result.output
    result = runner.invoke(app, ["validate", str(scenario), "--lang", "en"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "数据和场景未发现问题" not in result.output


def test_environment_and_bad_language(tmp_path: Path) -> None:
    """$REBALANCE_LANG=zh selects Chinese without --lang; --lang fr is a usage error (exit 2)
    with a one-line message in both languages' terms."""
    result = runner.invoke(app, ["validate", str(BASELINE)],
                           env={"COLUMNS": "200", "REBALANCE_LANG": "zh"})
    assert result.exit_code == 0 and "数据和场景未发现问题" in result.output
    result = runner.invoke(app, ["check", str(BASELINE), "-a", "x.csv", "--lang", "fr"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "use en or zh" in result.output


def test_glossary_uses_the_catalogs_terms() -> None:
    """docs/glossary.md lists every ``term.*`` of the catalog with the same en and zh words,
    so the docs, the terminal and the files speak one vocabulary."""
    from rebalance.i18n import catalog

    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
            for line in glossary.splitlines() if line.startswith("| ") and "---" not in line}
    for key, (en, zh) in catalog().items():
        if key.startswith("term.") and key != "term.outside_band":
            assert rows.get(en) == zh, f"{key}: glossary says {rows.get(en)!r}, catalog {zh!r}"
