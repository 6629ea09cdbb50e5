"""Calibration: the coefficients that make the new scheme pay a given budget per period.

Closed form, no solver. The bases of the three components do not depend on the coefficients
(counts, revenues, and whether a manager's arrears rate is within the threshold), so the
department's total is linear in them::

    total = unit_reward × Q + coef_in_network × N + coef_profit × (P − D) − F

with Q the subscribers counted for the quantity reward, N the in-network revenue base, P the
profit base, D the arrears deducted inside the profit reward (managers within the threshold)
and F the fines (managers above it), all summed over managers. Fines do not scale with the
coefficients, so the three components together must pay ``gross = budget + F``; the mix
gives each its share of ``gross``, and each coefficient is ``share × gross ÷ base``. The
budget is then met exactly (to float precision), fines and deductions included.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rebalance.i18n import t
from rebalance.incentives.scheme import ManagerReward
from rebalance.scenario import Incentives

COMPONENTS: tuple[str, ...] = ("quantity", "in_network", "profit")
# component -> the setting it solves
COEFFICIENTS: dict[str, str] = {"quantity": "unit_reward", "in_network": "coef_in_network",
                                "profit": "coef_profit"}
# A manager's reward counts as unchanged within half a cent (the tables' rounding).
_SAME = 0.005


def component_bases(rewards: Sequence[ManagerReward]) -> dict[str, float]:
    """The department's base of each component: what its coefficient multiplies."""
    return {
        "quantity": float(sum(r.num_quantity for r in rewards)),
        "in_network": sum(r.revenue_in_network for r in rewards),
        "profit": sum(r.profit_base - (r.arrears if r.threshold_applied else 0.0)
                      for r in rewards),
    }


def old_total(rewards: Sequence[ManagerReward]) -> float:
    """What the old scheme pays on these subscribers (bonuses minus fines)."""
    return sum(r.old_reward for r in rewards)


@dataclass(frozen=True)
class Calibration:
    """Solved coefficients for a budget, and what each component pays with them."""

    budget: float
    from_old: bool  # the budget is the old scheme's total on the same subscribers
    fines: float  # new-scheme fines: fixed, taken back from the components
    gross: float  # budget + fines: what the three components pay together
    mix: Mapping[str, float]
    bases: Mapping[str, float]
    coefficients: Mapping[str, float]  # setting name -> solved value (rounded if asked)
    totals: Mapping[str, float]  # component -> what it pays
    digits: int | None = None  # significant digits the coefficients were rounded to

    @property
    def paid(self) -> float:
        """What the scheme pays with these coefficients: the budget, unless rounded."""
        return sum(self.totals.values()) - self.fines

    def settings(self, base: Incentives) -> Incentives:
        """``base`` with the solved coefficients and the budget they meet (validated again:
        profit > in-network)."""
        budget = "old" if self.from_old else self.budget
        return Incentives.model_validate({**base.model_dump(), **self.coefficients,
                                          "budget": budget})


