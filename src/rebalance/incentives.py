"""The department's incentive scheme per manager, beside the old one, and a what-if.

New scheme (the proposal), for one manager over one evaluation period, with the settings of
``Scenario.incentives`` (defaults in brackets):

- quantity reward   = ``unit_reward`` [30] × number of subscribers with tenure ≥
  ``months_quantity`` [3];
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

Nothing is clipped at zero: a reward can be negative, which is exactly the proposal's point
about the old scheme.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from rebalance.errors import IssueCollector
from rebalance.io.aliases import normalise_header
from rebalance.io.read import parse_number, read_table
from rebalance.scenario import Incentives

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# A rate equal to the threshold counts as "at or below" despite float noise (5/100 vs 0.05).
_RATE_EPS = 1e-12

# --------------------------------------------------------------------------- subscribers


@dataclass(frozen=True)
class Subscriber:
    """One subscriber (用户) of the evaluation period, as read from the subscribers table."""

    subscriber_id: str
    manager: str
    tenure_months: float
    revenue: float
    terminal_cost: float = 0.0
    arrears: float = 0.0
    client_id: str = ""
    row: int | None = None  # Excel row in the source file, for messages


# canonical column -> accepted headers (matched after NFKC, trim, case-folding)
SUBSCRIBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "subscriber_id": ("subscriber_id", "subscriber", "用户编码", "用户ID", "用户编号",
                      "用户号码", "号码"),
    "manager": ("manager", "manager_id", "客户经理", "客户经理编码", "归属客户经理", "工号"),
    "client_id": ("client_id", "客户编码", "集团编码", "客户ID", "客户编号"),
    "tenure_months": ("tenure_months", "tenure", "在网月数", "在网时长", "网龄"),
    "activation_date": ("activation_date", "入网日期", "开户日期", "激活日期"),
    "as_of": ("as_of", "统计日期", "截止日期", "考核日期"),
    "revenue": ("revenue", "收入", "期间收入", "业务收入", "出账收入"),
    "terminal_cost": ("terminal_cost", "终端成本", "终端补贴", "购机补贴"),
    "arrears": ("arrears", "欠费", "欠费金额"),
}
# tenure_months is required too, unless activation_date (+ as_of) gives it
_REQUIRED = ("subscriber_id", "manager", "revenue", "arrears")
_MONEY = ("revenue", "terminal_cost", "arrears")


_ALIAS_TO_COLUMN = {normalise_header(a): col for col, aliases in SUBSCRIBER_COLUMNS.items()
                    for a in aliases}


def _number(text: str) -> float | None:
    try:
        value = parse_number(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _parse_date(text: str) -> dt.date | None:
    s = unicodedata.normalize("NFKC", text).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def complete_months(start: dt.date, end: dt.date) -> int:
    """Whole months from ``start`` to ``end``: 2024-01-15 → 2024-04-15 is 3; → 04-14 is 2.

    A month-end ``end`` completes a month that started on a later day number (01-31 → 02-29
    is 1 month).
    """
    months = (end.year - start.year) * 12 + (end.month - start.month)
    month_end = end.day == calendar.monthrange(end.year, end.month)[1]
    if end.day < start.day and not month_end:
        months -= 1
    return months


def read_subscribers(
    path: str | Path,
    *,
    encoding: str | None = None,
    as_of: dt.date | None = None,
    known_managers: Iterable[str] | None = None,
    managers_source: str = "managers table",
) -> tuple[Subscriber, ...]:
    """Read and validate a subscribers table (.csv, .xlsx or .parquet).

    Tenure comes from ``tenure_months``, or else from ``activation_date`` and the as-of date
    (``as_of`` argument, else an ``as_of`` column) as whole months. Blank money cells are 0.
    With ``known_managers``, every manager must be one of them. Every problem is collected
    and raised as one ``InputError`` naming file, Excel row and column.
    """
    path = Path(path)
    table = read_table(path, encoding, kind="raw")
    file = table.name
    issues = IssueCollector()
    where: dict[str, str] = {}  # canonical column -> header key in the table
    for key in table.extra_columns:
        col = _ALIAS_TO_COLUMN.get(normalise_header(key))
        if col is None:
            continue  # unknown columns are ignored
        if col in where:
            issues.add(f'columns "{where[col]}" and "{key}" both mean {col}; keep only one',
                       file=file, row=1, column=col)
        else:
            where[col] = key
    missing = [c for c in _REQUIRED if c not in where]
    if "tenure_months" not in where and "activation_date" not in where:
        missing.append("tenure_months")
    for col in missing:
        accepted = ", ".join(f'"{n}"' for n in SUBSCRIBER_COLUMNS[col])
        extra = " (or activation_date with as_of)" if col == "tenure_months" else ""
        issues.add(f'missing required column "{col}"{extra} (accepted names: {accepted})',
                   file=file)
    issues.raise_if_any()

    known = None if known_managers is None else set(known_managers)
    seen: dict[str, int] = {}
    out: list[Subscriber] = []

    def cell(record: Mapping[str, str | None], col: str) -> str:
        key = where.get(col)
        return (record.get(key) or "").strip() if key is not None else ""

    for row, cells in table.items():
        def bad(message: str, col: str, row: int = row) -> None:
            issues.add(message, file=file, row=row, column=col)

        sid = cell(cells, "subscriber_id")
        if not sid:
            bad("subscriber id is empty", "subscriber_id")
        elif sid in seen:
            bad(f'duplicate subscriber id "{sid}" (first seen in row {seen[sid]})',
                "subscriber_id")
        else:
            seen[sid] = row
        manager = cell(cells, "manager")
        if not manager:
            bad("manager is empty", "manager")
        elif known is not None and manager not in known:
            bad(f'manager "{manager}" is not in the managers table ({managers_source})',
                "manager")

        money: dict[str, float] = {}
        for col in _MONEY:
            text = cell(cells, col)
            value = 0.0 if not text else _number(text)
            if value is None:
                bad(f'"{text}" is not a number', col)
            elif value < 0:
                bad(f'{col} must be 0 or more, got "{text}"', col)
            else:
                money[col] = value

        tenure = _tenure(cell(cells, "tenure_months"), cell(cells, "activation_date"),
                         cell(cells, "as_of"), as_of, bad)
        if len(money) == len(_MONEY) and tenure is not None and sid and manager:
            out.append(Subscriber(
                subscriber_id=sid, manager=manager, tenure_months=tenure,
                revenue=money["revenue"], terminal_cost=money["terminal_cost"],
                arrears=money["arrears"], client_id=cell(cells, "client_id"), row=row,
            ))
    issues.raise_if_any()
    return tuple(out)


def _tenure(text: str, activation: str, row_as_of: str, as_of: dt.date | None,
            bad: Callable[[str, str], None]) -> float | None:
    """Tenure in months from the tenure cell, or from activation and as-of dates."""
    if text:
        value = _number(text)
        if value is None:
            bad(f'"{text}" is not a number of months', "tenure_months")
        elif value < 0:
            bad(f'tenure_months must be 0 or more, got "{text}"', "tenure_months")
        return value if value is not None and value >= 0 else None
    if not activation:
        bad("tenure is empty (give tenure_months, or activation_date with as_of)",
            "tenure_months")
        return None
    start = _parse_date(activation)
    if start is None:
        bad(f'"{activation}" is not a date (use YYYY-MM-DD)', "activation_date")
        return None
    end = as_of
    if end is None and row_as_of:
        end = _parse_date(row_as_of)
        if end is None:
            bad(f'"{row_as_of}" is not a date (use YYYY-MM-DD)', "as_of")
            return None
    if end is None:
        bad("no as-of date to count tenure from activation_date (give --as-of or an as_of "
            "column)", "as_of")
        return None
    if start > end:
        bad(f"activation {start.isoformat()} is after the as-of date {end.isoformat()}",
            "activation_date")
        return None
    return float(complete_months(start, end))


# --------------------------------------------------------------------------- the scheme


@dataclass(frozen=True)
class ManagerReward:
    """One manager's reward under the new scheme, with the old scheme's beside it."""

    manager_id: str
    name: str
    num_subscribers: int
    num_quantity: int  # tenure ≥ months_quantity
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
    subs = list(subscribers)
    s = settings
    revenue = sum(x.revenue for x in subs)
    arrears = sum(x.arrears for x in subs)
    num_quantity = sum(1 for x in subs if x.tenure_months >= s.months_quantity)
    revenue_in_network = sum(x.revenue for x in subs if x.tenure_months >= s.months_in_network)
    profit_base = sum(x.revenue - x.terminal_cost for x in subs
                      if x.tenure_months >= s.months_profit)
    rate = arrears_rate(arrears, revenue)
    applied = rate <= s.arrears_threshold + _RATE_EPS
    deduction = s.coef_profit * arrears if applied else 0.0
    fine = 0.0 if applied else s.fine_rate * arrears
    quantity_reward = s.unit_reward * num_quantity
    in_network_reward = s.coef_in_network * revenue_in_network
    profit_reward = s.coef_profit * profit_base - deduction
    num_new = sum(1 for x in subs if x.tenure_months < s.new_months)
    old_bonus = s.old_unit_reward * num_new
    old_fine = s.fine_rate * arrears
    return ManagerReward(
        manager_id=manager_id, name=name, num_subscribers=len(subs),
        num_quantity=num_quantity, revenue=revenue, revenue_in_network=revenue_in_network,
        profit_base=profit_base, terminal_cost=sum(x.terminal_cost for x in subs),
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


# --------------------------------------------------------------------------- what-if


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

    def problems(self) -> list[str]:
        """Plain-words problems with the profile (empty when it is usable)."""
        out = []
        if not 0 <= self.churn <= 1:
            out.append(f"churn must be between 0 and 1, got {self.churn:g}")
        for name in ("monthly_revenue", "subsidy", "base_arrears_rate"):
            if getattr(self, name) < 0:
                out.append(f"{name} must be 0 or more, got {getattr(self, name):g}")
        for name in ("paid_months", "arrears_months", "base_subscribers"):
            if getattr(self, name) < 0:
                out.append(f"{name} must be 0 or more, got {getattr(self, name)}")
        if self.period_months < 1:
            out.append(f"period_months must be at least 1, got {self.period_months}")
        if self.horizon_months < self.period_months:
            out.append(f"horizon_months ({self.horizon_months}) must be at least one period "
                       f"({self.period_months})")
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
    book's own reward is subtracted, so N = 0 gives zeros.
    """

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


