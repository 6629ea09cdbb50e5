"""The one staged-solve helper (``rebalance.staged``) every CP-SAT call of the project uses:
budgets, the solve-then-hold step and the hint it hands to the next stage."""

from __future__ import annotations

from ortools.sat.python import cp_model

from rebalance.staged import Budget, new_solver, solve_stage


def test_budget_kinds_and_their_limits() -> None:
    """A wall budget, a work budget and both: the right CP-SAT limits, the deciding amount,
    and a share of a budget scales every limit it has."""
    wall, work, both = Budget.of(3.0, False), Budget.of(2.0, True), Budget(4.0, 1.0)
    assert (wall.deterministic, wall.amount) == (False, 3.0)
    assert (work.deterministic, work.amount) == (True, 2.0)
    assert both.times(0.5) == Budget(2.0, 0.5)
    solver = new_solver(both, seed=7, workers=2, interleave=True)
    params = solver.parameters
    assert params.max_time_in_seconds == 4.0 and params.max_deterministic_time == 1.0
    assert params.random_seed == 7 and params.num_workers == 2 and params.interleave_search
    only_work = new_solver(work, seed=0).parameters
    assert only_work.max_deterministic_time == 2.0 and only_work.num_workers == 1


def test_a_held_stage_stays_at_its_value_while_the_next_one_runs() -> None:
    """Lexicographic solving: the first objective's optimum is held (plus the slack) while the
    second is minimised, and the second stage starts from the first stage's solution."""
    model = cp_model.CpModel()
    x = [model.new_int_var(0, 10, f"x{i}") for i in range(3)]
    model.add(sum(x) >= 12)
    first = x[0] + 2 * x[1]  # best: all on x2 (10), the rest on x0 -> 2
    second = -x[0]  # wants x0 large, which the held first stage forbids beyond 2 (+ slack)
    outcome = solve_stage(model, first, new_solver(Budget(10.0), seed=0), hold_slack=1,
                          rehint=x)
    assert outcome.status_name == "OPTIMAL" and outcome.value == 2 and outcome.found
    assert len(model.proto.solution_hint.vars) == 3  # the next stage starts from the plan
    seen: list[int] = []
    last = solve_stage(model, second, new_solver(Budget(10.0), seed=0),
                       on_found=lambda solver: seen.append(solver.value(x[0])))
    assert last.value == -3 and seen == [3]  # x0 = 3: first stage at 3 = 2 + slack 1


def test_no_solution_is_reported_not_raised() -> None:
    """An infeasible stage returns its status and no value (the callers fall back)."""
    model = cp_model.CpModel()
    y = model.new_int_var(0, 1, "y")
    model.add(y >= 2)
    outcome = solve_stage(model, y, new_solver(Budget(5.0), seed=0), hold_slack=0, rehint=[y])
    assert outcome.status == cp_model.INFEASIBLE and not outcome.found
    assert outcome.value is None and outcome.bound is None
