"""Market KRIs: growth, volatility, concentration, win rate, competition, discounting."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskbook.kris import kri
from riskbook.kris.context import CUSTOMER_REVENUE, REVENUE, Context, NotApplicable, full_last_month, needs


def _growth(ctx: Context, base_period, what: str) -> float | tuple[float, str]:
    """Revenue against ``base_period``'s; in a period the data covers only in part, like for like: the days
    the data covers against the same days of the base period."""
    ctx.check_in_data(base_period, what)
    if ctx.through is None:
        base = ctx.revenue(base_period)
        if base <= 0:
            raise NotApplicable(f"no revenue in {what} {base_period}")
        return (ctx.revenue() / base - 1) * 100
    days = ctx.through - ctx.period.start
    base_end = min(base_period.start + days, base_period.end)
    base = float(ctx.between(ctx.completed, "order_date", base_period.start, base_end)["amount"].sum())
    if base <= 0:
        raise NotApplicable(f"no revenue in {what} {base_period} to {base_end.date()}")
    now = float(ctx.between(ctx.completed, "order_date", ctx.period.start, ctx.through)["amount"].sum())
    return (now / base - 1) * 100, (
        f"like for like: {ctx.period.start.date()} to {ctx.through.date()} against "
        f"{base_period.start.date()} to {base_end.date()}"
    )


@kri(
    "revenue_growth",
    family="market",
    unit="%",
    direction="down",
    amber=-5,
    red=-15,
    reads={"orders": REVENUE},
    en="Revenue growth vs previous period",
    zh="收入环比增长",
    applies=(full_last_month,),
    rule="both",
)
def revenue_growth(ctx: Context) -> float:
    return _growth(ctx, ctx.period.previous, "previous period")


def within_a_year(ctx: Context) -> None:
    """quarter and month reports: in a year report the year before is the previous period, and growth says it"""
    if ctx.period.kind == "Y":
        raise NotApplicable("a year's previous period is the year before: revenue growth already compares them")


@kri(
    "revenue_yoy",
    family="market",
    unit="%",
    direction="down",
    amber=-5,
    red=-15,
    reads={"orders": REVENUE},
    en="Revenue growth year on year",
    zh="收入同比增长",
    applies=(within_a_year, full_last_month),
    rule="both",
)
def revenue_yoy(ctx: Context) -> float:
    return _growth(ctx, ctx.period.year_ago, "year-earlier period")


@kri(
    "sales_volatility_cv",
    family="market",
    unit="ratio",
    direction="up",
    amber=0.5,
    red=0.7,
    reads={"orders": REVENUE},
    en="Weekly sales volatility (CV, 26 weeks)",
    zh="周销售波动系数（26周）",
    applies=(full_last_month,),
    rule="both",  # a reseller ordering in monthly batches is volatile week to week by its rhythm
)
def sales_volatility_cv(ctx: Context) -> float:
    end = ctx.end + pd.Timedelta(days=1)
    start = end - pd.Timedelta(weeks=26)
    ctx.check_in_data(type(ctx.period)(start.replace(day=1), "M"), "26-week window from")
    lines = ctx.completed[(ctx.completed["order_date"] >= start) & (ctx.completed["order_date"] < end)]
    week = ((lines["order_date"] - start).dt.days // 7).clip(upper=25)
    weekly = np.bincount(week.to_numpy(), weights=lines["amount"].to_numpy(), minlength=26)
    if weekly.mean() <= 0:
        raise NotApplicable("no revenue in the trailing 26 weeks")
    return float(weekly.std(ddof=1) / weekly.mean())


def _customer_revenue(ctx: Context) -> pd.Series:
    rev = ctx.revenue_by_customer()
    rev = rev[rev > 0]
    if rev.empty:
        raise NotApplicable("no customer revenue in the period")
    return rev


@kri(
    "customer_concentration_top10",
    family="market",
    unit="%",
    direction="up",
    amber=50,
    red=70,
    reads={"orders": CUSTOMER_REVENUE},
    en="Revenue share of the 10 largest customers",
    zh="前十大客户收入占比",
    applies=(full_last_month,),
    rule="both",  # a key-account or project business is concentrated by design
)
def customer_concentration_top10(ctx: Context) -> float:
    rev = _customer_revenue(ctx)
    return float(rev.nlargest(10).sum() / rev.sum() * 100)


@kri(
    "customer_hhi",
    family="market",
    unit="index",
    direction="up",
    amber=1500,
    red=2500,
    reads={"orders": CUSTOMER_REVENUE},
    en="Customer concentration (HHI)",
    zh="客户集中度（HHI）",
    applies=(full_last_month,),
    rule="both",
)
def customer_hhi(ctx: Context) -> float:
    rev = _customer_revenue(ctx)
    return float(((rev / rev.sum() * 100) ** 2).sum())


def _closed(ctx: Context) -> pd.DataFrame:
    opp = ctx.table("opportunities", "close_date")
    closed = ctx.in_period(opp[opp["status"].isin(["won", "lost"])], "close_date")
    if closed.empty:
        raise NotApplicable("no opportunities closed in the period")
    return closed


@kri(
    "win_rate",
    family="market",
    unit="%",
    direction="down",
    amber=30,
    red=20,
    reads={"opportunities": ("status", "close_date")},
    en="Win rate of closed opportunities",
    zh="商机赢单率",
    applies=(needs("opportunities", "close_date"),),
    rule="both",  # a project business wins a quarter of its bids
)
def win_rate(ctx: Context) -> float:
    closed = _closed(ctx)
    return float(closed["status"].eq("won").mean() * 100)


@kri(
    "competitive_loss_share",
    family="market",
    unit="%",
    direction="up",
    amber=40,
    red=60,
    reads={"opportunities": ("status", "close_date", "competitor")},
    en="Losses to a named competitor",
    zh="输给竞争对手的丢单占比",
    applies=(needs("opportunities", "close_date", "competitor"),),
    rule="both",
)
def competitive_loss_share(ctx: Context) -> float:
    lost = _closed(ctx)
    lost = lost[lost["status"].eq("lost")]
    if lost.empty:
        raise NotApplicable("no opportunities lost in the period")
    if "competitor" not in lost.columns:
        raise NotApplicable("opportunities has no competitor column")
    return float(lost["competitor"].notna().mean() * 100)


def discounted_lines(ctx: Context) -> pd.DataFrame:
    """Completed lines of the period with list price, with ``discount`` (fraction) and quantity."""
    o = ctx.table("orders", "list_price", "unit_price")
    lines = ctx.lines()
    lines = lines[lines["list_price"].notna() & lines["unit_price"].notna() & (lines["list_price"] > 0)]
    if lines.empty:
        raise NotApplicable("no order lines with list and unit price in the period")
    qty = lines["quantity"].fillna(1.0) if "quantity" in o.columns else pd.Series(1.0, index=lines.index)
    return lines.assign(qty=qty, discount=1 - lines["unit_price"] / lines["list_price"])


@kri(
    "discount_depth",
    family="market",
    unit="%",
    direction="up",
    amber=15,
    red=25,
    reads={"orders": ("order_date", "status", "list_price", "unit_price", "quantity")},
    en="Average discount depth",
    zh="平均折扣深度",
    applies=(needs("orders", "list_price", "unit_price"),),
    rule="both",  # a wholesaler's normal discount is a retailer's clearance sale
)
def discount_depth(ctx: Context) -> float:
    d = discounted_lines(ctx)
    gross = (d["list_price"] * d["qty"]).sum()
    return float(((d["list_price"] - d["unit_price"]) * d["qty"]).sum() / gross * 100)
