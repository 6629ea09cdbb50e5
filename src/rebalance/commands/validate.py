"""``rebalance validate SCENARIO``: check data and scenario; list every problem or summarise.

Exit 2 with every problem found (file, row, column), or exit 0 with a summary of the book:
industry groups, balancing pools, and each manager's load today against their fair share.
"""

from __future__ import annotations

from dataclasses import dataclass

import typer
from rich.markup import escape
from rich.table import Table as RichTable

from rebalance.commands import options
from rebalance.data import STATUSES, Problem
from rebalance.errors import safe_text
from rebalance.i18n import catalog, t
from rebalance.metrics import outside_band
from rebalance.pools import METRICS, Rules, client_load
from rebalance.report.labels import MINUS, pct
from rebalance.scenario import Scenario

LABEL_KEYS: tuple[str, ...] = (
    "title",
    "ok",
    "industries",
    "industry",
    "clients",
    "revenue",
    "revenue_pct",
    "managers",
    "importance",
    "pools",
    "pool",
    "fte",
    "today",
    "manager",
    "name",
    "status",
    "share",
    "dev",
    "outside",
    "none_outside",
    "n_outside",
    "big",
    "big_row",
    "new_clients",
    "leaving",
    "locked",
    "leaving_note",
    "short_revenue",
    "short_importance",
    "short_clients",
)


def _labels(lang: str) -> dict[str, str]:
    """The summary's texts in ``lang`` (templates from the catalog, ``summary.*``)."""
    side = 1 if lang == "zh" else 0
    texts = {key: catalog()[f"summary.{key}"][side] for key in LABEL_KEYS}
    texts.update({f"status_{s}": t(f"common.status.{s}", lang) for s in STATUSES})
    return texts
METRIC_LABEL = {"revenue": "revenue", "importance": "importance", "clients": "clients"}


@dataclass(frozen=True)
class ManagerToday:
    """One manager's load today, fair shares and relative deviations (None: no share)."""

    manager_id: str
    load: dict[str, float]
    share: dict[str, float]
    dev: dict[str, float | None]
    outside: tuple[str, ...]  # metrics outside their band


def loads_today(problem: Problem) -> dict[str, dict[str, float]]:
    """manager_id -> metric -> load under the current assignment."""
    loads = {m.manager_id: dict.fromkeys(METRICS, 0.0) for m in problem.managers}
    for c in problem.clients:
        if c.manager in loads:
            for k in METRICS:
                loads[c.manager][k] += client_load(c, k)
    return loads


def managers_today(problem: Problem, rules: Rules, scenario: Scenario) -> list[ManagerToday]:
    """Today's loads against fair shares, per manager in input order."""
    bands = scenario.balance.bands()
    loads = loads_today(problem)
    out = []
    for m in problem.managers:
        share = {k: rules.fair_share(m.manager_id, k) for k in METRICS}
        load = loads[m.manager_id]
        dev: dict[str, float | None] = {
            k: (load[k] - share[k]) / share[k] if share[k] > 0 else None for k in METRICS
        }
        outside = tuple(k for k in METRICS
                        if (d := dev[k]) is not None and outside_band(d, bands[k].tolerance))
        out.append(ManagerToday(m.manager_id, load, share, dev, outside))
    return out


def clients_bigger_than_band(problem: Problem, rules: Rules,
                             scenario: Scenario) -> list[tuple[str, float, tuple[str, ...]]]:
    """(client_id, largest upper band edge, eligible managers) for clients no band can hold."""
    tol = scenario.balance.revenue.tolerance
    out = []
    for c in problem.clients:
        eligible = rules.eligible.get(c.client_id, ())
        if not eligible:
            continue
        upper = max(rules.fair_share(mid, "revenue") * (1 + tol) for mid in eligible)
        if c.revenue > upper:
            out.append((c.client_id, upper, eligible))
    return out


