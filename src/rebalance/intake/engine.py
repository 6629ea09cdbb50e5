"""run_intake(problem, scenario, candidates) -> IntakeOutcome: choose, place and (for
``staffing``) hire in one CP-SAT model, stage by stage, then check the plan.

Stages follow ``priorities`` with ``intake`` inserted after ``balance`` when the scenario does
not list it (default ``[balance, intake, continuity]``: the most quality that keeps the balance
optimum, then the fewest broken relationships); ``staffing`` adds ``hires`` after ``intake``.
``priorities: null`` runs ``weighted`` then ``intake``. A finished stage is held at its value
(balance and continuity with ``HOLD_SLACK``; the integer intake score and hire count exactly)
while later stages run. The final book — existing clients, the candidates taken (new clients,
``placement``), the hires used (managers with status ``new``) — is checked by ``check``, the
solver-free oracle, whose figures the result reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from rebalance.check import check
from rebalance.data import Manager, Problem
from rebalance.errors import InputError, Issue
from rebalance.findings import Finding
from rebalance.intake.candidates import CandidateBook, scenario_name, scores, with_placed
from rebalance.intake.greedy import greedy_intake
from rebalance.intake.model import IntakeBook, stage_units
from rebalance.intake.stages import IntakeRun
from rebalance.intake.why import Reason, why_left_out
from rebalance.pools import Rules, build_rules
from rebalance.result import ProgressEvent, Result, StageResult, relative_gap, with_plan
from rebalance.scale.greedy import greedy_plan
from rebalance.scenario import Scenario
from rebalance.solve import LARGE_POOL_PAIRS, _checked, largest_pool_pairs, solve

# Share of solver.time_limit the ordinary engine may spend on the starting plan.
START_SHARE = 0.2


@dataclass(frozen=True)
class IntakeOutcome:
    """What the intake engine decided, and the book it leads to."""

    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    candidates: CandidateBook
    scores: Mapping[str, float]
    screened: Mapping[str, Reason]  # candidates the filters leave out, and why
    taken: Mapping[str, str]  # candidate id -> manager id
    hires: tuple[Manager, ...]  # hire slots used (staffing), as managers of the final book
    problem: Problem  # the final book: existing clients + taken candidates (+ hires)
    rules: Rules
    result: Result
    stages: tuple[StageResult, ...]
    findings: tuple[Finding, ...] = ()  # why there is no plan (coded, report.findings)
    base_problem: Problem | None = field(default=None, compare=False)
    required: frozenset[str] = frozenset()
    base_scenario_cap: int | None = None  # intake.max_clients
    revenue_tolerance: float = 0.10
    left_out: Mapping[str, Reason] = field(default_factory=dict)  # proven, ``intake.why``
    explain_seconds: float = 0.0  # spent proving ``left_out`` (after the plan)

    @property
    def total_score(self) -> float:
        return round(sum(self.scores[c] for c in self.taken), 2)

    def hires_per_group(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for hire in self.hires:
            counts[hire.industries[0]] = counts.get(hire.industries[0], 0) + 1
        return counts


def stage_names(scenario: Scenario, staffing: bool = False) -> tuple[str, ...]:
    """The stages of an intake run (see the module docstring)."""
    if scenario.priorities is None:
        names = ["weighted", "intake"]
    else:
        names = list(scenario.priorities)
        if "intake" not in names:
            at = names.index("balance") + 1 if "balance" in names else 0
            names.insert(at, "intake")
    if staffing:
        names.insert(names.index("intake") + 1, "hires")
    return tuple(names)


def screen(book: CandidateBook, scenario: Scenario) -> dict[str, Reason]:
    """Candidates the intake's filters leave out (excluded, revenue, arrears), with why."""
    intake = scenario.intake
    out: dict[str, Reason] = {}
    for cand in book.candidates:
        cid = cand.client_id
        if cid in intake.excluded:
            out[cid] = ("intake.reason.excluded", {})
        elif intake.min_revenue is not None and cand.client.revenue < intake.min_revenue:
            out[cid] = ("intake.reason.revenue", {"revenue": f"{cand.client.revenue:,.0f}",
                                                  "limit": f"{intake.min_revenue:,.0f}"})
        elif (intake.max_arrears_rate is not None and cand.arrears_rate is not None
              and cand.arrears_rate > intake.max_arrears_rate):
            out[cid] = ("intake.reason.arrears", {"rate": f"{cand.arrears_rate:.1%}",
                                                  "limit": f"{intake.max_arrears_rate:.1%}"})
    return out


