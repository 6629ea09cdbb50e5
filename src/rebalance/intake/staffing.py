"""How many new managers an intake needs: ``rebalance staffing SCENARIO``.

Every industry group gets ``intake.max_hires_per_group`` hire slots (possible new managers,
status ``new``, fte ``intake.hire_fte``, capacity ``intake.hire_capacity``). One CP-SAT model
(``IntakeModel``) then runs the stages ``[balance, intake, hires, continuity]``: the best
balance any number of slots allows (capacities hold, every band that can be met is met), the
most intake quality that keeps it, then the **fewest hires** that keep both, then the fewest
broken relationships. The hires stage proven optimal is the proof of minimality; the answer is
shown beside the same run with one hire fewer (infeasible or worse) and with each extra hire
(what it would still improve: only continuity can, since balance and intake are already at
their best).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from rebalance.data import Manager, Problem
from rebalance.intake.candidates import CandidateBook
from rebalance.intake.engine import IntakeOutcome, run_intake, stage_names
from rebalance.intake.model import hire_slots
from rebalance.metrics import kind_counts
from rebalance.scenario import Scenario


@dataclass(frozen=True)
class StaffingRow:
    """One run of the comparison: a number of hires and what it gives."""

    hires: int
    note: str  # chosen, fewer, extra
    status: str
    balance_excess: float | None
    intake_score: float | None
    taken: int | None
    continuity_cost: float | None
    moves: int | None
    per_group: dict[str, int]


@dataclass(frozen=True)
class StaffingAnswer:
    """The smallest number of hires, per group, the plan that uses them, and the comparison."""

    outcome: IntakeOutcome
    proven: bool
    rows: tuple[StaffingRow, ...]

    @property
    def hires(self) -> int:
        return len(self.outcome.hires)

    def closest_fewer(self) -> StaffingRow | None:
        """Of the runs with one hire fewer, the best (a plan before none, then the lowest
        balance excess, then the highest intake score): what the proof is shown with."""
        fewer = [r for r in self.rows if r.note == "fewer"]
        if not fewer:
            return None
        return min(fewer, key=lambda r: (r.balance_excess is None, r.balance_excess or 0.0,
                                         -(r.intake_score or 0.0)))


def groups(problem: Problem) -> tuple[str, ...]:
    """The industry groups of the book, in the order managers list them."""
    return tuple(dict.fromkeys(ind for m in problem.managers if m.staying
                               for ind in m.industries))


def fixed_hires(problem: Problem, scenario: Scenario) -> Problem:
    """The book with ``intake.hires`` new managers per group (the staffing answer, adopted)."""
    hires: list[Manager] = []
    for group, count in scenario.intake.hires.items():
        hires.extend(hire_slots(problem, (group,), count, scenario.intake.hire_fte,
                                scenario.intake.hire_capacity, prefix="HIRE"))
    if not hires:
        return problem
    return replace(problem, managers=(*problem.managers, *hires))


def _row(outcome: IntakeOutcome, per_group: dict[str, int], note: str) -> StaffingRow:
    result = outcome.result
    hires = sum(per_group.values())
    if not result.has_plan:
        return StaffingRow(hires, note, result.status, None, None, None, None, None, per_group)
    moves = kind_counts(outcome.problem, result.client_to_manager)["moves"]
    return StaffingRow(hires, note, result.status, result.balance_excess,
                       outcome.total_score, len(outcome.taken), result.continuity_cost,
                       moves, per_group)


def with_hires(problem: Problem, scenario: Scenario, book: CandidateBook,
               per_group: dict[str, int]) -> IntakeOutcome:
    """The intake with exactly ``per_group`` new managers (as ``intake.hires`` would add
    them): an ordinary intake run, pool by pool, every stage but ``hires``."""
    hired = scenario.model_copy(update={
        "intake": scenario.intake.model_copy(update={"hires": dict(per_group)})})
    names = tuple(s for s in stage_names(scenario) if s != "hires")
    return run_intake(fixed_hires(problem, hired), hired, book, names=names, explain=False)


# on_run(k, n, note, per_group): run k of n starts (note: chosen, fewer, extra); n is None
# for the first run (how many follow depends on its answer)
RunHook = Callable[[int, int | None, str, dict[str, int]], None]


def staffing(problem: Problem, scenario: Scenario, book: CandidateBook,
             extra: int = 1, on_run: RunHook | None = None) -> StaffingAnswer:
    """The fewest hires for the intake, proven by the model's hires stage, with beside it the
    runs with exactly one hire fewer in each group that hires, and with ``1 … extra`` more
    hires in each group (each an ordinary intake run with those managers fixed: what a hire
    there would change, better or worse). ``on_run`` hears of each run as it starts."""
    intake = scenario.intake
    slots = hire_slots(problem, groups(problem), intake.max_hires_per_group,
                       intake.hire_fte, intake.hire_capacity)
    extras = [(group, k) for k in range(1, extra + 1) for group in groups(problem)]
    total: int | None = None

    def started(k: int, note: str, per_group: dict[str, int]) -> None:
        if on_run is not None:
            on_run(k, total, note, per_group)

    started(1, "chosen", {})
    outcome = run_intake(problem, scenario, book, slots=slots, staffing=True)
    proven = outcome.result.status == "OPTIMAL"
    answer = outcome.hires_per_group()
    rows = [_row(outcome, answer, "chosen")]
    if not outcome.result.has_plan:
        return StaffingAnswer(outcome, False, tuple(rows))
    runs: list[tuple[str, dict[str, int]]] = []
    for group in answer:
        runs.append(("fewer", {g: n - (g == group) for g, n in answer.items()
                               if n - (g == group) > 0}))
    for group, k in extras:
        if answer.get(group, 0) + k <= intake.max_hires_per_group:
            runs.append(("extra", {**answer, group: answer.get(group, 0) + k}))
    total = 1 + len(runs)
    fewer: list[StaffingRow] = []
    for k, (note, per_group) in enumerate(runs, start=2):
        started(k, note, per_group)
        row = _row(with_hires(problem, scenario, book, per_group), per_group, note)
        (fewer if note == "fewer" else rows).append(row)
    return StaffingAnswer(outcome, proven, (*fewer, *rows))
