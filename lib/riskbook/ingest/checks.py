"""The data-quality engine: every check over every row of every table and period, once at ingest.

A finding is one row failing one check: check id, severity, table, file, spreadsheet row, unit,
key, column, value, the row's date (its period), a note, and what the KRIs leave out because of
it — ``row``: the whole row; ``value``: that value, stored empty; ``""``: nothing (the row is real
and counted, the finding says what may be wrong with it). Only what makes a whole column or file
unusable stops a run; that is decided by the readers (:mod:`riskbook.ingest.loader`) and here for units.

:func:`run` returns the tables with their exclusions applied and three row flags — ``_dq`` (the
first error a row fails, for ``data_quality_error_rate``), ``_dup`` (it repeats an earlier row or
its key, for ``duplicate_record_rate``), ``_drop`` (left out of the KRIs) — and the findings.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from riskbook.core import paths
from riskbook.core.errors import DataError
from riskbook.core.findings import CHECKS, DUPLICATES, FINDINGS_SCHEMA, Check  # noqa: F401  (re-exported)
from riskbook.core.schema import TABLES
from riskbook.ingest.flags import codes, combine, duplicate_groups
from riskbook.ingest.loader import MOSTLY, UNIT_MAX, Flagged

BLANK = "<blank>"  # a finding whose value is empty by what it is (a missing value, a whole duplicate row)
VALUE_CHARS = 120  # a value is shown up to this many characters

# Columns whose invalid value makes the whole row unusable: an order line whose status cannot be read
# is neither revenue nor a cancellation.
ROW_ON_INVALID: set[tuple[str, str]] = {("orders", "status")}
RANGES: dict[tuple[str, str], tuple[float, float]] = {("incidents", "severity"): (1, 5)}
# Date pairs: (table, earlier, later, severity, what the later value means to the KRIs when it is wrong)
DATE_PAIRS: tuple[tuple[str, str, str, str, str], ...] = (
    ("invoices", "issue_date", "due_date", "error", "value"),  # cannot be aged
    ("reps", "hire_date", "exit_date", "error", "row"),  # neither employed nor a leaver
    ("opportunities", "created_date", "close_date", "error", "value"),
    ("incidents", "date", "resolved_date", "warning", "value"),
)
FUTURE_COLUMNS: dict[str, tuple[str, ...]] = {"reps": ("hire_date",), "customers": ("created_date",)}
# id column -> master table; severity where the id is missing from it
FOREIGN_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("orders", "customer_id", "customers", "error"),
    ("orders", "rep_id", "reps", "error"),
    ("invoices", "customer_id", "customers", "error"),
    ("invoices", "order_id", "orders", "warning"),
    ("payments", "invoice_id", "invoices", "error"),
    ("opportunities", "customer_id", "customers", "warning"),
    ("opportunities", "rep_id", "reps", "error"),
)
# Positive amounts checked for sign and size; only completed (or status-less) order lines
AMOUNTS: dict[str, str] = {"orders": "amount", "invoices": "amount", "payments": "amount", "opportunities": "amount"}
OUTLIER_Z = 6.0  # robust z-score of log10(amount) beyond which an amount is reported ...
EXTREME_DECADES = 6  # ... and left out when it is also a million times the typical amount (or a millionth)
MISMATCH_FACTOR = 10  # amount off quantity × unit price by 10× either way: left out as a typo
# Optional columns a complete record normally fills (competitor, exit_date, close_date… are empty by design).
EXPECTED_FILLED: dict[str, tuple[str, ...]] = {
    "orders": ("rep_id", "product_id", "quantity", "list_price", "unit_price"),
    "customers": ("segment", "industry", "region", "credit_limit"),
    "reps": ("quarterly_quota",),
    "invoices": ("order_id",),
    "inventory": ("forecast_demand",),
    "opportunities": ("customer_id", "rep_id"),
}
_LOCK = threading.Lock()


def _mask(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A boolean Arrow column as numpy, nulls as False."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _text(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Values as text, as a report shows them (dates as ISO dates, numbers without trailing .0)."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if pa.types.is_timestamp(arr.type):
        return pc.strftime(arr, format="%Y-%m-%d")
    if pa.types.is_floating(arr.type):
        return pa.array([None if v is None else f"{v:.10g}" for v in arr.to_pylist()], pa.string())
    return arr.cast(pa.string())


class Table:
    """One table under check: its rows, the findings found in it, and the exclusions they ask for."""

    def __init__(self, name: str, t: pa.Table, file: str, names: dict[str, str]) -> None:
        self.name, self.t, self.file, self.names = name, t, file, names
        self.spec = TABLES[name]
        self.n = t.num_rows
        self.parts: list[dict[str, pa.Array]] = []
        self.nulled: dict[str, list[np.ndarray]] = {}
        self.drop = np.zeros(self.n, dtype=bool)
        self.dq = np.full(self.n, -1, dtype=np.int16)
        self.dq_labels: list[str] = []
        self.dup = np.zeros(self.n, dtype=bool)

    def has(self, col: str) -> bool:
        return col in self.t.column_names

    def add(
        self,
        check: str,
        pos: np.ndarray,
        column: str | None,
        severity: str = "error",
        excluded: str = "",
        values: pa.Array | list[str] | str | None = None,
        note: str | pa.Array | None = None,
    ) -> None:
        """Record ``check`` failed by the rows at ``pos`` (``values``: as the file gave them, BLANK, or None
        to take them from ``column``)."""
        pos = np.asarray(pos, dtype=np.int64)
        if not len(pos):
            return
        take = pa.array(pos)
        undated = severity == "info"  # a line about many rows, not about the row it points at
        if values is BLANK:
            values = pa.repeat(pa.scalar("", pa.string()), len(pos))
        elif values is None:
            values = (
                _text(self.t[column].take(take)) if column and self.has(column) else pa.nulls(len(pos), pa.string())
            )
        values = pa.array(values, pa.string()) if isinstance(values, list) else values.cast(pa.string())
        values = pc.utf8_slice_codeunits(values, 0, VALUE_CHARS)
        n = len(pos)

        def same(v: str | None) -> pa.Array:
            return pa.repeat(pa.scalar(v, pa.string()), n)

        part = {
            "check": same(check),
            "severity": same(severity),
            "table": same(self.name),
            "file": same(self.file),
            "row": self.t["_row"].take(take).combine_chunks().cast(pa.int64()),
            "unit": (
                self.t["unit"].take(take).combine_chunks().cast(pa.string())
                if self.has("unit")
                else pa.nulls(n, pa.string())
            ),
            "key": self._keys(take),
            "column": same(column),
            "value": values,
            "date": (
                self.t[self.spec.date_col].take(take).combine_chunks().cast(pa.timestamp("ns"))
                if self.spec.date_col and self.has(self.spec.date_col) and not undated
                else pa.nulls(n, pa.timestamp("ns"))
            ),
            "note": note if isinstance(note, pa.Array) else same(note),
            "excluded": same(excluded),
        }
        self.parts.append(part)
        if excluded == "row":
            self.drop[pos] = True
        elif excluded == "value" and column:
            self.nulled.setdefault(column, []).append(pos)
        if check in DUPLICATES:
            self.dup[pos] = True
        elif severity == "error":
            if check not in self.dq_labels:
                self.dq_labels.append(check)
            code = self.dq_labels.index(check)
            first = self.dq[pos] < 0
            self.dq[pos[first]] = code

    def _keys(self, take: pa.Array) -> pa.Array:
        key = [k for k in self.spec.key if self.has(k) and k != "unit"]
        if not key:
            return pa.nulls(len(take), pa.string())
        parts = [pc.fill_null(_text(self.t[k].take(take)), "") for k in key]
        return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, " / ")

    def findings(self) -> pa.Table:
        if not self.parts:
            return FINDINGS_SCHEMA.empty_table()
        return pa.concat_tables([pa.table(p, schema=FINDINGS_SCHEMA) for p in self.parts])

    def result(self) -> pa.Table:
        """The table with its excluded values emptied and the row flags appended."""
        t = self.t
        for col, parts in self.nulled.items():
            mask = np.zeros(self.n, dtype=bool)
            mask[np.concatenate(parts)] = True
            i = t.column_names.index(col)
            arr = t[col]
            t = t.set_column(i, col, pc.if_else(pa.array(mask), pa.scalar(None, arr.type), arr))
        dq = pa.DictionaryArray.from_arrays(pa.array(self.dq, mask=self.dq < 0), pa.array(self.dq_labels, pa.string()))
        return (
            t.append_column("_dq", dq.cast(pa.string()))
            .append_column("_dup", pa.array(self.dup))
            .append_column("_drop", pa.array(self.drop))
        )


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


def _link_payments(tables: dict[str, pa.Table]) -> np.ndarray | None:
    """Give each payment its invoice's unit (the first invoice row with its id) and return that row's
    position per payment (-1: no such invoice), for the unknown-id and over-payment checks."""
    if "payments" not in tables or "invoices" not in tables:
        return None
    inv, pay = tables["invoices"], tables["payments"]
    pos = pc.index_in(pay["invoice_id"], value_set=inv["invoice_id"].combine_chunks())
    if "unit" in pay.column_names:
        pay = pay.drop_columns(["unit"])
    tables["payments"] = pay.append_column("unit", inv["unit"].combine_chunks().take(pos))
    return np.asarray(pos.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


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


def _amounts(tab: Table) -> None:
    col = AMOUNTS.get(tab.name)
    if not col or not tab.has(col):
        return
    a = tab.t[col]
    counted = np.ones(tab.n, dtype=bool)
    if tab.name == "orders" and tab.has("status"):  # cancelled and returned lines may be booked negative
        counted = _mask(pc.fill_null(pc.equal(tab.t["status"], "completed"), True))
    if tab.name == "opportunities" and tab.has("status"):  # an open or lost deal of no value yet is no finding
        counted = _mask(pc.fill_null(pc.equal(tab.t["status"], "won"), True))
    neg = _mask(pc.less(a, 0)) & counted
    tab.add(
        "negative_amount",
        np.flatnonzero(neg),
        col,
        "error",
        "value",
        note="negative on a completed line" if tab.name == "orders" else "negative",
    )
    tab.add("zero_amount", np.flatnonzero(_mask(pc.equal(a, 0)) & counted), col, "warning")
    if tab.name == "orders" and tab.has("quantity"):  # a return booked as a completed sale
        tab.add(
            "negative_quantity",
            np.flatnonzero(_mask(pc.less(tab.t["quantity"], 0)) & counted),
            "quantity",
            "error",
            "value",
            note="negative on a completed line: a return or cancellation booked as a sale",
        )
    taken = np.zeros(tab.n, dtype=bool)
    x = np.asarray(pc.fill_null(a, np.nan).to_numpy(zero_copy_only=False), dtype=float)
    if tab.name == "orders" and tab.has("quantity") and tab.has("unit_price"):
        expected = pc.multiply(tab.t["quantity"], tab.t["unit_price"])
        e = np.asarray(pc.fill_null(expected, np.nan).to_numpy(zero_copy_only=False), dtype=float)
        v = x
        both = np.flatnonzero((e > 0) & (v > 0))
        ev, vv = e[both], v[both]
        with np.errstate(over="ignore"):
            ratio = vv / ev
            gross = (ratio > MISMATCH_FACTOR) | (ratio < 1 / MISMATCH_FACTOR)
            slight = ~gross & (np.abs(vv - ev) > np.maximum(0.01 * ev, 0.05))
        for mask, severity, excluded in ((gross, "error", "value"), (slight, "warning", "")):
            pos = both[mask]
            tab.add(
                "amount_mismatch",
                pos,
                col,
                severity,
                excluded,
                note=pa.array([f"quantity × unit price is {q:,.2f}" for q in e[pos]], pa.string()),
            )
        taken[both[gross]] = True
    idx = np.flatnonzero((x > 0) & counted & ~taken)
    if len(idx) < 30:
        return
    lx = np.log10(x[idx])
    sample = lx[:: max(1, len(lx) // 200_000)]  # the median and MAD of 200,000 values are as good as of all
    med = float(np.median(sample))
    mad = 1.4826 * float(np.median(np.abs(sample - med)))
    if mad <= 0:
        return
    decades = np.abs(lx - med)
    far = decades / mad > OUTLIER_Z
    extreme = far & (decades >= EXTREME_DECADES)
    typical = f"typical amount {10**med:,.2f}"
    tab.add("outlier_amount", idx[extreme], col, "error", "value", note=f"a million times off the rest ({typical})")
    tab.add("outlier_amount", idx[far & ~extreme], col, "warning", note=f"far outside the usual range ({typical})")


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


def _foreign_key(
    checked: dict[str, Table], table: str, col: str, master: str, severity: str, paid_to: np.ndarray | None = None
) -> None:
    """Ids in ``table``.``col`` that its master table does not have."""
    tab, owner = checked.get(table), checked.get(master)
    if tab is None or owner is None or not tab.has(col) or not owner.has(col):
        return
    ids = tab.t[col]
    if table == "payments" and paid_to is not None:  # already looked up when payments took their unit
        unknown = (paid_to < 0) & _mask(pc.is_valid(ids))
    else:
        known = pc.unique(owner.t[col]).drop_null()
        unknown = _mask(pc.and_(pc.invert(pc.is_in(ids, value_set=known.cast(ids.type))), pc.is_valid(ids)))
    with _LOCK:  # two foreign keys of one table may be checked at once
        tab.add("unknown_id", np.flatnonzero(unknown), col, severity, note=f"not in {master}")


def _unit_conflicts(checked: dict[str, Table]) -> None:
    for name, id_col in (("customers", "customer_id"), ("reps", "rep_id")):
        tab = checked.get(name)
        if tab is None or not tab.has("unit") or not tab.has(id_col) or tab.n < 2:
            continue
        pairs = pa.table({"id": tab.t[id_col], "unit": tab.t["unit"]}).drop_null()
        per = pairs.group_by("id").aggregate([("unit", "count_distinct"), ("unit", "distinct")])
        many = per.filter(pc.greater(per["unit_count_distinct"], 1))
        if not many.num_rows:
            continue
        units = {i: sorted(u) for i, u in zip(many["id"].to_pylist(), many["unit_distinct"].to_pylist())}
        mask = _mask(pc.is_in(tab.t[id_col], value_set=many["id"].combine_chunks()))
        pos = np.flatnonzero(mask)
        note = pa.array(["units " + ", ".join(units[i]) for i in tab.t[id_col].take(pa.array(pos)).to_pylist()])
        tab.add("unit_conflict", pos, "unit", "error", note=note)


def _overpayments(checked: dict[str, Table], paid_to: np.ndarray | None) -> None:
    """Invoices whose payments add up to more than the invoice (on the first row of an invoice id)."""
    inv, pay = checked.get("invoices"), checked.get("payments")
    if inv is None or pay is None or paid_to is None or not pay.n or not inv.n:
        return
    amount = np.asarray(pc.fill_null(pay.t["amount"], 0.0).to_numpy(zero_copy_only=False), dtype=float)
    ok = paid_to >= 0
    paid = np.bincount(paid_to[ok], weights=amount[ok], minlength=inv.n)
    due = np.asarray(pc.fill_null(inv.t["amount"], np.inf).to_numpy(zero_copy_only=False), dtype=float)
    pos = np.flatnonzero(paid > due + 0.005)
    if len(pos):
        inv.add(
            "overpayment",
            pos,
            "amount",
            "error",
            note=pa.array([f"paid {paid[i]:,.2f} of {due[i]:,.2f}" for i in pos], pa.string()),
        )
