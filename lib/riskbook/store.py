"""Ingest once: validate a source, store it as Arrow files sliced by unit, keyed by content hash."""
from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor, as_completed
import os
import shutil
import tempfile
import time
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
from .arrowread import read_typed, to_arrow
from .flags import duplicates, flag_quality, key_columns, known_ids
from .loader import find_tables, load_table
from .mapping import load_mapping
from .sources import Source

STORE_VERSION = "6"  # Arrow IPC slices (large_string text); duplicates flagged at ingest; problems in meta


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


def source_hash(source: Source, tables: dict[str, pa.Table] | None = None) -> str:
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
        for name, table in sorted((tables or {}).items()):  # SQL results: hash what the query returned
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            h.update(f"{name}:{xxhash.xxh3_128(memoryview(sink.getvalue())).hexdigest()}".encode())
    return h.hexdigest()[:16]


def _read_one(name: str, path: Path) -> pa.Table:
    """One canonical table: Arrow's typed reader where it can be sure, else the exact path."""
    table = read_typed(name, path)
    return table if table is not None else to_arrow(load_table(name, path), name)


def _load(source: Source) -> dict[str, pa.Table]:
    """Every table of the source, validated and typed."""
    if source.folder is not None:
        paths = find_tables(source.folder)
        with ThreadPoolExecutor(max_workers=2) as pool:  # Arrow's reader and kernels release the GIL
            big_first = sorted(paths, key=lambda name: -paths[name].stat().st_size)
            futures = {name: pool.submit(_read_one, name, paths[name]) for name in big_first}
        tables = {name: futures[name].result() for name in paths}  # the first table's error first
    else:
        mapped = load_mapping(source.specs, source.base, source.where)
        tables = {name: to_arrow(df, name) for name, df in mapped.items()}
    if "payments" in tables and "invoices" not in tables:
        raise ParamError(f"{source.label}: payments need invoices too (a payment takes its unit from its invoice)")
    if "payments" in tables:  # a payment belongs to its invoice's unit (the first invoice with its id)
        inv, pay = tables["invoices"], tables["payments"]
        pos = pc.index_in(pay["invoice_id"], value_set=inv["invoice_id"].combine_chunks())
        unit_of = inv["unit"].combine_chunks().take(pos)
        tables["payments"] = pay.append_column("unit", unit_of)
    return tables


def _unit_codes(table: pa.Table) -> tuple[np.ndarray, list[str]]:
    """Each row's unit as a small integer (-1: no unit), and the unit of each code."""
    enc = pc.dictionary_encode(table["unit"].combine_chunks())
    codes = enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int16 if len(enc.dictionary) < 2**15
                                                                              else np.int64)
    return codes, enc.dictionary.to_pylist()


Slices = list[tuple[str, pa.Table, np.ndarray]]  # (unit, its rows, their _dup flags)


def _slices(name: str, table: pa.Table, units: list[str]) -> tuple[Slices, int]:
    """``table`` cut into one slice per unit (rows without a unit go to every unit), with each row's
    ``_dup`` flag: it repeats an earlier row of its slice; and how many rows repeat one of their unit."""
    key = [table[c] for c in key_columns(name, table)]
    if "unit" not in table.column_names:
        dup = duplicates(key)
        return [(unit, table, dup) for unit in units], int(dup.sum())
    unit_code, names = _unit_codes(table)
    # a row repeats an earlier row of its slice when it repeats its key *and unit*: one pass for all units
    dup = duplicates(key, group=(unit_code.astype(np.int64) + 1, len(names) + 1))
    if len(unit_code) > 1 and (np.diff(unit_code) < 0).any():  # group each unit's rows, keeping file order
        order = np.argsort(unit_code, kind="stable")
        table, unit_code, dup = table.take(order), unit_code[order], dup[order]
    bounds = np.searchsorted(unit_code, np.arange(-1, len(names) + 1))
    shared = slice(bounds[0], bounds[1])  # rows without a unit: appended to every unit's slice
    out = []
    for unit in units:
        i = names.index(unit) if unit in names else None
        mine = slice(bounds[i + 1], bounds[i + 2]) if i is not None else slice(0, 0)
        rows = [table.slice(s.start, s.stop - s.start) for s in (mine, shared) if s.stop > s.start]
        part = pa.concat_tables(rows) if rows else table.slice(0, 0)
        if shared.stop > shared.start:  # shared rows are compared with this unit's rows too
            out.append((unit, part, duplicates([part[c] for c in key_columns(name, part)])))
        else:
            out.append((unit, part, dup[mine]))
    return out, int(dup.sum())


