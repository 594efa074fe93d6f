"""The checks within one table (:mod:`riskbook.ingest.checks`): required values missing, unit ids that
cannot name a folder, control characters, values out of range, dates in the future or out of order,
optional values a unit normally fills, and duplicate rows and keys."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from riskbook.core import paths
from riskbook.core.errors import DataError
from riskbook.ingest.checktable import BLANK, Table, _mask, _text
from riskbook.ingest.flags import codes, combine, duplicate_groups
from riskbook.ingest.loader import UNIT_MAX
from riskbook.ingest.origin import MOSTLY, Flagged

RANGES: dict[tuple[str, str], tuple[float, float]] = {("incidents", "severity"): (1, 5)}
# Date pairs: (table, earlier, later, severity, what the later value means to the KRIs when it is wrong)
DATE_PAIRS: tuple[tuple[str, str, str, str, str], ...] = (
    ("invoices", "issue_date", "due_date", "error", "value"),  # cannot be aged
    ("reps", "hire_date", "exit_date", "error", "row"),  # neither employed nor a leaver
    ("opportunities", "created_date", "close_date", "error", "value"),
    ("incidents", "date", "resolved_date", "warning", "value"),
)
FUTURE_COLUMNS: dict[str, tuple[str, ...]] = {"reps": ("hire_date",), "customers": ("created_date",)}
# Optional columns a complete record normally fills (competitor, exit_date, close_date… are empty by design).
EXPECTED_FILLED: dict[str, tuple[str, ...]] = {
    "orders": ("rep_id", "product_id", "quantity", "list_price", "unit_price"),
    "customers": ("segment", "industry", "region", "credit_limit"),
    "reps": ("quarterly_quota",),
    "invoices": ("order_id",),
    "inventory": ("forecast_demand",),
    "opportunities": ("customer_id", "rep_id"),
}


def _missing(tab: Table, flagged: list[Flagged]) -> None:
    """Required values that are empty (values a reader emptied are reported as what they were)."""
    for col in tab.spec.columns:
        if not col.required or not tab.has(col.name) or not tab.t[col.name].null_count:
            continue
        empty = _mask(tab.t[col.name].is_null())
        for f in flagged:
            if f.column == col.name:
                empty[f.pos] = False
        pos = np.flatnonzero(empty)
        excluded = "row" if col.name == "unit" else "value"  # a row without a unit belongs to no unit
        tab.add("missing_value", pos, col.name, "error", excluded, values=BLANK)


def _units(tab: Table) -> None:
    """Unit ids that cannot name a folder: not a slug, the reserved 'group', or too long. A few such rows
    are findings (left out: they belong to no unit); a column of them is the wrong column."""
    if not tab.has("unit") or not tab.t.num_rows:
        return
    units = tab.t["unit"]
    seen = pc.unique(units).drop_null().to_pylist()
    bad = [u for u in seen if not paths.is_unit_id(u)]
    if not bad:
        return
    mask = _mask(pc.is_in(units, value_set=pa.array(bad, units.type)))
    n_bad, present = int(mask.sum()), int(len(units) - units.null_count)
    first = int(np.flatnonzero(mask)[0])
    if n_bad > MOSTLY * present:
        col = tab.names.get("unit", "unit")
        raise DataError(
            tab.file,
            f"{n_bad:,} of {present:,} unit values are not lowercase slugs [a-z0-9_]+ "
            f"of up to {UNIT_MAX} characters (first: '{bad[0][:40]}')",
            row=int(tab.t["_row"][first].as_py()),
            column=col,
            fix="map them to slugs such as east with unit: {column: ..., map: {...}} in a mapping",
        )
    pos = np.flatnonzero(mask)
    values = _text(units.take(pa.array(pos)))
    i = tab.t.column_names.index("unit")  # the row belongs to no unit: its finding is shown in every unit's report
    tab.t = tab.t.set_column(i, "unit", pc.if_else(pa.array(mask), pa.scalar(None, units.type), units))
    tab.add(
        "invalid_unit",
        pos,
        "unit",
        "error",
        "row",
        values=values,
        note=f"not a lowercase slug [a-z0-9_]+ of up to {UNIT_MAX} characters (or the reserved 'group' or 'failed')",
    )


CONTROL = paths.CONTROL_CHARS


def _control_characters(tab: Table) -> None:
    """Text holding control characters (ESC, BEL, NUL…: a copy from a terminal, a broken export): a warning
    per value, and the characters taken out of the stored value — shown as the text it is, with '�' where
    one was — so no workbook cell, page or terminal receives them."""
    for col in tab.t.column_names:
        arr = tab.t[col]
        if col.startswith("_") or not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            continue
        hit = pc.fill_null(pc.match_substring_regex(arr, CONTROL), False)
        pos = np.flatnonzero(_mask(hit))
        if not len(pos):
            continue
        shown = pc.replace_substring_regex(arr.take(pa.array(pos)), CONTROL, "\ufffd")
        tab.add("control_characters", pos, col, "warning", "", values=shown, note="control characters removed")
        i = tab.t.column_names.index(col)
        tab.t = tab.t.set_column(i, col, pc.replace_substring_regex(arr, CONTROL, ""))


def _ranges(tab: Table) -> None:
    """Values outside their allowed range (RANGES: an incident's severity, a whole number from 1 to 5)."""
    for (table, col), (lo, hi) in RANGES.items():
        if table != tab.name or not tab.has(col):
            continue
        v = tab.t[col]
        off = pc.or_(pc.or_(pc.less(v, lo), pc.greater(v, hi)), pc.not_equal(pc.floor(v), v))
        tab.add(
            "invalid_value",
            np.flatnonzero(_mask(off)),
            col,
            "error",
            "value",
            note=f"not a whole number from {lo:g} to {hi:g}",
        )


def _future(tab: Table, as_of: pd.Timestamp) -> None:
    """Dates after the as-of date: the table's own date and those of FUTURE_COLUMNS."""
    cols = ((tab.spec.date_col,) if tab.spec.date_col else ()) + FUTURE_COLUMNS.get(tab.name, ())
    limit = pa.scalar(as_of.to_pydatetime(), pa.timestamp("ns"))
    for col in cols:
        if tab.has(col):
            tab.add(
                "future_date",
                np.flatnonzero(_mask(pc.greater(tab.t[col], limit))),
                col,
                "error",
                note=f"after the as-of date {as_of.date()}",
            )


def _date_pairs(tab: Table) -> None:
    """Later dates before their earlier one (DATE_PAIRS: a due date before its issue date …)."""
    for table, early, late, severity, excluded in DATE_PAIRS:
        if table != tab.name or not (tab.has(early) and tab.has(late)):
            continue
        before = np.flatnonzero(_mask(pc.less(tab.t[late], tab.t[early])))
        if len(before):
            note = pa.array(
                [f"{late} before {early} {d}" for d in _text(tab.t[early].take(pa.array(before))).to_pylist()],
                pa.string(),
            )
            tab.add("date_order", before, late, severity, excluded, note=note)


BY_DESIGN = 0.5  # a unit leaving an optional column empty in more than this share of its rows does so by design


def _gaps(tab: Table) -> None:
    """Optional values missing where a unit's records normally have one: a warning per row. Where a unit
    leaves the column empty in most of its rows (web orders have no rep), that is its design: one line."""
    unit_codes, n_units = codes(tab.t["unit"]) if tab.has("unit") else (np.zeros(tab.n, np.int64), 1)
    for col in EXPECTED_FILLED.get(tab.name, ()):
        if not tab.has(col):
            continue
        nulls = tab.t[col].null_count
        if not 0 < nulls < tab.n:  # a column empty throughout is a mapping choice, not a gap
            continue
        empty = _mask(tab.t[col].is_null())
        per_unit = np.bincount(unit_codes, weights=empty, minlength=n_units)
        rows = np.bincount(unit_codes, minlength=n_units)
        by_design = per_unit > BY_DESIGN * np.maximum(rows, 1)
        gap = empty & ~by_design[unit_codes]
        tab.add("missing_optional", np.flatnonzero(gap), col, "warning", values=BLANK)
        for u in np.flatnonzero(by_design & (per_unit > 0)):
            first = np.flatnonzero(empty & (unit_codes == u))[:1]
            note = f"{int(per_unit[u]):,} of {int(rows[u]):,} rows have no {col}: empty by design, not a gap"
            tab.add("missing_optional", first, col, "info", values=BLANK, note=note)


def _duplicates(tab: Table) -> None:
    """Exact duplicates (left out) and rows that repeat an earlier row's key with other values — left
    out of master tables (the first row stands), kept in order lines (a second line of one product
    is possible) — both counted in ``duplicate_record_rate``. Rows are compared within their unit."""
    if tab.n < 2:
        return
    cols = [c.name for c in tab.spec.columns if tab.has(c.name)]
    key = [k for k in tab.spec.key if tab.has(k)]
    if not key or len(key) != len(tab.spec.key):
        key = cols
    group = None
    if tab.has("unit") and "unit" not in key:
        unit_codes, n_units = codes(tab.t["unit"])
        group = (unit_codes, n_units)
    rows, combined = duplicate_groups([tab.t[c] for c in key], group)
    if not len(rows):
        return
    later = pd.Series(combined, copy=False).duplicated(keep="first").to_numpy()
    rest = [c for c in cols if c not in key]
    exact = later.copy()
    if rest:
        taken = pa.array(rows)
        parts = [(combined, int(combined.max()) + 1)] + [codes(tab.t[c].take(taken)) for c in rest]
        exact = pd.Series(combine(parts), copy=False).duplicated(keep="first").to_numpy()
    tab.add("duplicate_row", rows[exact], None, "error", "row", values=BLANK)
    keyed = rows[later & ~exact]
    if len(keyed) and tab.spec.unique:  # a key that is not unique (an order line's) repeats legitimately
        tab.add(
            "duplicate_key",
            keyed,
            None,
            "error",
            "" if tab.name == "orders" else "row",
            values=BLANK,
            note="same " + " + ".join(key) + " as an earlier row, other values",
        )
