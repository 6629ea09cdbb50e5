"""The department's incentive scheme per manager, beside the old one, and a what-if.

Modules: ``subscribers`` (reading, attribution), ``scheme`` (the rules), ``calibrate``
(budget, fairness), ``whatif``, ``tables``.

New scheme (the proposal), for one manager over one evaluation period, with the settings of
``Scenario.incentives`` (defaults in brackets):

- quantity reward   = ``unit_reward`` [30] × number of subscribers counted for it: with
  ``quantity_basis: flow`` [default] those who reached ``months_quantity`` [3] during the
  period of ``period_months`` [12] (each subscriber is paid once), with ``stock`` every
  subscriber past it;
- in-network reward = ``coef_in_network`` [0.02] × revenue of subscribers with tenure ≥
  ``months_in_network`` [6];
- profit reward     = ``coef_profit`` [0.05] × (revenue − terminal cost) of subscribers with
  tenure ≥ ``months_profit`` [24];
- arrears rate      = arrears ÷ revenue over *all* the manager's subscribers. At or below
  ``arrears_threshold`` [0.05] the threshold applies: no fine, but ``coef_profit`` × arrears
  is deducted inside the profit reward. Above it: fine = ``fine_rate`` [0.5] × arrears.
  Revenue 0 and arrears 0 is a rate of 0; revenue 0 with arrears > 0 is an infinite rate,
  i.e. above any threshold;
- reward = quantity + in-network + profit − fine (profit already net of the deduction).

Old scheme: bonus = ``old_unit_reward`` [30] × number of *new* subscribers (tenure <
``new_months`` [12]), fine = ``fine_rate`` × arrears whatever the rate; reward = bonus − fine.

Subscribers count for the manager of their client in a plan (``attribute``); ``calibrate``
solves the three coefficients for a budget (closed form); ``fairness`` says who gains.

Nothing is clipped at zero: a reward can be negative, which is exactly the proposal's point
about the old scheme.
"""


from __future__ import annotations

from rebalance.incentives.calibrate import (
    COMPONENTS,
    Calibration,
    CalibrationImpossible,
    Fairness,
    calibrate,
    component_bases,
    fairness,
    old_total,
    plan_gains,
)
from rebalance.incentives.scheme import (
    ManagerReward,
    arrears_rate,
    compute_rewards,
    counts_for_quantity,
    manager_reward,
    quantity_window,
)
from rebalance.incentives.subscribers import (
    SUBSCRIBER_COLUMNS,
    Subscriber,
    attribute,
    complete_months,
    read_subscribers,
)
from rebalance.incentives.tables import (
    calibration_table,
    rewards_table,
    scheme_yaml,
    settings_table,
    summary_items,
    summary_table,
    whatif_table,
)
from rebalance.incentives.whatif import HandsetProfile, WhatIfRow, whatif, whatif_period_book

__all__ = [
    "COMPONENTS", "SUBSCRIBER_COLUMNS", "Calibration", "CalibrationImpossible", "Fairness",
    "HandsetProfile", "ManagerReward", "Subscriber", "WhatIfRow", "arrears_rate", "attribute",
    "calibrate", "calibration_table", "complete_months", "component_bases", "compute_rewards",
    "counts_for_quantity", "fairness", "manager_reward", "old_total", "plan_gains",
    "quantity_window", "read_subscribers", "rewards_table", "scheme_yaml", "settings_table",
    "summary_items", "summary_table", "whatif", "whatif_period_book", "whatif_table",
]
