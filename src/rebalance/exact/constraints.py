"""The hard rules of a rebalancing plan over one part of the book (``rebalance.rules``).

Rules that hold by construction (see ``variables.py``): a client can only get a manager who
stays, serves its industry and is not forbidden for it; leaving managers therefore end empty.

In the diagnostic model each rule instance is switched on by a literal from ``RuleGuards``,
so that CP-SAT can name the rules that cannot hold together (``diagnose.py``).
"""

from __future__ import annotations

from typing import Protocol

from ortools.sat.python import cp_model

from rebalance.data import Client, Manager, Problem
from rebalance.exact.held import Held
from rebalance.exact.variables import Variables
from rebalance.pools import Rules
from rebalance.rules import HARD_RULES, Scope
from rebalance.scenario import Scenario


class RuleGuards(Protocol):
    """Collects the literal that switches on each rule instance (diagnostic models only)."""

    def register(self, rule: str, key: str, literal: cp_model.IntVar) -> None:
        """``literal`` switches on ``rule`` for ``key`` (a client or manager id, or "")."""
        ...


class Constraints:
    """Adds the hard rules of one scenario to a CP-SAT model of some of its clients.

    ``clients`` and ``managers`` are the part of the book the model covers (all of it, or one
    balancing pool when the engine solves pools separately). ``max_moves`` counts only
    ``clients``: the engine never splits the book when that cap is set. ``held`` (a
    neighbourhood of the scale engine) gives what the rest of the plan holds as constants;
    the rules then leave out constraints that cannot bind (``Scope.prune``).
    """

    def __init__(
        self,
        model: cp_model.CpModel,
        problem: Problem,
        scenario: Scenario,
        rules: Rules,
        variables: Variables,
        clients: tuple[Client, ...],
        managers: tuple[Manager, ...],
        guards: RuleGuards | None = None,
        held: Held | None = None,
    ) -> None:
        self.model = model
        self.held = held
        self.problem = problem
        self.scenario = scenario
        self.rules = rules
        self.vars = variables
        self.clients = clients
        self.managers = managers
        self.guards = guards

    def add_all(self) -> None:
        """Every hard rule (``rebalance.rules.HARD_RULES``, in their order) over this part:
        its clients are the free ones; a client of a part manager that lies outside the part
        has moved whatever happens (``lost_outside``), unless ``held`` says what lies outside."""
        problem, vars_, held = self.problem, self.vars, self.held
        if held is None:
            free = {c.client_id for c in self.clients}
            lost_outside: dict[str, int] = {}
            for client in problem.clients:
                prev = client.manager
                if (client.client_id not in free and prev is not None
                        and problem.manager(prev).staying):
                    lost_outside[prev] = lost_outside.get(prev, 0) + 1
            held = Held(lost_outside=lost_outside)
        scope = Scope(
            model=self.model, problem=problem, scenario=self.scenario, rules=self.rules,
            clients=[c.client_id for c in self.clients],
            managers=[m.manager_id for m in self.managers],
            options={cid: [(mid, vars_.assign[(cid, mid)]) for mid in mids]
                     for cid, mids in vars_.managers_of.items()},
            of_manager={m.manager_id: [(cid, vars_.assign[(cid, m.manager_id)])
                                       for cid in vars_.clients_of[m.manager_id]]
                        for m in self.managers},
            held=held.count,
            held_incoming=held.incoming,
            lost_outside=held.lost_outside,
            moves_outside=held.moves_outside,
            prune=self.held is not None,
            guard=self._enforce if self.guards is not None else None,
        )
        for rule in HARD_RULES:
            rule.constrain(scope)

    # ------------------------------------------------------------------ helpers

    def _enforce(self, constraint: cp_model.Constraint, rule: str, key: str) -> None:
        """In a diagnostic model, let a fresh literal switch the rule instance on."""
        if self.guards is not None:
            literal = self.model.new_bool_var(f"on[{rule},{key}]")
            constraint.only_enforce_if(literal)
            self.guards.register(rule, key, literal)
