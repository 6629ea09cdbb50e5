"""The incentives' tables (pandas), in English or Chinese through the message catalog.

Every table carries its unit: per-manager and what-if tables end with ``currency`` and
``period_months`` (``horizon_months`` for the what-if); the summary and calibration tables
have them as rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import pandas as pd

from rebalance.i18n import t
from rebalance.incentives.calibrate import (
    COEFFICIENTS,
    COMPONENTS,
    Calibration,
    Fairness,
    plan_gains,
)
from rebalance.incentives.scheme import ManagerReward
from rebalance.incentives.whatif import HandsetProfile, WhatIfRow
from rebalance.scenario import Incentives

REWARD_COLUMNS: tuple[str, ...] = (
    "manager_id", "name", "num_subscribers", "num_quantity", "revenue", "revenue_in_network",
    "profit_base", "terminal_cost", "arrears", "arrears_rate", "threshold_applied",
    "quantity_reward", "in_network_reward", "arrears_deduction", "profit_reward", "fine",
    "reward", "num_new", "old_bonus", "old_fine", "old_reward", "difference",
    "reward_per_subscriber", "old_reward_per_subscriber",
)
# only when the rewards follow a plan: the same scheme on the current book, and the change
PLAN_COLUMNS: tuple[str, ...] = ("num_moved_subscribers", "book_reward", "plan_change")
WHATIF_COLUMNS: tuple[str, ...] = (
    "num_handsets", "num_churners", "arrears_rate", "threshold_applied", "old_bonus",
    "old_fine", "old_reward", "new_quantity", "new_in_network", "new_profit", "new_fine",
    "new_reward", "difference",
)
# money columns: shown with two decimals (and the currency in the workbook)
MONEY: frozenset[str] = frozenset({
    "revenue", "revenue_in_network", "profit_base", "terminal_cost", "arrears",
    "quantity_reward", "in_network_reward", "arrears_deduction", "profit_reward", "fine",
    "reward", "old_bonus", "old_fine", "old_reward", "difference", "new_quantity",
    "new_in_network", "new_profit", "new_fine", "new_reward", "book_reward", "plan_change",
    "reward_per_subscriber", "old_reward_per_subscriber", "total",
})


def header(key: str, lang: str) -> str:
    """A column's header in ``lang``."""
    return t(f"incentives.col.{key}", lang)


def _cell(key: str, value: Any, lang: str) -> Any:
    """Money rounded to 2 decimals, rates to 4 (an infinite rate is left blank)."""
    if key == "threshold_applied":
        return t("common.yes" if value else "common.no", lang) if lang == "zh" else bool(value)
    if key in ("coefficient", "share"):
        return value  # solved coefficients are written in full (see calibration_table)
    if key == "arrears_rate":
        return math.nan if math.isinf(value) else round(value, 4) + 0.0
    if isinstance(value, float):
        return round(value, 2) + 0.0 if math.isfinite(value) else math.nan  # -0.0 → 0.0
    return value


def _frame(rows: Iterable[dict[str, Any]], columns: Sequence[str], lang: str) -> pd.DataFrame:
    data = [{header(k, lang): _cell(k, row[k], lang) for k in columns} for row in rows]
    return pd.DataFrame(data, columns=[header(k, lang) for k in columns])


def _unit_values(settings: Incentives) -> dict[str, Any]:
    return {"currency": settings.currency, "period_months": settings.period_months}


def rewards_table(rewards: Iterable[ManagerReward], settings: Incentives, lang: str = "en",
                  book: Sequence[ManagerReward] | None = None,
                  moved: dict[str, int] | None = None) -> pd.DataFrame:
    """One row per manager: components, arrears rate, threshold, new and old totals.

    With ``book`` (the same scheme on the current book) the plan's columns follow:
    subscribers that moved in with clients (``moved``), reward on the book, and the change.
    """
    book_by_id = {r.manager_id: r for r in book or ()}
    rows, columns = [], [*REWARD_COLUMNS]
    if book is not None:
        columns += PLAN_COLUMNS
    columns += ["currency", "period_months"]
    for r in rewards:
        row: dict[str, Any] = {f.name: getattr(r, f.name) for f in fields(r)}
        row["difference"] = r.difference
        subs = r.num_subscribers
        row["reward_per_subscriber"] = r.reward / subs if subs else math.nan
        row["old_reward_per_subscriber"] = r.old_reward / subs if subs else math.nan
        if book is not None:
            on_book = book_by_id[r.manager_id].reward if r.manager_id in book_by_id else 0.0
            row.update(num_moved_subscribers=(moved or {}).get(r.manager_id, 0),
                       book_reward=on_book, plan_change=r.reward - on_book)
        rows.append({**row, **_unit_values(settings)})
    return _frame(rows, columns, lang)


def whatif_table(rows: Iterable[WhatIfRow], settings: Incentives, profile: HandsetProfile,
                 lang: str = "en") -> pd.DataFrame:
    """One row per N: extra reward over the horizon under the old and the new scheme."""
    data = [{**{f.name: getattr(w, f.name) for f in fields(w)}, "difference": w.difference,
             "currency": settings.currency, "horizon_months": profile.horizon_months}
            for w in rows]
    return _frame(data, [*WHATIF_COLUMNS, "currency", "horizon_months"], lang)


def _setting_value(key: str, value: Any, lang: str) -> Any:
    if key == "quantity_basis":
        return t(f"incentives.basis.{value}", lang)
    if key == "budget" and value == "old":
        return t("incentives.item.budget_old", lang)
    if key == "mix":
        return ", ".join(f"{t(f'incentives.component.{k}', lang)} {v:g}"
                         for k, v in value.items())
    return "" if value is None else value


