"""The risk library: the risks riskbook knows, their KRIs, default responses and actions (en/zh)."""

from __future__ import annotations

from dataclasses import dataclass

RESPONSES: tuple[str, ...] = ("avoid", "mitigate", "transfer", "accept")


@dataclass(frozen=True)
class Risk:
    """A library risk; ``exposure`` names how its money at risk is measured (see assess.py)."""

    id: str
    family: str
    kris: tuple[str, ...]
    response: str
    exposure: str
    owner: str
    title_en: str
    title_zh: str
    desc_en: str
    desc_zh: str
    actions_en: tuple[str, ...]
    actions_zh: tuple[str, ...]

    def title(self, lang: str = "en") -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def description(self, lang: str = "en") -> str:
        return self.desc_zh if lang == "zh" else self.desc_en

    def actions(self, lang: str = "en") -> tuple[str, ...]:
        return self.actions_zh if lang == "zh" else self.actions_en


LIBRARY: tuple[Risk, ...] = (
    Risk(
        "R-MKT-01",
        "market",
        ("revenue_growth", "revenue_yoy", "sales_volatility_cv"),
        "mitigate",
        "revenue_decline",
        "Head of Sales",
        "Demand decline and volatility",
        "需求下滑与波动",
        "Revenue is falling or swinging more than usual, so targets and capacity are at risk.",
        "收入下滑或波动超常，销售目标与产能面临风险。",
        ("Re-forecast the quarter by segment", "Shift capacity to growing segments", "Review pricing and promotions"),
        ("按细分市场重新预测本季度", "将产能转向增长细分市场", "复核定价与促销"),
    ),
    Risk(
        "R-MKT-02",
        "market",
        ("win_rate", "competitive_loss_share", "discount_depth"),
        "mitigate",
        "discount_leakage",
        "Head of Sales",
        "Competitor price war",
        "竞争对手价格战",
        "Deals are being lost to competitors and won only at deeper discounts.",
        "商机不断输给竞争对手，赢单依赖更深折扣。",
        (
            "Win/loss reviews on every lost deal above threshold",
            "Value-selling training and battle cards",
            "Price floor and deal desk for discounts",
        ),
        ("对超阈值丢单逐一复盘", "价值销售培训与竞争对策卡", "设定价格底线并由交易审核台审批折扣"),
    ),
    Risk(
        "R-MKT-03",
        "market",
        ("customer_concentration_top10", "customer_hhi"),
        "mitigate",
        "top_customer",
        "Head of Sales",
        "Customer concentration",
        "客户集中度过高",
        "A few customers carry much of the revenue; losing one would hurt.",
        "少数客户贡献大部分收入，失去任何一家都会造成重大影响。",
        (
            "Account plans for the top 10 customers",
            "Grow the mid-market pipeline",
            "Multi-year agreements with key accounts",
        ),
        ("为前十大客户制定客户计划", "拓展中型客户商机", "与重点客户签订多年协议"),
    ),
    Risk(
        "R-CUS-01",
        "customer",
        ("customer_churn_rate", "revenue_churn_rate", "net_revenue_retention"),
        "mitigate",
        "churned_revenue",
        "Head of Customer Success",
        "Customer attrition",
        "客户流失",
        "Customers who bought last period have stopped buying or buy less.",
        "上期购买的客户停止购买或减少采购。",
        (
            "Call every lost top customer within two weeks",
            "Retention programme with health scores",
            "Quarterly business reviews for key accounts",
        ),
        ("两周内回访每一位流失的重点客户", "建立客户健康度评分与挽留计划", "对重点客户开展季度业务回顾"),
    ),
    Risk(
        "R-OPS-01",
        "operational",
        ("rep_attrition_rate", "orphaned_revenue_share"),
        "mitigate",
        "orphaned_revenue",
        "Head of Sales Operations",
        "Sales rep turnover",
        "销售人员流失",
        "Reps are leaving and the accounts they held are left without an owner.",
        "销售人员离职，其负责的客户无人跟进。",
        (
            "Reassign orphaned accounts within 5 working days",
            "Account knowledge base and handover checklist",
            "Retention incentives and a talent pool of candidates",
        ),
        ("5个工作日内重新分配遗留客户", "建立客户知识库与交接清单", "留任激励并建立人才储备池"),
    ),
    Risk(
        "R-OPS-02",
        "operational",
        ("pipeline_coverage",),
        "mitigate",
        "pipeline_gap",
        "Head of Sales Operations",
        "Thin pipeline",
        "商机储备不足",
        "Open pipeline does not cover next period's quota.",
        "在手商机不足以覆盖下期销售配额。",
        ("Pipeline generation campaign", "Weekly pipeline reviews per rep"),
        ("开展商机拓展活动", "按销售人员每周复核商机"),
    ),
    Risk(
        "R-OPS-03",
        "operational",
        ("data_quality_error_rate", "duplicate_record_rate", "benford_mad"),
        "mitigate",
        "bad_records",
        "CRM Administrator",
        "Distorted CRM data",
        "CRM数据失真",
        "Records are missing, duplicated or fabricated, so the numbers cannot be trusted.",
        "记录缺失、重复或失真，数据不可信。",
        (
            "Mandatory-field and duplicate checks at entry",
            "Monthly data audit with sampling",
            "Clean and merge duplicate records; train users on entry standards",
        ),
        ("录入时强制校验必填字段与重复", "每月抽样开展数据审计", "清理合并重复记录并培训录入标准"),
    ),
    Risk(
        "R-OPS-04",
        "operational",
        ("incident_count", "stockout_rate"),
        "mitigate",
        "none",
        "Head of Operations",
        "Process and system disruption",
        "流程与系统中断",
        "Outages, complaints and stock-outs are disrupting sales.",
        "系统故障、客户投诉与缺货干扰销售。",
        ("Root-cause review of severe incidents", "Safety stock for fast movers", "Outage runbooks and backups"),
        ("对严重事件开展根因分析", "为畅销品设置安全库存", "制定故障应急预案与备份"),
    ),
    Risk(
        "R-FIN-01",
        "financial",
        ("dso", "overdue_ratio", "overdue_90_ratio", "expected_credit_loss"),
        "mitigate",
        "overdue_receivables",
        "Finance Controller",
        "Receivables and bad debt",
        "应收账款与坏账",
        "Customers are paying late or not at all; cash and profit are at risk.",
        "客户延迟付款或拒付，现金流与利润面临风险。",
        (
            "Credit checks before new orders to overdue customers",
            "Collections calls on everything over 60 days",
            "Credit insurance or factoring for large exposures",
        ),
        ("对逾期客户的新订单先做信用审查", "对逾期60天以上款项逐一催收", "对大额敞口投保信用保险或保理"),
    ),
    Risk(
        "R-FIN-02",
        "financial",
        ("credit_limit_breaches",),
        "transfer",
        "limit_excess",
        "Finance Controller",
        "Credit limit breaches",
        "超信用额度",
        "Customers owe more than their approved credit limit.",
        "客户欠款超过批准的信用额度。",
        ("Block new orders above the limit", "Review limits with current credit reports", "Credit insurance"),
        ("超额度客户暂停新订单", "依据最新信用报告复核额度", "投保信用保险"),
    ),
    Risk(
        "R-FIN-03",
        "financial",
        ("cancellation_rate", "dispute_rate"),
        "mitigate",
        "cancelled_amount",
        "Head of Sales Operations",
        "Cancellations, returns and disputes",
        "取消、退货与争议",
        "Orders are cancelled or returned and invoices disputed, eroding revenue.",
        "订单被取消或退货、发票被争议，侵蚀收入。",
        ("Analyse cancellation reasons by product and rep", "Tighten order confirmation"),
        ("按产品与销售人员分析取消原因", "加强订单确认流程"),
    ),
    Risk(
        "R-CMP-01",
        "compliance",
        ("discount_policy_violations",),
        "avoid",
        "unapproved_discount",
        "Compliance Officer",
        "Discount policy breaches",
        "违反折扣政策",
        "Discounts beyond the approval limit are given without approval.",
        "超出审批权限的折扣未经批准即给出。",
        (
            "Hard approval limits in the order system",
            "Monthly audit of discounts over the limit",
            "Clawback of commission on unapproved discounts",
        ),
        ("在订单系统中设置硬性审批权限", "每月审计超限折扣", "对未审批折扣追回佣金"),
    ),
    Risk(
        "R-CMP-02",
        "compliance",
        ("compliance_incidents",),
        "avoid",
        "none",
        "Compliance Officer",
        "Compliance and legal breaches",
        "合规与法律违规",
        "Compliance or legal incidents were recorded in the period.",
        "本期发生合规或法律事件。",
        ("Investigate each incident and report to the board", "Refresher training on contract rules"),
        ("调查每一起事件并向董事会报告", "开展合同规则复训"),
    ),
)

BY_ID: dict[str, Risk] = {r.id: r for r in LIBRARY}