def shown(text: str) -> str:
    """Text from the data, safe in a rich table or line: control characters escaped
    (``safe_text``) and ``[...]`` never read as markup (a name like ``[/]`` would raise)."""
    return escape(safe_text(text))


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _dev(value: float | None, tolerance: float) -> str:
    """Whole percent, with more decimals only where whole would read as inside the band."""
    if value is None:
        return "—"
    whole = round(value * 100)
    if outside_band(value, tolerance) and abs(whole) <= tolerance * 100:
        return pct(value, tolerance)
    return f"{'+' if whole > 0 else MINUS if whole < 0 else ''}{abs(whole)}%"


def _print_summary(problem: Problem, rules: Rules, scenario: Scenario, lang: str) -> None:
    from rebalance.cli import console

    t = _labels(lang)
    total_revenue = sum(c.revenue for c in problem.clients)
    console.print(t["title"].format(name=shown(scenario.name), clients=problem.num_clients,
                                    managers=problem.num_managers,
                                    revenue=_money(total_revenue)), style="bold")
    console.print(t["ok"], style="green")

    # in the order the tables first name them, as the planner's own files list them
    industries = list(dict.fromkeys([*(c.industry for c in problem.clients),
                                     *(i for m in problem.managers for i in m.industries)]))
    groups = RichTable(title=t["industries"], title_justify="left")
    for col, just in ((t["industry"], "left"), (t["clients"], "right"), (t["revenue"], "right"),
                      (t["revenue_pct"], "right"), (t["managers"], "left")):
        groups.add_column(col, justify=just)  # type: ignore[arg-type]
    for ind in industries:
        members = [c for c in problem.clients if c.industry == ind]
        revenue = sum(c.revenue for c in members)
        serving = [m.manager_id for m in problem.managers if m.staying and m.serves(ind)]
        groups.add_row(shown(ind), str(len(members)), _money(revenue),
                       f"{revenue / total_revenue:.0%}" if total_revenue else "—",
                       shown(f"{len(serving)}: {', '.join(serving)}"))
    console.print(groups)

    pools = RichTable(title=t["pools"], title_justify="left")
    for col, just in ((t["pool"], "right"), (t["industries"], "left"), (t["managers"], "left"),
                      (t["fte"], "right"), (t["clients"], "right"), (t["revenue"], "right")):
        pools.add_column(col, justify=just)  # type: ignore[arg-type]
    for pool in rules.pools:
        pools.add_row(str(pool.index + 1), shown("、".join(pool.industries)),
                      shown(", ".join(pool.manager_ids)),
                      f"{pool.fte:g}", str(len(pool.client_ids)),
                      _money(pool.totals["revenue"]))
    console.print(pools)

    today = managers_today(problem, rules, scenario)
    show_status = any(m.status != "active" for m in problem.managers)
    table = RichTable(title=t["today"], title_justify="left")
    table.add_column(t["manager"])
    table.add_column(t["name"])
    table.add_column(t["industry"])
    if show_status:
        table.add_column(t["status"])
    table.add_column(t["fte"], justify="right")
    for k in METRICS:
        table.add_column(t[METRIC_LABEL[k]], justify="right")
        table.add_column(t["share"], justify="right")
        table.add_column(t["dev"], justify="right")
    table.add_column(t["outside"])
    for m, row in zip(problem.managers, today, strict=True):
        cells = [shown(m.manager_id), shown(m.name), shown("、".join(m.industries))]
        if show_status:
            cells.append(t[f"status_{m.status}"])
        cells.append(f"{m.fte:g}")
        for k in METRICS:
            dev = _dev(row.dev[k], scenario.balance.bands()[k].tolerance)
            if k in row.outside:
                dev = f"[red]{dev}[/]"
            if k == "revenue":
                now, share = _money(row.load[k]), _money(row.share[k])
            else:
                now, share = f"{row.load[k]:g}", f"{row.share[k]:.1f}"
            cells += [now, share if row.dev[k] is not None else "—", dev]
        if not m.staying:
            note = t["leaving_note"].format(n=int(row.load["clients"]))
        else:
            note = " ".join(t[f"short_{k}"] for k in row.outside)
        cells.append(note)
        table.add_row(*cells)
    console.print(table)

    n_outside = sum(1 for m, r in zip(problem.managers, today, strict=True)
                    if m.staying and r.outside)
    n_staying = sum(1 for m in problem.managers if m.staying)
    if n_outside:
        console.print(t["n_outside"].format(n=n_outside, total=n_staying))
    else:
        console.print(t["none_outside"])

    big = clients_bigger_than_band(problem, rules, scenario)
    if big:
        console.print(t["big"])
        for cid, upper, eligible in big:
            c = problem.client(cid)
            console.print(safe_text(t["big_row"].format(
                cid=cid, name=c.name, revenue=_money(c.revenue), upper=_money(upper),
                managers=", ".join(eligible))), markup=False)
    num_new = sum(1 for c in problem.clients if c.manager is None)
    num_leaving = sum(1 for c in problem.clients
                      if c.manager is not None and not problem.manager(c.manager).staying)
    if num_new:
        console.print(t["new_clients"].format(n=num_new))
    if num_leaving:
        console.print(t["leaving"].format(n=num_leaving))
    console.print(t["locked"].format(n=len(rules.fixed), f=len(rules.forbidden)))


