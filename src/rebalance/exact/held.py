"""What lies outside a model of part of a plan: the rest of the plan, held as constants.

The whole-pool model (``exact.builder``) frees every client of its part; a neighbourhood of
the scale engine (``scale.lns``) frees only the clients of a few managers and holds the rest
of the pool where it is. Both are the same model — the same variables, rules (``Scope``) and
objective terms — and ``Held`` is the one thing that differs: the constants the held clients
contribute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Held:
    """The held part of a plan, per manager of the model.

    - ``load[(manager, metric)]``: the held clients' load in model units (``1 / DEV_SCALE`` of
      the fair share, rounded per client as the free clients' coefficients are);
    - ``count[m]`` clients held on m, ``incoming[m]`` of them new to m;
    - ``lost_outside[m]``: m's previous clients that have moved and are not free here;
    - ``moves_outside``: moves in the whole plan outside the free clients;
    - ``floors[m]``: the floors (contract units, ``Objective.add_floor_cuts``) of the clients
      held on m.
    """

    load: Mapping[tuple[str, str], int] = field(default_factory=dict)
    count: Mapping[str, int] = field(default_factory=dict)
    incoming: Mapping[str, int] = field(default_factory=dict)
    lost_outside: Mapping[str, int] = field(default_factory=dict)
    moves_outside: int = 0
    floors: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