# --------------------------------------------------------------------------- tables

REWARD_HEADERS: dict[str, tuple[str, str]] = {
    "manager_id": ("manager_id", "客户经理编码"),
    "name": ("name", "姓名"),
    "num_subscribers": ("num_subscribers", "用户数"),
    "num_quantity": ("num_quantity", "计数量奖励用户数"),
    "revenue": ("revenue", "收入"),
    "revenue_in_network": ("revenue_in_network", "在网奖励收入基数"),
    "profit_base": ("profit_base", "效益奖励基数"),
    "terminal_cost": ("terminal_cost", "终端成本"),
    "arrears": ("arrears", "欠费"),
    "arrears_rate": ("arrears_rate", "欠费率"),
    "threshold_applied": ("threshold_applied", "阈值内免罚"),
    "quantity_reward": ("quantity_reward", "数量奖励"),
    "in_network_reward": ("in_network_reward", "在网奖励"),
    "arrears_deduction": ("arrears_deduction", "效益奖励内扣欠费"),
    "profit_reward": ("profit_reward", "效益奖励"),
    "fine": ("fine", "欠费罚款"),
    "reward": ("reward", "新方案奖励"),
    "num_new": ("num_new", "新增用户数"),
    "old_bonus": ("old_bonus", "旧方案新增奖励"),
    "old_fine": ("old_fine", "旧方案欠费罚款"),
    "old_reward": ("old_reward", "旧方案奖励"),
    "difference": ("difference", "新旧差额"),
}

