"""The exact path: a frame read as it is (a canonical file, a mapped source) converted to the canonical
types, value by value where needed.

Hard problems (a missing column, a date or amount that cannot be read, a value
outside its allowed set) stop with a one-line :class:`DataError` naming file,
row and column. Ingest tries Arrow's typed reader first (:mod:`riskbook.ingest.arrowread`)
and comes here when that reader cannot be sure; soft problems a report should
show rather than stop on are flagged later (:mod:`riskbook.ingest.flags`).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from riskbook.core.schema import TABLES, Column, Table
from riskbook.ingest.loader import FALSE_WORDS, TRUE_WORDS, _blank, null_tokens, read_raw
from riskbook.ingest.origin import MOSTLY, Flagged, Origin

DAYFIRST_LOOK = re.compile(r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")


def _first(mask: pd.Series | np.ndarray) -> int:
    """Position of the first True in ``mask``."""
    return int(np.flatnonzero(np.asarray(mask))[0])


DAYFIRST_FORMATS: tuple[str, ...] = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%y",
    "%d-%m-%y",
)


def _dates(raw: pd.Series, origin: Origin) -> pd.Series:
    """Values as dates in ``origin``'s format (day-first formats tried on a sample first); unreadable: empty."""
    if pd.api.types.is_datetime64_any_dtype(raw):
        return raw
    if origin.dayfirst:
        present = raw.dropna()
        sample = present.head(1000)
        for fmt in DAYFIRST_FORMATS:  # the first day-first format that reads the sample reads the column
            if pd.to_datetime(sample, errors="coerce", format=fmt).notna().all():
                return pd.to_datetime(raw, errors="coerce", format=fmt)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return pd.to_datetime(raw, errors="coerce", dayfirst=True)
    return pd.to_datetime(raw, errors="coerce", format=origin.date_format)


def _date_fix(bad_values: pd.Series, origin: Origin) -> str:
    """How to fix dates that cannot be read: the fix an error about them names."""
    if (
        not origin.dayfirst
        and origin.date_format == "ISO8601"
        and bad_values.astype(str).str.match(DAYFIRST_LOOK.pattern).mean() > 0.5
    ):
        return (
            "they look day-first (31/12/2026): set dates: {dayfirst: true} in the mapping"
            if origin.mapped
            else "use ISO dates (2026-12-31), or read the file through a sources: mapping with dates: {dayfirst: true}"
        )
    if origin.date_format == "ISO8601" and not origin.dayfirst:
        return "use ISO dates (2026-09-30)" + (
            "" if not origin.mapped else ", or set dates: {format: ...} in the mapping"
        )
    return "check dates: in the mapping"


def _convert(df: pd.DataFrame, table: Table, origin: Origin) -> tuple[pd.DataFrame, list[Flagged]]:
    """The frame in canonical types, and the values that could not be used (left empty). A column
    where most values fail stops with a DataError: it is the wrong column, format or delimiter."""
    out = pd.DataFrame(index=df.index)
    flagged: list[Flagged] = []
    for col in table.columns:
        if col.name not in df.columns:
            if col.required:
                raise origin.error(
                    f"missing required column '{origin.col(col.name)}'",
                    column=col.name,
                    fix=f"add it or map a column to {col.name} (the file has: {found_names(df)})",
                )
            continue
        raw = df[col.name]
        fast = _fast(raw, col.kind, origin)
        if fast is not None:
            out[col.name] = fast
        else:
            val, bad, note, fix = _slow(raw, col, origin)
            _keep_or_stop(raw, bad, col.name, note, fix, origin, flagged, "unparseable_value")
            out[col.name] = val
        if col.choices:
            val, bad = _choices(out[col.name], col)
            fix = (
                f"map the export's words with values: {{{col.name}: {{...: {col.choices[0]}}}}} in the mapping"
                if origin.mapped
                else f"use one of {', '.join(col.choices)}"
            )
            _keep_or_stop(
                out[col.name],
                bad,
                col.name,
                f"not one of {', '.join(col.choices)}",
                fix,
                origin,
                flagged,
                "invalid_value",
            )
            out[col.name] = val
    out["_row"] = origin.rows(len(df))
    return out, flagged


def found_names(df: pd.DataFrame, limit: int = 30) -> str:
    """The frame's column names for a message, all of them up to ``limit``, else cut with a count."""
    names = [str(c) for c in df.columns if not str(c).startswith("_")]
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit]) + f", … and {len(names) - limit} more"


