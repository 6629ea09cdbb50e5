"""report.html, the workbook's summary sheet and `rebalance report`, through the CLI.

The browser checks (rendering, requests, print) are in test_report_browser.py; these read the
files themselves: offline markup, the headline figures against the other outputs, names beside
ids, byte-identical rebuilds, the workbook's first sheet, charts and readable parameters.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from rebalance.cli import app
from rebalance.i18n import t
from rebalance.report import plots

TINY_DIR = Path(__file__).parent / "data" / "whatif"
FAST = ["--set", "solver.time_limit=5", "--set", "solver.workers=2"]


def _run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the tiny book (tests below may change its files)."""
    folder = tmp_path_factory.mktemp("book")
    for name in ("tiny.yaml", "clients.csv", "managers.csv"):
        shutil.copy(TINY_DIR / name, folder / name)
    return folder / "tiny.yaml"


@pytest.fixture(scope="module")
def solved(book: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`rebalance solve` of the tiny book in English and in Chinese."""
    out = {}
    for lang in ("en", "zh"):
        folder = tmp_path_factory.mktemp(f"out_{lang}")
        code, output = _run("solve", book, "--out", folder, "--lang", lang, "-q", *FAST)
        assert code == 0, output
        out[lang] = folder
    return out


def test_solve_writes_a_self_contained_report(solved: dict[str, Path]) -> None:
    """report.html refers to no other file or address: no script, link, src or url()."""
    html = (solved["en"] / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html
    # url(#id) is a reference inside the page (SVG clip paths); any other url( would load.
    assert not re.search(r"<script|<link|<iframe|<img|\bsrc=|url\((?!#)|@import", html)
    # Only the SVG namespace URIs may look like addresses (they are names, never fetched).
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", html))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, addresses


def test_report_headline_agrees_with_the_other_outputs(solved: dict[str, Path]) -> None:
    """The moves count on page 1 is summary.json's; every move is listed with names beside ids."""
    folder = solved["en"]
    html = (folder / "report.html").read_text(encoding="utf-8")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    moves = _rows(folder / "moves.csv")
    assert summary["moves"] > 0
    assert f"{summary['moves']} moves" in html
    for move in moves:
        assert f"<td>{move['client_id']}</td>" in html
    managers = {r["manager_id"]: r["name"] for r in _rows(folder / "managers.csv")}
    losing = {m["from_manager"] for m in moves}
    for mid in losing:  # the group headings name the manager beside the id
        assert f"{mid} {managers[mid]}: gives" in html
    summary_part = html[:html.index('id="moves"')]
    assert t("report.largest", "en") in summary_part
    assert t("report.decisions", "en") in summary_part


def test_chinese_report_is_in_chinese(solved: dict[str, Path]) -> None:
    """With --lang zh the headings, figures and table headers are the catalog's Chinese."""
    html = (solved["zh"] / "report.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html
    for key in ("report.largest", "report.decisions", "report.moves_by_manager", "report.targets"):
        assert t(key, "zh") in html, key
    assert "<th>客户编码</th>" in html
    assert "Moves by manager" not in html


def test_report_command_rebuilds_the_same_bytes(solved: dict[str, Path], tmp_path: Path) -> None:
    """`rebalance report OUT_DIR` gives report.html byte for byte as solve wrote it."""
    for lang, folder in solved.items():
        copy = tmp_path / lang
        shutil.copytree(folder, copy)
        (copy / "report.html").unlink()
        code, output = _run("report", copy, "--lang", lang)
        assert code == 0, output
        assert (copy / "report.html").read_bytes() == (folder / "report.html").read_bytes(), lang


def test_report_command_language_from_the_environment(solved: dict[str, Path], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --lang, REBALANCE_LANG=zh gives the Chinese report (resolve_lang)."""
    copy = tmp_path / "out"
    shutil.copytree(solved["en"], copy)
    monkeypatch.setenv("REBALANCE_LANG", "zh")
    code, output = _run("report", copy)
    assert code == 0, output
    assert (copy / "report.html").read_bytes() == (solved["zh"] / "report.html").read_bytes()


def test_report_command_refuses_a_folder_without_a_plan(tmp_path: Path) -> None:
    """A folder without summary.json is bad input (exit 2) naming the missing file."""
    code, output = _run("report", tmp_path)
    assert code == 2
    assert "summary.json" in output


def test_report_command_refuses_changed_inputs(book: Path, tmp_path: Path) -> None:
    """After the clients file changed, the old plan is not reported against new data (exit 2)."""
    folder = tmp_path / "book"
    shutil.copytree(book.parent, folder)
    out = tmp_path / "out"
    code, output = _run("solve", folder / "tiny.yaml", "--out", out, "-q", *FAST)
    assert code == 0, output
    clients = folder / "clients.csv"
    clients.write_bytes(clients.read_bytes().replace(b"\n", b"\r\n", 1))
    code, output = _run("report", out)
    assert code == 2
    assert "changed" in output


def test_workbook_opens_on_a_summary_sheet_with_native_charts(solved: dict[str, Path]) -> None:
    """assignment.xlsx: first and active sheet summary/摘要, three charts, out-of-band rules."""
    for lang, title in (("en", "summary"), ("zh", "摘要")):
        workbook = openpyxl.load_workbook(solved[lang] / "assignment.xlsx")
        assert workbook.sheetnames[0] == title
        assert workbook.active is not None and workbook.active.title == title
        sheet = workbook[title]
        assert len(sheet._charts) == 3  # revenue, importance, client count
        rules = [rule for rng in sheet.conditional_formatting for rule in rng.rules]
        assert len(rules) == 3 and all(r.operator == "notBetween" for r in rules)
        values = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
        assert t("report.changes", lang) in values
        assert "T01" in values and "张伟" in values  # names beside ids


def test_parameters_sheet_is_readable(solved: dict[str, Path]) -> None:
    """Plain values (no JSON quotes), data paths relative to the scenario file."""
    workbook = openpyxl.load_workbook(solved["en"] / "assignment.xlsx")
    rows = dict(workbook["parameters"].iter_rows(min_row=2, values_only=True))
    assert rows["data.clients"] == "clients.csv"
    assert rows["data.managers"] == "managers.csv"
    assert rows["name"] == "tiny"
    assert rows["solver.time_limit"] == "5"
    assert not any(str(v).startswith('"') for v in rows.values())


def test_font_notice_only_for_chinese_without_a_font(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CJK font + zh: a notice naming the fix; English output or a font: no notice."""
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    notice = plots.font_notice("zh")
    assert notice is not None and "fonts-wqy-microhei" in notice and "REBALANCE_CJK_FONT" in notice
    assert plots.font_notice("en") is None
    monkeypatch.setattr(plots, "cjk_font", lambda: "WenQuanYi Micro Hei")
    assert plots.font_notice("zh") is None


def test_solve_says_once_when_chinese_charts_have_no_font(book: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """`solve --lang zh` without a CJK font prints the notice exactly once."""
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    code, output = _run("solve", book, "--out", tmp_path / "out", "--lang", "zh", "-q", *FAST)
    assert code == 0, output
    assert output.count("fonts-wqy-microhei") == 1


def test_compare_writes_an_html_report(book: Path, tmp_path: Path) -> None:
    """compare --out X.html: both scenarios side by side and the moves-versus-balance chart."""
    capped = book.parent / "capped.yaml"
    capped.write_text("extends: tiny.yaml\nname: capped\ncontinuity: {max_moves: 1}\n",
                      encoding="utf-8")
    out = tmp_path / "compare.html"
    code, output = _run("compare", book, capped, "--out", out, *FAST)
    assert code == 0, output
    html = out.read_text(encoding="utf-8")
    assert "<th>tiny</th>" in html and "<th>capped</th>" in html
    assert "<svg" in html and t("report.curve", "en") in html


def test_loads_chart_is_one_svg_per_report_and_deterministic(book: Path) -> None:
    """loads_figure draws the three metrics; figure_svg gives the same fluid <svg> twice."""
    from rebalance import pipeline

    scenario, problem, rules = pipeline.load(book, ["solver.time_limit=5", "solver.workers=2"])
    plan = pipeline.run(scenario, problem, rules)
    first = plots.figure_svg(plots.loads_figure(plan), salt="x")
    second = plots.figure_svg(plots.loads_figure(plan), salt="x")
    assert first == second
    assert first.startswith("<svg") and 'width="100%"' in first
    assert "<metadata>" not in first and "dc:date" not in first
    figure = plots.loads_figure(plan)
    assert [ax.get_title().split()[0] for ax in figure.axes] == ["Revenue", "Importance",
                                                                 "Clients"]


def test_cells_read_as_in_the_workbook() -> None:
    """Money with separators, shares as percentages, other numbers in fixed notation."""
    from rebalance.report.html import cell_text

    assert cell_text(1234567.0, None) == "1234567"  # never 1.23457e+06
    assert cell_text(4098300.0, "#,##0.00") == "4,098,300.00"
    assert cell_text(1234.4, "#,##0") == "1,234"
    assert cell_text(0.1234, "0.0%") == "12.3%"
    assert cell_text(float("nan"), "0.0%") == ""
    assert cell_text(None, None) == ""
    assert cell_text(True, None) == "true"


def test_backups_are_reported_and_rebuilt(book: Path, tmp_path: Path) -> None:
    """With backup.enabled the report has the backups table, and `report` rebuilds it exactly."""
    out = tmp_path / "out"
    code, output = _run("solve", book, "--out", out, "-q", "--set", "backup.enabled=true", *FAST)
    assert code == 0, output
    written = (out / "report.html").read_bytes()
    assert t("report.backups", "en").encode() in written
    assert b"<th>backup_clients</th>" in written
    (out / "report.html").unlink()
    code, output = _run("report", out)
    assert code == 0, output
    assert (out / "report.html").read_bytes() == written


def test_report_command_refuses_an_unknown_language(solved: dict[str, Path]) -> None:
    """--lang fr is a usage error (exit 2) with the catalog's message, nothing written."""
    before = (solved["en"] / "report.html").read_bytes()
    code, output = _run("report", solved["en"], "--lang", "fr")
    assert code == 2
    assert "en or zh" in output
    assert (solved["en"] / "report.html").read_bytes() == before


def test_solve_takes_the_language_from_the_scenario(book: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """`lang: zh` in the scenario gives Chinese tables and report; --lang en still wins."""
    monkeypatch.delenv("REBALANCE_LANG", raising=False)
    chinese = book.parent / "tiny_zh.yaml"
    chinese.write_text("extends: tiny.yaml\nlang: zh\n", encoding="utf-8")
    code, output = _run("solve", chinese, "--out", tmp_path / "zh", "-q", *FAST)
    assert code == 0, output
    assert '<html lang="zh-CN">' in (tmp_path / "zh" / "report.html").read_text(encoding="utf-8")
    assert "客户编码" in (tmp_path / "zh" / "moves.csv").read_text(encoding="utf-8-sig")
    code, output = _run("solve", chinese, "--out", tmp_path / "en", "--lang", "en", "-q", *FAST)
    assert code == 0, output
    assert '<html lang="en">' in (tmp_path / "en" / "report.html").read_text(encoding="utf-8")


def test_targets_table_marks_deviations_outside_the_band(book: Path, tmp_path: Path) -> None:
    """Each revenue/importance deviation outside its band is red, exactly those cells."""
    out = tmp_path / "out"
    code, output = _run("solve", book, "--out", out, "-q", "--set", "continuity.max_moves=1",
                        *FAST)
    assert code == 0, output
    managers = _rows(out / "managers.csv")
    tolerance = {"revenue_dev": 0.10, "importance_dev": 0.15}  # the scenario's defaults
    expected = sum(1 for row in managers for column, tol in tolerance.items()
                   if row[column] and abs(float(row[column])) > tol + 1e-9)
    html = (out / "report.html").read_text(encoding="utf-8")
    targets = html[html.index('id="targets"'):]
    assert expected > 0
    assert targets.count('class="num bad"') == expected


def test_sweep_writes_its_report(book: Path, tmp_path: Path) -> None:
    """sweep --out DIR adds report.html: the trade-off chart and a column per combination."""
    out = tmp_path / "sweep"
    code, output = _run("sweep", book, "--grid", "continuity.max_moves=0,2", "--out", out,
                        "--lang", "zh", *FAST)
    assert code == 0, output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert t("report.sweep_title", "zh", name="tiny") in html
    assert "<svg" in html and t("report.curve", "zh") in html
    for value in ("0", "2"):
        assert f"<th>continuity.max_moves={value}</th>" in html


def test_incentives_says_once_when_its_chinese_chart_has_no_font(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`incentives --lang zh --out` without a CJK font prints the notice exactly once."""
    root = Path(__file__).resolve().parent.parent
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    code, output = _run("incentives", root / "scenarios" / "baseline.yaml", "--subscribers",
                        root / "scenarios" / "data" / "subscribers.csv", "--out",
                        tmp_path / "out", "--lang", "zh")
    assert code == 0, output
    assert output.count("fonts-wqy-microhei") == 1