def settings_table(settings: Incentives, profile: HandsetProfile | None = None,
                   lang: str = "en") -> pd.DataFrame:
    """The scheme's settings (and the what-if profile) as a two-column table."""
    items: list[tuple[str, Any]] = list(settings.model_dump().items())
    if profile is not None:
        items += [(f.name, getattr(profile, f.name)) for f in fields(profile)
                  if f.name != "period_months"]  # the scheme's period, listed above
    return pd.DataFrame({header("setting", lang): [t(f"incentives.setting.{k}", lang)
                                                   for k, _ in items],
                         header("value", lang): [_setting_value(k, v, lang)
                                                 for k, v in items]})


def calibration_table(cal: Calibration, settings: Incentives, lang: str = "en") -> pd.DataFrame:
    """Per component: share of the budget, base, solved coefficient, what it pays; then the
    fines taken back and the total, which is the budget (up to the coefficients' rounding)."""
    rows: list[dict[str, Any]] = []
    for comp in COMPONENTS:
        setting = COEFFICIENTS[comp]
        rows.append({"component": t(f"incentives.component.{comp}", lang),
                     "share": cal.mix[comp], "base": round(cal.bases[comp], 2) + 0.0,
                     "setting": t(f"incentives.setting.{setting}", lang),
                     # text, so CSV keeps 10 significant digits (its floats keep 6 decimals)
                     "coefficient": f"{cal.coefficients[setting]:.10g}",
                     "total": cal.totals[comp]})
    rows.append({"component": t("incentives.component.fines", lang), "share": math.nan,
                 "base": math.nan, "setting": "", "coefficient": "",
                 "total": -cal.fines})
    rows.append({"component": t("incentives.component.total", lang), "share": 1.0,
                 "base": math.nan, "setting": "", "coefficient": "", "total": cal.paid})
    for row in rows:
        row.update(_unit_values(settings))
    columns = ["component", "share", "base", "setting", "coefficient", "total", "currency",
               "period_months"]
    return _frame(rows, columns, lang)


def summary_items(rewards: Sequence[ManagerReward], fair: Fairness, settings: Incentives,
                  plan: str, book: Sequence[ManagerReward] | None = None,
                  cal: Calibration | None = None) -> list[tuple[str, Any]]:
    """(item key, value) of the department's figures: totals, who gains, spread."""
    def total(key: str) -> float:
        return round(sum(getattr(r, key) for r in rewards), 2) + 0.0

    def spread(key: str, s: Any) -> list[tuple[str, Any]]:
        return [(f"{key}_{part}", round(getattr(s, part), 2) + 0.0)
                for part in ("low", "median", "high")] + [(f"cv_{key}", round(s.cv, 4))]

    items: list[tuple[str, Any]] = [
        ("plan", plan), ("currency", settings.currency),
        ("period_months", settings.period_months),
        ("quantity_basis", settings.quantity_basis),
    ]
    if cal is not None:
        items.append(("budget_old" if cal.from_old else "budget", round(cal.budget, 2) + 0.0))
        if cal.digits:
            items.append(("coefficient_digits", cal.digits))
    items += [("total_quantity", total("quantity_reward")),
              ("total_in_network", total("in_network_reward")),
              ("total_profit", total("profit_reward")), ("total_fine", total("fine")),
              ("total_new", total("reward")), ("total_old", total("old_reward"))]
    if book is not None:
        gain, lose, _ = plan_gains(rewards, book)
        items += [("total_book", round(sum(r.reward for r in book), 2) + 0.0),
                  ("num_gain_plan", gain), ("num_lose_plan", lose)]
    items += [("num_gain", fair.num_gain), ("num_lose", fair.num_lose),
              ("num_same", fair.num_same),
              *spread("new", fair.per_subscriber_new),
              *spread("old", fair.per_subscriber_old)]
    return items


def summary_table(items: Sequence[tuple[str, Any]], lang: str = "en") -> pd.DataFrame:
    """The summary items as a two-column table (item, value)."""
    def value(key: str, v: Any) -> Any:
        return t(f"incentives.basis.{v}", lang) if key == "quantity_basis" else v

    return pd.DataFrame({header("item", lang): [t(f"incentives.item.{k}", lang)
                                                for k, _ in items],
                         header("value", lang): [value(k, v) for k, v in items]})


def scheme_yaml(settings: Incentives, cal: Calibration, scenario: Path, out_dir: Path,
                subscribers: Path | None, lang: str = "en") -> str:
    """The calibrated scheme as a scenario to adopt: ``extends:`` the run's scenario (and
    its subscribers table) with the solved ``incentives:`` section and no budget, so running
    it pays the same without solving again. Paths are relative to ``out_dir``."""
    import os

    import yaml

    def where(path: Path) -> str:
        try:
            return Path(os.path.relpath(path.resolve(), out_dir.resolve())).as_posix()
        except ValueError:  # another drive: keep it absolute
            return path.resolve().as_posix()

    section = {**settings.model_dump(), "budget": None}
    data: dict[str, Any] = {"extends": where(scenario)}
    if subscribers is not None:
        data["data"] = {"subscribers": where(subscribers)}
    data["incentives"] = section
    key = "incentives.scheme.header_old" if cal.from_old else "incentives.scheme.header"
    header = t(key, lang, budget=f"{cal.budget:,.2f}", currency=settings.currency,
               months=settings.period_months)
    return f"# {header}\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
