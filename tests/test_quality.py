"""Data-quality findings: errors that feed the KRIs, warnings for outliers and gaps, Benford table."""
from __future__ import annotations

import numpy as np
import pandas as pd

from riskbook import quality
from riskbook.kris import Context
from riskbook.periods import Period


def test_tiny_company_findings(tiny_ctx: Context) -> None:
    f = quality.findings(tiny_ctx)
    errors = f[f["severity"] == "error"]
    assert errors[["table", "problem", "records"]].values.tolist() == [["orders", "missing customer_id", 1]]
    gaps = f[f["problem"].str.startswith("missing rep_id")]
    assert gaps["records"].tolist() == [1] and gaps["severity"].tolist() == ["warning"]  # O8 has no rep
    s = quality.summary(tiny_ctx)
    assert (s["rows_checked"], s["rows_failing"]) == (23, 1)
    assert {"table": "orders", "problem": "missing customer_id", "records": 1, "severity": "error"} in s["issues"]


def test_outlier_amount_is_a_warning(rng: np.random.Generator) -> None:
    amounts = np.exp(rng.normal(6, 0.3, 200))
    amounts[7] = 5e9
    orders = pd.DataFrame({"order_id": [f"o{i}" for i in range(200)], "order_date": pd.Timestamp("2026-08-01"),
                           "customer_id": "A", "unit": "u", "amount": amounts, "_dup": False,
                           "_dq": pd.Series(pd.NA, index=range(200), dtype="string")})
    ctx = Context({"orders": orders}, Period.parse("2026Q3"), {}, pd.Timestamp("2024-01-01"))
    f = quality.findings(ctx)
    out = f[f["problem"].str.startswith("amount far outside")]
    assert out["records"].tolist() == [1] and out["severity"].tolist() == ["warning"]
    assert quality.benford(ctx) is None  # fewer than 500 amounts
