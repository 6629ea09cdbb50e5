"""Fairness figures of an assignment. Pure functions: no solver, no pandas.

For one assignment and one metric k (``revenue``, ``importance``, ``clients``) the figures are
taken over the *rated* managers: staying managers whose fair share of k is greater than 0.
With ``load_m`` the manager's load (sum of client revenue, sum of client importance, number of
clients) and ``share_m`` the fair share from ``pools`` (pool total × fte / pool fte):

- relative deviation   ``dev_m = (load_m − share_m) / share_m``  (0 = exactly the fair share)
- relative load        ``r_m = load_m / share_m = 1 + dev_m`` — load per fte relative to the
  pool's load per fte, so managers of different pools and ftes compare on one scale
- ``max_abs_dev``      ``max_m |dev_m|``
- ``cv``               coefficient of variation of r: population standard deviation of r
                       divided by its mean (0 = everyone carries exactly their share)
- ``gini``             Gini coefficient of r: ``Σ_i Σ_j |r_i − r_j| / (2 n² mean(r))``;
                       0 when all relative loads are equal, towards 1 when one manager
                       carries everything
- ``outside_band``     number of managers with ``|dev_m| > tolerance_k`` (the scenario's band)

``continuity_share`` is the share of revenue that stays with its previous manager, counted
over clients whose previous manager stays (the ones that *could* stay).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from rebalance.data import Problem
from rebalance.pools import (
    HANDOVER,
    KINDS,
    METRICS,
    MOVE,
    PLACEMENT,
    Rules,
    change_kind,
    client_load,
)
from rebalance.scenario import Scenario

Assignment = Mapping[str, str | None]  # client_id -> manager_id (None: unassigned)

BAND_EPS = 1e-9  # a deviation this close to the tolerance counts as inside the band
DIGITS = 6  # rounding of the figures returned by ``fairness``


def outside_band(dev: float, tolerance: float) -> bool:
    """The one definition of "outside a band": ``|dev| > tolerance`` (beyond float noise).

    The terminal, the files, the reasons and the checker all count with this function.
    """
    return abs(dev) > tolerance + BAND_EPS


def manager_loads(problem: Problem, client_to_manager: Assignment) -> dict[tuple[str, str], float]:
    """(manager_id, metric) -> load, for every manager in the book (0 when empty).

    Clients missing from the mapping or mapped to ``None`` count for nobody. Sums run in the
    clients' input order, so the same inputs give the same floats.
    """
    loads = {(m.manager_id, k): 0.0 for m in problem.managers for k in METRICS}
    for c in problem.clients:
        mid = client_to_manager.get(c.client_id)
        if mid is None or mid not in problem.manager_index:
            continue
        for k in METRICS:
            loads[(mid, k)] += client_load(c, k)
    return loads


def relative_devs(
    problem: Problem, rules: Rules, client_to_manager: Assignment
) -> dict[tuple[str, str], float]:
    """(manager_id, metric) -> ``(load − share) / share`` for rated managers (share > 0)."""
    loads = manager_loads(problem, client_to_manager)
    devs: dict[tuple[str, str], float] = {}
    for m in problem.managers:
        if not m.staying:
            continue
        for k in METRICS:
            share = rules.fair_share(m.manager_id, k)
            if share > 0:
                devs[(m.manager_id, k)] = (loads[(m.manager_id, k)] - share) / share
    return devs


def coefficient_of_variation(values: list[float]) -> float:
    """Population standard deviation / mean; 0 for an empty list or a zero mean."""
    if not values:
        return 0.0
    mean = sum(values) / len(values)
    if mean == 0:
        return 0.0
    var = sum((v - mean) ** 2 for v in values) / len(values)
    return math.sqrt(var) / mean


def gini(values: list[float]) -> float:
    """Gini coefficient ``Σ_i Σ_j |x_i − x_j| / (2 n² mean)`` of non-negative values.

    0 when all values are equal (or there are none, or all are 0); ``(n − 1) / n`` when one
    value holds everything.
    """
    n = len(values)
    total = sum(values)
    if n == 0 or total <= 0:
        return 0.0
    ordered = sorted(values)
    # Σ_i Σ_j |x_i − x_j| = 2 Σ_i (2i − n − 1) x_(i) for 1-based ranks of the sorted values
    # fsum and the clamp: equal values must give exactly 0, not a rounding residue like -2e-17
    weighted = math.fsum((2 * i - n - 1) * x for i, x in enumerate(ordered, start=1))
    return max(0.0, weighted / (n * total))


def lorenz_points(values: list[float]) -> list[tuple[float, float]]:
    """Lorenz curve: (cumulative share of managers, cumulative share of load), from (0, 0).

    Values are sorted ascending; the curve ends at (1, 1). An all-zero or empty list gives
    the equality line's end points only.
    """
    n = len(values)
    total = sum(values)
    if n == 0 or total <= 0:
        return [(0.0, 0.0), (1.0, 1.0)]
    points = [(0.0, 0.0)]
    running = 0.0
    for i, x in enumerate(sorted(values), start=1):
        running += x
        points.append((i / n, running / total))
    points[-1] = (1.0, 1.0)
    return points


def relative_loads(
    problem: Problem, rules: Rules, client_to_manager: Assignment, metric: str
) -> dict[str, float]:
    """manager_id -> ``load / share`` for rated managers, in the managers' input order."""
    devs = relative_devs(problem, rules, client_to_manager)
    return {
        m.manager_id: 1.0 + devs[(m.manager_id, metric)]
        for m in problem.managers
        if (m.manager_id, metric) in devs
    }


