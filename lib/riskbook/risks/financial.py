"""Financial risks: receivables and bad debt, credit-limit breaches, cancellations and disputes."""

from __future__ import annotations

import pandas as pd

from riskbook.kris import Context, NotApplicable
from riskbook.kris.financial import ageing, limit_breaches
from riskbook.risks import EVIDENCE_ROWS, risk, with_names


def _overdue(ctx: Context) -> float:
    """The open balance past its due date at period end."""
    return float(ageing(ctx).query("days_past_due > 0")["balance"].sum())


def _limit_excess(ctx: Context) -> float:
    """What customers owe beyond their credit limits."""
    b = limit_breaches(ctx)
    return float((b["open_balance"] - b["credit_limit"]).sum())


def _cancelled(ctx: Context) -> float:
    """The amount of the period's cancelled and returned order lines."""
    o = ctx.table("orders", "status")
    c = ctx.in_period(o[o["status"].isin(["cancelled", "returned"])], "order_date")
    return float(c["amount"].abs().sum())


def _receivables(ctx: Context) -> dict[str, pd.DataFrame]:
    a = ageing(ctx)
    overdue = a[a["days_past_due"] > 0]
    by_cust = (
        overdue.groupby("customer_id", observed=True)
        .agg(invoices=("invoice_id", "size"), overdue=("balance", "sum"), max_days_past_due=("days_past_due", "max"))
        .sort_values("overdue", ascending=False)
        .head(EVIDENCE_ROWS)
        .reset_index()
    )
    inv = overdue.sort_values("balance", ascending=False).head(EVIDENCE_ROWS)[
        ["invoice_id", "customer_id", "issue_date", "due_date", "days_past_due", "balance"]
    ]
    out = {"overdue_customers": with_names(ctx, by_cust), "overdue_invoices": with_names(ctx, inv)}
    out.update(_limits(ctx))
    return out


def _limits(ctx: Context) -> dict[str, pd.DataFrame]:
    try:
        lb = limit_breaches(ctx)
    except NotApplicable:
        return {}
    if not len(lb):
        return {}
    cols = ["customer_id", "customer_name", "credit_limit", "open_balance"]
    return {"credit_limit_breaches": lb[cols].sort_values("open_balance", ascending=False).head(EVIDENCE_ROWS)}


def _cancellations(ctx: Context) -> dict[str, pd.DataFrame]:
    """The largest cancelled and returned lines (by amount, whatever its sign) and the disputed invoices."""
    o = ctx.table("orders", "status")
    c = ctx.in_period(o[o["status"].isin(["cancelled", "returned"])], "order_date")
    cols = [c_ for c_ in ("order_id", "order_date", "customer_id", "status", "amount") if c_ in c.columns]
    largest = c.assign(_size=c["amount"].abs()).sort_values("_size", ascending=False, kind="stable")[cols]
    out = {"cancelled_lines": with_names(ctx, largest.head(EVIDENCE_ROWS))}
    inv = ctx.tables.get("invoices")
    if inv is not None and "disputed" in inv.columns:
        d = ctx.in_period(inv[inv["disputed"].fillna(False).astype(bool)], "issue_date").drop_duplicates("invoice_id")
        keep = [c_ for c_ in ("invoice_id", "customer_id", "issue_date", "due_date", "amount") if c_ in d.columns]
        out["disputed_invoices"] = with_names(ctx, d.sort_values("amount", ascending=False)[keep].head(EVIDENCE_ROWS))
    return out


LIMITS_TITLE = {"credit_limit_breaches": ("Customers over their credit limit", "超信用额度客户")}

risk(
    id="R-FIN-01",
    pool="receivables",
    family="financial",
    kris=("dso", "overdue_ratio", "overdue_90_ratio", "expected_credit_loss"),
    response="mitigate",
    owner="Finance Controller",
    title_en="Receivables and bad debt",
    title_zh="应收账款与坏账",
    desc_en="Customers are paying late or not at all; cash and profit are at risk.",
    desc_zh="客户延迟付款或拒付，现金流与利润面临风险。",
    actions_en=(
        "Credit checks before new orders to overdue customers",
        "Collections calls on everything over 60 days",
        "Credit insurance or factoring for large exposures",
    ),
    actions_zh=("对逾期客户的新订单先做信用审查", "对逾期60天以上款项逐一催收", "对大额敞口投保信用保险或保理"),
    action_kris=(
        ("overdue_ratio", "overdue_90_ratio", "expected_credit_loss"),
        ("dso", "overdue_ratio", "overdue_90_ratio"),
        (),
    ),
    exposure=_overdue,
    evidence=_receivables,
    tables={
        "overdue_customers": ("Overdue customers", "逾期客户"),
        "overdue_invoices": ("Largest overdue invoices", "最大逾期发票"),
        **LIMITS_TITLE,
    },
)

risk(
    id="R-FIN-02",
    pool="receivables",
    family="financial",
    kris=("credit_limit_breaches",),
    response="transfer",
    owner="Finance Controller",
    title_en="Credit limit breaches",
    title_zh="超信用额度",
    desc_en="Customers owe more than their approved credit limit.",
    desc_zh="客户欠款超过批准的信用额度。",
    actions_en=("Block new orders above the limit", "Review limits with current credit reports", "Credit insurance"),
    actions_zh=("超额度客户暂停新订单", "依据最新信用报告复核额度", "投保信用保险"),
    exposure=_limit_excess,
    evidence=_limits,
    tables=LIMITS_TITLE,
)

risk(
    id="R-FIN-03",
    pool="cancellations",
    family="financial",
    kris=("cancellation_rate", "dispute_rate"),
    response="mitigate",
    owner="Head of Sales Operations",
    title_en="Cancellations, returns and disputes",
    title_zh="取消、退货与争议",
    desc_en="Orders are cancelled or returned and invoices disputed, eroding revenue.",
    desc_zh="订单被取消或退货、发票被争议，侵蚀收入。",
    actions_en=(
        "Analyse cancellation reasons by product and rep",
        "Resolve each disputed invoice with the customer within ten working days",
        "Tighten order confirmation",
    ),
    actions_zh=("按产品与销售人员分析取消原因", "十个工作日内与客户逐一解决争议发票", "加强订单确认流程"),
    action_kris=(("cancellation_rate",), ("dispute_rate",), ("cancellation_rate",)),
    exposure=_cancelled,
    evidence=_cancellations,
    tables={
        "cancelled_lines": ("Largest cancelled or returned lines", "最大取消/退货行"),
        "disputed_invoices": ("Disputed invoices issued in the period", "本期争议发票"),
    },
)
