"""Which data-quality findings touch a report of a period: its own, earlier ones in the window its
comparisons read, undated ones and those dated after the as-of date."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskbook.core.findings import FINDINGS_SCHEMA
from riskbook.core.periods import TRAILING, Period


def period_label(dates: pd.Series, kind: str) -> pd.Series:
    """Each date's period in the report's kind: 2026Q3, 2026-09 or 2026 (empty for no date)."""
    d = pd.to_datetime(dates)
    year = d.dt.year.astype("Int64").astype("string")
    if kind == "Q":
        label = year + "Q" + ((d.dt.month - 1) // 3 + 1).astype("Int64").astype("string")
    elif kind == "M":
        label = year + "-" + d.dt.month.astype("Int64").astype("string").str.zfill(2)
    else:
        label = year
    return label.fillna("")


def window_start(period: Period) -> pd.Timestamp:
    """The first day a report of ``period`` reads: its trend (monitoring.TRAILING) or its year-ago
    period, whichever reaches further back."""
    return period.shift(-max(TRAILING[period.kind] - 1, period.per_year)).start


def touching(findings: pd.DataFrame | None, period: Period, as_of: pd.Timestamp | None) -> pd.DataFrame:
    """The findings that touch a report of ``period``, each with ``when`` (period, earlier, undated,
    future) and ``period`` (its own period's label)."""
    if findings is None or not len(findings):
        return pd.DataFrame(columns=[*FINDINGS_SCHEMA.names, "when", "period"])
    d = findings["date"]
    start = window_start(period)
    future = findings["check"].eq("future_date") | ((d > as_of) if as_of is not None else False)
    when = np.select(
        [future, d.isna(), (d >= period.start) & (d < period.end_exclusive), (d >= start) & (d < period.start)],
        ["future", "undated", "period", "earlier"],
        "",
    )
    out = findings.assign(when=when)
    out = out[out["when"] != ""]
    return out.assign(period=period_label(out["date"], period.kind))
