"""The demo company's design: its units, calendar, sizes and behaviours, names, and the risks injected into it."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

UNITS: tuple[str, ...] = ("east", "south", "north", "west", "online", "key_accounts")
UNIT_NAMES = np.array(UNITS)
COMPANY, CURRENCY, PERIOD = "Demo Trading Co.", "CNY", "2026Q3"
START, END = np.datetime64("2024-01-01", "D"), np.datetime64("2026-09-30", "D")
N_DAYS = int((END - START).astype(int)) + 1
N_PRODUCTS = 64
COMPETITORS = ("华力科技", "远航集团", "东方智联", "博远贸易", "中联商贸")
MONTH_FACTOR = np.array([1.0, 1.0, 1.02, 1.0, 1.0, 1.02, 0.98, 0.97, 1.03, 1.0, 1.04, 1.06])


QTY_SIGMA, QTY_PRICE = 0.45, -1 / 3  # line quantity: log-normal spread, elasticity to price


_erf = np.vectorize(math.erf, otypes=[float])


def _day(text: str) -> int:
    """Day index (0 = START) of an ISO date."""
    return int((np.datetime64(text, "D") - START).astype(int))


Q2, Q3 = _day("2026-04-01"), _day("2026-07-01")


QUARTERS = [_day(f"{y}-{m:02d}-01") for y in (2024, 2025, 2026) for m in (1, 4, 7, 10)][:11] + [N_DAYS]


CNY = [_day(d) for d in ("2024-02-10", "2025-01-29", "2026-02-17")]


@dataclass(frozen=True)
class UnitSpec:
    """Size and behaviour of one unit at scale 1."""

    code: str
    customers: int
    reps: int
    orders_per_q: float  # orders per customer and quarter (mean)
    sigma: float  # log-normal spread of customer revenue
    qty_median: float  # median line quantity of the median customer
    lines_p: float  # binomial(4, p) extra lines per order, median customer
    discount: tuple[float, float]  # range of normal discounts
    opps_per_q: int
    weekend: tuple[float, float]  # Saturday, Sunday order weight
    regions: tuple[str, ...] = ("上海", "江苏", "浙江", "广东", "福建", "北京", "天津", "山东", "四川", "重庆")


SPECS: dict[str, UnitSpec] = {
    "east": UnitSpec(
        "EAS", 350, 28, 2.8, 0.85, 5, 0.22, (0.01, 0.11), 200, (0.3, 0.15), ("上海", "江苏", "浙江", "安徽")
    ),
    "south": UnitSpec(
        "SOU", 300, 25, 2.8, 0.85, 5, 0.22, (0.01, 0.11), 200, (0.3, 0.15), ("广东", "福建", "广西", "海南")
    ),
    "north": UnitSpec(
        "NOR", 280, 22, 2.8, 0.85, 5, 0.22, (0.01, 0.11), 180, (0.3, 0.15), ("北京", "天津", "河北", "山东")
    ),
    "west": UnitSpec(
        "WES", 320, 24, 2.8, 0.85, 5, 0.22, (0.01, 0.11), 200, (0.3, 0.15), ("四川", "重庆", "陕西", "云南")
    ),
    "online": UnitSpec("ONL", 400, 20, 2.8, 0.8, 4, 0.22, (0.01, 0.09), 160, (0.8, 0.7)),
    "key_accounts": UnitSpec("KEY", 40, 20, 14.0, 0.6, 6, 0.5, (0.05, 0.12), 150, (0.15, 0.1)),
}


INDUSTRIES = ("manufacturing", "retail", "construction", "healthcare", "logistics", "energy", "food", "electronics")


NAME_CORE = (
    "恒信 鼎盛 华泰 瑞丰 金桥 宏达 新元 盛世 永安 汇通 天成 博雅 中诚 嘉禾 明辉 正泰 远景 兴业 德润 安捷".split()
)


NAME_KIND = "机械 贸易 电子科技 物流 建材 医疗器械 食品 新能源 化工 五金".split()


SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 罗 高".split()


GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 平 刚 桂英 婷 雪 浩 宇 晨 欣 子涵 思远".split()


INCIDENT_TEXT = {
    "system_outage": "ERP/CRM outage",
    "data_loss": "Records lost in interface",
    "complaint": "Customer complaint about delivery",
    "other": "Operational issue",
}


INJECTED_INCIDENTS = [  # unit, date, category, severity, description
    ("east", "2024-05-14", "legal", 2, "Contract dispute with a distributor settled"),
    ("west", "2024-11-05", "compliance", 1, "VAT invoice data incomplete for one customer"),
    ("south", "2025-03-18", "compliance", 2, "Gift policy breach reported by internal audit"),
    ("east", "2026-08-19", "other", 2, "Collections escalated: large customers 90+ days overdue"),
    ("south", "2026-08-28", "complaint", 2, "Key account complains about handover after rep departure"),
    ("north", "2026-09-08", "compliance", 3, "Audit: discounts above 20% booked without approval"),
    ("online", "2026-07-06", "system_outage", 3, "CRM migration outage; orders re-keyed by hand"),
    ("online", "2026-08-11", "data_loss", 2, "Customer master records lost in CRM sync"),
    ("key_accounts", "2026-07-03", "complaint", 3, "Two framework customers did not renew"),
]


RISKS = [  # unit, risk, family, kris (red in 2026Q3), related_kris (may move too), description
    (
        "east",
        "receivables_crunch",
        "financial",
        ["dso", "overdue_ratio", "overdue_90_ratio", "expected_credit_loss", "credit_limit_breaches"],
        [],
        "Eight large customers (about a quarter of revenue) keep ordering, 30% more from April 2026, but "
        "stopped paying around then; receivables age past 90 days and exceed credit limits.",
    ),
    (
        "south",
        "sales_rep_exodus",
        "operational",
        ["rep_attrition_rate", "orphaned_revenue_share"],
        ["customer_churn_rate", "revenue_churn_rate", "revenue_growth", "net_revenue_retention"],
        "About 36% of the reps, holding the biggest books, leave in Aug-Sep 2026 without replacement; a fifth "
        "of their customers follow them and two fifths are still booked to the leavers.",
    ),
    (
        "north",
        "competitor_price_war",
        "market",
        ["discount_depth", "discount_policy_violations", "win_rate", "competitive_loss_share", "revenue_growth"],
        ["revenue_yoy", "net_revenue_retention", "customer_churn_rate", "revenue_churn_rate", "compliance_incidents"],
        f"{COMPETITORS[0]} undercuts prices: discounts deepen from 2026Q2 (about 30% in Q3, most above 20% "
        "without approval - a compliance breach), the win rate collapses, volume and revenue fall.",
    ),
    (
        "online",
        "distorted_crm_data",
        "operational",
        ["duplicate_record_rate", "data_quality_error_rate", "benford_mad"],
        ["incident_count", "net_revenue_retention", "customer_churn_rate", "revenue_churn_rate"],
        "A CRM migration in 2026Q3: ~6% duplicated order lines, ~11% of orders with a blank or unknown customer "
        "id, negative amounts, 15% fabricated round amounts, garbled opportunities; 5 lines dated in 2027.",
    ),
    (
        "key_accounts",
        "key_customer_loss",
        "customer",
        ["revenue_churn_rate"],
        # net revenue retention falls to 80 %, but its Chinese-New-Year dips (81–88 % every first quarter) make
        # that usual for the unit: revenue churn, at 27 % against 0 before, is what shows the loss
        [
            "net_revenue_retention",
            "revenue_growth",
            "revenue_yoy",
            "customer_churn_rate",
            "customer_concentration_top10",
        ],
        "Two top-10 key accounts (together over a quarter of revenue) stop buying after 2026Q2.",
    ),
]
