"""The vocabulary of data-quality findings: each check's id and title (en/zh), and a finding's columns.

The checks themselves run at ingest (riskbook.ingest.checks); the reports, KRIs and risks read their
findings by these names.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Check:
    """One data-quality check: its id, title in both languages and what it means for the KRIs."""

    id: str
    en: str
    zh: str


CHECKS: dict[str, Check] = {
    c.id: c
    for c in (
        Check("missing_value", "Mandatory value missing", "必填值缺失"),
        Check("unparseable_value", "Value cannot be read", "数值无法识别"),
        Check("invalid_value", "Value outside its allowed set", "取值不在允许范围内"),
        Check("unmapped_value", "Value not in the mapping's values:", "取值未在映射 values: 中"),
        Check("invalid_unit", "Unit id that is not a lowercase slug", "业务单元编号无效"),
        Check("future_date", "Date after the as-of date", "日期晚于数据截止日"),
        Check("date_order", "Dates in an impossible order", "日期先后矛盾"),
        Check("unknown_id", "Id not found in its master table", "编号在主数据中不存在"),
        Check("duplicate_row", "Exact duplicate of an earlier row", "与前一行完全重复"),
        Check("duplicate_key", "Key repeated with other values", "主键重复且内容不同"),
        Check("unit_conflict", "Listed under more than one unit", "同时属于多个业务单元"),
        Check("overpayment", "Payments exceed the invoice", "付款超过发票金额"),
        Check("negative_amount", "Negative amount", "金额为负"),
        Check(
            "negative_quantity",
            "Negative quantity on a line that is not a cancellation or return",
            "非取消/退货行的数量为负",
        ),
        Check("zero_amount", "Zero amount", "金额为零"),
        Check("amount_mismatch", "Amount disagrees with quantity × unit price", "金额与数量×单价不符"),
        Check("outlier_amount", "Amount far outside the usual range", "金额远超常规范围"),
        Check("missing_optional", "Optional value missing where records normally have one", "可选字段缺失"),
        Check("control_characters", "Control characters in text (removed)", "文本含控制字符（已删除）"),
    )
}

FINDINGS_SCHEMA = pa.schema(
    [
        ("check", pa.string()),
        ("severity", pa.string()),
        ("table", pa.string()),
        ("file", pa.string()),
        ("row", pa.int64()),
        ("unit", pa.string()),
        ("key", pa.string()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("date", pa.timestamp("ns")),
        ("note", pa.string()),
        ("excluded", pa.string()),
    ]
)
DUPLICATES = ("duplicate_row", "duplicate_key")
