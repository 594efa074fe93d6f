"""Identification: which library risks are present (their KRIs breach), with the rows behind them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from riskbook.ingest.checks import CHECKS
from riskbook.kris import REGISTRY, Context, NotApplicable
from riskbook.kris.compliance import violations
from riskbook.kris.customer import churned
from riskbook.kris.financial import ageing, limit_breaches
from riskbook.kris.operational import leavers, orphaned_customers
from riskbook.risks.library import LIBRARY, Risk

SEVERITY: dict[str, int] = {"n/a": 0, "green": 0, "amber": 1, "red": 2}
EVIDENCE_ROWS = 15


@dataclass
class Finding:
    """A risk present in the period: its KRIs and the evidence tables behind them."""

    risk: Risk
    kris: pd.DataFrame
    evidence: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def worst(self) -> str:
        return max(self.kris["status"], key=SEVERITY.__getitem__)


def _names(ctx: Context, df: pd.DataFrame) -> pd.DataFrame:
    """Add customer_name where a customers table is present."""
    cust = ctx.tables.get("customers")
    if cust is None or "customer_id" not in df.columns:
        return df
    names = cust.drop_duplicates("customer_id").set_index("customer_id")["customer_name"]
    df = df.copy()
    df.insert(df.columns.get_loc("customer_id") + 1, "customer_name", df["customer_id"].map(names))
    return df


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
    out = {"overdue_customers": _names(ctx, by_cust), "overdue_invoices": _names(ctx, inv)}
    try:
        lb = limit_breaches(ctx)
        if len(lb):
            out["credit_limit_breaches"] = (
                lb[["customer_id", "customer_name", "credit_limit", "open_balance"]]
                .sort_values("open_balance", ascending=False)
                .head(EVIDENCE_ROWS)
            )
    except NotApplicable:
        pass
    return out


def _limits(ctx: Context) -> dict[str, pd.DataFrame]:
    return {k: v for k, v in _receivables(ctx).items() if k == "credit_limit_breaches"}


def _reps(ctx: Context) -> dict[str, pd.DataFrame]:
    window = REGISTRY["rep_attrition_rate"].context(ctx)  # the three months to date in a month report
    left = leavers(window)[["rep_id", "rep_name", "hire_date", "exit_date"]].sort_values("exit_date")
    orph = orphaned_customers(ctx)
    prev = ctx.revenue_by_customer(ctx.period.previous).rename("previous_revenue")
    orph = orph.merge(prev, left_on="customer_id", right_index=True, how="left").fillna({"previous_revenue": 0})
    orph = orph.sort_values("previous_revenue", ascending=False).head(EVIDENCE_ROWS)
    return {"leavers": left, "orphaned_accounts": _names(ctx, orph)}


def _lost_deals(ctx: Context) -> dict[str, pd.DataFrame]:
    opp = ctx.table("opportunities", "close_date")
    lost = ctx.in_period(opp[opp["status"].eq("lost")], "close_date")
    cols = [
        c
        for c in ("opportunity_id", "customer_id", "close_date", "amount", "competitor", "loss_reason")
        if c in lost.columns
    ]
    out = {"lost_deals": _names(ctx, lost.sort_values("amount", ascending=False)[cols].head(EVIDENCE_ROWS))}
    if "competitor" in lost.columns and lost["competitor"].notna().any():
        out["losses_by_competitor"] = (
            lost.groupby("competitor", observed=True)["amount"]
            .agg(["size", "sum"])
            .rename(columns={"size": "deals", "sum": "amount"})
            .sort_values("amount", ascending=False)
            .reset_index()
        )
    return out


def _bad_records(ctx: Context) -> dict[str, pd.DataFrame]:
    from riskbook.stages.quality import touching

    f = touching(ctx.findings, ctx.period, ctx.as_of)
    f = f[(f["when"] == "period") & (f["severity"] == "error")]
    if f.empty:
        return {}
    counts = (
        f.groupby(["table", "check", "column"], dropna=False, sort=False)
        .size()
        .rename("records")
        .reset_index()
        .sort_values("records", ascending=False, kind="stable")
    )
    counts["problem"] = counts["check"].map(lambda c: CHECKS[c].en)
    sample = f.groupby(["table", "check"], sort=False).head(3)
    sample = sample.assign(problem=sample["check"].map(lambda c: CHECKS[c].en))[
        ["table", "row", "key", "column", "value", "problem", "note"]
    ]
    return {"data_quality_problems": counts[["table", "problem", "column", "records"]], "bad_records_sample": sample}


def _churn(ctx: Context) -> dict[str, pd.DataFrame]:
    c = (
        churned(REGISTRY["customer_churn_rate"].context(ctx))
        .sort_values(ascending=False)
        .head(EVIDENCE_ROWS)
        .rename("previous_revenue")
        .reset_index()
    )
    return {"churned_customers": _names(ctx, c)}


def _concentration(ctx: Context) -> dict[str, pd.DataFrame]:
    rev = ctx.revenue_by_customer()
    top = rev.nlargest(10).rename("revenue").reset_index()
    top["share_pct"] = top["revenue"] / rev.sum() * 100
    return {"top_customers": _names(ctx, top)}


def _discounts(ctx: Context) -> dict[str, pd.DataFrame]:
    _, bad = violations(ctx)
    cols = [
        c
        for c in ("order_id", "order_date", "customer_id", "rep_id", "list_price", "unit_price", "quantity")
        if c in bad.columns
    ]
    top = bad.assign(discount_pct=bad["discount"] * 100).sort_values("discount_pct", ascending=False)
    return {"unapproved_discounts": _names(ctx, top[cols + ["discount_pct"]].head(EVIDENCE_ROWS))}


def _incidents(ctx: Context) -> dict[str, pd.DataFrame]:
    inc = ctx.in_period(ctx.table("incidents"), "date")
    cols = [c for c in ("incident_id", "date", "category", "severity", "description") if c in inc.columns]
    return {"incidents": inc.sort_values("severity", ascending=False)[cols].head(EVIDENCE_ROWS)}


def _cancellations(ctx: Context) -> dict[str, pd.DataFrame]:
    o = ctx.table("orders", "status")
    c = ctx.in_period(o[o["status"].isin(["cancelled", "returned"])], "order_date")
    cols = [c_ for c_ in ("order_id", "order_date", "customer_id", "status", "amount") if c_ in c.columns]
    return {"cancelled_lines": _names(ctx, c.sort_values("amount", ascending=False)[cols].head(EVIDENCE_ROWS))}


EVIDENCE: dict[str, Callable[[Context], dict[str, pd.DataFrame]]] = {
    "R-FIN-01": _receivables,
    "R-FIN-02": _limits,
    "R-OPS-01": _reps,
    "R-MKT-02": _lost_deals,
    "R-OPS-03": _bad_records,
    "R-CUS-01": _churn,
    "R-MKT-03": _concentration,
    "R-CMP-01": _discounts,
    "R-OPS-04": _incidents,
    "R-CMP-02": _incidents,
    "R-FIN-03": _cancellations,
}


def evidence(risk_id: str, ctx: Context) -> dict[str, pd.DataFrame]:
    """The evidence tables of ``risk_id`` (empty when its inputs are missing)."""
    fn = EVIDENCE.get(risk_id)
    if fn is None:
        return {}
    try:
        return {k: v.reset_index(drop=True) for k, v in fn(ctx).items() if len(v)}
    except NotApplicable:
        return {}


def present(kris: pd.DataFrame) -> list[tuple[Risk, pd.DataFrame]]:
    """Library risks with at least one amber or red KRI, with their KRI rows."""
    out = []
    for risk in LIBRARY:
        rows = kris[kris["id"].isin(risk.kris)]
        if rows["status"].isin(["amber", "red"]).any():
            out.append((risk, rows))
    return out


def identify(ctx: Context, kris: pd.DataFrame, with_evidence: bool = True) -> list[Finding]:
    """The risks present at ``ctx.period``, worst first, with evidence."""
    found = [Finding(r, rows, evidence(r.id, ctx) if with_evidence else {}) for r, rows in present(kris)]
    return sorted(found, key=lambda f: -SEVERITY[f.worst])
