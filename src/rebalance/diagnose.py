"""Why no plan exists: contradictions between hard rules, named with their numbers.

Two layers:

1. ``contradictions`` — cheap counting arguments (each hard rule's ``contradictions``,
   ``rebalance.rules``), each a proof that no plan exists and
   each phrased with the numbers a planner can act on ("locks put 17 clients on KM005 but its
   capacity is 16"). The engine runs them before building a model.
2. ``explain_infeasibility`` — when the model is infeasible for a reason the counts miss, every
   rule instance (each lock, each capacity, the move caps) is switched on by an assumption
   literal; CP-SAT returns a set of assumptions that cannot hold together, which is shrunk
   (one rule left out at a time) and named.

Findings are coded (``rebalance.findings``): catalog keys (``i18n/diagnose.py``) with their
numbers; ``report.findings.render`` writes them in English or Chinese.
"""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from rebalance.data import Problem
from rebalance.exact.builder import Part, RebalanceModel
from rebalance.findings import Finding, Joined
from rebalance.pools import Rules
from rebalance.rules import HARD_RULES, rule_of
from rebalance.rules.base import diagnosed
from rebalance.scenario import Scenario

# Cores larger than this are reported as found, without shrinking them to a minimal set.
MAX_CORE_TO_SHRINK = 40


def contradictions(problem: Problem, scenario: Scenario, rules: Rules) -> list[Finding]:
    """Every contradiction the counting checks can prove, coded with its numbers."""
    return [found for rule in HARD_RULES
            for found in rule.contradictions(problem, scenario, rules)]


# --------------------------------------------------------------------------- assumptions


class _Guards:
    """The assumption literal of every rule instance, with its coded name."""

    def __init__(self, problem: Problem, scenario: Scenario, rules: Rules) -> None:
        self.problem = problem
        self.scenario = scenario
        self.rules = rules
        self.literals: list[cp_model.IntVar] = []
        self.names: list[Finding] = []

    def register(self, rule: str, key: str, literal: cp_model.IntVar) -> None:
        self.literals.append(literal)
        self.names.append(self._describe(rule, key))

    def _describe(self, rule: str, key: str) -> Finding:
        """The rule instance: the rule object's own description (``rebalance.rules``), or for
        locks and protection the phrase that names the fixed manager."""
        found = rule_of(rule)
        described = found.describe(self.problem, self.scenario, self.rules, key) if found else None
        if described is None:  # a rule that guards its constraints names them (a bug if not)
            raise ValueError(f"rule {rule!r} guards a constraint it cannot describe")
        return described


def explain_infeasibility(
    problem: Problem,
    scenario: Scenario,
    rules: Rules,
    part: Part | None = None,
    *,
    time_limit: float = 10.0,
) -> list[Finding]:
    """Name a set of rules that cannot all hold together (empty when none was found).

    ``part`` limits the model to one part of the book (None: all of it). Uses one worker:
    CP-SAT extracts assumption cores in a sequential search (and ``interleave_search``
    ignores assumptions).
    """
    guards = _Guards(problem, scenario, rules)
    built = RebalanceModel(problem, scenario, rules, part, guards=guards)
    if not guards.literals:
        return []

    deadline = time.perf_counter() + time_limit

    def infeasible(active: list[int]) -> tuple[bool, list[int]]:
        """Whether the rules in ``active`` cannot hold together, and a core among them."""
        built.model.clear_assumptions()
        built.model.add_assumptions([guards.literals[i] for i in active])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.1, deadline - time.perf_counter())
        status = solver.solve(built.model)
        if status != cp_model.INFEASIBLE:
            return False, []
        index = {guards.literals[i].index: i for i in active}
        core = [index[v] for v in solver.sufficient_assumptions_for_infeasibility()
                if v in index]
        return True, sorted(core)

    ok, core = infeasible(list(range(len(guards.literals))))
    if not ok or not core:
        return []
    if len(core) <= MAX_CORE_TO_SHRINK:  # leave one rule out at a time: a minimal set
        for i in list(core):
            if i not in core or time.perf_counter() > deadline:
                continue
            trial = [j for j in core if j != i]
            still, smaller = infeasible(trial)
            if still:
                core = smaller or trial
    names = [guards.names[i] for i in core]
    return [diagnosed("core", rules=Joined(tuple(names), "clauses"))]
