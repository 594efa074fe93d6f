"""The fast path of ingest: a canonical table read straight into typed Arrow columns.

Arrow's multi-threaded CSV reader parses and types the columns in one pass (dates, numbers,
true/false, missing-value tokens); the checks that follow are whole-column Arrow kernels.
This path only ever *accepts*: when anything is doubtful (a value that does not parse or lies
outside its allowed set, a header it cannot match) it returns None and the exact path in
:mod:`riskbook.ingest.loader` reads the file, and produces the same table with the bad values left
empty and reported, or names the column that cannot be used. Both paths meet in :func:`to_arrow`'s types.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from riskbook.core.schema import TABLES, Table
from riskbook.ingest.loader import FALSE_WORDS, MISSING_TOKENS, TRUE_WORDS, csv_header, null_tokens

ARROW_TYPES: dict[str, pa.DataType] = {
    "str": pa.string(),
    "date": pa.timestamp("ns"),
    "float": pa.float64(),
    "int": pa.float64(),
    "bool": pa.bool_(),
}
_BOOL_TRUE = sorted({v for t in TRUE_WORDS for v in (t, t.upper(), t.capitalize())})
_BOOL_FALSE = sorted({v for t in FALSE_WORDS - {""} for v in (t, t.upper(), t.capitalize())})


def read_typed(name: str, path: Path) -> pa.Table | None:
    """``path`` as the canonical table ``name`` in Arrow types, or None where the exact path must decide."""
    spec = TABLES[name]
    try:
        if path.suffix.lower() == ".csv":
            table = _csv(path, spec)
        elif path.suffix.lower() == ".parquet":
            table = pq.read_table(path)
        else:
            return None
        if table is None:
            return None
        checked = _checked(table, spec, tokens_done=path.suffix.lower() == ".csv")
        return (
            None
            if checked is None
            else checked.append_column("_row", pa.array(np.arange(checked.num_rows, dtype=np.int64) + 2))
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, UnicodeDecodeError, OSError, ValueError):
        return None


def _csv(path: Path, spec: Table) -> pa.Table | None:
    header, sep = csv_header(path)
    kinds = {c.name: c.kind for c in spec.columns}
    present = [h for h in header if h in kinds]
    if any(c not in present for c in spec.required) or any(h != h.strip() for h in header):
        return None
    return pcsv.read_csv(
        path,
        read_options=pcsv.ReadOptions(block_size=1 << 22),
        parse_options=pcsv.ParseOptions(delimiter=sep),
        convert_options=pcsv.ConvertOptions(
            column_types={h: ARROW_TYPES[kinds[h]] for h in present},
            include_columns=present,
            null_values=[t for t in MISSING_TOKENS],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            true_values=_BOOL_TRUE,
            false_values=_BOOL_FALSE,
        ),
    )


def _checked(table: pa.Table, spec: Table, tokens_done: bool) -> pa.Table | None:
    """Columns in schema order, cast, trimmed and checked as :func:`riskbook.ingest.canonical.convert` does."""
    columns: dict[str, pa.ChunkedArray] = {}
    for col in spec.columns:
        if col.name not in table.column_names:
            if col.required:
                return None
            continue
        arr = table[col.name]
        kind_type = ARROW_TYPES[col.kind]
        if pa.types.is_timestamp(arr.type) and arr.type.tz is not None:
            return None
        if arr.type != kind_type:
            if col.kind == "str" and not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
                return None  # ids typed as numbers in a Parquet file: the exact path decides how they read
            arr = arr.cast(kind_type)
        if col.kind == "str":
            arr = _trimmed(arr, tokens_done)
            if col.choices:
                arr = _lowered(arr, col.choices)
                if arr is None:
                    return None
        elif col.kind == "bool":
            arr = arr.fill_null(False)
        columns[col.name] = arr
    return pa.table(columns)


def _trimmed(arr: pa.ChunkedArray, tokens_done: bool) -> pa.ChunkedArray:
    """Surrounding whitespace removed; a value that is only a missing token becomes null."""
    trimmed = pc.utf8_trim_whitespace(arr)
    if tokens_done and _nbytes(trimmed) == _nbytes(arr):
        return arr  # nothing was trimmed, and the CSV reader already turned the exact tokens into nulls
    return null_tokens(trimmed, MISSING_TOKENS)


def _nbytes(arr: pa.ChunkedArray) -> int:
    """Bytes of text in a string column, read off its offsets (nothing is scanned)."""
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    total = 0
    for chunk in arr.chunks:
        if len(chunk):
            offsets = np.frombuffer(chunk.buffers()[1], dtype=width)
            total += int(offsets[chunk.offset + len(chunk)] - offsets[chunk.offset])
    return total


def _lowered(arr: pa.ChunkedArray, choices: tuple[str, ...]) -> pa.ChunkedArray | None:
    """A column with a fixed set of values in lower case, or None if a value is outside the set."""
    seen = pc.unique(arr).drop_null()
    low = pc.utf8_lower(seen)
    if not pc.all(pc.is_in(low, value_set=pa.array(choices))).as_py():
        return None
    return arr if seen.equals(low) else pc.utf8_lower(arr)


def to_arrow(df: pd.DataFrame, name: str) -> pa.Table:
    """A table from the exact path (pandas) in the fast path's Arrow types."""
    spec = TABLES[name]
    cols = {}
    for col in spec.columns:
        if col.name in df.columns:
            cols[col.name] = pa.array(df[col.name], from_pandas=True).cast(ARROW_TYPES[col.kind])
    cols["_row"] = (
        pa.array(df["_row"], pa.int64()) if "_row" in df.columns else pa.array(np.arange(len(df), dtype=np.int64) + 2)
    )
    return pa.table(cols)
