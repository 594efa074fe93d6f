"""Customer risks: attrition."""

from __future__ import annotations

import pandas as pd

from riskbook import kris as K
from riskbook.kris import Context
from riskbook.kris.customer import churned, cohort
from riskbook.risks import EVIDENCE_ROWS, risk, with_names


def _churned_revenue(ctx: Context) -> float:
    """The lost customers' revenue at their pace before they started to leave: per period, the larger of
    what they bought in the previous period and their average over the periods before it — over churn's
    window (a quarter in a month report), scaled to the report period's length. Customers who stayed and
    grew do not offset it: their growth is not the lost customers' money."""
    c = K.REGISTRY["customer_churn_rate"].context(ctx)
    co = cohort(c)
    lost = co.lost
    earlier = [float(c.revenue_by_customer(p).reindex(lost.index).fillna(0).sum()) for p in co.earlier]
    pace = max(float(lost.sum()), sum(earlier) / len(earlier) if earlier else 0.0)
    return pace * ctx.period.months / c.period.months


def _churn(ctx: Context) -> dict[str, pd.DataFrame]:
    lost = churned(K.REGISTRY["customer_churn_rate"].context(ctx)).sort_values(ascending=False)
    return {"churned_customers": with_names(ctx, lost.head(EVIDENCE_ROWS).rename("previous_revenue").reset_index())}


risk(
    id="R-CUS-01",
    pool="revenue",
    family="customer",
    kris=("customer_churn_rate", "revenue_churn_rate", "net_revenue_retention"),
    response="mitigate",
    owner="Head of Customer Success",
    title_en="Customer attrition",
    title_zh="客户流失",
    desc_en="Customers who bought last period have stopped buying or buy less.",
    desc_zh="上期购买的客户停止购买或减少采购。",
    actions_en=(
        "Call every lost top customer within two weeks",
        "Retention programme with health scores",
        "Quarterly business reviews for key accounts",
    ),
    actions_zh=("两周内回访每一位流失的重点客户", "建立客户健康度评分与挽留计划", "对重点客户开展季度业务回顾"),
    action_kris=(("customer_churn_rate", "revenue_churn_rate"), (), ("revenue_churn_rate", "net_revenue_retention")),
    exposure=_churned_revenue,
    evidence=_churn,
    tables={"churned_customers": ("Customers who stopped buying", "停止购买的客户")},
)
