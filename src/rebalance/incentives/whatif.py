"""What-if: the extra reward a manager earns over a horizon by selling N bundled handsets.

Each period of a synthetic book is scored with the same ``manager_reward`` as the real table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rebalance.i18n import t
from rebalance.incentives.scheme import ManagerReward, manager_reward
from rebalance.incentives.subscribers import Subscriber
from rebalance.scenario import Incentives


@dataclass(frozen=True)
class HandsetProfile:
    """The expected life of bundled-handset subscribers, for the what-if.

    N handsets are sold in the middle of the first evaluation period (sales spread over the
    period, so they have half a period of tenure at its end). A share ``churn`` of them pays
    ``paid_months`` months, then stops paying and is cut off after ``arrears_months`` more
    months, leaving that many months of fees as arrears; the others stay and pay
    ``monthly_revenue`` every month. Revenue is the billed amount (arrears included). Each
    stayer's handset ``subsidy`` is counted once, as terminal cost in the first period in
    which they reach the profit tier. The manager also holds a base book of
    ``base_subscribers`` long-standing subscribers paying the same monthly revenue with
    arrears ``base_arrears_rate`` of it, so the arrears rate is that of a whole book.
    """

    monthly_revenue: float = 96.0
    subsidy: float = 1200.0
    churn: float = 0.2
    paid_months: int = 3
    arrears_months: int = 3
    base_subscribers: int = 100
    base_arrears_rate: float = 0.01
    period_months: int = 12
    horizon_months: int = 36

    def problems(self, lang: str = "en") -> list[str]:
        """Plain-words problems with the profile, in ``lang`` (empty when it is usable)."""
        out = []
        if not 0 <= self.churn <= 1:
            out.append(t("incentives.profile.churn", lang, value=f"{self.churn:g}"))
        for name in ("monthly_revenue", "subsidy", "base_arrears_rate", "paid_months",
                     "arrears_months", "base_subscribers"):
            if getattr(self, name) < 0:
                out.append(t("incentives.profile.negative", lang, name=name,
                             value=f"{getattr(self, name):g}"))
        if self.period_months < 1:
            out.append(t("incentives.profile.period", lang, value=self.period_months))
        if self.horizon_months < self.period_months:
            out.append(t("incentives.profile.horizon", lang, horizon=self.horizon_months,
                         period=self.period_months))
        return out

    @property
    def num_periods(self) -> int:
        return math.ceil(self.horizon_months / self.period_months)


@dataclass(frozen=True)
class WhatIfRow:
    """Extra reward a manager earns over the horizon by selling ``num_handsets``."""

    num_handsets: int
    num_churners: int
    arrears_rate: float  # worst period's arrears rate of the whole book
    threshold_applied: bool  # the threshold applied in every period
    old_bonus: float
    old_fine: float
    old_reward: float
    new_quantity: float
    new_in_network: float
    new_profit: float
    new_fine: float
    new_reward: float

    @property
    def difference(self) -> float:
        return self.new_reward - self.old_reward


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def whatif_period_book(num_handsets: int, profile: HandsetProfile, period: int,
                       settings: Incentives) -> list[Subscriber]:
    """The synthetic subscribers table of one period (1-based) of the what-if."""
    p = profile
    start, end = (period - 1) * p.period_months, period * p.period_months
    sale = p.period_months / 2
    churners = math.floor(num_handsets * p.churn + 0.5)
    out: list[Subscriber] = []
    for i in range(p.base_subscribers):
        revenue = p.monthly_revenue * p.period_months
        out.append(Subscriber(f"B{i}", "W", tenure_months=settings.months_profit + end,
                              revenue=revenue, arrears=revenue * p.base_arrears_rate))
    stay_tenure = end - sale
    reaches_profit = (stay_tenure >= settings.months_profit
                      and stay_tenure - p.period_months < settings.months_profit)
    for i in range(num_handsets - churners):
        months = _overlap(sale, math.inf, start, end)
        if months <= 0:
            continue
        out.append(Subscriber(f"S{i}", "W", tenure_months=stay_tenure,
                              revenue=p.monthly_revenue * months,
                              terminal_cost=p.subsidy if reaches_profit else 0.0))
    cut_off = sale + p.paid_months + p.arrears_months
    for i in range(churners):
        months = _overlap(sale, cut_off, start, end)
        if months <= 0:
            continue
        unpaid = _overlap(sale + p.paid_months, cut_off, start, end)
        tenure = min(cut_off, end) - sale
        out.append(Subscriber(f"C{i}", "W", tenure_months=tenure,
                              revenue=p.monthly_revenue * months,
                              arrears=p.monthly_revenue * unpaid))
    return out


def whatif(counts: Sequence[int], settings: Incentives,
           profile: HandsetProfile = HandsetProfile()) -> list[WhatIfRow]:
    """For each N in ``counts``: the extra reward over the horizon from selling N handsets.

    Each period is scored by ``manager_reward`` on the synthetic book of that period (see
    ``HandsetProfile``); the figures are summed over the periods of the horizon and the base
    book's own reward is subtracted, so N = 0 gives zeros. The profile's period is the
    scheme's period here (it decides who the flow quantity reward counts).
    """
    settings = settings.model_copy(update={"period_months": profile.period_months})

    def totals(n: int) -> tuple[list[ManagerReward], dict[str, float]]:
        per = [manager_reward("W", whatif_period_book(n, profile, k, settings), settings)
               for k in range(1, profile.num_periods + 1)]
        keys = ("old_bonus", "old_fine", "old_reward", "quantity_reward",
                "in_network_reward", "profit_reward", "fine", "reward")
        return per, {k: sum(getattr(r, k) for r in per) for k in keys}

    _, base = totals(0)
    rows = []
    for n in counts:
        per, tot = totals(n)
        d = {k: tot[k] - base[k] for k in tot}
        rows.append(WhatIfRow(
            num_handsets=n, num_churners=math.floor(n * profile.churn + 0.5),
            arrears_rate=max(r.arrears_rate for r in per),
            threshold_applied=all(r.threshold_applied for r in per),
            old_bonus=d["old_bonus"], old_fine=d["old_fine"], old_reward=d["old_reward"],
            new_quantity=d["quantity_reward"], new_in_network=d["in_network_reward"],
            new_profit=d["profit_reward"], new_fine=d["fine"], new_reward=d["reward"],
        ))
    return rows
