"""intake.csv / the intake sheet: every candidate, taken or not, with the reason in names and
numbers (score, the filter it fails, the capacity or places it lacks, or the portfolio it
joins and where that leaves its manager against the band)."""

from __future__ import annotations

import pandas as pd

from rebalance.i18n import t
from rebalance.intake.engine import IntakeOutcome
from rebalance.report.labels import pct, who

# headed like the clients' columns of assignment.csv (one header per column, tables.client.*)
CLIENT_COLUMNS = frozenset({"client_id", "name", "industry", "revenue", "importance", "manager"})
COLUMNS: tuple[str, ...] = (
    "client_id", "name", "industry", "revenue", "importance", "arrears_rate", "growth",
    "tenure_years", "score", "rank", "taken", "manager", "reason",
)


def chosen_first(outcome: IntakeOutcome) -> bool:
    """True when the candidates were chosen before the balance (a big book, intake/scale.py,
    or ``priorities`` with intake first)."""
    return bool(outcome.stages) and outcome.stages[0].name == "intake"


def _intake_proven(outcome: IntakeOutcome) -> bool:
    return any(s.name == "intake" and s.status == "OPTIMAL" for s in outcome.stages)


def _full_groups(outcome: IntakeOutcome) -> set[str]:
    """Industries whose pool has no room left: every manager has a capacity and holds it."""
    counts: dict[str, int] = {}
    for mid in outcome.result.client_to_manager.values():
        counts[mid] = counts.get(mid, 0) + 1
    full: set[str] = set()
    for pool in outcome.rules.pools:
        managers = [outcome.problem.manager(m) for m in pool.manager_ids]
        if all(m.capacity is not None and counts.get(m.manager_id, 0) >= m.capacity
               for m in managers):
            full.update(pool.industries)
    return full


def reasons(outcome: IntakeOutcome, lang: str) -> dict[str, str]:
    """candidate id -> why it was (not) taken, in ``lang``."""
    problem, verdict = outcome.problem, outcome.result.verdict
    out: dict[str, str] = {}
    full = _full_groups(outcome) if outcome.result.has_plan else set()
    cap = outcome.base_scenario_cap
    for cand in outcome.candidates.candidates:
        cid = cand.client_id
        score = f"{outcome.scores[cid]:.2f}"
        if cid in outcome.screened:
            key, values = outcome.screened[cid]
            out[cid] = t("intake.reason.screened", lang, score=score,
                         why=t(key, lang, **values))
        elif cid in outcome.taken and verdict is not None:
            mid = outcome.taken[cid]
            dev = verdict.devs.get((mid, "revenue"))
            tol = outcome.revenue_tolerance
            inside = dev is not None and abs(dev) <= tol + 1e-12
            where = t("intake.reason.in_band" if inside else "intake.reason.out_band", lang,
                      dev=pct(dev, tol))
            text = t("intake.reason.taken", lang, score=score,
                     revenue=f"¥{cand.client.revenue:,.0f}", manager=who(problem, mid),
                     band=where)
            if cid in outcome.required:
                text += "; " + t("intake.reason.required", lang)
            out[cid] = text
        elif cid in outcome.left_out:  # proven by a counterfactual solve (intake.why)
            key, values = outcome.left_out[cid]
            out[cid] = t(key, lang, score=score, **values)
        elif outcome.scores[cid] <= 0:
            out[cid] = t("intake.reason.negative", lang, score=score)
        elif cand.client.industry in full:
            out[cid] = t("intake.reason.no_room", lang, score=score, group=cand.client.industry)
        elif (cap is not None and len(outcome.taken) >= cap
              and outcome.scores[cid] <= min((outcome.scores[c] for c in outcome.taken),
                                             default=float("inf"))):
            out[cid] = t("intake.reason.cap", lang, score=score, cap=cap)
        elif chosen_first(outcome) and _intake_proven(outcome):
            # the most score the hard rules allow was proven with intake first: adding it
            # (or swapping it in) would score more, so no plan holds it with the others
            out[cid] = t("intake.reason.no_room_first", lang, score=score,
                         group=cand.client.industry)
        else:  # no proven reason (intake.why): say no more than that
            out[cid] = t("intake.reason.not_taken", lang, score=score)
    return out


def intake_table(outcome: IntakeOutcome, lang: str = "en") -> pd.DataFrame:
    """intake.csv: one row per candidate in file order, headers in ``lang``."""
    why = reasons(outcome, lang)
    ranked = sorted(outcome.scores, key=lambda c: (-outcome.scores[c], c))
    rank = {cid: i + 1 for i, cid in enumerate(ranked)}
    yes, no = t("common.yes", lang), t("common.no", lang)
    rows = []
    for cand in outcome.candidates.candidates:
        c = cand.client
        rows.append([
            c.client_id, c.name, c.industry, c.revenue, c.importance, cand.arrears_rate,
            cand.growth, cand.tenure_years, outcome.scores[c.client_id], rank[c.client_id],
            yes if c.client_id in outcome.taken else no,
            outcome.taken.get(c.client_id, ""), why[c.client_id],
        ])
    return pd.DataFrame(rows, columns=[t(f"tables.client.{col}" if col in CLIENT_COLUMNS
                                         else f"intake.col.{col}", lang) for col in COLUMNS])
