"""Customer KRIs: churn by count and revenue, net revenue retention — over recurring customers.

A web shop's one-off buyers never "churn": they bought once. Churn and retention are measured by default
over the *recurring* customers of the previous period: those who bought in it and in at least one of the
RECURRING_LOOKBACK periods before it (two of the four periods before the report period). The others are
reported beside the value as one-off buyers. ``churn: {customers: all}`` in the settings measures every
customer of the previous period instead, as kri-reference.md defines it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from riskbook.core.labels import isin
from riskbook.kris import kri
from riskbook.kris.context import CUSTOMER_REVENUE, Context, NotApplicable, complete_period

RECURRING_LOOKBACK = 3  # periods before the previous one in which a recurring customer also bought
POPULATIONS: tuple[str, ...] = ("recurring", "all")
RECURRING = "recurring customers (bought in the previous period and in one of the three before it)"


def population(ctx: Context) -> str:
    """'recurring' (the default) or 'all': whom churn and retention are measured over."""
    return str((ctx.settings.get("churn") or {}).get("customers", "recurring"))


@dataclass
class Cohort:
    """The previous period's customers whom churn measures, with what they bought then and now."""

    before: pd.Series  # previous-period revenue by customer (the population)
    now: pd.Series  # period revenue by customer (everyone)
    others: pd.Series  # previous-period revenue of the customers left out (one-off buyers)
    earlier: list  # the periods before the previous one, in the data, that tell a recurring customer

    @property
    def lost(self) -> pd.Series:
        """Previous-period revenue of the population's customers who did not buy in the period."""
        return self.before[~isin(self.before.index, self.now[self.now > 0].index)]

    @property
    def note(self) -> str | None:
        """What the value is measured over, when one-off buyers were left out."""
        if self.others.empty:
            return None
        share = self.others.sum() / (self.others.sum() + self.before.sum()) * 100
        return (
            f"over {len(self.before):,} recurring customers (the {len(self.others):,} one-off buyers, "
            f"{share:.0f}% of the previous period's customer revenue, are not counted)"
        )


def cohort(ctx: Context) -> Cohort:
    """The previous period's customers (recurring ones by default), their revenue then and everyone's now."""
    prev_p = ctx.period.previous
    ctx.check_in_data(prev_p, "previous period")
    prev = ctx.revenue_by_customer(prev_p)
    prev = prev[prev > 0]
    if prev.empty:
        raise NotApplicable("no customers bought in the previous period")
    now = ctx.revenue_by_customer()
    earlier = ctx.in_data([prev_p.shift(-i) for i in range(1, RECURRING_LOOKBACK + 1)])
    if population(ctx) == "all":
        return Cohort(prev, now, prev.iloc[:0], earlier)
    if not earlier:
        raise NotApplicable(
            "too little history to tell recurring customers: the data starts with the previous period "
            "(churn: {customers: all} measures every customer)"
        )
    seen = pd.Index([]).append([ctx.revenue_by_customer(p).index for p in earlier]).unique()
    recurring = isin(prev.index, seen)
    if not recurring.any():
        raise NotApplicable(
            f"no recurring customers: none of the previous period's {len(prev):,} customers bought in the "
            f"{len(earlier)} periods before it (one-off buyers)"
        )
    return Cohort(prev[recurring], now, prev[~recurring], earlier)


def churned(ctx: Context) -> pd.Series:
    """Previous-period revenue of the customers of the cohort who did not buy in the period."""
    return cohort(ctx).lost


@kri(
    "customer_churn_rate",
    family="customer",
    unit="%",
    direction="up",
    amber=15,
    red=25,
    reads={"orders": CUSTOMER_REVENUE},
    en="Customer churn rate",
    zh="客户流失率",
    min_months=3,
    applies=(complete_period,),
    rule="both",
    population=RECURRING,
)
def customer_churn_rate(ctx: Context) -> tuple[float, str | None]:
    c = cohort(ctx)
    return len(c.lost) / len(c.before) * 100, c.note


@kri(
    "revenue_churn_rate",
    family="customer",
    unit="%",
    direction="up",
    amber=10,
    red=20,
    reads={"orders": CUSTOMER_REVENUE},
    en="Revenue churn rate",
    zh="收入流失率",
    min_months=3,
    applies=(complete_period,),
    rule="both",
    population=RECURRING,
)
def revenue_churn_rate(ctx: Context) -> tuple[float, str | None]:
    c = cohort(ctx)
    return float(c.lost.sum() / c.before.sum() * 100), c.note


@kri(
    "net_revenue_retention",
    family="customer",
    unit="%",
    direction="down",
    amber=95,
    red=85,
    reads={"orders": CUSTOMER_REVENUE},
    en="Net revenue retention",
    zh="净收入留存率",
    min_months=3,
    applies=(complete_period,),
    rule="both",
    population=RECURRING,
)
def net_revenue_retention(ctx: Context) -> tuple[float, str | None]:
    c = cohort(ctx)
    return float(c.now.reindex(c.before.index).fillna(0).sum() / c.before.sum() * 100), c.note
