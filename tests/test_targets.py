"""Fair targets: proportional / blend, growth caps, largest-remainder rounding, equal split."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rebalance.data import Client, Manager, Problem
from rebalance.errors import InputError
from rebalance.scenario import Scenario
from rebalance.targets import TargetPlan, TargetsInfeasible, compute_targets, department_total


def _scenario(**targets: Any) -> Scenario:
    return Scenario.model_validate(
        {"data": {"clients": "x.csv", "managers": "y.csv"}, "targets": targets}
    )


def _book(
    revenues: Mapping[str, Sequence[float]],
    *,
    fte: Mapping[str, float] | None = None,
    status: Mapping[str, str] | None = None,
    potentials: Mapping[str, Sequence[float | None]] | None = None,
) -> tuple[Problem, dict[str, str]]:
    """A one-industry book: manager id -> revenues of the clients it holds (in the plan)."""
    fte = fte or {}
    status = status or {}
    potentials = potentials or {}
    managers = [
        Manager(mid, ("gov",), fte=fte.get(mid, 1.0), status=status.get(mid, "active"))  # type: ignore[arg-type]
        for mid in revenues
    ]
    clients, plan = [], {}
    for mid, revs in revenues.items():
        pots = potentials.get(mid, [None] * len(revs))
        for n, (rev, pot) in enumerate(zip(revs, pots, strict=True)):
            cid = f"{mid}-C{n}"
            clients.append(Client(cid, "gov", rev, manager=mid, potential=pot))
            plan[cid] = mid
    if not any(m.staying for m in managers):
        managers.append(Manager("SPARE", ("gov",)))
    return Problem(tuple(clients), tuple(managers)), plan


def _targets(plan: TargetPlan) -> dict[str, float]:
    return {mid: mt.target for mid, mt in plan.targets.items()}


# --------------------------------------------------------------------------- totals


def test_department_total_is_growth_over_all_revenue_rounded_half_up() -> None:
    """Total = (1 + growth) × revenue of every client, rounded to the nearest round_to."""
    problem, _ = _book({"M1": [1_000_000], "M2": [250_000]})
    # 1.08 × 1,250,000 = 1,350,000 exactly; 1.0804 × 1,250,000 = 1,350,500 -> halves go up
    assert department_total(problem, _scenario(growth=0.08)) == 1_350_000
    assert department_total(problem, _scenario(growth=0.0804)) == 1_351_000
    assert department_total(problem, _scenario(growth=0.0804, round_to=100)) == 1_350_500


def test_explicit_total_wins_over_growth_and_is_rounded() -> None:
    """targets.total replaces growth; it is rounded to round_to too."""
    problem, plan = _book({"M1": [100], "M2": [300]})
    result = compute_targets(problem, _scenario(total=1_234_567, growth=5), plan)
    assert result.total == 1_235_000
    assert sum(_targets(result).values()) == 1_235_000


def test_targets_sum_exactly_to_rounded_total() -> None:
    """Largest remainder keeps the sum exact even when every share has a fraction."""
    problem, plan = _book({"M1": [333_333], "M2": [333_333], "M3": [333_334]})
    result = compute_targets(problem, _scenario(growth=0.07), plan)
    assert result.total == 1_070_000
    assert sum(_targets(result).values()) == result.total
    assert all(t % 1000 == 0 for t in _targets(result).values())


# --------------------------------------------------------------------------- proportional


def test_proportional_gives_every_manager_the_same_growth() -> None:
    """Proportional: each target is total × portfolio revenue / department revenue."""
    problem, plan = _book({"M1": [600_000, 200_000], "M2": [150_000], "M3": [50_000]})
    result = compute_targets(problem, _scenario(growth=0.1), plan)
    assert _targets(result) == {"M1": 880_000, "M2": 165_000, "M3": 55_000}
    assert [mt.required_growth for mt in result.targets.values()] == pytest.approx([0.1] * 3)
    assert result.growth_spread == pytest.approx(0)
    assert result.method == "proportional"


def test_ties_in_rounding_go_to_the_smaller_manager_id() -> None:
    """Two equal remainders: the extra unit goes to the manager id that sorts first."""
    problem, plan = _book({"M2": [500], "M1": [500]})
    result = compute_targets(problem, _scenario(total=3000), plan)
    assert _targets(result) == {"M2": 1000, "M1": 2000}  # 1.5 units each, tie -> M1


def test_result_does_not_depend_on_mapping_order() -> None:
    """The same plan given in another order gives the same targets (determinism)."""
    problem, plan = _book({"M1": [1, 2, 3], "M2": [5, 5], "M3": [7]})
    reordered = dict(reversed(list(plan.items())))
    assert compute_targets(problem, _scenario(total=1000, round_to=1), plan) == compute_targets(
        problem, _scenario(total=1000, round_to=1), reordered
    )


def test_zero_revenue_manager_gets_zero_under_proportional() -> None:
    """A staying manager with no revenue has nothing to be proportional to: target 0."""
    problem, plan = _book({"M1": [100_000], "M2": []}, status={"M2": "new"})
    result = compute_targets(problem, _scenario(growth=0.1, max_growth=0.5), plan)
    assert result.targets["M2"].target == 0
    assert result.targets["M2"].required_growth is None
    assert result.targets["M2"].equal_split_target == 55_000


def test_leaving_managers_get_zero_and_no_equal_share() -> None:
    """Leaving managers hold nothing: target 0, no equal-split share, no growth figure."""
    problem, plan = _book({"M1": [100_000], "M2": [100_000], "M3": []}, status={"M3": "leaving"})
    result = compute_targets(problem, _scenario(growth=0.1), plan)
    leaving = result.targets["M3"]
    assert (leaving.target, leaving.equal_split_target, leaving.basis) == (0, 0, 0)
    assert leaving.required_growth is None
    assert _targets(result) == {"M1": 110_000, "M2": 110_000, "M3": 0}


def test_revenue_left_with_a_leaving_manager_is_reported_as_unheld() -> None:
    """A plan that leaves clients with a leaving manager: they still get 0; a note says so."""
    problem, plan = _book({"M1": [100_000], "M2": [100_000]}, status={"M2": "leaving"})
    result = compute_targets(problem, _scenario(growth=0.0), plan)
    assert _targets(result) == {"M1": 200_000, "M2": 0}
    assert result.unheld_revenue == 100_000
    assert result.notes and "100,000" in result.notes[0]


def test_unassigned_clients_count_in_department_revenue_only() -> None:
    """Clients missing from the plan are held by nobody but still count in the total."""
    problem, plan = _book({"M1": [100_000], "M2": [100_000]})
    del plan["M2-C0"]
    result = compute_targets(problem, _scenario(growth=0.0), plan)
    assert result.department_revenue == 200_000
    assert _targets(result) == {"M1": 200_000, "M2": 0}
    assert result.unheld_revenue == 100_000


def test_unknown_ids_in_the_plan_are_a_programming_error() -> None:
    """The plan must name clients and managers of the problem (read_assignment checks files)."""
    problem, plan = _book({"M1": [1]})
    with pytest.raises(ValueError, match="M9"):
        compute_targets(problem, _scenario(), {**plan, "M1-C0": "M9"})
    with pytest.raises(ValueError, match="C9"):
        compute_targets(problem, _scenario(), {**plan, "C9": "M1"})


def test_no_revenue_anywhere_falls_back_to_fte_split() -> None:
    """With a total but no revenue to be proportional to, the total is split by fte."""
    problem, plan = _book({"M1": [0], "M2": [0]}, fte={"M2": 0.5})
    result = compute_targets(problem, _scenario(total=3000), plan)
    assert _targets(result) == {"M1": 2000, "M2": 1000}
    assert any("fte" in note for note in result.notes)


def test_a_total_without_staying_managers_is_infeasible() -> None:
    """Nobody to carry a positive total: a clear TargetsInfeasible, not a division by zero."""
    problem = Problem((), (Manager("M1", ("gov",), status="leaving"),))
    with pytest.raises(TargetsInfeasible, match="no staying manager"):
        compute_targets(problem, _scenario(total=1000), {})


# --------------------------------------------------------------------------- equal split


def test_equal_split_is_equal_per_fte() -> None:
    """The old way: total ÷ staying managers by fte, whatever they hold."""
    problem, plan = _book(
        {"M1": [900_000], "M2": [50_000], "M3": [50_000], "M4": [1]},
        fte={"M3": 0.5},
        status={"M4": "leaving"},
    )
    result = compute_targets(problem, _scenario(total=1_000_000), plan)
    eq = {mid: mt.equal_split_target for mid, mt in result.targets.items()}
    assert eq == {"M1": 400_000, "M2": 400_000, "M3": 200_000, "M4": 0}
    assert result.targets["M2"].equal_split_growth == pytest.approx(7.0)
    assert result.targets["M1"].equal_split_growth == pytest.approx(400 / 900 - 1)


def test_spread_shows_the_unfairness_of_the_equal_split() -> None:
    """growth_spread ≈ 0 for derived targets, large for the equal split."""
    problem, plan = _book({"M1": [900_000], "M2": [100_000]})
    result = compute_targets(problem, _scenario(growth=0.1), plan)
    assert result.growth_spread == pytest.approx(0)
    # equal split: 550,000 each -> -38.9 % and +450 %
    assert result.equal_split_growth_spread == pytest.approx(4.5 - (550 / 900 - 1))
    assert result.equal_split_growth_std is not None and result.equal_split_growth_std > 1


# --------------------------------------------------------------------------- blend


def test_blend_mixes_potential_and_counts_blank_potentials_as_revenue() -> None:
    """blend basis = 0.7 × revenue + 0.3 × potential; a blank potential is the revenue."""
    problem, plan = _book(
        {"M1": [100_000, 100_000], "M2": [200_000]},
        potentials={"M1": [400_000, None], "M2": [None]},
    )
    result = compute_targets(problem, _scenario(method="blend", total=500_000), plan)
    assert result.blank_potentials == 2
    m1, m2 = result.targets["M1"], result.targets["M2"]
    assert m1.portfolio_potential == 500_000  # 400,000 + the blank counted as 100,000
    assert m2.portfolio_potential == 200_000
    assert m1.basis == pytest.approx(0.7 * 200_000 + 0.3 * 500_000)  # 290,000
    assert m2.basis == pytest.approx(200_000)
    assert (m1.target, m2.target) == (296_000, 204_000)  # 500,000 × 290/490 = 295,918


def test_blend_with_only_blank_potentials_equals_proportional() -> None:
    """When no potential is given, blend gives exactly the proportional targets."""
    problem, plan = _book({"M1": [123_000, 7_000], "M2": [45_000], "M3": [1_000]})
    blend = compute_targets(problem, _scenario(method="blend", potential_weight=0.8), plan)
    prop = compute_targets(problem, _scenario(method="proportional"), plan)
    assert _targets(blend) == _targets(prop)
    assert blend.blank_potentials == 4


def test_blend_gives_a_zero_revenue_manager_a_share_of_its_potential() -> None:
    """A new manager with potential but no revenue carries part of the target; no cap binds it."""
    problem, plan = _book({"M1": [100_000], "M2": [0]}, potentials={"M2": [100_000]})
    scenario = _scenario(method="blend", potential_weight=0.05, growth=0.2, max_growth=0.1)
    result = compute_targets(problem, scenario, plan)
    # bases 100k : 5k -> M1's share 114,286 is held at +10 % (110,000); M2 (no revenue, so
    # no growth rate to cap) takes the rest
    assert _targets(result) == {"M1": 110_000, "M2": 10_000}
    assert result.targets["M1"].capped == "max"
    assert result.targets["M2"].capped is None


# --------------------------------------------------------------------------- caps


def test_max_growth_redistributes_the_excess_by_basis() -> None:
    """A capped manager is held at its cap; the rest is spread in proportion to basis."""
    problem, plan = _book(
        {"M1": [100_000], "M2": [100_000], "M3": [200_000]},
        potentials={"M1": [500_000], "M2": [None], "M3": [None]},
    )
    scenario = _scenario(method="blend", potential_weight=0.5, total=440_000, max_growth=0.15)
    result = compute_targets(problem, scenario, plan)
    # bases 300k, 100k, 200k: M1's share 220,000 is +120 % -> held at 115,000;
    # the remaining 325,000 goes 1:2 to M2 and M3
    assert result.targets["M1"].target == 115_000
    assert result.targets["M1"].capped == "max"
    assert (result.targets["M2"].target, result.targets["M3"].target) == (108_000, 217_000)
    assert sum(_targets(result).values()) == 440_000


def test_cap_cascade_is_repeated_until_every_cap_holds() -> None:
    """Redistributing one excess can push another manager over: that one is capped too."""
    problem, plan = _book(
        {"M1": [100_000], "M2": [100_000], "M3": [100_000]},
        potentials={"M1": [1_000_000], "M2": [190_000], "M3": [None]},
    )
    scenario = _scenario(method="blend", potential_weight=1.0, total=345_000, max_growth=0.2)
    result = compute_targets(problem, scenario, plan)
    # first pass: M1 capped at 120,000; the rest 225,000 at 19:10 gives M2 147,414 > 120,000
    assert _targets(result) == {"M1": 120_000, "M2": 120_000, "M3": 105_000}
    assert [mt.capped for mt in result.targets.values()] == ["max", "max", None]


def test_min_growth_lifts_managers_and_takes_the_deficit_from_the_others() -> None:
    """A manager whose share is below min_growth is lifted to it; others give it up."""
    problem, plan = _book(
        {"M1": [100_000], "M2": [100_000]}, potentials={"M1": [0], "M2": [300_000]}
    )
    scenario = _scenario(method="blend", potential_weight=0.5, total=220_000, min_growth=0.05)
    result = compute_targets(problem, scenario, plan)
    # bases 50k and 200k: M1's share 44,000 is -56 % -> lifted to 105,000
    assert _targets(result) == {"M1": 105_000, "M2": 115_000}
    assert result.targets["M1"].capped == "min"


def test_caps_that_already_hold_change_nothing() -> None:
    """Proportional at 8 % with caps 0 %..10 %: no manager is capped, targets unchanged."""
    problem, plan = _book({"M1": [500_000], "M2": [300_000]})
    capped = compute_targets(problem, _scenario(min_growth=0, max_growth=0.1), plan)
    plain = compute_targets(problem, _scenario(), plan)
    assert _targets(capped) == _targets(plain)
    assert all(mt.capped is None for mt in capped.targets.values())


def test_impossible_max_growth_names_the_numbers() -> None:
    """Caps that cannot reach the total: TargetsInfeasible with both sums in the message."""
    problem, plan = _book({"M1": [1_000_000], "M2": [180_000]})
    with pytest.raises(TargetsInfeasible) as info:
        compute_targets(problem, _scenario(total=1_300_000, max_growth=0.05), plan)
    message = str(info.value)
    assert "max_growth 0.05 allows at most 1,239,000 in total" in message  # 1.05 × 1,180,000
    assert "the department target is 1,300,000" in message


def test_impossible_min_growth_names_the_numbers() -> None:
    """A min_growth above the department's growth cannot hold for everyone."""
    problem, plan = _book({"M1": [600_000], "M2": [400_000]})
    with pytest.raises(TargetsInfeasible) as info:
        compute_targets(problem, _scenario(growth=0.05, min_growth=0.1), plan)
    assert "min_growth 0.1 requires at least 1,100,000 in total" in str(info.value)
    assert "1,050,000" in str(info.value)


