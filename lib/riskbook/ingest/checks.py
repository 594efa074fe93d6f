"""The data-quality engine: every check over every row of every table and period, once at ingest.

A finding is one row failing one check: check id, severity, table, file, spreadsheet row, unit,
key, column, value, the row's date (its period), a note, and what the KRIs leave out because of
it — ``row``: the whole row; ``value``: that value, stored empty; ``""``: nothing (the row is real
and counted, the finding says what may be wrong with it). Only what makes a whole column or file
unusable stops a run; that is decided by the readers (:mod:`riskbook.ingest.canonical`) and here for units.

The checks live beside this module: within one table (:mod:`riskbook.ingest.rowchecks`), of amounts
(:mod:`riskbook.ingest.amountchecks`) and across tables (:mod:`riskbook.ingest.linkchecks`), each recording
its findings in the table under check (:class:`riskbook.ingest.checktable.Table`).

:func:`run` returns the tables with their exclusions applied and three row flags — ``_dq`` (the
first error a row fails, for ``data_quality_error_rate``), ``_dup`` (it repeats an earlier row or
its key, for ``duplicate_record_rate``), ``_drop`` (left out of the KRIs) — and the findings.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pyarrow as pa

from riskbook.core.findings import CHECKS, DUPLICATES, FINDINGS_SCHEMA, Check  # noqa: F401  (re-exported)
from riskbook.ingest.amountchecks import _amounts
from riskbook.ingest.checktable import Table
from riskbook.ingest.linkchecks import FOREIGN_KEYS, _foreign_key, _link_payments, _overpayments, _unit_conflicts
from riskbook.ingest.origin import Flagged
from riskbook.ingest.rowchecks import (
    _control_characters,
    _date_pairs,
    _duplicates,
    _future,
    _gaps,
    _missing,
    _ranges,
    _units,
)

# Columns whose invalid value makes the whole row unusable: an order line whose status cannot be read
# is neither revenue nor a cancellation.
ROW_ON_INVALID: set[tuple[str, str]] = {("orders", "status")}


def run(
    tables: dict[str, pa.Table],
    flagged: dict[str, list[Flagged]],
    files: dict[str, str],
    names: dict[str, dict[str, str]],
    as_of: pd.Timestamp,
) -> tuple[dict[str, pa.Table], pa.Table]:
    """Every check over ``tables``; the tables with exclusions and row flags, and the findings.
    Tables are checked on two threads (Arrow's kernels release the GIL), the biggest first."""
    tables = dict(tables)
    paid_to = _link_payments(tables)
    checked = {name: Table(name, t, files.get(name, name), names.get(name, {})) for name, t in tables.items()}

    def one(tab: Table) -> None:
        for f in flagged.get(tab.name, []):
            excluded = "row" if (tab.name, f.column) in ROW_ON_INVALID and f.excluded == "value" else f.excluded
            tab.add(f.check, f.pos, f.column, f.severity, excluded, f.values, f.note)
        _control_characters(tab)
        _missing(tab, flagged.get(tab.name, []))
        _units(tab)
        _ranges(tab)
        _future(tab, as_of)
        _date_pairs(tab)
        _amounts(tab)
        _gaps(tab)
        _duplicates(tab)

    big_first = sorted(checked.values(), key=lambda tab: -tab.n)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for done in [pool.submit(one, tab) for tab in big_first]:
            done.result()  # the first table's error first
        for done in [pool.submit(_foreign_key, checked, *fk, paid_to) for fk in FOREIGN_KEYS]:
            done.result()
    _unit_conflicts(checked)
    _overpayments(checked, paid_to)
    out = {name: tab.result() for name, tab in checked.items()}
    found = pa.concat_tables([tab.findings() for tab in checked.values()] or [FINDINGS_SCHEMA.empty_table()])
    order = [("table", "ascending"), ("row", "ascending"), ("check", "ascending"), ("column", "ascending")]
    return out, once_per_source_row(found.sort_by(order))  # the same order whatever thread finished first


def once_per_source_row(found: pa.Table) -> pa.Table:
    """One finding per source row, check and column: a mapping that reads orders, invoices and payments from
    one export reports a defect of one of its rows once (the first table's), not once per table."""
    if not found.num_rows:
        return found
    key = found.select(["file", "row", "check", "column"]).to_pandas()
    return found.filter(pa.array(~key.duplicated(keep="first").to_numpy()))
