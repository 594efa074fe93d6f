"""Companies that do not look like the demo: one unit per business shape, each healthy, and one in real decline.

The demo company is a distributor whose customers buy every few weeks at negotiated prices. Real
businesses have other rhythms, and a risk report must not mistake a rhythm for a risk. ``generate``
writes canonical tables for six units, from 2023-01-01 to 2026-09-30:

- ``web``: web shoppers buying at catalogue prices (4.99, 39.98, 2,419.06 …), most of them once, no
  reps, a December peak; a few regulars buy every month or two.
- ``reseller``: 24 resellers ordering once a month, in the month's last week, on 30-day terms.
- ``projects``: a project business — a dozen large deals a quarter from a few customers, half invoiced
  at signing; revenue swings from quarter to quarter, a quarter of the deals are won.
- ``subscription``: monthly plans at list prices, invoiced on the 1st and paid within days.
- ``wholesale``: a distributor with 150 customers ordering several times a month, discounts with approval.
- ``declining``: a distributor in real decline — from April 2026 its largest customers stop buying, and
  some stop paying. The one unit that should be reported red and high.

``cut`` ends the export on a day (a mid-month cut: what a user exports on the 15th); ``exit_dates=False``
writes the reps table without its exit-date column, as many HR exports come. Same arguments, same bytes.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from riskbook.demo.shapeaccounts import _assign_reps, _opportunities, _receivables, _reps
from riskbook.demo.shapeorders import END, START, UNITS, _distributor, _projects, _reseller, _subscription, _web

HEALTHY: tuple[str, ...] = UNITS[:-1]


def _tables(seed: int) -> dict[str, pd.DataFrame]:
    """Every table of the six units, each unit drawn from its own generator seeded by ``seed``."""
    rng = np.random.default_rng(seed)
    orders, customers, reps, invoices, payments, opps = [], [], [], [], [], []
    for unit in UNITS:
        r = np.random.default_rng([seed, UNITS.index(unit)])
        if unit == "web":
            o, c = _web(r)
        elif unit == "reseller":
            o, c = _reseller(r)
        elif unit == "projects":
            o, c = _projects(r)
        elif unit == "subscription":
            o, c = _subscription(r)
        else:
            o, c = _distributor(r, unit[0].upper(), unit == "declining")
        o = o.sort_values(["order_date", "customer_id"], kind="stable").reset_index(drop=True)
        o = o.assign(unit=unit, order_id=[f"O{unit[:3].upper()}{i:07d}" for i in range(1, len(o) + 1)])
        o["customer_id"] = unit[:3].upper() + "-" + o["customer_id"]
        c["customer_id"] = unit[:3].upper() + "-" + c["customer_id"]
        if "product_id" not in o.columns:
            o["product_id"] = "P" + pd.Series(r.integers(1, 40, len(o))).astype(str).str.zfill(3)
        status = np.where(r.random(len(o)) < 0.012, "cancelled", "completed")
        o = o.assign(status=status, discount_approved=False)
        if unit != "web":
            seats = {"reseller": 4, "projects": 10, "subscription": 3}.get(unit, 10)
            quarter = o.loc[o["order_date"] >= END - pd.Timedelta(days=365), "amount"].sum() / 4
            rp = _reps(r, unit, seats, quarter)
            o["rep_id"] = _assign_reps(r, o, rp)
            reps.append(rp)
            terms, delay = {"subscription": (14, (0, 12)), "projects": (30, (10, 30))}.get(unit, (30, (10, 40)))
            leaving = set(c.loc[c.get("_leave", pd.Series(pd.NaT, index=c.index)).notna(), "customer_id"])
            stop = set(list(sorted(leaving))[:12]) if unit == "declining" else set()
            inv, pay = _receivables(r, o[o["status"] == "completed"], terms, delay, stop)
            invoices.append(inv)
            payments.append(pay)
            if unit in ("projects", "wholesale", "declining", "reseller"):
                opps.append(_opportunities(r, unit, o, {"projects": 0.35}.get(unit, 0.55), rp))
        done = o[o["status"] == "completed"].groupby("customer_id")["amount"]
        monthly = done.sum() / ((END - START).days / 30.4)
        limit = np.maximum(monthly * 6, done.max() * 1.5).reindex(c["customer_id"]).fillna(0).to_numpy().round(-3)
        c = c.assign(unit=unit, customer_name=c["customer_id"].str.replace("-", " customer "))
        c["credit_limit"] = np.where(limit > 0, np.maximum(limit, 5_000), np.nan) if unit != "web" else np.nan
        c["region"] = r.choice(["North", "South", "East", "West"], len(c))
        c["industry"] = "retail" if unit == "web" else "manufacturing"
        orders.append(o)
        customers.append(c)
    del rng
    out = {
        "orders": pd.concat(orders, ignore_index=True),
        "customers": pd.concat(customers, ignore_index=True),
        "reps": pd.concat(reps, ignore_index=True),
        "invoices": pd.concat(invoices, ignore_index=True),
        "payments": pd.concat(payments, ignore_index=True),
        "opportunities": pd.concat(opps, ignore_index=True),
    }
    return out


COLUMNS: dict[str, list[str]] = {
    "orders": [
        "order_id",
        "order_date",
        "customer_id",
        "unit",
        "amount",
        "rep_id",
        "product_id",
        "quantity",
        "list_price",
        "unit_price",
        "status",
        "discount_approved",
    ],  # fmt: skip
    "customers": [
        "customer_id",
        "customer_name",
        "unit",
        "segment",
        "industry",
        "region",
        "credit_limit",
        "created_date",
    ],
    "reps": ["rep_id", "rep_name", "unit", "hire_date", "exit_date", "quarterly_quota"],
    "invoices": ["invoice_id", "customer_id", "unit", "issue_date", "due_date", "amount", "order_id", "disputed"],
    "payments": ["invoice_id", "payment_date", "amount"],
    "opportunities": [
        "opportunity_id",
        "unit",
        "created_date",
        "status",
        "amount",
        "close_date",
        "customer_id",
        "rep_id",
        "competitor",
    ],  # fmt: skip
}
DATE_OF = {
    "orders": "order_date",
    "invoices": "issue_date",
    "payments": "payment_date",
    "opportunities": "created_date",
}


def generate(
    out_dir: Path, seed: int = 7, cut: str | None = None, exit_dates: bool = True, thin: str | None = None
) -> Path:
    """Write the six units' tables as canonical CSV files into ``out_dir`` (replaced whole) and return it.
    ``cut``: the export's last day (rows dated later are not in it); ``exit_dates``: whether the reps table
    has its exit-date column; ``thin``: a month (2026-09) of which the export holds only one order in 30
    (keyed late into the ERP), with its last days still in it."""
    tables = _tables(seed)
    if thin is not None:
        rng = np.random.default_rng(seed)
        month = pd.Period(thin, "M")
        o = tables["orders"]
        inside = o["order_date"].dt.to_period("M") == month
        keep = (
            ~inside
            | (rng.random(len(o)) < 1 / 30)
            | (o["order_date"] >= month.end_time.normalize() - pd.Timedelta(days=1))
        )
        tables["orders"] = o[keep]
        kept = set(tables["orders"]["order_id"])
        inv = tables["invoices"]
        tables["invoices"] = inv[inv["order_id"].isin(kept)]
        tables["payments"] = tables["payments"][
            tables["payments"]["invoice_id"].isin(set(tables["invoices"]["invoice_id"]))
        ]
    if cut is not None:
        last = pd.Timestamp(cut)
        for name, col in DATE_OF.items():
            tables[name] = tables[name][tables[name][col] <= last]
        opp = tables["opportunities"]
        tables["opportunities"] = opp.assign(
            status=np.where(opp["close_date"] > last, "open", opp["status"]),
            close_date=opp["close_date"].where(opp["close_date"] <= last),
        )
        reps = tables["reps"]
        tables["reps"] = reps[reps["hire_date"] <= last].assign(
            exit_date=reps["exit_date"].where(reps["exit_date"] <= last)
        )
    out_dir = Path(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=".shapes-", dir=out_dir.parent if out_dir.parent.exists() else None))
    for name, df in tables.items():
        cols = [c for c in COLUMNS[name] if exit_dates or (name, c) != ("reps", "exit_date")]
        df = df[cols].copy()
        for c in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[c]):
                df[c] = df[c].dt.strftime("%Y-%m-%d")
            elif df[c].dtype == bool:
                df[c] = df[c].map({True: "true", False: "false"})
        df.to_csv(tmp / f"{name}.csv", index=False, float_format="%.2f")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.move(str(tmp), out_dir)
    return out_dir