def test_min_above_max_is_bad_input() -> None:
    """min_growth > max_growth contradicts itself: an InputError naming both."""
    problem, plan = _book({"M1": [1]})
    with pytest.raises(InputError, match="min_growth"):
        compute_targets(problem, _scenario(min_growth=0.2, max_growth=0.1), plan)


def test_cap_exactly_reachable_holds_exactly() -> None:
    """When the caps allow exactly the total, everyone is at the cap and the sum holds."""
    problem, plan = _book({"M1": [100_000], "M2": [300_000]})
    result = compute_targets(problem, _scenario(total=420_000, max_growth=0.05), plan)
    assert _targets(result) == {"M1": 105_000, "M2": 315_000}


def test_rounding_rounds_capped_managers_down_first() -> None:
    """A manager held at max is not rounded up over its cap when a free manager can take it."""
    problem, plan = _book(
        {"M1": [123_400], "M2": [100_000]}, potentials={"M1": [900_000], "M2": [None]}
    )
    scenario = _scenario(method="blend", potential_weight=1.0, total=300_000, max_growth=1.0)
    # bases 900k : 100k -> M1's share 270,000 is over its cap 246,800 (246.8 units) and M2
    # gets 53,200 (53.2 units). Plain largest remainder would round M1 up to 247,000.
    result = compute_targets(problem, scenario, plan)
    assert result.targets["M1"].capped == "max"
    assert _targets(result) == {"M1": 246_000, "M2": 54_000}


