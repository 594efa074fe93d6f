"""A risk is one object: declared once with its KRIs, evidence and exposure, and the generic engines
(identification, assessment, the report's evidence titles) take it from there."""

from __future__ import annotations

import pandas as pd
import pytest

from riskbook import kris as K
from riskbook import risks
from riskbook.kris import Context
from riskbook.stages.assess import assess
from riskbook.stages.identify import identify


@pytest.fixture
def new_risk():
    """A risk declared the way a family module declares one, removed again after the test."""

    def biggest_invoices(ctx: Context) -> dict[str, pd.DataFrame]:
        inv = ctx.table("invoices").nlargest(2, "amount")[["invoice_id", "customer_id", "amount"]]
        return {"biggest_invoices": inv}

    r = risks.risk(
        id="R-TST-01",
        pool="receivables",
        family="financial",
        kris=("dso",),
        response="accept",
        owner="Test Owner",
        title_en="Test risk",
        title_zh="测试风险",
        desc_en="A test.",
        desc_zh="测试。",
        actions_en=("Look",),
        actions_zh=("查看",),
        exposure=lambda ctx: 123.0,
        evidence=biggest_invoices,
        tables={"biggest_invoices": ("Biggest invoices", "最大发票")},
    )
    yield r
    risks.LIBRARY.remove(r)
    del risks.BY_ID[r.id]


def test_a_new_risk_is_identified_assessed_and_titled_from_its_one_declaration(tiny_ctx: Context, new_risk) -> None:
    kris = K.compute(tiny_ctx)  # DSO 117 days: red
    found = {f.risk.id: f for f in identify(tiny_ctx, kris)}
    assert "R-TST-01" in found
    assert list(found["R-TST-01"].evidence["biggest_invoices"]["invoice_id"]) == ["i1", "i2"]  # 1000, 500
    row = assess(list(found.values()), tiny_ctx).set_index("id").loc["R-TST-01"]
    assert (row["exposure"], row["response"], row["owner"], row["kris"]) == (123.0, "accept", "Test Owner", ["dso"])
    assert risks.evidence_title("biggest_invoices", "zh") == "最大发票"


def test_every_library_risk_names_known_kris_and_titles_its_evidence(tiny_ctx: Context) -> None:
    for r in risks.LIBRARY:
        assert set(r.kris) <= set(K.REGISTRY), r.id
        for name in r.evidence(tiny_ctx) if r.tables else {}:
            assert name in r.tables, (r.id, name)


def test_cancellation_evidence_lists_the_largest_lines_and_the_disputed_invoices(tiny_ctx: Context) -> None:
    """Tiny company, 2026Q3: one cancelled line (O9, 60) and one disputed invoice (i5, 100, issued 2026-09-01).
    A return booked as a negative amount still counts by its size."""
    ev = risks.BY_ID["R-FIN-03"].evidence(tiny_ctx)
    assert list(ev["cancelled_lines"]["order_id"]) == ["O9"]
    assert list(ev["disputed_invoices"]["invoice_id"]) == ["i5"]
    orders = tiny_ctx.tables["orders"]
    extra = orders.iloc[[0]].assign(
        order_id="O10", order_date=pd.Timestamp("2026-08-01"), status="returned", amount=-500.0
    )
    tiny_ctx.tables["orders"] = pd.concat([orders, extra], ignore_index=True)
    ev = risks.BY_ID["R-FIN-03"].evidence(tiny_ctx)
    assert list(ev["cancelled_lines"]["order_id"]) == ["O10", "O9"]  # −500 is the largest, not the smallest


def test_small_amounts_keep_their_cents_in_evidence() -> None:
    from riskbook.display.show import frame

    html = frame(pd.DataFrame({"amount": [2.9, 1234.5]})).data
    assert "2.90" in html and "1,234" in html and ">3<" not in html


def test_recommendations_follow_the_kris_that_raised_the_risk() -> None:
    """Customer attrition raised by net revenue retention alone (0 % churn): no call to lost customers."""
    from riskbook.risks import BY_ID

    attrition = BY_ID["R-CUS-01"]
    by_retention = attrition.actions("en", {"net_revenue_retention"})
    assert "Call every lost top customer within two weeks" not in by_retention
    assert "Quarterly business reviews for key accounts" in by_retention
    assert "Call every lost top customer within two weeks" in attrition.actions("en", {"customer_churn_rate"})
    zh = attrition.actions("zh", {"net_revenue_retention"})
    assert zh == ("建立客户健康度评分与挽留计划", "对重点客户开展季度业务回顾")
    disruption = BY_ID["R-OPS-04"].actions("en", {"stockout_rate"})
    assert disruption == ("Safety stock for fast movers",)
    for r in BY_ID.values():  # every KRI of a risk has at least one action answering it
        for kid in r.kris:
            assert r.actions("en", {kid}), (r.id, kid)


def _orders(rows: list[tuple[str, str, float]], **extra: list) -> Context:
    from riskbook.core.periods import Period

    o = pd.DataFrame(rows, columns=["order_date", "customer_id", "amount"])
    o = o.assign(order_id=[f"o{i}" for i in range(len(o))], unit="u", order_date=pd.to_datetime(o["order_date"]))
    for col, values in extra.items():
        o[col] = values
    return Context({"orders": o}, Period.parse("2026Q3"), {}, pd.Timestamp("2026-01-01"))


def test_churn_counts_the_lost_customers_not_netted_against_others_growth() -> None:
    """B, a recurring customer (Q1 400, Q2 500), stops buying in Q3 while A doubles: the money at risk is
    B's pace, 500 a quarter. Netted against A's growth (1,800 − 2,000 kept), it read 0."""
    ctx = _orders(
        [
            ("2026-02-01", "A", 900),
            ("2026-02-01", "B", 400),
            ("2026-05-01", "A", 1000),
            ("2026-05-01", "B", 500),
            ("2026-08-01", "A", 2000),
        ]
    )
    assert risks.BY_ID["R-CUS-01"].exposure(ctx) == pytest.approx(500)


def test_a_sale_without_a_customer_id_is_not_money_at_risk(tiny_dir, tmp_path) -> None:
    """O8 (100) has no customer id: an error in its record, not a doubt about its money. The records pool
    counts only lines whose revenue is in doubt (copies, errors in date, amount or status)."""
    from riskbook.core.periods import Period
    from riskbook.ingest import store

    st = store.ingest(tiny_dir, root=tmp_path / "store")
    f = store.load_findings(st, "u")
    ctx = Context(store.load_unit(st, "u"), Period.parse("2026Q3"), {}, pd.Timestamp("2025-07-01"), findings=f)
    assert ((f["check"] == "missing_value") & (f["column"] == "customer_id")).any()
    assert risks.BY_ID["R-OPS-03"].exposure(ctx) == 0.0
    dup = pd.DataFrame([{**f.iloc[0].to_dict(), "check": "duplicate_row", "column": None, "row": 9}])
    ctx = Context(ctx.raw, ctx.period, {}, ctx.data_start, findings=pd.concat([f, dup], ignore_index=True))
    ctx.raw["orders"].loc[ctx.raw["orders"]["_row"] == 9, "_dup"] = True  # were O8 a copy, its 100 would count
    assert risks.BY_ID["R-OPS-03"].exposure(ctx) == 100.0
