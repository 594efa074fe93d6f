"""Full packs from the real exports in ../shared/real-exports, checked against the raw files."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from riskbook import cli
from riskbook.core import config
from tests.conftest import read_results

SHARED = config.PROJ_ROOT.parent / "shared" / "real-exports"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not SHARED.exists(), reason=f"{SHARED} is absent: the real exports are not here"),
]


def quarter(year: int, month: int) -> tuple[int, int]:
    return year, (month - 1) // 3 + 1


def test_superstore_pack(tmp_path: Path) -> None:
    cfg = config.PARAMS_DIR / "examples" / "superstore.yaml"
    assert cli.main(["run", "--config", str(cfg), "--out", str(tmp_path), "--unit", "east", "west"]) == 0
    # by hand from the raw file: Sales per Region and quarter, dates day-first dd/mm/yy
    revenue: dict[tuple, float] = defaultdict(float)
    with open(SHARED / "superstore.csv", encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            day, month, year = (int(x) for x in r["Order Date"].split("/"))
            revenue[(r["Region"].lower(), *quarter(2000 + year, month))] += float(r["Sales"])
    # the last order is dated 2022-12-30: the data covers 2022Q4, the default period
    for unit in ("east", "west"):
        doc = read_results(tmp_path / "2022Q4" / unit / "results.json")
        assert doc["status"] == "ok" and doc["data_through"] == "2022-12-30"  # said, as the report says it
        kri = {k["id"]: k for k in doc["kris"]}
        growth = (revenue[(unit, 2022, 4)] / revenue[(unit, 2022, 3)] - 1) * 100
        yoy = (revenue[(unit, 2022, 4)] / revenue[(unit, 2021, 4)] - 1) * 100
        assert kri["revenue_growth"]["value"] == pytest.approx(growth, rel=1e-6)
        assert kri["revenue_yoy"]["value"] == pytest.approx(yoy, rel=1e-6)
        assert kri["dso"]["status"] == "n/a" and "invoices" in kri["dso"]["reason"]
        assert "before" not in kri["benford_mad"]["reason"] and "not applicable" in kri["benford_mad"]["reason"]
    assert (tmp_path / "2022Q4" / "east" / "east_2022Q4_risk_report.pdf").exists()


def test_northwind_pack(tmp_path: Path) -> None:
    cfg = config.PARAMS_DIR / "examples" / "northwind.yaml"
    assert cli.main(["run", "--config", str(cfg), "--out", str(tmp_path)]) == 0
    # by hand: Σ unitPrice × quantity × (1 − discount) per customer country region, 1998Q1 vs 1997Q4
    nw = SHARED / "northwind"
    country = {}
    with open(nw / "customers.csv", newline="") as fh:
        for r in csv.reader(fh):
            country[r[0]] = r[-3]  # country is third from the end (addresses may hold a comma)
    header = {}
    with open(nw / "orders.csv", newline="") as fh:
        for r in csv.reader(fh):
            if r[0] != "orderID":
                header[r[0]] = (r[1], r[3])
    europe = {
        "Germany",
        "UK",
        "France",
        "Austria",
        "Sweden",
        "Italy",
        "Finland",
        "Ireland",
        "Switzerland",
        "Denmark",
        "Portugal",
        "Poland",
        "Belgium",
        "Norway",
        "Spain",
    }
    revenue: dict[tuple, float] = defaultdict(float)
    with open(nw / "order-details.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            cust, date = header[r["orderID"]]
            if country[cust] in europe:
                y, m = int(date[:4]), int(date[5:7])
                revenue[quarter(y, m)] += float(r["unitPrice"]) * int(r["quantity"]) * (1 - float(r["discount"]))
    doc = read_results(tmp_path / "1998Q1" / "europe" / "results.json")
    kri = {k["id"]: k for k in doc["kris"]}
    assert kri["revenue_growth"]["value"] == pytest.approx(
        (revenue[(1998, 1)] / revenue[(1997, 4)] - 1) * 100, rel=1e-6
    )
    assert kri["discount_depth"]["status"] != "n/a"
    group = tmp_path / "1998Q1" / "group" / "group_1998Q1_risk_report.pdf"
    assert group.exists()


@pytest.mark.parametrize("example", ["superstore", "northwind"])
def test_arrow_and_row_readers_store_the_same(example: str, both_readers) -> None:
    fast = both_readers(config.PROJ_ROOT / "params" / "examples" / f"{example}.yaml")
    assert sum(len(t["orders"]) for t in fast.values()) > 1000