def _prepare(name: str, table: pa.Table, known: dict[str, pa.Array], as_of: pd.Timestamp,
             units: list[str]) -> tuple[str, Slices, dict[str, int]]:
    """A table flagged and cut, and the count of each data-quality problem in it."""
    flagged = flag_quality(name, table, known, as_of)
    parts, dups = _slices(name, flagged, units)
    counts = pc.value_counts(flagged["_dq"].drop_null())
    problems = {str(v["values"]): int(v["counts"]) for v in counts.to_pylist()}
    if dups:
        problems["duplicate rows"] = dups
    return name, parts, problems


def _write(table: pa.Table, dup: np.ndarray, path: Path) -> None:
    """One slice as an uncompressed Arrow file. Text is stored as large_string, the layout of pandas'
    own str columns, so a notebook's load maps the file's buffers instead of copying them."""
    table = table.append_column("_dup", pa.array(dup, pa.bool_()))
    wide = pa.schema([f.with_type(pa.large_string()) if f.type == pa.string() else f for f in table.schema])
    feather.write_feather(table.cast(wide), path, compression="uncompressed")


def ingest(source: Source | Path, root: Path | None = None) -> Path:
    """Validate a source once and return the store directory holding its unit slices."""
    if not isinstance(source, Source):
        source = Source(folder=Path(source))
    root = Path(root or config.STORE_DIR)
    tables = _load(source) if source.has_sql else None
    target = root / source_hash(source, tables)
    if (target / "meta.json").exists():
        os.utime(target)  # in use: keeps it off prune()'s list
        return target
    tables = tables if tables is not None else _load(source)
    as_of = pd.Timestamp.today().normalize()  # a row dated after the ingest date is future-dated
    dates = tables["orders"]["order_date"]
    past = dates.filter(pc.less_equal(dates, pa.scalar(as_of.to_pydatetime(), pa.timestamp("ns"))))
    units = sorted(pc.unique(tables["orders"]["unit"]).drop_null().to_pylist())
    meta = {
        "source": source.label,
        "tables": sorted(tables),
        "units": units,
        "first_date": str(pc.min(dates).as_py().date()),
        "last_date": str(pc.max(past if len(past) else dates).as_py().date()),
        "rows": {k: int(v.num_rows) for k, v in tables.items()},
        "problems": {},  # table -> problem -> rows: what the reports' data-quality sections show
    }
    known = known_ids(tables)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".ingest-", dir=root))
    try:
        for unit in units:
            (tmp / unit).mkdir()
        # two threads (Arrow and numpy release the GIL): the biggest table first; each table's files are
        # written as soon as it is cut, beside the cutting of the next
        with ThreadPoolExecutor(max_workers=2) as pool:
            big_first = sorted(tables.items(), key=lambda kv: -kv[1].num_rows)
            cuts = [pool.submit(_prepare, name, t, known, as_of, units) for name, t in big_first]
            writes = []
            for cut in as_completed(cuts):
                name, parts, problems = cut.result()
                if problems:
                    meta["problems"][name] = problems
                for unit, part, dup in parts:
                    writes.append(pool.submit(_write, part, dup, tmp / unit / f"{name}.arrow"))
            for w in writes:
                w.result()
        meta["problems"] = {name: meta["problems"][name] for name in sorted(meta["problems"])}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False))
        try:
            os.rename(tmp, target)
        except OSError:  # another process ingested the same source first
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    prune(root, keep=target)
    return target


KEEP_STORES = 3          # the most recently used stores are always kept ...
KEEP_SECONDS = 86_400    # ... and so is any store used in the last day


def prune(root: Path, keep: Path | None = None) -> list[Path]:
    """Remove stores of earlier exports, so the cache does not grow with every new export: all but the
    KEEP_STORES most recently used, where unused for KEEP_SECONDS (and ingests left half-done by a
    killed process, as old). Returns what it removed."""
    if not root.is_dir():
        return []
    now = time.time()
    stores = sorted((p for p in root.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime, reverse=True)
    done = [p for p in stores if not p.name.startswith(".ingest-")]
    stale = [p for p in stores if p.name.startswith(".ingest-")] + done[KEEP_STORES:]
    gone = [p for p in stale if p != keep and now - p.stat().st_mtime > KEEP_SECONDS]
    for p in gone:
        shutil.rmtree(p, ignore_errors=True)
    return gone


def read_meta(store: Path) -> dict:
    """The meta data of an ingested source."""
    return json.loads((Path(store) / "meta.json").read_text())


def load_unit(store: Path, unit: str) -> dict[str, pd.DataFrame]:
    """Every table of one unit's slice (``_dup`` marks duplicate rows, ``_dq`` failed checks)."""
    folder = Path(store) / unit
    return {p.stem: feather.read_table(p, memory_map=True).to_pandas() for p in sorted(folder.glob("*.arrow"))}
