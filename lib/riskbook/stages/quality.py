"""Data quality of one report: the findings that touch its unit and period, counted and located.

The findings come from the checks run once at ingest (:mod:`riskbook.ingest.checks`). A report shows
those of its unit (and those that belong to no unit): the period's own first, then earlier ones
in the window its comparisons read (previous period, year-ago, trend), undated ones (master data)
and rows dated after the as-of date.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskbook.core.findings import CHECKS, DUPLICATES
from riskbook.kris import REGISTRY, Context, NotApplicable, touched
from riskbook.kris.findings import period_label, touching, window_start  # noqa: F401  (re-exported)
from riskbook.kris.operational import BENFORD, first_digits, period_records

LOCATIONS = 20  # rows and keys listed per issue in results.json
WHEN_ORDER = {"period": 0, "earlier": 1, "undated": 2, "future": 3}


def _kris(table: str, column: Any, excluded: str, check: str, severity: str) -> list[str]:
    ids = touched(table, None if excluded == "row" or not isinstance(column, str) else column)
    ids = [i for i in ids if i not in ("data_quality_error_rate", "duplicate_record_rate")]
    if check in DUPLICATES:
        ids.append("duplicate_record_rate")
    elif severity == "error":
        ids.append("data_quality_error_rate")
    return ids


def issues(f: pd.DataFrame, names: dict[str, dict[str, str]] | None = None) -> list[dict[str, Any]]:
    """The findings aggregated by check, table and column, this period's first: count, the first rows
    and keys, a value, the periods, the file, the KRIs they move and what those leave out."""
    if not len(f):
        return []
    names = names or {}
    f = f.assign(_order=f["when"].map(WHEN_ORDER), column=f["column"].fillna(""))
    out = []
    keys = ["check", "severity", "table", "column"]
    for (check, severity, table, column), g in f.groupby(keys, sort=False):
        g = g.sort_values(["_order", "row"], kind="stable")
        values = g["value"].dropna()
        values = values[values != ""]
        excluded = str(g["excluded"].iloc[0] or "")
        notes = g["note"].dropna()
        out.append(
            {
                "check": check,
                "severity": severity,
                "table": table,
                "column": column or None,
                "source_column": names.get(table, {}).get(column) if column else None,
                "title": CHECKS[check].en,
                "title_zh": CHECKS[check].zh,
                "file": str(g["file"].iloc[0]),
                "count": int(len(g)),
                "in_period": int((g["when"] == "period").sum()),
                "rows": [int(r) for r in g["row"].head(LOCATIONS)],
                "keys": [str(k) for k in g["key"].dropna().head(LOCATIONS)],
                "value": str(values.iloc[0]) if len(values) else "",
                "note": str(notes.iloc[0]) if len(notes) else "",
                "periods": sorted(p for p in g["period"].unique() if p),
                "units": sorted(u for u in g["unit"].dropna().unique()),
                "no_unit": int(g["unit"].isna().sum()),
                "excluded": excluded,
                "kris": _kris(table, column, excluded, check, severity),
            }
        )
    return sorted(out, key=lambda i: (i["in_period"] == 0, i["severity"] != "error", -i["count"]))


def summary(
    ctx: Context, names: dict[str, dict[str, str]] | None = None, touched: pd.DataFrame | None = None
) -> dict[str, Any]:
    """The data_quality section of results.json: the period's records checked, those failing an error
    check and the duplicates (the two data-quality KRIs' numerators), and every finding that touches
    the report, by check (``touched``: :func:`touching` of the context's findings, where already known)."""
    try:
        r = period_records(ctx)
        checked, failing, dups = int(len(r)), int(r["_dq"].notna().sum()), int(r["_dup"].sum())
    except NotApplicable:
        checked = failing = dups = 0
    f = touched if touched is not None else touching(ctx.findings, ctx.period, ctx.as_of)
    return {
        "rows_checked": checked,
        "rows_failing": failing,
        "duplicates": dups,
        "errors": int((f["severity"] == "error").sum()) if len(f) else 0,
        "warnings": int((f["severity"] == "warning").sum()) if len(f) else 0,
        "info": int((f["severity"] == "info").sum()) if len(f) else 0,
        "issues": issues(f, names),
    }


def benford(ctx: Context) -> pd.DataFrame | None:
    """Observed and expected first-digit shares of the positive order amounts over the Benford KRI's window,
    None where the KRI does not apply (too few amounts, a narrow range, catalogue prices)."""
    k = REGISTRY["benford_mad"]
    c = k.context(ctx)
    try:
        for check in k.applies:
            check(c)
    except NotApplicable:
        return None
    a = c.in_period(c.orders, "order_date")["amount"]
    a = a[a > 0]
    freq = np.bincount(first_digits(a), minlength=10)[1:] / len(a)
    return pd.DataFrame({"digit": range(1, 10), "observed": freq, "expected": BENFORD})