WHATIF_HEADERS: dict[str, tuple[str, str]] = {
    "num_handsets": ("num_handsets", "捆绑终端销量"),
    "num_churners": ("num_churners", "欠费离网用户数"),
    "arrears_rate": ("arrears_rate", "最高欠费率"),
    "threshold_applied": ("threshold_applied", "阈值内免罚"),
    "old_bonus": ("old_bonus", "旧方案新增奖励"),
    "old_fine": ("old_fine", "旧方案欠费罚款"),
    "old_reward": ("old_reward", "旧方案奖励"),
    "new_quantity": ("new_quantity", "数量奖励"),
    "new_in_network": ("new_in_network", "在网奖励"),
    "new_profit": ("new_profit", "效益奖励"),
    "new_fine": ("new_fine", "欠费罚款"),
    "new_reward": ("new_reward", "新方案奖励"),
    "difference": ("difference", "新旧差额"),
}


def _frame(records: Iterable[Any], headers: Mapping[str, tuple[str, str]], lang: str,
           ) -> pd.DataFrame:
    """Money rounded to 2 decimals, rates to 4 (an infinite rate is left blank)."""
    rows = []
    for rec in records:
        row: dict[str, Any] = {}
        for key in headers:
            value = getattr(rec, key)
            if key == "threshold_applied":
                value = ("是" if value else "否") if lang == "zh" else bool(value)
            elif key == "arrears_rate":
                value = math.nan if math.isinf(value) else round(value, 4) + 0.0
            elif isinstance(value, float):
                value = round(value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
            row[key] = value
        rows.append(row)
    frame = pd.DataFrame(rows, columns=list(headers))
    if lang == "zh":
        frame = frame.rename(columns={k: v[1] for k, v in headers.items()})
    return frame


def rewards_table(rewards: Iterable[ManagerReward], lang: str = "en") -> pd.DataFrame:
    """One row per manager: components, arrears rate, threshold, new and old totals."""
    return _frame(rewards, REWARD_HEADERS, lang)


def whatif_table(rows: Iterable[WhatIfRow], lang: str = "en") -> pd.DataFrame:
    """One row per N: extra reward over the horizon under the old and the new scheme."""
    return _frame(rows, WHATIF_HEADERS, lang)


SETTING_LABELS: dict[str, str] = {
    "unit_reward": "数量奖励单价",
    "coef_in_network": "在网奖励系数",
    "coef_profit": "效益奖励系数",
    "arrears_threshold": "欠费率阈值",
    "fine_rate": "欠费罚款比例",
    "months_quantity": "数量奖励在网月数",
    "months_in_network": "在网奖励在网月数",
    "months_profit": "效益奖励在网月数",
    "old_unit_reward": "旧方案新增奖励单价",
    "new_months": "旧方案新增用户在网月数上限",
    "monthly_revenue": "月收入",
    "subsidy": "终端补贴",
    "churn": "欠费离网比例",
    "paid_months": "缴费月数",
    "arrears_months": "欠费月数",
    "base_subscribers": "存量用户数",
    "base_arrears_rate": "存量欠费率",
    "period_months": "考核期月数",
    "horizon_months": "模拟月数",
}


def settings_table(settings: Incentives, profile: HandsetProfile | None = None,
                   lang: str = "en") -> pd.DataFrame:
    """The scheme's settings (and the what-if profile) as a two-column table."""
    items: list[tuple[str, Any]] = list(settings.model_dump().items())
    if profile is not None:
        items += [(f.name, getattr(profile, f.name)) for f in fields(profile)]
    if lang == "zh":
        return pd.DataFrame({"参数": [SETTING_LABELS.get(k, k) for k, _ in items],
                             "取值": [v for _, v in items]})
    return pd.DataFrame({"setting": [k for k, _ in items], "value": [v for _, v in items]})


# --------------------------------------------------------------------------- plot


def plot_whatif(rows: Sequence[WhatIfRow], ax: Axes | None = None) -> Axes:
    """Extra reward against handsets sold, old and new scheme; crosses where a fine applies."""
    if ax is None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4.2))
    counts = [r.num_handsets for r in rows]
    ax.plot(counts, [r.old_reward for r in rows], marker="o", color="tab:red",
            label="old scheme (bonus per new subscriber, fine on all arrears)")
    ax.plot(counts, [r.new_reward for r in rows], marker="s", color="tab:blue",
            label="new scheme")
    over = [r for r in rows if not r.threshold_applied]
    if over:
        ax.scatter([r.num_handsets for r in over], [r.new_reward for r in over], marker="x",
                   s=80, color="black", zorder=3, label="arrears rate above threshold: fine")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xlabel("bundled handsets sold (N)")
    ax.set_ylabel("extra reward over the horizon")
    ax.set_title("Reward for selling N bundled handsets")
    ax.legend(loc="best", fontsize="small")
    ax.grid(True, alpha=0.3)
    return ax
