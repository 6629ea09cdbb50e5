"""``rebalance incentives``: the proposal's reward per manager beside the old scheme, and the
what-if "how does the reward change with the number N of bundled handsets sold"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from rebalance.commands import options

if TYPE_CHECKING:
    from rebalance.errors import Issue
    from rebalance.incentives import HandsetProfile, ManagerReward, Subscriber, WhatIfRow
    from rebalance.scenario import Scenario

DEFAULT_WHATIF = "0,20,40,60,80,100,120,140,160,180,200"


def register(app: typer.Typer) -> None:
    """Add the ``incentives`` command to ``app``."""
    app.command("incentives")(incentives)


def incentives(
    scenario: Path = options.scenario("Scenario file (its incentives: section)."),
    subscribers: Path | None = typer.Option(
        None, "--subscribers", help="Subscribers table (.csv/.xlsx/.parquet); default: the "
        "scenario's data.subscribers."),
    out: Path | None = options.out(
        "Write incentives.csv, incentives_whatif.csv, incentives.xlsx and "
        "incentives_whatif.png into this folder."),
    set_: list[str] = options.overrides(
        "Override a scenario field, e.g. incentives.coef_profit=0.06 (repeatable)."),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date (YYYY-MM-DD) to count tenure from activation_date."),
    lang: str = options.lang("Language of headers and terminal"),
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
    period_months: int = typer.Option(12, "--period-months",
                                      help="What-if: months in one evaluation period."),
    horizon_months: int = typer.Option(36, "--horizon", help="What-if: months summed "
                                       "(whole periods)."),
) -> None:
    """The incentive scheme per manager, old vs new, and the bundled-handset what-if."""
    from rebalance.cli import exit_codes

    with exit_codes(lang):
        from rebalance.errors import InputError, Issue
        from rebalance.incentives import HandsetProfile, compute_rewards, whatif
        from rebalance.scenario import load_scenario

        if lang not in ("en", "zh"):
            raise InputError([Issue(f"--lang {lang!r}: use en or zh")])
        loaded = load_scenario(scenario, set_)
        settings = loaded.incentives
        profile = HandsetProfile(
            monthly_revenue=monthly_revenue, subsidy=subsidy, churn=churn,
            paid_months=paid_months, arrears_months=arrears_months,
            base_subscribers=base_subscribers, base_arrears_rate=base_arrears_rate,
            period_months=period_months, horizon_months=horizon_months,
        )
        issues = [Issue(f"what-if: {p}") for p in profile.problems()]
        counts = _parse_counts(whatif_counts, issues)
        date = _parse_as_of(as_of, issues)
        if issues:
            raise InputError(issues)

        managers, subs = _load(loaded, subscribers, date)
        rewards = compute_rewards(subs, settings, managers)
        rows = whatif(counts, settings, profile)
        _print(rewards, rows, profile, lang)
        if out is not None:
            paths = _write(out, rewards, rows, loaded, profile, lang)
            from rebalance.cli import console

            label = "已写入" if lang == "zh" else "Wrote"
            console.print(f"{label}: " + ", ".join(str(p) for p in paths))


def _parse_counts(text: str, issues: list[Issue]) -> list[int]:
    from rebalance.errors import Issue

    counts: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not part.isdigit():
            issues.append(Issue(f"--whatif: {part!r} is not a whole number of handsets (0 or "
                                "more)"))
        else:
            counts.append(int(part))
    if not counts and not issues:
        issues.append(Issue("--whatif: give at least one number, e.g. 0,50,100"))
    return sorted(set(counts))


def _parse_as_of(text: str | None, issues: list[Issue]) -> dt.date | None:
    from rebalance.errors import Issue

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        issues.append(Issue(f"--as-of {text!r}: not a date, use YYYY-MM-DD"))
        return None


def _load(scenario: Scenario, subscribers: Path | None, as_of: dt.date | None,
          ) -> tuple[list[tuple[str, str]], tuple[Subscriber, ...]]:
    """(manager id, name) of the book and the validated subscribers."""
    from rebalance.errors import InputError, Issue
    from rebalance.incentives import read_subscribers
    from rebalance.io.read import load_problem

    path = subscribers or scenario.data.subscribers
    if path is None:
        raise InputError([Issue("no subscribers table: give --subscribers FILE or set "
                                "data.subscribers in the scenario")])
    problem = load_problem(scenario)
    managers = [(m.manager_id, m.name) for m in problem.managers]
    subs = read_subscribers(path, encoding=scenario.data.encoding, as_of=as_of,
                            known_managers=[m for m, _ in managers],
                            managers_source=problem.managers_source)
    return managers, subs


# --------------------------------------------------------------------------- terminal


def _fmt(x: float) -> str:
    return f"{x:.0f}"


def _rate(x: float) -> str:
    return "∞" if x == float("inf") else f"{x:.1%}"


def _print(rewards: list[ManagerReward], rows: list[WhatIfRow], profile: HandsetProfile,
           lang: str) -> None:
    from rich import box
    from rich.table import Table

    from rebalance.cli import console

    zh = lang == "zh"
    heads = (("客户经理", "用户数", "数量", "在网", "效益", "罚款", "欠费率", "新方案", "旧方案",
              "差额") if zh else
             ("manager", "subs", "quantity", "in-net", "profit", "fine", "arrears", "new",
              "old", "new-old"))
    table = Table(title="激励方案：新旧对比" if zh else "Incentives: new scheme vs old",
                  show_footer=True, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True,
                  caption=("* 欠费率超过阈值：按欠费罚款，不在效益奖励内扣减" if zh else
                           "* arrears rate above the threshold: fined instead of deducted"))
    totals = [sum(getattr(r, k) for r in rewards) for k in (
        "num_subscribers", "quantity_reward", "in_network_reward", "profit_reward", "fine",
        "reward", "old_reward", "difference")]
    revenue = sum(r.revenue for r in rewards)
    arrears = sum(r.arrears for r in rewards)
    footer = ["合计" if zh else "total", f"{totals[0]:.0f}", *map(_fmt, totals[1:5]),
              _rate(arrears / revenue) + " " if revenue else "", *map(_fmt, totals[5:])]
    for j, (head, foot) in enumerate(zip(heads, footer, strict=True)):
        table.add_column(head, footer=foot, justify="left" if j == 0 else "right",
                         no_wrap=True)
    for r in rewards:
        table.add_row(r.manager_id, str(r.num_subscribers), _fmt(r.quantity_reward),
                      _fmt(r.in_network_reward), _fmt(r.profit_reward), _fmt(r.fine),
                      _rate(r.arrears_rate) + (" " if r.threshold_applied else "*"),
                      _fmt(r.reward), _fmt(r.old_reward), _fmt(r.difference))
    console.print(table)

    title = (f"模拟：销售 N 部捆绑终端在 {profile.horizon_months} 个月内带来的额外奖励"
             if zh else f"What-if: extra reward over {profile.horizon_months} months from "
             "selling N bundled handsets")
    wt = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for j, head in enumerate(("N", "欠费离网" if zh else "non-payers",
                              "最高欠费率" if zh else "max arrears",
                              "旧方案" if zh else "old", "新方案" if zh else "new",
                              "差额" if zh else "new-old")):
        wt.add_column(head, justify="left" if j == 0 else "right", no_wrap=True)
    for w in rows:
        wt.add_row(str(w.num_handsets), str(w.num_churners),
                   _rate(w.arrears_rate) + (" " if w.threshold_applied else "*"),
                   _fmt(w.old_reward), _fmt(w.new_reward), _fmt(w.difference))
    console.print(wt)
    p = profile
    if zh:
        console.print(f"假设：月费 {p.monthly_revenue:g}，终端补贴 {p.subsidy:g}，{p.churn:.0%} "
                      f"的购机用户缴费 {p.paid_months} 个月后停缴、欠费 {p.arrears_months} 个月；"
                      f"存量用户 {p.base_subscribers} 户，存量欠费率 {p.base_arrears_rate:.1%}。"
                      "* 超过阈值。")
    else:
        console.print(f"Profile: plan {p.monthly_revenue:g}/month, subsidy {p.subsidy:g}; "
                      f"{p.churn:.0%} of buyers pay {p.paid_months} months then leave "
                      f"{p.arrears_months} months unpaid; base book {p.base_subscribers} "
                      f"subscribers with {p.base_arrears_rate:.1%} arrears. * above the "
                      "threshold.")


# --------------------------------------------------------------------------- files


def _number_formats() -> dict[str, str]:
    """Excel display formats for both languages' headers (values stay plain numbers)."""
    money = {"revenue", "revenue_in_network", "profit_base", "terminal_cost", "arrears",
             "quantity_reward", "in_network_reward", "arrears_deduction", "profit_reward",
             "fine", "reward", "old_bonus", "old_fine", "old_reward", "difference",
             "new_quantity", "new_in_network", "new_profit", "new_fine", "new_reward"}
    from rebalance.incentives import REWARD_HEADERS, WHATIF_HEADERS

    formats: dict[str, str] = {}
    for headers in (REWARD_HEADERS, WHATIF_HEADERS):
        for key, names in headers.items():
            spec = "0.00%" if key == "arrears_rate" else "#,##0.00" if key in money else None
            if spec:
                formats.update({names[0]: spec, names[1]: spec})
    return formats


