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
