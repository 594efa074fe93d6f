"""SQL sources: a company file whose `sources:` read the tables through SQL (SQLite and PostgreSQL).

The company lives in the user's own tables and column names — `sales(order_no, order_day, cust,
dept, total, state)` and `clients(client_no, client_name, region, dept)` — with the business unit
given by a department name mapped to a unit id. The PostgreSQL server is a throwaway one
(tests/ingest/pgserver.py); its tests skip where the server binaries are not installed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from riskbook import cli
from tests.conftest import read_results
from tests.ingest.pgserver import postgres_url  # noqa: F401  (session fixture: a throwaway PostgreSQL database)

UNITS = {"华东事业部": "east", "华南事业部": "south"}
# (order_no, order_day, cust, dept, total, state) — 2026Q2 and 2026Q3 complete (last order 2026-09-30)
SALES = [
    ("S01", date(2026, 4, 2), "C1", "华东事业部", Decimal("1000.00"), "completed"),
    ("S02", date(2026, 5, 15), "C2", "华东事业部", Decimal("500.50"), "completed"),
    ("S03", date(2026, 6, 30), "C1", "华东事业部", Decimal("250.00"), "completed"),
    ("S04", date(2026, 4, 20), "C3", "华南事业部", Decimal("800.00"), "completed"),
    ("S05", date(2026, 7, 1), "C1", "华东事业部", Decimal("1200.00"), "completed"),
    ("S06", date(2026, 8, 18), "C2", "华东事业部", Decimal("300.25"), "completed"),
    ("S07", date(2026, 9, 30), "C2", "华东事业部", Decimal("99.75"), "completed"),
    ("S08", date(2026, 9, 12), "C1", "华东事业部", Decimal("400.00"), "cancelled"),
    ("S09", date(2026, 8, 8), "C3", "华南事业部", Decimal("650.00"), "completed"),
    ("S10", date(2026, 9, 30), "C3", "华南事业部", Decimal("100.00"), "completed"),
]
# revenue_growth of east in 2026Q3 = revenue(2026Q3) / revenue(2026Q2) − 1, completed orders only:
#   2026Q2: S01 1000.00 + S02 500.50 + S03 250.00            = 1750.50
#   2026Q3: S05 1200.00 + S06 300.25 + S07 99.75 (S08 cancelled) = 1600.00
#   1600.00 / 1750.50 − 1 = −0.0859754…  →  −8.5975 %
EAST_GROWTH_2026Q3 = (Decimal("1600.00") / Decimal("1750.50") - 1) * 100  # −8.597543558…
# (client_no, client_name, region, dept)
CLIENTS = [
    ("C1", "上海东方贸易有限公司", "上海", "华东事业部"),
    ("C2", "杭州西湖电子", "浙江", "华东事业部"),
    ("C3", "广州南方实业", "广东", "华南事业部"),
]


def build_company(url: str) -> None:
    """(Re)create the user's tables in the database at ``url`` with the rows above."""
    md = sa.MetaData()
    sales = sa.Table(
        "sales",
        md,
        sa.Column("order_no", sa.String(20), primary_key=True),
        sa.Column("order_day", sa.Date, nullable=False),
        sa.Column("cust", sa.String(20)),
        sa.Column("dept", sa.String(40)),
        sa.Column("total", sa.Numeric(12, 2)),  # PostgreSQL returns Decimal objects
        sa.Column("state", sa.String(20)),
    )
    clients = sa.Table(
        "clients",
        md,
        sa.Column("client_no", sa.String(20), primary_key=True),
        sa.Column("client_name", sa.String(100)),
        sa.Column("region", sa.String(40)),
        sa.Column("dept", sa.String(40)),
    )
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            md.drop_all(conn)
            md.create_all(conn)
            conn.execute(sales.insert(), [dict(zip(sales.c.keys(), row)) for row in SALES])
            conn.execute(clients.insert(), [dict(zip(clients.c.keys(), row)) for row in CLIENTS])
    finally:
        engine.dispose()


