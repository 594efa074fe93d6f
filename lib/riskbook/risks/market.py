"""Market risks: demand decline, price war, customer concentration."""

from __future__ import annotations

import pandas as pd

from riskbook import kris as K
from riskbook.kris import Context
from riskbook.kris.market import discounted_lines
from riskbook.risks import EVIDENCE_ROWS, risk, with_names


def _revenue_decline(ctx: Context) -> float:
    """Revenue lost against the previous period."""
    return max(0.0, ctx.revenue(ctx.period.previous) - ctx.revenue())


def _excess_discount(ctx: Context) -> float:
    """The discount given beyond the normal depth (the amber threshold): money the unit gave away. Deals lost
    to competitors are not added: their value is the pipeline's, not money the unit had."""
    d = discounted_lines(ctx)
    amber = K.thresholds(K.REGISTRY["discount_depth"], ctx.settings, ctx.period.kind)["amber"] / 100
    return float(((d["discount"] - amber).clip(lower=0) * d["list_price"] * d["qty"]).sum())


def _lost_deals(ctx: Context) -> dict[str, pd.DataFrame]:
    opp = ctx.table("opportunities", "close_date")
    lost = ctx.in_period(opp[opp["status"].eq("lost")], "close_date")
    cols = [
        c
        for c in ("opportunity_id", "customer_id", "close_date", "amount", "competitor", "loss_reason")
        if c in lost.columns
    ]
    out = {"lost_deals": with_names(ctx, lost.sort_values("amount", ascending=False)[cols].head(EVIDENCE_ROWS))}
    if "competitor" in lost.columns and lost["competitor"].notna().any():
        out["losses_by_competitor"] = (
            lost.groupby("competitor", observed=True)["amount"]
            .agg(["size", "sum"])
            .rename(columns={"size": "deals", "sum": "amount"})
            .sort_values("amount", ascending=False)
            .reset_index()
        )
    return out


def _top_customer(ctx: Context) -> float:
    """The revenue of the largest customer: what losing it would cost."""
    return float(ctx.revenue_by_customer().max())


def _concentration(ctx: Context) -> dict[str, pd.DataFrame]:
    rev = ctx.revenue_by_customer()
    top = rev.nlargest(10).rename("revenue").reset_index()
    top["share_pct"] = top["revenue"] / rev.sum() * 100
    return {"top_customers": with_names(ctx, top)}


risk(
    id="R-MKT-01",
    pool="revenue",
    family="market",
    kris=("revenue_growth", "revenue_yoy", "sales_volatility_cv"),
    response="mitigate",
    owner="Head of Sales",
    title_en="Demand decline and volatility",
    title_zh="需求下滑与波动",
    desc_en="Revenue is falling or swinging more than usual, so targets and capacity are at risk.",
    desc_zh="收入下滑或波动超常，销售目标与产能面临风险。",
    actions_en=(
        "Re-forecast the quarter by segment",
        "Shift capacity to growing segments",
        "Review pricing and promotions",
    ),
    actions_zh=("按细分市场重新预测本季度", "将产能转向增长细分市场", "复核定价与促销"),
    action_kris=((), ("revenue_growth", "revenue_yoy"), ("revenue_growth", "revenue_yoy")),
    exposure=_revenue_decline,
)

risk(
    id="R-MKT-02",
    pool="pricing",
    family="market",
    kris=("win_rate", "competitive_loss_share", "discount_depth"),
    response="mitigate",
    owner="Head of Sales",
    title_en="Competitor price war",
    title_zh="竞争对手价格战",
    desc_en="Deals are being lost to competitors and won only at deeper discounts.",
    desc_zh="商机不断输给竞争对手，赢单依赖更深折扣。",
    actions_en=(
        "Win/loss reviews on every lost deal above threshold",
        "Value-selling training and battle cards",
        "Price floor and deal desk for discounts",
    ),
    actions_zh=("对超阈值丢单逐一复盘", "价值销售培训与竞争对策卡", "设定价格底线并由交易审核台审批折扣"),
    action_kris=(("win_rate", "competitive_loss_share"), ("win_rate", "competitive_loss_share"), ("discount_depth",)),
    exposure=_excess_discount,
    evidence=_lost_deals,
    tables={
        "lost_deals": ("Largest lost deals", "最大丢单"),
        "losses_by_competitor": ("Losses by competitor", "按竞争对手的丢单"),
    },
)

risk(
    id="R-MKT-03",
    pool="revenue",
    family="market",
    kris=("customer_concentration_top10", "customer_hhi"),
    response="mitigate",
    owner="Head of Sales",
    title_en="Customer concentration",
    title_zh="客户集中度过高",
    desc_en="A few customers carry much of the revenue; losing one would hurt.",
    desc_zh="少数客户贡献大部分收入，失去任何一家都会造成重大影响。",
    actions_en=(
        "Account plans for the top 10 customers",
        "Grow the mid-market pipeline",
        "Multi-year agreements with key accounts",
    ),
    actions_zh=("为前十大客户制定客户计划", "拓展中型客户商机", "与重点客户签订多年协议"),
    exposure=_top_customer,
    evidence=_concentration,
    tables={"top_customers": ("Top 10 customers", "前十大客户")},
)
