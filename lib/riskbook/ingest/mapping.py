"""Source mappings: a user's own exports (CSV, Excel, Parquet) or SQL queries to canonical tables.

The ``sources:`` section of a company file says, per canonical table, where its rows come from
and how their columns map (README, "Your own exports"). Each mapped frame is then validated
exactly like a canonical file, with errors naming the source file, sheet, row and column.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from riskbook.core.errors import DataError, ParamError
from riskbook.core.guard import SPREADSHEETS, check_file, check_workbook
from riskbook.core.schema import TABLES
from riskbook.ingest.keep import keep_rows
from riskbook.ingest.loader import (
    MISSING_TOKENS,
    MOSTLY,
    READ_ERRORS,
    Flagged,
    Origin,
    check_names,
    convert,
    detect_encoding,
    found_names,
    read_excel,
    sniff_delimiter,
)

KEYS = {
    "file",
    "url",
    "sql",
    "sheet",
    "header_row",
    "encoding",
    "delimiter",
    "missing",
    "dates",
    "columns",
    "amount",
    "unit",
    "keep",
    "join",
    "overflow",
    "distinct",
    "values",
}
ORDER = ("customers", "reps", "orders", "invoices", "payments", "opportunities", "inventory", "incidents")


def check_spec(name: str, spec: Any, where: str) -> dict[str, Any]:
    """The mapping of table ``name``, checked for unknown keys and exclusive options."""
    if name not in TABLES:
        raise ParamError(f"{where}: sources.{name}: no such table (tables: {', '.join(TABLES)})")
    if not isinstance(spec, dict):
        raise ParamError(f"{where}: sources.{name} must be a mapping with file: or url: and sql:")
    unknown = set(spec) - KEYS
    if unknown:
        raise ParamError(
            f"{where}: sources.{name}: unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(KEYS))})"
        )
    if ("file" in spec) == ("sql" in spec) or ("sql" in spec) != ("url" in spec):
        raise ParamError(f"{where}: sources.{name} needs either file: or url: with sql:")
    values = spec.get("values")
    if values is not None:
        cols = {c.name for c in TABLES[name].columns}
        if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
            raise ParamError(
                f"{where}: sources.{name}.values must map canonical columns to {{their word: "
                f"canonical value}}, e.g. values: {{status: {{已完成: completed}}}}"
            )
        for col in values:
            if col not in cols:
                raise ParamError(
                    f"{where}: sources.{name}.values: '{col}' is not a column of {name} "
                    f"(columns: {', '.join(sorted(cols))})"
                )
    return spec


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
    raw = path.read_bytes()
    declared = spec.get("encoding", "auto")
    try:
        text, enc = decode(raw, declared)
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
            label += f" [sheet {sheet}]" if isinstance(sheet, int) else f" [{sheet}]"
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


def _fraction(s: pd.Series) -> pd.Series:
    """Discounts as fractions: '20%' and 20 both mean 0.2; 0.2 stays."""
    txt = s.astype(str).str.strip()
    pct = txt.str.endswith("%")
    num = pd.to_numeric(txt.str.rstrip("%"), errors="coerce")
    return num.where(~pct & (num <= 1), num / 100).fillna(0.0)


def _num(df: pd.DataFrame, col: str, origin: Origin) -> pd.Series:
    if col not in df.columns:
        raise origin.error(f"column '{col}' named in the amount mapping is not in the file")
    return pd.to_numeric(df[col], errors="coerce")


def _slug(s: pd.Series) -> pd.Series:
    return s.astype("string").str.strip().str.lower().str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_")


def _unit(
    df: pd.DataFrame, rule: Any, origin: Origin, customers: pd.DataFrame | None, flagged: list[Flagged]
) -> pd.Series | None:
    """Each row's unit by the mapping's rule. A value the unit map does not know leaves its row without a
    unit (a finding); a column most of whose values it does not know stops: the map is wrong."""
    if rule is None:
        return None
    if isinstance(rule, str):
        rule = {"column": rule}
    if "value" in rule:
        return pd.Series(str(rule["value"]), index=df.index, dtype="string")
    if rule.get("via") == "customer":
        if customers is None:
            raise ParamError(f"{origin.label}: unit via customer needs the customers table mapped")
        units = customers.drop_duplicates("customer_id").set_index("customer_id")["unit"]
        cid = df["customer_id"].astype("string").str.strip()
        return cid.map(units).astype("string")
    col = rule.get("column")
    if col not in df.columns:
        raise origin.error(
            f"unit column '{col}' is not in the file", column=col, fix=f"the file has: {found_names(df)}"
        )
    values = df[col].astype("string").str.strip()
    if "map" not in rule:
        return _slug(values)
    mapping = {str(k): str(v) for k, v in (rule["map"] or {}).items()}
    mapped = values.map(mapping)
    bad = (mapped.isna() & values.notna() & ~values.isin(MISSING_TOKENS)).to_numpy()
    if bad.any():
        pos = np.flatnonzero(bad)
        unknown = list(dict.fromkeys(values.iloc[pos].head(1000)))
        if len(pos) > MOSTLY * int(values.notna().sum()):
            raise DataError(
                origin.label,
                f"{len(pos):,} rows have a unit value the unit map does not know "
                f"({', '.join(repr(u) for u in unknown[:5])})",
                row=origin.row(int(pos[0])),
                column=col,
                fix="add them to unit: map: in the mapping",
            )
        flagged.append(
            Flagged(
                "unmapped_value",
                "unit",
                pos,
                [str(v) for v in values.iloc[pos]],
                "not in unit: map: (the row belongs to no unit)",
                "error",
                "row",
            )
        )
    return mapped.astype("string")


def _values(out: pd.DataFrame, name: str, spec: dict[str, Any], flagged: list[Flagged]) -> None:
    """Apply ``values:``: each column's own words to canonical values. Columns with a fixed set of
    values (and true/false columns) report what is left over when they are converted; other columns
    report a value their map does not know as a warning and keep it."""
    for col, words in (spec.get("values") or {}).items():
        if col not in out.columns:
            raise ParamError(f"sources.{name}.values: '{col}' is not mapped (add it under columns:)")
        column = TABLES[name].column(col)
        lookup = {
            str(k).strip(): ("true" if v is True else "false" if v is False else str(v)) for k, v in words.items()
        }
        raw = out[col].astype("string").str.strip()
        mapped = raw.map(lookup)
        out[col] = mapped.where(mapped.notna(), raw)
        if column.choices or column.kind == "bool":
            continue
        unknown = (raw.notna() & mapped.isna() & ~raw.isin(MISSING_TOKENS)).to_numpy()
        if unknown.any():
            pos = np.flatnonzero(unknown)
            flagged.append(
                Flagged(
                    "unmapped_value",
                    col,
                    pos,
                    [str(v) for v in raw.iloc[pos]],
                    f"not in values: {col}: (kept as it is)",
                    "warning",
                    "",
                )
            )


Mapped = tuple[pd.DataFrame, list[Flagged], Origin]


def map_table(name: str, spec: dict[str, Any], base: Path, customers: pd.DataFrame | None = None) -> Mapped:
    """Read, reshape and validate one mapped table into canonical form: the frame, the values that
    could not be used (findings), and where it came from."""
    df, origin = read_source(name, spec, base)
    df = df.reset_index(drop=True)
    if spec.get("keep"):
        df = keep_rows(df, spec["keep"], f"sources.{name}.keep")
    columns = {k: str(v) for k, v in (spec.get("columns") or {}).items()}
    for canon, src in columns.items():
        if canon not in {c.name for c in TABLES[name].columns}:
            raise ParamError(
                f"sources.{name}.columns: '{canon}' is not a column of {name} "
                f"(columns: {', '.join(c.name for c in TABLES[name].columns)})"
            )
        if src not in df.columns:
            hint = " — or the header is not on row 1: set header_row" if origin.first_row == 2 else ""
            raise origin.error(
                f"column '{src}' (mapped to {canon}) is not in the file",
                fix=f"the header on row {origin.first_row - 1} has: {found_names(df)}{hint}",
            )
    out = pd.DataFrame({canon: df[src].array for canon, src in columns.items()}, index=df.index)
    for c in TABLES[name].columns:  # canonical names present as they are (e.g. SELECT … AS order_id)
        if c.name not in out.columns and c.name in df.columns and c.name not in columns.values():
            out[c.name] = df[c.name].array
    origin.names = {canon: src for canon, src in columns.items()}
    origin.missing = tuple(str(m) for m in spec.get("missing", MISSING_TOKENS))
    dates = spec.get("dates") or {}
    origin.date_format = dates.get("format", None if dates.get("dayfirst") else "ISO8601")
    origin.dayfirst = bool(dates.get("dayfirst"))
    if spec.get("amount"):
        a = spec["amount"]
        qty = _num(df, a["quantity"], origin) if a.get("quantity") else pd.Series(1.0, index=df.index)
        disc = _fraction(df[a["discount"]]) if a.get("discount") else pd.Series(0.0, index=df.index)
        if "amount" in out.columns:
            amount = pd.to_numeric(out["amount"], errors="coerce")
            unit_price = amount / qty.replace(0, np.nan)
            out["unit_price"] = unit_price
            out["list_price"] = unit_price / (1 - disc).where(disc < 1)
        else:
            price = _num(df, a["price"], origin)
            out["list_price"] = price
            out["unit_price"] = price * (1 - disc)
            out["amount"] = qty * out["unit_price"]
            origin.names.setdefault("amount", f"{a['price']} × {a.get('quantity', 1)}")
        out["quantity"] = qty
    if "customer_id" in out.columns:
        out["customer_id"] = out["customer_id"].astype("string")
    flagged: list[Flagged] = []
    _values(out, name, spec, flagged)
    origin.positions = np.asarray(df.index)  # row numbers follow the file even after keep: dropped rows
    unit = _unit(
        out.assign(**{c: df[c] for c in df.columns if c not in out.columns}),
        spec.get("unit"),
        origin,
        customers,
        flagged,
    )
    if unit is not None:
        out["unit"] = unit
        if isinstance(spec["unit"], dict) and spec["unit"].get("column"):
            origin.names["unit"] = spec["unit"]["column"]
    table, more = convert(name, out.reset_index(drop=True), origin)
    flagged += more
    if spec.get("distinct"):
        key = [k for k in TABLES[name].key if k in table.columns]
        kept = ~table.duplicated(key or [c for c in table.columns if c != "_row"]).to_numpy()
        renumber = np.cumsum(kept) - 1
        for f in flagged:
            on = kept[f.pos]
            f.pos, f.values = renumber[f.pos[on]], [v for v, k in zip(f.values, on) if k]
        table = table[kept].reset_index(drop=True)
    return table, flagged, origin


def load_mapping(specs: dict[str, Any], base: Path, where: str) -> dict[str, Mapped]:
    """Every mapped table in canonical form, with its findings and origin."""
    if "orders" not in specs:
        raise ParamError(f"{where}: sources: has no orders mapping (orders is required)")
    checked = {n: check_spec(n, s, where) for n, s in specs.items()}
    tables: dict[str, Mapped] = {}
    for name in [n for n in ORDER if n in checked]:
        customers = tables["customers"][0] if "customers" in tables else None
        tables[name] = map_table(name, checked[name], base, customers)
    return tables