def test_rounding_breaks_a_cap_by_less_than_one_unit_only_when_unavoidable() -> None:
    """Everyone held at max and no whole-unit way inside the caps: one goes over by < a unit."""
    problem, plan = _book({"M1": [100_450], "M2": [100_350]})
    # caps 110,495 + 110,385 = 220,880; with round_to 100 the total 220,900 is out of reach
    with pytest.raises(TargetsInfeasible):
        compute_targets(problem, _scenario(total=220_880, max_growth=0.1, round_to=100), plan)
    # with round_to 20 the caps are 5524.75 and 5519.25 units: one must round up
    result = compute_targets(problem, _scenario(total=220_880, max_growth=0.1, round_to=20),
                             plan)
    assert sum(_targets(result).values()) == 220_880
    assert _targets(result) == {"M1": 110_500, "M2": 110_380}  # M1 5 over its cap
    # both sit exactly at +10 %, which is also their proportional share: at the cap, not held
    assert [mt.capped for mt in result.targets.values()] == [None, None]


# --------------------------------------------------------------------------- properties


def _bisection_oracle(
    basis: Mapping[str, float], lo: Mapping[str, float], hi: Mapping[str, float | None],
    total: float,
) -> dict[str, float]:
    """An independent water-filling: bisection on λ of Σ clamp(λ b, lo, hi) = total."""

    def at(lam: float) -> dict[str, float]:
        out = {}
        for mid, b in basis.items():
            x = max(lam * b, lo[mid])
            cap = hi[mid]
            out[mid] = x if cap is None else min(x, cap)
        return out

    low, high = 0.0, 1.0
    while sum(at(high).values()) < total and high < 1e18:
        high *= 2
    for _ in range(200):
        mid_lam = (low + high) / 2
        if sum(at(mid_lam).values()) < total:
            low = mid_lam
        else:
            high = mid_lam
    return at(high)


