"""Report text in English and Simplified Chinese."""

from __future__ import annotations

from typing import Any

# the 5×5 matrix's scales, 1 to 5
LIKELIHOOD_LABELS: dict[str, tuple[str, ...]] = {
    "en": ("rare", "unlikely", "possible", "likely", "almost certain"),
    "zh": ("罕见", "不太可能", "可能", "很可能", "几乎确定"),
}
IMPACT_LABELS: dict[str, tuple[str, ...]] = {
    "en": ("insignificant", "minor", "moderate", "major", "severe"),
    "zh": ("轻微", "较小", "中等", "重大", "严重"),
}

STRINGS: dict[str, tuple[str, str]] = {
    "identification": ("Risk identification", "风险识别"),
    "assessment": ("Risk assessment", "风险评估"),
    "monitoring": ("Risk monitoring", "风险监控"),
    "summary": ("Executive summary", "管理层摘要"),
    "portfolio": ("Group risk portfolio", "集团风险组合"),
    "report_title": ("Sales operations risk report", "销售运营风险报告"),
    "group_title": ("Group sales operations risk report", "集团销售运营风险报告"),
    "group_name": ("Group", "集团"),
    "observed": ("observed", "观测"),
    "benford_law": ("Benford", "本福特定律"),
    "first_digit": ("first digit", "首位数字"),
    "benford_deviation": ("mean deviation from Benford {mad}", "与本福特定律的平均偏差 {mad}"),
    "unit": ("Business unit", "业务单元"),
    "period": ("Period", "报告期"),
    "prepared": ("Prepared", "编制日期"),
    "currency": ("Currency", "币种"),
    "page": ("Page", "第"),
    "kri": ("KRI", "关键风险指标"),
    "value": ("Value", "数值"),
    "previous": ("Previous", "上期"),
    "status": ("Status", "状态"),
    "amber": ("Amber", "黄色阈值"),
    "red": ("Red", "红色阈值"),
    "family": ("Family", "类别"),
    "risk": ("Risk", "风险"),
    "id_col": ("ID", "编号"),
    "likelihood": ("Likelihood", "可能性"),
    "impact": ("Impact", "影响"),
    "score": ("Score", "评分"),
    "rating": ("Rating", "等级"),
    "residual": ("Residual", "剩余评分"),
    "shown_under": ("the same table as under {id} above.", "与上文{id}下的表格相同。"),
    "scope": ("Scope", "范围"),
    "all_units": ("All business units ({n})", "全部业务单元（{n}个）"),
    "in_parens": ("({text})", "（{text}）"),
    "period_range": (" ({text})", "（{text}）"),
    "legend_moved": ("from its position last period (inherent risk)", "自上期位置变动（固有风险）"),
    "legend_mean": ("average of earlier periods", "此前各期均值"),
    "colon": (": ", "："),
    "sentence_sep": (" ", ""),  # Chinese sets no space after 。 or ：
    "inherent": ("Inherent", "固有评分"),
    "controls": ("Controls", "控制措施"),
    "controls_title": ("Controls behind the residual scores", "剩余评分所依据的控制措施"),
    "no_controls": (
        "No control is recorded in the unit's risk register: residual scores equal inherent ones.",
        "本单元风险登记册未记录控制措施：剩余评分等于固有评分。",
    ),
    "exposure": ("Money at risk", "风险敞口"),
    "movement": ("Movement", "变动"),
    "response": ("Response", "应对策略"),
    "owner": ("Owner", "负责人"),
    "actions": ("Actions", "行动"),
    "reason": ("Note", "说明"),
    "kris_title": ("Key risk indicators", "关键风险指标"),
    "risks_present": ("Risks present", "已识别风险"),
    "evidence": ("Evidence", "证据"),
    "no_risks": (
        "No KRI breaches its thresholds in this period: no risk identified.",
        "本期没有关键风险指标超出阈值，未识别到风险。",
    ),
    "heatmap": ("Risk heatmaps: before and after controls", "风险热力图：控制前与控制后"),
    "register": ("Risk register", "风险登记册"),
    "trends": ("KRI trends", "关键风险指标趋势"),
    "breaches": ("Breaches", "超限指标"),
    "new_breach": ("new", "新增"),
    "rules": ("Control-chart signals", "控制图信号"),
    "top_risks": ("Top risks", "主要风险"),
    "overall": ("Overall rating", "总体评级"),
    "data_through_fact": ("Data through {date}", "数据截至{date}"),
    "prepared_fact": ("Prepared {date}", "编制于{date}"),
    "partial_flag": ("partial period", "非完整期间"),
    "red_kris": ("Red KRIs ({n})", "红色指标（{n}项）"),
    "no_red": ("No KRI is red.", "没有红色指标。"),
    "also_amber": ("Also amber ({n}):", "另有黄色指标（{n}项）："),
    "money_at_risk": ("Money at risk", "风险敞口"),
    "money_total": ("Total, each pool of money counted once", "合计（同类资金只计一次）"),
    "money_includes": ("; includes {ids}", "；已含{ids}"),
    "money_rule": (
        "Risks that measure the same money (the pool under each) count once, with the largest; risks without a "
        "money measure are not in the total.",
        "衡量同一笔资金的风险（其下注明资金类别）只计一次，取其最大者；无法以金额衡量的风险不计入合计。",
    ),
    "previous_score": ("Previous", "上期评分"),
    "amount": ("Amount", "金额"),
    "contents": ("Contents", "目录"),
    "no_money": ("No risk present carries a measurable amount of money.", "本期风险均无可计量的风险敞口。"),
    "group_units": ("{n} business units", "{n}个业务单元"),
    "group_headline": (
        "{red} red KRIs in {units} units; {high} risks rated high or critical; money at risk {money}.",
        "{units}个单元共{red}个红色指标；高或极高风险{high}项；风险敞口{money}。",
    ),
    "units_ranked": (
        "Units, the most at risk first (by overall rating, then red KRIs, then money at risk)",
        "各单元（风险最高者在前：按总体评级、红色指标数、风险敞口排序）",
    ),
    "group_total": ("Group", "集团合计"),
    "amber_count": ("Amber KRIs", "黄色指标"),
    "high_of_risks": ("High or critical / risks", "高或极高 / 风险数"),
    "themes": ("Risks shared by several units", "多个单元共有的风险"),
    "units_count": ("Units", "单元数"),
    "no_themes": ("No risk is present in more than one unit.", "没有同时出现在多个单元的风险。"),
    "thresholds_col": ("Amber / red", "黄色 / 红色阈值"),
    "varies": ("set per unit", "各单元不同"),
    "thresholds_note": (
        "Amber / red: the thresholds; each unit's own are in its report.",
        "黄色 / 红色：阈值；各单元自设阈值见其报告。",
    ),
    "heatmap_inherent": ("Inherent risk (before controls)", "固有风险（控制前）"),
    "heatmap_residual": ("Residual risk (after the recorded controls)", "剩余风险（计入已记录的控制）"),
    "score_legend": ("Score = likelihood × impact", "评分 = 可能性 × 影响"),
    "legend_value": ("KRI value (dot: its status)", "指标值（圆点为状态）"),
    "legend_amber": ("amber threshold", "黄色阈值"),
    "legend_red": ("red threshold", "红色阈值"),
    "legend_band": (
        "usual range (average ± 3 standard deviations of earlier periods)",
        "常规区间（此前各期均值±3倍标准差）",
    ),
    "unit_%": ("%", "%"),
    "unit_days": ("days", "天"),
    "unit_×": ("× quota", "倍配额"),
    "unit_ratio": ("ratio", "比率"),
    "unit_MAD": ("deviation", "偏差"),
    "unit_count": ("count", "个数"),
    "unit_score": ("score", "分值"),
    "unit_index": ("index", "指数"),
    "all_reports": ("All reports", "全部报告"),
    "report_pdf": ("Report (PDF)", "报告（PDF）"),
    "register_xlsx": ("Register (Excel)", "登记册（Excel）"),
    "index_title": ("Risk reports", "风险报告"),
    "built": (
        "Built {created} · {seconds} s · riskbook {version}",
        "生成于 {created} · 用时 {seconds} 秒 · riskbook {version}",
    ),
    "top_risk": ("Top risk", "首要风险"),
    "red_count": ("Red KRIs", "红色指标"),
    "reports": ("Reports", "报告"),
    "pages": ("Pages", "页面"),
    "notebooks": ("Notebooks", "笔记本"),
    "run_status": ("Run", "运行"),
    "status_ok": ("ready", "已完成"),
    "status_failed": ("failed", "失败"),
    "status_missing": ("not run", "未运行"),
    "status_no data": ("no data", "无数据"),
    "classification": ("Classification", "密级"),
    "confidential": ("Confidential — for internal use", "机密——仅限内部使用"),
    "version": ("Version", "版本"),
    "data_through_label": ("Data through", "数据截至"),
    "prepared_label": ("Prepared", "编制日期"),
    "keywords": ("risk report, sales operations, KRI, risk register", "风险报告, 销售运营, 关键风险指标, 风险登记册"),
    "page_x_of_y": (
        '"Page " counter(page) " of " counter(pages)',
        '"第 " counter(page) " 页，共 " counter(pages) " 页"',
    ),
    "days_value": ("{n} d", "{n}天"),
    "list_sep": (", ", "、"),
    "clause_sep": ("; ", "；"),
    "label_sep": (". ", "："),
    "action_col": ("Action", "行动"),
    "due_col": ("Due", "截止日"),
    "days_late": ("{n} days late", "逾期{n}天"),
    "more_actions": (
        "… and {n} more actions in the register workbook (sheet Actions).",
        "……另有{n}项行动，见风险登记册工作簿（行动工作表）。",
    ),
    "new_risks": ("New this period: {ids}.", "本期新增：{ids}。"),
    "closed_risks": ("Closed since the previous period: {ids}.", "自上期关闭：{ids}。"),
    "override_note": (
        "* an analyst's override of the score (the reason is in the assessment).",
        "* 分析师调整了评分（原因见风险评估部分）。",
    ),
    "in progress": ("in progress", "推进中"),
    "cancelled": ("cancelled", "已取消"),
    "headline": (
        "{red} red and {amber} amber KRIs; {risks_en} identified, {high} rated high or critical; "
        "money at risk {exposure}.",
        "{red}个红色、{amber}个黄色指标；识别风险{risks}项，其中高或极高{high}项；风险敞口{exposure}。",
    ),
    "money_overlap": (
        "counted in more than one pool: the total is capped at the unit's revenue at its usual pace plus its "
        "open receivables",
        "多个资金池重复计算部分：合计以本单元常规收入加应收余额为上限",
    ),
    "headline_clear": (
        "No KRI breaches a threshold ({n} within their limits) and no risk is identified this period.",
        "本期没有指标超出阈值（{n}个指标处于正常范围），未识别到风险。",
    ),
    "more_in_monitoring": ("… and {n} more in the monitoring section.", "……另有{n}项，见风险监控部分。"),
    "overdue_actions": ("Overdue actions", "逾期行动"),
    "no_breaches": ("No KRI breaches a threshold.", "没有指标超出阈值。"),
    "data_quality": ("Data quality", "数据质量"),
    "records_checked": (
        "{n} records checked in the period; {bad} fail an error check and {dup} repeat an earlier record.",
        "本期检查记录{n}条，其中{bad}条未通过错误级检查，{dup}条为重复记录。",
    ),
    "dq_findings": (
        "{errors} error and {warnings} warning findings touch this report; rows an error makes "
        "unusable are left out of the KRIs they would corrupt (column “Left out”).",
        "本报告涉及{errors}条错误级、{warnings}条警告级数据问题；错误导致无法使用的记录已从受影响的指标中剔除（见“剔除”列）。",
    ),
    "dq_none": ("No data-quality finding touches this report.", "本报告未发现数据质量问题。"),
    "no_data": (
        "No data for {period}: the unit has no order lines in the period{last}. No KRI is computed.",
        "{period}无数据：本单元本期没有订单行{last}，未计算任何指标。",
    ),
    "last_order": (" (its last order line is dated {date})", "（最近一笔订单行日期为{date}）"),
    "partial_through": (
        "Partial period: the data runs through {date}, before the period ends. Growth compares the same days "
        "of the earlier period; churn and retention wait for the whole period.",
        "非完整期间：数据截至{date}，早于期末。增长按前期相同天数比较；流失与留存待期间完整后再计算。",
    ),
    "partial_thin": (
        "Partial period: {note}. Growth, volatility, churn and retention are not measured on it.",
        "非完整期间：{note}。本期不计算增长、波动、流失与留存。",
    ),
    "when_period": ("this period", "本期"),
    "when_earlier": ("earlier", "往期"),
    "when_undated": ("undated", "无日期"),
    "when_future": ("future-dated", "未来日期"),
    "left_out_row": ("row", "整行"),
    "left_out_value": ("value", "该值"),
    "left_out_": ("nothing", "不剔除"),
    "check": ("Check", "检查项"),
    "where": ("Table · column", "数据表 · 字段"),
    "rows_n": ("Rows", "行数"),
    "first_rows": ("First rows (file row · key)", "首批位置（文件行号 · 主键）"),
    "example": ("Value", "取值"),
    "kris_moved": ("KRIs it touches", "影响的指标"),
    "left_out": ("Left out", "剔除"),
    "no_unit": ("no unit", "无单元"),
    "no_data_units": (
        "No data for {period} (no order lines in the period, no KRI computed):",
        "{period}无数据的单元（本期没有订单行，未计算指标）：",
    ),
    "severity": ("Severity", "严重程度"),
    "error": ("error", "错误"),
    "warning": ("warning", "警告"),
    "info": ("info", "提示"),
    "analyst": ("added by analyst", "分析师添加"),
    "overrides": ("Analysts' overrides (* in the tables)", "分析师调整（表中标 *）"),
    "model_score": ("Model L × I", "模型评分"),
    "override_score": ("Override L × I", "调整后评分"),
    "overdue": ("overdue", "逾期"),
    "open": ("open", "进行中"),
    "done": ("done", "已完成"),
    "recommended": ("recommended", "建议"),
    "units_families": ("Risk by unit and family (highest inherent score)", "各单元各类别风险（最高固有评分）"),
    "kri_by_unit": ("KRIs across units", "各单元关键风险指标"),
    "company_top": ("The group's top risks", "集团主要风险"),
    "failed_units": ("Units without results", "无结果的单元"),
    "failed_runs": ("Units whose latest run failed", "最近一次运行失败的单元"),
    "failed_run_line": (
        "{unit}: {stage} failed ({error}); {shown}. The failed run's notebooks: {where}",
        "{unit}：{stage}失败（{error}）；{shown}。失败运行的笔记本：{where}",
    ),
    "shown_last_good": (
        "the figures shown are from its last good report, built {date}",
        "所示数据来自其上次成功的报告（{date} 生成）",
    ),
    "no_last_good": ("it has no earlier report, so no figures are shown", "没有早先的报告，因此不显示数据"),
    "failed_mark": ("latest run failed", "最近运行失败"),
    "last_good_kept": (
        "The last good report (built {date}) stays published; the failed run's notebooks:",
        "上次成功的报告（{date} 生成）仍然保留；失败运行的笔记本：",
    ),
    "render": ("rendering", "渲染"),
    "publish": ("publishing", "发布"),
    # families, statuses, ratings, responses, movements
    "market": ("Market", "市场"),
    "customer": ("Customer", "客户"),
    "operational": ("Operational", "运营"),
    "financial": ("Financial", "财务"),
    "compliance": ("Compliance", "合规"),
    "green": ("green", "绿"),
    "n/a": ("n/a", "不适用"),
    "low": ("low", "低"),
    "medium": ("medium", "中"),
    "high": ("high", "高"),
    "critical": ("critical", "极高"),
    "avoid": ("avoid", "规避"),
    "mitigate": ("mitigate", "降低"),
    "transfer": ("transfer", "转移"),
    "accept": ("accept", "接受"),
    "new": ("new", "新增"),
    "up": ("up", "上升"),
    "down": ("down", "下降"),
    "same": ("same", "持平"),
    "closed": ("closed", "关闭"),
}
# status words used as table values (the "amber"/"red" keys above are threshold headings)
STATUS: dict[str, tuple[str, str]] = {
    "green": ("green", "绿"),
    "amber": ("amber", "黄"),
    "red": ("red", "红"),
    "n/a": ("n/a", "不适用"),
}
ARROWS: dict[str, str] = {"new": "★", "up": "▲", "down": "▼", "same": "▶", "closed": "✓"}


