"""report.html's intake section, as a department head reads it (rebalance.intake.report).

The bundled intake scenario (173 clients, 18 managers, 60 candidates) is solved through the
CLI with one hire in 金融 (``intake.hires``), in English and Chinese. The section must agree
with intake.csv and summary.json, be rebuilt byte for byte by ``rebalance report``, and load
in headless Chromium without an error or a request (like tests/test_report_browser.py).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from test_report_browser import (  # noqa: F401  (browser: the Chromium fixture)
    SUMMARY_ONLY,
    _open,
    _pdf_pages,
    browser,
)
from typer.testing import CliRunner

from rebalance.cli import app
from rebalance.i18n import t
from rebalance.intake.report import LEFT_OUT_ROWS

ROOT = Path(__file__).resolve().parents[1]
INTAKE = ROOT / "scenarios" / "intake.yaml"
# intake.csv's reasons of the candidates the filters leave out (arrears, revenue, excluded)
SCREENED = re.compile(r"above the .* limit|below the .* minimum|excluded by the scenario")
RUN = ["--time-limit", "8", "-q", "--set", "intake.hires={金融: 1}"]


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _section(html: str) -> str:
    start = html.index('<section id="intake">')
    return html[start:html.index("</section>", start)]


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)))


@pytest.fixture(scope="module")
def solved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The intake scenario solved once per language, with one hire in 金融."""
    out = {}
    for lang in ("en", "zh"):
        folder = tmp_path_factory.mktemp(f"intake_{lang}")
        result = CliRunner().invoke(app, ["solve", str(INTAKE), "--out", str(folder),
                                          "--lang", lang, *RUN])
        assert result.exit_code == 0, result.output
        out[lang] = folder
    return out


def test_section_agrees_with_intake_csv_and_summary(solved: dict[str, Path]) -> None:
    """Every candidate taken is listed with its manager and intake.csv's reason; the lead
    line counts what summary.json counts; the best left out are the top scores not taken."""
    folder = solved["en"]
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["intake"]
    rows = _rows(folder / "intake.csv")
    section = _text(_section((folder / "report.html").read_text(encoding="utf-8")))
    taken = [r for r in rows if r["taken"] == "yes"]
    assert len(taken) == summary["taken"] and summary["taken"] > 0
    assert sorted(r["client_id"] for r in taken) == summary["taken_ids"]
    revenue = sum(float(r["revenue"]) for r in taken)
    assert summary["revenue"] == pytest.approx(revenue)
    assert f"{summary['taken']} of 60 candidates taken in, bringing ¥{revenue:,.0f}" in section
    for r in taken:
        assert r["reason"] in section, r["client_id"]
    left = sorted((r for r in rows if r["taken"] == "no"),
                  key=lambda r: (-float(r["score"]), r["client_id"]))[:LEFT_OUT_ROWS]
    for r in left:
        assert f"{r['client_id']} {r['name']}" in section and r["reason"] in section
    assert "arrears_rate −0.2" in section  # the formula names the weights used
    assert summary["hires"] == {"金融": 1}
    assert "HIRE-金融-1 金融" in section  # the hire used, with its group


def test_section_groups_add_up(solved: dict[str, Path]) -> None:
    """The per-group table's counts and revenue add up to the candidates file's."""
    folder = solved["en"]
    rows = _rows(folder / "intake.csv")
    body = _section((folder / "report.html").read_text(encoding="utf-8"))
    groups = body[body.index(t("intake.report.groups_title", "en")):]
    for group in sorted({r["industry"] for r in rows}):
        mine = [r for r in rows if r["industry"] == group]
        got = [r for r in mine if r["taken"] == "yes"]
        brought = sum(float(r["revenue"]) for r in got)
        screened = sum(1 for r in mine if SCREENED.search(r["reason"]))
        cells = (f"<td>{group}</td><td class=\"num\">{len(mine)}</td>"
                 f"<td class=\"num\">{screened}</td>"
                 f"<td class=\"num\">{len(got)}</td><td class=\"num\">{brought:,.0f}</td>")
        assert cells in groups, group


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_command_rebuilds_the_intake_report(solved: dict[str, Path], lang: str) -> None:
    """`rebalance report OUT_DIR` writes the same bytes as solve, intake section included."""
    folder = solved[lang]
    written = (folder / "report.html").read_bytes()
    (folder / "report.html").unlink()
    result = CliRunner().invoke(app, ["report", str(folder), "--lang", lang])
    assert result.exit_code == 0, result.output
    assert (folder / "report.html").read_bytes() == written


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_intake_section_in_the_browser(browser: Browser,  # noqa: F811
                                       solved: dict[str, Path], lang: str) -> None:
    """Headless Chromium shows the section (title, taken table, hires) without a console
    error or a request beyond the file; the Chinese page says it in Chinese."""
    path = solved[lang] / "report.html"
    page, problems, requests = _open(browser, path)
    section = page.locator("section#intake")
    assert section.is_visible()
    text = section.inner_text()
    page.close()
    assert problems == [] and requests == [path.as_uri()]
    for key in ("intake.report.title", "intake.report.taken_title",
                "intake.report.hires_title", "intake.report.groups_title"):
        assert t(key, lang) in text, key
    if lang == "zh":
        assert "纳入（评分" in text and "权重：收入 +0.4" in text


def test_compare_shows_the_intake_side_by_side(tmp_path: Path) -> None:
    """`rebalance compare` of the book without and with the intake: the intake columns
    (candidates taken in, revenue brought in) are empty without candidates and filled with
    them (as many placements as candidates taken), in the CSV and in the terminal."""
    off = ROOT / "scenarios" / "intake_off.yaml"
    result = CliRunner().invoke(app, ["compare", str(off), str(INTAKE), "--out",
                                      str(tmp_path / "compare.csv"), "--set",
                                      "solver.time_limit=6"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    rows = {r["scenario"]: r for r in _rows(tmp_path / "compare.csv")}
    assert rows["intake_off"]["intake_taken"] == "" and rows["intake_off"]["placements"] == "0"
    taken = int(rows["intake"]["intake_taken"])
    assert 0 < taken <= 20 and rows["intake"]["placements"] == str(taken)
    assert float(rows["intake"]["intake_revenue"]) > 0
    for key in ("whatif.show.intake_taken", "whatif.show.intake_revenue"):
        assert t(key, "en") in result.output


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_intake_summary_still_prints_on_one_page(browser: Browser,  # noqa: F811
                                                 solved: dict[str, Path], lang: str) -> None:
    """With the intake figure on page 1, the summary alone still prints on one A4 page and
    shows the intake line."""
    page, _, _ = _open(browser, solved[lang] / "report.html")
    page.add_style_tag(content=SUMMARY_ONLY)
    pages = _pdf_pages(page.pdf(format="A4", print_background=True))
    page.close()
    assert len(pages) == 1
    squash = re.compile(r"\s+")
    assert squash.sub("", t("intake.report.headline", lang)) in squash.sub("", pages[0])
