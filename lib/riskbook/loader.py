"""The exact path: read a canonical table (CSV, XLSX, Parquet) value by value where needed.

Hard problems (a missing column, a date or amount that cannot be read, a value
outside its allowed set) stop with a one-line :class:`DataError` naming file,
row and column. Ingest tries Arrow's typed reader first (:mod:`riskbook.arrowread`)
and comes here when that reader cannot be sure; soft problems a report should
show rather than stop on are flagged later (:mod:`riskbook.flags`).
"""
from __future__ import annotations

import csv
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineError

from .exceptions import DataError
from .schema import REQUIRED_TABLES, TABLES, Column, Table

SUFFIXES: tuple[str, ...] = (".parquet", ".csv", ".xlsx")
UNIT_RE = re.compile(r"^[a-z0-9_]+$")
MISSING_TOKENS: tuple[str, ...] = ("", "NULL", "null", "NaN", "nan", "N/A", "n/a", "-", "None")
TRUE_WORDS = {"true", "1", "yes", "y", "t", "是"}
FALSE_WORDS = {"false", "0", "no", "n", "f", "否", ""}


def find_tables(folder: Path) -> dict[str, Path]:
    """Map each canonical table name to its file in ``folder``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(str(folder), "data folder not found", fix="pass --data with a folder of canonical tables")
    found: dict[str, Path] = {}
    for name in TABLES:
        for suffix in SUFFIXES:
            path = folder / f"{name}{suffix}"
            if path.exists():
                found[name] = path
                break
    for name in REQUIRED_TABLES:
        if name not in found:
            raise DataError(str(folder / f"{name}.csv"), f"required table '{name}' not found",
                            fix="export it as orders.csv, orders.xlsx or orders.parquet")
    return found


# What reading a file can raise besides DataError: a spreadsheet that is not one raises the Excel
# engine's own error (calamine's CalamineError; a zip error from openpyxl).
READ_ERRORS: tuple[type[BaseException], ...] = (ValueError, KeyError, OSError, UnicodeDecodeError,
                                                zipfile.BadZipFile, CalamineError)


def read_excel(path: Path, sheet: int | str = 0, header: int = 0) -> pd.DataFrame:
    """One sheet as text columns. calamine (Rust) reads a 100k-row sheet in 1.6 s where openpyxl
    takes 9.9 s, and reads .xls and .xlsb too; the values come out the same."""
    return pd.read_excel(path, sheet_name=sheet, header=header, dtype=str, keep_default_na=False,
                         engine="calamine")


def read_raw(path: Path) -> pd.DataFrame:
    """Read one file as strings (CSV, XLSX) or typed columns (Parquet)."""
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        if path.suffix == ".xlsx":
            return read_excel(path)
        return _read_csv(path)
    except DataError:
        raise
    except READ_ERRORS as exc:
        raise DataError(str(path), f"cannot be read ({type(exc).__name__}: {str(exc).splitlines()[0]})",
                        fix="save it as UTF-8 CSV, XLSX or Parquet") from None


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV with pandas' fast parallel reader and its type inference; canonical text columns that
    inference turned into numbers (ids such as 007) are read again as text. A row with more fields
    than the header is an error, not silently cut."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            df = pd.read_csv(path, encoding="utf-8-sig", index_col=False)
        except (pd.errors.ParserError, pd.errors.ParserWarning):
            _width_error(path)
    table = TABLES.get(path.stem)
    if table is not None:
        text = [c.name for c in table.columns if c.kind == "str" and c.name in df.columns
                and not (pd.api.types.is_string_dtype(df[c.name]) or df[c.name].isna().all())]
        if text:
            again = pd.read_csv(path, encoding="utf-8-sig", usecols=text, dtype=str, keep_default_na=False)
            for c in text:
                df[c] = again[c].where(~_blank(again[c]))
    return df


def _width_error(path: Path) -> None:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = csv.reader(fh)
        width = len(next(rows))
        for i, row in enumerate(rows, start=2):
            if len(row) > width:
                raise DataError(str(path), f"{len(row)} fields where the header has {width}", row=i,
                                fix="quote values that contain commas")
    raise DataError(str(path), "is not a well-formed CSV file", fix="export it again as CSV (UTF-8)")


@dataclass
class Origin:
    """Where a frame came from, for error messages: file label, the spreadsheet row of the first
    data row, the source name of each canonical column, the missing-value tokens, date parsing."""

    label: str
    first_row: int = 2
    names: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = MISSING_TOKENS
    date_format: str | None = "ISO8601"
    dayfirst: bool = False
    positions: np.ndarray | None = None  # file position of each row, where rows were filtered out

    def row(self, pos: int) -> int:
        return int(self.positions[pos] if self.positions is not None else pos) + self.first_row

    def col(self, name: str) -> str:
        return self.names.get(name, name)

    def error(self, problem: str, pos: int | None = None, column: str | None = None,
              fix: str | None = None) -> DataError:
        return DataError(self.label, problem, row=None if pos is None else self.row(pos),
                         column=None if column is None else self.col(column), fix=fix)


def _blank(s: pd.Series, tokens: tuple[str, ...] = MISSING_TOKENS) -> pd.Series:
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        return s.isna() | s.astype(str).str.strip().isin(tokens)
    return s.isna()


def _first(mask: pd.Series) -> int:
    """Position of the first True in ``mask``."""
    return int(np.flatnonzero(mask.to_numpy())[0])


DAYFIRST_FORMATS: tuple[str, ...] = ("%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%d/%m/%Y %H:%M:%S",
                                     "%d/%m/%Y %H:%M", "%d.%m.%y", "%d-%m-%y")


def _dates(raw: pd.Series, origin: Origin) -> pd.Series:
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


def _convert(df: pd.DataFrame, table: Table, origin: Origin) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for col in table.columns:
        if col.name not in df.columns:
            if col.required:
                raise origin.error(f"missing required column '{origin.col(col.name)}'", column=col.name,
                                   fix=f"add it or map a column to {col.name} "
                                       f"(has: {', '.join(map(str, df.columns[:8]))})")
            continue
        raw = df[col.name]
        fast = _fast(raw, col.kind, origin)
        if fast is not None:
            out[col.name] = fast
            blank = fast.isna()
        else:
            out[col.name] = _slow(raw, col, origin)
            blank = _blank(raw, origin.missing)
        if col.choices:
            out[col.name] = _choices(out[col.name], col, origin)
        if col.required and col.name in HARD_REQUIRED.get(table.name, ()) and blank.any():
            raise origin.error("value is empty", _first(blank), col.name,
                               f"every {table.name} row needs a {col.name}")
    if "unit" in out.columns:
        units = pd.Series(out["unit"].dropna().unique())
        bad = ~units.str.fullmatch(UNIT_RE.pattern).fillna(False).astype(bool) | (units == "group")
        if bad.any():
            pos = _first(out["unit"] == units[bad].iloc[0])
            raise origin.error(f"unit '{units[bad].iloc[0]}' is not a lowercase slug [a-z0-9_]+ (or is the reserved "
                               "'group')", pos, "unit", "map it to a slug such as east")
    return out


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


def null_tokens(trimmed: pa.Array | pa.ChunkedArray, missing: tuple[str, ...]) -> pa.Array | pa.ChunkedArray:
    """Trimmed text with its missing-value tokens and empty values as nulls."""
    gone = pc.is_in(trimmed, value_set=pa.array([*missing, ""], type=trimmed.type))
    return pc.if_else(gone, pa.scalar(None, type=trimmed.type), trimmed)


def _slow(raw: pd.Series, col: Column, origin: Origin) -> pd.Series:
    """Convert value by value, naming the first value that does not convert."""
    blank = _blank(raw, origin.missing)
    if col.kind == "date":
        val = _dates(raw.where(~blank), origin)
        bad = val.isna() & ~blank
        if bad.any():
            fix = "use ISO dates (2026-09-30)" if origin.date_format == "ISO8601" and not origin.dayfirst \
                else "check the date format in the mapping"
            raise origin.error(f"'{raw[bad].iloc[0]}' is not a date", _first(bad), col.name, fix)
        return val.astype("datetime64[ns]")
    if col.kind in ("float", "int"):
        val = pd.to_numeric(raw.where(~blank), errors="coerce")
        bad = val.isna() & ~blank
        if bad.any():
            raise origin.error(f"'{raw[bad].iloc[0]}' is not a number", _first(bad), col.name,
                               "remove currency signs and thousands separators")
        return val.astype("float64")
    if col.kind == "bool":
        txt = raw.astype(str).str.strip().str.lower()
        bad = ~(txt.isin(TRUE_WORDS) | txt.isin(FALSE_WORDS) | blank)
        if bad.any():
            raise origin.error(f"'{raw[bad].iloc[0]}' is not true/false", _first(bad), col.name, "use true or false")
        return txt.isin(TRUE_WORDS) & ~blank
    return raw.astype("string").str.strip().mask(blank)


def _choices(val: pd.Series, col: Column, origin: Origin) -> pd.Series:
    """Lower-case a column with a fixed set of values and name the first value outside it."""
    low = val.str.lower()
    seen = pd.Series(low.dropna().unique())
    outside = seen[~seen.isin(col.choices)]
    if len(outside):
        pos = _first(low == outside.iloc[0])
        raise origin.error(f"'{val.iloc[pos]}' is not one of {', '.join(col.choices)}", pos, col.name)
    return low


# Columns whose blank value stops the load (a row cannot be placed or counted without them).
HARD_REQUIRED: dict[str, tuple[str, ...]] = {
    "orders": ("order_id", "order_date", "unit", "amount"),
    "customers": ("customer_id", "unit"),
    "reps": ("rep_id", "unit", "hire_date"),
    "invoices": ("invoice_id", "customer_id", "unit", "issue_date", "due_date", "amount"),
    "payments": ("invoice_id", "payment_date", "amount"),
    "opportunities": ("opportunity_id", "unit", "created_date", "status", "amount"),
    "inventory": ("snapshot_date", "product_id", "on_hand"),
    "incidents": ("incident_id", "unit", "date", "category", "severity"),
}


def load_table(name: str, path: Path) -> pd.DataFrame:
    """Read and convert one canonical table; raise DataError on hard problems."""
    return _convert(read_raw(path).reset_index(drop=True), TABLES[name], Origin(str(path)))


def convert(name: str, df: pd.DataFrame, origin: Origin) -> pd.DataFrame:
    """Validate and type a frame already in canonical column names."""
    return _convert(df.reset_index(drop=True), TABLES[name], origin)
