"""The portfolio bound's columns put to work: neighbourhoods and starts for the search.

``scale.colgen`` ends with one portfolio per manager at the best prices it proved (its
*support*, the pool's Lagrangian plan). Where that plan differs from the incumbent, it points
at exchanges the prices found worth making: a client the incumbent has at manager ``a`` and
a portfolio of manager ``b`` holds links ``a`` and ``b``. Those links make neighbourhoods
for the LNS (``column_links``, ``grow``), and the support itself, completed by the
incumbent where its portfolios overlap or leave clients out, is a start (``support_start``),
kept only when it is lexicographically better than the incumbent.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np

from rebalance.contract import HOLD_SLACK
from rebalance.scale.colgen import plan_of
from rebalance.scale.ledger import IMPROVEMENT_EPSILON, Ledger, set_plan
from rebalance.scale.local_search import BoolMatrix, local_search
from rebalance.scale.pricing import Portfolio

Link = tuple[int, int]  # (manager holding a client now, manager another plan puts it with)


def column_links(ledger: Ledger, support: list[Portfolio]) -> list[Link]:
    """(incumbent manager, portfolio manager) of every free client a support portfolio holds
    that the incumbent has elsewhere."""
    links: list[Link] = []
    for column in support:
        clients = column.clients[(ledger.fixed[column.clients] < 0)
                                 & (ledger.assign[column.clients] >= 0)
                                 & (ledger.assign[column.clients] != column.manager)]
        links.extend((int(ledger.assign[c]), column.manager) for c in clients.tolist())
    return links


def grow(rng: random.Random, chosen: list[int], links: list[Link], size: int,
         staying: list[int], follow: float) -> list[int]:
    """Managers ``chosen`` grown to ``size``: with probability ``follow`` along a link that
    touches the set (one end in it), else by a random staying manager."""
    for _ in range(4 * size):
        if len(set(chosen)) >= min(size, len(staying)):
            break
        inside = set(chosen)
        touching = [(o, a) for o, a in links if (o in inside) != (a in inside)]
        if touching and rng.random() < follow:
            o, a = rng.choice(touching)
            chosen.append(a if o in inside else o)
        else:
            chosen.append(int(rng.choice(staying)))
    return sorted(set(chosen))


def support_start(ledger: Ledger, support: list[Portfolio], stop: Callable[[], bool],
                  eligible: BoolMatrix) -> bool:
    """Move the ledger to the support's plan where every hard rule allows it (a client held
    by exactly one portfolio goes there, the others stay: the plan stays complete), polish it
    by local search; keep it when it is lexicographically better than the incumbent (True),
    else restore the incumbent."""
    before = ledger.assign.copy()
    excess, cost = ledger.total_excess(), ledger.total_cost()
    owner = plan_of(support, len(ledger.client_ids))
    for c in np.flatnonzero((owner >= 0) & (owner != ledger.assign)
                            & (ledger.fixed < 0)).tolist():
        target = np.array([owner[c]], dtype=np.int64)
        if eligible[c, owner[c]] and ledger.allowed(c, target)[0]:
            ledger.place(c, int(owner[c]))
    local_search(ledger, stop, eligible=eligible)
    # Balance first, but an excess lower by less than HOLD_SLACK is as good (the contract):
    # it may not cost continuity.
    now = ledger.total_excess()
    if now < excess - HOLD_SLACK or (now <= excess + IMPROVEMENT_EPSILON
                                     and ledger.total_cost() < cost - IMPROVEMENT_EPSILON):
        return True
    set_plan(ledger, before)
    return False
