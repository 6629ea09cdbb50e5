"""One rebalancing run end to end, as a library: scenario → plan → tables → files.

The CLI (`rebalance solve`), `compare`, `sweep` and the notebook all go through here, so the
figures they show are computed one way only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rebalance import __version__, metrics
from rebalance.backup import BackupInfeasible, BackupPlan, assign_backups
from rebalance.check import Verdict
from rebalance.data import Problem
from rebalance.errors import NoPlanError
from rebalance.i18n import t
from rebalance.io.read import load_book
from rebalance.io.write import atomic_output_dir, write_csv, write_json, write_text, write_xlsx
from rebalance.metrics import before_after, managers_outside
from rebalance.pools import Rules, client_load
from rebalance.presolve import warnings
from rebalance.report.labels import band, client_label, number_formats, pct, who
from rebalance.report.reasons import exchange_ids, explain
from rebalance.report.tables import assignment_table, managers_table, moves_table, translate
from rebalance.scenario import Scenario, load_scenario
from rebalance.solve import Result, solve
from rebalance.targets import TargetPlan, TargetsInfeasible, compute_targets

SHEET_KEYS = ("assignment", "managers", "moves", "backups", "parameters")


def sheet_names(lang: str) -> dict[str, str]:
    """Workbook sheet name of each table in ``lang``."""
    return {key: t(f"engine.sheet.{key}", lang) for key in SHEET_KEYS}


BACKUP_COLUMNS = ("manager_id", "name", "status", "backup_clients", "backup_clients_share",
                  "backup_importance", "backup_importance_share", "partners")


@dataclass(frozen=True)
class Plan:
    """A solved scenario with everything derived from it."""

    scenario: Scenario
    problem: Problem
    rules: Rules
    result: Result
    verdict: Verdict  # check()'s independent verdict on the plan: the contract's numbers
    targets: TargetPlan
    backups: BackupPlan | None
    fairness: dict[str, Any]  # metrics.before_after
    input_hash: str

    @property
    def client_to_manager(self) -> dict[str, str]:
        return dict(self.result.client_to_manager)


def input_hash(scenario: Scenario) -> str:
    """sha256 of the data files' bytes (clients, then managers): the book that was solved."""
    digest = hashlib.sha256()
    for path in (scenario.data.clients, scenario.data.managers):
        digest.update(Path(path).name.encode("utf-8") + b"\0")
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def load(path: str | Path, overrides: Sequence[str] = ()) -> tuple[Scenario, Problem, Rules]:
    """Load a scenario file and its book; raises InputError listing every problem."""
    scenario = load_scenario(path, overrides)
    problem, rules = load_book(scenario)
    return scenario, problem, rules


def run(
    scenario: Scenario,
    problem: Problem | None = None,
    rules: Rules | None = None,
    progress: Callable[[Any], None] | None = None,
    lang: str = "en",
) -> Plan:
    """Solve a scenario and derive targets, backups and fairness figures.

    Raises ``NoPlanError`` (exit 1 on the CLI) with named reasons when the rules contradict
    each other, nothing was found in time, the target caps cannot be met, or backups are
    impossible.
    """
    if problem is None or rules is None:
        problem, rules = load_book(scenario)
    result = solve(problem, scenario, rules, progress=progress)
    if not result.has_plan:
        reasons = list(result.diagnostics_in(lang)) or [
            t("engine.no_plan_in_time", lang, seconds=f"{scenario.solver.time_limit:g}",
              status=t(f"engine.status.{result.status}", lang))
        ]
        raise NoPlanError(reasons)
    assignment = dict(result.client_to_manager)
    verdict = result.checked()  # solve() checked the plan once; never again here
    try:
        targets = compute_targets(problem, scenario, assignment)
    except TargetsInfeasible as exc:
        from rebalance.commands.targets import infeasible_message

        raise NoPlanError([infeasible_message(exc, lang)]) from exc
    backups = None
    if scenario.backup.enabled:
        try:
            backups = assign_backups(problem, scenario, rules, assignment)
        except BackupInfeasible as exc:
            raise NoPlanError(exc.render(lang).splitlines()) from exc
    return Plan(
        scenario=scenario,
        problem=problem,
        rules=rules,
        result=result,
        verdict=verdict,
        targets=targets,
        backups=backups,
        fairness=before_after(problem, scenario, rules, assignment),
        input_hash=input_hash(scenario),
    )


def tables(plan: Plan, lang: str = "en") -> dict[str, pd.DataFrame]:
    """assignment, managers and moves tables (headers and reasons in ``lang``)."""
    problem, rules, assignment = plan.problem, plan.rules, plan.client_to_manager
    explanations = explain(problem, plan.scenario, rules, assignment, lang, plan.verdict)
    reasons = {cid: e.text for cid, e in explanations.items()}
    backups = dict(plan.backups.client_to_backup) if plan.backups else None
    out = {
        "assignment": assignment_table(problem, rules, assignment, reasons, backups),
        "managers": managers_table(
            problem, rules, problem.current_assignment, assignment, plan.targets,
            dict(plan.backups.loads) if plan.backups else None,
        ),
        "moves": moves_table(problem, assignment, reasons,
                             exchanges=exchange_ids(explanations)),
    }
    return {name: translate(df, lang, name) for name, df in out.items()}


