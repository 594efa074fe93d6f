"""Operational risks: rep turnover, thin pipeline, distorted CRM data, process and system disruption."""

from __future__ import annotations

import pandas as pd

from riskbook import kris as K
from riskbook.core.findings import CHECKS, DUPLICATES
from riskbook.kris import Context
from riskbook.kris.context import REVENUE
from riskbook.kris.findings import touching
from riskbook.kris.operational import leavers, orphaned_customers, period_records
from riskbook.risks import EVIDENCE_ROWS, risk, with_names


def _orphaned_revenue(ctx: Context) -> float:
    """Previous-period revenue of the customers whose last rep left."""
    prev = ctx.revenue_by_customer(ctx.period.previous)
    return float(prev.reindex(orphaned_customers(ctx)["customer_id"]).fillna(0).sum())


def _reps(ctx: Context) -> dict[str, pd.DataFrame]:
    window = K.REGISTRY["rep_attrition_rate"].context(ctx)  # the three months to date in a month report
    left = leavers(window)[["rep_id", "rep_name", "hire_date", "exit_date"]].sort_values("exit_date")
    orph = orphaned_customers(ctx)
    prev = ctx.revenue_by_customer(ctx.period.previous).rename("previous_revenue")
    orph = orph.merge(prev, left_on="customer_id", right_index=True, how="left").fillna({"previous_revenue": 0})
    orph = orph.sort_values("previous_revenue", ascending=False).head(EVIDENCE_ROWS)
    return {"leavers": left, "orphaned_accounts": with_names(ctx, orph)}


def _pipeline_gap(ctx: Context) -> float:
    """The pipeline missing to reach the amber coverage of the next period's quota."""
    cov = K.REGISTRY["pipeline_coverage"].fn(ctx)
    amber = K.thresholds(K.REGISTRY["pipeline_coverage"], ctx.settings, ctx.period.kind)["amber"]
    return max(0.0, (amber - cov) * ctx.quota())


def _bad_order_amounts(ctx: Context) -> float:
    """The amount on the period's order lines whose revenue is in doubt: a copy of another line, or an error
    in a value revenue reads (date, amount, status). A sale without a customer id is a real sale: its
    record is incomplete, its money is not at risk."""
    r = period_records(ctx)
    r = r[r["table"] == "orders"]
    f = ctx.findings
    if f is None or not len(f) or r.empty:
        return 0.0
    f = f[(f["table"] == "orders") & (f["severity"] == "error")]
    doubt = f[f["check"].isin(DUPLICATES) | f["column"].isin(REVENUE)]["row"]
    return float(r.loc[r["_row"].isin(doubt) | r["_dup"], "amount"].abs().sum())


def _bad_records(ctx: Context) -> dict[str, pd.DataFrame]:
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


def incidents(ctx: Context) -> dict[str, pd.DataFrame]:
    """The period's incidents, the most severe first (also the evidence of compliance breaches)."""
    inc = ctx.in_period(ctx.table("incidents"), "date")
    cols = [c for c in ("incident_id", "date", "category", "severity", "description") if c in inc.columns]
    return {"incidents": inc.sort_values("severity", ascending=False)[cols].head(EVIDENCE_ROWS)}


INCIDENTS_TITLE = {"incidents": ("Incidents in the period", "本期事件")}

risk(
    id="R-OPS-01",
    pool="revenue",
    family="operational",
    kris=("rep_attrition_rate", "orphaned_revenue_share"),
    response="mitigate",
    owner="Head of Sales Operations",
    title_en="Sales rep turnover",
    title_zh="销售人员流失",
    desc_en="Reps are leaving and the accounts they held are left without an owner.",
    desc_zh="销售人员离职，其负责的客户无人跟进。",
    actions_en=(
        "Reassign orphaned accounts within 5 working days",
        "Account knowledge base and handover checklist",
        "Retention incentives and a talent pool of candidates",
    ),
    actions_zh=("5个工作日内重新分配遗留客户", "建立客户知识库与交接清单", "留任激励并建立人才储备池"),
    action_kris=(("orphaned_revenue_share",), (), ("rep_attrition_rate",)),
    exposure=_orphaned_revenue,
    evidence=_reps,
    tables={
        "leavers": ("Reps who left in the period", "本期离职销售"),
        "orphaned_accounts": ("Accounts whose rep left", "离职销售遗留客户"),
    },
)

risk(
    id="R-OPS-02",
    pool="pipeline",
    family="operational",
    kris=("pipeline_coverage",),
    response="mitigate",
    owner="Head of Sales Operations",
    title_en="Thin pipeline",
    title_zh="商机储备不足",
    desc_en="Open pipeline does not cover next period's quota.",
    desc_zh="在手商机不足以覆盖下期销售配额。",
    actions_en=("Pipeline generation campaign", "Weekly pipeline reviews per rep"),
    actions_zh=("开展商机拓展活动", "按销售人员每周复核商机"),
    exposure=_pipeline_gap,
)

risk(
    id="R-OPS-03",
    pool="records",
    family="operational",
    kris=("data_quality_error_rate", "duplicate_record_rate", "benford_mad"),
    response="mitigate",
    owner="CRM Administrator",
    title_en="Distorted CRM data",
    title_zh="CRM数据失真",
    desc_en="Records are missing, duplicated or fabricated, so the numbers cannot be trusted.",
    desc_zh="记录缺失、重复或失真，数据不可信。",
    actions_en=(
        "Mandatory-field and duplicate checks at entry",
        "Monthly data audit with sampling",
        "Clean and merge duplicate records; train users on entry standards",
    ),
    actions_zh=("录入时强制校验必填字段与重复", "每月抽样开展数据审计", "清理合并重复记录并培训录入标准"),
    action_kris=(
        ("data_quality_error_rate", "duplicate_record_rate"),
        (),
        ("data_quality_error_rate", "duplicate_record_rate"),
    ),
    exposure=_bad_order_amounts,
    evidence=_bad_records,
    tables={
        "data_quality_problems": ("Data-quality problems", "数据质量问题"),
        "bad_records_sample": ("Sample of bad records", "问题记录样本"),
    },
)

risk(
    id="R-OPS-04",
    family="operational",
    kris=("incident_count", "stockout_rate"),
    response="mitigate",
    owner="Head of Operations",
    title_en="Process and system disruption",
    title_zh="流程与系统中断",
    desc_en="Outages, complaints and stock-outs are disrupting sales.",
    desc_zh="系统故障、客户投诉与缺货干扰销售。",
    actions_en=("Root-cause review of severe incidents", "Safety stock for fast movers", "Outage runbooks and backups"),
    actions_zh=("对严重事件开展根因分析", "为畅销品设置安全库存", "制定故障应急预案与备份"),
    action_kris=(("incident_count",), ("stockout_rate",), ("incident_count",)),
    evidence=incidents,
    tables=INCIDENTS_TITLE,
)