def _keep_or_stop(
    raw: pd.Series,
    bad: np.ndarray,
    column: str,
    note: str,
    fix: str,
    origin: Origin,
    flagged: list[Flagged],
    check: str,
) -> None:
    """Record the ``bad`` values of a column as findings, or stop when most of its values are bad."""
    n_bad = int(bad.sum())
    if not n_bad:
        return
    present = int((~_blank(raw, origin.missing)).sum())
    first = _first(bad)
    if n_bad > MOSTLY * present:
        raise origin.error(
            f"{n_bad:,} of {present:,} values are {note} (first: '{raw.iloc[first]}')", first, column, fix
        )
    pos = np.flatnonzero(bad)
    flagged.append(Flagged(check, column, pos, [str(v) for v in raw.iloc[pos]], note))


def _fast(raw: pd.Series, kind: str, origin: Origin) -> pd.Series | None:
    """The column converted without a per-value Python step, or None where the slow, exact path is needed."""
    if kind == "float" or kind == "int":
        if pd.api.types.is_numeric_dtype(raw) and raw.dtype != bool:
            return raw.astype("float64")
        if not pd.api.types.is_string_dtype(raw) or raw.dtype == object:
            return None
        try:  # text from an export: Arrow's cast reads plain numbers; anything else goes the exact way
            arr = null_tokens(pc.utf8_trim_whitespace(pa.array(raw, from_pandas=True)), origin.missing)
            return pd.Series(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), index=raw.index)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return None
    if kind == "bool":
        return raw.astype(bool) if raw.dtype == bool else None
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(raw):
            return raw.astype("datetime64[ns]")
        if origin.dayfirst or origin.date_format != "ISO8601" or not pd.api.types.is_string_dtype(raw):
            return None
        try:
            arr = pa.array(raw, from_pandas=True)
            if len(arr) and pc.any(pc.match_substring_regex(arr, r"^\d{4}-\d\d-\d\d")).as_py() is False:
                return None
            return pd.Series(arr.cast(pa.timestamp("ns")).to_pandas(), index=raw.index).astype("datetime64[ns]")
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
            return None
    if kind == "str" and pd.api.types.is_string_dtype(raw) and raw.dtype != object:
        arr = null_tokens(pc.utf8_trim_whitespace(pa.array(raw, from_pandas=True)), origin.missing)
        return pd.Series(arr.to_pandas(types_mapper={arr.type: raw.dtype}.get), index=raw.index)
    return None


def _slow(raw: pd.Series, col: Column, origin: Origin) -> tuple[pd.Series, np.ndarray, str, str]:
    """Convert value by value: the values (bad ones empty), which were bad, what they are not, the fix."""
    blank = _blank(raw, origin.missing)
    if col.kind == "date":
        val = _dates(raw.where(~blank), origin)
        bad = (val.isna() & ~blank).to_numpy()
        return val.astype("datetime64[ns]"), bad, "not dates", _date_fix(raw[bad], origin) if bad.any() else ""
    if col.kind in ("float", "int"):
        val = pd.to_numeric(raw.where(~blank), errors="coerce")
        bad = (val.isna() & ~blank).to_numpy()
        return val.astype("float64"), bad, "not numbers", "remove currency signs and thousands separators"
    if col.kind == "bool":
        txt = raw.astype(str).str.strip().str.lower()
        bad = (~(txt.isin(TRUE_WORDS) | txt.isin(FALSE_WORDS) | blank)).to_numpy()
        val = pd.Series(txt.isin(TRUE_WORDS) & ~blank, index=raw.index).astype("boolean").mask(bad)
        fix = (
            "map the export's words with values: {" + col.name + ": {...: true}} in the mapping"
            if origin.mapped
            else f"use true or false ({', '.join(sorted(TRUE_WORDS))} / {', '.join(sorted(FALSE_WORDS - {''}))})"
        )
        return val, bad, "not true/false", fix
    return raw.astype("string").str.strip().mask(blank), np.zeros(len(raw), dtype=bool), "", ""


def _choices(val: pd.Series, col: Column) -> tuple[pd.Series, np.ndarray]:
    """A column with a fixed set of values in lower case, values outside the set empty, and which they were."""
    low = val.str.lower()
    bad = (low.notna() & ~low.isin(col.choices)).to_numpy()
    return low.mask(bad), bad


def load_table(name: str, path: Path) -> tuple[pd.DataFrame, list[Flagged]]:
    """Read and convert one canonical table; DataError when the file or a column is unusable."""
    return _convert(read_raw(path).reset_index(drop=True), TABLES[name], Origin(str(path)))


def convert(name: str, df: pd.DataFrame, origin: Origin) -> tuple[pd.DataFrame, list[Flagged]]:
    """Validate and type a frame already in canonical column names."""
    return _convert(df.reset_index(drop=True), TABLES[name], origin)
