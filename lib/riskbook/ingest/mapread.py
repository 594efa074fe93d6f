"""A mapped source's raw rows as the export holds them (:mod:`riskbook.ingest.mapping`): a CSV in whatever
encoding and delimiter it has (Arrow's reader, else row by row), an Excel sheet, a Parquet file or a SQL
query's result, with the files it is joined to."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from riskbook.core.errors import DataError, ParamError
from riskbook.core.guard import SPREADSHEETS, check_file, check_workbook
from riskbook.ingest.canonical import found_names
from riskbook.ingest.loader import READ_ERRORS, check_names, detect_encoding, read_excel, sheet_title, sniff_delimiter
from riskbook.ingest.origin import Origin


def decode(data: bytes, declared: str = "auto") -> tuple[str, str]:
    """``data`` decoded once, and its encoding: as declared, else a BOM, else UTF-8 if it decodes,
    else GB18030. A declared encoding that does not fit raises UnicodeDecodeError or LookupError."""
    if declared and declared != "auto":
        return data.decode(declared), declared
    if data.startswith(codecs.BOM_UTF8):
        return data.decode("utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def _csv(path: Path, spec: dict[str, Any], header: int) -> pd.DataFrame:
    """A mapped CSV as text columns: decoded as declared or detected, split at the delimiter set or found in
    the header row; a row wider than the header joins its extra fields into the ``overflow:`` column."""
    raw = path.read_bytes()
    text, enc = _decoded(path, raw, spec.get("encoding", "auto"))
    text = text.lstrip("\ufeff")
    sep = spec.get("delimiter") or sniff_delimiter(next(iter(text[: 1 << 16].splitlines()[header : header + 1]), ""))
    fast = _arrow_csv(text, raw if enc in ("utf-8", "utf-8-sig") else None, sep, header)
    if fast is not None:
        return fast
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    head = [h.strip() for h in rows[header]] if len(rows) > header else []
    check_names(head, str(path))
    body = rows[header + 1 :]
    width = len(head)
    over = spec.get("overflow")
    at = head.index(over) if over in head else None
    if over and at is None:
        raise DataError(str(path), f"overflow column '{over}' is not in the header", column=over)
    fixed = []
    for i, r in enumerate(body):
        if len(r) > width:
            if at is None:
                widths = [len(x) for x in body[:200] if x]
                common = max(set(widths), key=widths.count) if widths else 0
                if common > width:  # most rows are wider than the "header": it is a title row above it
                    first = header + 2 + next(k for k, x in enumerate(body) if len(x) == common)
                    raise DataError(
                        str(path),
                        f"row {header + 1}, taken as the header, has {width} field(s) where most rows have {common}",
                        fix=f"is the header on row {first}? set header_row: {first} in the mapping",
                    )
                raise DataError(
                    str(path),
                    f"{len(r)} fields where the header has {width}",
                    row=header + 2 + i,
                    fix="quote values that contain the delimiter, or name the column that holds "
                    "them with overflow: in the mapping",
                )
            extra = len(r) - width
            r = r[:at] + [sep.join(r[at : at + extra + 1])] + r[at + extra + 1 :]
        elif 0 < len(r) < width:
            r = r + [""] * (width - len(r))
        if r:
            fixed.append(r)
    return pd.DataFrame(fixed, columns=head, dtype=object)


def _decoded(path: Path, raw: bytes, declared: str) -> tuple[str, str]:
    """The file's bytes decoded (:func:`decode`), and its encoding; DataError for an encoding Python does
    not know or one the bytes are not in (naming the one they look like)."""
    try:
        return decode(raw, declared)
    except LookupError:
        raise DataError(
            str(path),
            f"encoding '{declared}' is not one Python knows",
            fix="set encoding: to utf-8, utf-16, gbk, gb18030 or auto",
        ) from None
    except UnicodeDecodeError:
        found = detect_encoding(raw[: 1 << 16]) or "UTF-8"
        raise DataError(
            str(path),
            f"cannot be decoded as {declared}: it looks like {found}",
            fix=f"set encoding: {found if found != 'an unknown encoding' else 'auto'} in the mapping",
        ) from None


def _arrow_csv(text: str, utf8: bytes | None, sep: str, header: int) -> pd.DataFrame | None:
    """The file as text columns through Arrow's parallel reader, or None where :func:`_csv`'s row by
    row reading must decide (ragged rows, an ``overflow:`` column, a header Arrow reads differently)."""
    head_rows = list(itertools.islice(csv.reader(io.StringIO(text[: 1 << 20]), delimiter=sep), header + 1))
    if len(sep) != 1 or len(head_rows) <= header:
        return None
    head = head_rows[header]
    if not head or len(set(head)) != len(head):
        return None
    data = utf8 if utf8 is not None else text.encode("utf-8")
    try:
        table = pcsv.read_csv(
            pa.py_buffer(data),
            read_options=pcsv.ReadOptions(skip_rows=header, block_size=1 << 22),
            parse_options=pcsv.ParseOptions(delimiter=sep, newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={h: pa.string() for h in head},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    if table.column_names != head:
        return None
    return table.to_pandas()


def read_source(name: str, spec: dict[str, Any], base: Path) -> tuple[pd.DataFrame, Origin]:
    """The raw rows of a mapped table (source column names) and where they came from."""
    header = int(spec.get("header_row", 1)) - 1
    if "sql" in spec:
        return _sql(name, spec), Origin(f"sources.{name} (SQL)", 1)
    path = Path(spec["file"])
    path = path if path.is_absolute() else base / path
    if not path.exists():
        raise DataError(str(path), "file not found", fix=f"check sources.{name}.file in the company file")
    check_file(path, fix=f"point sources.{name}.file at the export itself", contents=False)
    label, suffix = str(path), path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
            sheet = spec.get("sheet", 0)
            label += f" [{sheet_title(path, sheet)}]"
            if suffix in SPREADSHEETS:
                try:
                    check_workbook(path)
                except DataError as exc:
                    raise DataError(label, str(exc)[len(exc.file) + 2 :]) from None
            df = read_excel(path, sheet, header)
        elif suffix == ".parquet":
            df = pd.read_parquet(path)
        else:
            df = _csv(path, spec, header)
    except DataError:
        raise
    except READ_ERRORS as exc:
        raise DataError(label, f"cannot be read ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    df.columns = [str(c).strip() for c in df.columns]
    for j in spec.get("join") or []:
        df = _join(df, j, base, name, label, header)
    return df, Origin(label, header + 2, mapped=True)


def _sql(name: str, spec: dict[str, Any]) -> pd.DataFrame:
    """The result of a SQL source's query; DataError naming the source when it fails."""
    try:
        from sqlalchemy import create_engine, text
    except ImportError:  # pragma: no cover
        raise ParamError("SQL sources need SQLAlchemy: pip install sqlalchemy") from None
    try:
        engine = create_engine(spec["url"])
        with engine.connect() as conn:
            return pd.read_sql(text(spec["sql"]), conn)
    except Exception as exc:  # the driver's own error types vary
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(
            f"sources.{name} (SQL at {spec['url'].split('@')[-1]})",
            f"query failed ({first})",
            fix=f"check sources.{name}.url and .sql",
        ) from None


def _join(df: pd.DataFrame, j: dict[str, Any], base: Path, name: str, label: str, header: int) -> pd.DataFrame:
    """``df`` with another source's columns joined on (``join:``), the first row of each key."""
    on = j.get("on", j.get(True))  # YAML 1.1 reads a bare `on:` key as the boolean true
    other, o = read_source(name, {k: v for k, v in j.items() if k not in ("on", True)}, base)
    left, right = (on.get("left"), on.get("right")) if isinstance(on, dict) else (on, on)
    for col, frame, which, row in ((left, df, label, header + 1), (right, other, o.label, o.first_row - 1)):
        if col not in frame.columns:
            raise DataError(
                which,
                f"join column '{col}' not found in the header on row {row} (it has: {found_names(frame)})",
                column=col,
                fix=f"check sources.{name}.join on:, and header_row if the header is on another row",
            )
    other = other.drop_duplicates(right)
    return df.merge(other, left_on=left, right_on=right, how="left", suffixes=("", "_joined"))
