"""Charts: what they draw, and that Chinese never renders as boxes (font found, or ids)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from rebalance.data import Problem  # noqa: E402
from rebalance.io.read import load_book  # noqa: E402
from rebalance.metrics import gini, relative_loads  # noqa: E402
from rebalance.pools import Rules  # noqa: E402
from rebalance.report import plots  # noqa: E402
from rebalance.scenario import Scenario, load_scenario  # noqa: E402

TINY = Path(__file__).parent / "data" / "whatif" / "tiny.yaml"
# A plan for the tiny book, made by hand: T01 and T04 hand clients to T02 and T03.
AFTER_MOVES = {"000103": "T02", "000104": "T03", "000105": "T02", "000202": "T03",
               "000110": "T03"}


@dataclass(frozen=True)
class HandPlan:
    """The parts of a plan the charts read (no solver needed)."""

    problem: Problem
    rules: Rules
    scenario: Scenario
    client_to_manager: Mapping[str, str]


@pytest.fixture(scope="module")
def plan() -> HandPlan:
    scenario = load_scenario(TINY)
    problem, rules = load_book(scenario)
    after = {**{c.client_id: c.manager or "" for c in problem.clients}, **AFTER_MOVES}
    return HandPlan(problem, rules, scenario, after)


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def _missing_glyph_warnings(fig: plt.Figure) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def _has_cjk(text: str) -> bool:
    return any("\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
               or "\uff00" <= ch <= "\uffef" for ch in text)


def _all_texts(ax: plt.Axes) -> list[str]:
    texts = [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
    texts += [t.get_text() for t in ax.get_xticklabels()]
    legend = ax.get_legend()
    if legend is not None:
        texts += [t.get_text() for t in legend.get_texts()]
    texts += [t.get_text() for t in ax.texts]
    return texts


def test_plot_loads_draws_after_bars_at_load_over_fair_share(plan: HandPlan) -> None:
    """The after-bar of each manager is 100 × load / fair share, on the ax it was given."""
    fig, ax = plt.subplots()
    assert plots.plot_loads(plan, "revenue", ax=ax) is ax
    expected = relative_loads(plan.problem, plan.rules, plan.client_to_manager, "revenue")
    bars = ax.containers[1]  # before, then after
    assert len(bars) == len(expected) == 4
    heights = sorted(round(b.get_height(), 6) for b in bars)
    assert heights == sorted(round(100 * r, 6) for r in expected.values())


def test_plot_loads_shades_the_tolerance_band(plan: HandPlan) -> None:
    """The shaded band spans fair share × (1 ± tolerance) of the chosen metric."""
    ax = plots.plot_loads(plan, "importance")
    tol = plan.scenario.balance.importance.tolerance
    spans = [p for p in ax.patches if p.get_label() in ("tolerance band", "容差区间")]
    assert len(spans) == 1
    low, height = spans[0].get_y(), spans[0].get_height()
    assert math.isclose(low, 100 * (1 - tol), abs_tol=1e-9)
    assert math.isclose(low + height, 100 * (1 + tol), abs_tol=1e-9)


def test_unknown_metric_is_refused(plan: HandPlan) -> None:
    """A metric name outside revenue/importance/clients is an error, not an empty chart."""
    with pytest.raises(ValueError, match="unknown metric"):
        plots.plot_loads(plan, "profit")
    with pytest.raises(ValueError, match="unknown metric"):
        plots.plot_lorenz(plan, "profit")


def test_without_cjk_font_charts_fall_back_to_ids(plan: HandPlan,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """No CJK font: even with lang=zh no text has a CJK character (ids), so nothing is a box."""
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    fig, axes = plt.subplots(1, 2)
    plots.plot_loads(plan, ax=axes[0], lang="zh")
    plots.plot_lorenz(plan, ax=axes[1], lang="zh")
    ticks = [t.get_text() for t in axes[0].get_xticklabels()]
    assert ticks == ["T01", "T02", "T03", "T04"]
    for ax in axes:
        assert not any(_has_cjk(text) for text in _all_texts(ax)), _all_texts(ax)
    assert _missing_glyph_warnings(fig) == []


def test_with_cjk_font_chinese_labels_render_as_characters(plan: HandPlan) -> None:
    """With a CJK font installed, names and Chinese titles are drawn without missing glyphs.

    The font is required (.ci/run installs fonts-wqy-microhei): a machine without one fails
    here with the fix, instead of skipping.
    """
    font = plots.cjk_font()
    assert font is not None, ("no CJK font installed: apt-get install fonts-wqy-microhei, or set "
                              "REBALANCE_CJK_FONT (README, 'Development')")
    fig, axes = plt.subplots(1, 2)
    plots.plot_loads(plan, ax=axes[0], lang="zh")
    plots.plot_lorenz(plan, ax=axes[1], lang="zh")
    ticks = [t.get_text() for t in axes[0].get_xticklabels()]
    assert ticks[0] == "T01\n张伟"
    assert "调整前" in [t.get_text() for t in axes[0].get_legend().get_texts()]
    assert _missing_glyph_warnings(fig) == []


def test_cjk_font_setting_names_a_family_and_never_the_last_resort_font(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """REBALANCE_CJK_FONT picks the font; detection never takes Last Resort's boxes for CJK."""
    monkeypatch.setenv(plots.FONT_ENV, "DejaVu Sans")
    assert plots.cjk_font() == "DejaVu Sans"
    monkeypatch.delenv(plots.FONT_ENV)
    found = plots.cjk_font()
    assert found is None or not found.startswith("Last Resort")


