"""Data-quality findings: every check over every row, located; what a report of a period shows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from riskbook.core.periods import Period
from riskbook.ingest import checks, store
from riskbook.kris import Context
from riskbook.stages import quality
from tests.conftest import TINY, write_tables


def test_tiny_company_findings(tiny_dir: Path, tmp_path: Path) -> None:
    st = store.ingest(tiny_dir, root=tmp_path / "store")
    meta = store.read_meta(st)
    ctx = Context(
        store.load_unit(st, "u"),
        Period.parse("2026Q3"),
        {},
        pd.Timestamp(meta["first_date"]),
        as_of=pd.Timestamp(meta["as_of"]),
        findings=store.load_findings(st, "u"),
    )
    s = quality.summary(ctx)
    # 23 records are dated in 2026Q3 across the dated tables; O8 (no customer id) is the one error
    assert (s["rows_checked"], s["rows_failing"], s["duplicates"]) == (23, 1, 0)
    first = s["issues"][0]
    assert (first["check"], first["table"], first["column"], first["count"], first["in_period"]) == (
        "missing_value",
        "orders",
        "customer_id",
        1,
        1,
    )
    assert first["rows"] == [9] and first["keys"] == ["O8 / p4"] and first["periods"] == ["2026Q3"]
    assert first["file"].endswith("orders.csv") and first["excluded"] == "value"
    assert "customer_churn_rate" in first["kris"] and "data_quality_error_rate" in first["kris"]
    assert "dso" not in first["kris"]
    gaps = {(i["table"], i["column"]): i["count"] for i in s["issues"] if i["check"] == "missing_optional"}
    assert gaps[("orders", "rep_id")] == 1  # O8 has no rep
    # a 2026Q2 report sees the same findings as 'earlier' only where they are dated before it: O8 is later
    q2 = quality.summary(ctx.at(Period.parse("2026Q2")))
    assert all(i["check"] != "missing_value" for i in q2["issues"])


def _table(name: str, df: pd.DataFrame) -> pa.Table:
    df = df.assign(_row=np.arange(len(df)) + 2)
    return pa.Table.from_pandas(df, preserve_index=False)


def test_outliers_and_mismatches(rng: np.random.Generator) -> None:
    n = 200
    amounts = np.round(np.exp(rng.normal(6, 0.3, n)), 2)
    qty = np.ones(n)
    amounts[7] = 5e6  # far outside the rest: reported, kept
    amounts[9] = 1e15  # on a line whose quantity × unit price is 1,200: left out
    orders = pd.DataFrame(
        {
            "order_id": [f"o{i}" for i in range(n)],
            "order_date": pd.Timestamp("2026-08-01"),
            "customer_id": "A",
            "unit": "u",
            "amount": amounts,
            "quantity": qty,
            "unit_price": amounts,
        }
    )
    orders.loc[9, ["quantity", "unit_price"]] = [10, 120]
    out, f = checks.run(
        {"orders": _table("orders", orders)}, {}, {"orders": "orders.csv"}, {}, pd.Timestamp("2026-12-01")
    )
    f = f.to_pandas()
    mismatch = f[f["check"] == "amount_mismatch"]
    assert mismatch[["row", "severity", "excluded"]].values.tolist() == [[11, "error", "value"]]
    assert mismatch["note"].iloc[0] == "quantity × unit price is 1,200.00"
    outlier = f[f["check"] == "outlier_amount"]
    assert outlier[["row", "severity", "excluded"]].values.tolist() == [[9, "warning", ""]]
    amount = out["orders"]["amount"].to_pylist()
    assert amount[9] is None and amount[7] == 5e6


def test_cross_table_checks(tmp_path: Path) -> None:
    tables = {
        **TINY,
        "customers": TINY["customers"] + "A,Alpha again,v,500\n",  # A under two units
        "reps": TINY["reps"] + "r5,Rep Five,u,2026-05-01,2026-03-01,100\n",  # left before hired
        "invoices": TINY["invoices"] + "i6,C,u,2026-09-01,2026-08-01,50,false\n",  # due before issued
        "payments": TINY["payments"] + "i4,2026-08-02,50\ni404,2026-08-03,70\n",  # i4 over-paid; no i404
        "incidents": TINY["incidents"] + "n5,u,2026-09-09,other,7\n",
    }  # severity 7 on a 1-5 scale
    st = store.ingest(write_tables(tmp_path / "d", tables), root=tmp_path / "store")
    f = store.load_findings(st)
    got = {(r.table, r.check, r.column, r.row, r.excluded) for r in f.itertuples() if r.severity == "error"}
    assert {
        ("customers", "unit_conflict", "unit", 2, ""),
        ("customers", "unit_conflict", "unit", 6, ""),
        ("reps", "date_order", "exit_date", 6, "row"),
        ("invoices", "date_order", "due_date", 7, "value"),
        ("invoices", "overpayment", "amount", 5, ""),
        ("payments", "unknown_id", "invoice_id", 6, ""),
        ("incidents", "invalid_value", "severity", 6, "value"),
        ("orders", "missing_value", "customer_id", 9, "value"),
    } == got
    over = f[f["check"] == "overpayment"].iloc[0]
    assert over["note"] == "paid 350.00 of 300.00" and over["key"] == "i4"
    u = store.load_unit(st, "u")
    assert u["reps"].set_index("rep_id").loc["r5", "_drop"]  # neither a leaver nor on the headcount
    assert pd.isna(u["invoices"].set_index("invoice_id").loc["i6", "due_date"])
    assert pd.isna(u["incidents"].set_index("incident_id").loc["n5", "severity"])
