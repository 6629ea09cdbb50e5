"""The rollout's tables: ``schedule.csv``, ``waves.csv`` (fairness after each wave),
``handover_load.csv`` (each manager's load per wave) and the prorated targets of
``managers.csv``; the workbook sheet with a native chart; the summary's ``rollout`` part.

English column names are the contract (DESIGN.md "Contract additions"); ``lang="zh"`` gives
Chinese headers (the shared ones as ``report.labels`` names them) and labels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from rebalance.data import Problem
from rebalance.i18n import t
from rebalance.metrics import fairness, managers_outside
from rebalance.pools import KINDS, Rules
from rebalance.report.labels import column_names
from rebalance.rollout.plan import FILES, RolledOut
from rebalance.rollout.schedule import book_after, handovers_by_manager
from rebalance.scenario import Scenario
from rebalance.targets import TargetPlan

SCHEDULE_COLUMNS = ("wave", "effective_date", "client_id", "name", "from_manager",
                    "to_manager", "kind", "exchange", "reason")
WAVE_COLUMNS = ("wave", "effective_date", "year_share", "moves", "handovers", "placements",
                "balance_excess", "managers_outside_band", "revenue_max_dev",
                "importance_max_dev", "clients_max_dev", "revenue_gini", "peak_load",
                "hard_rules_ok")
PRORATED_COLUMNS = ("prorated_revenue", "prorated_target", "prorated_growth")
DIGITS = 4


def header(column: str, lang: str) -> str:
    """A rollout column's header in ``lang`` (shared columns as the other tables name them)."""
    shared = column_names("moves", lang)
    return shared[column] if column in shared else t(f"rollout.col.{column}", lang)


def _headed(rows: list[dict[str, Any]], columns: tuple[str, ...], lang: str) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns))
    return df.rename(columns={c: header(c, lang) for c in columns})


def schedule_table(problem: Problem, rolled: RolledOut, reasons: Mapping[str, str],
                   lang: str = "en") -> pd.DataFrame:
    """One row per change: wave, effective date, client, from, to, kind, exchange, reason;
    by wave, then input order."""
    rows = []
    for wave, date in enumerate(rolled.dates, start=1):
        for c in rolled.schedule.in_wave(wave):
            rows.append({
                "wave": wave, "effective_date": date.isoformat(), "client_id": c.client_id,
                "name": problem.client(c.client_id).name, "from_manager": c.from_manager or "",
                "to_manager": c.to_manager,
                "kind": c.kind if lang == "en" else t(f"term.{c.kind}", lang),
                "exchange": c.exchange or "", "reason": reasons.get(c.client_id, ""),
            })
    return _headed(rows, SCHEDULE_COLUMNS, lang)


def wave_rows(problem: Problem, scenario: Scenario, rules: Rules,
              rolled: RolledOut) -> list[dict[str, Any]]:
    """Fairness of today's book (wave 0) and of the book after each wave."""
    from rebalance.rollout.calendar import period_shares

    shares = period_shares(rolled.dates, rolled.year)
    loads = handovers_by_manager(problem, rolled.schedule.changes)
    rows = []
    for wave in range(rolled.schedule.num_waves + 1):
        book = book_after(problem, rolled.schedule, wave)
        fair = fairness(problem, scenario, rules, book)
        kinds = [c.kind for c in rolled.schedule.in_wave(wave)] if wave else []
        counts = {f"{kind}s": kinds.count(kind) for kind in KINDS}
        if wave:
            check = rolled.checks[wave - 1]
            excess, ok = check.verdict.balance_excess, not check.violations
        else:
            from rebalance.check import check as check_book

            excess, ok = check_book(problem, scenario, book, rules).balance_excess, None
        rows.append({
            "wave": wave,
            "effective_date": rolled.dates[wave - 1].isoformat() if wave else "",
            "year_share": round(float(shares[wave]), DIGITS),
            **counts,
            "balance_excess": round(excess, DIGITS),
            "managers_outside_band": managers_outside(problem, scenario, rules, book),
            "revenue_max_dev": fair["revenue"]["max_abs_dev"],
            "importance_max_dev": fair["importance"]["max_abs_dev"],
            "clients_max_dev": fair["clients"]["max_abs_dev"],
            "revenue_gini": fair["revenue"]["gini"],
            "peak_load": max((sum(rolled.schedule.wave_of[cid] == wave for cid in mine)
                              for mine in loads.values()), default=0) if wave else 0,
            "hard_rules_ok": ok,
        })
    return rows


