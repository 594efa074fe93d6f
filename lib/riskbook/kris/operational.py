"""Operational KRIs: rep attrition, orphaned accounts, pipeline, data quality, incidents, stock."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskbook.core.labels import isin
from riskbook.core.schema import TABLES
from riskbook.kris import kri
from riskbook.kris.context import CUSTOMER_REVENUE, EVERY_TABLE, Context, NotApplicable, needs


def leavers(ctx: Context) -> pd.DataFrame:
    """Reps whose exit date falls in the period."""
    reps = ctx.table("reps")
    if "exit_date" not in reps.columns:
        return reps.iloc[:0]
    return ctx.in_period(reps, "exit_date")


@kri(
    "rep_attrition_rate",
    family="operational",
    unit="%",
    direction="up",
    amber=25,
    red=35,
    reads={"reps": ("hire_date", "exit_date")},
    en="Sales rep attrition (annualised)",
    zh="销售人员流失率（年化）",
    min_months=12,  # turnover is a year's: one leaver in a team of five is not an 80 % quarter
    applies=(needs("reps", "hire_date", "exit_date"),),
)
def rep_attrition_rate(ctx: Context) -> float:
    p = ctx.period
    avg = (ctx.headcount(p.start - pd.Timedelta(days=1)) + ctx.headcount(p.end)) / 2
    if avg <= 0:
        raise NotApplicable("no reps employed in the period")
    return len(leavers(ctx)) / avg * p.per_year * 100


def orphaned_customers(ctx: Context) -> pd.DataFrame:
    """Customers whose last rep (up to period end) has left: customer_id, rep_id, exit_date."""
    reps = ctx.table("reps", "exit_date")
    o = ctx.table("orders", "rep_id")
    gone = reps[reps["exit_date"].notna() & (reps["exit_date"] <= ctx.period.end)]
    last = o.iloc[_last_orders(ctx, o)][["customer_id", "rep_id"]]
    return last[isin(last["rep_id"], gone["rep_id"])].merge(gone[["rep_id", "exit_date"]], on="rep_id")


def _last_orders(ctx: Context, o: pd.DataFrame) -> np.ndarray:
    """Positions of each customer's last order line with a rep up to period end, in date order (of one
    date, the line last in the file)."""
    dated = ctx.slices.upto(o, "order_date", ctx.period.end)
    if dated is None:  # not the unit's own table: sorted here
        dated = np.flatnonzero((o["order_date"] <= ctx.period.end).to_numpy())
        dated = dated[np.argsort(o["order_date"].to_numpy()[dated], kind="stable")]
    # coded once for a table kept for the run; a frame made for one question is coded for it
    code, known = (
        ctx.slices.value(("customer codes", id(o)), lambda: _codes(o)) if ctx.slices.registered(o) else _codes(o)
    )
    dated = dated[known[dated]]
    _, last = np.unique(code[dated[::-1]], return_index=True)  # the first from the end is the last
    return dated[np.sort(len(dated) - 1 - last)]


def _codes(o: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each order line's customer as an integer, and whether it has both a customer and a rep."""
    code, _ = pd.factorize(o["customer_id"])
    return code, (code >= 0) & o["rep_id"].notna().to_numpy()


@kri(
    "orphaned_revenue_share",
    family="operational",
    unit="%",
    direction="up",
    amber=5,
    red=15,
    reads={"orders": CUSTOMER_REVENUE + ("rep_id",), "reps": ("rep_id", "hire_date", "exit_date")},
    en="Revenue of accounts whose rep left",
    zh="离职销售遗留客户收入占比",
    applies=(needs("reps", "exit_date"), needs("orders", "rep_id")),
)
def orphaned_revenue_share(ctx: Context) -> float:
    prev = ctx.revenue_by_customer(ctx.period.previous)
    if prev.sum() <= 0:
        raise NotApplicable("no revenue in the previous period")
    return float(prev.reindex(orphaned_customers(ctx)["customer_id"]).fillna(0).sum() / prev.sum() * 100)


@kri(
    "pipeline_coverage",
    family="operational",
    unit="×",
    direction="down",
    amber=3.0,
    red=2.0,
    reads={
        "opportunities": ("created_date", "status", "close_date", "amount"),
        "reps": ("hire_date", "exit_date", "quarterly_quota"),
    },
    en="Pipeline coverage of next period's quota",
    zh="下期配额的商机覆盖倍数",
    scale="inverse",
    applies=(needs("opportunities"), needs("reps", "quarterly_quota")),
    rule="both",  # a subscription business renews more than it sells new
)
def pipeline_coverage(ctx: Context) -> float:
    opp = ctx.table("opportunities")
    end = ctx.end
    is_open = opp["status"].eq("open")
    if "close_date" in opp.columns:
        is_open |= opp["close_date"] > end
    pipeline = opp[(opp["created_date"] <= end) & is_open]["amount"].sum()
    quota = ctx.quota()
    if quota <= 0:
        raise NotApplicable("no quota for the next period")
    return float(pipeline / quota)