def metric_fairness(devs: Mapping[str, float], tolerance: float) -> dict[str, float | int]:
    """Figures of one metric from its relative deviations (manager_id -> dev)."""
    values = list(devs.values())
    ratios = [1.0 + d for d in values]
    return {
        "num_managers": len(values),
        "max_abs_dev": round(max((abs(d) for d in values), default=0.0), DIGITS),
        "cv": round(coefficient_of_variation(ratios), DIGITS),
        "gini": round(gini(ratios), DIGITS),
        "outside_band": sum(1 for d in values if outside_band(d, tolerance)),
    }


def fairness(
    problem: Problem, scenario: Scenario, rules: Rules, client_to_manager: Assignment
) -> dict[str, dict[str, float | int]]:
    """metric -> {num_managers, max_abs_dev, cv, gini, outside_band} for one assignment.

    Tolerances come from ``scenario.balance``; see the module docstring for the formulas.
    """
    devs = relative_devs(problem, rules, client_to_manager)
    bands = scenario.balance.bands()
    result: dict[str, dict[str, float | int]] = {}
    for k in METRICS:
        per_manager = {m.manager_id: devs[(m.manager_id, k)]
                       for m in problem.managers if (m.manager_id, k) in devs}
        result[k] = metric_fairness(per_manager, bands[k].tolerance)
    return result


def managers_outside(problem: Problem, scenario: Scenario, rules: Rules,
                     client_to_manager: Assignment) -> int:
    """Number of rated managers outside the band (``outside_band``) of at least one metric."""
    bands = scenario.balance.bands()
    devs = relative_devs(problem, rules, client_to_manager)
    return len({mid for (mid, k), d in devs.items() if outside_band(d, bands[k].tolerance)})


def kind_counts(problem: Problem, client_to_manager: Assignment) -> dict[str, int]:
    """``moves``, ``handovers``, ``placements``: clients of each kind of change
    (``pools.change_kind``), the counts the terminal, summary.json and the README use."""
    counts = {kind: 0 for kind in KINDS}
    for c in problem.clients:
        kind = change_kind(problem, c.client_id, client_to_manager.get(c.client_id))
        if kind is not None:
            counts[kind] += 1
    return {"moves": counts[MOVE], "handovers": counts[HANDOVER], "placements": counts[PLACEMENT]}


def continuity_share(problem: Problem, client_to_manager: Assignment) -> float:
    """Revenue share that stays with its previous manager, among clients whose manager stays.

    ``Σ revenue of kept clients / Σ revenue of clients whose previous manager stays``; when
    that revenue is 0 (e.g. every previous manager is leaving) the figure falls back to the
    share of such clients kept by count, and is 1.0 when there are none.
    """
    kept_rev = total_rev = 0.0
    kept_n = total_n = 0
    for c in problem.clients:
        if c.manager is None or not problem.manager(c.manager).staying:
            continue
        total_rev += c.revenue
        total_n += 1
        if client_to_manager.get(c.client_id) == c.manager:
            kept_rev += c.revenue
            kept_n += 1
    if total_rev > 0:
        return round(kept_rev / total_rev, DIGITS)
    return round(kept_n / total_n, DIGITS) if total_n else 1.0


def before_after(
    problem: Problem,
    scenario: Scenario,
    rules: Rules,
    after: Assignment,
    before: Assignment | None = None,
) -> dict[str, Any]:
    """Fairness of the current assignment (``before``, default the book's) and of ``after``.

    Returns ``{"before": fairness(...), "after": fairness(...), "continuity": share}``. Before,
    new clients count for nobody and leaving managers' clients count for no rated manager —
    the fair shares are the same on both sides, so the figures compare directly.
    """
    current = problem.current_assignment if before is None else before
    return {
        "before": fairness(problem, scenario, rules, current),
        "after": fairness(problem, scenario, rules, after),
        "continuity": continuity_share(problem, after),
    }