def waves_table(problem: Problem, scenario: Scenario, rules: Rules, rolled: RolledOut,
                lang: str = "en") -> pd.DataFrame:
    """``wave_rows`` as a table (wave 0 is today's book)."""
    return table_of_waves(wave_rows(problem, scenario, rules, rolled), lang)


def table_of_waves(rows: list[dict[str, Any]], lang: str) -> pd.DataFrame:
    """The waves table of ``wave_rows`` (headers and yes/no in ``lang``)."""
    yes_no = {True: t("common.yes", lang), False: t("common.no", lang), None: ""}
    shown = [{**row, "hard_rules_ok": yes_no[row["hard_rules_ok"]]} if lang != "en" else row
             for row in rows]
    return _headed(shown, WAVE_COLUMNS, lang)


def load_table(problem: Problem, rolled: RolledOut, lang: str = "en") -> pd.DataFrame:
    """Each staying manager's handover load (clients given + taken) per wave, and its peak."""
    waves = [t("rollout.col.wave_n", lang, k=k, date=d.isoformat())
             for k, d in enumerate(rolled.dates, start=1)]
    mine = handovers_by_manager(problem, rolled.schedule.changes)
    rows = []
    for m in problem.managers:
        if not m.staying:
            continue
        ids = mine.get(m.manager_id, ())
        per_wave = [sum(rolled.schedule.wave_of[cid] == k for cid in ids)
                    for k in range(1, len(waves) + 1)]
        rows.append([m.manager_id, m.name, *per_wave, max(per_wave, default=0)])
    columns = [header("manager_id", lang), header("manager_name", lang), *waves,
               header("peak_load", lang)]
    return pd.DataFrame(rows, columns=columns)


def with_prorated(managers: pd.DataFrame, prorated: TargetPlan,
                  lang: str = "en") -> pd.DataFrame:
    """``managers.csv`` with the prorated targets after the target column (rows in order)."""
    targets = prorated.targets
    out = managers.copy()
    at = list(out.columns).index(column_names("managers", lang).get("target", "target")) + 1
    ids = list(out.iloc[:, 0])
    values = {
        "prorated_revenue": [round(targets[m].portfolio_revenue, 2) for m in ids],
        "prorated_target": [targets[m].target for m in ids],
        "prorated_growth": [None if (g := targets[m].required_growth) is None
                            else round(g, DIGITS) for m in ids],
    }
    for offset, column in enumerate(PRORATED_COLUMNS):
        out.insert(at + offset, header(column, lang), pd.Series(values[column], dtype="float64"))
    return out


def summary(problem: Problem, scenario: Scenario, rules: Rules,
            rolled: RolledOut) -> dict[str, Any]:
    """The ``rollout`` part of summary.json (and all of rollout.json)."""
    phasing = rolled.phasing
    return {
        "status": phasing.status,
        "wall_time": round(phasing.wall_time, 3),
        "stages": [{"name": s.name, "status": s.status, "objective": s.objective,
                    "best_bound": s.best_bound, "gap": s.gap, "wall_time": round(s.wall_time, 3)}
                   for s in phasing.stages],
        "year": rolled.year,
        "dates": [d.isoformat() for d in rolled.dates],
        "settings": rolled.settings.model_dump(mode="json"),
        "schedule_ok": rolled.ok,
        "violations": [{"wave": w.wave, "rule": v.rule, "message": v.message}
                       for w in rolled.checks for v in w.violations],
        "waves": wave_rows(problem, scenario, rules, rolled),
        "prorated_targets_total": rolled.targets.total,
    }


def waves_sheet(waves: pd.DataFrame, lang: str) -> Callable[[Any], None]:
    """A writer of the ``rollout`` sheet for ``io.write.write_xlsx(first_sheet=...)``: the
    waves table and a native line chart of the balance excess after each wave."""
    def write(workbook: Any) -> None:
        ws = workbook.add_worksheet(t("rollout.sheet.rollout", lang))
        bold = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        for j, name in enumerate(waves.columns):
            ws.write_string(0, j, str(name), bold)
            for i, value in enumerate(waves.iloc[:, j].tolist(), start=1):
                if isinstance(value, bool) or value is None:
                    ws.write_string(i, j, "" if value is None else str(value))
                elif isinstance(value, int | float):
                    ws.write_number(i, j, float(value))
                else:
                    ws.write_string(i, j, str(value))
            ws.set_column(j, j, max(10, len(str(name)) + 2))
        ws.freeze_panes(1, 0)
        last = len(waves)
        excess_col = list(waves.columns).index(header("balance_excess", lang))
        outside_col = list(waves.columns).index(header("managers_outside_band", lang))
        sheet = t("rollout.sheet.rollout", lang)
        chart = workbook.add_chart({"type": "line"})
        for col, color in ((excess_col, "#1565C0"), (outside_col, "#C62828")):
            chart.add_series({
                "name": [sheet, 0, col],
                "categories": [sheet, 1, 0, last, 0],
                "values": [sheet, 1, col, last, col],
                "marker": {"type": "circle"}, "line": {"color": color},
                **({"y2_axis": True} if col == outside_col else {}),
            })
        chart.set_title({"name": t("rollout.chart.title", lang)})
        chart.set_x_axis({"name": header("wave", lang)})
        chart.set_y_axis({"name": header("balance_excess", lang)})
        chart.set_y2_axis({"name": header("managers_outside_band", lang)})
        chart.set_size({"width": 720, "height": 320})
        ws.insert_chart(last + 3, 0, chart)

    return write