def t(key: str, lang: str = "en", **kw: object) -> str:
    """The text of ``key`` in ``lang``, formatted with ``kw``."""
    en, zh = STRINGS.get(key, (key, key))
    text = zh if lang == "zh" else en
    return text.format(**kw) if kw else text


def status_word(status: str, lang: str = "en") -> str:
    en, zh = STATUS.get(status, (status, status))
    return zh if lang == "zh" else en


CURRENCY_ZH: dict[str, str] = {  # how Chinese writes an amount's currency after the number (万元, 万美元)
    "CNY": "元",
    "RMB": "元",
    "USD": "美元",
    "EUR": "欧元",
    "HKD": "港元",
    "JPY": "日元",
    "GBP": "英镑",
    "TWD": "新台币",
    "SGD": "新加坡元",
    "AUD": "澳元",
    "CAD": "加元",
    "KRW": "韩元",
    "CHF": "瑞士法郎",
}


def currency_name(currency: str, lang: str = "en") -> str:
    """The currency as an amount is written with it: ``元`` for CNY in Chinese, the code otherwise."""
    if lang == "zh" and currency:
        return CURRENCY_ZH.get(currency.upper(), f" {currency}")
    return currency


def _amount(number: str, currency: str, lang: str) -> str:
    """``number`` with the currency written once, the same way everywhere: CNY 1.2M / 120.0万元."""
    if lang == "zh":
        return f"{number}{currency_name(currency, lang)}"
    return f"{currency} {number}" if currency else number  # a company without a currency: plain amounts


