"""Whether the data covers a period: by the dates it reaches and by the volume of its last month.

An export cut on the 15th stops short of the period's end; an ERP export taken on the 30th may hold the
period's last month only in part (orders keyed late), with a few rows dated up to its last day. The first
is a period *through* a date, whose growth can be compared like for like; the second is a *thin* last
month, which nothing can compare. Both make a period partial; the default period is the latest one that
is neither, judged on every table a report counts from (orders, and invoices where there are some).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskbook.core.periods import Period, latest_covered

SLACK_DAYS = 6  # data that stops this close to a period's end reaches it (a quiet weekend, a holiday)
USUAL_MONTHS = 6  # the months before whose median number of rows is a usual month
THIN_CHANCE = 0.001  # a month is thin when so few rows would come this rarely at the usual rate (Poisson)
TABLES: dict[str, str] = {"orders": "order_date", "invoices": "issue_date"}  # what a report counts from
ROWS: dict[str, str] = {"orders": "order lines", "invoices": "invoices"}


def thin(count: float, usual: float) -> bool:
    """Whether ``count`` rows in a month are far too few for a usual month of ``usual`` rows: fewer than
    half, and below the 0.1 % tail of a Poisson count at the usual rate (a quiet month of a business of a
    few large deals a month is not thin)."""
    if usual <= 0 or count >= usual / 2:
        return False
    if usual > 50:  # normal approximation, with continuity correction
        return (count + 0.5 - usual) / math.sqrt(usual) < -3.09
    k = int(count)
    chance = sum(math.exp(-usual + i * math.log(usual) - math.lgamma(i + 1)) for i in range(k + 1))
    return chance < THIN_CHANCE


def month_label(month: pd.Timestamp) -> str:
    return f"{month:%Y-%m}"


def thin_month(counts: pd.Series, month: pd.Timestamp, share: float = 1.0) -> tuple[int, float] | None:
    """(rows, usual rows) when ``month`` is thin against the median of the USUAL_MONTHS before it in
    ``counts`` (rows by month start), else None; ``share``: the part of the month the data covers."""
    before = counts[(counts.index < month) & (counts.index >= month - pd.DateOffset(months=USUAL_MONTHS))]
    if len(before) < 3:
        return None
    usual, count = float(before.median()) * share, float(counts.get(month, 0))
    return (int(count), usual) if thin(count, usual) else None


def monthly(dates: pd.Series) -> pd.Series:
    """Rows by month start."""
    d = dates.dropna()
    return d.dt.to_period("M").dt.start_time.value_counts().sort_index()


@dataclass(frozen=True)
class Coverage:
    """How far the data covers a period: ``through`` its last day when that is before the period's end,
    ``thin`` a note when its last month holds far fewer rows than usual."""

    through: pd.Timestamp | None = None
    thin: str | None = None
    period_end: pd.Timestamp | None = None  # the end of the period judged (a thin month is its last)


MIN_DAYS = 20  # days with rows in a year that make a cadence: fewer say nothing about when rows should come


def gap_allowance(dates: pd.Series | np.ndarray, before: pd.Timestamp) -> int | None:
    """Days without a row that are usual for a table: the longest gap between the days with rows in the year
    before ``before`` (at least SLACK_DAYS) — a project business may go weeks without an order. None when
    the year has fewer than MIN_DAYS days with rows: too few to tell a cadence."""
    d = pd.to_datetime(pd.Series(dates))
    days = np.unique(d[(d < before) & (d >= before - pd.DateOffset(years=1))].to_numpy("datetime64[D]"))
    if len(days) < MIN_DAYS:
        return None
    return max(SLACK_DAYS, int(np.diff(days).astype(int).max()))


def coverage(
    tables: dict[str, pd.DataFrame],
    period: Period,
    export_end: dict[str, str],
    as_of: pd.Timestamp,
    export_gap: dict[str, int] | None = None,
) -> Coverage:
    """How the data of one unit (``tables``) covers ``period``: where the export's table ends before the
    period does by more than the export's usual gap (``export_end``, ``export_gap``: each table's last date
    and longest usual gap in the whole export), the unit's data goes only that far; where the unit's own
    rows stop earlier than their cadence explains, only as far as they go; and a last month with far fewer
    rows than the unit's usual month is thin."""
    through: pd.Timestamp | None = None
    end = min(period.end, pd.Timestamp(as_of))
    dated: dict[str, pd.Series] = {}
    for table, col in TABLES.items():
        df = tables.get(table)
        if df is None or col not in df.columns:
            continue
        stops = []
        gap = (export_gap or {}).get(table, SLACK_DAYS)  # None: too few rows to tell the export's rhythm
        if export_end.get(table) and gap is not None:  # the export stops there, sooner than its rhythm explains
            stop = pd.Timestamp(export_end[table])
            if (period.end - stop).days > gap:
                stops.append(stop)
        dates = dated[table] = df[col][df[col] <= end]
        allowance = gap_allowance(dates, period.start) if len(dates) else None
        if allowance is not None and (period.end - dates.max()).days > allowance:
            stops.append(dates.max())  # the unit's own rows stop earlier than their cadence explains
        for stop in stops:
            if period.start <= stop < period.end:
                through = stop if through is None else min(through, stop)
    last_day = through if through is not None else period.end  # the last month the data reaches: full?
    month = last_day.replace(day=1)
    share = last_day.day / last_day.days_in_month
    notes = []
    for table, dates in dated.items():
        low = thin_month(monthly(dates), month, share) if len(dates) and not notes else None
        if low:
            notes.append(
                f"its last month, {month_label(month)}, holds {low[0]:,} {ROWS[table]} against about "
                f"{low[1]:,.0f} in a usual month" + ("" if share == 1 else f" to day {last_day.day}")
            )
    return Coverage(through, notes[0] if notes else None, period.end)


def latest_complete(meta: dict, as_of: pd.Timestamp | None = None, kind: str = "Q") -> Period:
    """The latest period of ``kind`` the whole export covers: every table a report counts from reaches its
    last days and holds a usual volume in its last month (the store's ``monthly`` counts)."""
    gaps = meta.get("gap_days", {})
    ends = [
        pd.Timestamp(meta["dates"][t][1]) + pd.Timedelta(days=(gaps.get(t) or SLACK_DAYS) - SLACK_DAYS)
        for t in TABLES
        if t in meta.get("dates", {})
    ]
    last = min(ends) if ends else pd.Timestamp(meta.get("data_end") or meta["last_date"])
    p = latest_covered(last, as_of, kind)  # reaches within SLACK_DAYS, or the export's usual gap, of its end
    counts = {
        t: pd.Series({pd.Timestamp(m + "-01"): n for m, n in c.items()}) for t, c in meta.get("monthly", {}).items()
    }
    first = pd.Timestamp(meta["first_date"])
    while p.start > first and any(
        len(c) and thin_month(c.sort_index(), p.end_exclusive - pd.DateOffset(months=1)) for c in counts.values()
    ):
        p = p.previous
    return p
