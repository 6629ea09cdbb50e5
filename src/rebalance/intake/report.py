"""What a department head reads about an intake: report.html's intake section, the terminal's
intake lines, and the same outcome rebuilt from an output folder (``rebalance report``).

The section shows the candidates taken with who serves them and why (the reasons of
intake.csv, ``table.reasons``), the best candidates left out and why, the score formula with
its weights, totals per industry group (candidates, screened out, taken, revenue brought in,
score) and the new managers used when ``intake.hires`` is set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from rebalance.i18n import t
from rebalance.intake.engine import IntakeOutcome
from rebalance.intake.table import chosen_first
from rebalance.report.labels import who

if TYPE_CHECKING:
    from rebalance.data import Problem
    from rebalance.pools import Rules
    from rebalance.result import Result
    from rebalance.scenario import Scenario

LEFT_OUT_ROWS = 10  # the report lists this many of the best candidates left out


def revenue_in(outcome: IntakeOutcome) -> float:
    """The annual revenue the candidates taken bring into the pool."""
    return sum(outcome.candidates.candidate(cid).client.revenue for cid in outcome.taken)


def money(value: float) -> str:
    """``¥2,104,300``: revenue as intake.csv's reasons write it."""
    return f"¥{value:,.0f}"


def lead(outcome: IntakeOutcome, lang: str) -> str:
    """``11 of 60 candidates taken in, bringing ¥… (score …); 14 left out by the filters``."""
    return t("intake.report.lead", lang, taken=len(outcome.taken),
             candidates=len(outcome.candidates.candidates), revenue=money(revenue_in(outcome)),
             score=f"{outcome.total_score:.2f}", screened=len(outcome.screened))


def headline_line(outcome: IntakeOutcome, lang: str) -> tuple[str, str]:
    """(label, value) of the intake on page 1 of report.html and on the summary sheet."""
    return t("intake.report.headline", lang), lead(outcome, lang)


def stage_line(outcome: IntakeOutcome, lang: str) -> str | None:
    """How the choice of candidates ended: proven, or the score with the bound it is under."""
    stage = next((s for s in outcome.stages if s.name == "intake"), None)
    if stage is None or stage.objective is None:
        return None
    if stage.status == "OPTIMAL":
        key = "intake.report.stage_first" if chosen_first(outcome) else \
            "intake.report.stage_proven"
        return t(key, lang, score=f"{stage.objective:.2f}")
    bound = stage.best_bound if stage.best_bound is not None else stage.objective
    return t("intake.report.stage_open", lang, score=f"{stage.objective:.2f}",
             bound=f"{bound:.2f}")


def print_intake(outcome: IntakeOutcome, lang: str) -> None:
    """The terminal's intake lines after a solve: what was taken in, and whether the choice
    is proven (the report's first lines)."""
    from rebalance.cli import console

    for line in (lead(outcome, lang), stage_line(outcome, lang)):
        if line:
            console.print(line, markup=False, soft_wrap=True)


def field_label(name: str, lang: str) -> str:
    """A score field in the planner's words (the candidates' column headers)."""
    if name in ("revenue", "importance"):
        return t(f"common.metric.{name}", lang)
    return t(f"intake.col.{name}", lang)


def formula(outcome: IntakeOutcome, scenario: Scenario, lang: str) -> str:
    """The score formula with the weights this run used (the default over the fields the
    candidates file has, or the scenario's own)."""
    from rebalance.intake.candidates import score_weights
    from rebalance.report.labels import MINUS
    from rebalance.scenario.intake import SCORE_FIELDS

    weights = score_weights(outcome.candidates, scenario)
    sep = "、" if lang == "zh" else ", "
    # in the fields' documented order: a scenario read back from summary.json has its keys
    # sorted, and the rebuilt report must be the same bytes
    text = sep.join(f"{field_label(k, lang)} {weights[k]:+g}".replace("-", MINUS)
                    for k in SCORE_FIELDS if k in weights)
    return t("intake.report.formula", lang, weights=text)


def filters(scenario: Scenario, lang: str) -> str:
    """The intake's limits as set: places, minimum revenue, arrears limit."""
    intake = scenario.intake
    none = "—"
    return t("intake.report.filters", lang,
             cap=none if intake.max_clients is None else intake.max_clients,
             revenue=none if intake.min_revenue is None else money(intake.min_revenue),
             arrears=none if intake.max_arrears_rate is None
             else f"{intake.max_arrears_rate:.1%}")


def group_table(outcome: IntakeOutcome, lang: str) -> pd.DataFrame:
    """Per industry group: candidates, screened out, taken, revenue brought in, score."""
    rows: dict[str, list[float]] = {}
    for cand in outcome.candidates.candidates:
        row = rows.setdefault(cand.client.industry, [0, 0, 0, 0.0, 0.0])
        cid = cand.client_id
        row[0] += 1
        row[1] += cid in outcome.screened
        if cid in outcome.taken:
            row[2] += 1
            row[3] += cand.client.revenue
            row[4] += outcome.scores[cid]
    columns = [t("staffing.col.group", lang), t("intake.report.col.candidates", lang),
               t("intake.report.col.screened", lang), t("staffing.col.taken", lang),
               t("intake.report.col.revenue_in", lang), t("intake.col.score", lang)]
    data = [[group, int(r[0]), int(r[1]), int(r[2]), r[3], round(r[4], 2)]
            for group, r in rows.items()]
    return pd.DataFrame(data, columns=columns)