def test_plot_lorenz_shows_gini_before_and_after(plan: HandPlan) -> None:
    """The legend carries the Gini of relative loads before and after; curves end at (1, 1)."""
    ax = plots.plot_lorenz(plan, "revenue")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    current = plan.problem.current_assignment
    g_before = gini(list(relative_loads(plan.problem, plan.rules, current, "revenue").values()))
    g_after = gini(list(relative_loads(plan.problem, plan.rules, plan.client_to_manager,
                                       "revenue").values()))
    assert f"before (Gini {g_before:.3f})" in labels
    assert f"after (Gini {g_after:.3f})" in labels
    assert g_after < g_before
    for line in ax.get_lines()[1:]:
        assert tuple(line.get_xydata()[-1]) == (1.0, 1.0)


def test_plot_tradeoff_draws_the_sweep_and_the_gain_per_move() -> None:
    """Points are (moves, balance excess); rows without a plan are skipped; gains annotated."""
    sweep = pd.DataFrame({
        "continuity.max_moves": [0, 2, 4, 8],
        "moves": [0, 2, 4, float("nan")],
        "balance_excess": [10.0, 6.0, 5.0, float("nan")],
    })
    sweep.attrs["grid_keys"] = ["continuity.max_moves"]
    ax = plots.plot_tradeoff(sweep)
    line = ax.get_lines()[0]
    assert [tuple(p) for p in line.get_xydata()] == [(0, 10), (2, 6), (4, 5)]
    texts = [t.get_text() for t in ax.texts]
    assert "−2/move" in texts and "−0.5/move" in texts
    assert {"0", "2", "4"} <= set(texts)


def test_plot_tradeoff_draws_one_line_per_other_grid_value() -> None:
    """With two grid keys, one line per value of the second key."""
    sweep = pd.DataFrame({
        "continuity.max_moves": [0, 4, 0, 4],
        "eligibility": ["strict", "strict", "any", "any"],
        "moves": [0, 4, 0, 4],
        "balance_excess": [9.0, 4.0, 8.0, 2.0],
    })
    sweep.attrs["grid_keys"] = ["continuity.max_moves", "eligibility"]
    ax = plots.plot_tradeoff(sweep)
    assert len(ax.get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "eligibility=strict", "eligibility=any"]