def validate(
    scenario_path: str = options.scenario(metavar="SCENARIO"),
    overrides: list[str] = options.overrides(
        "Override a scenario field, e.g. --set balance.revenue.tolerance=0.05."),
    lang: str | None = options.lang("Language of the summary"),
) -> None:
    """Check the data and the scenario: list every problem, or summarise the book."""
    from rebalance.cli import exit_codes
    from rebalance.io.read import load_book
    from rebalance.scenario import load_scenario

    with exit_codes(options.early_lang(lang, scenario_path)) as run:
        scenario = load_scenario(scenario_path, overrides)
        lang = run.lang = options.resolved(lang, scenario)
        problem, rules = load_book(scenario)
        candidates = None
        if scenario.data.candidates is not None:  # every problem there is bad input too
            from rebalance.intake import load_candidates
            from rebalance.intake.staffing import fixed_hires

            # with intake.hires, as solve reads them (a candidate may be placed with a hire)
            candidates = load_candidates(scenario, fixed_hires(problem, scenario))
        before_solving(problem, rules, scenario, lang)
        _print_summary(problem, rules, scenario, lang)
        from rebalance.cli import console

        if candidates is not None:
            from rebalance.intake.engine import screen

            n, out = len(candidates.candidates), len(screen(candidates, scenario))
            console.print(t("intake.validate", lang, n=n, file=candidates.source,
                            screened=out, open=n - out), markup=False)

        for line in _overrides_report(scenario, lang):
            console.print(line, markup=False)


def _overrides_report(scenario: Scenario, lang: str) -> list[str]:
    """The scenario's ``managers:`` / ``unlock:`` overrides as applied to the tables (empty
    without any): the tables as written beside the book as the scenario means it."""
    if not (scenario.managers or scenario.unlock or scenario.unlock_leavers):
        return []
    from rebalance.io.read import clients_from_table, managers_from_table, read_table
    from rebalance.review.overrides import describe_overrides

    enc = scenario.data.encoding
    managers, _ = managers_from_table(read_table(scenario.data.managers, enc, "managers"))
    clients, _ = clients_from_table(read_table(scenario.data.clients, enc, "clients"))
    return [t("review.override.title", lang),
            *describe_overrides(scenario, managers, clients, lang)]


def before_solving(problem: Problem, rules: Rules, scenario: Scenario, lang: str,
                   counting: bool = True) -> None:
    """Run the pre-solve checks (``rebalance.presolve``) as ``validate`` and ``solve`` do:
    print the warnings, and end with exit 1 when hard rules contradict each other
    (``counting``: see ``check_before_solving``)."""
    from rebalance.cli import err_console
    from rebalance.errors import NoPlanError
    from rebalance.i18n import t
    from rebalance.presolve import check_before_solving

    report = check_before_solving(problem, scenario, rules, counting)
    if report.warnings:
        err_console.print(t("inputs.warn.title", lang), style="yellow")
        for warning in report.warnings:
            err_console.print(f"  - {warning.text(lang)}", markup=False, soft_wrap=True)
    if report.contradictions:
        raise NoPlanError(report.reasons(lang))


def register(app: typer.Typer) -> None:
    """Add ``validate`` to the command line."""
    app.command("validate")(validate)
