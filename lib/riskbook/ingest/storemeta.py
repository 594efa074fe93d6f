"""What a store's meta.json says about its data (:mod:`riskbook.ingest.store`): units, dates, rows per month,
the usual gaps between rows, row counts and the findings counted by check."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from riskbook.core.errors import DataError
from riskbook.core.schema import TABLES
from riskbook.ingest.sourcetables import Loaded


def _dates(tables: dict[str, pa.Table], as_of: pd.Timestamp) -> dict[str, list[str]]:
    """First and last date of each dated table, leaving out dates after ``as_of``."""
    limit = pa.scalar(as_of.to_pydatetime(), pa.timestamp("ns"))
    out = {}
    for name, t in sorted(tables.items()):
        col = TABLES[name].date_col
        if not col or col not in t.column_names:
            continue
        d = t[col].filter(pc.less_equal(t[col], limit))
        lo, hi = pc.min(d).as_py(), pc.max(d).as_py()
        if lo is not None:
            out[name] = [str(lo.date()), str(hi.date())]
    return out


def _monthly(tables: dict[str, pa.Table], as_of: pd.Timestamp) -> dict[str, dict[str, int]]:
    """Rows per month (YYYY-MM) of the tables a report counts from, up to ``as_of``: whether the export's
    last month is complete (riskbook.core.coverage)."""
    from riskbook.core.coverage import TABLES as COUNTED

    limit = pa.scalar(as_of.to_pydatetime(), pa.timestamp("ns"))
    out = {}
    for name, col in COUNTED.items():
        t = tables.get(name)
        if t is None or col not in t.column_names:
            continue
        d = t[col].filter(pc.less_equal(t[col], limit))
        months = pc.strftime(d, format="%Y-%m").combine_chunks() if len(d) else pa.array([], pa.string())
        counts = pc.value_counts(months).to_pylist()
        out[name] = {c["values"]: int(c["counts"]) for c in sorted(counts, key=lambda c: c["values"] or "")}
    return out


def _gap_days(tables: dict[str, pa.Table], as_of: pd.Timestamp) -> dict[str, int | None]:
    """The longest usual gap, in days, between rows of each table a report counts from, over the year before
    its last date (riskbook.core.coverage): an export that stops sooner before a period's end is cut."""
    from riskbook.core.coverage import TABLES as COUNTED
    from riskbook.core.coverage import gap_allowance

    out = {}
    for name, col in COUNTED.items():
        t = tables.get(name)
        if t is None or col not in t.column_names or not t.num_rows:
            continue
        d = pd.Series(t[col].to_pandas()).dropna()
        d = d[d <= as_of]
        if len(d):
            out[name] = gap_allowance(d, d.max() + pd.Timedelta(days=1))  # None: too few days to tell
    return out


def summarise_findings(findings: pa.Table) -> list[dict]:
    """Counts of the findings by table, check, column and severity, errors and the most frequent first."""
    if not findings.num_rows:
        return []
    keys = ["table", "check", "column", "severity"]
    counts = findings.group_by(keys, use_threads=False).aggregate([([], "count_all")])
    out = []
    for r in counts.to_pylist():
        out.append({k: r[k] for k in keys} | {"count": int(r["count_all"])})
    out.sort(key=lambda x: (x["severity"] != "error", -x["count"], x["table"], x["check"]))
    return out


def store_meta(
    label: str, as_of: pd.Timestamp, loaded: Loaded, tables: dict[str, pa.Table], findings: pa.Table
) -> dict:
    """The meta data of a store of the checked ``tables`` of source ``label``; DataError when no order line
    has a usable unit or date (there is nothing to report on)."""
    units = sorted(pc.unique(tables["orders"]["unit"]).drop_null().to_pylist())
    if not units:
        raise DataError(
            loaded.files["orders"],
            "no row has a usable unit",
            column="unit",
            fix="fill the unit column, or map it (unit: in a sources: mapping)",
        )
    dates = _dates(tables, as_of)
    if "orders" not in dates:
        raise DataError(loaded.files["orders"], "no order line has a usable order_date", column="order_date")
    return {
        "source": label,
        "as_of": str(as_of.date()),
        "tables": sorted(tables),
        "files": loaded.files,
        "names": loaded.names,
        "units": units,
        "first_date": dates["orders"][0],
        "last_date": dates["orders"][1],
        "data_end": max(hi for _, hi in dates.values()),
        "dates": dates,
        "monthly": _monthly(tables, as_of),
        "gap_days": _gap_days(tables, as_of),
        "rows": {k: int(v.num_rows) for k, v in tables.items()},
        "findings": summarise_findings(findings),
    }
