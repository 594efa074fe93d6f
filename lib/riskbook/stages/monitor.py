"""Monitoring: KRIs over trailing periods, control limits, Western Electric rules, new breaches."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskbook import kris as K
from riskbook.core.periods import TRAILING
from riskbook.kris import Context


def trailing_periods(ctx: Context) -> list:
    """The trailing window ending at the report period, clipped to the data; the report period itself is
    always in it, even when it starts before the data does (a year whose first months are not in the export)."""
    before = ctx.in_data([ctx.period.shift(-i) for i in range(1, TRAILING[ctx.period.kind])])
    return [*reversed(before), ctx.period]


def western_electric(values: np.ndarray, mean: float, sd: float) -> list[str]:
    """Western Electric rules violated by the last point of ``values``."""
    if sd <= 0 or len(values) == 0:
        return []
    z = (values - mean) / sd
    rules = []
    if abs(z[-1]) > 3:
        rules.append("1 point beyond 3σ")
    for n, k, lim, label in ((3, 2, 2, "2 of 3 beyond 2σ"), (5, 4, 1, "4 of 5 beyond 1σ")):
        last = z[-n:]
        if len(last) == n and (max((last > lim).sum(), (last < -lim).sum()) >= k) and abs(z[-1]) > lim:
            rules.append(label)
    if len(z) >= 8 and (np.all(z[-8:] > 0) or np.all(z[-8:] < 0)):
        rules.append("8 in a row on one side")
    return rules


FLAT_BREAK = "moved off a constant history"
MIN_BASELINE = 4  # earlier periods a KRI needs before its usual range is drawn and its signals are read


def control_limits(hist: pd.DataFrame) -> pd.DataFrame:
    """Per KRI: mean, σ and limits (mean ± 3σ) of the baseline — the trailing periods before the
    latest — and the Western Electric rules the latest point violates against them."""
    rows = []
    for kid, g in hist.groupby("id", sort=False):
        v = g["value"].dropna().to_numpy(dtype=float)
        latest_ok = len(v) > 0 and pd.notna(g["value"].iloc[-1])
        base = v[:-1] if latest_ok and len(v) >= 4 else v
        mean = float(base.mean()) if len(base) else np.nan
        sd = float(base.std(ddof=1)) if len(base) > 1 else np.nan
        enough = latest_ok and len(base) >= MIN_BASELINE
        rules = western_electric(v, mean, sd) if enough and sd > 0 else []
        if enough and sd == 0 and v[-1] != mean:  # a constant history has no spread to measure against
            rules.append(FLAT_BREAK)
        rows.append(
            {
                "id": kid,
                "mean": mean,
                "sd": sd,
                "baseline": len(base),
                "lcl": mean - 3 * sd,
                "ucl": mean + 3 * sd,
                "points": len(v),
                "rules": rules,
            }
        )
    return pd.DataFrame(rows)


def monitor(ctx: Context, current: pd.DataFrame, previous: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """History, control limits and breaches (new ones first) for the report period; ``previous``, the
    previous period's KRIs where identification computed them, saves evaluating them again."""
    hist = K.history(ctx, trailing_periods(ctx), known=current, before=previous)
    limits = control_limits(hist)
    b = current[current["status"].isin(["amber", "red"])].copy()
    b["new"] = ~b["previous_status"].isin(["amber", "red"])
    b = b.merge(limits[["id", "rules"]], on="id", how="left")
    b = b.sort_values(
        ["new", "status"],
        ascending=[False, False],
        key=lambda s: s.map({"red": 1, "amber": 0}) if s.name == "status" else s,
        kind="stable",
    ).reset_index(drop=True)
    return {"history": hist, "limits": limits, "breaches": b}