def required_issues(book: CandidateBook, scenario: Scenario,
                    screened: Mapping[str, Reason]) -> list[Issue]:
    """A required candidate the filters leave out, or more required than ``max_clients``."""
    from rebalance.i18n import t

    issues = []
    name = scenario_name(scenario)
    for cid in scenario.intake.required:
        if cid in screened:
            key, values = screened[cid]
            issues.append(Issue.of("intake.error.required_screened", file=name,
                                   column="intake.required", id=cid,
                                   why=t(key, "en", **values)))
    cap = scenario.intake.max_clients
    if cap is not None and len(scenario.intake.required) > cap:
        issues.append(Issue.of("intake.error.required_over_cap", file=name,
                               column="intake.required", n=len(scenario.intake.required),
                               cap=cap))
    return issues


def intake_book(problem: Problem, scenario: Scenario, book: CandidateBook,
                screened: Mapping[str, Reason], slots: Sequence[Manager] = ()) -> IntakeBook:
    """The book the model decides over: existing clients, the candidates that pass the
    filters (as new clients) and the hire slots."""
    open_ = [c for c in book.candidates if c.client_id not in screened]
    extended = Problem(
        clients=(*problem.clients, *(c.client for c in open_)),
        managers=(*problem.managers, *slots),
        clients_source=problem.clients_source, managers_source=problem.managers_source,
    )
    rules = build_rules(extended, with_placed(scenario))  # intake.placed: locks
    candidate_ids = tuple(c.client_id for c in open_)
    quality = scores(book, scenario)
    required = frozenset(scenario.intake.required)
    slot_ids = tuple(m.manager_id for m in slots)
    base = starting_plan(problem, scenario)
    start = greedy_intake(extended, rules, scenario, base, candidate_ids, quality, required,
                          slot_ids)
    return IntakeBook(problem=extended, rules=rules, candidate_ids=candidate_ids,
                      scores=quality, required=required, slot_ids=slot_ids, start=start)


def starting_plan(problem: Problem, scenario: Scenario) -> Mapping[str, str | None]:
    """Where the search starts for the existing clients. When balance comes first and the
    pools are small, the ordinary engine's balance-stage plan for the book without candidates
    (proven in 0.4 s on the bundled book; ``START_SHARE`` of the time limit at most): the intake
    search then only has to find what taking candidates adds. Else today's plan when it keeps
    the hard rules, else its greedy repair (``scale.greedy``), else today's anyway."""
    rules = build_rules(problem, scenario)
    if (stage_names(scenario)[0] == "balance"
            and largest_pool_pairs(problem, rules) <= LARGE_POOL_PAIRS):
        limit = max(1.0, scenario.solver.time_limit * START_SHARE)
        # the balance stage only: the intake's own stages settle everything after it
        quick = scenario.model_copy(update={
            "priorities": ("balance",),
            "solver": scenario.solver.model_copy(update={"time_limit": limit})})
        result = solve(problem, quick, rules)
        if result.has_plan:
            return result.client_to_manager
    current = problem.current_assignment
    if check(problem, scenario, current, rules).ok:
        return current
    greedy = greedy_plan(problem, scenario, rules)
    return current if greedy.unplaced else greedy.client_to_manager


def final_book(base: Problem, ibook: IntakeBook, plan: Mapping[str, str]
               ) -> tuple[Problem, tuple[Manager, ...]]:
    """The book after the intake: existing clients, taken candidates, used hires."""
    cands = set(ibook.candidate_ids)
    taken = [c for c in ibook.problem.clients if c.client_id in cands and c.client_id in plan]
    used = {plan[c] for c in plan}
    hires = tuple(ibook.problem.manager(s) for s in ibook.slot_ids if s in used)
    problem = Problem(clients=(*base.clients, *taken), managers=(*base.managers, *hires),
                      clients_source=base.clients_source,
                      managers_source=base.managers_source)
    return problem, hires