def _write(out: Path, rewards: list[ManagerReward], rows: list[WhatIfRow],
           scenario: Scenario, profile: HandsetProfile, lang: str) -> list[Path]:
    """All four files at once: staged, then moved into ``out`` (nothing half-written)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from rebalance.incentives import plot_whatif, rewards_table, settings_table, whatif_table
    from rebalance.io.write import atomic_output_dir, write_csv, write_xlsx

    managers = rewards_table(rewards, lang)
    whatif = whatif_table(rows, lang)
    settings = settings_table(scenario.incentives, profile, lang)
    sheets = (("激励", "模拟", "参数") if lang == "zh" else ("incentives", "whatif", "settings"))
    names = ["incentives.csv", "incentives_whatif.csv", "incentives.xlsx",
             "incentives_whatif.png"]
    with atomic_output_dir(out) as staging:
        write_csv(managers, staging / names[0])
        write_csv(whatif, staging / names[1])
        write_xlsx(staging / names[2], dict(zip(sheets, (managers, whatif, settings),
                                                strict=True)),
                   number_formats=_number_formats())
        fig, ax = plt.subplots(figsize=(7, 4.2))
        try:
            plot_whatif(rows, ax=ax)
            fig.tight_layout()
            fig.savefig(staging / names[3], dpi=120, metadata={"Software": None})
        finally:
            plt.close(fig)
    return [out / n for n in names]