def money(value: float | None, currency: str = "CNY", lang: str = "en") -> str:
    """CNY 1.2M in English, 120.0万元 (or 1.20亿元) in Chinese; "–" when there is no amount."""
    if value is None:
        return "–"
    v = float(value)
    scales = ((1e8, "亿", 2), (1e4, "万", 1)) if lang == "zh" else ((1e9, "bn", 1), (1e6, "M", 1), (1e3, "k", 1))
    for div, suf, digits in scales:
        if abs(v) >= div:
            return _amount(f"{v / div:,.{digits}f}{suf}", currency, lang)
    return _amount(f"{v:,.0f}", currency, lang)


def money_parts(values: list[float], currency: str = "CNY", lang: str = "en") -> tuple[list[str], str]:
    """Amounts that add up as printed: each written in the scale of the largest (M, or 万 in Chinese) to one
    decimal, and their total as the sum of those printed parts."""
    if not values:
        return [], money(0.0, currency, lang)
    top = max(abs(v) for v in values)
    scales = ((1e8, "亿"), (1e4, "万"), (1, "")) if lang == "zh" else ((1e9, "bn"), (1e6, "M"), (1e3, "k"), (1, ""))
    div, suf = next((d, x) for d, x in scales if top >= d or d == 1)
    digits = 1 if div > 1 else 0
    parts = [round(v / div, digits) for v in values]

    def fmt(x: float) -> str:
        return _amount(f"{x:,.{digits}f}{suf}", currency, lang)

    return [fmt(x) for x in parts], fmt(round(sum(parts), digits))


