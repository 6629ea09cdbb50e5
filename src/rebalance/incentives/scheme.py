"""The new scheme and the old one, for one manager over one evaluation period.

See the package docstring for the rules; ``manager_reward`` is their one implementation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rebalance.incentives.subscribers import Subscriber
from rebalance.scenario import Incentives

# A rate equal to the threshold counts as "at or below" despite float noise (5/100 vs 0.05).
_RATE_EPS = 1e-12


def quantity_window(settings: Incentives) -> tuple[float, float]:
    """Tenures [low, high) that earn the quantity reward this period.

    ``stock``: every subscriber past ``months_quantity``. ``flow``: only those who reached
    it during the period, i.e. ``months_quantity`` ≤ tenure < ``months_quantity`` +
    ``period_months`` at the period's end — each subscriber is paid once.
    """
    low = float(settings.months_quantity)
    if settings.quantity_basis == "stock":
        return low, math.inf
    return low, low + settings.period_months


def counts_for_quantity(tenure_months: float, settings: Incentives) -> bool:
    """Whether a subscriber with this tenure earns the quantity reward (``quantity_window``)."""
    low, high = quantity_window(settings)
    return low <= tenure_months < high


@dataclass(frozen=True)
class ManagerReward:
    """One manager's reward under the new scheme, with the old scheme's beside it."""

    manager_id: str
    name: str
    num_subscribers: int
    num_quantity: int  # counted for the quantity reward (see counts_for_quantity)
    revenue: float
    revenue_in_network: float  # revenue of subscribers with tenure ≥ months_in_network
    profit_base: float  # revenue − terminal cost of subscribers with tenure ≥ months_profit
    terminal_cost: float
    arrears: float
    arrears_rate: float  # math.inf when revenue is 0 and arrears > 0
    threshold_applied: bool  # rate ≤ threshold: no fine, arrears deducted in the profit reward
    quantity_reward: float
    in_network_reward: float
    arrears_deduction: float  # coef_profit × arrears, already inside profit_reward
    profit_reward: float
    fine: float
    reward: float
    num_new: int  # old scheme: tenure < new_months
    old_bonus: float
    old_fine: float
    old_reward: float

    @property
    def difference(self) -> float:
        """New reward minus old reward."""
        return self.reward - self.old_reward


def arrears_rate(arrears: float, revenue: float) -> float:
    """arrears ÷ revenue; 0 when both are 0, infinite when only revenue is 0."""
    if revenue > 0:
        return arrears / revenue
    return 0.0 if arrears <= 0 else math.inf


def manager_reward(manager_id: str, subscribers: Iterable[Subscriber], settings: Incentives,
                   name: str = "") -> ManagerReward:
    """The reward of one manager from their subscribers of the period (see module docs)."""
    s = settings
    q_low, q_high = quantity_window(s)
    in_network, profit, new = s.months_in_network, s.months_profit, s.new_months
    num_subscribers = num_quantity = num_new = 0
    revenue = arrears = terminal_cost = revenue_in_network = profit_base = 0.0
    for x in subscribers:  # one pass: tables of 10^5-10^6 subscribers
        tenure = x.tenure_months
        num_subscribers += 1
        revenue += x.revenue
        arrears += x.arrears
        terminal_cost += x.terminal_cost
        if q_low <= tenure < q_high:
            num_quantity += 1
        if tenure >= in_network:
            revenue_in_network += x.revenue
        if tenure >= profit:
            profit_base += x.revenue - x.terminal_cost
        if tenure < new:
            num_new += 1
    rate = arrears_rate(arrears, revenue)
    applied = rate <= s.arrears_threshold + _RATE_EPS
    deduction = s.coef_profit * arrears if applied else 0.0
    fine = 0.0 if applied else s.fine_rate * arrears
    quantity_reward = s.unit_reward * num_quantity
    in_network_reward = s.coef_in_network * revenue_in_network
    profit_reward = s.coef_profit * profit_base - deduction
    old_bonus = s.old_unit_reward * num_new
    old_fine = s.fine_rate * arrears
    return ManagerReward(
        manager_id=manager_id, name=name, num_subscribers=num_subscribers,
        num_quantity=num_quantity, revenue=revenue, revenue_in_network=revenue_in_network,
        profit_base=profit_base, terminal_cost=terminal_cost,
        arrears=arrears, arrears_rate=rate, threshold_applied=applied,
        quantity_reward=quantity_reward, in_network_reward=in_network_reward,
        arrears_deduction=deduction, profit_reward=profit_reward, fine=fine,
        reward=quantity_reward + in_network_reward + profit_reward - fine,
        num_new=num_new, old_bonus=old_bonus, old_fine=old_fine,
        old_reward=old_bonus - old_fine,
    )


def compute_rewards(
    subscribers: Iterable[Subscriber],
    settings: Incentives,
    managers: Sequence[tuple[str, str]] | None = None,
) -> list[ManagerReward]:
    """Rewards of every manager.

    ``managers`` is (manager_id, name) in the book's order: every one of them gets a row, even
    without subscribers; managers only met in the subscribers table follow, sorted by id.
    Without ``managers``, the rows are the subscribers' managers sorted by id.
    """
    by_manager: dict[str, list[Subscriber]] = {}
    for sub in subscribers:
        by_manager.setdefault(sub.manager, []).append(sub)
    order = list(managers or ())
    listed = {m for m, _ in order}
    order += [(m, "") for m in sorted(by_manager) if m not in listed]
    return [manager_reward(m, by_manager.get(m, ()), settings, name) for m, name in order]
