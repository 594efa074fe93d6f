"""Ingest once: validate a source, store it as Parquet sliced by unit, keyed by content hash."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from . import config
from .loader import find_tables, load_folder

STORE_VERSION = "1"


def source_hash(folder: Path) -> str:
    """Content hash of the canonical files in ``folder`` (and the store format)."""
    h = hashlib.sha256(STORE_VERSION.encode())
    for name, path in sorted(find_tables(folder).items()):
        h.update(name.encode())
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def _slice_units(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    units = sorted(tables["orders"]["unit"].dropna().unique())
    if "invoices" in tables and "payments" in tables:
        unit_of = tables["invoices"].drop_duplicates("invoice_id").set_index("invoice_id")["unit"]
        tables["payments"]["unit"] = tables["payments"]["invoice_id"].map(unit_of)
    out: dict[str, dict[str, pd.DataFrame]] = {u: {} for u in units}
    for name, df in tables.items():
        if "unit" not in df.columns:
            for u in units:
                out[u][name] = df
            continue
        shared = df[df["unit"].isna()]
        for u, part in df.groupby("unit", sort=False, observed=True):
            if u in out:
                out[u][name] = pd.concat([part, shared]) if len(shared) else part
        for u in units:
            out[u].setdefault(name, shared if len(shared) else df.iloc[:0])
    return out


def ingest(folder: Path, root: Path | None = None) -> Path:
    """Validate ``folder`` once and return the store directory holding its unit slices."""
    root = Path(root or config.STORE_DIR)
    target = root / source_hash(folder)
    if (target / "meta.json").exists():
        return target
    tables = load_folder(folder)
    orders = tables["orders"]
    meta = {
        "source": str(Path(folder).resolve()),
        "tables": sorted(tables),
        "units": sorted(orders["unit"].dropna().unique().tolist()),
        "first_date": str(orders["order_date"].min().date()),
        "last_date": str(orders.loc[orders["_dq"].isna() | ~orders["_dq"].str.contains("future", na=False),
                                    "order_date"].max().date()),
        "rows": {k: int(len(v)) for k, v in tables.items()},
    }
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".ingest-", dir=root))
    try:
        for unit, parts in _slice_units(tables).items():
            (tmp / unit).mkdir()
            for name, df in parts.items():
                df.reset_index(drop=True).to_parquet(tmp / unit / f"{name}.parquet", index=False)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1))
        try:
            os.rename(tmp, target)
        except OSError:  # another process ingested the same source first
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def read_meta(store: Path) -> dict:
    """The meta data of an ingested source."""
    return json.loads((Path(store) / "meta.json").read_text())


def load_unit(store: Path, unit: str) -> dict[str, pd.DataFrame]:
    """Every table of one unit's slice."""
    folder = Path(store) / unit
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
