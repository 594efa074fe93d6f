"""Financial KRIs: receivables (DSO, ageing, expected credit loss, credit limits), cancellations, disputes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskbook.kris import kri
from riskbook.kris.context import PAYMENTS, RECEIVABLES, REVENUE, Context, NotApplicable, full_last_month, needs

AGEING_BUCKETS: tuple[tuple[str, int, int, float], ...] = (
    # label, min days past due, max days past due, default loss rate (provision matrix)
    ("current", 0, 0, 0.005),
    ("1-30", 1, 30, 0.02),
    ("31-60", 31, 60, 0.05),
    ("61-90", 61, 90, 0.10),
    (">90", 91, 10**9, 0.50),
)


def ageing(ctx: Context) -> pd.DataFrame:
    """Open invoices at period end with their ageing ``bucket`` and ``loss_rate`` (those without a
    usable due date cannot be aged and are left out)."""
    open_ = ctx.aged_balances()
    rates = ctx.settings.get("ecl_loss_rates") or {}
    labels = [b[0] for b in AGEING_BUCKETS]
    idx = np.searchsorted([b[2] for b in AGEING_BUCKETS], open_["days_past_due"].to_numpy(), side="left")
    bucket = pd.Categorical([labels[i] for i in idx], categories=labels, ordered=True)
    loss = np.array([float(rates.get(b[0], b[3])) for b in AGEING_BUCKETS])[idx]
    return open_.assign(bucket=bucket, loss_rate=loss)


def _receivables(ctx: Context) -> pd.DataFrame:
    ctx.table("invoices")
    if "payments" not in ctx.tables:
        raise NotApplicable("no payments table in the data")
    return ageing(ctx)


@kri(
    "dso",
    family="financial",
    unit="days",
    direction="up",
    amber=45,
    red=60,
    reads={"invoices": RECEIVABLES, "payments": PAYMENTS},
    en="Days sales outstanding",
    zh="应收账款周转天数（DSO）",
    applies=(needs("invoices"), needs("payments"), full_last_month),
    rule="both",  # 60-day terms give a DSO of 70 in good health
)
def dso(ctx: Context) -> float:
    """Receivables at period end over the credit sales of the three months to period end, in days: a
    balance is set against sales of one length, so a month, a quarter and a year ending on the same day agree."""
    _receivables(ctx)
    ar = ctx.open_balances()["balance"].sum()
    start, end, days = ctx.last_three_months()
    sales = ctx.between(ctx.table("invoices").drop_duplicates("invoice_id"), "issue_date", start, end)["amount"].sum()
    if sales <= 0:
        raise NotApplicable("no invoices issued in the three months to period end")
    return float(ar / sales * days)


def _share(ctx: Context, min_days: int) -> float:
    ar = _receivables(ctx)
    total = ar["balance"].sum()
    if total <= 0:
        raise NotApplicable("no open receivables at period end")
    return float(ar.loc[ar["days_past_due"] >= min_days, "balance"].sum() / total * 100)


@kri(
    "overdue_ratio",
    family="financial",
    unit="%",
    direction="up",
    amber=20,
    red=35,
    reads={"invoices": RECEIVABLES + ("due_date",), "payments": PAYMENTS},
    en="Overdue share of receivables",
    zh="逾期应收占比",
    applies=(full_last_month,),  # a thin month's missing invoices distort the balances
    rule="both",  # some customers always pay a week late; a project's one invoice swings the share
)
def overdue_ratio(ctx: Context) -> float:
    return _share(ctx, 1)


@kri(
    "overdue_90_ratio",
    family="financial",
    unit="%",
    direction="up",
    amber=5,
    red=10,
    reads={"invoices": RECEIVABLES + ("due_date",), "payments": PAYMENTS},
    en="Receivables over 90 days past due",
    zh="逾期90天以上应收占比",
    applies=(full_last_month,),  # a thin month's missing invoices distort the balances
)
def overdue_90_ratio(ctx: Context) -> float:
    return _share(ctx, 91)


@kri(
    "expected_credit_loss",
    family="financial",
    unit="%",
    direction="up",
    amber=1,
    red=3,
    reads={"invoices": RECEIVABLES + ("due_date",), "payments": PAYMENTS, "orders": REVENUE},
    en="Expected credit loss (% of revenue)",
    zh="预期信用损失（占收入%）",
    applies=(full_last_month,),  # a thin month's missing invoices distort the balances
    population="revenue of the three months to period end",
)
def expected_credit_loss(ctx: Context) -> float:
    """The provision matrix's loss on open receivables at period end, as a share of the revenue of the three
    months to period end (a balance against revenue of one length, whatever the report's)."""
    ar = _receivables(ctx)
    start, end, _ = ctx.last_three_months()
    revenue = float(ctx.between(ctx.completed, "order_date", start, end)["amount"].sum())
    if revenue <= 0:
        raise NotApplicable("no revenue in the three months to period end")
    return float((ar["balance"] * ar["loss_rate"]).sum() / revenue * 100)


def limit_breaches(ctx: Context) -> pd.DataFrame:
    """Customers whose open receivables exceed their credit limit."""
    cust = ctx.table("customers", "credit_limit")
    bal = _receivables(ctx).groupby("customer_id", observed=True)["balance"].sum().rename("open_balance")
    c = cust.drop_duplicates("customer_id").merge(bal, left_on="customer_id", right_index=True)
    return c[c["credit_limit"].notna() & (c["open_balance"] > c["credit_limit"])]


@kri(
    "credit_limit_breaches",
    family="financial",
    unit="count",
    direction="up",
    amber=1,
    red=3,
    reads={
        "invoices": RECEIVABLES + ("customer_id",),
        "payments": PAYMENTS,
        "customers": ("customer_id", "credit_limit"),
    },
    en="Customers over their credit limit",
    zh="超信用额度客户数",
)
def credit_limit_breaches(ctx: Context) -> float:
    return float(len(limit_breaches(ctx)))


@kri(
    "cancellation_rate",
    family="financial",
    unit="%",
    direction="up",
    amber=3,
    red=6,
    reads={"orders": REVENUE},
    en="Cancelled and returned amount",
    zh="取消与退货率",
    applies=(full_last_month,),
    rule="both",  # a web shop's returns are a wholesaler's alarm
)
def cancellation_rate(ctx: Context) -> float:
    o = ctx.table("orders", "status")
    lines = ctx.in_period(o, "order_date")
    done = lines.loc[lines["status"].isna() | lines["status"].eq("completed"), "amount"].sum()
    if done <= 0:
        raise NotApplicable("no completed order lines in the period")
    return float(lines.loc[lines["status"].isin(["cancelled", "returned"]), "amount"].abs().sum() / done * 100)


@kri(
    "dispute_rate",
    family="financial",
    unit="%",
    direction="up",
    amber=2,
    red=5,
    reads={"invoices": ("invoice_id", "issue_date", "disputed")},
    en="Disputed invoices",
    zh="争议发票占比",
)
def dispute_rate(ctx: Context) -> float:
    inv = ctx.in_period(ctx.table("invoices", "disputed").drop_duplicates("invoice_id"), "issue_date")
    inv = inv[inv["disputed"].notna()]
    if inv.empty:
        raise NotApplicable("no invoices issued in the period")
    return float(inv["disputed"].fillna(False).astype(bool).mean() * 100)
