"""Every KRI against values computed by hand on the tiny company (tests/conftest.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from riskbook import kris as K
from riskbook.core.periods import Period
from riskbook.kris import Context

# Hand computation, period 2026Q3 (92 days), previous 2026Q2:
# revenue Q3 = 1200 + 100 + 200 + 100 (blank customer) = 1600; Q2 = 1000 + 500 + 300 = 1800; 2025Q3 = 900
# receivables at 2026-09-30: i1 600 (122 days past due), i2 500 (30), i3 200 (not due), i5 100 (not due)
EXPECTED = {
    "revenue_growth": (1600 / 1800 - 1) * 100,
    "revenue_yoy": (1600 / 900 - 1) * 100,
    "customer_concentration_top10": 100.0,
    "customer_hhi": (1200 / 15) ** 2 + (100 / 15) ** 2 + (200 / 15) ** 2,
    "win_rate": 50.0,  # closed in Q3: o2 won, o6 won, o4 lost, o5 lost
    "competitive_loss_share": 50.0,  # o4 lost to Rival, o5 to nobody named
    "discount_depth": (300 + 0 + 200 + 0) / (1500 + 100 + 400 + 100) * 100,
    # over recurring customers: of Q2's A, B and C only A also bought in one of the three quarters before
    # (2025Q3), and A bought again in Q3; B and C are one-off buyers, left out
    "customer_churn_rate": 0.0,
    "revenue_churn_rate": 0.0,
    "net_revenue_retention": 1200 / 1000 * 100,
    "rep_attrition_rate": 2 / ((3 + 2) / 2) * 100,  # over the 12 months to date: r4 and r1 left; headcount 3, then 2
    "orphaned_revenue_share": (1000 + 500) / 1800 * 100,  # A (r1 left) and B (r4 left)
    "pipeline_coverage": (1000 + 300) / (300 + 200),  # o1 open, o3 closes after period end
    "data_quality_error_rate": 1 / 23 * 100,  # the blank customer_id among 23 dated records
    "duplicate_record_rate": 0.0,
    "incident_count": 3 + 2 + 4,
    "stockout_rate": 2 / 4 * 100,  # p1 at 0, p2 below forecast
    "dso": 1400 / (500 + 200 + 300 + 100) * 92,
    "overdue_ratio": (600 + 500) / 1400 * 100,
    "overdue_90_ratio": 600 / 1400 * 100,
    "expected_credit_loss": (600 * 0.5 + 500 * 0.02 + 200 * 0.005 + 100 * 0.005) / 1600 * 100,
    "credit_limit_breaches": 1,  # A owes 600 over a limit of 500
    "cancellation_rate": 60 / 1600 * 100,
    "dispute_rate": 1 / 4 * 100,
    "discount_policy_violations": 1 / 2 * 100,  # D at 50% unapproved; A at exactly 20% is within the limit
    "compliance_incidents": 2,
}


@pytest.mark.parametrize("kri_id", sorted(EXPECTED))
def test_kri_matches_hand_computed_value(tiny_ctx: Context, kri_id: str) -> None:
    value, note = K.evaluate(K.REGISTRY[kri_id], tiny_ctx)
    assert value == pytest.approx(EXPECTED[kri_id], rel=1e-6), note


def test_churn_over_every_customer_when_the_settings_say_so(tiny_ctx: Context) -> None:
    """churn: {customers: all} measures every customer of Q2, as kri-reference.md defines churn: B bought
    in Q2, not in Q3; A and C bought again."""
    values = {kid: K.evaluate(K.REGISTRY[kid], tiny_ctx)[0] for kid in ("customer_churn_rate", "net_revenue_retention")}
    assert values == {"customer_churn_rate": 0.0, "net_revenue_retention": 120.0}
    tiny_ctx.settings = {"churn": {"customers": "all"}}  # other settings: evaluated again, not remembered
    assert K.evaluate(K.REGISTRY["customer_churn_rate"], tiny_ctx)[0] == pytest.approx(1 / 3 * 100)
    assert K.evaluate(K.REGISTRY["revenue_churn_rate"], tiny_ctx)[0] == pytest.approx(500 / 1800 * 100)
    assert K.evaluate(K.REGISTRY["net_revenue_retention"], tiny_ctx)[0] == pytest.approx((1200 + 100) / 1800 * 100)


def test_one_off_buyers_are_counted_apart(tiny_ctx: Context) -> None:
    row = K.compute(tiny_ctx, ["customer_churn_rate"]).iloc[0]
    assert row["value"] == 0.0 and row["status"] == "green"
    # B (500) and C (300) bought in Q2 only: 800 of Q2's 1,800 customer revenue
    assert row["reason"].endswith(
        "over 1 recurring customers (the 2 one-off buyers, 44% of the previous period's customer revenue, "
        "are not counted)"
    )


def test_attrition_needs_exit_dates(tiny_ctx: Context) -> None:
    """A reps table without an exit-date column cannot tell a leaver from a rep still employed: attrition
    is n/a, as orphaned revenue is, never 0 % green."""
    tiny_ctx.tables["reps"] = tiny_ctx.tables["reps"].drop(columns=["exit_date"])
    for kid in ("rep_attrition_rate", "orphaned_revenue_share"):
        value, reason = K.evaluate(K.REGISTRY[kid], tiny_ctx)
        assert value is None and reason == "reps has no exit_date column", kid


def test_every_contract_kri_is_registered() -> None:
    contract = """revenue_growth revenue_yoy sales_volatility_cv customer_concentration_top10 customer_hhi win_rate
    competitive_loss_share discount_depth customer_churn_rate revenue_churn_rate net_revenue_retention
    rep_attrition_rate orphaned_revenue_share pipeline_coverage data_quality_error_rate duplicate_record_rate
    benford_mad incident_count stockout_rate dso overdue_ratio overdue_90_ratio expected_credit_loss
    credit_limit_breaches cancellation_rate dispute_rate discount_policy_violations compliance_incidents""".split()
    assert set(contract) <= set(K.REGISTRY)


def test_status_follows_direction_and_thresholds(tiny_ctx: Context) -> None:
    df = K.compute(tiny_ctx).set_index("id")
    assert df.loc["dso", "status"] == "red"  # 117 days ≥ 60
    assert df.loc["revenue_growth", "status"] == "amber"  # −11.1% between −5% and −15%
    assert df.loc["win_rate", "status"] == "green"  # 50% above 30%
    assert df.loc["cancellation_rate", "status"] == "amber"  # 3.75% between 3% and 6%
    early = K.compute(tiny_ctx.at(Period.parse("2025Q3")), ["sales_volatility_cv"]).iloc[0]
    assert early["status"] == "n/a" and "before the data" in early["reason"]  # window starts 2025-04


def test_unit_threshold_override_changes_status(tiny_ctx: Context) -> None:
    tiny_ctx.settings = {"kri": {"dso": {"amber": 150, "red": 200}}}
    row = K.compute(tiny_ctx, ["dso"]).iloc[0]
    assert (row["amber"], row["red"], row["status"]) == (150, 200, "green")


def test_no_previous_period_is_na_never_zero(tiny_ctx: Context) -> None:
    early = tiny_ctx.at(Period.parse("2025Q3"))
    for kid in ("revenue_growth", "revenue_yoy", "customer_churn_rate", "net_revenue_retention"):
        value, reason = K.evaluate(K.REGISTRY[kid], early)
        assert value is None and "before the data" in reason, kid


def test_missing_table_is_na_with_reason(tiny_ctx: Context) -> None:
    del tiny_ctx.tables["invoices"]
    value, reason = K.evaluate(K.REGISTRY["dso"], tiny_ctx)
    assert value is None and reason == "no invoices table in the data"
    assert K.compute(tiny_ctx, ["dso"]).iloc[0]["status"] == "n/a"


def test_zero_revenue_period_is_na(tiny_ctx: Context) -> None:
    empty = tiny_ctx.at(Period.parse("2025Q4"))  # no orders at all between Oct and Dec 2025
    assert K.evaluate(K.REGISTRY["revenue_growth"], empty)[0] == -100.0
    after = tiny_ctx.at(Period.parse("2026Q1"))  # compared with that empty quarter
    value, reason = K.evaluate(K.REGISTRY["revenue_growth"], after)
    assert value is None and "no revenue" in reason
    value, reason = K.evaluate(K.REGISTRY["expected_credit_loss"], empty)
    assert value is None and "no revenue" in reason


def _orders_ctx(amounts: np.ndarray, dates: pd.DatetimeIndex) -> Context:
    orders = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(len(amounts))],
            "order_date": dates,
            "customer_id": "A",
            "unit": "u",
            "amount": amounts,
        }
    )
    return Context({"orders": orders}, Period.parse("2026Q3"), {}, pd.Timestamp("2024-01-01"))


def test_sales_volatility_cv_by_hand() -> None:
    start = pd.Timestamp("2026-10-01") - pd.Timedelta(weeks=26)
    dates = pd.DatetimeIndex([start + pd.Timedelta(days=7 * k + 1) for k in range(26)])
    amounts = np.array([100.0 if k % 2 == 0 else 300.0 for k in range(26)])
    value, _ = K.evaluate(K.REGISTRY["sales_volatility_cv"], _orders_ctx(amounts, dates))
    assert value == pytest.approx(math.sqrt(26 * 100**2 / 25) / 200, rel=1e-6)


def test_benford_mad_by_hand_and_applicability() -> None:
    # 100 amounts for each first digit 1..9 spread over four orders of magnitude: frequencies 1/9 each
    amounts = np.array([d * 10 ** (1 + i % 4) + i % 7 + i / 1000 for d in range(1, 10) for i in range(100)])
    dates = pd.DatetimeIndex(["2026-08-01"] * len(amounts))
    value, _ = K.evaluate(K.REGISTRY["benford_mad"], _orders_ctx(amounts, dates))
    expected = np.mean(np.abs(1 / 9 - np.log10(1 + 1 / np.arange(1, 10))))
    assert value == pytest.approx(expected, abs=1e-6)
    few, reason = K.evaluate(K.REGISTRY["benford_mad"], _orders_ctx(amounts[:400], dates[:400]))
    assert few is None and "at least 500" in reason
    narrow = np.linspace(100, 900, 600)
    v, reason = K.evaluate(K.REGISTRY["benford_mad"], _orders_ctx(narrow, pd.DatetimeIndex(["2026-08-01"] * 600)))
    assert v is None and "two orders of magnitude" in reason
    # catalogue prices: 600 lines at 6 list prices spanning four orders of magnitude
    catalogue = np.resize([4.99, 39.98, 120.0, 539.99, 2419.06, 35_780.0], 600)
    v, reason = K.evaluate(K.REGISTRY["benford_mad"], _orders_ctx(catalogue, pd.DatetimeIndex(["2026-08-01"] * 600)))
    assert v is None and "100% of the amounts repeat an exact amount" in reason and "catalogue" in reason


def test_single_customer_unit() -> None:
    dates = pd.DatetimeIndex(["2026-05-01", "2026-08-01"])
    ctx = _orders_ctx(np.array([100.0, 50.0]), dates)
    ctx.settings = {"churn": {"customers": "all"}}  # A bought in Q2 only: not a recurring customer
    df = K.compute(
        ctx, ["customer_concentration_top10", "customer_hhi", "customer_churn_rate", "net_revenue_retention"]
    ).set_index("id")
    assert df.loc["customer_concentration_top10", "value"] == 100
    assert df.loc["customer_hhi", "value"] == 10000
    assert df.loc["customer_churn_rate", "value"] == 0
    assert df.loc["net_revenue_retention", "value"] == 50


def test_duplicates_are_flagged(tmp_path) -> None:
    from riskbook.ingest import store
    from tests.conftest import TINY, write_tables

    orders = TINY["orders"] + "O6,2026-08-10,C,u,100,r2,p2,10,10,10,completed,false\n"
    folder = write_tables(tmp_path / "dup", {**TINY, "orders": orders})
    st = store.ingest(folder, root=tmp_path / "store")
    ctx = Context(store.load_unit(st, "u"), Period.parse("2026Q3"), {}, pd.Timestamp("2025-07-05"))
    value, _ = K.evaluate(K.REGISTRY["duplicate_record_rate"], ctx)
    assert value == pytest.approx(1 / 24 * 100)


def test_the_benford_chart_follows_the_kri() -> None:
    """Where the KRI is n/a (catalogue prices), the report draws no first-digit chart to read a verdict in."""
    from riskbook.stages.quality import benford

    dates = pd.DatetimeIndex(["2026-08-01"] * 600)
    catalogue = np.resize([4.99, 39.98, 120.0, 539.99, 2419.06, 35_780.0], 600)
    assert benford(_orders_ctx(catalogue, dates)) is None
    free = np.array([d * 10 ** (1 + i % 4) + i % 7 + i / 1000 for d in range(1, 10) for i in range(100)])
    chart = benford(_orders_ctx(free, pd.DatetimeIndex(["2026-08-01"] * len(free))))
    assert chart is not None and chart["observed"].sum() == pytest.approx(1.0)