COLUMNS_ZH: dict[str, str] = {
    "customer_id": "客户编号",
    "customer_name": "客户名称",
    "invoice_id": "发票号",
    "issue_date": "开票日",
    "due_date": "到期日",
    "days_past_due": "逾期天数",
    "max_days_past_due": "最长逾期天数",
    "balance": "未付余额",
    "overdue": "逾期金额",
    "invoices": "发票数",
    "credit_limit": "信用额度",
    "open_balance": "未付余额",
    "rep_id": "销售编号",
    "rep_name": "销售姓名",
    "hire_date": "入职日期",
    "exit_date": "离职日期",
    "previous_revenue": "上期收入",
    "revenue": "收入",
    "share_pct": "占比%",
    "opportunity_id": "商机编号",
    "close_date": "关闭日期",
    "amount": "金额",
    "competitor": "竞争对手",
    "loss_reason": "丢单原因",
    "deals": "商机数",
    "table": "数据表",
    "problem": "问题",
    "records": "记录数",
    "order_id": "订单号",
    "order_date": "下单日期",
    "list_price": "标价",
    "unit_price": "成交价",
    "quantity": "数量",
    "discount_pct": "折扣%",
    "incident_id": "事件编号",
    "date": "日期",
    "category": "类别",
    "severity": "严重度",
    "description": "描述",
    "status": "状态",
    "unit": "单元",
    "risk": "风险",
    "action": "行动",
    "owner": "负责人",
    "due": "截止日期",
}
ROLES_ZH: dict[str, str] = {
    "Head of Sales": "销售总监",
    "Head of Sales Operations": "销售运营总监",
    "Head of Customer Success": "客户成功总监",
    "Head of Operations": "运营总监",
    "Finance Controller": "财务总监",
    "CRM Administrator": "CRM管理员",
    "Compliance Officer": "合规官",
}


