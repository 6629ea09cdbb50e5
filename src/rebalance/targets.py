"""Fair targets (指标) derived from the portfolios managers actually hold. Pure: no solver.

The department total is ``targets.total`` or ``(1 + growth) × current department revenue``,
rounded to ``round_to``. It is cut between staying managers in proportion to a *basis*:

- ``proportional``: basis = the manager's portfolio revenue, so every manager needs the same
  growth rate;
- ``blend``: basis = (1 − potential_weight) × portfolio revenue + potential_weight × portfolio
  potential, where a client with a blank potential counts with its revenue.

Optional caps ``max_growth`` / ``min_growth`` bound each manager's required growth
(target / portfolio revenue − 1). The result is the water-filling fixed point
``target_m = clamp(λ × basis_m, lo_m, hi_m)`` with λ chosen so the targets sum to the total:
managers whose share would break a cap are held at it and the excess (or deficit) is spread
over the others in proportion to their basis, repeatedly, until every cap holds. It is found
exactly by sweeping the breakpoints of λ, not by iterating.

All arithmetic is exact (``fractions.Fraction`` of each number's shortest decimal form), so the
rounded targets sum *exactly* to the rounded total and ties never depend on float noise.
Rounding uses the largest-remainder method, ties broken by manager id; with caps active, a
manager held at its cap is rounded towards the cap's inside whenever the sum allows, so a cap
is broken by less than one ``round_to`` unit and only when that is unavoidable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from rebalance.data import Manager, Problem
from rebalance.errors import InputError, Issue
from rebalance.scenario import Scenario

Capped = Literal["max", "min"]


class TargetsInfeasible(Exception):  # noqa: N818 - the contract's name
    """The growth caps cannot add up to the department total; the message names the numbers.

    The numbers are also attributes, for messages in other languages: ``bound`` ("max" /
    "min", None when no staying manager exists), ``growth_cap`` (the cap's value), ``limit``
    (the most / least the caps allow in total), ``total`` and ``held`` (revenue the staying
    managers hold).
    """

    def __init__(self, message: str, *, bound: Capped | None = None,
                 growth_cap: float | None = None, limit: float | None = None,
                 total: float = 0.0, held: float = 0.0) -> None:
        super().__init__(message)
        self.bound = bound
        self.growth_cap = growth_cap
        self.limit = limit
        self.total = total
        self.held = held


@dataclass(frozen=True)
class ManagerTarget:
    """One manager's derived target beside what an equal split would have asked."""

    manager_id: str
    status: str
    num_clients: int
    portfolio_revenue: float
    portfolio_potential: float  # blank potentials count as the client's revenue
    basis: float  # what the total is cut in proportion to (0 for leaving managers)
    target: float
    equal_split_target: float
    required_growth: float | None  # target / portfolio revenue − 1; None when revenue is 0
    equal_split_growth: float | None
    capped: Capped | None = None  # held at max_growth / min_growth


@dataclass(frozen=True)
class TargetPlan:
    """Targets of every manager, in the managers table's order, and the figures around them.

    ``growth_spread`` (max − min required growth over staying managers with revenue) next to
    ``equal_split_growth_spread`` is the one number that shows why the department needed this.
    """

    total: float  # department target, rounded to round_to; the targets sum to it exactly
    department_revenue: float  # revenue of every client the department holds now
    method: str
    round_to: float
    targets: Mapping[str, ManagerTarget]
    blank_potentials: int  # clients without a potential (counted with their revenue in blend)
    unheld_revenue: float  # revenue of clients unassigned or left with leaving managers
    growth_spread: float | None
    growth_std: float | None
    equal_split_growth_spread: float | None
    equal_split_growth_std: float | None
    split_by_fte: bool = False  # nothing to be proportional to: the total was split by fte
    notes: tuple[str, ...] = ()  # plain-English remarks a planner should read

    @property
    def department_growth(self) -> float | None:
        """total / department revenue − 1 (None when the department holds no revenue)."""
        if self.department_revenue <= 0:
            return None
        return self.total / self.department_revenue - 1


# --------------------------------------------------------------------------- helpers


def _exact(x: float) -> Fraction:
    """The number a planner typed: the shortest decimal form of a float, exactly."""
    if isinstance(x, int):
        return Fraction(x)
    if not math.isfinite(x):
        raise ValueError(f"expected a finite number, got {x!r}")
    return Fraction(repr(float(x)))


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def _fmt(x: Fraction | float) -> str:
    """1234000 -> '1,234,000'; keeps two decimals only when there are some."""
    value = float(x)
    if value == round(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def _largest_remainder(
    shares: Mapping[str, Fraction],
    total_units: int,
    priority: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """Whole units per key summing exactly to ``total_units``, each within one of its share.

    Every key gets ``floor(share)``; the missing units go to the largest fractional parts,
    ties broken by key. ``priority`` (lower first) overrides the remainder order, which is how
    capped managers are rounded towards the inside of their cap.
    """
    prio = priority or {}
    units = {k: math.floor(s) for k, s in shares.items()}
    missing = total_units - sum(units.values())
    fractional = [k for k, s in shares.items() if s != units[k]]
    order = sorted(fractional, key=lambda k: (prio.get(k, 1), -(shares[k] - units[k]), k))
    if missing > len(order):  # cannot happen when the shares sum to total_units
        raise ValueError(f"shares do not add up to {total_units} units")
    for k in order[:missing]:
        units[k] += 1
    return units


def _spread(values: Iterable[float]) -> tuple[float | None, float | None]:
    """(max − min, population standard deviation) or (None, None) for no values."""
    vals = list(values)
    if not vals:
        return None, None
    mean = sum(vals) / len(vals)
    std = math.sqrt(sum((v - mean) ** 2 for v in vals) / len(vals))
    return max(vals) - min(vals), std


def _growth(target: Fraction, revenue: Fraction) -> float | None:
    return float(target / revenue - 1) if revenue > 0 else None


# --------------------------------------------------------------------------- water-filling


@dataclass(frozen=True)
class _Bounds:
    lo: Fraction  # lowest allowed target (0 without min_growth)
    hi: Fraction | None  # highest allowed target (None without max_growth)


def _water_fill(
    basis: Mapping[str, Fraction], bounds: Mapping[str, _Bounds], total: Fraction
) -> tuple[Fraction, dict[str, Fraction]]:
    """(λ, targets) with target = clamp(λ × basis, lo, hi) and Σ target = total.

    The caller has checked that the total is reachable. f(λ) = Σ clamp(λ b, lo, hi) is
    piecewise linear and non-decreasing; between breakpoints its slope is the basis of the
    managers not held at a bound. Sweeping the breakpoints in order finds the smallest λ with
    f(λ) = total; the targets are the same for every λ that reaches it.
    """
    events: list[tuple[Fraction, Fraction]] = []  # (λ, change of slope)
    level = Fraction(0)  # f(0): everyone at their lower bound
    slope = Fraction(0)
    for mid, b in basis.items():
        lo, hi = bounds[mid].lo, bounds[mid].hi
        level += lo
        if b <= 0 or (hi is not None and hi <= lo):
            continue  # fixed at lo whatever λ is
        if lo > 0:
            events.append((lo / b, b))
        else:
            slope += b
        if hi is not None:
            events.append((hi / b, -b))
    events.sort()

    lam = Fraction(0)
    if level < total:
        for point, change in events:
            reach = level + slope * (point - lam)
            if reach >= total:
                break
            level, lam = reach, point
            slope += change
        lam += (total - level) / slope  # slope > 0: the total is reachable on this segment
    return lam, {mid: _clamp(lam * b, bounds[mid]) for mid, b in basis.items()}


def _clamp(x: Fraction, bound: _Bounds) -> Fraction:
    x = max(x, bound.lo)
    return x if bound.hi is None else min(x, bound.hi)


# --------------------------------------------------------------------------- main


def department_total(problem: Problem, scenario: Scenario) -> float:
    """The department target, rounded to round_to (nearest multiple, halves up)."""
    return float(_department_total_units(problem, scenario) * _exact(scenario.targets.round_to))


def _department_total_units(problem: Problem, scenario: Scenario) -> int:
    t = scenario.targets
    step = _exact(t.round_to)
    if t.total is not None:
        raw = _exact(t.total)
    else:
        revenue = sum((_exact(c.revenue) for c in problem.clients), Fraction(0))
        raw = (1 + _exact(t.growth)) * revenue
    return max(0, _round_half_up(raw / step))


def check_caps(scenario: Scenario) -> None:
    """``InputError`` when the growth caps contradict each other (known before solving)."""
    t = scenario.targets
    where = str(scenario.source) if scenario.source else "scenario"
    issues = []
    for name, value in (("max_growth", t.max_growth), ("min_growth", t.min_growth)):
        if value is not None and value < -1:
            issues.append(Issue(f"targets.{name} is {value:g}: below -1 it would ask for a "
                                f"negative target", file=where))
    if t.max_growth is not None and t.min_growth is not None and t.min_growth > t.max_growth:
        issues.append(Issue(f"targets.min_growth ({t.min_growth:g}) is above targets.max_growth "
                            f"({t.max_growth:g})", file=where))
    if issues:
        raise InputError(issues)


def compute_targets(
    problem: Problem,
    scenario: Scenario,
    client_to_manager: Mapping[str, str | None],
) -> TargetPlan:
    """Derive every manager's target from the portfolio ``client_to_manager`` gives them.

    Clients missing from the mapping (or mapped to None) are held by nobody: their revenue
    counts in the department's revenue but in no manager's basis. Leaving managers get 0.
    Raises ``TargetsInfeasible`` when the growth caps cannot add up to the total,
    ``InputError`` when the caps contradict each other, and ``ValueError`` when the mapping
    names clients or managers the problem does not have.
    """
    return prorated_targets(problem, scenario, [(Fraction(1), client_to_manager)])


def prorated_targets(
    problem: Problem,
    scenario: Scenario,
    periods: Sequence[tuple[Fraction, Mapping[str, str | None]]],
) -> TargetPlan:
    """``compute_targets`` for a year in periods: (share of the year, book held) pairs whose
    shares sum to 1. A manager's portfolio revenue (and potential) is the sum over periods of
    what it holds × the period's share, so a client moving a quarter into the year counts a
    quarter for the old manager and three quarters for the new one (``rebalance.rollout``).
    Client counts are those of the last book. The same cut, caps and exact rounding."""
    check_caps(scenario)
    t = scenario.targets
    step = _exact(t.round_to)
    total_units = _department_total_units(problem, scenario)
    total = total_units * step

    books = [book for _, book in periods]
    unknown_clients = sorted({c for book in books for c in book} - set(problem.client_index))
    unknown_managers = sorted(
        {m for book in books for m in book.values() if m is not None}
        - set(problem.manager_index)
    )
    if unknown_clients or unknown_managers:
        raise ValueError(
            f"assignment names unknown clients {unknown_clients} / managers {unknown_managers}"
        )

    revenue = {m.manager_id: Fraction(0) for m in problem.managers}
    potential = {m.manager_id: Fraction(0) for m in problem.managers}
    num_clients = dict.fromkeys(revenue, 0)
    department_revenue = Fraction(0)
    unheld = Fraction(0)
    blank_potentials = 0
    for c in problem.clients:
        rev = _exact(c.revenue)
        department_revenue += rev
        blank_potentials += c.potential is None
        last = books[-1].get(c.client_id)
        if last is not None:
            num_clients[last] += 1
        for share, book in periods:
            mid = book.get(c.client_id)
            if mid is None:
                unheld += share * rev
                continue
            revenue[mid] += share * rev
            potential[mid] += share * (rev if c.potential is None else _exact(c.potential))
            if not problem.manager(mid).staying:
                unheld += share * rev

    staying: list[Manager] = [m for m in problem.managers if m.staying]
    weight = _exact(t.potential_weight)
    basis: dict[str, Fraction] = {}
    for m in staying:
        mid = m.manager_id
        if t.method == "blend":
            basis[mid] = (1 - weight) * revenue[mid] + weight * potential[mid]
        else:
            basis[mid] = revenue[mid]

    notes: list[str] = []
    if unheld > 0:
        notes.append(f"{_fmt(unheld)} of revenue is held by no staying manager "
                     f"(unassigned clients or clients left with leaving managers); "
                     f"the total is still cut between staying managers")
    if total > 0 and not staying:
        raise TargetsInfeasible(
            f"the department target is {_fmt(total)}, but no staying manager can carry it",
            total=float(total),
        )
    split_by_fte = total > 0 and sum(basis.values()) == 0
    if split_by_fte:
        # Nothing to be proportional to: fall back to the old equal split by fte.
        basis = {m.manager_id: _exact(m.fte) for m in staying}
        notes.append("no staying manager holds any revenue or potential; "
                     "the total is split by fte")

    bounds = _bounds(staying, revenue, scenario)
    _check_reachable(bounds, basis, total, revenue, scenario)
    lam, exact_targets = _water_fill(basis, bounds, total)
    capped = _capped(basis, bounds, lam)
    units = _largest_remainder({k: v / step for k, v in exact_targets.items()},
                               total_units, _rounding_priority(bounds, exact_targets))

    fte_sum = sum((_exact(m.fte) for m in staying), Fraction(0))
    equal_units = (
        _largest_remainder({m.manager_id: total_units * _exact(m.fte) / fte_sum for m in staying},
                           total_units)
        if staying else {}
    )

    out: dict[str, ManagerTarget] = {}
    for m in problem.managers:
        mid = m.manager_id
        target = units.get(mid, 0) * step
        equal = equal_units.get(mid, 0) * step
        rev = revenue[mid]
        out[mid] = ManagerTarget(
            manager_id=mid,
            status=m.status,
            num_clients=num_clients[mid],
            portfolio_revenue=float(rev),
            portfolio_potential=float(potential[mid]),
            basis=float(basis.get(mid, 0)),
            target=float(target),
            equal_split_target=float(equal),
            required_growth=_growth(target, rev) if m.staying else None,
            equal_split_growth=_growth(equal, rev) if m.staying else None,
            capped=capped.get(mid),
        )

    with_revenue = [mt for mt in out.values() if mt.status != "leaving" and revenue[mt.manager_id]]
    spread, std = _spread(mt.required_growth for mt in with_revenue
                          if mt.required_growth is not None)
    eq_spread, eq_std = _spread(mt.equal_split_growth for mt in with_revenue
                                if mt.equal_split_growth is not None)
    return TargetPlan(
        total=float(total),
        department_revenue=float(department_revenue),
        method=t.method,
        round_to=float(step),
        targets=out,
        blank_potentials=blank_potentials,
        unheld_revenue=float(unheld),
        growth_spread=spread,
        growth_std=std,
        equal_split_growth_spread=eq_spread,
        equal_split_growth_std=eq_std,
        split_by_fte=split_by_fte,
        notes=tuple(notes),
    )


def _bounds(staying: list[Manager], revenue: Mapping[str, Fraction],
            scenario: Scenario) -> dict[str, _Bounds]:
    """Target bounds from the growth caps. A manager with no revenue has no growth rate, so
    the caps do not bind them (under ``proportional`` they get 0 anyway)."""
    t = scenario.targets
    out = {}
    for m in staying:
        rev = revenue[m.manager_id]
        lo = (1 + _exact(t.min_growth)) * rev if t.min_growth is not None and rev > 0 else None
        hi = (1 + _exact(t.max_growth)) * rev if t.max_growth is not None and rev > 0 else None
        out[m.manager_id] = _Bounds(lo=lo if lo is not None else Fraction(0), hi=hi)
    return out


def _check_reachable(bounds: Mapping[str, _Bounds], basis: Mapping[str, Fraction],
                     total: Fraction, revenue: Mapping[str, Fraction],
                     scenario: Scenario) -> None:
    """Raise TargetsInfeasible, with the numbers, when the caps cannot meet the total."""
    t = scenario.targets
    held = sum((revenue[mid] for mid in bounds), Fraction(0))
    above = f" (staying managers hold {_fmt(held)})"
    floor = sum((b.lo for b in bounds.values()), Fraction(0))
    if floor > total:
        raise TargetsInfeasible(
            f"min_growth {t.min_growth:g} requires at least {_fmt(floor)} in total, "
            f"but the department target is {_fmt(total)}{above}; "
            f"lower targets.min_growth or raise the target",
            bound="min", growth_cap=t.min_growth, limit=float(floor), total=float(total),
            held=float(held),
        )
    growable = any(b.hi is None and basis[mid] > 0 for mid, b in bounds.items())
    if growable:
        return
    ceiling = sum(
        ((b.hi if b.hi is not None and basis[mid] > 0 else b.lo) for mid, b in bounds.items()),
        Fraction(0),
    )
    if ceiling < total:
        raise TargetsInfeasible(
            f"max_growth {t.max_growth:g} allows at most {_fmt(ceiling)} in total, "
            f"but the department target is {_fmt(total)}{above}; "
            f"raise targets.max_growth or lower the target",
            bound="max", growth_cap=t.max_growth, limit=float(ceiling), total=float(total),
            held=float(held),
        )


def _capped(basis: Mapping[str, Fraction], bounds: Mapping[str, _Bounds],
            lam: Fraction) -> dict[str, Capped | None]:
    """Which managers the caps hold: their proportional share λ × basis was outside."""
    out: dict[str, Capped | None] = {}
    for mid, b in basis.items():
        share, bound = lam * b, bounds[mid]
        if bound.hi is not None and share > bound.hi:
            out[mid] = "max"
        elif share < bound.lo:
            out[mid] = "min"
        else:
            out[mid] = None
    return out


def _rounding_priority(bounds: Mapping[str, _Bounds],
                       targets: Mapping[str, Fraction]) -> dict[str, int]:
    """Largest-remainder order: managers at their min go up first, at their max last, so that
    rounding breaks a cap only when the exact total leaves no other way."""
    out = {}
    for mid, x in targets.items():
        bound = bounds[mid]
        if bound.hi is not None and x == bound.hi:
            out[mid] = 2
        elif bound.lo > 0 and x == bound.lo:
            out[mid] = 0
        else:
            out[mid] = 1
    return out
