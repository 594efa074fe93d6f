"""Data-quality findings of a unit and period: failed checks, duplicates, gaps, outliers, Benford."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .kris import Context, NotApplicable
from .kris.operational import BENFORD, first_digits, period_records

OUTLIER_Z = 6.0  # robust z-score of log10(amount) beyond which an amount is an outlier
# Optional columns a complete record normally fills (competitor, exit_date, close_date… are empty by design).
EXPECTED_FILLED: dict[str, tuple[str, ...]] = {
    "orders": ("rep_id", "product_id", "quantity", "list_price", "unit_price"),
    "customers": ("segment", "industry", "region", "credit_limit"),
    "reps": ("quarterly_quota",), "invoices": ("order_id",), "inventory": ("forecast_demand",),
    "opportunities": ("customer_id", "rep_id"),
}


def _outliers(r: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for table, g in r.groupby("table", sort=False):
        if "amount" not in g.columns:
            continue
        a = g["amount"].astype(float)
        a = a[a > 0]
        if len(a) < 30:
            continue
        x = np.log10(a.to_numpy())
        med = np.median(x)
        mad = 1.4826 * np.median(np.abs(x - med))
        if mad <= 0:
            continue
        n = int((np.abs(x - med) / mad > OUTLIER_Z).sum())
        if n:
            rows.append({"table": table, "problem": f"amount far outside the usual range (robust z > {OUTLIER_Z:g})",
                         "records": n, "severity": "warning"})
    return pd.DataFrame(rows)


def _gaps(r: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for table, g in r.groupby("table", sort=False):
        for name in EXPECTED_FILLED.get(table, ()):
            if name not in g.columns:
                continue
            n = int(g[name].isna().sum())
            if 0 < n < len(g):  # a column absent altogether is a mapping choice, not a gap
                rows.append({"table": table, "problem": f"missing {name} (optional)", "records": n,
                             "severity": "warning"})
    return pd.DataFrame(rows)


def findings(ctx: Context) -> pd.DataFrame:
    """One row per problem: table, problem, records, severity ('error' counts in the KRIs)."""
    r = period_records(ctx)
    bad = r[r["_dq"].notna() | r["_dup"]]
    problem = bad["_dq"].fillna("duplicate record")
    errors = problem.groupby([bad["table"], problem]).size().rename("records").reset_index()
    errors.columns = ["table", "problem", "records"]
    errors["severity"] = "error"
    out = pd.concat([errors, _outliers(r), _gaps(r)], ignore_index=True)
    return out.sort_values(["severity", "records"], ascending=[True, False], kind="stable").reset_index(drop=True)


def benford(ctx: Context) -> pd.DataFrame | None:
    """Observed and expected first-digit shares of the period's positive order amounts (None if too few)."""
    a = ctx.in_period(ctx.orders, "order_date")["amount"]
    a = a[a > 0]
    if len(a) < 500:
        return None
    freq = np.bincount(first_digits(a), minlength=10)[1:] / len(a)
    return pd.DataFrame({"digit": range(1, 10), "observed": freq, "expected": BENFORD})


def summary(ctx: Context) -> dict[str, Any]:
    """The data_quality section of results.json."""
    try:
        r = period_records(ctx)
    except NotApplicable:
        return {"rows_checked": 0, "rows_failing": 0, "issues": []}
    f = findings(ctx)
    failing = int((r["_dq"].notna() | r["_dup"]).sum())
    return {"rows_checked": int(len(r)), "rows_failing": failing,
            "issues": [{"table": i.table, "problem": i.problem, "records": int(i.records), "severity": i.severity}
                       for i in f.itertuples()]}
