"""What a hard rule is: one object that every engine and checker asks about that rule.

A rule (``HardRule``) provides, for its part of the contract:

- ``constrain(scope)``: its CP-SAT constraints over the free clients and managers of a
  ``Scope`` — a whole pool (``exact.constraints``) or a neighbourhood of the scale engine
  (``scale.lns``), the clients outside held as constants;
- ``violations(tally)``: what ``check`` reports when a plan breaks it;
- ``allows(ledger, client, managers)`` / ``swap_allows(ledger, a, partners)``: the move
  filter of the ledger, the greedy repair and the local search (None: no restriction);
- ``describe(problem, scenario, rules, key)``: the rule instance as a coded finding, for
  ``diagnose``;
- ``contradictions(problem, scenario, rules)``: counting proofs that no plan can keep the
  rule (a lock beyond a capacity, more forced moves than the cap), each with its numbers —
  run by ``validate`` and before every solve.

Rules live one per module in this package; ``rebalance.rules.HARD_RULES`` lists them in
``order`` (the order check reports them and the models add them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from rebalance.data import Client, Manager, Problem
from rebalance.findings import Finding, clients, finding
from rebalance.i18n import both
from rebalance.pools import Rules
from rebalance.scenario import Scenario

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
Guard = Callable[[cp_model.Constraint, str, str], None]


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, in plain words (English and Chinese)."""

    rule: str
    message: str
    client_id: str | None = None
    manager_id: str | None = None
    message_zh: str = ""

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` ("en" or "zh")."""
        return self.message_zh if lang == "zh" and self.message_zh else self.message


@dataclass(frozen=True)
class Tally:
    """What ``check`` counted on a plan, for the rules to judge (staying managers only in
    ``lost``; ``incoming[m]``: clients that end with m and did not have it before)."""

    problem: Problem
    scenario: Scenario
    rules: Rules
    plan: Mapping[str, str | None]
    clients_per_manager: Mapping[str, int]
    moved: Sequence[str]
    lost: Mapping[str, int]
    incoming: Mapping[str, int]


@dataclass
class Scope:
    """The part of a CP-SAT model the rules constrain: free clients and scope managers.

    ``options[c]`` lists client c's (manager, variable) pairs, ``of_manager[m]`` manager m's
    (client, variable) pairs. What lies outside is constant: ``held[m]`` clients fixed on m,
    ``held_incoming[m]`` of them new to m, ``lost_outside[m]`` clients of m moved away,
    ``moves_outside`` moves in all. ``prune``: leave out constraints that cannot bind (the
    scale engine's neighbourhoods; the whole-pool model keeps every rule instance so that
    ``diagnose`` can name it).
    """

    model: cp_model.CpModel
    problem: Problem
    scenario: Scenario
    rules: Rules
    clients: Sequence[str]
    managers: Sequence[str]
    options: Mapping[str, Sequence[tuple[str, cp_model.IntVar]]]
    of_manager: Mapping[str, Sequence[tuple[str, cp_model.IntVar]]]
    held: Mapping[str, int] = field(default_factory=dict)
    held_incoming: Mapping[str, int] = field(default_factory=dict)
    lost_outside: Mapping[str, int] = field(default_factory=dict)
    moves_outside: int = 0
    prune: bool = False
    guard: Guard | None = None

    def x(self, client_id: str, manager_id: str | None) -> cp_model.IntVar | None:
        """The variable of a pair, or None when the pair has none here."""
        if manager_id is None:
            return None
        return next((v for m, v in self.options.get(client_id, ()) if m == manager_id), None)

    def stays(self, client_id: str) -> cp_model.IntVar | int:
        """1 when the client keeps its previous manager (0 when it cannot here)."""
        var = self.x(client_id, self.problem.client(client_id).manager)
        return var if var is not None else 0

    def enforce(self, constraint: cp_model.Constraint, rule: str, key: str) -> None:
        """In a diagnostic model, let a fresh literal switch the rule instance on."""
        if self.guard is not None:
            self.guard(constraint, rule, key)


class Ledger(Protocol):
    """What a move filter reads of the scale engine's ``scale.ledger.Ledger`` (positions: clients
    and managers in problem order, or a pool's own order)."""

    scenario: Scenario
    assign: IntArray  # manager of each client, -1 unplaced
    origin: IntArray  # previous manager when it stays, else -1
    prev: IntArray  # previous manager, staying or not, -1 for a new client
    count: IntArray  # clients per manager
    capacity: IntArray
    lost: IntArray  # clients moved away, per previous manager
    incoming: IntArray  # clients a manager holds that it did not have before
    num_moves: int
    max_moves: int | None
    max_lost: int | None


class HardRule:
    """One hard rule of the contract. Subclasses override what applies to them."""

    order: ClassVar[int] = 100  # position in HARD_RULES and in check's report
    codes: ClassVar[tuple[str, ...]] = ()  # the ``Violation.rule`` names it reports

    def constrain(self, scope: Scope) -> None:
        """Add the rule's constraints to ``scope.model`` (default: holds by construction)."""

    # True when the rule judges each client's manager (``client_violations``); check then
    # asks it once per client, the others once per plan (``violations``).
    judges_clients: ClassVar[bool] = False

    def client_violations(self, scenario: Scenario, rules: Rules, client: Client,
                          manager: Manager) -> list[Violation]:
        """The rule's violations by one client's manager in a plan."""
        return []

    def violations(self, tally: Tally) -> list[Violation]:
        """The rule's violations in a whole plan."""
        return []

    def allows(self, ledger: Ledger, client: int, managers: IntArray) -> BoolArray | None:
        """Which of ``managers`` may take ``client`` now (None: all, as far as this rule goes)."""
        return None

    def swap_allows(self, ledger: Ledger, a: int, partners: IntArray) -> BoolArray | None:
        """Which swaps of client ``a`` with each of ``partners`` keep the rule (None: all)."""
        return None

    def describe(self, problem: Problem, scenario: Scenario, rules: Rules,
                 key: str) -> Finding | None:
        """One rule instance (``key``: a client or manager id, or "") as a coded finding."""
        return None

    def contradictions(self, problem: Problem, scenario: Scenario,
                       rules: Rules) -> list[Finding]:
        """Counting proofs, before any model, that no plan keeps this rule (``diagnose``)."""
        return []


def one(n: int) -> str:
    """The variant of a count's sentence: ``one`` for a single client (English grammar)."""
    return "one" if n == 1 else ""


def violation(rule: str, client_id: str | None = None, manager_id: str | None = None,
              variant: str = "", *, key: str | None = None, **values: object) -> Violation:
    """A violation whose sentence is the catalog's ``key`` (default
    ``checks.violation.<rule>``), ``.<variant>`` appended when given."""
    name = (key or f"checks.violation.{rule}") + (f".{variant}" if variant else "")
    en, zh = both(name, client=client_id, manager=manager_id, **values)
    return Violation(rule, en, client_id=client_id, manager_id=manager_id, message_zh=zh)


def counted(key: str, n: int, **values: object) -> Finding:
    """The coded finding ``key`` with ``{clients}`` = n clients (rendered as each language
    counts them: ``diagnose.client`` / ``diagnose.clients``)."""
    return finding(key, clients=clients(n), **values)


MAX_NAMED = 6  # clients named in one diagnosis before "…"


def diagnosed(key: str, /, **values: object) -> Finding:
    """The coded finding ``diagnose.<key>`` (the catalog's ``i18n/diagnose.py``)."""
    return finding(f"diagnose.{key}", **values)


def why_not(problem: Problem, scenario: Scenario, rules: Rules, client: Client,
             manager_id: str) -> Finding | None:
    """Why a manager may not take a client, or None when it may."""
    manager = problem.manager(manager_id)
    values = {"manager": manager_id, "client": client.client_id, "industry": client.industry}
    if not manager.staying:
        return diagnosed("why.leaving", **values)
    if scenario.eligibility == "strict" and not manager.serves(client.industry):
        return diagnosed("why.industry", **values)
    if (client.client_id, manager_id) in rules.forbidden:
        return diagnosed("why.forbidden", **values)
    return None


def fixed_phrase(rules: Rules, client: Client, scenario: Scenario) -> Finding:
    """How a client is fixed to its manager (a lock, or protection by importance)."""
    cid, fixed = client.client_id, rules.fixed[client.client_id]
    if rules.fixed_reason.get(cid) == "protected":
        return diagnosed("fixed.protected", client=cid, importance=client.importance,
                  level=scenario.continuity.protect_importance, manager=fixed)
    return diagnosed("fixed.lock", client=cid, manager=fixed)
