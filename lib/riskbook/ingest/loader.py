"""The exact path: read a canonical table (CSV, XLSX, Parquet) value by value where needed.

Hard problems (a missing column, a date or amount that cannot be read, a value
outside its allowed set) stop with a one-line :class:`DataError` naming file,
row and column. Ingest tries Arrow's typed reader first (:mod:`riskbook.ingest.arrowread`)
and comes here when that reader cannot be sure; soft problems a report should
show rather than stop on are flagged later (:mod:`riskbook.ingest.flags`).
"""

from __future__ import annotations

import codecs
import csv
import io
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

from riskbook.core import config
from riskbook.core.errors import DataError
from riskbook.core.guard import check_file
from riskbook.core.schema import REQUIRED_TABLES, TABLES, Column, Table

SUFFIXES: tuple[str, ...] = (".parquet", ".csv", ".xlsx")
UNIT_MAX = config.UNIT_MAX
MISSING_TOKENS: tuple[str, ...] = ("", "NULL", "null", "NaN", "nan", "N/A", "n/a", "-", "None")
TRUE_WORDS = {"true", "1", "yes", "y", "t", "是"}
FALSE_WORDS = {"false", "0", "no", "n", "f", "否", ""}


def find_tables(folder: Path) -> dict[str, Path]:
    """Map each canonical table name to its file in ``folder``: one file per table, names matched
    without regard to case (``Orders.CSV`` is orders)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(str(folder), "data folder not found", fix="pass --data with a folder of canonical tables")
    claims: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if stem in TABLES and suffix in SUFFIXES:
            claims.setdefault(stem, []).append(path)
    found: dict[str, Path] = {}
    for name, paths in claims.items():
        if len(paths) > 1:
            raise DataError(
                str(folder),
                f"{len(paths)} files claim table '{name}' ({', '.join(p.name for p in paths)})",
                fix="keep one of them and move the others away",
            )
        path = paths[0]
        check_file(path, fix=f"put the {name} export itself there")
        found[name] = path
    for name in REQUIRED_TABLES:
        if name not in found:
            raise DataError(
                str(folder / f"{name}.csv"),
                f"required table '{name}' not found",
                fix="export it as orders.csv, orders.xlsx or orders.parquet",
            )
    return found


# What reading a file can raise besides DataError: a spreadsheet that is not one raises the Excel
# engine's own error (calamine's CalamineError; a zip error from openpyxl).
READ_ERRORS: tuple[type[BaseException], ...] = (
    ValueError,
    KeyError,
    OSError,
    UnicodeDecodeError,
    zipfile.BadZipFile,
    CalamineError,
)


def read_excel(path: Path, sheet: int | str = 0, header: int = 0) -> pd.DataFrame:
    """One sheet as text columns, the header on row ``header`` (0-based). calamine (Rust) reads a
    100k-row sheet in 1.6 s where openpyxl takes 9.9 s, and reads .xls and .xlsb too. Two columns
    with one name are an error (pandas would silently rename the second)."""
    raw = pd.read_excel(path, sheet_name=sheet, header=None, dtype=str, keep_default_na=False, engine="calamine")
    if len(raw) <= header:
        raise DataError(
            str(path),
            f"has no row {header + 1} to take the header from",
            fix="check header_row in the mapping" if header else "export it with its header row",
        )
    names = [str(c).strip() for c in raw.iloc[header]]
    check_names(names, str(path))
    body = raw.iloc[header + 1 :].reset_index(drop=True)
    body.columns = names
    return body


def check_names(names: list[str], label: str) -> None:
    """DataError when two columns of a header share a name (the second would be lost or renamed)."""
    seen: dict[str, int] = {}
    for i, n in enumerate(names):
        if n in seen and n:
            raise DataError(
                label,
                f"two columns are both called '{n}' (columns {seen[n] + 1} and {i + 1})",
                column=n,
                fix="rename one of them in the export",
            )
        seen.setdefault(n, i)


DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")


def sniff_delimiter(line: str) -> str:
    """The delimiter of a header line: a comma unless the line has none and another one splits it."""
    if "," in line:
        return ","
    counts = {d: line.count(d) for d in DELIMITERS[1:]}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def detect_encoding(head: bytes) -> str | None:
    """The encoding of a file that is not UTF-8, from its first bytes: UTF-16 by its BOM, else GB18030
    (GBK) when the bytes read as that; None when they are UTF-8."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the end of the sample
            return None
    try:
        head.decode("gb18030")
        return "gb18030"
    except UnicodeDecodeError:
        return "an unknown encoding"


