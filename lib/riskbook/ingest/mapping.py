"""Source mappings: a user's own exports (CSV, Excel, Parquet) or SQL queries to canonical tables.

The ``sources:`` section of a company file says, per canonical table, where its rows come from
and how their columns map (README, "Your own exports"). Each mapped frame is then validated
exactly like a canonical file, with errors naming the source file, sheet, row and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskbook.core.errors import ParamError
from riskbook.core.schema import TABLES
from riskbook.ingest.canonical import convert
from riskbook.ingest.keep import keep_rows
from riskbook.ingest.mapread import read_source
from riskbook.ingest.mapshape import _amount, _distinct, _read_as, _renamed, _values, _with_unit
from riskbook.ingest.origin import Flagged, Origin

KEYS = {
    "file",
    "url",
    "sql",
    "watermark",  # riskbook watch: the column whose maximum says a SQL source changed (riskbook.ingest.sqlpoll)
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


Mapped = tuple[pd.DataFrame, list[Flagged], Origin]


def map_table(name: str, spec: dict[str, Any], base: Path, customers: pd.DataFrame | None = None) -> Mapped:
    """Read, reshape and validate one mapped table into canonical form: the frame, the values that
    could not be used (findings), and where it came from."""
    df, origin = read_source(name, spec, base)
    df = df.reset_index(drop=True)
    if spec.get("keep"):
        df = keep_rows(df, spec["keep"], f"sources.{name}.keep")
    out = _renamed(df, name, spec, origin)
    _read_as(origin, spec)
    if spec.get("amount"):
        _amount(out, df, spec["amount"], origin)
    if "customer_id" in out.columns:
        out["customer_id"] = out["customer_id"].astype("string")
    flagged: list[Flagged] = []
    _values(out, name, spec, flagged)
    origin.positions = np.asarray(df.index)  # row numbers follow the file even after keep: dropped rows
    _with_unit(out, df, spec, origin, customers, flagged)
    table, more = convert(name, out.reset_index(drop=True), origin)
    flagged += more
    if spec.get("distinct"):
        table = _distinct(table, name, flagged)
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
