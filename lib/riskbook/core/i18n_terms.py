"""Chinese for the words that come from the data, the settings and the checks: currencies, table columns,
library roles, control-chart rules and data-quality notes (looked up by :mod:`riskbook.core.i18n`)."""

from __future__ import annotations

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