def _stage_dict(stage: Any) -> dict[str, Any]:
    return {
        "name": stage.name,
        "status": stage.status,
        "objective": stage.objective,
        "best_bound": stage.best_bound,
        "gap": stage.gap,
        "wall_time": round(stage.wall_time, 3),
    }


def summary(plan: Plan, lang: str = "en") -> dict[str, Any]:
    """The contents of summary.json (see docs/outputs.md)."""
    from importlib.metadata import version

    result, verdict, targets = plan.result, plan.verdict, plan.targets
    out: dict[str, Any] = {
        "scenario_name": plan.scenario.name,
        "status": result.status,
        "objective": result.objective,
        "best_bound": result.best_bound,
        "gap": result.gap,
        "wall_time": round(result.wall_time, 3),
        "stages": [_stage_dict(s) for s in result.stages],
        **kind_counts(plan),
        "managers_outside_band": {
            when: managers_outside(plan.problem, plan.scenario, plan.rules, assignment)
            for when, assignment in (("before", plan.problem.current_assignment),
                                     ("after", plan.client_to_manager))},
        "balance_excess": verdict.balance_excess,
        "continuity_cost": verdict.continuity_cost,
        "fairness": {"before": plan.fairness["before"], "after": plan.fairness["after"]},
        "continuity": plan.fairness["continuity"],
        "hard_rules_ok": verdict.ok,
        "outside_band": outside_band_reasons(plan, lang),
        "targets": {
            "total": targets.total,
            "department_revenue": targets.department_revenue,
            "method": targets.method,
            "growth_spread": targets.growth_spread,
            "equal_split_growth_spread": targets.equal_split_growth_spread,
            "growth_std": targets.growth_std,
            "equal_split_growth_std": targets.equal_split_growth_std,
            "blank_potentials": targets.blank_potentials,
            "notes": list(targets.notes),
        },
        "scenario": plan.scenario.resolved(),
        "seed": plan.scenario.solver.seed,
        "versions": {"rebalance": __version__, "ortools": version("ortools")},
        "input_hash": plan.input_hash,
        "warnings": [w.text("en") for w in warnings(plan.problem, plan.scenario, plan.rules)],
    }
    if plan.backups is not None:
        b = plan.backups
        out["backup"] = {
            "status": b.status, "mode": b.mode, "kept": b.kept, "num_keepable": b.num_keepable,
            "pairs": [list(p) for p in b.pairs], "balance_excess": b.balance_excess,
            "outside_pairs": sorted(getattr(b, "outside_pairs", ()) or ()),
        }
    return out


def kind_counts(plan: Plan) -> dict[str, int]:
    """``moves``, ``handovers``, ``placements`` of the plan (``metrics.kind_counts``)."""
    return metrics.kind_counts(plan.problem, plan.result.client_to_manager)


def key_figures(plan: Plan) -> dict[str, Any]:
    """The figures `compare` and `sweep` put side by side, one flat row."""
    row: dict[str, Any] = {
        "scenario": plan.scenario.name,
        "status": plan.result.status,
        **kind_counts(plan),
        "continuity_cost": round(plan.verdict.continuity_cost, 4),
        "balance_excess": round(plan.verdict.balance_excess, 4),
        "gap": plan.result.gap,
        "wall_time": round(plan.result.wall_time, 2),
    }
    for when in ("before", "after"):
        fair = plan.fairness[when]
        row[f"outside_band_{when}"] = sum(int(fair[k]["outside_band"]) for k in fair)
    for metric, fig in plan.fairness["after"].items():
        row[f"{metric}_max_dev"] = round(float(fig["max_abs_dev"]), 4)
    for when in ("before", "after"):
        row[f"revenue_gini_{when}"] = round(float(plan.fairness[when]["revenue"]["gini"]), 4)
    spread = plan.targets.growth_spread
    eq = plan.targets.equal_split_growth_spread
    row["growth_spread"] = None if spread is None else round(spread, 4)
    row["equal_split_growth_spread"] = None if eq is None else round(eq, 4)
    return row


def backups_table(plan: Plan, lang: str = "en") -> pd.DataFrame | None:
    """Backup load per manager beside its fair backup share (and partners in pairs mode)."""
    if plan.backups is None:
        return None
    b = plan.backups
    partners = {mid: [o for o in group if o != mid] for group in b.pairs for mid in group}
    rows = []
    for m in plan.problem.managers:
        clients, importance = b.loads.get(m.manager_id, (0, 0))
        share = b.shares.get(m.manager_id)
        rows.append([
            m.manager_id, m.name, m.status, clients,
            None if share is None else round(share[0], 4), importance,
            None if share is None else round(share[1], 4),
            ";".join(partners.get(m.manager_id, [])),
        ])
    return pd.DataFrame(rows, columns=[t(f"tables.backup.{col}", lang) for col in BACKUP_COLUMNS])


