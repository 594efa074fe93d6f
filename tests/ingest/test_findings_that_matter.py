"""Findings that matter: key repeats only where a key is unique, blanks that are a unit's design as one line,
no finding for a deal of no value yet, one finding per source row, negative quantities named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from riskbook import kris as K
from riskbook.core.periods import Period
from riskbook.ingest import store
from riskbook.kris import Context
from riskbook.settings.sources import resolve
from tests.conftest import TINY, write_tables


def _ingest(tmp_path: Path, tables: dict[str, str]) -> Path:
    return store.ingest(write_tables(tmp_path / "data", tables), root=tmp_path / "store")


def _findings(st: Path, check: str, table: str | None = None) -> pd.DataFrame:
    f = store.load_findings(st)
    f = f[f["check"] == check]
    return f if table is None else f[f["table"] == table]


def test_two_lines_of_one_product_in_one_order_are_not_duplicates(tmp_path: Path) -> None:
    """O7 holds a second line of p3 (another quantity): a sale, not a duplicate; an exact copy of a line is."""
    orders = (
        TINY["orders"]
        + "O7,2026-09-10,D,u,60,r3,p3,3,40,20,completed,false\n"  # row 11: same order and product, 3 more units
        + "O6,2026-08-10,C,u,100,r2,p2,10,10,10,completed,false\n"  # row 12: an exact copy of O6
    )
    st = _ingest(tmp_path, {**TINY, "orders": orders})
    assert _findings(st, "duplicate_key", "orders").empty
    assert list(_findings(st, "duplicate_row", "orders")["row"]) == [12]
    ctx = Context(store.load_unit(st, "u"), Period.parse("2026Q3"), {}, pd.Timestamp("2025-07-01"))
    # 1 copy among the 25 dated records of the period (the tiny company's 23, and these two)
    assert K.evaluate(K.REGISTRY["duplicate_record_rate"], ctx)[0] == 1 / 25 * 100


def test_a_unit_without_reps_by_design_is_one_line_not_a_warning_per_order(tmp_path: Path) -> None:
    """Unit w sells online: none of its 30 orders has a rep. One informational line says so; unit u's one
    order without a rep (O8, among 9) is still a warning on its row."""
    web = "".join(f"W{i},2026-08-{1 + i % 28:02d},C,w,{10 + i},,p1,1,{10 + i},{10 + i},completed,\n" for i in range(30))
    st = _ingest(tmp_path, {**TINY, "orders": TINY["orders"] + web, "customers": TINY["customers"] + "C,Gamma,w,\n"})
    f = _findings(st, "missing_optional", "orders")
    f = f[f["column"] == "rep_id"]
    info = f[f["severity"] == "info"]
    assert len(info) == 1 and info.iloc[0]["unit"] == "w" and pd.isna(info.iloc[0]["date"])
    assert info.iloc[0]["note"] == "30 of 30 rows have no rep_id: empty by design, not a gap"
    assert list(f.loc[f["severity"] == "warning", "row"]) == [9]


def test_an_open_or_lost_deal_of_no_value_yet_is_no_finding(tmp_path: Path) -> None:
    opps = (
        TINY["opportunities"]
        + "o7,u,2026-07-01,open,0,,\n"  # row 8: a new lead, no value yet
        + "o8,u,2026-07-01,lost,0,2026-08-01,\n"  # row 9: lost before it was priced
        + "o9,u,2026-07-01,won,0,2026-08-01,\n"  # row 10: won at nothing: worth a look
    )
    st = _ingest(tmp_path, {**TINY, "opportunities": opps})
    assert list(_findings(st, "zero_amount", "opportunities")["row"]) == [10]


def test_a_negative_quantity_on_a_completed_line_is_named(tmp_path: Path) -> None:
    orders = TINY["orders"] + "O20,2026-08-05,A,u,-50,r1,p1,-5,10,10,completed,false\n"  # row 11
    st = _ingest(tmp_path, {**TINY, "orders": orders})
    f = _findings(st, "negative_quantity", "orders")
    assert list(f["row"]) == [11] and f.iloc[0]["note"].startswith("negative on a completed line: a return")
    cancelled = TINY["orders"] + "O20,2026-08-05,A,u,-50,r1,p1,-5,10,10,returned,false\n"
    assert _findings(_ingest(tmp_path / "r", {**TINY, "orders": cancelled}), "negative_quantity").empty


def test_a_defect_of_one_source_row_is_reported_once(tmp_path: Path) -> None:
    """Orders and invoices both read from one export: a line with a zero amount is one finding (the
    orders'), not one per table it feeds."""
    (tmp_path / "sales.csv").write_text(
        "no,day,due,cust,amount,unit\n"
        "S1,2026-08-01,2026-08-31,A,100,u\n"
        "S2,2026-08-02,2026-09-01,A,0,u\n"  # row 3: zero
        "S3,2026-08-03,2026-09-02,B,50,u\n",
        encoding="utf-8",
    )
    common = {"file": "sales.csv", "unit": {"column": "unit", "map": {"u": "u"}}}
    doc = {
        "company": "X",
        "sources": {
            "orders": common
            | {"columns": {"order_id": "no", "order_date": "day", "customer_id": "cust", "amount": "amount"}},
            "invoices": common
            | {
                "columns": {
                    "invoice_id": "no",
                    "issue_date": "day",
                    "due_date": "due",
                    "customer_id": "cust",
                    "amount": "amount",
                }
            },
        },
    }
    cfg = tmp_path / "company.yaml"
    cfg.write_text(yaml.safe_dump(doc), encoding="utf-8")
    st = store.ingest(resolve(None, cfg), root=tmp_path / "store")
    zero = _findings(st, "zero_amount")
    assert len(zero) == 1 and list(zero["row"]) == [3] and zero.iloc[0]["file"].endswith("sales.csv")


def test_a_huge_key_is_shown_cut_not_whole(tmp_path: Path) -> None:
    """An order id of 200,000 characters with a negative amount: its finding names the row by its key cut to
    120 characters, and the command line's report stays short (it printed the whole id, once 2 GB of it)."""
    from riskbook.ingest.listing import findings_report

    huge = "X" * 200_000
    orders = TINY["orders"] + f"{huge},2026-09-10,D,u,-60,r3,p3,3,40,20,completed,false\n"
    st = _ingest(tmp_path, {**TINY, "orders": orders})
    neg = _findings(st, "negative_amount", "orders")
    assert len(neg) == 1 and neg["key"].iloc[0].startswith("XXX") and len(neg["key"].iloc[0]) <= 120 + 10
    report = findings_report(st, store.read_meta(st))
    assert max(len(line) for line in report) < 1000
