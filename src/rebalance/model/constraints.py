"""The hard rules of a rebalancing plan, one private method per rule.

Rules that hold by construction (see ``variables.py``): a client can only get a manager who
stays, serves its industry and is not forbidden for it; leaving managers therefore end empty.

In the diagnostic model each rule instance is switched on by a literal from ``RuleGuards``,
so that CP-SAT can name the rules that cannot hold together (``diagnose.py``).
"""

from __future__ import annotations

from typing import Protocol

from ortools.sat.python import cp_model

from rebalance.data import Client, Manager, Problem
from rebalance.model.variables import Variables
from rebalance.pools import Rules
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
    ``clients``: the engine never splits the book when that cap is set.
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
    ) -> None:
        self.model = model
        self.problem = problem
        self.scenario = scenario
        self.rules = rules
        self.vars = variables
        self.clients = clients
        self.managers = managers
        self.guards = guards

    def add_all(self) -> None:
        """Every hard rule, in the order DESIGN.md lists them."""
        self._one_manager_per_client()
        self._fixed_clients()
        self._capacities()
        self._max_moves()
        self._max_moves_per_manager()

    # ------------------------------------------------------------------ rules

    def _one_manager_per_client(self) -> None:
        """Every client ends with exactly one of its eligible managers."""
        for client in self.clients:
            cid = client.client_id
            self.model.add_exactly_one(
                self.vars.assign[(cid, mid)] for mid in self.vars.managers_of[cid]
            )

    def _fixed_clients(self) -> None:
        """Locked and protected clients end with their fixed manager."""
        for client in self.clients:
            cid = client.client_id
            fixed = self.rules.fixed.get(cid)
            if fixed is None:
                continue
            rule = "protected" if self.rules.fixed_reason.get(cid) == "protected" else "lock"
            var = self.vars.x(cid, fixed)
            if var is None:  # the fixed manager is not eligible: this rule cannot hold
                self._enforce(self.model.add_bool_or([]), rule, cid)
            else:
                self._enforce(self.model.add(var == 1), rule, cid)

    def _capacities(self) -> None:
        """No manager holds more clients than its capacity."""
        for manager in self.managers:
            if manager.capacity is None or not manager.staying:
                continue
            mid = manager.manager_id
            load = cp_model.LinearExpr.sum(
                [self.vars.assign[(cid, mid)] for cid in self.vars.clients_of[mid]]
            )
            self._enforce(self.model.add(load <= manager.capacity), "capacity", mid)

    def _max_moves(self) -> None:
        """At most ``continuity.max_moves`` clients leave a staying manager."""
        cap = self.scenario.continuity.max_moves
        if cap is None:
            return
        movable = [c.client_id for c in self._clients_with_staying_manager(self.clients)]
        moves = len(movable) - cp_model.LinearExpr.sum(
            [self.vars.stays(self.problem, cid) for cid in movable]
        )
        self._enforce(self.model.add(moves <= cap), "max_moves", "")

    def _max_moves_per_manager(self) -> None:
        """No staying manager loses more than ``continuity.max_moves_per_manager`` clients."""
        cap = self.scenario.continuity.max_moves_per_manager
        if cap is None:
            return
        # All clients of the manager count, also those outside this model: a client the
        # manager cannot keep has no variable here, so it counts as a fixed move.
        mine = {m.manager_id for m in self.managers if m.staying}
        by_manager: dict[str, list[str]] = {}
        for client in self._clients_with_staying_manager(self.problem.clients):
            if client.manager in mine:
                by_manager.setdefault(client.manager, []).append(client.client_id)
        for mid, cids in sorted(by_manager.items()):
            lost = len(cids) - cp_model.LinearExpr.sum(
                [self.vars.stays(self.problem, cid) for cid in cids]
            )
            self._enforce(self.model.add(lost <= cap), "max_moves_per_manager", mid)

    # ------------------------------------------------------------------ helpers

    def _clients_with_staying_manager(self, clients: tuple[Client, ...]) -> list[Client]:
        """Clients that count as moved if they end elsewhere (input order)."""
        return [
            c for c in clients
            if c.manager is not None and self.problem.manager(c.manager).staying
        ]

    def _enforce(self, constraint: cp_model.Constraint, rule: str, key: str) -> None:
        """In a diagnostic model, let a fresh literal switch the rule instance on."""
        if self.guards is not None:
            literal = self.model.new_bool_var(f"on[{rule},{key}]")
            constraint.only_enforce_if(literal)
            self.guards.register(rule, key, literal)