# What ``solve --out DIR`` writes (checked before solving: nothing may be in their way).
OUTPUT_FILES = ("assignment.csv", "managers.csv", "moves.csv", "assignment.xlsx",
                "summary.json", "report.html")


def write(plan: Plan, out_dir: str | Path, lang: str = "en",
          extra: Mapping[str, pd.DataFrame | str] | None = None,
          pinned: Collection[str] = ()) -> list[Path]:
    """Write assignment.csv, managers.csv, moves.csv, assignment.xlsx, summary.json, report.html.

    All or nothing: files are staged beside ``out_dir`` and moved in only when every one was
    written; other files in ``out_dir`` are left alone. ``extra`` adds files to the same set
    (file name -> table, or text); ``pinned`` clients show a pin in the workbook.
    """
    from rebalance.report.html import plan_report
    from rebalance.report.workbook import parameters_table, summary_sheet
    from rebalance.review.workbook import review_choices, with_review_columns

    frames = tables(plan, lang)
    sheet_titles = sheet_names(lang)
    sheets = {sheet_titles[name]: with_review_columns(name, df, lang, pinned)
              for name, df in frames.items()}
    backup_sheet = backups_table(plan, lang)
    if backup_sheet is not None:
        sheets[sheet_titles["backups"]] = backup_sheet
    sheets[sheet_titles["parameters"]] = parameters_table(plan, lang)
    names = [f"{name}.csv" for name in frames] + ["assignment.xlsx", "summary.json",
                                                  "report.html"]
    with atomic_output_dir(out_dir) as staging:  # rebalance.io.publish: all or nothing
        for name, df in frames.items():
            write_csv(df, staging / f"{name}.csv")
        write_xlsx(staging / "assignment.xlsx", sheets, number_formats=number_formats(lang),
                   first_sheet=summary_sheet(plan, lang), choices=review_choices(lang))
        write_json(summary(plan, lang), staging / "summary.json")
        write_text(plan_report(plan, frames, lang, backup_sheet), staging / "report.html")
        for name, content in (extra or {}).items():
            if isinstance(content, pd.DataFrame):
                write_csv(content, staging / name)
            else:
                write_text(content, staging / name)
            names.append(name)
    return [Path(out_dir) / n for n in names]


def outside_band_reasons(plan: Plan, lang: str = "en") -> list[str]:
    """Why each manager that stays outside a band does so, in plain words.

    The common cause is a client bigger than the whole band (it cannot be split); otherwise the
    plan is the balance optimum, so moving more would cost more excess elsewhere, or a hard rule
    holds the clients that would close the gap. Deviations are shown so that they never read
    as inside the band (``labels.pct``).
    """
    bands = plan.scenario.balance.bands()
    assignment = plan.client_to_manager
    held: dict[str, list[str]] = {}
    for cid, mid in assignment.items():
        held.setdefault(mid, []).append(cid)
    problem = plan.problem

    known: dict[tuple[str, str], list[str]] = {}

    def too_big(manager_id: str, metric: str) -> list[str]:
        """Clients of ``manager_id`` whose load alone exceeds the manager's band (each
        manager worked out once: the pool lists below ask for every manager again)."""
        if (manager_id, metric) not in known:
            edge = plan.verdict.shares[(manager_id, metric)] * (1 + bands[metric].tolerance)
            known[(manager_id, metric)] = [c for c in sorted(held.get(manager_id, []))
                                           if client_load(problem.client(c), metric) > edge]
        return known[(manager_id, metric)]

    found: dict[tuple[int, str], list[tuple[str, str]]] = {}

    def big_in_pool(pool_index: int, metric: str) -> list[tuple[str, str]]:
        """(manager, client) pairs of a pool's too-big clients, worked out once per pool:
        at 200,000 clients, once per outside manager took many minutes."""
        if (pool_index, metric) not in found:
            pool = plan.rules.pools[pool_index]
            found[(pool_index, metric)] = [(other, c) for other in pool.manager_ids
                                           for c in too_big(other, metric)]
        return found[(pool_index, metric)]

    lines = []
    for mid, metric in plan.verdict.outside_band:
        dev = plan.verdict.devs[(mid, metric)]
        tol = bands[metric].tolerance
        edge = plan.verdict.shares[(mid, metric)] * (1 + tol)
        common = {"m": who(problem, mid), "metric": t(f"common.metric.{metric}", lang),
                  "dev": pct(dev, tol), "band": band(tol)}
        big = too_big(mid, metric)
        if dev > 0 and big:
            load = client_load(problem.client(big[0]), metric)
            lines.append(t("engine.band.big", lang, c=client_label(problem, big[0]),
                           load=f"{load:,.0f}", edge=f"{edge:,.0f}", **common))
            continue
        elsewhere = [(other, c) for other, c in big_in_pool(plan.rules.pool_of_manager[mid],
                                                            metric) if other != mid]
        if dev < 0 and elsewhere:
            holder, client = elsewhere[0]
            lines.append(t("engine.band.under_big", lang, c=client_label(problem, client),
                           holder=who(problem, holder), **common))
        else:
            lines.append(t("engine.band.over" if dev > 0 else "engine.band.under", lang,
                           **common))
    return lines
