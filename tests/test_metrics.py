"""Fairness figures: formulas on hand-computed small books."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rebalance.data import Client, Manager, Problem
from rebalance.metrics import (
    before_after,
    coefficient_of_variation,
    continuity_share,
    fairness,
    gini,
    lorenz_points,
    manager_loads,
    relative_devs,
    relative_loads,
)
from rebalance.pools import build_rules
from rebalance.scenario import Scenario


def _scenario(**fields: object) -> Scenario:
    return Scenario.model_validate({"data": {"clients": "c.csv", "managers": "m.csv"}, **fields})


def _two_manager_book() -> Problem:
    """KM001 holds 400 revenue / importance 4 / 2 clients, KM002 200 / 2 / 1."""
    managers = (Manager("KM001", ("gov",)), Manager("KM002", ("gov",)))
    clients = (
        Client("C1", "gov", 300.0, importance=3, manager="KM001"),
        Client("C2", "gov", 100.0, importance=1, manager="KM001"),
        Client("C3", "gov", 200.0, importance=2, manager="KM002"),
    )
    return Problem(clients, managers)


# --------------------------------------------------------------------------- formulas


def test_gini_of_equal_values_is_zero() -> None:
    """Equal loads are perfectly fair."""
    assert gini([3.0, 3.0, 3.0]) == 0.0
    assert gini([]) == 0.0
    assert gini([0.0, 0.0]) == 0.0


def test_gini_hand_computed() -> None:
    """Σ|xi−xj| / (2 n² mean): [1,2,3,4] → 20/80; one holder of everything → (n−1)/n."""
    assert gini([4.0, 1.0, 3.0, 2.0]) == pytest.approx(0.25)
    assert gini([0.0, 0.0, 0.0, 5.0]) == pytest.approx(0.75)


def test_cv_hand_computed() -> None:
    """Population std / mean: [1,3] → 1/2; equal values → 0."""
    assert coefficient_of_variation([1.0, 3.0]) == pytest.approx(0.5)
    assert coefficient_of_variation([2.0, 2.0]) == 0.0
    assert coefficient_of_variation([]) == 0.0


def test_lorenz_points_hand_computed() -> None:
    """Sorted cumulative shares from (0,0) to (1,1)."""
    points = lorenz_points([2.0, 1.0, 1.0])
    flat = [v for point in points for v in point]
    assert flat == pytest.approx([0, 0, 1 / 3, 0.25, 2 / 3, 0.5, 1, 1])
    assert lorenz_points([]) == [(0.0, 0.0), (1.0, 1.0)]


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=30))
def test_gini_is_one_minus_twice_lorenz_area(values: list[float]) -> None:
    """The Gini formula and the Lorenz curve agree: G = 1 − 2 × area under the curve."""
    points = lorenz_points(values)
    area = sum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in pairwise(points))
    expected = 1 - 2 * area if sum(values) > 0 else 0.0
    assert gini(values) == pytest.approx(expected, abs=1e-9)
    assert 0.0 <= gini(values) < 1.0


# --------------------------------------------------------------------------- books


def test_fairness_before_hand_computed() -> None:
    """Shares 300/3/1.5: KM001 +1/3, KM002 −1/3 in every metric; all outside their bands."""
    problem = _two_manager_book()
    scenario = _scenario()
    rules = build_rules(problem, scenario)
    figures = fairness(problem, scenario, rules, problem.current_assignment)
    for k in ("revenue", "importance", "clients"):
        assert figures[k]["num_managers"] == 2
        assert figures[k]["max_abs_dev"] == pytest.approx(1 / 3, abs=1e-6)
        assert figures[k]["cv"] == pytest.approx(1 / 3, abs=1e-6)  # ratios 4/3, 2/3
        assert figures[k]["gini"] == pytest.approx(1 / 6, abs=1e-6)
        assert figures[k]["outside_band"] == 2


def test_fairness_after_balanced_revenue() -> None:
    """Moving C2 makes revenue and importance exact; client count then is 1 vs 2."""
    problem = _two_manager_book()
    scenario = _scenario()
    rules = build_rules(problem, scenario)
    after = {"C1": "KM001", "C2": "KM002", "C3": "KM002"}
    figures = fairness(problem, scenario, rules, after)
    assert figures["revenue"] == {"num_managers": 2, "max_abs_dev": 0.0, "cv": 0.0,
                                  "gini": 0.0, "outside_band": 0}
    assert figures["importance"]["gini"] == 0.0
    assert figures["clients"]["max_abs_dev"] == pytest.approx(1 / 3, abs=1e-6)
    assert figures["clients"]["outside_band"] == 2  # |1/3| > 0.25 on both sides


def test_outside_band_uses_scenario_tolerance() -> None:
    """A wider band (0.5) puts the same deviations inside it."""
    problem = _two_manager_book()
    scenario = _scenario(balance={"revenue": {"tolerance": 0.5, "weight": 10}})
    rules = build_rules(problem, scenario)
    figures = fairness(problem, scenario, rules, problem.current_assignment)
    assert figures["revenue"]["outside_band"] == 0
    assert figures["importance"]["outside_band"] == 2


def test_fte_scales_shares_so_proportional_loads_are_fair() -> None:
    """A half-fte manager holding half as much is exactly fair: Gini and CV 0."""
    managers = (Manager("KM001", ("gov",)), Manager("KM002", ("gov",), fte=0.5))
    clients = (
        Client("C1", "gov", 200.0, importance=2, manager="KM001"),
        Client("C2", "gov", 100.0, importance=1, manager="KM002"),
    )
    problem = Problem(clients, managers)
    scenario = _scenario()
    rules = build_rules(problem, scenario)
    assert relative_loads(problem, rules, problem.current_assignment, "revenue") == {
        "KM001": pytest.approx(1.0), "KM002": pytest.approx(1.0)}
    figures = fairness(problem, scenario, rules, problem.current_assignment)
    assert figures["revenue"]["gini"] == 0.0 and figures["revenue"]["cv"] == 0.0


def test_leaving_and_new_managers() -> None:
    """Leaving managers are not rated; a new empty manager is rated at −100 %."""
    managers = (Manager("KM001", ("gov",)), Manager("KM002", ("gov",), status="leaving"),
                Manager("KM003", ("gov",), status="new"))
    clients = (
        Client("C1", "gov", 100.0, manager="KM001"),
        Client("C2", "gov", 100.0, manager="KM002"),
    )
    problem = Problem(clients, managers)
    rules = build_rules(problem, _scenario())
    devs = relative_devs(problem, rules, problem.current_assignment)
    assert sorted({m for m, _ in devs}) == ["KM001", "KM003"]
    assert devs[("KM003", "revenue")] == -1.0
    assert devs[("KM001", "revenue")] == 0.0
    loads = manager_loads(problem, problem.current_assignment)
    assert loads[("KM002", "revenue")] == 100.0  # loads are still reported for everyone


def test_continuity_share_counts_only_staying_previous_managers() -> None:
    """Kept revenue / revenue whose previous manager stays; leaving and new clients excluded."""
    managers = (Manager("KM001", ("gov",)), Manager("KM002", ("gov",)),
                Manager("KM003", ("gov",), status="leaving"))
    clients = (
        Client("C1", "gov", 300.0, manager="KM001"),
        Client("C2", "gov", 100.0, manager="KM001"),
        Client("C3", "gov", 500.0, manager="KM003"),
        Client("C4", "gov", 700.0),
    )
    problem = Problem(clients, managers)
    after = {"C1": "KM001", "C2": "KM002", "C3": "KM001", "C4": "KM002"}
    assert continuity_share(problem, after) == pytest.approx(0.75)
    assert continuity_share(problem, problem.current_assignment) == 1.0


def test_before_after_uses_current_assignment_by_default() -> None:
    """before = the book's assignment, after = the given one, plus the continuity share."""
    problem = _two_manager_book()
    scenario = _scenario()
    rules = build_rules(problem, scenario)
    after = {"C1": "KM001", "C2": "KM002", "C3": "KM002"}
    result = before_after(problem, scenario, rules, after)
    assert set(result) == {"before", "after", "continuity"}
    assert result["before"]["revenue"]["outside_band"] == 2
    assert result["after"]["revenue"]["outside_band"] == 0
    assert result["continuity"] == pytest.approx(500 / 600, abs=1e-6)