RULES: dict[str, tuple[str, str]] = {  # a Western Electric rule → what it says, in plain words
    "1 point beyond 3σ": ("outside its usual range", "超出常规区间"),
    "2 of 3 beyond 2σ": ("two of the last three well off its usual level", "近三期中两期明显偏离常规"),
    "4 of 5 beyond 1σ": ("four of the last five off its usual level", "近五期中四期偏离常规"),
    "moved off a constant history": (
        "first move after periods all at the same value",
        "此前各期数值不变，本期首次变动",
    ),
    "8 in a row on one side": ("eight periods in a row on one side of its average", "连续八期位于均值同侧"),
}


NOTES_ZH: tuple[tuple[str, str], ...] = (  # the notes of data-quality findings (riskbook.ingest.checks), in Chinese
    (r"^not a whole number from (\S+) to (\S+)$", r"不是\1至\2之间的整数"),
    (r"^negative on a completed line$", "已完成订单行的金额为负"),
    (r"^negative$", "金额为负"),
    (
        r"^negative on a completed line: a return or cancellation booked as a sale$",
        "已完成订单行的数量为负：疑为按销售入账的退货或取消",
    ),
    (
        r"^([\d,]+) of ([\d,]+) rows have no (\w+): empty by design, not a gap$",
        r"\2行中有\1行没有\3：按设计为空，并非缺失",
    ),
    (r"^quantity × unit price is (.+)$", r"数量×单价为\1"),
    (r"^not in (\w+)$", r"\1表中不存在"),
    (r"^(\w+) before (\w+) (.+)$", r"\1早于\2（\3）"),
    (r"^paid (.+) of (.+)$", r"已付\1，发票金额\2"),
    (r"^units (.+)$", r"所属单元：\1"),
    (r"^after the as-of date (.+)$", r"晚于数据截止日\1"),
    (r"^not dates$", "不是日期"),
    (r"^not numbers$", "不是数字"),
    (r"^not true/false$", "不是是/否值"),
    (r"^not one of (.+)$", r"不属于：\1"),
    (r"^same (.+) as an earlier row, other values$", r"与前一行\1相同但内容不同"),
    (r"^a million times off the rest \(typical amount (.+)\)$", r"与常规金额相差百万倍以上（常规金额\1）"),
    (r"^far outside the usual range \(typical amount (.+)\)$", r"远超常规范围（常规金额\1）"),
    (r"^not in unit: map: \(the row belongs to no unit\)$", "不在 unit: map: 中（该行不属于任何单元）"),
    (r"^not in values: (\w+): \(kept as it is\)$", r"不在 values: \1: 映射中（保留原值）"),
    (r"^not a lowercase slug.*$", "不是小写编号（a-z、0-9、_，最多64个字符）或为保留字 group"),
    (r"^measured over the (\d+) months to (\S+)$", r"按截至\2的\1个月计算"),
    (
        r"^its last month, (\S+), holds ([\d,]+) order lines against about ([\d,]+) in a usual month( to day \d+)?",
        r"最后一个月（\1）仅有\2条订单行，通常同期约\3条",
    ),
    (
        r"^its last month, (\S+), holds ([\d,]+) invoices against about ([\d,]+) in a usual month( to day \d+)?",
        r"最后一个月（\1）仅有\2张发票，通常同期约\3张",
    ),
    (r"^dropped 10 points or more since the previous period$", "较上期下降10个百分点以上"),
    *(
        (
            rf"^usual for this unit: within its range over the (\d+) {en} before \((.+) to (.+)\)$",
            rf"属本单元常态：处于此前\1{zh}的常规区间（\2至\3）内",
        )
        for en, zh in (("quarters", "个季度"), ("months", "个月"), ("rolling years", "个滚动年度"))
    ),
    (
        r"^usual for this unit: no quarter of the year was (\w+) against its own baseline$",
        r"属本单元常态：全年无一季度相对自身基线为\1",
    ),
    (
        r"^outside this unit's usual range over the (\d+) (\w+(?: \w+)?) before \((.+) to (.+)\)$",
        r"超出本单元此前\1期的常规区间（\3至\4）",
    ),
    (r"^like for like: (\S+) to (\S+) against (\S+) to (\S+)$", r"同口径比较：\1至\2对比\3至\4"),
    (
        r"^over ([\d,]+) recurring customers \(the ([\d,]+) one-off buyers, (\d+)% of the previous period's "
        r"customer revenue, are not counted\)$",
        r"按\1位回头客计算（\2位一次性买家，占上期客户收入\3%，不计入）",
    ),
    (r"^data through (\S+)$", r"数据截至\1"),
    (r"^the unit has no rows in the (\w+) table$", r"本单元在\1表中没有记录"),
    (r"^(\w+) has no (\w+) column$", r"\1表没有\2列"),
    (r"^no (\w+) table in the data$", r"数据中没有\1表"),
    (
        r"^a year's previous period is the year before: revenue growth already compares them$",
        "年度报告的上期即上一年：收入环比增长已作比较",
    ),
    (
        r"^not applicable: (\d+)% of the amounts repeat an exact amount three times or more.*$",
        r"不适用：\1%的金额为重复出现三次以上的同一金额（目录价或标价），本福特定律只适用于自由形成的金额",
    ),
)


