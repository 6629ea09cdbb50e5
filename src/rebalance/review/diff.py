"""Two plans side by side: the clients whose manager differs, per-manager changes, figures.

Pure tables (English column names; ``translate`` gives the Chinese headers). Revenue and
importance come from the plans' own files, or from the book when one is given, so a diff of
two ``assignment.csv`` files needs nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from rebalance.check import check
from rebalance.data import Problem
from rebalance.i18n import t
from rebalance.pools import Rules
from rebalance.review.plans import FIGURES, PlanView
from rebalance.scenario import Scenario

CLIENT_COLUMNS: tuple[str, ...] = (
    "client_id", "name", "manager_a", "manager_b", "revenue", "importance",
)
MANAGER_COLUMNS: tuple[str, ...] = (
    "manager_id", "clients_a", "clients_b", "clients_change", "revenue_a", "revenue_b",
    "revenue_change", "importance_a", "importance_b", "importance_change",
)
FIGURE_COLUMNS: tuple[str, ...] = ("figure", "a", "b", "change")


def changed_clients(a: PlanView, b: PlanView) -> list[str]:
    """Ids of the clients whose manager differs (or that only one plan has), sorted."""
    ids = set(a.client_to_manager) | set(b.client_to_manager)
    return sorted(c for c in ids if a.client_to_manager.get(c) != b.client_to_manager.get(c))


def _fact(a: PlanView, b: PlanView, facts: str, cid: str) -> float:
    return float(getattr(b, facts).get(cid, getattr(a, facts).get(cid, 0.0)))


def clients_table(a: PlanView, b: PlanView) -> pd.DataFrame:
    """One row per client whose manager differs: manager in A, manager in B, its size."""
    rows = [{
        "client_id": cid,
        "name": b.names.get(cid) or a.names.get(cid, ""),
        "manager_a": a.client_to_manager.get(cid, ""),
        "manager_b": b.client_to_manager.get(cid, ""),
        "revenue": round(_fact(a, b, "revenue", cid), 2) + 0.0,
        "importance": _fact(a, b, "importance", cid),
    } for cid in changed_clients(a, b)]
    df = pd.DataFrame(rows, columns=list(CLIENT_COLUMNS))
    return df.astype({"revenue": "float64", "importance": "float64"})


def _loads(plan: PlanView, other: PlanView) -> dict[str, tuple[int, float, float]]:
    out: dict[str, list[float]] = {}
    for cid, mid in plan.client_to_manager.items():
        if not mid:
            continue
        load = out.setdefault(mid, [0, 0.0, 0.0])
        load[0] += 1
        load[1] += _fact(plan, other, "revenue", cid)
        load[2] += _fact(plan, other, "importance", cid)
    return {mid: (int(v[0]), v[1], v[2]) for mid, v in out.items()}


def managers_table(a: PlanView, b: PlanView, only_changed: bool = True) -> pd.DataFrame:
    """Per manager: clients, revenue and importance in A and in B and the change B − A."""
    la, lb = _loads(a, b), _loads(b, a)
    rows = []
    for mid in sorted(set(la) | set(lb)):
        ca, ra, ia = la.get(mid, (0, 0.0, 0.0))
        cb, rb, ib = lb.get(mid, (0, 0.0, 0.0))
        if only_changed and (ca, round(ra, 2), ia) == (cb, round(rb, 2), ib):
            continue
        rows.append({
            "manager_id": mid, "clients_a": ca, "clients_b": cb, "clients_change": cb - ca,
            "revenue_a": round(ra, 2) + 0.0, "revenue_b": round(rb, 2) + 0.0,
            "revenue_change": round(rb - ra, 2) + 0.0,
            "importance_a": ia, "importance_b": ib, "importance_change": ib - ia,
        })
    df = pd.DataFrame(rows, columns=list(MANAGER_COLUMNS))
    return df.astype({"clients_a": "int64", "clients_b": "int64", "clients_change": "int64"})


def figures_table(a: PlanView, b: PlanView, lang: str = "en") -> pd.DataFrame:
    """Both objectives (and the number of moves) of A and B side by side."""
    labels = {"balance_excess": t("term.balance_excess", lang),
              "continuity_cost": t("term.continuity_cost", lang),
              "moves": t("whatif.col.moves", lang)}
    rows = []
    for key in FIGURES:
        va, vb = a.figures.get(key), b.figures.get(key)
        change = None if va is None or vb is None else round(float(vb) - float(va), 6)
        rows.append({"figure": labels[key], "a": va, "b": vb, "change": change})
    return pd.DataFrame(rows, columns=list(FIGURE_COLUMNS))


# columns that are the output tables' own: their headers come from there
SHARED_HEADERS: dict[str, str] = {
    "client_id": "tables.client.client_id", "name": "tables.client.name",
    "revenue": "tables.client.revenue", "importance": "tables.client.importance",
    "manager_id": "tables.manager.manager_id", "figure": "whatif.show.figure",
}


def translate(df: pd.DataFrame, lang: str, a: str = "A", b: str = "B") -> pd.DataFrame:
    """Headers in ``lang`` with the plans' labels in place of ``a`` / ``b``."""
    names = {col: t(SHARED_HEADERS[col], lang) if col in SHARED_HEADERS
             else t(f"review.diff.col.{col}", lang, a=a, b=b) for col in df.columns}
    return df.rename(columns=names)


