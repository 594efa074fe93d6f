"""Ingest once: validate a source, store it as Parquet sliced by unit, keyed by content hash."""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import xxhash
import yaml
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import feather

from . import config
from .exceptions import ParamError
from .loader import find_tables, flag_duplicates, flag_quality, load_folder
from .mapping import load_mapping
from .sources import Source

STORE_VERSION = "3"  # Arrow IPC slices; duplicates flagged per slice at ingest


def file_hash(path: Path) -> str:
    """Content hash of a file, remembered by (size, mtime) so an unchanged file is not read again."""
    path = Path(path).resolve()
    st = path.stat()
    memo_file = config.CACHE_DIR / "file-hashes.json"
    try:
        memo = json.loads(memo_file.read_text())
    except (OSError, ValueError):
        memo = {}
    key = str(path)
    if memo.get(key, [None, None])[:2] == [st.st_size, st.st_mtime_ns]:
        return memo[key][2]
    h = xxhash.xxh3_128()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 24), b""):
            h.update(block)
    memo[key] = [st.st_size, st.st_mtime_ns, h.hexdigest()]
    memo_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = memo_file.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(memo))
    tmp.replace(memo_file)
    return memo[key][2]


def source_hash(source: Source, tables: dict[str, pd.DataFrame] | None = None) -> str:
    """Content hash of a source's inputs and mapping (and the store format)."""
    h = hashlib.sha256(STORE_VERSION.encode())
    if source.folder is not None:
        for name, path in sorted(find_tables(source.folder).items()):
            h.update(f"{name}:{file_hash(path)}".encode())
    else:
        h.update(yaml.safe_dump(source.specs, sort_keys=True, allow_unicode=True).encode())
        for path in source.files():
            if path.exists():
                h.update(f"{path.name}:{file_hash(path)}".encode())
        for name, df in sorted((tables or {}).items()):  # SQL results: hash what the query returned
            h.update(name.encode())
            h.update(pd.util.hash_pandas_object(df, index=False).to_numpy().tobytes())
    return h.hexdigest()[:16]


def _load(source: Source) -> dict[str, pd.DataFrame]:
    """Every table of the source, validated, typed and flagged for data quality."""
    if source.folder is not None:
        tables = load_folder(source.folder)
    else:
        tables = load_mapping(source.specs, source.base, source.where)
    if "payments" in tables and "invoices" not in tables:
        raise ParamError(f"{source.label}: payments need invoices too (a payment takes its unit from its invoice)")
    flag_quality(tables)
    return tables


def _slice_units(tables: dict[str, pd.DataFrame]) -> dict[str, dict[str, pd.DataFrame]]:
    """Each table cut into one slice per unit (rows without a unit go to every unit)."""
    units = sorted(tables["orders"]["unit"].dropna().unique())
    if "invoices" in tables and "payments" in tables:  # a payment belongs to its invoice's unit
        inv, pay = tables["invoices"], tables["payments"]
        keys = pa.array(inv["invoice_id"], from_pandas=True)
        pos = pc.index_in(pa.array(pay["invoice_id"], from_pandas=True).cast(keys.type), value_set=keys)
        unit_of = pa.array(inv["unit"], from_pandas=True).take(pos)  # first invoice of each id; null if unknown
        pay["unit"] = pd.Series(unit_of.to_pandas(), index=pay.index).astype(inv["unit"].dtype)
    out: dict[str, dict[str, pd.DataFrame]] = {u: {} for u in units}
    for name, df in tables.items():
        if "unit" not in df.columns:
            for u in units:
                out[u][name] = df
            continue
        codes, uniques = pd.factorize(df["unit"])
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(-1, len(uniques) + 1))
        shared = df.iloc[order[bounds[0]:bounds[1]]]  # code -1: no unit
        for i, u in enumerate(uniques):
            if u in out:
                part = df.iloc[order[bounds[i + 1]:bounds[i + 2]]]
                out[u][name] = pd.concat([part, shared]) if len(shared) else part
        for u in units:
            out[u].setdefault(name, shared if len(shared) else df.iloc[:0])
    return out


def ingest(source: Source | Path, root: Path | None = None) -> Path:
    """Validate a source once and return the store directory holding its unit slices."""
    if not isinstance(source, Source):
        source = Source(folder=Path(source))
    root = Path(root or config.STORE_DIR)
    tables = _load(source) if source.has_sql else None
    target = root / source_hash(source, tables)
    if (target / "meta.json").exists():
        return target
    tables = tables if tables is not None else _load(source)
    orders = tables["orders"]
    meta = {
        "source": source.label,
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
        slices = _slice_units(tables)

        def write(unit: str, name: str, df: pd.DataFrame) -> None:
            df = df.reset_index(drop=True)
            df["_dup"] = flag_duplicates(name, df)  # within the unit's slice, once, not at every load
            feather.write_feather(df, tmp / unit / f"{name}.arrow", compression="uncompressed")

        for unit in slices:
            (tmp / unit).mkdir()
        with ThreadPoolExecutor(max_workers=2) as pool:
            for f in [pool.submit(write, u, n, df) for u, parts in slices.items() for n, df in parts.items()]:
                f.result()
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
    """Every table of one unit's slice (``_dup`` marks duplicate rows, ``_dq`` failed checks)."""
    folder = Path(store) / unit
    return {p.stem: feather.read_table(p, memory_map=True).to_pandas() for p in sorted(folder.glob("*.arrow"))}