def frames(problem: Problem, scenario: Scenario, rules: Rules, rolled: RolledOut,
           reasons: Mapping[str, str], lang: str = "en") -> dict[str, pd.DataFrame]:
    """File name -> table of the rollout's own files (``plan.FILES``)."""
    tables = (schedule_table(problem, rolled, reasons, lang),
              waves_table(problem, scenario, rules, rolled, lang),
              load_table(problem, rolled, lang))
    return dict(zip(FILES, tables, strict=True))


def sheets(tables: Mapping[str, pd.DataFrame], lang: str) -> dict[str, pd.DataFrame]:
    """Workbook sheet name -> table for the schedule and the handover load."""
    return {t("rollout.sheet.schedule", lang): tables["schedule.csv"],
            t("rollout.sheet.load", lang): tables["handover_load.csv"]}


def add_to(parts: dict[str, Any], frames_by_table: dict[str, pd.DataFrame], plan: Any,
           rolled: RolledOut, lang: str) -> None:
    """``pipeline.write``'s hook: prorated targets into its managers table, the rollout's
    files and sheets, and summary.json's ``rollout`` (``parts``: summary, files, sheets)."""
    from rebalance.report.tables import MOVE_COLUMNS

    moves = frames_by_table["moves"]
    reasons = dict(zip(moves.iloc[:, MOVE_COLUMNS.index("client_id")],
                       moves.iloc[:, MOVE_COLUMNS.index("reason")], strict=True))
    frames_by_table["managers"] = with_prorated(frames_by_table["managers"], rolled.targets, lang)
    own = frames(plan.problem, plan.scenario, plan.rules, rolled, reasons, lang)
    parts["files"].update(own)
    parts["sheets"] = sheets(own, lang)
    parts["summary"]["rollout"] = summary(plan.problem, plan.scenario, plan.rules, rolled)
    parts["report"] = report_section(parts["summary"]["rollout"]["waves"], own["waves.csv"],
                                     lang)


def report_section(rows: list[dict[str, Any]], waves: pd.DataFrame,
                   lang: str) -> dict[str, Any]:
    """report.html's rollout section: title, the chart (inline SVG) and the waves table."""
    from rebalance.report.plots import figure_svg
    from rebalance.rollout.plots import waves_figure

    return {"title": t("rollout.report.title", lang),
            "chart": figure_svg(waves_figure(rows, lang), salt="waves"), "table": waves}


def report_from_summary(summary_json: Mapping[str, Any], lang: str) -> dict[str, Any] | None:
    """The report's rollout section rebuilt from summary.json (``rebalance report``), None
    when the plan was not phased."""
    rollout = summary_json.get("rollout")
    if not isinstance(rollout, Mapping) or not isinstance(rollout.get("waves"), list):
        return None
    rows = rollout["waves"]
    return report_section(rows, table_of_waves(rows, lang), lang)


def prorated_from_outputs(out_dir: Path, plan: Any, lang: str) -> TargetPlan | None:
    """The prorated targets of a phased plan that ``solve`` wrote into ``out_dir``, from its
    ``schedule.csv`` (``rebalance report`` rebuilds the managers table with them); None when
    the plan was not phased."""
    from rebalance.rollout.calendar import target_year
    from rebalance.rollout.plan import prorated
    from rebalance.rollout.read import read_schedule

    settings = plan.scenario.rollout
    path = Path(out_dir) / FILES[0]
    if settings is None or not path.is_file():
        return None
    _, schedule = read_schedule(path, plan.problem, plan.client_to_manager, settings,
                                plan.scenario.data.encoding)
    return prorated(plan.problem, schedule, plan.scenario, target_year(settings), lang)
