"""Reading canonical files as they are: each table's file found in a data folder, and read — a CSV (its
encoding, delimiter and header checked), an Excel sheet, a Parquet file — as text or typed columns.

A file that cannot be read stops with a one-line :class:`DataError` naming file, row and column. The
exact path converts what is read here to the canonical types (:mod:`riskbook.ingest.canonical`);
Arrow's typed reader (:mod:`riskbook.ingest.arrowread`) shares its header check and missing-value words.
"""

from __future__ import annotations

import codecs
import csv
import io
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineError

from riskbook.core import config
from riskbook.core.errors import DataError
from riskbook.core.guard import check_file
from riskbook.core.schema import REQUIRED_TABLES, TABLES

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


def sheet_title(path: Path, sheet: int | str) -> str:
    """The name a sheet has in its workbook, for citations: "[Orders]", not "[sheet 0]". A sheet given by
    position whose workbook cannot be opened is named by its place ("first sheet", "sheet 3")."""
    if isinstance(sheet, str):
        return sheet
    try:
        from python_calamine import CalamineWorkbook

        return str(CalamineWorkbook.from_path(str(path)).sheet_names[sheet])
    except Exception:  # noqa: BLE001 - the read that follows reports what is wrong with the file
        return "first sheet" if sheet == 0 else f"sheet {sheet + 1}"


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
    """Stop at the first row of a CSV with more fields than its header, or at the file as malformed."""
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


def _blank(s: pd.Series, tokens: tuple[str, ...] = MISSING_TOKENS) -> pd.Series:
    """Which values of ``s`` are missing: null, or text that is one of ``tokens`` once trimmed."""
    if s.dtype == object or pd.api.types.is_string_dtype(s):
        return s.isna() | s.astype(str).str.strip().isin(tokens)
    return s.isna()


def null_tokens(trimmed: pa.Array | pa.ChunkedArray, missing: tuple[str, ...]) -> pa.Array | pa.ChunkedArray:
    """Trimmed text with its missing-value tokens and empty values as nulls."""
    gone = pc.is_in(trimmed, value_set=pa.array([*missing, ""], type=trimmed.type))
    return pc.if_else(gone, pa.scalar(None, type=trimmed.type), trimmed)
