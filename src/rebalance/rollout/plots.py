"""The rollout's chart: balance excess and managers outside a band after each wave.

``plot_waves`` draws on a given matplotlib ``Axes`` (or a new figure) and returns it, as the
charts of ``report.plots`` do; Chinese labels only when a CJK font exists
(``report.plots.cjk_font``), English otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rebalance.i18n import t
from rebalance.report.plots import cjk_font

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

COLORS = {"excess": "#1565C0", "outside": "#C62828"}


def plot_waves(rows: Sequence[Mapping[str, Any]], lang: str = "en", *,
               ax: Axes | None = None) -> Axes:
    """Balance excess (left axis) and managers outside a band (right axis) for today (wave 0)
    and after each wave (``rollout.tables.wave_rows``)."""
    font = cjk_font()
    lang = lang if lang == "en" or font else "en"
    kw: dict[str, Any] = {"fontfamily": [font, "DejaVu Sans"]} if font else {}
    if ax is None:
        from matplotlib.figure import Figure

        ax = Figure(figsize=(7.5, 3.2), layout="constrained").subplots()
    labels = [t("rollout.chart.today", lang) if r["wave"] == 0 else
              t("rollout.chart.wave", lang, k=r["wave"], date=r["effective_date"]) for r in rows]
    xs = list(range(len(rows)))
    ax.plot(xs, [r["balance_excess"] for r in rows], marker="o", color=COLORS["excess"])
    ax.set_ylabel(t("rollout.col.balance_excess", lang), color=COLORS["excess"], **kw)
    ax.set_ylim(bottom=0)
    right = ax.twinx()
    right.plot(xs, [r["managers_outside_band"] for r in rows], marker="s", linestyle="--",
               color=COLORS["outside"])
    right.set_ylabel(t("rollout.col.managers_outside_band", lang), color=COLORS["outside"], **kw)
    right.set_ylim(bottom=0)
    ax.set_xticks(xs, labels, fontsize=8, **kw)
    ax.set_title(t("rollout.chart.title", lang), fontsize=10, **kw)
    return ax


def waves_figure(rows: Sequence[Mapping[str, Any]], lang: str = "en") -> Figure:
    """The chart as a figure of its own (for ``report.plots.figure_svg``)."""
    figure = plot_waves(rows, lang).figure
    assert figure is not None
    return figure  # type: ignore[return-value]