def csv_header(path: Path) -> tuple[list[str], str]:
    """A canonical CSV's header (names as written) and delimiter; DataError for a file that is not UTF-8
    (naming the encoding it is in), has no header, or repeats a column name."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    enc = detect_encoding(head)
    if enc is not None:
        raise DataError(
            str(path),
            f"is not UTF-8: it looks like {enc}",
            fix=f"save it as UTF-8, or read it through a sources: mapping with encoding: "
            f"{enc if enc != 'an unknown encoding' else 'auto'}",
        )
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    first = text.splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise DataError(str(path), "has no header row", fix="the first row must name the columns")
    sep = sniff_delimiter(first)
    names = next(csv.reader(io.StringIO(first), delimiter=sep))
    check_names([c.strip() for c in names], str(path))
    return names, sep


def read_raw(path: Path) -> pd.DataFrame:
    """Read one file as strings (CSV, XLSX) or typed columns (Parquet)."""
    try:
        if path.suffix.lower() == ".parquet":
            df = pd.read_parquet(path)
            check_names([str(c) for c in df.columns], str(path))
            return df
        if path.suffix.lower() == ".xlsx":
            return read_excel(path)
        return _read_csv(path)
    except DataError:
        raise
    except READ_ERRORS as exc:
        raise DataError(
            str(path),
            f"cannot be read ({type(exc).__name__}: {str(exc).splitlines()[0]})",
            fix="save it as UTF-8 CSV, XLSX or Parquet",
        ) from None


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV with pandas' fast parallel reader and its type inference; canonical text columns that
    inference turned into numbers (ids such as 007) are read again as text. A row with more fields
    than the header is an error, not silently cut."""
    names, sep = csv_header(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        try:
            df = pd.read_csv(path, encoding="utf-8-sig", index_col=False, sep=sep)
        except (pd.errors.ParserError, pd.errors.ParserWarning):
            _width_error(path, sep)
        except pd.errors.EmptyDataError:
            return pd.DataFrame(columns=[n.strip() for n in names], dtype=object)
    df.columns = [str(c).strip() for c in df.columns]
    table = TABLES.get(path.stem.lower())
    if table is not None:
        text = [
            c.name
            for c in table.columns
            if c.kind == "str"
            and c.name in df.columns
            and not (pd.api.types.is_string_dtype(df[c.name]) or df[c.name].isna().all())
        ]
        if text:
            again = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False, sep=sep)
            again.columns = [str(c).strip() for c in again.columns]
            for c in text:
                df[c] = again[c].where(~_blank(again[c]))
    return df


def _width_error(path: Path, sep: str = ",") -> None:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = csv.reader(fh, delimiter=sep)
        width = len(next(rows))
        for i, row in enumerate(rows, start=2):
            if len(row) > width:
                raise DataError(
                    str(path),
                    f"{len(row)} fields where the header has {width}",
                    row=i,
                    fix="quote values that contain commas",
                )
    raise DataError(str(path), "is not a well-formed CSV file", fix="export it again as CSV (UTF-8)")


@dataclass
class Origin:
    """Where a frame came from, for error messages and findings: file label, the spreadsheet row of
    the first data row, the source name of each canonical column, the missing-value tokens, date
    parsing, and whether it came through a ``sources:`` mapping (the fixes differ)."""

    label: str
    first_row: int = 2
    names: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = MISSING_TOKENS
    date_format: str | None = "ISO8601"
    dayfirst: bool = False
    positions: np.ndarray | None = None  # file position of each row, where rows were filtered out
    mapped: bool = False

    def row(self, pos: int) -> int:
        return int(self.positions[pos] if self.positions is not None else pos) + self.first_row

    def rows(self, n: int) -> np.ndarray:
        """The spreadsheet row of each of the ``n`` rows of the frame."""
        pos = np.asarray(self.positions, dtype=np.int64) if self.positions is not None else np.arange(n)
        return pos[:n] + self.first_row

    def col(self, name: str) -> str:
        return self.names.get(name, name)

    def error(
        self, problem: str, pos: int | None = None, column: str | None = None, fix: str | None = None
    ) -> DataError:
        return DataError(
            self.label,
            problem,
            row=None if pos is None else self.row(pos),
            column=None if column is None else self.col(column),
            fix=fix,
        )


@dataclass
class Flagged:
    """Values a reader could not use and left empty: the check they fail, their canonical column,
    their positions in the frame, the values as the file gave them, and what was wrong."""

    check: str
    column: str
    pos: np.ndarray
    values: list[str]
    note: str = ""
    severity: str = "error"
    excluded: str = "value"  # what the KRIs leave out: the value (emptied), the whole row, or nothing


MOSTLY = 0.5  # a column where more than this share of the values fails is unusable as a whole
DAYFIRST_LOOK = re.compile(r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}")


def _blank(s: pd.Series, tokens: tuple[str, ...] = MISSING_TOKENS) -> pd.Series:
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        return s.isna() | s.astype(str).str.strip().isin(tokens)
    return s.isna()


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


def null_tokens(trimmed: pa.Array | pa.ChunkedArray, missing: tuple[str, ...]) -> pa.Array | pa.ChunkedArray:
    """Trimmed text with its missing-value tokens and empty values as nulls."""
    gone = pc.is_in(trimmed, value_set=pa.array([*missing, ""], type=trimmed.type))
    return pc.if_else(gone, pa.scalar(None, type=trimmed.type), trimmed)


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
