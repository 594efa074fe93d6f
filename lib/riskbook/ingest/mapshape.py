"""A mapped source's columns reshaped into the canonical ones (:mod:`riskbook.ingest.mapping`): renamed,
amounts from quantity, price and discount, each row's unit, the export's own words as canonical values,
and repeated rows dropped."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from riskbook.core.errors import DataError, ParamError
from riskbook.core.schema import TABLES
from riskbook.ingest.canonical import found_names
from riskbook.ingest.loader import MISSING_TOKENS
from riskbook.ingest.origin import MOSTLY, Flagged, Origin


def _fraction(s: pd.Series) -> pd.Series:
    """Discounts as fractions: '20%' and 20 both mean 0.2; 0.2 stays."""
    txt = s.astype(str).str.strip()
    pct = txt.str.endswith("%")
    num = pd.to_numeric(txt.str.rstrip("%"), errors="coerce")
    return num.where(~pct & (num <= 1), num / 100).fillna(0.0)


def _num(df: pd.DataFrame, col: str, origin: Origin) -> pd.Series:
    """A column named in ``amount:`` as numbers (values that are not: empty)."""
    if col not in df.columns:
        raise origin.error(f"column '{col}' named in the amount mapping is not in the file")
    return pd.to_numeric(df[col], errors="coerce")


def _slug(s: pd.Series) -> pd.Series:
    """Unit values as slugs: lower case, each run of other characters one ``_``."""
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


def _renamed(df: pd.DataFrame, name: str, spec: dict[str, Any], origin: Origin) -> pd.DataFrame:
    """The columns of ``columns:`` under their canonical names, and canonical names present as they are;
    ``origin`` learns the source name of each. A column named that is not in the file or the table stops."""
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
    return out


def _read_as(origin: Origin, spec: dict[str, Any]) -> None:
    """The mapping's missing-value words and date format, for the conversion to canonical types."""
    origin.missing = tuple(str(m) for m in spec.get("missing", MISSING_TOKENS))
    dates = spec.get("dates") or {}
    origin.date_format = dates.get("format", None if dates.get("dayfirst") else "ISO8601")
    origin.dayfirst = bool(dates.get("dayfirst"))


def _amount(out: pd.DataFrame, df: pd.DataFrame, a: dict[str, Any], origin: Origin) -> None:
    """Apply ``amount:``: quantity, list and unit price from the amount mapped, or the amount from price,
    quantity and discount."""
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


def _with_unit(
    out: pd.DataFrame,
    df: pd.DataFrame,
    spec: dict[str, Any],
    origin: Origin,
    customers: pd.DataFrame | None,
    flagged: list[Flagged],
) -> None:
    """Give ``out`` its unit column by the mapping's ``unit:`` rule, where it has one."""
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


def _distinct(table: pd.DataFrame, name: str, flagged: list[Flagged]) -> pd.DataFrame:
    """Apply ``distinct:``: the table without rows that repeat an earlier row's key (or whole row), and
    the findings' positions renumbered to the rows kept (those of dropped rows go)."""
    key = [k for k in TABLES[name].key if k in table.columns]
    kept = ~table.duplicated(key or [c for c in table.columns if c != "_row"]).to_numpy()
    renumber = np.cumsum(kept) - 1
    for f in flagged:
        on = kept[f.pos]
        f.pos, f.values = renumber[f.pos[on]], [v for v, k in zip(f.values, on) if k]
    return table[kept].reset_index(drop=True)
