"""report.html: one self-contained page a planner sends upward (Jinja2 templates, inline SVG).

``plan_report`` renders a solved plan: page 1 is the summary a head reads in a minute (the
``headline`` figures, one chart of every manager's loads, the three largest changes, what needs
a decision); then the moves grouped by manager with their reasons, the targets table and the
backups. ``comparison_report`` and ``sweep_report`` render ``compare``/``sweep`` results: the
scenarios side by side and the moves-versus-balance curve.

Offline by construction: the templates hold the CSS, the charts are ``plots.figure_svg``
output, and nothing refers to another file or address (the browser test checks that no request
leaves the page). Long tables are folded into ``<details>`` (every row is in the file). The
same inputs give the same bytes: nothing depends on the clock.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from rebalance.i18n import t
from rebalance.report.headline import Change, Headline, headline
from rebalance.report.labels import pct, who

if TYPE_CHECKING:
    import jinja2
    import pandas as pd

    from rebalance.plan import Plan

FOLD_ROWS = 40  # a table longer than this starts folded (still complete in the file)
OPEN_GROUPS = 30  # with more managers than this, their move groups start folded
SUMMARY_DECISIONS = 5  # page 1 lists this many; the rest follow the moves (page 1 stays one page)


@cache
def environment() -> jinja2.Environment:
    """The templates beside this module, HTML-escaped, strict about undefined names."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("rebalance.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


# --------------------------------------------------------------------------- formatting


def money(value: float | None) -> str:
    """``1,234,567``: whole units with thousands separators."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.0f}"


def _span(values: tuple[float, float] | None) -> str:
    if values is None:
        return "—"
    low, high = values
    return pct(low) if abs(high - low) < 5e-4 else f"{pct(low)} … {pct(high)}"


def _gap(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def cell_text(value: object, spec: str | None) -> str:
    """A table cell as the workbook would show it (``spec``: its Excel number format)."""
    from rebalance.io.write import format_value

    if isinstance(value, int | float) and not isinstance(value, bool) and spec:
        if math.isnan(float(value)):
            return ""
        if "%" in spec:
            return f"{float(value):.1%}"
        if "," in spec:
            return f"{float(value):,.2f}" if "0.00" in spec else f"{float(value):,.0f}"
    # Otherwise as in the CSV files: fixed notation, true/false, empty for no value.
    return format_value(value)


def table_context(df: pd.DataFrame | None, formats: Mapping[str, str],
                  bands: Mapping[str, float] | None = None) -> dict[str, Any] | None:
    """Headers and rows of cells ``(text, css class)`` for the templates.

    Number columns are right-aligned (``num``); with ``bands`` (column → tolerance) a deviation
    outside its band is marked ``bad`` (red), as the workbook's conditional formatting does.
    """
    if df is None:
        return None
    import pandas as pd

    from rebalance.metrics import BAND_EPS

    columns = [str(c) for c in df.columns]
    numeric = [bool(pd.api.types.is_numeric_dtype(df.dtypes.iloc[j])
                    and not pd.api.types.is_bool_dtype(df.dtypes.iloc[j]))
               for j in range(len(columns))]
    limits = [(bands or {}).get(name) for name in columns]
    rows = []
    for row in df.itertuples(index=False, name=None):
        cells = []
        for j, raw in enumerate(row):
            value = raw.item() if hasattr(raw, "item") else raw
            css = "num" if numeric[j] else ""
            limit = limits[j]
            if (limit is not None and isinstance(value, float) and not math.isnan(value)
                    and abs(value) > limit + BAND_EPS):
                css += " bad"
            cells.append((cell_text(value, formats.get(columns[j])), css))
        rows.append(cells)
    return {"columns": columns, "rows": rows, "folded": len(rows) > FOLD_ROWS}


def _dev_bands(plan: Plan, lang: str) -> dict[str, float]:
    """The managers table's deviation columns (in ``lang``) → their metric's tolerance."""
    from rebalance.report.labels import ZH_MANAGER_COLUMNS

    bands = plan.scenario.balance.bands()
    out = {}
    for metric in ("revenue", "importance"):
        column = f"{metric}_dev"
        out[ZH_MANAGER_COLUMNS.get(column, column) if lang == "zh" else column] = (
            bands[metric].tolerance)
    return out


# --------------------------------------------------------------------------- plan report


def headline_lines(head: Headline, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the headline, as report.html and the summary sheet show them."""
    kinds = head.kinds
    return [
        (t("report.changes", lang), t("report.changes_value", lang, moves=kinds["moves"],
                                      handovers=kinds["handovers"],
                                      placements=kinds["placements"])),
        (t("report.inside", lang), t("report.inside_value", lang, before=head.inside_before,
                                     after=head.inside_after, total=head.num_rated)),
        (t("report.spread", lang), t("report.spread_value", lang,
                                     before=_span(head.revenue_spread_before),
                                     after=_span(head.revenue_spread_after))),
        (t("report.growth", lang), t("report.growth_value", lang,
                                     derived=_span(head.growth_derived),
                                     equal=_span(head.growth_equal_split))),
    ]