def write_company(folder: Path, url: str, orders_sql: str = "SELECT * FROM sales") -> Path:
    """company.yaml mapping orders (source column names) and customers (SQL aliases) to ``url``."""
    company = {
        "company": "SQL Trading Co.",
        "currency": "CNY",
        "lang": "en",
        "sources": {
            "orders": {
                "url": url,
                "sql": orders_sql,
                "columns": {
                    "order_id": "order_no",
                    "order_date": "order_day",
                    "customer_id": "cust",
                    "amount": "total",
                    "status": "state",
                },
                "unit": {"column": "dept", "map": UNITS},
            },
            "customers": {
                "url": url,
                "sql": "SELECT client_no AS customer_id, client_name AS customer_name, region, dept FROM clients",
                "unit": {"column": "dept", "map": UNITS},
            },
        },
    }
    cfg = folder / "company.yaml"
    cfg.write_text(yaml.safe_dump(company, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return cfg


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    """URL of a database holding the company: a SQLite file, or the throwaway PostgreSQL server."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crm.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    build_company(url)
    return url


@pytest.fixture
def company(db_url: str, tmp_path: Path) -> Path:
    return write_company(tmp_path, db_url)


def test_postgres_server_starts(postgres_url: str) -> None:  # noqa: F811
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("select 1")).scalar() == 1
            assert conn.execute(sa.text("select current_database()")).scalar() == "riskbook"
            assert conn.execute(sa.text("select :s"), {"s": "华东事业部"}).scalar() == "华东事业部"
    finally:
        engine.dispose()


def test_validate_reads_sql_sources(company: Path, capsys) -> None:
    code = cli.main(["validate", "--config", str(company)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "orders 10" in out and "customers 3" in out, out
    assert "units east, south" in out and "2026-04-02 to 2026-09-30" in out, out


@pytest.mark.slow
def test_run_computes_kris_from_sql(company: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code = cli.main(["run", "--config", str(company), "--out", str(out), "--unit", "east", "--period", "2026Q3"])
    assert code == 0
    results = read_results(out / "2026Q3" / "east" / "results.json")
    kri = {k["id"]: k for k in results["kris"]}["revenue_growth"]
    assert kri["value"] == pytest.approx(float(EAST_GROWTH_2026Q3), abs=1e-4)
    assert kri["status"] == "amber"  # −5 % ≥ growth > −15 %


def test_url_from_environment_variable(tmp_path: Path, monkeypatch, capsys) -> None:
    build_company(f"sqlite:///{tmp_path / 'crm.db'}")
    monkeypatch.setenv("RISKBOOK_TEST_CRM_DB", str(tmp_path / "crm.db"))
    cfg = write_company(tmp_path, "sqlite:///${RISKBOOK_TEST_CRM_DB}")
    assert cli.main(["validate", "--config", str(cfg)]) == 0
    assert "orders 10" in capsys.readouterr().out


def test_bad_query_is_a_one_line_error(db_url: str, tmp_path: Path, capsys) -> None:
    cfg = write_company(tmp_path, db_url, orders_sql="SELECT order_no, order_day FROM no_such_table")
    code = cli.main(["validate", "--config", str(cfg)])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("riskbook: error:") and "orders" in err, err


@pytest.mark.slow
def test_a_run_queries_the_database_once(postgres_url: str, tmp_path: Path) -> None:  # noqa: F811
    """Every notebook of every unit reads the store the run ingested: the orders query runs once per run
    (a sequence counts the queries), so one unit's stages cannot read different data."""
    build_company(postgres_url)
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SEQUENCE IF EXISTS riskbook_hits; CREATE SEQUENCE riskbook_hits"))
        cfg = write_company(
            tmp_path,
            postgres_url,
            orders_sql="SELECT s.* FROM sales s CROSS JOIN (SELECT nextval('riskbook_hits') AS hit) h",
        )
        out = tmp_path / "out"
        assert cli.main(["run", "--config", str(cfg), "--out", str(out), "--period", "2026Q3"]) == 0
        assert {d.name for d in (out / "2026Q3").iterdir() if d.is_dir()} == {"east", "south", "group"}
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT last_value FROM riskbook_hits")).scalar() == 1
    finally:
        engine.dispose()
