"""The workbook's first sheet (``summary`` / ``摘要``) and its readable parameters sheet.

``summary_sheet(plan, lang)`` returns a function that ``io.write.write_xlsx`` calls on the open
workbook before the data sheets, so ``assignment.xlsx`` opens on the summary: the headline
figures (``report.headline``), the largest changes, what needs a decision, every rated
manager's load as a share of the fair share before and after (names beside ids; cells outside
the band highlighted by conditional formatting, so they stay right when a planner edits a
number), and one native Excel chart per metric (columns before/after, lines at the band's
edges) that stays live in Excel and WPS.

``parameters_table(plan, lang)`` is the resolved scenario as plain key/value rows: lists joined
with ``;``, no JSON quotes, empty for "not set", paths relative to the scenario file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rebalance.i18n import t
from rebalance.pools import METRICS

if TYPE_CHECKING:
    import pandas as pd

    from rebalance.plan import Plan

CHART_SIZE = {"width": 760, "height": 290}  # pixels, one chart per metric
CHART_TOP, CHART_ROWS, CHART_COLUMN = 2, 15, 2  # charts from C3, one every 15 rows (20 px each)
COLORS = {"before": "#9E9E9E", "after": "#1565C0", "band": "#2E7D32"}


def sheet_name(lang: str) -> str:
    """``summary`` / ``摘要``."""
    return t("report.summary_sheet", lang)


def summary_sheet(plan: Plan, lang: str) -> Callable[[Any], None]:
    """A writer of the summary sheet for ``io.write.write_xlsx(first_sheet=...)``."""
    from rebalance.report.headline import headline, load_rows
    from rebalance.report.html import change_text, headline_lines, intake_headline

    head = headline(plan, lang)
    rows = load_rows(plan)
    bands = plan.scenario.balance.bands()

    def write(workbook: Any) -> None:
        ws = workbook.add_worksheet(sheet_name(lang))
        bold = workbook.add_format({"bold": True})
        title = workbook.add_format({"bold": True, "font_size": 14})
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                      "text_wrap": True, "valign": "top"})
        pct = workbook.add_format({"num_format": "0.0%"})
        red = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        ws.write_string(0, 0, t("report.title", lang, name=plan.scenario.name), title)
        r = 2
        ws.write_string(r, 0, t("report.headline", lang), header)
        ws.write_string(r, 1, t("report.value", lang), header)
        for label, value in headline_lines(head, lang) + intake_headline(plan, lang):
            r += 1
            ws.write_string(r, 0, label)
            ws.write_string(r, 1, value)
        r += 2
        ws.write_string(r, 0, t("report.largest", lang), bold)
        for change in head.largest:
            r += 1
            ws.write_string(r, 0, t(f"term.{change.kind}", lang))
            ws.write_string(r, 1, change_text(change, lang))
        r += 2
        ws.write_string(r, 0, t("report.decisions", lang), bold)
        if not head.decisions:
            r += 1
            ws.write_string(r, 1, t("report.no_decisions", lang))
        for decision in head.decisions:
            r += 1
            ws.write_string(r, 0, decision.manager)
            ws.write_string(r, 1, decision.reason, wrap)

        # Per-manager loads: id, name, then before/after per metric (1.0 = at the fair share),
        # below the charts (which stand beside the texts above) so no chart covers a cell.
        top = max(r + 2, CHART_TOP + CHART_ROWS * len(METRICS) + 1)
        headers = [t("engine.table.manager", lang), t("tables.manager.name", lang)]
        for metric in METRICS:
            name = t(f"common.metric.{metric}", lang)
            for when in ("before", "after"):
                headers.append(t("report.sheet_load", lang, metric=name,
                                 when=t(f"plots.{when}", lang)))
        for metric in METRICS:
            band = t("report.sheet_band", lang, tol=f"{bands[metric].tolerance:.0%}")
            headers += [f"{t(f'common.metric.{metric}', lang)} {band} {edge}" for edge in "−+"]
        for j, text in enumerate(headers):
            ws.write_string(top, j, text, header)
        for i, row in enumerate(rows, start=top + 1):
            ws.write_string(i, 0, row.manager_id)
            ws.write_string(i, 1, row.name)
            for m, metric in enumerate(METRICS):
                for w, loads in enumerate((row.before, row.after)):
                    load = loads[metric]
                    if load is not None:
                        ws.write_number(i, 2 + 2 * m + w, load, pct)
                width = bands[metric].tolerance
                ws.write_number(i, 8 + 2 * m, 1 - width, pct)
                ws.write_number(i, 9 + 2 * m, 1 + width, pct)
        last = top + len(rows)
        if rows:
            for m, metric in enumerate(METRICS):
                width = bands[metric].tolerance
                # Outside the band: red, live (recomputed by Excel if a value is edited).
                ws.conditional_format(top + 1, 2 + 2 * m, last, 3 + 2 * m, {
                    "type": "cell", "criteria": "not between",
                    "minimum": 1 - width - 1e-9, "maximum": 1 + width + 1e-9, "format": red})
            _charts(workbook, ws, top, last, lang)
        ws.set_column(0, 0, 30)
        ws.set_column(1, 1, 70)
        ws.set_column(2, 13, 12)
        ws.freeze_panes(1, 0)
        ws.activate()

    return write


def _charts(workbook: Any, ws: Any, top: int, last: int, lang: str) -> None:
    """One combined chart per metric: before/after columns, band edges as lines."""
    sheet = sheet_name(lang)
    for m, metric in enumerate(METRICS):
        name = t(f"common.metric.{metric}", lang)
        chart = workbook.add_chart({"type": "column"})
        for w, when in enumerate(("before", "after")):
            col = 2 + 2 * m + w
            chart.add_series({
                "name": t(f"plots.{when}", lang),
                "categories": [sheet, top + 1, 0, last, 0],
                "values": [sheet, top + 1, col, last, col],
                "fill": {"color": COLORS[when]},
                "gap": 60,
            })
        band = workbook.add_chart({"type": "line"})
        for k in (0, 1):
            col = 8 + 2 * m + k
            band.add_series({
                "name": [sheet, top, col],
                "categories": [sheet, top + 1, 0, last, 0],
                "values": [sheet, top + 1, col, last, col],
                "line": {"color": COLORS["band"], "dash_type": "dash", "width": 1.25},
                "marker": {"type": "none"},
            })
        chart.combine(band)
        chart.set_title({"name": t("report.sheet_chart", lang, metric=name),
                         "name_font": {"size": 11}})
        chart.set_y_axis({"num_format": "0%", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom"})
        chart.set_size(CHART_SIZE)
        # object_position 3: keep the chart's size when wrapped reasons make rows taller.
        ws.insert_chart(CHART_TOP + CHART_ROWS * m, CHART_COLUMN, chart,
                        {"x_offset": 10, "y_offset": 0, "object_position": 3})


# --------------------------------------------------------------------------- parameters


def _plain(value: Any) -> str:
    """A scenario value as a person writes it: no JSON quotes, lists joined, paths relative."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "; ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _relative(path: str, base: Path | None) -> str:
    if base is None:
        return path
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive on Windows: keep it absolute
        return path


def parameters_table(plan: Plan, lang: str = "en") -> pd.DataFrame:
    """The resolved scenario as readable key/value rows (the workbook's parameters sheet)."""
    import pandas as pd

    from rebalance import __version__

    source = plan.scenario.source
    base = source.parent if source is not None else None
    rows: list[tuple[str, str]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict) and value:
            for key in value:
                walk(f"{prefix}.{key}" if prefix else key, value[key])
        elif prefix.startswith("data.") and isinstance(value, str) and os.path.isabs(value):
            rows.append((prefix, _relative(value, base)))
        else:
            rows.append((prefix, _plain(value)))

    walk("", plan.scenario.resolved())
    if source is not None:
        rows.insert(0, ("scenario_file", source.name))
    rows += [("seed", str(plan.scenario.solver.seed)), ("input_hash", plan.input_hash),
             ("rebalance_version", __version__)]
    return pd.DataFrame(rows, columns=[t("engine.param.parameter", lang),
                                       t("engine.param.value", lang)])
