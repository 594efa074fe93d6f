"""Report text: money written one way per language, roles translated, the register's Chinese."""

from __future__ import annotations

import pytest

from riskbook.core.i18n import local, money, money_parts, owner


@pytest.mark.parametrize(
    "value,currency,lang,expected",
    [
        (13_022_957.67, "CNY", "en", "CNY 13.0M"),
        (13_022_957.67, "CNY", "zh", "1,302.3万元"),
        (250_000_000, "CNY", "zh", "2.50亿元"),
        (500, "USD", "zh", "500美元"),
        (0, "CNY", "zh", "0元"),
        (1_500, "", "en", "1.5k"),  # a company without a currency: plain amounts
        (12_345, "XYZ", "zh", "1.2万 XYZ"),  # a code with no Chinese name stays a code
        (None, "CNY", "en", "–"),
    ],
)
def test_money_is_written_one_way_per_language(value, currency, lang, expected) -> None:
    assert money(value, currency, lang) == expected


def test_money_parts_add_up_as_printed() -> None:
    parts, total = money_parts([13_022_957.67, 1_766_543.21], "CNY", "zh")
    assert parts == ["1,302.3万元", "176.7万元"] and total == "1,479.0万元"
    parts, total = money_parts([13_022_957.67, 1_766_543.21], "CNY", "en")
    assert parts == ["CNY 13.0M", "CNY 1.8M"] and total == "CNY 14.8M"


def test_a_role_after_a_name_is_translated_and_a_name_is_not() -> None:
    assert owner("Li Wei (Finance Controller)", "zh") == "Li Wei（财务总监）"
    assert owner("Finance Controller", "zh") == "财务总监"
    assert owner("Li Wei (Night Shift)", "zh") == "Li Wei (Night Shift)"
    assert owner("Li Wei (Finance Controller)", "en") == "Li Wei (Finance Controller)"


def test_the_registers_chinese_is_used_only_in_chinese_and_only_when_given() -> None:
    entry = {"action": "Call the customer", "action_zh": "致电客户", "owner": "Li Wei", "owner_zh": " "}
    assert local(entry, "action", "zh") == "致电客户" and local(entry, "action", "en") == "Call the customer"
    assert local(entry, "owner", "zh") == "Li Wei"  # a blank translation is no translation


def test_a_kris_notes_read_in_chinese_part_by_part() -> None:
    from riskbook.core.i18n import note

    text = (
        "measured over the 3 months to 2026-09-30; over 687 recurring customers (the 734 one-off buyers, 29% of "
        "the previous period's customer revenue, are not counted); usual for this unit: within its range over "
        "the 11 months before (0.95 to 1.85)"
    )
    assert note(text, "zh") == (
        "按截至2026-09-30的3个月计算；按687位回头客计算（734位一次性买家，占上期客户收入29%，不计入）；"
        "属本单元常态：处于此前11个月的常规区间（0.95至1.85）内"
    )
    partial = "the period is partial: data through 2026-09-15: a customer who has not bought yet may still buy"
    assert note(partial, "zh") == "非完整期间：数据截至2026-09-15：尚未购买的客户仍可能购买"
    assert note(text, "en") == text
