"""A cheap test of whether a SQL source changed, for ``riskbook watch``: per SQL table, the row count and
the maximum of one column of the query's result — its ``watermark:`` (an updated-at timestamp or an
increasing id, the best test), else the column mapped to the table's key. One aggregate query per table
instead of reading every row; the full query runs only when the answer differs.

It cannot see a row changed in place without a watermark that moves (an update keeping the count and the
largest key): give ``watermark:`` where rows are edited, not only added.
"""

from __future__ import annotations

import hashlib
from typing import Any

from riskbook.core.errors import DataError
from riskbook.core.schema import TABLES
from riskbook.settings.sources import Source


def watermark(name: str, spec: dict[str, Any]) -> str | None:
    """The column whose maximum is compared: ``watermark:``, else the source column of the table's key."""
    if spec.get("watermark"):
        return str(spec["watermark"])
    key = TABLES[name].key[0] if name in TABLES and TABLES[name].key else None
    cols = spec.get("columns") or {}
    return str(cols.get(key, key)) if key else None


def poll(source: Source) -> str:
    """A digest of every SQL table's row count and watermark maximum (DataError naming the table when its
    database does not answer)."""
    import sqlalchemy as sa

    h = hashlib.sha256()
    for name, spec in sorted(source.specs.items()):
        if "sql" not in spec:
            continue
        col = watermark(name, spec)
        try:
            engine = sa.create_engine(spec["url"])
            try:
                with engine.connect() as conn:
                    sub = sa.text(spec["sql"]).columns(*([sa.column(col)] if col else [])).subquery("q")
                    aggs = [sa.func.count()] + ([sa.func.max(sub.c[col])] if col else [])
                    row = conn.execute(sa.select(*aggs).select_from(sub)).one()
            finally:
                engine.dispose()
        except Exception as exc:  # the driver's own error types vary
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataError(
                f"sources.{name} (SQL)", f"change test failed ({first})", fix=f"check sources.{name}"
            ) from None
        h.update(f"{name}|{col}|{tuple(str(x) for x in row)}\n".encode())
    return h.hexdigest()
