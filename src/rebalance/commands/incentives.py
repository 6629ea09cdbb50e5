"""``rebalance incentives``: the proposal's reward per manager beside the old scheme, on the
current book or a plan, optionally calibrated to a budget, and the what-if "how does the
reward change with the number N of bundled handsets sold"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rebalance.commands import options

if TYPE_CHECKING:
    from rebalance.errors import Issue
    from rebalance.incentives import (
        Calibration,
        Fairness,
        HandsetProfile,
        ManagerReward,
        WhatIfRow,
    )
    from rebalance.scenario import Incentives, Scenario

DEFAULT_WHATIF = "0,20,40,60,80,100,120,140,160,180,200"


def register(app: typer.Typer) -> None:
    """Add the ``incentives`` command to ``app``."""
    app.command("incentives")(incentives)


# What ``incentives --out DIR`` writes.
OUTPUT_FILES = ("incentives.csv", "incentives_summary.csv", "incentives_calibration.csv",
                "incentives_whatif.csv", "incentives.xlsx", "incentives_whatif.png",
                "incentives_scheme.yaml")


def incentives(
    scenario: Path = options.scenario("Scenario file (its incentives: section)."),
    subscribers: Path | None = typer.Option(
        None, "--subscribers", help="Subscribers table (.csv/.xlsx/.parquet); default: the "
        "scenario's data.subscribers."),
    assignment: Path | None = typer.Option(
        None, "--assignment", "-a", help="Reward the portfolios of this plan (e.g. "
        "out/baseline/assignment.csv): subscribers follow their client to its manager in "
        "it. Default: the current book."),
    budget: str | None = typer.Option(
        None, "--budget", help="Solve unit_reward, coef_in_network and coef_profit so the "
        "scheme pays this per period, fines included (incentives.mix splits it); 'old' = "
        "what the old scheme pays. Default: incentives.budget, else no calibration."),
    out: Path | None = options.out(
        "Write incentives.csv, incentives_summary.csv, incentives_whatif.csv, "
        "incentives.xlsx, incentives_whatif.png (and incentives_calibration.csv with a "
        "budget) into this folder."),
    set_: list[str] = options.overrides(
        "Override a scenario field, e.g. incentives.coef_profit=0.06 (repeatable)."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date (YYYY-MM-DD) to count tenure from activation_date."),
    lang: str | None = typer.Option(
        None, "--lang", help="Language of headers, terminal and chart: en or zh (default: "
        "the scenario's lang, else $REBALANCE_LANG, else en)."),
    whatif_counts: str = typer.Option(
        DEFAULT_WHATIF, "--whatif", help="What-if: numbers N of bundled handsets sold, "
        "comma-separated."),
    churn: float = typer.Option(0.2, "--churn", help="What-if: share of handset buyers who "
                                "stop paying."),
    monthly_revenue: float = typer.Option(96.0, "--monthly-revenue",
                                          help="What-if: monthly fee of a handset plan."),
    subsidy: float = typer.Option(1200.0, "--subsidy", help="What-if: handset subsidy "
                                  "(terminal cost) per handset."),
    paid_months: int = typer.Option(3, "--paid-months", help="What-if: months a non-payer "
                                    "pays before stopping."),
    arrears_months: int = typer.Option(3, "--arrears-months", help="What-if: unpaid months "
                                       "a non-payer leaves as arrears."),
    base_subscribers: int = typer.Option(100, "--base-subscribers", help="What-if: "
                                         "long-standing subscribers the manager already has."),
    base_arrears_rate: float = typer.Option(0.01, "--base-arrears-rate",
                                            help="What-if: arrears rate of that base."),
    period_months: int | None = typer.Option(
        None, "--period-months", help="Months in one evaluation period (same as --set "
        "incentives.period_months=N; default 12)."),
    horizon_months: int = typer.Option(36, "--horizon", help="What-if: months summed "
                                       "(whole periods)."),
) -> None:
    """The incentive scheme per manager, old vs new, on the book or a plan, calibrated to a
    budget if asked, and the bundled-handset what-if."""
    from rebalance.cli import EXIT_BAD_INPUT, err_console, exit_codes
    from rebalance.i18n import UnknownLanguage, resolve_lang

    try:
        first_lang = resolve_lang(lang)
    except UnknownLanguage as exc:
        err_console.print(str(exc))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    with exit_codes(first_lang):
        from rebalance.scenario import load_scenario

        if out is not None:
            from rebalance.io.publish import check_out_dir

            check_out_dir(out, OUTPUT_FILES)  # before reading anything
        sets = [*set_]
        if period_months is not None:
            sets.append(f"incentives.period_months={period_months}")
        loaded = load_scenario(scenario, sets)
        run_lang = resolve_lang(lang, loaded.lang)
    with exit_codes(run_lang):
        from rebalance.errors import InputError, Issue
        from rebalance.incentives import HandsetProfile, whatif

        settings = loaded.incentives
        profile = HandsetProfile(
            monthly_revenue=monthly_revenue, subsidy=subsidy, churn=churn,
            paid_months=paid_months, arrears_months=arrears_months,
            base_subscribers=base_subscribers, base_arrears_rate=base_arrears_rate,
            period_months=settings.period_months, horizon_months=horizon_months,
        )
        issues = [Issue(p) for p in profile.problems(run_lang)]
        counts = _parse_counts(whatif_counts, issues, run_lang)
        date = _parse_as_of(as_of, issues, run_lang)
        wanted = _parse_budget(budget, issues, run_lang)
        if issues:
            raise InputError(issues)
        run = _compute(loaded, subscribers, assignment, date,
                       settings.budget if wanted is None else wanted, run_lang)
        rows = whatif(counts, run.settings, profile)
        _print(run, rows, profile, run_lang)
        if out is not None:
            paths = _write(out, run, rows, profile, loaded.source or scenario, run_lang)
            from rebalance.cli import console
            from rebalance.commands.report import print_font_notice
            from rebalance.i18n import t

            print_font_notice(run_lang)  # the what-if chart is English without a CJK font

            console.print(f"{t('incentives.wrote', run_lang)}: "
                          + ", ".join(str(p) for p in paths))


def _parse_counts(text: str, issues: list[Issue], lang: str) -> list[int]:
    from rebalance.errors import Issue
    from rebalance.i18n import t

    counts: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not part.isdigit():
            issues.append(Issue(t("incentives.error.whatif", lang, value=part)))
        else:
            counts.append(int(part))
    if not counts and not issues:
        issues.append(Issue(t("incentives.error.whatif_empty", lang)))
    return sorted(set(counts))


def _parse_as_of(text: str | None, issues: list[Issue], lang: str) -> dt.date | None:
    from rebalance.errors import Issue
    from rebalance.i18n import t

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        issues.append(Issue(t("incentives.error.as_of", lang, value=text)))
        return None


def _parse_budget(text: str | None, issues: list[Issue], lang: str) -> float | str | None:
    """``--budget``: an amount (``12,000`` too) or ``old``; None when not given."""
    from rebalance.errors import Issue
    from rebalance.i18n import t
    from rebalance.io.read import parse_number

    if text is None:
        return None
    if text.strip().lower() == "old":
        return "old"
    try:
        return parse_number(text)
    except ValueError:
        issues.append(Issue(t("incentives.error.budget", lang, value=text)))
        return None


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class _Run:
    """Everything one run shows and writes."""

    settings: Incentives  # calibrated when a budget was given
    rewards: list[ManagerReward]  # on the chosen plan (the current book by default)
    book: list[ManagerReward] | None  # on the current book, when a plan was given
    plan: str  # the plan's file, or the translated "current book"
    moved: dict[str, int]  # manager -> subscribers that come with clients changing manager
    num_moved_clients: int
    calibration: Calibration | None
    fair: Fairness
    subscribers: Path | None  # the --subscribers option (the scenario's table otherwise)


def _compute(scenario: Scenario, subscribers: Path | None, assignment: Path | None,
             as_of: dt.date | None, budget: float | str | None, lang: str) -> _Run:
    """Read, attribute, calibrate if asked, reward. Exit 1 (NoPlan) when the budget is
    impossible, with the numbers."""
    from rebalance.cli import NoPlan
    from rebalance.errors import InputError, Issue
    from rebalance.i18n import t
    from rebalance.incentives import (
        CalibrationImpossible,
        attribute,
        calibrate,
        compute_rewards,
        fairness,
        read_subscribers,
    )
    from rebalance.io.read import load_problem, read_assignment
    from rebalance.pools import change_kind

    path = subscribers or scenario.data.subscribers
    if path is None:
        raise InputError([Issue(t("incentives.error.no_subscribers", lang))])
    problem = load_problem(scenario)
    managers = [(m.manager_id, m.name) for m in problem.managers]
    subs = read_subscribers(path, encoding=scenario.data.encoding, as_of=as_of,
                            known_managers=[m for m, _ in managers],
                            managers_source=problem.managers_source,
                            known_clients=problem.client_index,
                            clients_source=problem.clients_source, lang=lang)
    book_map = {c.client_id: c.manager for c in problem.clients}
    on_book = attribute(subs, book_map)
    chosen = on_book
    moved: dict[str, int] = {}
    num_moved_clients = 0
    if assignment is not None:
        plan_map = read_assignment(assignment, problem, scenario.data.encoding)
        chosen = attribute(subs, plan_map)
        changed = {c for c, m in plan_map.items() if change_kind(problem, c, m) is not None}
        num_moved_clients = len(changed)
        for sub in chosen:
            if sub.client_id in changed:
                moved[sub.manager] = moved.get(sub.manager, 0) + 1
    settings = scenario.incentives
    rewards = compute_rewards(chosen, settings, managers)
    calibration = None
    if budget is not None:
        try:
            calibration = calibrate(rewards, settings, budget)
        except CalibrationImpossible as exc:
            raise NoPlan(exc.message(lang)) from None
        settings = calibration.settings(settings)
        rewards = compute_rewards(chosen, settings, managers)
    book = compute_rewards(on_book, settings, managers) if assignment is not None else None
    plan = str(assignment) if assignment is not None else t("incentives.plan.book", lang)
    return _Run(settings=settings, rewards=rewards, book=book, plan=plan, moved=moved,
                num_moved_clients=num_moved_clients, calibration=calibration,
                fair=fairness(rewards), subscribers=subscribers)


# --------------------------------------------------------------------------- terminal


def _fmt(x: float) -> str:
    return f"{x:,.0f}"


def _rate(x: float) -> str:
    return "∞" if x == float("inf") else f"{x:.1%}"


def _print(run: _Run, rows: list[WhatIfRow], profile: HandsetProfile, lang: str) -> None:
    from rich import box
    from rich.table import Table

    from rebalance.cli import console
    from rebalance.i18n import t

    s = run.settings
    unit = t("incentives.unit", lang, currency=s.currency, months=s.period_months)
    if run.calibration is not None:
        _print_calibration(run.calibration, s, unit, lang)
    keys = ["manager", "subs", "quantity", "in_network", "profit", "fine", "arrears", "new",
            "old", "change"] + (["book"] if run.book is not None else [])
    title = (t("incentives.title.plan", lang, plan=run.plan, unit=unit)
             if run.book is not None else t("incentives.title", lang, unit=unit))
    table = Table(title=title, show_footer=True, box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True, caption=t("incentives.caption", lang))
    rewards = run.rewards
    totals = [sum(getattr(r, k) for r in rewards) for k in (
        "num_subscribers", "quantity_reward", "in_network_reward", "profit_reward", "fine",
        "reward", "old_reward", "difference")]
    revenue = sum(r.revenue for r in rewards)
    arrears = sum(r.arrears for r in rewards)
    footer = [t("incentives.head.total", lang), f"{totals[0]:.0f}", *map(_fmt, totals[1:5]),
              _rate(arrears / revenue) + " " if revenue else "", *map(_fmt, totals[5:])]
    if run.book is not None:
        footer.append(_fmt(sum(r.reward for r in run.book)))
    for j, (key, foot) in enumerate(zip(keys, footer, strict=True)):
        table.add_column(t(f"incentives.head.{key}", lang), footer=foot,
                         justify="left" if j == 0 else "right", no_wrap=True)
    book = {r.manager_id: r.reward for r in run.book or ()}
    for r in rewards:
        cells = [r.manager_id, str(r.num_subscribers), _fmt(r.quantity_reward),
                 _fmt(r.in_network_reward), _fmt(r.profit_reward), _fmt(r.fine),
                 _rate(r.arrears_rate) + (" " if r.threshold_applied else "*"),
                 _fmt(r.reward), _fmt(r.old_reward), _fmt(r.difference)]
        if run.book is not None:
            cells.append(_fmt(book.get(r.manager_id, 0.0)))
        table.add_row(*cells)
    console.print(table)
    f = run.fair
    new, old = f.per_subscriber_new, f.per_subscriber_old
    console.print(t("incentives.fairness", lang, gain=f.num_gain, lose=f.num_lose,
                    same=f.num_same, new_low=f"{new.low:.2f}", new_high=f"{new.high:.2f}",
                    new_median=f"{new.median:.2f}", new_cv=f"{new.cv:.2f}",
                    old_low=f"{old.low:.2f}", old_high=f"{old.high:.2f}",
                    old_median=f"{old.median:.2f}", old_cv=f"{old.cv:.2f}"), soft_wrap=True)
    if run.book is not None:
        from rebalance.incentives import plan_gains

        gain, lose, _ = plan_gains(run.rewards, run.book)
        console.print(t("incentives.moved", lang, num=sum(run.moved.values()),
                        clients=run.num_moved_clients, gain=gain, lose=lose), soft_wrap=True)
    _print_whatif(rows, profile, s.currency, lang)


def _print_calibration(cal: Calibration, settings: Incentives, unit: str, lang: str) -> None:
    from rich import box
    from rich.table import Table

    from rebalance.cli import console
    from rebalance.i18n import t
    from rebalance.incentives import calibration_table

    key = "incentives.calibration.title_old" if cal.from_old else "incentives.calibration.title"
    table = Table(title=t(key, lang, budget=_fmt(cal.budget), unit=unit,
                          fines=_fmt(cal.fines)),
                  box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    frame = calibration_table(cal, settings, lang).iloc[:, :6]
    for j, head in enumerate(frame.columns):
        table.add_column(str(head), justify="left" if j in (0, 3) else "right", no_wrap=True)
    for values in frame.itertuples(index=False):
        share, base, _, coef, total = values[1:6]
        table.add_row(str(values[0]), "" if share != share else f"{share:.0%}",
                      "" if base != base else _fmt(base), str(values[3]),
                      f"{float(coef):.6g}" if coef else "", _fmt(total))
    console.print(table)
    if cal.digits:
        console.print(t("incentives.calibration.rounded", lang, digits=cal.digits,
                        paid=f"{cal.paid:,.2f}", gap=f"{cal.paid - cal.budget:+,.2f}"))


def _print_whatif(rows: list[WhatIfRow], profile: HandsetProfile, currency: str,
                  lang: str) -> None:
    from rich import box
    from rich.table import Table

    from rebalance.cli import console
    from rebalance.i18n import t

    wt = Table(title=t("incentives.whatif.title", lang, months=profile.horizon_months,
                       currency=currency),
               box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for j, key in enumerate(("N", "non_payers", "max_arrears", "old", "new", "change")):
        wt.add_column(key if key == "N" else t(f"incentives.head.{key}", lang),
                      justify="left" if j == 0 else "right", no_wrap=True)
    for w in rows:
        wt.add_row(str(w.num_handsets), str(w.num_churners),
                   _rate(w.arrears_rate) + (" " if w.threshold_applied else "*"),
                   _fmt(w.old_reward), _fmt(w.new_reward), _fmt(w.difference))
    console.print(wt)
    p = profile
    console.print(t("incentives.whatif.profile", lang, fee=f"{p.monthly_revenue:g}",
                    subsidy=f"{p.subsidy:g}", churn=f"{p.churn:.0%}", paid=p.paid_months,
                    unpaid=p.arrears_months, base=p.base_subscribers,
                    base_rate=f"{p.base_arrears_rate:.1%}"))


# --------------------------------------------------------------------------- files


def _number_formats(currency: str) -> dict[str, str]:
    """Excel display formats for both languages' headers (values stay plain numbers); money
    cells show the currency."""
    from rebalance.incentives.tables import MONEY, header

    unit = currency.replace('"', "")
    money = f'#,##0.00 "{unit}"'
    formats: dict[str, str] = {}
    for lang in ("en", "zh"):
        formats[header("arrears_rate", lang)] = "0.00%"
        formats[header("share", lang)] = "0%"
        formats.update({header(k, lang): money for k in MONEY})
    return formats


def _write(out: Path, run: _Run, rows: list[WhatIfRow], profile: HandsetProfile,
           scenario: Path, lang: str) -> list[Path]:
    """All files at once: staged, then moved into ``out`` (nothing half-written)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rebalance.i18n import t
    from rebalance.incentives import (
        calibration_table,
        rewards_table,
        scheme_yaml,
        settings_table,
        summary_items,
        summary_table,
        whatif_table,
    )
    from rebalance.io.write import atomic_output_dir, write_csv, write_xlsx
    from rebalance.report.plots import plot_incentives_whatif

    s = run.settings
    tables = {
        "incentives": rewards_table(run.rewards, s, lang, book=run.book, moved=run.moved),
        "summary": summary_table(summary_items(run.rewards, run.fair, s, run.plan, run.book,
                                               run.calibration), lang),
    }
    if run.calibration is not None:
        tables["calibration"] = calibration_table(run.calibration, s, lang)
    tables["whatif"] = whatif_table(rows, s, profile, lang)
    csv_names = {"incentives": "incentives.csv", "summary": "incentives_summary.csv",
                 "calibration": "incentives_calibration.csv",
                 "whatif": "incentives_whatif.csv"}
    names = [csv_names[k] for k in tables] + ["incentives.xlsx", "incentives_whatif.png"]
    if run.calibration is not None:
        names.append("incentives_scheme.yaml")
    sheets = {t(f"incentives.sheet.{k}", lang): v for k, v in tables.items()}
    sheets[t("incentives.sheet.settings", lang)] = settings_table(s, profile, lang)
    with atomic_output_dir(out) as staging:
        for key, frame in tables.items():
            write_csv(frame, staging / csv_names[key])
        write_xlsx(staging / "incentives.xlsx", sheets,
                   number_formats=_number_formats(s.currency))
        if run.calibration is not None:
            (staging / "incentives_scheme.yaml").write_text(
                scheme_yaml(s, run.calibration, scenario, out, run.subscribers, lang),
                encoding="utf-8")
        fig, ax = plt.subplots(figsize=(7, 4.2))
        try:
            plot_incentives_whatif(rows, currency=s.currency,
                                   horizon_months=profile.horizon_months, ax=ax, lang=lang)
            fig.tight_layout()
            fig.savefig(staging / "incentives_whatif.png", dpi=120,
                        metadata={"Software": None})
        finally:
            plt.close(fig)
    return [out / n for n in names]
