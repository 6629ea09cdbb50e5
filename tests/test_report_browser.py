"""report.html in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

The bundled baseline (173 clients, 18 managers) is solved in English and Chinese; each report
is opened from disk and must load without a console error or a page error, without a single
request beyond the file itself, print to A4 with the summary alone on page 1, and (zh) show
its Chinese text. Screenshots and PDFs are kept under tests/artifacts/ (not committed).

Chromium is required, never optional: without it these tests fail with the install command
(.ci/run installs it; README "Development" says how). ``REBALANCE_CHROMIUM`` names another
binary.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from playwright.sync_api import Browser, sync_playwright
from typer.testing import CliRunner

from rebalance.cli import app
from rebalance.i18n import t

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
ARTIFACTS = ROOT / "tests" / "artifacts"
# Hide everything after the summary: what is left must fit one A4 page.
SUMMARY_ONLY = "body > :not(.summary) { display: none !important; }"


def chromium_path() -> str:
    """The Chromium binary: $REBALANCE_CHROMIUM, else `chromium` on PATH; fail when missing."""
    found = os.environ.get("REBALANCE_CHROMIUM") or shutil.which("chromium") or \
        shutil.which("chromium-browser")
    if not found or not Path(found).exists():
        pytest.fail("Chromium not found: `apt-get install -y chromium fonts-wqy-microhei` "
                    "(or set REBALANCE_CHROMIUM); the report's browser tests need it")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start;
        # --disable-dev-shm-usage: containers often have a tiny /dev/shm.
        launched = playwright.chromium.launch(
            executable_path=chromium_path(), args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """report.html of the bundled baseline, solved once per language."""
    out = {}
    for lang in ("en", "zh"):
        folder = tmp_path_factory.mktemp(f"baseline_{lang}")
        result = CliRunner().invoke(app, ["solve", str(BASELINE), "--out", str(folder),
                                          "--lang", lang, "-q"])
        assert result.exit_code == 0, result.output
        out[lang] = folder / "report.html"
    ARTIFACTS.mkdir(exist_ok=True)
    return out


def _open(browser: Browser, path: Path) -> tuple[Any, list[str], list[str]]:
    """The page loaded from disk, its console errors and page errors, and every request."""
    page = browser.new_page(viewport={"width": 1100, "height": 1500})
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, problems, requests


def _pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_report_loads_without_errors_or_requests(browser: Browser, reports: dict[str, Path],
                                                 lang: str) -> None:
    """No console error, no page error, and no request other than the file itself."""
    page, problems, requests = _open(browser, reports[lang])
    page.screenshot(path=str(ARTIFACTS / f"report_{lang}.png"), full_page=True)
    page.close()
    assert problems == []
    assert requests == [reports[lang].as_uri()], requests


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_summary_fits_one_a4_page_and_prints_alone(browser: Browser, reports: dict[str, Path],
                                                   lang: str) -> None:
    """Printed to A4, the summary alone is one page, and the full report's page 1 is the summary."""
    page, _, _ = _open(browser, reports[lang])
    full = page.pdf(format="A4", print_background=True)
    (ARTIFACTS / f"report_{lang}.pdf").write_bytes(full)
    page.add_style_tag(content=SUMMARY_ONLY)
    summary_only = page.pdf(format="A4", print_background=True)
    page.close()
    assert len(_pdf_pages(summary_only)) == 1
    pages = _pdf_pages(full)
    assert len(pages) >= 2
    squash = re.compile(r"\s+")
    first, second = squash.sub("", pages[0]), squash.sub("", pages[1])
    assert squash.sub("", t("report.largest", lang)) in first
    assert squash.sub("", t("report.moves_by_manager", lang)) not in first
    assert second.startswith(squash.sub("", t("report.moves_by_manager", lang)))


def test_chinese_report_shows_chinese_text(browser: Browser, reports: dict[str, Path]) -> None:
    """The zh page shows its Chinese headings, names in the chart, and Chinese table headers."""
    page, _, _ = _open(browser, reports["zh"])
    body = page.inner_text("body")
    chart_text = " ".join(page.locator("svg text").all_text_contents())
    page.close()
    for key in ("report.changes", "report.inside", "report.largest", "report.decisions"):
        assert t(key, "zh") in body, key
    assert "客户编码" in body
    assert re.search(r"[\u4e00-\u9fff]", chart_text), "the chart's text has no Chinese"