def note(text: str, lang: str = "en") -> str:
    """A note (a data-quality finding's, a KRI's) in the report's language, part by part ("; " joins them)."""
    if lang != "zh" or not text:
        return text
    import re

    partial, suffix = "the period is partial: ", ": a customer who has not bought yet may still buy"
    parts = []
    for part in text.split("; "):
        tail = "：尚未购买的客户仍可能购买" if part.endswith(suffix) else ""
        part = part.removesuffix(suffix)
        head = "非完整期间：" if part.startswith(partial) else ""
        part = part.removeprefix(partial)
        for pattern, repl in NOTES_ZH:
            if re.match(pattern, part):
                part = re.sub(pattern, repl, part)
                break
        parts.append(head + part + tail)
    return "；".join(parts)


def rule(name: str, lang: str = "en") -> str:
    """What a Western Electric rule says, in plain words in the report's language."""
    en, zh = RULES.get(name, (name, name))
    return zh if lang == "zh" else en


def local(d: Any, key: str, lang: str = "en") -> Any:
    """``d[key]`` in the report's language: its ``<key>_zh`` sibling in Chinese where the register gives one."""
    if lang == "zh":
        v = d.get(f"{key}_zh")
        if isinstance(v, str) and v.strip():
            return v
    return d.get(key)


def owner(name: str, lang: str = "en") -> str:
    """A library role in the report's language, also after a person's name ("Li Wei (Finance Controller)"
    → "Li Wei（财务总监）"); names from the register stay as written."""
    if lang != "zh":
        return name
    if name in ROLES_ZH:
        return ROLES_ZH[name]
    import re

    m = re.fullmatch(r"(.+?)\s*\((.+)\)", name)
    if m and m.group(2) in ROLES_ZH:
        return f"{m.group(1)}（{ROLES_ZH[m.group(2)]}）"
    return name


def column(name: str, lang: str = "en") -> str:
    """A table column's heading."""
    if lang == "zh" and name in COLUMNS_ZH:
        return COLUMNS_ZH[name]
    return name.replace("_", " ").replace(" pct", " %").capitalize()