def change_text(change: Change, lang: str) -> str:
    """``C017 某某银行 (2,623,800): KM011 徐涛 → KM010 吴婷, move``."""
    return t("report.change_line", lang, client=change.client, revenue=money(change.revenue),
             from_=change.from_manager or t("report.new_client", lang), to=change.to_manager,
             kind=t(f"term.{change.kind}", lang))


def _moves_by_manager(plan: Plan, moves: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """The moves table split by the manager who gives each client (new clients: who receives
    it), in the managers table's order; each heading counts what the manager gives and gets."""
    from rebalance.report.labels import ZH_COLUMNS

    columns = [str(c) for c in moves.columns]
    name_of = (lambda en: ZH_COLUMNS.get(en, en)) if lang == "zh" else (lambda en: en)
    from_col, to_col = name_of("from_manager"), name_of("to_manager")
    losing = moves[from_col].tolist() if from_col in columns else []
    gaining = moves[to_col].tolist() if to_col in columns else []
    rows_of: dict[str, list[int]] = {}
    for i, (giver, taker) in enumerate(zip(losing, gaining, strict=True)):
        # Each change once: under the manager who gives it (a new client: who receives it).
        rows_of.setdefault(giver if giver else taker, []).append(i)
    gives, takes = Counter(losing), Counter(gaining)
    groups = []
    for m in plan.problem.managers:
        mid = m.manager_id
        if mid not in rows_of:
            continue
        groups.append({
            "title": t("report.manager_heading", lang, manager=who(plan.problem, mid),
                       out=gives.get(mid, 0), in_=takes.get(mid, 0)),
            "rows": rows_of[mid],
        })
    return groups


def plan_report(plan: Plan, frames: Mapping[str, pd.DataFrame], lang: str,
                backups: pd.DataFrame | None = None,
                rollout: Mapping[str, Any] | None = None) -> str:
    """report.html of a solved plan; ``frames``: the output tables as written (``lang``);
    ``rollout``: the rollout's section (``rollout.tables.report_section``), when phased."""
    from rebalance import __version__
    from rebalance.report.labels import number_formats
    from rebalance.report.plots import figure_svg, loads_figure

    head = headline(plan, lang)
    problem, result = plan.problem, plan.result
    formats = number_formats(lang)
    moves = frames["moves"]
    moves_table = table_context(moves, formats)
    assert moves_table is not None
    groups = _moves_by_manager(plan, moves, lang)
    for group in groups:
        group["rows"] = [moves_table["rows"][i] for i in group["rows"]]
    largest = [change_text(c, lang) for c in head.largest]
    chart = figure_svg(loads_figure(plan, lang), salt="loads")
    context = {
        "lang": lang,
        "title": t("report.title", lang, name=plan.scenario.name),
        "subtitle": t("report.subtitle", lang, clients=problem.num_clients,
                      managers=problem.num_managers, pools=len(plan.rules.pools),
                      status=result.status, gap=_gap(result.gap)),
        "description": plan.scenario.description or "",
        "figures": headline_lines(head, lang),
        # one line, not a fifth figure: a new row of figures pushes page 1 onto two pages
        "intake_line": "".join(t("intake.report.page1", lang, line=value)
                               for _, value in intake_headline(plan, lang)),
        "chart_title": t("report.chart_title", lang),
        "chart": chart,
        "largest": largest,
        "decisions": [{"manager": d.manager, "reason": d.reason} for d in head.decisions],
        "summary_decisions": SUMMARY_DECISIONS,
        "decisions_more": t("report.decisions_more", lang,
                            n=max(0, len(head.decisions) - SUMMARY_DECISIONS)),
        "groups": groups,
        "groups_open": len(groups) <= OPEN_GROUPS,
        "moves_columns": moves_table["columns"],
        "targets": table_context(frames["managers"], formats, _dev_bands(plan, lang)),
        "backups": table_context(backups, formats),
        "rollout": rollout and {**rollout, "table": table_context(rollout["table"], formats)},
        "intake": _intake_section(plan, formats, lang),
        "footer": t("report.footer", lang, version=__version__, seed=plan.scenario.solver.seed,
                    inputs=plan.input_hash[:12]),
        "text": _texts(lang),
    }
    return environment().get_template("plan.html.j2").render(**context)


def intake_headline(plan: Plan, lang: str) -> list[tuple[str, str]]:
    """The intake figure of the summary sheet, and page 1's intake line
    (``intake.report.headline_line``); none without an intake."""
    if plan.intake is None:
        return []
    from rebalance.intake.report import headline_line

    return [headline_line(plan.intake, lang)]


def _intake_section(plan: Plan, formats: Mapping[str, str], lang: str
                    ) -> dict[str, Any] | None:
    """The intake section (``intake.report``) with its tables formatted; None without one."""
    if plan.intake is None:
        return None
    from rebalance.intake.report import report_section

    section = report_section(plan.intake, plan.scenario, lang)
    money_columns = {t("intake.report.col.revenue_in", lang): "#,##0",
                     t("tables.client.revenue", lang): "#,##0",
                     t("intake.col.score", lang): "#,##0.00"}
    wide = {**formats, **money_columns}
    for key in ("groups", "taken", "left", "hires"):
        section[key] = table_context(section[key], wide)
    return section


def _texts(lang: str) -> dict[str, str]:
    keys = ("summary", "largest", "decisions", "no_decisions", "moves_by_manager", "no_moves",
            "targets", "backups", "scenarios", "curve", "sweep_table")
    text = {key: t(f"report.{key}", lang) for key in keys}
    text["folded"] = t("report.rows_folded", lang, n="{n}")
    return text


# --------------------------------------------------------------------------- what-ifs


def comparison_report(comparison: pd.DataFrame, lang: str) -> str:
    """report.html of ``rebalance compare``: the key figures of every scenario side by side."""
    from matplotlib.figure import Figure

    from rebalance.report.comparison import display_frame
    from rebalance.report.plots import figure_svg, plot_tradeoff

    frame = display_frame(comparison, lang)
    figure = Figure(figsize=(7.5, 4.2), layout="constrained")
    plot_tradeoff(comparison, label="scenario", group=[], ax=figure.add_subplot(), lang=lang)
    context = {
        "lang": lang,
        "title": t("whatif.compare.title", lang),
        "subtitle": ", ".join(str(s) for s in comparison["scenario"]),
        "side_by_side": table_context(frame, {}),
        "chart": figure_svg(figure, salt="compare"),
        "sweep": None,
        "text": _texts(lang),
    }
    return environment().get_template("whatif.html.j2").render(**context)


def sweep_report(result: pd.DataFrame, name: str, lang: str, grid_keys: Sequence[str]) -> str:
    """report.html of ``rebalance sweep``: the moves-versus-balance curve and every point."""
    from rebalance.report.comparison import csv_frame, display_frame, tradeoff_figure
    from rebalance.report.plots import figure_svg

    frame = display_frame(result.assign(scenario=[
        ", ".join(f"{k}={row[k]}" for k in grid_keys) for row in result.to_dict("records")
    ]), lang)
    context = {
        "lang": lang,
        "title": t("report.sweep_title", lang, name=name),
        "subtitle": ", ".join(grid_keys),
        "side_by_side": table_context(frame, {}),
        "chart": figure_svg(tradeoff_figure(result, lang), salt="tradeoff"),
        "sweep": table_context(csv_frame(result, lang), {}),
        "text": _texts(lang),
    }
    return environment().get_template("whatif.html.j2").render(**context)


__all__ = ["change_text", "comparison_report", "headline_lines", "plan_report", "sweep_report",
           "table_context"]
