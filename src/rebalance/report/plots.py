"""Charts of a plan and of a sweep (matplotlib). One chart per function, each on an optional ``ax``.

- ``plot_loads``: every rated manager's load before and after, as a share of their fair share,
  with the scenario's tolerance band;
- ``plot_lorenz``: Lorenz curves of the relative loads before and after, with their Gini;
- ``plot_tradeoff``: a sweep's balance excess against the moves it took — what each extra
  allowed move buys in balance.

Each returns the ``Axes`` it drew on; without ``ax`` it draws on a new figure.

Chinese text. Manager names and industry groups are usually Chinese, and matplotlib's default
font (DejaVu Sans) has no CJK glyphs, so they would show as empty boxes. ``cjk_font()`` looks
for an installed CJK font: the file or family named by the ``REBALANCE_CJK_FONT`` environment
variable, then well-known families (Noto Sans CJK, Source Han Sans, WenQuanYi, SimHei,
Microsoft YaHei, PingFang …), then any installed font that has the glyphs. When one is found,
charts show names and, with ``lang="zh"``, Chinese titles. When none is, charts fall back to
manager ids and English titles, so nothing ever renders as boxes, and ``font_notice`` gives
the message the commands print once to say so and how to fix it. On Debian/Ubuntu
``apt-get install fonts-wqy-microhei`` (or ``fonts-noto-cjk``) provides one.

Rendering. ``loads_figure`` puts the three ``plot_loads`` panels in one figure (the report's
chart); ``figure_svg`` turns any figure into an inline, deterministic ``<svg>`` for HTML, so
the report, the notebook and the PNG files draw with the same functions.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rebalance.data import Problem
from rebalance.i18n import catalog
from rebalance.metrics import gini, lorenz_points, relative_devs
from rebalance.pools import METRICS, Rules
from rebalance.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FONT_ENV = "REBALANCE_CJK_FONT"
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
    "Heiti SC", "STHeiti", "Noto Sans CJK JP", "Noto Serif CJK SC", "AR PL UMing CN",
    "Droid Sans Fallback",
)
GLYPH_PROBE = "客户经理收入"  # a font that has these can write the charts' Chinese
FALLBACK_FAMILY = "DejaVu Sans"  # matplotlib's own; covers Latin, digits and − ± ×
# Fonts that claim every character but draw placeholder boxes (matplotlib ships Last Resort).
NOT_CJK = ("Last Resort",)

COLORS = {"before": "#9e9e9e", "inside": "#2e7d32", "outside": "#c62828", "band": "#a5d6a7",
          "line": "#1565c0"}

LABEL_KEYS: tuple[str, ...] = (
    "loads_title", "loads_y", "before", "after", "band", "lorenz_title", "lorenz_x", "lorenz_y",
    "equality", "gini_before", "gini_after", "tradeoff_title", "tradeoff_x", "tradeoff_y",
    "per_move", "point_labels", "revenue", "importance", "clients",
)


class PlanLike(Protocol):
    """What the plan charts need (``rebalance.plan.Plan`` has it)."""

    @property
    def problem(self) -> Problem: ...

    @property
    def rules(self) -> Rules: ...

    @property
    def scenario(self) -> Scenario: ...

    @property
    def client_to_manager(self) -> Mapping[str, str]: ...


# --------------------------------------------------------------------------- fonts


def _has_glyphs(path: str, text: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in text)


@lru_cache(maxsize=8)
def _find_cjk_font(setting: str | None) -> str | None:
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if setting:
        if Path(setting).is_file():
            manager.addfont(setting)
            return str(font_manager.FontProperties(fname=setting).get_name())
        if any(f.name == setting for f in manager.ttflist):
            return setting
    entries = sorted(manager.ttflist, key=lambda f: (f.name, f.fname))
    names = {f.name for f in entries}
    for family in CJK_FAMILIES:
        if family in names:
            return family
    for entry in entries:  # an unlisted font that still has the glyphs
        if not entry.name.startswith(NOT_CJK) and _has_glyphs(entry.fname, GLYPH_PROBE):
            return str(entry.name)
    # A font installed after matplotlib built its font cache is not in ttflist yet.
    known = {f.fname for f in entries}
    for path in sorted(font_manager.findSystemFonts()):
        if path not in known and _has_glyphs(path, GLYPH_PROBE):
            manager.addfont(path)
            name = str(font_manager.FontProperties(fname=path).get_name())
            if not name.startswith(NOT_CJK):
                return name
    return None


def cjk_font() -> str | None:
    """Family name of an installed font that can draw Chinese, or None (charts use ids)."""
    return _find_cjk_font(os.environ.get(FONT_ENV) or None)


def font_notice(lang: str) -> str | None:
    """What to tell the user when Chinese output has no CJK font (charts then use English).

    None when nothing is missing. The commands print it once, so a planner learns why the
    charts are in English and how to fix it, instead of the charts switching silently.
    """
    if lang != "zh" or cjk_font() is not None:
        return None
    from rebalance.i18n import t

    return t("report.cjk_font_missing", lang)


def _font_kw(font: str | None) -> dict[str, Any]:
    return {"fontfamily": [font, FALLBACK_FAMILY]} if font else {}


def _legend_kw(font: str | None) -> dict[str, Any]:
    if not font:
        return {}
    from matplotlib.font_manager import FontProperties

    return {"prop": FontProperties(family=[font, FALLBACK_FAMILY])}


def _writable(text: str, font: str | None) -> bool:
    """True when ``text`` can be drawn without boxes: plain text, or a CJK font exists."""
    return font is not None or text.isascii()


def _labels(lang: str, font: str | None) -> dict[str, str]:
    """Chart texts (templates from the catalog, ``plots.*``): Chinese only with a font that
    can draw them."""
    side = 1 if lang == "zh" and font else 0
    return {key: catalog()[f"plots.{key}"][side] for key in LABEL_KEYS}


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=size, layout="constrained")
    return new


def _manager_label(problem: Problem, manager_id: str, font: str | None) -> str:
    name = problem.manager(manager_id).name
    if name and _writable(name, font):
        return f"{manager_id}\n{name}"
    return manager_id


# --------------------------------------------------------------------------- rendering



def figure_svg(figure: Figure, salt: str = "rebalance") -> str:
    """The figure as an inline ``<svg>`` element for HTML: no file, no network, no clock.

    Deterministic: no date in the metadata and clip-path ids hashed with ``salt`` (give each
    chart of one page its own salt so ids never collide). The element scales to its container.
    """
    import io
    import re

    import matplotlib

    buffer = io.StringIO()
    # fonttype none: text stays text (small, selectable, drawn by the viewer's fonts).
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    # The RDF metadata block names web addresses (licence, Dublin Core): not needed inline.
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)
    # Fixed points → fluid width; the viewBox keeps the aspect ratio.
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
                  r'<svg\1 width="100%" preserveAspectRatio="xMidYMid meet"', text, count=1)


def loads_figure(plan: PlanLike, lang: str = "en", *,
                 size: tuple[float, float] = (10.0, 6.6)) -> Figure:
    """One figure, one ``plot_loads`` panel per metric (revenue, importance, client count).

    Manager labels are shown under the last panel only (none for a book of thousands: every
    manager's bars are still drawn). No pyplot: no window, no global figure state.
    """
    from matplotlib.figure import Figure

    # Fixed margins instead of constrained layout: the size is fixed, and laying out every
    # tick label three times over costs more than the rest of the report on a small book.
    figure = Figure(figsize=size)
    figure.subplots_adjust(left=0.07, right=0.99, top=0.96, bottom=0.09, hspace=0.28)
    axes = figure.subplots(len(METRICS), 1, sharex=True)
    for i, (ax, metric) in enumerate(zip(axes, METRICS, strict=True)):
        plot_loads(plan, metric, ax=ax, lang=lang)
        ax.title.set_fontsize(9)
        ax.yaxis.label.set_fontsize(8)
        ax.tick_params(axis="y", labelsize=7)
        if i:
            legend = ax.get_legend()
            if legend is not None:
                legend.remove()
        if i < len(METRICS) - 1:
            ax.tick_params(axis="x", labelbottom=False)
    return figure


# --------------------------------------------------------------------------- charts

MAX_LABELS = 60  # more managers than this: no tick labels (unreadable, and slow to lay out)
MANY_BARS = 200  # more bars than this are drawn as one collection (same look, one artist)


def _bars(ax: Axes, lefts: Sequence[float], heights: Sequence[float], width: float,
          colors: Sequence[str], label: str) -> None:
    """Bars centred on ``lefts``: ``ax.bar`` for a few, one PolyCollection for thousands.

    A big book has 1,800 managers: 3,600 Rectangle artists per panel take tens of seconds to
    build and draw; a single collection of the same rectangles takes a fraction of that.
    """
    if len(lefts) <= MANY_BARS:
        ax.bar(lefts, heights, width, color=list(colors), label=label, zorder=2)
        return
    from matplotlib.collections import PolyCollection

    half = width / 2
    verts = [[(x - half, 0.0), (x - half, h), (x + half, h), (x + half, 0.0)]
             for x, h in zip(lefts, heights, strict=True)]
    ax.add_collection(PolyCollection(verts, facecolors=list(colors), edgecolors="none",
                                     label=label, zorder=2))
    ax.autoscale_view()



def plot_loads(plan: PlanLike, metric: str = "revenue", *, ax: Axes | None = None,
               lang: str = "en", max_labels: int = MAX_LABELS) -> Axes:
    """Per-manager load before and after, in % of fair share, with the tolerance band.

    Rated managers only (staying, with a fair share), pool by pool in the managers table's
    order; thin vertical lines separate the balancing pools. After-bars inside the band are
    green, outside red; before-bars grey. A new manager starts at 0 %. With more than
    ``max_labels`` managers the bars are drawn without manager labels.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
    problem, rules = plan.problem, plan.rules
    tol = plan.scenario.balance.bands()[metric].tolerance
    before = relative_devs(problem, rules, problem.current_assignment)
    after = relative_devs(problem, rules, plan.client_to_manager)
    order = {m.manager_id: i for i, m in enumerate(problem.managers)}
    ids = sorted((mid for mid, k in after if k == metric),
                 key=lambda mid: (rules.pool_of_manager.get(mid, -1), order[mid]))
    font = cjk_font()
    text = _labels(lang, font)
    ax = _axes(ax, (max(6.0, 0.55 * len(ids) + 2), 4.5))

    xs = list(range(len(ids)))
    width = 0.4
    pct_before = [100 * (1 + before.get((mid, metric), -1.0)) for mid in ids]
    pct_after = [100 * (1 + after[(mid, metric)]) for mid in ids]
    colors = [COLORS["outside"] if abs(after[(mid, metric)]) > tol + 1e-9 else COLORS["inside"]
              for mid in ids]
    ax.axhspan(100 * (1 - tol), 100 * (1 + tol), color=COLORS["band"], alpha=0.35, lw=0,
               label=text["band"], zorder=0)
    ax.axhline(100, color=COLORS["inside"], lw=0.8, zorder=1)
    _bars(ax, [x - width / 2 for x in xs], pct_before, width, [COLORS["before"]] * len(xs),
          text["before"])
    _bars(ax, [x + width / 2 for x in xs], pct_after, width, colors, text["after"])
    for x in xs[1:]:  # a thin line where one balancing pool ends and the next begins
        if rules.pool_of_manager.get(ids[x]) != rules.pool_of_manager.get(ids[x - 1]):
            ax.axvline(x - 0.5, color="black", lw=0.6, alpha=0.4, zorder=1)
    if len(ids) <= max_labels:
        ax.set_xticks(xs, [_manager_label(problem, mid, font) for mid in ids])
        ax.tick_params(axis="x", labelsize=8)
        if font:
            ax.tick_params(axis="x", labelfontfamily=font)
    else:  # thousands of labels are unreadable and slow: bars and pool lines only
        ax.set_xticks([])
    ax.set_xlim(-0.6, len(ids) - 0.4)
    ax.set_ylabel(text["loads_y"], **_font_kw(font))
    ax.set_title(text["loads_title"].format(metric=text[metric], tol=tol), **_font_kw(font))
    ax.legend(loc="upper right", fontsize=8, **_legend_kw(font))
    return ax


def plot_lorenz(plan: PlanLike, metric: str = "revenue", *, ax: Axes | None = None,
                lang: str = "en") -> Axes:
    """Lorenz curves of load per fair share before and after, Gini in the legend.

    Uses the same relative loads (load / fair share of rated managers) as the Gini in
    ``summary.json``, so managers of different pools and ftes compare on one scale.
    """
    if metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(METRICS)}")
    problem, rules = plan.problem, plan.rules
    font = cjk_font()
    text = _labels(lang, font)
    ax = _axes(ax, (5.0, 5.0))
    ax.plot([0, 1], [0, 1], color="black", lw=0.8, ls="--", label=text["equality"])
    for when, assignment, color in (
        ("before", problem.current_assignment, COLORS["before"]),
        ("after", plan.client_to_manager, COLORS["line"]),
    ):
        devs = relative_devs(problem, rules, assignment)
        ratios = [1.0 + devs[(m.manager_id, metric)] for m in problem.managers
                  if (m.manager_id, metric) in devs]
        xs, ys = zip(*lorenz_points(ratios), strict=True)
        ax.plot(xs, ys, marker="o", ms=3, color=color, label=text[f"gini_{when}"].format(
            g=gini(ratios)))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(text["lorenz_x"], **_font_kw(font))
    ax.set_ylabel(text["lorenz_y"], **_font_kw(font))
    ax.set_title(text["lorenz_title"].format(metric=text[metric]), **_font_kw(font))
    ax.legend(loc="upper left", fontsize=8, **_legend_kw(font))
    return ax