def _candidate_rows(outcome: IntakeOutcome, ids: Sequence[str], why: Mapping[str, str],
                    lang: str, with_manager: bool) -> pd.DataFrame:
    columns = ["client_id", "name", "industry", "revenue"]
    headers = [t(f"tables.client.{c}", lang) for c in columns] + [t("intake.col.score", lang)]
    if with_manager:
        headers.append(t("tables.client.manager", lang))
    headers.append(t("intake.col.reason", lang))
    rows = []
    for cid in ids:
        c = outcome.candidates.candidate(cid).client
        row: list[Any] = [c.client_id, c.name, c.industry, c.revenue, outcome.scores[cid]]
        if with_manager:
            row.append(who(outcome.problem, outcome.taken[cid]))
        rows.append([*row, why[cid]])
    return pd.DataFrame(rows, columns=headers)


def hires_table(outcome: IntakeOutcome, lang: str) -> pd.DataFrame | None:
    """The new managers the plan uses (``intake.hires``): group, clients and revenue taken."""
    if not outcome.hires:
        return None
    plan = outcome.result.client_to_manager
    rows = []
    for hire in outcome.hires:
        mine = [cid for cid, mid in plan.items() if mid == hire.manager_id]
        revenue = sum(outcome.problem.client(cid).revenue for cid in mine)
        rows.append([hire.manager_id, hire.industries[0], len(mine), revenue])
    columns = [t("intake.report.col.hire", lang), t("staffing.col.group", lang),
               t("intake.report.col.clients", lang), t("tables.client.revenue", lang)]
    return pd.DataFrame(rows, columns=columns)


def report_section(outcome: IntakeOutcome, scenario: Scenario, lang: str) -> dict[str, Any]:
    """report.html's intake section (tables as DataFrames; ``html`` formats them)."""
    from rebalance.intake.table import reasons

    why = reasons(outcome, lang)
    order = sorted(outcome.scores, key=lambda c: (-outcome.scores[c], c))
    taken = [c for c in order if c in outcome.taken]
    left = [c for c in order if c not in outcome.taken][:LEFT_OUT_ROWS]
    return {
        "title": t("intake.report.title", lang),
        "lines": [line for line in (lead(outcome, lang), stage_line(outcome, lang),
                                    filters(scenario, lang), formula(outcome, scenario, lang))
                  if line],
        "groups_title": t("intake.report.groups_title", lang),
        "groups": group_table(outcome, lang),
        "taken_title": t("intake.report.taken_title", lang),
        "taken": _candidate_rows(outcome, taken, why, lang, True) if taken else None,
        "no_taken": t("intake.report.no_taken", lang),
        "left_title": t("intake.report.left_title", lang, n=len(left)),
        "left": _candidate_rows(outcome, left, why, lang, False) if left else None,
        "hires_title": t("intake.report.hires_title", lang),
        "hires": hires_table(outcome, lang),
    }


def left_out_from_summary(summary: Mapping[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """The proven reasons of the candidates left out, as summary.json's ``intake`` block keeps
    them (``intake_summary``)."""
    block = summary.get("intake")
    kept = block.get("left_out") if isinstance(block, Mapping) else None
    if not isinstance(kept, Mapping):
        return {}
    return {str(cid): (str(r["reason"]), dict(r.get("values") or {}))
            for cid, r in kept.items() if isinstance(r, Mapping) and "reason" in r}


def outcome_from_plan(scenario: Scenario, base: Problem, book: Problem, rules: Rules,
                      result: Result,
                      left_out: Mapping[str, tuple[str, dict[str, Any]]] | None = None
                      ) -> IntakeOutcome:
    """The intake outcome of a written plan, without the solver: the candidates and their
    scores read again, the filters applied again, the candidates ``book`` holds as taken, the
    managers it adds to ``base`` that the plan uses as the hires used (``rebalance report``
    rebuilds the section byte for byte from it). ``result`` carries the plan, its verdict
    and the stages; ``left_out``: the proven reasons summary.json keeps
    (``left_out_from_summary``)."""
    from rebalance.intake.candidates import load_candidates, scores
    from rebalance.intake.engine import _settings, screen
    from rebalance.intake.staffing import fixed_hires

    candidates = load_candidates(scenario, fixed_hires(base, scenario))
    plan = result.client_to_manager
    taken = {c.client_id: plan[c.client_id] for c in candidates.candidates
             if c.client_id in plan}
    known = {m.manager_id for m in base.managers}
    used = set(plan.values())  # the hires of intake.hires the plan uses (as run_scenario)
    hires = tuple(m for m in book.managers if m.manager_id not in known and m.manager_id in used)
    return IntakeOutcome(result.status, candidates, scores(candidates, scenario),
                         screen(candidates, scenario), taken, hires, book, rules, result,
                         tuple(result.stages), (), base, *_settings(scenario),
                         left_out=dict(left_out or {}))
