"""Wires variables, hard rules and objectives into one CP-SAT model, stage by stage.

The book splits into independent parts: with no global move cap, clients of one balancing
pool can only go to managers of that pool, and every rule and objective term belongs to one
pool. ``split_book`` returns those parts; the engine solves each on its own (a much easier
proof than their sum) and, because both objectives are sums over pools, the per-part
lexicographic optima add up to the optimum of the whole book.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rebalance.data import Client, Manager, Problem
from rebalance.exact.constraints import Constraints, RuleGuards
from rebalance.exact.held import Held
from rebalance.exact.objective import Objective, ObjectiveWeights
from rebalance.exact.variables import Variables
from rebalance.findings import Finding, finding
from rebalance.pools import Rules
from rebalance.scenario import Scenario
from rebalance.staged import hold

STAGE_NAMES = ("balance", "continuity", "weighted")


@dataclass(frozen=True)
class Part:
    """A part of the book that can be solved on its own: clients and the managers they may get."""

    index: int
    clients: tuple[Client, ...]
    managers: tuple[Manager, ...]

    @property
    def finding(self) -> Finding:
        """The part as findings name it ("part 2 (40 clients, managers KM003…)")."""
        first = self.managers[0].manager_id if self.managers else "-"
        return finding("findings.part", k=self.index + 1, n=len(self.clients), first=first)


def split_book(problem: Problem, scenario: Scenario, rules: Rules) -> tuple[Part, ...]:
    """One part per balancing pool with clients, or the whole book when ``max_moves`` (a cap
    shared by all pools) is set. Clients keep input order; managers are sorted by id."""
    staying = tuple(m for m in problem.managers if m.staying)
    if scenario.continuity.max_moves is not None or len(rules.pools) <= 1:
        return (Part(0, problem.clients, staying),)
    parts: list[Part] = []
    for pool in rules.pools:
        members = set(pool.client_ids)
        clients = tuple(c for c in problem.clients if c.client_id in members)
        if clients:
            managers = tuple(problem.manager(mid) for mid in pool.manager_ids)
            parts.append(Part(len(parts), clients, managers))
    return tuple(parts)


@dataclass(frozen=True)
class Stage:
    """One objective to minimise, in model units (see ``objective.py``)."""

    name: str  # "balance", "continuity" or "weighted"
    expr: cp_model.LinearExpr


def stage_names(scenario: Scenario) -> tuple[str, ...]:
    """The objectives minimised one after another, by ``priorities`` (``intake`` is a stage of
    the intake engine only, ``rebalance.intake``: a book without candidates skips it)."""
    if scenario.priorities is None:
        return ("weighted",)
    return tuple(p for p in scenario.priorities if p != "intake")


class RebalanceModel:
    """A CP-SAT model of (part of) one scenario: ``Variables`` + ``Constraints`` + ``Objective``.

    ``stage(name)`` gives the objective of a stage: ``balance`` (excess), ``continuity``
    (cost) or ``weighted`` (``priorities: null``). Between stages the solver holds the previous
    stage's value with ``hold()``.

    ``held`` makes it a model of a neighbourhood (``scale.lns``): only the part's clients are
    free, only among the part's managers, and the rest of the plan enters as constants.
    """

    def __init__(
        self,
        problem: Problem,
        scenario: Scenario,
        rules: Rules,
        part: Part | None = None,
        *,
        guards: RuleGuards | None = None,
        held: Held | None = None,
    ) -> None:
        if part is None:
            part = Part(0, problem.clients, tuple(m for m in problem.managers if m.staying))
        self.problem = problem
        self.scenario = scenario
        self.rules = rules
        self.part = part
        self.model = cp_model.CpModel()
        self.vars = Variables.create(
            self.model, problem, rules, part.clients, honour_fixed=guards is None,
            managers=None if held is None else {m.manager_id for m in part.managers},
        )
        Constraints(
            self.model, problem, scenario, rules, self.vars, part.clients, part.managers, guards,
            held,
        ).add_all()
        self.objective = Objective(
            self.model, problem, rules, self.vars, ObjectiveWeights.from_scenario(scenario),
            part.clients, part.managers, held,
        )
        self._stages: dict[str, Stage] = {}

    @property
    def num_variables(self) -> int:
        """Number of assignment variables (the size of the search)."""
        return len(self.vars.assign)

    def stage(self, name: str) -> Stage:
        """The objective of stage ``name`` (built once)."""
        if name not in self._stages:
            builders = {
                "balance": self.objective.balance_excess,
                "continuity": self.objective.continuity_cost,
                "weighted": self.objective.weighted,
            }
            self._stages[name] = Stage(name, builders[name]())
        return self._stages[name]

    def hold(self, stage: Stage, value: int, slack: int = 0) -> None:
        """Keep a finished stage at its value (plus ``slack``, model units) while later stages
        are optimised."""
        hold(self.model, stage.expr, value, slack)

    def hint_plan(self, client_to_manager: Mapping[str, str | None]) -> None:
        """Start the search from a plan: its pairs that have a variable, and the excess the
        plan has (a complete hint when every client's manager in the plan is allowed)."""
        self.model.clear_hints()
        self.vars.hint(self.model, client_to_manager)
        if stage_names(self.scenario) == ("continuity",):
            return  # balance is no objective: no excess variables to hint
        self.objective.balance_excess()  # the excess variables exist before they are hinted
        for key, value in self.objective.excess_values(client_to_manager).items():
            self.model.add_hint(self.objective.excess[key], value)

    def decisions(self) -> list[cp_model.IntVar]:
        """The variables a next stage is hinted with: assignments and excesses (with them the
        hint is a complete solution)."""
        return [*self.vars.assign.values(), *self.objective.excess.values()]

    def extract(self, solver: cp_model.CpSolver) -> dict[str, str]:
        """client_id -> manager_id of the solver's solution."""
        return self.vars.extract(solver)
