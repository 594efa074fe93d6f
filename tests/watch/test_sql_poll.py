"""A SQL source watched: a check asks each table's row count and largest key, and runs the full queries
only when they moved (PostgreSQL and SQLite)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from riskbook.ingest import mapread
from riskbook.watch import check as W
from tests.ingest.pgserver import postgres_url  # noqa: F401  (session fixture: a throwaway PostgreSQL database)
from tests.ingest.test_sql_sources import build_company, write_company

pytestmark = pytest.mark.slow  # a database and three checks


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'crm.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    build_company(url)
    return url


def test_a_check_queries_the_database_in_full_only_when_it_changed(db_url: str, tmp_path: Path, monkeypatch) -> None:
    cfg = write_company(tmp_path, db_url)
    queries: list[str] = []
    real = mapread._sql
    monkeypatch.setattr(mapread, "_sql", lambda name, spec: queries.append(name) or real(name, spec))
    out = tmp_path / "out"
    first = W.check(None, str(cfg), out)
    assert first.changed and sorted(queries) == ["customers", "orders"]

    queries.clear()
    again = W.check(None, str(cfg), out)  # nothing changed: two aggregate queries, no full one
    assert not again.changed and queries == []

    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO sales VALUES ('S11', :d, 'C1', '华东事业部', :t, 'completed')"),
            {"d": date(2026, 9, 30), "t": 5000.0},
        )
    engine.dispose()
    new = W.check(None, str(cfg), out)  # a new row: the count moved, the tables are read again
    assert new.changed and sorted(queries) == ["customers", "orders"]
