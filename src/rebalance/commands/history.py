"""`rebalance history [DIR]`, `history show N [DIR]`, `history diff N M [DIR]`: the adopted
plans kept in the book's SQLite store (read-only here: the store is append-only)."""

from __future__ import annotations

from pathlib import Path

import typer

from rebalance.commands import options
from rebalance.commands.diff import SHOWN_ROWS, print_frame


def _list(store: Path, lang: str) -> None:
    import pandas as pd

    from rebalance.cli import console
    from rebalance.i18n import t
    from rebalance.review import history

    with history.open_store(store, lang=lang) as conn:
        recs = history.records(conn)
    console.print(t("review.history.title", lang, store=store))
    if not recs:
        console.print(t("review.history.empty", lang))
        return
    cols = ("id", "adopted_at", "scenario", "by", "note", "moves", "handovers", "placements",
            "balance_excess", "continuity_cost", "input_hash")
    rows = [[r.plan_id, r.adopted_at, r.scenario_name, r.approved_by or "", r.note or "",
             r.figures.get("moves"), r.figures.get("handovers"), r.figures.get("placements"),
             r.figures.get("balance_excess"), r.figures.get("continuity_cost"),
             r.input_hash[:12]] for r in recs]
    shared = {"scenario": "whatif.col.scenario", "note": "whatif.col.note",
              "moves": "whatif.col.moves", "handovers": "whatif.col.handovers",
              "placements": "whatif.col.placements", "balance_excess": "term.balance_excess",
              "continuity_cost": "term.continuity_cost"}
    frame = pd.DataFrame(rows, columns=[t(shared.get(c, f"review.history.col.{c}"), lang)
                                        for c in cols])
    print_frame(frame, "", lang)


def _show(store: Path, plan_id: int, lang: str) -> bool:
    from rebalance.cli import console
    from rebalance.i18n import t
    from rebalance.review import history

    with history.open_store(store, lang=lang) as conn:
        result = history.recheck(conn, plan_id, store, lang)
    rec = result.record
    console.print(t("review.history.show", lang, plan=rec.plan_id, when=rec.adopted_at,
                    scenario=rec.scenario_name,
                    by=f" ({rec.approved_by})" if rec.approved_by else "",
                    note=f": {rec.note}" if rec.note else ""), markup=False)
    for name in result.bad_hashes:
        console.print(t("review.history.hash_bad", lang, file=name))
    if result.bad_hashes:
        return False
    console.print(t("review.history.hash_ok", lang, files=", ".join(result.files)))
    if result.violations or not result.figures_match:
        problems = [*result.violations,
                    *([] if result.figures_match else [t("review.history.figures_differ",
                                                         lang)])]
        console.print(t("review.history.check_bad", lang, n=len(problems)))
        for line in problems:
            console.print(f"  - {line}", markup=False)
    else:
        console.print(t("review.history.check_ok", lang, be=result.balance_excess,
                        rbe=float(rec.figures["balance_excess"]), cc=result.continuity_cost,
                        rcc=float(rec.figures["continuity_cost"])))
    return result.ok


def _diff(store: Path, first: int, second: int, lang: str) -> None:
    from rebalance.cli import console
    from rebalance.i18n import t
    from rebalance.review import history
    from rebalance.review.diff import diff_plans
    from rebalance.review.plans import PlanView

    views = []
    with history.open_store(store, lang=lang) as conn:
        for plan_id in (first, second):
            rec = history.record(conn, plan_id, store, lang)
            rows = history.stored_assignment(conn, plan_id)
            views.append(PlanView(
                f"#{plan_id}", {r[0]: r[5] for r in rows}, names={r[0]: r[1] for r in rows},
                revenue={r[0]: r[2] for r in rows}, importance={r[0]: r[3] for r in rows},
                figures={k: rec.figures.get(k) for k in ("balance_excess", "continuity_cost",
                                                         "moves")}))
    tables = diff_plans(views[0], views[1], lang)
    console.print(t("review.diff.title", lang, a=views[0].label, b=views[1].label,
                    n=len(tables["clients"])))
    for key, frame in tables.items():
        print_frame(frame, t(f"review.diff.section.{key}", lang), lang,
                    SHOWN_ROWS)


def history_command(
    args: list[str] = typer.Argument(None, metavar="[DIR] | show N [DIR] | diff N M [DIR]",
                                     help="List the adopted plans of a book folder (or a "
                                          "history.sqlite file), show one re-checked, or diff "
                                          "two."),
    lang: str | None = typer.Option(None, "--lang", help="Language: en or zh."),
) -> None:
    """The adopted plans of a book: list them, re-check one, or diff two.

    `show N` re-checks a stored plan against its stored inputs (exit 1 when it no longer holds).
    """
    from rebalance.cli import EXIT_BAD_INPUT, EXIT_NO_PLAN, err_console, exit_codes
    from rebalance.i18n import resolve_lang, t

    if lang is not None:
        options.exit_unless_lang(lang)
    code = resolve_lang(lang)
    words = list(args or [])
    with exit_codes(code):
        action = words[0] if words and words[0] in ("show", "diff") else "list"
        need = {"list": 0, "show": 1, "diff": 2}[action]
        numbers = words[1:1 + need] if action != "list" else []
        rest = words[1 + need:] if action != "list" else words
        if len(numbers) != need or not all(n.isdigit() for n in numbers) or len(rest) > 1:
            err_console.print(t("review.history.usage", code))
            raise typer.Exit(EXIT_BAD_INPUT)
        store = Path(rest[0]) if rest else Path(".")
        if action == "list":
            _list(store, code)
        elif action == "show":
            if not _show(store, int(numbers[0]), code):
                raise typer.Exit(EXIT_NO_PLAN)
        else:
            _diff(store, int(numbers[0]), int(numbers[1]), code)


def register(app: typer.Typer) -> None:
    app.command("history")(history_command)