def _value_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def plot_tradeoff(sweep: pd.DataFrame, *, x: str = "moves", y: str = "balance_excess",
                  label: str | None = None, group: Sequence[str] | None = None,
                  ax: Axes | None = None, lang: str = "en") -> Axes:
    """Balance excess against moves over a sweep: the price of fairness in relationships.

    Points are labelled with the ``label`` column's value (default: the first grid key in
    ``sweep.attrs["grid_keys"]``, e.g. the move cap); consecutive points are annotated with
    what one extra move bought (drop in ``y`` per extra ``x``). With ``group`` columns (default:
    the other grid keys) one line is drawn per combination of their values. Rows without a
    plan (``y`` empty) are skipped.
    """
    grid_keys = list(sweep.attrs.get("grid_keys", []))
    if label is None and grid_keys:
        label = grid_keys[0]
    if group is None:
        group = [k for k in grid_keys if k != label]
    font = cjk_font()
    text = _labels(lang, font)
    ax = _axes(ax, (7.0, 4.5))
    data = sweep.dropna(subset=[x, y])
    groups = list(data.groupby(list(group), sort=False)) if group else [((), data)]
    for key, rows in groups:
        xs = [float(v) for v in rows[x]]
        ys = [float(v) for v in rows[y]]
        names = ", ".join(f"{g}={_value_text(v)}" for g, v in
                          zip(group, key if isinstance(key, tuple) else (key,), strict=True))
        ax.plot(xs, ys, marker="o", color=COLORS["line"] if len(groups) == 1 else None,
                label=names or None, zorder=2)
        if label is not None and label in rows:
            for xv, yv, lv in zip(xs, ys, rows[label], strict=True):
                ax.annotate(_value_text(lv), (xv, yv), textcoords="offset points",
                            xytext=(4, 6), fontsize=8)
        ordered = sorted(zip(xs, ys, strict=True))
        x_span = (max(xs) - min(xs)) or 1.0
        y_span = (max(ys) - min(ys)) or 1.0
        for (x0, y0), (x1, y1) in zip(ordered, ordered[1:], strict=False):
            if x1 > x0 and y0 > y1:
                steep = (y0 - y1) / y_span > (x1 - x0) / x_span
                # beside a steep segment, under a flat one: clear of the point labels
                offset, ha, va = ((6, 2), "left", "bottom") if steep else ((0, -5), "center", "top")
                ax.annotate(text["per_move"].format(gain=(y0 - y1) / (x1 - x0)),
                            ((x0 + x1) / 2, (y0 + y1) / 2), textcoords="offset points",
                            xytext=offset, ha=ha, va=va, fontsize=7, color="dimgray",
                            **_font_kw(font))
    if label is not None:
        ax.text(0.99, 0.98, text["point_labels"].format(label=label), transform=ax.transAxes,
                ha="right", va="top", fontsize=8, color="dimgray", **_font_kw(font))
    ax.set_xlabel(text["tradeoff_x"], **_font_kw(font))
    ax.set_ylabel(text["tradeoff_y"], **_font_kw(font))
    ax.set_title(text["tradeoff_title"], **_font_kw(font))
    top = max((float(v) for v in data[y]), default=0.0)
    if top > 0:  # room for the labels; points at 0 stay visible
        ax.set_ylim(-0.04 * top, 1.1 * top)
    ax.grid(True, alpha=0.3)
    if len(groups) > 1:
        ax.legend(fontsize=8, **_legend_kw(font))
    return ax