def _stage_result(name: str, status: int, value: int, bound: float,
                  seconds: float) -> StageResult:
    proven = status == cp_model.OPTIMAL
    if name == "intake":  # maximised: report the score and its upper bound in points
        score = stage_units(name, value)
        best = score if proven else stage_units(name, bound)
        gap = 0.0 if proven or best <= score else (best - score) / max(abs(score), 1e-9)
        return StageResult(name, "OPTIMAL" if proven else "FEASIBLE", score, max(score, best),
                           min(gap, 1.0), seconds)
    if name == "hires":
        return StageResult(name, "OPTIMAL" if proven else "FEASIBLE", float(value),
                           float(min(value, bound)), relative_gap(value, min(value, bound)),
                           seconds)
    objective, low = stage_units(name, value), stage_units(name, min(value, bound))
    return StageResult(name, "OPTIMAL" if proven else "FEASIBLE", objective, low,
                       relative_gap(objective, low), seconds)


def solve_intake(ibook: IntakeBook, scenario: Scenario, names: Sequence[str],
                 progress: Callable[[ProgressEvent], None] | None = None,
                 started: float | None = None
                 ) -> tuple[int, dict[str, str], list[StageResult]]:
    """Run the stages (``stages.IntakeRun``: pool by pool where the rules allow):
    (CP-SAT status, plan, stage results)."""
    outcome = IntakeRun(ibook, scenario, names, progress, started).run()
    stages = [_stage_result(t.name, int(cp_model.OPTIMAL if t.proven else cp_model.FEASIBLE),
                            t.value, t.bound, t.seconds) for t in outcome.stages]
    from rebalance.intake.scale import tightened  # the score bound no choice can beat

    return outcome.status, outcome.plan, [tightened(s, ibook, scenario) for s in stages]


def run_intake(problem: Problem, scenario: Scenario, book: CandidateBook, *,
               slots: Sequence[Manager] = (), staffing: bool = False,
               progress: Callable[[ProgressEvent], None] | None = None,
               names: Sequence[str] | None = None, explain: bool = True) -> IntakeOutcome:
    """Choose and place candidates (and use hire slots) together with the rebalancing;
    ``explain``: prove why each candidate left out was (``intake.why``, for intake.csv).

    Raises ``InputError`` (exit 2) for a required set the filters or ``max_clients`` rule out;
    an impossible plan is an ``INFEASIBLE`` outcome with named reasons (exit 1)."""
    started = time.monotonic()
    screened = screen(book, scenario)
    issues = required_issues(book, scenario, screened)
    if issues:
        raise InputError(issues)
    ibook = intake_book(problem, scenario, book, screened, slots)
    from rebalance.intake.scale import scale_suits, solve_scale

    if not staffing and names is None and scale_suits(ibook.problem, ibook.rules, scenario,
                                                      slots):  # a big book: intake/scale.py
        status, plan, stages = solve_scale(problem, scenario, ibook, started, progress)
        names = tuple(s.name for s in stages)  # as run: intake first
    else:
        names = tuple(names) if names is not None else stage_names(scenario, staffing)
        status, plan, stages = solve_intake(ibook, scenario, names, progress, started)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        from rebalance.intake.diagnose import no_plan_findings

        findings = no_plan_findings(problem, scenario, ibook, status)
        from rebalance.result import without_plan

        label = "INFEASIBLE" if status == cp_model.INFEASIBLE else "UNKNOWN"
        result = without_plan(label, findings, scenario.solver.seed,
                              time.monotonic() - started, stages)
        return IntakeOutcome(label, book, ibook.scores, screened, {}, (), problem,
                             build_rules(problem, scenario), result, tuple(stages),
                             tuple(findings), problem, *_settings(scenario))
    final, hires = final_book(problem, ibook, plan)
    rules = build_rules(final, scenario)
    ordered = {c.client_id: plan[c.client_id] for c in final.clients}
    verdict = _checked(final, scenario, ordered, rules)  # a broken rule is a bug
    result = with_plan(ordered, verdict, stages, scenario.solver.seed,
                       time.monotonic() - started, 1)
    taken = {cid: plan[cid] for cid in ibook.candidate_ids if cid in plan}
    left_out = {}
    explained = time.monotonic()
    if explain:
        proven = all(s.status == "OPTIMAL" for s in stages if s.name == "intake")
        left_out = why_left_out(ibook, scenario, names, plan, proven)
    return IntakeOutcome(result.status, book, ibook.scores, screened, taken, hires, final,
                         rules, result, tuple(stages), (), problem, *_settings(scenario),
                         left_out=left_out, explain_seconds=time.monotonic() - explained)


def _settings(scenario: Scenario) -> tuple[frozenset[str], int | None, float]:
    """What the intake table needs to know of the scenario."""
    return (frozenset(scenario.intake.required), scenario.intake.max_clients,
            scenario.balance.revenue.tolerance)

