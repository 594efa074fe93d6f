"""Data-quality flags on typed Arrow tables: ``_dq`` (the first check a row fails) and duplicates.

Problems a report should show rather than stop on: missing values, future dates, ids that no
customer or rep has, negative amounts on completed order lines, and rows that repeat an
earlier row or its key. Everything is a whole-column Arrow or numpy step.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .schema import TABLES


def _mask(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A boolean Arrow column as numpy, nulls as False."""
    return np.asarray(arr.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def known_ids(tables: dict[str, pa.Table]) -> dict[str, pa.Array]:
    """The customer and rep ids the company has (for the unknown-id checks), where those tables exist."""
    known = {}
    for table, col in (("customers", "customer_id"), ("reps", "rep_id")):
        if table in tables:
            known[col] = pc.unique(tables[table][col]).drop_null()
    return known


def flag_quality(name: str, t: pa.Table, known: dict[str, pa.Array], as_of: pd.Timestamp) -> pa.Table:
    """``t`` with a ``_dq`` column: the first check a row fails, or null."""
    spec = TABLES[name]
    reason = np.full(t.num_rows, -1, dtype=np.int8)
    labels: list[str] = []

    def mark(mask: np.ndarray, why: str) -> None:
        hit = mask & (reason < 0)
        if hit.any():
            labels.append(why)
            reason[hit] = len(labels) - 1

    cols = set(t.column_names)
    for col in spec.columns:
        if col.required and col.name in cols and t[col.name].null_count:
            mark(_mask(t[col.name].is_null()), f"missing {col.name}")
    if spec.date_col and spec.date_col in cols:
        mark(_mask(pc.greater(t[spec.date_col], pa.scalar(as_of.to_pydatetime(), pa.timestamp("ns")))),
             f"{spec.date_col} in the future")
    for col, owner in (("customer_id", "customers"), ("rep_id", "reps")):
        if col in cols and col in known and name != owner:
            mark(_unknown(t[col], known[col]), f"unknown {col}")
    if name == "orders":
        completed = pc.fill_null(pc.equal(t["status"], "completed"), True) if "status" in cols else True
        mark(_mask(pc.and_(pc.less(t["amount"], 0), completed)), "negative amount on a completed line")
    if labels:
        dq = pa.DictionaryArray.from_arrays(pa.array(reason, mask=reason < 0), pa.array(labels, pa.string()))
        return t.append_column("_dq", dq.cast(pa.string()))
    return t.append_column("_dq", pa.nulls(t.num_rows, pa.string()))


def _unknown(ids: pa.ChunkedArray, known: pa.Array) -> np.ndarray:
    """Non-blank ids not among ``known`` (Arrow's hash lookup: fast on millions of rows)."""
    found = pc.is_in(ids, value_set=known.cast(ids.type))
    return _mask(pc.and_(pc.invert(found), pc.is_valid(ids)))


def key_columns(name: str, table: pa.Table) -> list[str]:
    """The columns that decide whether a row repeats an earlier one: the table's key where it is
    complete (a row that repeats another exactly repeats its key too), else every column."""
    spec = TABLES[name]
    key = [k for k in spec.key if k in table.column_names]
    if key and len(key) == len(spec.key):
        return key
    return [c.name for c in spec.columns if c.name in table.column_names]


def codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, int]:
    """Integer codes of a column's values (nulls get a code of their own) and how many there are."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    enc = pc.dictionary_encode(arr, null_encoding="encode")
    return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), len(enc.dictionary)


def sorted_codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, int] | None:
    """Codes of a column whose values never decrease down the file (ids exported in order), from
    comparing each value with the one before, without hashing; None if it is not so sorted."""
    n = len(column)
    if n < 2 or column.null_count or pa.types.is_floating(column.type):  # NaN is unequal to itself
        return None
    before, after = column.slice(0, n - 1), column.slice(1)
    if pc.any(pc.less(after, before)).as_py():
        return None
    change = np.asarray(pc.not_equal(after, before).to_numpy(zero_copy_only=False), dtype=np.int64)
    values = np.concatenate([[0], np.cumsum(change)])
    return values, int(values[-1]) + 1


def _combine(parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
    """One int64 per row that is equal exactly where all ``parts`` (codes, cardinality) are equal."""
    combined, size = np.zeros(len(parts[0][0]), dtype=np.int64), 1
    for values, n in parts:
        if size * max(n, 1) >= 2**62:  # would overflow: renumber what we have first
            combined, uniques = pd.factorize(combined)
            size = len(uniques)
        combined = combined * max(n, 1) + values
        size *= max(n, 1)
    return combined


def duplicates(columns: list[pa.ChunkedArray | pa.Array], group: tuple[np.ndarray, int] | None = None) -> np.ndarray:
    """Rows that repeat the values of ``columns`` (and ``group``: codes, cardinality) of an earlier row.

    A row whose first column's value appears nowhere else cannot repeat anything, so the rest of the
    work is done on the other rows only (ids are mostly unique: often that is none at all)."""
    n = len(columns[0]) if columns else 0
    out = np.zeros(n, dtype=bool)
    if not n:
        return out
    first = sorted_codes(columns[0]) or codes(columns[0])
    rows = np.flatnonzero(np.bincount(first[0], minlength=first[1])[first[0]] > 1)
    if not len(rows):
        return out
    parts = [(first[0][rows], first[1])]
    if group is not None:
        parts.insert(0, (group[0][rows], group[1]))
    taken = pa.array(rows)
    parts += [codes(c.take(taken) if len(rows) < n else c) for c in columns[1:]]
    dup = pd.Series(_combine(parts), copy=False).duplicated(keep="first").to_numpy()
    out[rows[dup]] = True
    return out
