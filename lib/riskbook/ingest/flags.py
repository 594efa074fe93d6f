"""Duplicate detection on typed Arrow columns: integer codes of values, combined per row.

Everything is a whole-column Arrow or numpy step; :mod:`riskbook.ingest.checks` uses it for exact and
key duplicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


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


def combine(parts: list[tuple[np.ndarray, int]]) -> np.ndarray:
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
    """Rows that repeat the values of ``columns`` (and ``group``: codes, cardinality) of an earlier row."""
    out = np.zeros(len(columns[0]) if columns else 0, dtype=bool)
    rows, combined = duplicate_groups(columns, group)
    out[rows[pd.Series(combined, copy=False).duplicated(keep="first").to_numpy()]] = True
    return out


def duplicate_groups(
    columns: list[pa.ChunkedArray | pa.Array], group: tuple[np.ndarray, int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose values of ``columns`` (and ``group``) another row shares, in file order, and a
    code per such row that is equal exactly where those values are equal. A row whose first column's
    value appears nowhere else cannot share them, so the rest of the work is done on the other rows
    only (ids are mostly unique: often that is none at all)."""
    n = len(columns[0]) if columns else 0
    empty = np.zeros(0, dtype=np.int64)
    if n < 2:
        return empty, empty
    first = sorted_codes(columns[0]) or codes(columns[0])
    rows = np.flatnonzero(np.bincount(first[0], minlength=first[1])[first[0]] > 1)
    if not len(rows):
        return empty, empty
    parts = [(first[0][rows], first[1])]
    if group is not None:
        parts.insert(0, (group[0][rows], group[1]))
    taken = pa.array(rows)
    parts += [codes(c.take(taken) if len(rows) < n else c) for c in columns[1:]]
    combined, _ = pd.factorize(combine(parts))
    shared = np.bincount(combined)[combined] > 1
    return rows[shared], combined[shared].astype(np.int64)