if TYPE_CHECKING:  # the incentives chart's rows (kept beside the one function that uses them)
    from rebalance.incentives.whatif import WhatIfRow


def plot_incentives_whatif(rows: Sequence[WhatIfRow], *, currency: str, horizon_months: int,
                           ax: Axes | None = None, lang: str = "en") -> Axes:
    """Incentives what-if: extra reward against handsets sold, old and new scheme, over the
    horizon in ``currency``; crosses where the arrears rate is above the threshold (a fine).
    Texts come from the message catalog; Chinese only with a CJK font (else English)."""
    from rebalance.i18n import t

    font = cjk_font()
    shown = "zh" if lang == "zh" and font else "en"
    # 元 without a CJK font would be a box: write it out
    unit = currency if _writable(currency, font) else {"元": "yuan"}.get(currency, "")
    ax = _axes(ax, (7.0, 4.2))
    counts = [r.num_handsets for r in rows]
    ax.plot(counts, [r.old_reward for r in rows], marker="o", color="tab:red",
            label=t("incentives.plot.old", shown))
    ax.plot(counts, [r.new_reward for r in rows], marker="s", color="tab:blue",
            label=t("incentives.plot.new", shown))
    over = [r for r in rows if not r.threshold_applied]
    if over:
        ax.scatter([r.num_handsets for r in over], [r.new_reward for r in over], marker="x",
                   s=80, color="black", zorder=3, label=t("incentives.plot.fined", shown))
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel(t("incentives.plot.x", shown), **_font_kw(font))
    ax.set_ylabel(t("incentives.plot.y", shown, months=horizon_months, currency=unit).replace(
        " ()", "").replace("（）", ""), **_font_kw(font))
    ax.set_title(t("incentives.plot.title", shown), **_font_kw(font))
    ax.legend(loc="best", fontsize="small", **_legend_kw(font))
    ax.grid(True, alpha=0.3)
    return ax