def period_records(ctx: Context) -> pd.DataFrame:
    """Every record of the period with its flags (_dq, _dup, _drop, _row) and its table: rows of every
    dated table dated in the period (defective ones included), plus rows dated after the as-of date."""
    parts = []
    for name, df in (ctx.raw or ctx.tables).items():
        col = TABLES[name].date_col if name in TABLES else None
        if not col or col not in df.columns or "_dq" not in df.columns:
            continue
        d = df[col]
        keep = (d >= ctx.period.start) & (d < ctx.period.end_exclusive)
        if ctx.as_of is not None:
            keep |= d > ctx.as_of
        parts.append(df.loc[keep].assign(table=name))
    if not parts or not sum(len(p) for p in parts):
        raise NotApplicable("no records in the period")
    return pd.concat(parts, ignore_index=True)


@kri(
    "data_quality_error_rate",
    family="operational",
    unit="%",
    direction="up",
    amber=2,
    red=5,
    reads=EVERY_TABLE,
    en="Records failing a data-quality check",
    zh="数据质量错误率",
)
def data_quality_error_rate(ctx: Context) -> float:
    r = period_records(ctx)
    return float(r["_dq"].notna().mean() * 100)


@kri(
    "duplicate_record_rate",
    family="operational",
    unit="%",
    direction="up",
    amber=0.5,
    red=2,
    reads=EVERY_TABLE,
    en="Duplicate records",
    zh="重复记录率",
)
def duplicate_record_rate(ctx: Context) -> float:
    r = period_records(ctx)
    return float(r["_dup"].mean() * 100)


BENFORD = np.log10(1 + 1 / np.arange(1, 10))
BENFORD_MIN, BENFORD_SPAN, REPEATED_MAX = 500, 100, 0.5  # amounts, 99th/1st percentile, share of repeated ones


def _amounts(ctx: Context) -> pd.Series:
    o = ctx.in_period(ctx.orders, "order_date")["amount"]
    return o[o > 0]


def free_form_amounts(ctx: Context) -> None:
    """free-form amounts: at least 500, spanning two orders of magnitude, not mostly repeated exact prices"""
    a = _amounts(ctx)
    if len(a) < BENFORD_MIN:
        raise NotApplicable(f"not applicable: {len(a)} positive amounts, Benford needs at least {BENFORD_MIN}")
    p1, p99 = np.percentile(a, [1, 99])
    if p99 / p1 < BENFORD_SPAN:
        raise NotApplicable("not applicable: amounts span less than two orders of magnitude")
    counts = a.map(a.value_counts())
    repeated = float((counts >= 3).mean())
    if repeated > REPEATED_MAX:
        raise NotApplicable(
            f"not applicable: {repeated:.0%} of the amounts repeat an exact amount three times or more "
            "(catalogue or list prices), and Benford's law holds only for free-form amounts"
        )


def first_digits(amounts: pd.Series) -> np.ndarray:
    """Leading digit (1–9) of each positive amount."""
    a = amounts[amounts > 0].to_numpy(dtype=float)
    return (a / 10 ** np.floor(np.log10(a))).astype(int).clip(1, 9)


@kri(
    "benford_mad",
    family="operational",
    unit="MAD",
    direction="up",
    amber=0.012,
    red=0.015,
    reads={"orders": ("order_date", "amount")},
    en="Benford first-digit deviation of amounts",
    zh="金额首位数字本福特偏差",
    min_months=3,
    applies=(free_form_amounts,),
)
def benford_mad(ctx: Context) -> float:
    a = _amounts(ctx)
    freq = np.bincount(first_digits(a), minlength=10)[1:] / len(a)
    return float(np.abs(freq - BENFORD).mean())


@kri(
    "incident_count",
    family="operational",
    unit="score",
    direction="up",
    amber=8,
    red=15,
    reads={"incidents": ("date", "severity")},
    en="Incidents weighted by severity",
    zh="事件数（按严重度加权）",
    scale="length",
    applies=(needs("incidents", "severity"),),
)
def incident_count(ctx: Context) -> float:
    inc = ctx.in_period(ctx.table("incidents"), "date")
    return float(inc["severity"].sum())


def stock_snapshot(ctx: Context) -> pd.DataFrame:
    """The last inventory snapshot in the period, one row per product, with ``short``."""
    inv = ctx.in_period(ctx.table("inventory"), "snapshot_date")
    if inv.empty:
        raise NotApplicable("no inventory snapshot in the period")
    snap = inv[inv["snapshot_date"] == inv["snapshot_date"].max()].drop_duplicates("product_id")
    short = snap["on_hand"] <= 0
    if "forecast_demand" in snap.columns:
        short |= snap["on_hand"] < snap["forecast_demand"].fillna(-np.inf)
    return snap.assign(short=short)


@kri(
    "stockout_rate",
    family="operational",
    unit="%",
    direction="up",
    amber=5,
    red=10,
    reads={"inventory": ("snapshot_date", "product_id", "on_hand", "forecast_demand")},
    en="Products out of stock or below forecast demand",
    zh="缺货率",
)
def stockout_rate(ctx: Context) -> float:
    return float(stock_snapshot(ctx)["short"].mean() * 100)