books = st.lists(
    st.tuples(
        st.lists(st.integers(0, 500_000), min_size=0, max_size=4),  # client revenues
        st.sampled_from([1.0, 1.0, 0.5, 0.8]),  # fte
        st.sampled_from(["active", "active", "active", "new", "leaving"]),
        st.lists(st.one_of(st.none(), st.integers(0, 800_000)), min_size=4, max_size=4),
    ),
    min_size=1,
    max_size=7,
)


Spec = list[tuple[list[int], float, str, list[int | None]]]


def _build(spec: Spec) -> tuple[Problem, dict[str, str]]:
    revenues = {f"M{j:02d}": revs for j, (revs, _, _, _) in enumerate(spec)}
    fte = {f"M{j:02d}": f for j, (_, f, _, _) in enumerate(spec)}
    status = {f"M{j:02d}": s for j, (_, _, s, _) in enumerate(spec)}
    pots = {f"M{j:02d}": p[: len(revs)] for j, (revs, _, _, p) in enumerate(spec)}
    return _book(revenues, fte=fte, status=status, potentials=pots)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    spec=books,
    growth=st.sampled_from([0.0, 0.05, 0.08, 0.3]),
    round_to=st.sampled_from([1, 100, 1000, 5000]),
    method=st.sampled_from(["proportional", "blend"]),
    weight=st.sampled_from([0.0, 0.3, 1.0]),
    max_growth=st.one_of(st.none(), st.sampled_from([0.0, 0.05, 0.1, 0.5])),
    min_growth=st.one_of(st.none(), st.sampled_from([-0.5, 0.0, 0.05])),
)
def test_properties_of_targets_on_generated_books(
    spec: Spec,
    growth: float,
    round_to: int,
    method: str,
    weight: float,
    max_growth: float | None,
    min_growth: float | None,
) -> None:
    """On any small book: sum exact, leaving get 0, caps hold within a unit, equal growth
    under proportional, equal split per fte, and the result matches a bisection oracle."""
    problem, plan = _build(spec)
    if max_growth is not None and min_growth is not None and min_growth > max_growth:
        min_growth = None
    scenario = _scenario(growth=growth, round_to=round_to, method=method,
                         potential_weight=weight, max_growth=max_growth, min_growth=min_growth)
    staying = [m for m in problem.managers if m.staying]
    revenue = {m.manager_id: 0.0 for m in problem.managers}
    potential = {m.manager_id: 0.0 for m in problem.managers}
    for c in problem.clients:
        revenue[plan[c.client_id]] += c.revenue
        potential[plan[c.client_id]] += c.revenue if c.potential is None else c.potential
    basis = {
        m.manager_id: revenue[m.manager_id] if method == "proportional"
        else (1 - weight) * revenue[m.manager_id] + weight * potential[m.manager_id]
        for m in staying
    }
    total = department_total(problem, scenario)
    if total > 0 and sum(basis.values()) == 0:
        basis = {m.manager_id: m.fte for m in staying}
    lo = {mid: (1 + min_growth) * revenue[mid] if min_growth is not None else 0.0
          for mid in basis}
    hi = {mid: (1 + max_growth) * revenue[mid]
          if max_growth is not None and revenue[mid] > 0 else None for mid in basis}
    ceiling = sum((hi[mid] if hi[mid] is not None else lo[mid]) if basis[mid] > 0 else lo[mid]
                  for mid in basis) if all(
        hi[mid] is not None or basis[mid] == 0 for mid in basis) else float("inf")

    try:
        result = compute_targets(problem, scenario, plan)
    except TargetsInfeasible:
        slack = 1e-6 * max(total, 1)
        assert sum(lo.values()) > total - slack or ceiling < total + slack
        return
    assert sum(lo.values()) <= total + 1e-6 * max(total, 1) and ceiling >= total - 1e-6 * total

    targets = _targets(result)
    assert sum(targets.values()) == result.total == total
    assert all(t % round_to == 0 and t >= 0 for t in targets.values())
    for m in problem.managers:
        if not m.staying:
            assert targets[m.manager_id] == 0 == result.targets[m.manager_id].equal_split_target

    oracle = _bisection_oracle(basis, lo, hi, total) if basis else {}
    for mid, x in oracle.items():
        assert abs(targets[mid] - x) < round_to + 1e-6 * max(total, 1)
        if hi[mid] is not None:
            assert targets[mid] < hi[mid] + round_to  # caps hold within one rounding unit
        assert targets[mid] > lo[mid] - round_to

    if method == "proportional" and max_growth is None and min_growth is None:
        grown = [(revenue[mid], result.targets[mid].required_growth) for mid in basis
                 if revenue[mid] > 0]
        held = sum(revenue[mid] for mid in basis)
        for rev_i, g_i in grown:
            assert g_i is not None
            assert abs(g_i - (total / held - 1)) < round_to / rev_i + 1e-9

    # equal split: whole units, sums to the total, each within one unit of total × fte share
    fte_sum = sum(m.fte for m in staying)
    equal = {m.manager_id: result.targets[m.manager_id].equal_split_target for m in staying}
    assert sum(equal.values()) == total
    for m in staying:
        assert abs(equal[m.manager_id] - total * m.fte / fte_sum) < round_to
