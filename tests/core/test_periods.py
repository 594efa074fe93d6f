"""Periods: parsing, neighbours, the latest complete one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from riskbook import cli
from riskbook.core.errors import ParamError
from riskbook.core.periods import Period, latest_complete, latest_covered
from riskbook.ingest import store
from riskbook.settings.sources import resolve
from riskbook.stages.plan import check_period, period_of
from riskbook.stages.unit import data_through
from tests.conftest import write_tables


def test_quarter() -> None:
    p = Period.parse("2026Q3")
    assert (p.start, p.end, p.days) == (pd.Timestamp("2026-07-01"), pd.Timestamp("2026-09-30"), 92)
    assert str(p.previous) == "2026Q2" and str(p.year_ago) == "2025Q3"
    assert [str(x) for x in p.trailing(3)] == ["2026Q1", "2026Q2", "2026Q3"]
    assert str(Period.parse("2026Q1").previous) == "2025Q4"


def test_month_and_year() -> None:
    m = Period.parse("2026-02")
    assert (m.end, m.days, str(m.previous), str(m.year_ago)) == (pd.Timestamp("2026-02-28"), 28, "2026-01", "2025-02")
    y = Period.parse("2026")
    assert (y.end, str(y.previous), y.per_year) == (pd.Timestamp("2026-12-31"), "2025", 1)


@pytest.mark.parametrize("text", ["2026Q0", "2026-13", "26Q1", "Q3 2026", ""])
def test_bad_period(text: str) -> None:
    with pytest.raises(ParamError, match="is not a quarter"):
        Period.parse(text)


@pytest.mark.parametrize(
    "last,expected",
    [("2026-09-30", "2026Q3"), ("2026-09-29", "2026Q2"), ("2026-10-15", "2026Q3"), ("2026-01-01", "2025Q4")],
)
def test_latest_complete_quarter(last: str, expected: str) -> None:
    assert str(latest_complete(pd.Timestamp(last))) == expected


@pytest.mark.parametrize(
    "data_end,as_of,expected",
    [
        ("2026-09-30", "2026-12-01", "2026Q3"),
        ("2026-09-26", "2026-12-01", "2026Q3"),  # a quiet last weekend: the data still covers the quarter
        ("2026-09-20", "2026-12-01", "2026Q2"),  # ten days short: it does not
        ("2026-09-28", "2026-09-28", "2026Q2"),  # the quarter has not ended by the as-of date
        ("2022-12-30", "2026-12-01", "2022Q4"),  # Superstore's last order
    ],
)
def test_latest_covered_quarter(data_end: str, as_of: str, expected: str) -> None:
    assert str(latest_covered(pd.Timestamp(data_end), pd.Timestamp(as_of))) == expected


def _tables(orders_end: str, payments_end: str | None = None) -> dict[str, str]:
    orders = "order_id,order_date,customer_id,unit,amount\nO1,2026-05-02,A,u,10\nO2," + orders_end + ",A,u,20\n"
    tables = {"orders": orders}
    if payments_end:
        tables["invoices"] = "invoice_id,customer_id,unit,issue_date,due_date,amount\ni1,A,u,2026-09-01,2026-10-01,20\n"
        tables["payments"] = "invoice_id,payment_date,amount\ni1," + payments_end + ",20\n"
    return tables


def test_the_default_period_is_judged_on_the_tables_a_report_counts_from(tmp_path: Path, capsys) -> None:
    """Orders stop on 15 September and payments run into October: the payments do not make 2026Q3 complete
    (an accounts-receivable ledger whose invoices stop early read as a collapse), so the default is 2026Q2."""
    data = write_tables(tmp_path / "d", _tables("2026-09-15", payments_end="2026-10-02"))
    assert cli.main(["validate", "--data", str(data)]) == 0
    assert "(data through 2026-10-02)" in capsys.readouterr().out
    st = store.ingest(data, root=tmp_path / "s")
    assert str(period_of(None, store.read_meta(st))) == "2026Q2"
    data = write_tables(tmp_path / "e", _tables("2026-09-29"))  # orders to the last days: complete
    assert str(period_of(None, store.read_meta(store.ingest(data, root=tmp_path / "t")))) == "2026Q3"


def test_an_explicit_period_the_data_overlaps_is_built_and_says_how_far_the_data_goes(tmp_path: Path) -> None:
    data = write_tables(tmp_path / "d", _tables("2026-09-15"))
    meta = store.read_meta(store.ingest(data, root=tmp_path / "s"))
    assert str(period_of(None, meta)) == "2026Q2"  # the last order alone does not cover 2026Q3 ...
    p = period_of("2026Q3", meta)
    check_period(p, meta)  # ... but an explicit 2026Q3 is built,
    assert data_through(p, meta) == "2026-09-15"  # saying "data through 2026-09-15"
    with pytest.raises(ParamError, match="period 2026Q4 starts after the data ends"):
        check_period(Period.parse("2026Q4"), meta)


def test_as_of_in_the_company_file_fixes_the_day(tmp_path: Path) -> None:
    data = write_tables(tmp_path / "d", _tables("2026-09-29"))
    cfg = tmp_path / "company.yaml"
    cfg.write_text(f"company: X\ndata: {data}\nas_of: 2026-09-29\n")
    meta = store.read_meta(store.ingest(resolve(None, cfg), root=tmp_path / "s"))
    assert meta["as_of"] == "2026-09-29"
    assert str(period_of(None, meta)) == "2026Q2"  # 2026Q3 has not ended on the as-of date
    cfg.write_text(f"company: X\ndata: {data}\nas_of: soon\n")
    with pytest.raises(ParamError, match="as_of must be an ISO date"):
        resolve(None, cfg)
