"""The what-if comparison as people read it: column labels and formats, the table turned
for reading (``display_frame``), Markdown, the CSV frame and the sweep's trade-off figure.

``rebalance.whatif`` computes the figures; these only present them (the ``compare`` and
``sweep`` commands, ``report.html`` and the notebook use the same functions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rebalance.i18n import catalog, t

if TYPE_CHECKING:
    import pandas as pd

# (column, English label, Chinese label, format). The CSV holds every column; the terminal
# and Markdown tables show ``DISPLAY_ROWS``.
COLUMNS: tuple[tuple[str, str], ...] = (  # (column, format); labels: i18n whatif.col.*
    ("scenario", "text"),
    ("status", "status"),
    ("hard_rules_ok", "text"),
    ("moves", "int"),
    ("handovers", "int"),
    ("placements", "int"),
    ("intake_taken", "int"),
    ("intake_score", "num"),
    ("intake_revenue", "int"),
    ("continuity_cost", "num"),
    ("balance_excess", "num"),
    ("managers_outside_before", "int"),
    ("managers_outside_after", "int"),
    ("outside_band_before", "int"),
    ("outside_band_after", "int"),
    ("revenue_max_dev_before", "pct"),
    ("revenue_max_dev", "pct"),
    ("importance_max_dev_before", "pct"),
    ("importance_max_dev", "pct"),
    ("clients_max_dev_before", "pct"),
    ("clients_max_dev", "pct"),
    ("revenue_gini_before", "ratio"),
    ("revenue_gini_after", "ratio"),
    ("importance_gini_before", "ratio"),
    ("importance_gini_after", "ratio"),
    ("growth_spread", "pct"),
    ("equal_split_growth_spread", "pct"),
    ("continuity", "pct"),
    ("gap", "ratio"),
    ("wall_time", "secs"),
    ("note", "text"),
)
COLUMN_FORMAT = {key: kind for key, kind in COLUMNS}


def column_label(key: str, lang: str) -> str:
    """The header of a comparison column in ``lang``."""
    return t(f"whatif.col.{key}", lang)

# Terminal / Markdown rows: (label key, before column or None, after column).
DISPLAY_ROWS: tuple[tuple[str, str | None, str], ...] = (
    ("status", None, "status"),
    ("moves", None, "moves"),
    ("handovers", None, "handovers"),
    ("placements", None, "placements"),
    ("intake_taken", None, "intake_taken"),
    ("intake_score", None, "intake_score"),
    ("intake_revenue", None, "intake_revenue"),
    ("continuity_cost", None, "continuity_cost"),
    ("balance_excess", None, "balance_excess"),
    ("managers_outside", "managers_outside_before", "managers_outside_after"),
    ("revenue_max_dev", "revenue_max_dev_before", "revenue_max_dev"),
    ("importance_max_dev", "importance_max_dev_before", "importance_max_dev"),
    ("clients_max_dev", "clients_max_dev_before", "clients_max_dev"),
    ("revenue_gini", "revenue_gini_before", "revenue_gini_after"),
    ("growth_spread", None, "growth_spread"),
    ("equal_split_growth_spread", None, "equal_split_growth_spread"),
    ("gap", None, "gap"),
    ("wall_time", None, "wall_time"),
)


def format_value(value: Any, kind: str, lang: str = "en") -> str:
    """A figure as the tables show it: counts plain, fractions as %, money-free numbers,
    solver statuses in ``lang``."""
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if kind == "status":
        key = f"engine.status.{value}"
        return t(key, lang) if key in catalog() else str(value)
    if kind == "int":
        return f"{int(value):d}"
    if kind == "num":
        return f"{float(value):,.3f}"
    if kind == "pct":
        return f"{float(value):.1%}"
    if kind == "ratio":
        return f"{float(value):.3f}"
    if kind == "secs":
        return f"{float(value):.1f}"
    return str(value)


def display_frame(comparison: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The comparison turned for reading: a row per figure, a column per scenario (text)."""
    import pandas as pd

    labels = {key: t(f"whatif.show.{key}", lang) for key, _, _ in DISPLAY_ROWS}
    labels["figure"] = t("whatif.show.figure", lang)
    records = comparison.to_dict("records")
    table: dict[str, list[str]] = {labels["figure"]: []}
    names = [str(r["scenario"]) for r in records]
    for name in names:
        table[name] = []
    for label_key, before, after in DISPLAY_ROWS:
        if after not in comparison.columns:
            continue
        table[labels["figure"]].append(labels[label_key])
        kind = COLUMN_FORMAT.get(after, "text")
        for name, record in zip(names, records, strict=True):
            text = format_value(record.get(after), kind, lang)
            if before is not None and record.get(before) is not None and text != "—":
                text = f"{format_value(record.get(before), kind, lang)} → {text}"
            table[name].append(text)
    return pd.DataFrame(table)


def markdown(frame: pd.DataFrame) -> str:
    """A DataFrame of text as a GitHub Markdown table (first column left, others right)."""
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    header = [cell(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(header) - 1)) + "|"]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def csv_frame(comparison: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The comparison as written to CSV: English column names, or Chinese with ``lang="zh"``."""
    if lang != "zh":
        return comparison
    return comparison.rename(columns={key: column_label(key, "zh") for key, _ in COLUMNS})


def tradeoff_figure(result: pd.DataFrame, lang: str = "en") -> Any:
    """A matplotlib ``Figure`` with the trade-off curve (no pyplot: no window, no global state)."""
    from matplotlib.figure import Figure

    from rebalance.report.plots import plot_tradeoff

    figure = Figure(figsize=(7.5, 4.8), layout="constrained")
    plot_tradeoff(result, ax=figure.add_subplot(), lang=lang)
    return figure