def markdown(tables: Mapping[str, pd.DataFrame], title: str) -> str:
    """The diff as a markdown document: a title, then one section per table."""
    lines = [f"# {title}", ""]
    for heading, df in tables.items():
        lines += [f"## {heading}", ""]
        if df.empty:
            lines += ["—", ""]
            continue
        cols = [str(c) for c in df.columns]
        lines.append("| " + " | ".join(cols) + " |")
        lines.append("|" + "|".join("---" for _ in cols) + "|")
        from rebalance.io.write import format_value

        for row in df.itertuples(index=False, name=None):
            cells = [format_value(v).replace("|", "\\|") for v in row]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def book_view(problem: Problem, client_to_manager: Mapping[str, str], label: str,
              figures: Mapping[str, float | None] | None = None) -> PlanView:
    """A plan of ``problem`` with the book's client facts (names, revenue, importance)."""
    return PlanView(label, dict(client_to_manager),
                    names={c.client_id: c.name for c in problem.clients},
                    revenue={c.client_id: c.revenue for c in problem.clients},
                    importance={c.client_id: float(c.importance) for c in problem.clients},
                    figures=dict(figures or {}))


def with_book(plan: PlanView, scenario: Scenario, problem: Problem, rules: Rules) -> PlanView:
    """The plan with the book's client facts and both objectives recomputed by ``check``."""
    verdict = check(problem, scenario, {c: m or None for c, m in
                                        plan.client_to_manager.items()}, rules)
    return book_view(problem, plan.client_to_manager, plan.label, {
        "balance_excess": round(verdict.balance_excess, 6),
        "continuity_cost": round(verdict.continuity_cost, 6),
        "moves": verdict.num_moves})


def diff_plans(a: PlanView, b: PlanView, lang: str = "en") -> dict[str, pd.DataFrame]:
    """The three diff tables with headers in ``lang``: clients, managers, figures."""
    return {
        "clients": translate(clients_table(a, b), lang, a.label, b.label),
        "managers": translate(managers_table(a, b), lang, a.label, b.label),
        "figures": translate(figures_table(a, b, lang), lang, a.label, b.label),
    }


def write_diff(tables: Mapping[str, pd.DataFrame], out: str | Path, lang: str,
               title: str) -> list[Path]:
    """``FILE.md``: one markdown document; otherwise a folder with one CSV per table + diff.md.

    All or nothing, like every output of rebalance.
    """
    from rebalance.io.write import atomic_output_dir, atomic_path, write_csv

    sections = {t(f"review.diff.section.{k}", lang): df for k, df in tables.items()}
    text = markdown(sections, title) + "\n"
    out = Path(out)
    if out.suffix.lower() == ".md":
        with atomic_path(out) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return [out]
    names = [f"diff_{k}.csv" for k in tables] + ["diff.md"]
    with atomic_output_dir(out) as staging:
        for key, df in tables.items():
            write_csv(df, staging / f"diff_{key}.csv")
        (staging / "diff.md").write_text(text, encoding="utf-8")
    return [out / n for n in names]
