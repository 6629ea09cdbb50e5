"""Calibration to a budget, the quantity readings, monotonicity, attribution through plans and
the fairness figures — on the bundled sample (3,000 subscribers, 18 managers) and tiny books."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rebalance.incentives import (
    COMPONENTS,
    CalibrationImpossible,
    Subscriber,
    attribute,
    calibrate,
    component_bases,
    compute_rewards,
    counts_for_quantity,
    fairness,
    manager_reward,
    old_total,
    read_subscribers,
    whatif,
)
from rebalance.io.read import load_problem
from rebalance.scenario import Incentives, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SAMPLE = ROOT / "scenarios" / "data" / "subscribers.csv"


@cache
def sample() -> tuple[list[tuple[str, str]], tuple[Subscriber, ...], dict[str, str | None]]:
    """The bundled baseline: managers, subscribers on the current book, client -> manager."""
    scenario = load_scenario(BASELINE)
    problem = load_problem(scenario)
    managers = [(m.manager_id, m.name) for m in problem.managers]
    subs = read_subscribers(SAMPLE, known_managers=[m for m, _ in managers],
                            known_clients=problem.client_index)
    book = {c.client_id: c.manager for c in problem.clients}
    return managers, attribute(subs, book), book


def total(settings_: Incentives) -> float:
    managers, subs, _ = sample()
    return sum(r.reward for r in compute_rewards(subs, settings_, managers))


# --------------------------------------------------------------------------- calibration


@pytest.mark.parametrize("mix", [
    {"quantity": 0.2, "in_network": 0.3, "profit": 0.5},  # the default
    {"quantity": 0.0, "in_network": 0.2, "profit": 0.8},
    {"quantity": 0.6, "in_network": 0.1, "profit": 0.3},
    {"quantity": 0.34, "in_network": 0.33, "profit": 0.33},
])
@pytest.mark.parametrize("budget", [3482.87, 20_000, 150_000.5])
@pytest.mark.parametrize("basis", ["flow", "stock"])
def test_calibration_hits_the_budget_for_several_mixes(mix: dict[str, float], budget: float,
                                                       basis: str) -> None:
    """The scheme with the solved coefficients, scored by manager_reward itself, pays the
    budget (fines and deductions included) to the cent, and each component its share."""
    managers, subs, _ = sample()
    base = Incentives(mix=mix, quantity_basis=basis)
    cal = calibrate(compute_rewards(subs, base, managers), base, budget)
    solved = cal.settings(base)
    rewards = compute_rewards(subs, solved, managers)
    assert sum(r.reward for r in rewards) == pytest.approx(budget, abs=0.005)
    fines = sum(r.fine for r in rewards)
    assert fines == pytest.approx(cal.fines)  # fines do not depend on the coefficients
    paid = {"quantity": sum(r.quantity_reward for r in rewards),
            "in_network": sum(r.in_network_reward for r in rewards),
            "profit": sum(r.profit_reward for r in rewards)}
    for comp, share in mix.items():
        assert paid[comp] == pytest.approx(share * (budget + fines), abs=0.005)
    assert solved.coef_profit > solved.coef_in_network


def test_budget_old_equals_the_old_total() -> None:
    """budget "old": the new scheme pays exactly what the old one pays on the same book."""
    managers, subs, _ = sample()
    rewards = compute_rewards(subs, Incentives(), managers)
    cal = calibrate(rewards, Incentives(), "old")
    assert cal.from_old and cal.budget == pytest.approx(old_total(rewards))
    assert total(cal.settings(Incentives())) == pytest.approx(old_total(rewards), abs=0.005)
    assert old_total(rewards) == pytest.approx(3482.87, abs=0.01)  # the sample's old total


def test_fines_alone_exceeding_the_budget_is_impossible_with_the_numbers() -> None:
    """A budget the fixed fines already overshoot: refused, naming budget and fines."""
    managers, subs, _ = sample()
    rewards = compute_rewards(subs, Incentives(), managers)
    fines = sum(r.fine for r in rewards)
    with pytest.raises(CalibrationImpossible) as caught:
        calibrate(rewards, Incentives(), -fines - 1)
    text = caught.value.message("en")
    assert f"{fines:,.2f}" in text and "at least" in text
    assert "罚款" in caught.value.message("zh")


def test_a_mix_contradicting_profit_above_in_network_is_impossible() -> None:
    """Too little profit share for the bases: coef_profit would not exceed coef_in_network."""
    managers, subs, _ = sample()
    mix = {"quantity": 0.2, "in_network": 0.7, "profit": 0.1}
    base = Incentives(mix=mix)
    rewards = compute_rewards(subs, base, managers)
    bases = component_bases(rewards)
    with pytest.raises(CalibrationImpossible) as caught:
        calibrate(rewards, base, 10_000)
    text = caught.value.message("en")
    assert "coef_profit" in text and f"{bases['profit'] / bases['in_network']:.4f}" in text


def test_a_share_without_base_is_impossible() -> None:
    """A component with a share but nothing to pay it on (no subscriber past 24 months)."""
    subs = [Subscriber("s1", "A", 10, 100)]
    with pytest.raises(CalibrationImpossible, match="profit"):
        calibrate(compute_rewards(subs, Incentives()), Incentives(), 100)


@pytest.mark.parametrize("mix", [{"quantity": 0.5, "in_network": 0.2, "profit": 0.2},
                                 {"quantity": -0.1, "in_network": 0.5, "profit": 0.6},
                                 {"quantity": 0.2, "network": 0.3, "profit": 0.5}])
def test_mix_must_be_shares_of_known_components(mix: dict[str, float]) -> None:
    """Shares must be ≥ 0, add up to 1 and name quantity, in_network and profit."""
    with pytest.raises(ValueError, match="mix"):
        Incentives(mix=mix)


# --------------------------------------------------------------------------- monotone


books = st.lists(
    st.tuples(st.sampled_from("ABC"), st.integers(0, 40), st.integers(0, 2000),
              st.integers(0, 1500), st.integers(0, 200)),
    min_size=1, max_size=25,
).map(lambda rows: [Subscriber(f"s{i}", m, tenure_months=t, revenue=r, terminal_cost=c,
                               arrears=a) for i, (m, t, r, c, a) in enumerate(rows)])


@settings(max_examples=60, deadline=None)
@given(books, st.sampled_from(["unit_reward", "coef_in_network", "coef_profit"]),
       st.floats(0.001, 5), st.sampled_from(["stock", "flow"]))
def test_reward_is_monotone_in_each_coefficient(subs: list[Subscriber], name: str,
                                                step: float, basis: str) -> None:
    """Raising one coefficient changes every manager's reward by step × its base: never down
    for the quantity and in-network coefficients; for coef_profit in the direction of the
    profit base net of deductions (down only where terminal costs exceed revenue)."""
    low = Incentives(unit_reward=10, coef_in_network=0.01, coef_profit=0.03,
                     quantity_basis=basis)
    high = low.model_copy(update={name: getattr(low, name) + step})
    for a, b in zip(compute_rewards(subs, low), compute_rewards(subs, high), strict=True):
        base = {"unit_reward": a.num_quantity, "coef_in_network": a.revenue_in_network,
                "coef_profit": a.profit_base - (a.arrears if a.threshold_applied else 0.0),
                }[name]
        assert b.reward - a.reward == pytest.approx(step * base, abs=1e-6)
        if name != "coef_profit" or base >= 0:
            assert b.reward >= a.reward - 1e-9


# --------------------------------------------------------------------------- readings


def test_flow_counts_those_who_reached_the_tier_this_period() -> None:
    """flow: 3 ≤ tenure < 3 + period; stock: every tenure ≥ 3."""
    flow = Incentives(quantity_basis="flow", period_months=12)
    stock = Incentives(quantity_basis="stock")
    assert [counts_for_quantity(m, flow) for m in (2, 3, 14.5, 15, 40)] == [
        False, True, True, False, False]
    assert [counts_for_quantity(m, stock) for m in (2, 3, 15, 40)] == [False, True, True, True]
    assert counts_for_quantity(8, Incentives(period_months=6)) is True
    assert counts_for_quantity(9, Incentives(period_months=6)) is False


def test_flow_pays_each_handset_buyer_once_in_the_whatif() -> None:
    """Over three periods the flow quantity reward of N stayers is N × unit, not 3 × N × unit."""
    rows = whatif([10], Incentives())  # 2 non-payers, 8 stayers; all reach 3 months
    assert rows[0].new_quantity == pytest.approx(30 * 10)
    stock = whatif([10], Incentives(quantity_basis="stock"))
    assert stock[0].new_quantity > rows[0].new_quantity


# --------------------------------------------------------------------------- plans


def test_two_plans_differ_exactly_by_the_moved_clients_subscribers() -> None:
    """Attributing the same subscribers through the book and a plan that moves five clients:
    exactly the subscribers of those clients change manager, each to the client's new one,
    and per manager the counts differ by moved in minus moved out."""
    managers, subs, book = sample()
    clients = sorted({s.client_id for s in subs if s.client_id})
    ids = [m for m, _ in managers]
    moved = {c: ids[(ids.index(book[c] or ids[0]) + 1) % len(ids)] for c in clients[:50:10]}
    plan = {**book, **moved}
    on_plan = attribute(subs, plan)
    changed = {a.subscriber_id for a, b in zip(subs, on_plan, strict=True)
               if a.manager != b.manager}
    assert changed == {s.subscriber_id for s in subs if s.client_id in moved}
    assert all(b.manager == moved[b.client_id] for b in on_plan if b.subscriber_id in changed)
    before = {r.manager_id: r.num_subscribers for r in compute_rewards(subs, Incentives(),
                                                                        managers)}
    after = {r.manager_id: r.num_subscribers for r in compute_rewards(on_plan, Incentives(),
                                                                       managers)}
    for m in ids:
        gained = sum(1 for s in subs if s.client_id in moved and moved[s.client_id] == m)
        lost = sum(1 for s in subs if s.client_id in moved and s.manager == m)
        assert after[m] - before[m] == gained - lost


def test_a_subscriber_without_client_keeps_its_manager_column() -> None:
    """No client (or a client without a manager in the plan): the manager column stands."""
    subs = [Subscriber("a", "M1", 5, 10, client_id=""), Subscriber("b", "M1", 5, 10,
                                                                   client_id="C9"),
            Subscriber("c", "M1", 5, 10, client_id="C1")]
    out = attribute(subs, {"C1": "M2", "C9": None})
    assert [s.manager for s in out] == ["M1", "M1", "M2"]


# --------------------------------------------------------------------------- fairness


def test_fairness_counts_gainers_and_losers_and_the_spread() -> None:
    """Gain/lose by new − old reward; spread of reward per subscriber across managers."""
    s = Incentives(quantity_basis="stock")
    subs = [Subscriber("a", "A", 30, 1000), Subscriber("b", "B", 1, 0, arrears=100),
            Subscriber("c", "C", 1, 0)]
    rewards = compute_rewards(subs, s)
    f = fairness(rewards)
    # A: new 30 + 20 + 50 = 100 > old 0; B: new −50 = old −50 + 30 → loses 30; C: 0 vs 30
    assert (f.num_gain, f.num_lose, f.num_same) == (1, 2, 0)
    per = sorted(r.reward / r.num_subscribers for r in rewards)
    assert (f.per_subscriber_new.low, f.per_subscriber_new.high) == (per[0], per[-1])
    assert manager_reward("B", subs[1:2], s).reward == pytest.approx(-50)


@pytest.mark.parametrize("digits", [2, 3, 4])
def test_rounded_coefficients_miss_the_budget_only_by_the_rounding(digits: int) -> None:
    """coefficient_digits: publishable coefficients (that many significant digits); the
    scheme, rescored with them, pays ``paid``, within half a unit of the last digit × base
    of the budget — and still keeps coef_profit > coef_in_network."""
    managers, subs, _ = sample()
    base = Incentives(coefficient_digits=digits)
    cal = calibrate(compute_rewards(subs, base, managers), base, 40_000)
    for value in cal.coefficients.values():
        assert float(f"{value:.{digits}g}") == value
    assert total(cal.settings(base)) == pytest.approx(cal.paid, abs=0.005)
    bound = sum(0.5 * 10 ** (math.floor(math.log10(value)) - digits + 1) * cal.bases[comp]
                for comp, value in zip(COMPONENTS, cal.coefficients.values(), strict=True))
    assert abs(cal.paid - 40_000) <= bound
    assert cal.coefficients["coef_profit"] > cal.coefficients["coef_in_network"]
