"""Customer KRIs: churn by count and revenue, net revenue retention."""

from __future__ import annotations

import pandas as pd

from riskbook.kris import kri
from riskbook.kris.context import CUSTOMER_REVENUE, Context, NotApplicable


def churn_sets(ctx: Context) -> tuple[pd.Series, pd.Series]:
    """(previous-period revenue by customer, period revenue by customer)."""
    prev_p = ctx.period.previous
    ctx.check_in_data(prev_p, "previous period")
    prev = ctx.revenue_by_customer(prev_p)
    prev = prev[prev > 0]
    if prev.empty:
        raise NotApplicable("no customers bought in the previous period")
    return prev, ctx.revenue_by_customer()


def churned(ctx: Context) -> pd.Series:
    """Previous-period revenue of customers who did not buy in the period."""
    prev, now = churn_sets(ctx)
    return prev[~prev.index.isin(now[now > 0].index)]


@kri(
    "customer_churn_rate",
    "customer",
    "%",
    "up",
    15,
    25,
    {"orders": CUSTOMER_REVENUE},
    "Customer churn rate",
    "客户流失率",
    min_months=3,
)
def customer_churn_rate(ctx: Context) -> float:
    prev, _ = churn_sets(ctx)
    return len(churned(ctx)) / len(prev) * 100


@kri(
    "revenue_churn_rate",
    "customer",
    "%",
    "up",
    10,
    20,
    {"orders": CUSTOMER_REVENUE},
    "Revenue churn rate",
    "收入流失率",
    min_months=3,
)
def revenue_churn_rate(ctx: Context) -> float:
    prev, _ = churn_sets(ctx)
    return float(churned(ctx).sum() / prev.sum() * 100)


@kri(
    "net_revenue_retention",
    "customer",
    "%",
    "down",
    95,
    85,
    {"orders": CUSTOMER_REVENUE},
    "Net revenue retention",
    "净收入留存率",
    min_months=3,
)
def net_revenue_retention(ctx: Context) -> float:
    prev, now = churn_sets(ctx)
    return float(now.reindex(prev.index).fillna(0).sum() / prev.sum() * 100)