class CalibrationImpossible(Exception):
    """No coefficients meet the budget; ``message(lang)`` says why, with the numbers."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        """The reason in ``lang``."""
        return t(self.key, lang, **self.values)


def _money(x: float) -> str:
    return f"{x + 0.0:,.2f}"  # + 0.0: no "-0.00"


def calibrate(rewards: Sequence[ManagerReward], settings: Incentives,
              budget: float | str) -> Calibration:
    """Coefficients that make ``rewards``' subscribers cost ``budget`` per period.

    ``rewards`` may come from any coefficients (only their bases are used); ``budget`` is a
    number or ``"old"``. With ``coefficient_digits`` the coefficients are rounded to that many
    significant digits (publishable figures), and ``paid`` then differs from the budget by
    the rounding. Raises ``CalibrationImpossible`` when fines alone exceed the budget,
    a component with a share has no base, or the mix makes coef_profit ≤ coef_in_network.
    """
    from_old = budget == "old"
    amount = old_total(rewards) if from_old else float(budget)
    fines = sum(r.fine for r in rewards)
    gross = amount + fines
    unit = settings.currency
    if gross <= 0:
        raise CalibrationImpossible("incentives.calibration.fines_exceed", budget=_money(amount),
                                    fines=_money(fines), floor=_money(-fines + 0.0),
                                    currency=unit)
    mix = {k: settings.mix.get(k, 0.0) for k in COMPONENTS}
    bases = component_bases(rewards)
    coefficients: dict[str, float] = {}
    for comp in COMPONENTS:
        share = mix[comp]
        if share > 0 and bases[comp] <= 0:
            raise CalibrationImpossible("incentives.calibration.no_base", component=comp,
                                        share=f"{share:g}", base=_money(bases[comp]))
        exact = share * gross / bases[comp] if share > 0 else 0.0
        digits = settings.coefficient_digits
        coefficients[COEFFICIENTS[comp]] = float(f"{exact:.{digits}g}") if digits else exact
    c_net, c_profit = coefficients["coef_in_network"], coefficients["coef_profit"]
    if not c_profit > c_net:
        ratio = bases["profit"] / bases["in_network"] if bases["in_network"] > 0 else math.inf
        raise CalibrationImpossible(
            "incentives.calibration.mix_order", profit=f"{c_profit:.6g}",
            in_network=f"{c_net:.6g}", share_profit=f"{mix['profit']:g}",
            share_in_network=f"{mix['in_network']:g}", ratio=f"{ratio:.4f}",
            profit_base=_money(bases["profit"]), in_network_base=_money(bases["in_network"]))
    totals = {comp: coefficients[COEFFICIENTS[comp]] * bases[comp] for comp in COMPONENTS}
    return Calibration(budget=amount, from_old=from_old, fines=fines, gross=gross, mix=mix,
                       bases=bases, coefficients=coefficients, totals=totals,
                       digits=settings.coefficient_digits)


# --------------------------------------------------------------------------- fairness


@dataclass(frozen=True)
class Spread:
    """Reward per subscriber across managers (those with subscribers)."""

    low: float
    median: float
    high: float
    cv: float  # standard deviation ÷ mean (population); nan when the mean is 0


def _spread(values: Sequence[float]) -> Spread:
    if not values:
        return Spread(math.nan, math.nan, math.nan, math.nan)
    mean = statistics.fmean(values)
    cv = statistics.pstdev(values) / abs(mean) if mean else math.nan
    return Spread(min(values), statistics.median(values), max(values), cv)


@dataclass(frozen=True)
class Fairness:
    """Who wins and who loses against the old scheme, and how even the pay per subscriber is."""

    num_gain: int
    num_lose: int
    num_same: int
    per_subscriber_new: Spread
    per_subscriber_old: Spread


def _gain_lose_same(diffs: Sequence[float]) -> tuple[int, int, int]:
    return (sum(1 for d in diffs if d > _SAME), sum(1 for d in diffs if d < -_SAME),
            sum(1 for d in diffs if abs(d) <= _SAME))


def plan_gains(rewards: Sequence[ManagerReward], book: Sequence[ManagerReward],
               ) -> tuple[int, int, int]:
    """Managers earning more, less and the same on a plan than on the current book (same
    scheme); both lists in the same manager order."""
    return _gain_lose_same([p.reward - b.reward for p, b in zip(rewards, book, strict=True)])


def fairness(rewards: Sequence[ManagerReward]) -> Fairness:
    """Gainers and losers (new vs old reward) and the spread of reward per subscriber."""
    gain, lose, same = _gain_lose_same([r.difference for r in rewards])
    held = [r for r in rewards if r.num_subscribers > 0]
    return Fairness(
        num_gain=gain, num_lose=lose, num_same=same,
        per_subscriber_new=_spread([r.reward / r.num_subscribers for r in held]),
        per_subscriber_old=_spread([r.old_reward / r.num_subscribers for r in held]),
    )
