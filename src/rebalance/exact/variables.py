"""Decision variables: one Boolean ``x[client, manager]`` per pair the client may end with.

Eligibility is enforced by which variables exist: a pair gets a variable only when the
manager stays, serves the client's industry (``eligibility: strict``) and the pair is not
forbidden (``Rules.eligible``). A fixed client (lock or protection) gets only the variable of
its fixed manager, unless ``honour_fixed`` is off (the diagnostic model, where locks become
rules that may be switched off).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from ortools.sat.python import cp_model

from rebalance.data import Client, Problem
from rebalance.pools import Rules

LinearExprT = cp_model.LinearExprT


@dataclass
class Variables:
    """The assignment variables and their indexes.

    - ``assign[(client_id, manager_id)]``: 1 when the client ends with that manager;
    - ``managers_of[client_id]``: managers with a variable for the client, sorted;
    - ``clients_of[manager_id]``: clients with a variable for the manager, in input order.
    """

    assign: dict[tuple[str, str], cp_model.IntVar]
    managers_of: dict[str, tuple[str, ...]]
    clients_of: dict[str, tuple[str, ...]]

    @classmethod
    def create(
        cls,
        model: cp_model.CpModel,
        problem: Problem,
        rules: Rules,
        clients: Iterable[Client],
        *,
        honour_fixed: bool = True,
        managers: Collection[str] | None = None,
    ) -> Variables:
        """One Boolean per eligible (client, manager) pair of ``clients``, in input order
        (only pairs with one of ``managers`` when given: a neighbourhood)."""
        assign: dict[tuple[str, str], cp_model.IntVar] = {}
        managers_of: dict[str, tuple[str, ...]] = {}
        clients_of: dict[str, list[str]] = {m.manager_id: [] for m in problem.managers}
        for client in clients:
            cid = client.client_id
            candidates = rules.eligible.get(cid, ())
            fixed = rules.fixed.get(cid)
            if honour_fixed and fixed is not None:
                candidates = tuple(m for m in candidates if m == fixed)
            if managers is not None:
                candidates = tuple(m for m in candidates if m in managers)
            managers_of[cid] = candidates
            for mid in candidates:
                assign[(cid, mid)] = model.new_bool_var(f"x[{cid},{mid}]")
                clients_of[mid].append(cid)
        return cls(
            assign=assign,
            managers_of=managers_of,
            clients_of={m: tuple(cs) for m, cs in clients_of.items()},
        )

    def x(self, client_id: str, manager_id: str | None) -> cp_model.IntVar | None:
        """The variable of a pair, or None when the pair is not allowed."""
        if manager_id is None:
            return None
        return self.assign.get((client_id, manager_id))

    def stays(self, problem: Problem, client_id: str) -> LinearExprT:
        """1 when the client keeps its previous manager (0 when it cannot)."""
        var = self.x(client_id, problem.client(client_id).manager)
        return var if var is not None else 0

    def hint(self, model: cp_model.CpModel, client_to_manager: Mapping[str, str | None]) -> None:
        """Suggest a plan: for each client whose manager in the plan has a variable, hint
        that variable to 1 and the client's other variables to 0."""
        for cid, managers in self.managers_of.items():
            target = client_to_manager.get(cid)
            if target is None or target not in managers:
                continue
            for mid in managers:
                model.add_hint(self.assign[(cid, mid)], mid == target)

    def extract(self, solver: cp_model.CpSolver) -> dict[str, str]:
        """client_id -> manager_id of the solver's current solution."""
        plan: dict[str, str] = {}
        for cid, managers in self.managers_of.items():
            for mid in managers:
                if solver.boolean_value(self.assign[(cid, mid)]):
                    plan[cid] = mid
                    break
        return plan
