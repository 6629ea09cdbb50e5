"""The calendar of a rollout: effective dates of the waves and each period's share of the year.

Dates come from ``rollout.dates``, or from ``start`` with one wave ``every`` quarter, month
or number of days. Months are added on the calendar (31 January + 1 month = 28/29 February).

The share of the year is counted in months, so that a change effective on 1 April counts a
quarter of the year for the old manager and three quarters for the new one (the issue's
rule): the year fraction before a date is ``(months before its month + (day − 1) / days in
its month) / 12``, exact (``Fraction``), 0 before the target year and 1 after it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from fractions import Fraction

from rebalance.scenario.rollout import Rollout


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months (the day clamped to the month's length)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def wave_dates(settings: Rollout) -> tuple[dt.date, ...]:
    """The effective date of every wave, in order."""
    if settings.dates is not None:
        return tuple(settings.dates)
    assert settings.start is not None  # the section's validator asks for one of the two
    start, every = settings.start, settings.every
    out = []
    for k in range(settings.num_waves):
        if every == "quarter":
            out.append(add_months(start, 3 * k))
        elif every == "month":
            out.append(add_months(start, k))
        else:
            out.append(start + dt.timedelta(days=int(every) * k))
    return tuple(out)


def target_year(settings: Rollout) -> int:
    """The year targets are prorated over: ``rollout.year``, else the first wave's year."""
    return settings.year if settings.year is not None else wave_dates(settings)[0].year


def elapsed(day: dt.date, year: int) -> Fraction:
    """Share of ``year`` that has passed when ``day`` begins (0 before it, 1 after it)."""
    if day.year < year:
        return Fraction(0)
    if day.year > year:
        return Fraction(1)
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return (day.month - 1 + Fraction(day.day - 1, days_in_month)) / 12


def period_shares(dates: tuple[dt.date, ...], year: int) -> tuple[Fraction, ...]:
    """Share of the year each book holds: before the first wave, then after each wave (one
    more entry than ``dates``; they sum to 1)."""
    edges = [Fraction(0), *(elapsed(d, year) for d in dates), Fraction(1)]
    return tuple(b - a for a, b in zip(edges, edges[1:], strict=False))
