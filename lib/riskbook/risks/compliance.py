"""Compliance risks: discount policy breaches, compliance and legal incidents."""

from __future__ import annotations

import pandas as pd

from riskbook.kris import Context
from riskbook.kris.compliance import APPROVAL_LIMIT, violations
from riskbook.risks import EVIDENCE_ROWS, risk, with_names
from riskbook.risks.operational import INCIDENTS_TITLE, incidents


def _unapproved(ctx: Context) -> float:
    """The discount given beyond the approval limit without approval: on each such line, only the part of
    its discount above the limit (the rest needed no approval)."""
    _, bad = violations(ctx)
    limit = float((ctx.settings.get("policy") or {}).get("discount_approval_limit", APPROVAL_LIMIT)) / 100
    return float(((bad["discount"] - limit).clip(lower=0) * bad["list_price"] * bad["qty"]).sum())


def _discounts(ctx: Context) -> dict[str, pd.DataFrame]:
    _, bad = violations(ctx)
    cols = [
        c
        for c in ("order_id", "order_date", "customer_id", "rep_id", "list_price", "unit_price", "quantity")
        if c in bad.columns
    ]
    top = bad.assign(discount_pct=bad["discount"] * 100).sort_values("discount_pct", ascending=False)
    return {"unapproved_discounts": with_names(ctx, top[cols + ["discount_pct"]].head(EVIDENCE_ROWS))}


risk(
    id="R-CMP-01",
    pool="pricing",
    family="compliance",
    kris=("discount_policy_violations",),
    response="avoid",
    owner="Compliance Officer",
    title_en="Discount policy breaches",
    title_zh="违反折扣政策",
    desc_en="Discounts beyond the approval limit are given without approval.",
    desc_zh="超出审批权限的折扣未经批准即给出。",
    actions_en=(
        "Hard approval limits in the order system",
        "Monthly audit of discounts over the limit",
        "Clawback of commission on unapproved discounts",
    ),
    actions_zh=("在订单系统中设置硬性审批权限", "每月审计超限折扣", "对未审批折扣追回佣金"),
    exposure=_unapproved,
    evidence=_discounts,
    tables={"unapproved_discounts": ("Unapproved discounts beyond the limit", "超权限未审批折扣")},
)

risk(
    id="R-CMP-02",
    family="compliance",
    kris=("compliance_incidents",),
    response="avoid",
    owner="Compliance Officer",
    title_en="Compliance and legal breaches",
    title_zh="合规与法律违规",
    desc_en="Compliance or legal incidents were recorded in the period.",
    desc_zh="本期发生合规或法律事件。",
    actions_en=("Investigate each incident and report to the board", "Refresher training on contract rules"),
    actions_zh=("调查每一起事件并向董事会报告", "开展合同规则复训"),
    evidence=incidents,
    tables=INCIDENTS_TITLE,
)
