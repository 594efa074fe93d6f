"""Ingest once: read and check a source, store it as Arrow files sliced by unit with its findings, keyed by
the content of everything it is built from."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xxhash
import yaml
from pyarrow import feather

from riskbook.core import config
from riskbook.core.errors import DataError, ParamError
from riskbook.core.schema import TABLES
from riskbook.ingest import checks
from riskbook.ingest.arrowread import read_typed, to_arrow
from riskbook.ingest.loader import Flagged, find_tables, load_table
from riskbook.ingest.mapping import load_mapping
from riskbook.settings.sources import Source

STORE_VERSION = "10"  # content hashes of the store files (store_hashes), checked on reuse and on load


MEMO_MAX = 4096  # file hashes remembered (the most recently used): enough for every export in use


class FileHashes:
    """Content hashes of files, remembered in the cache by size, modification and inode-change times and
    inode, so an unchanged file is not read again (a copy that restores the modification time, as
    ``cp -p`` or ``rsync -t`` do, still changes the inode-change time). The memo is read once and
    written once per source, and keeps the MEMO_MAX most recently used files."""

    def __init__(self) -> None:
        self.path = config.CACHE_DIR / "file-hashes.json"
        try:
            self.memo: dict[str, list] = json.loads(self.path.read_text())
        except (OSError, ValueError):
            self.memo = {}
        self.changed = False

    def __call__(self, path: Path) -> str:
        path = Path(path).resolve()
        st = path.stat()
        key, stamp = str(path), [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
        entry = self.memo.pop(key, None)  # popped and put back: the dict's order is the order of use
        if entry is None or entry[:4] != stamp:
            h = xxhash.xxh3_128()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 24), b""):
                    h.update(block)
            entry = [*stamp, h.hexdigest()]
        self.memo[key] = entry
        self.changed = True
        return entry[4]

    def save(self) -> None:
        if not self.changed:
            return
        memo = dict(list(self.memo.items())[-MEMO_MAX:])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(memo))
        tmp.replace(self.path)


def file_hash(path: Path) -> str:
    """Content hash of one file (remembered: see FileHashes)."""
    hashes = FileHashes()
    try:
        return hashes(path)
    finally:
        hashes.save()


def source_hash(source: Source, as_of: pd.Timestamp, tables: dict[str, pa.Table] | None = None) -> str:
    """A key covering everything a store is built from: every file the source reads (its path, name,
    format and content), the mapping, the SQL results, the as-of date and the store format."""
    h = hashlib.sha256(f"{STORE_VERSION}|{as_of.date()}".encode())
    file_hash = FileHashes()
    try:
        _hash_inputs(h, source, file_hash, tables)
    finally:
        file_hash.save()
    return h.hexdigest()[:16]


def _hash_inputs(h: Any, source: Source, file_hash: FileHashes, tables: dict[str, pa.Table] | None) -> None:
    if source.folder is not None:
        h.update(str(Path(source.folder).resolve()).encode())
        for name, path in sorted(find_tables(source.folder).items()):
            h.update(f"{name}:{path.name}:{file_hash(path)}".encode())
    else:
        h.update(yaml.safe_dump(source.specs, sort_keys=True, allow_unicode=True).encode())
        for path in source.files():
            if not path.is_file():
                raise DataError(
                    str(path),
                    "file not found" if not path.exists() else "is a folder, not a file",
                    fix="check the file: entries under sources: in the company file",
                )
            h.update(f"{path.resolve()}:{file_hash(path)}".encode())
        for name, table in sorted((tables or {}).items()):  # SQL results: hash what the query returned
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            h.update(f"{name}:{xxhash.xxh3_128(memoryview(sink.getvalue())).hexdigest()}".encode())


def _read_one(name: str, path: Path) -> tuple[pa.Table, list[Flagged]]:
    """One canonical table: Arrow's typed reader where it can be sure, else the exact path."""
    table = read_typed(name, path)
    if table is not None:
        return table, []
    df, flagged = load_table(name, path)
    return to_arrow(df, name), flagged


@dataclass
class Loaded:
    """A source's tables as read: typed tables, the values readers left empty, file labels, and the
    user's name of each canonical column."""

    tables: dict[str, pa.Table]
    flagged: dict[str, list[Flagged]]
    files: dict[str, str]
    names: dict[str, dict[str, str]]


def _load(source: Source) -> Loaded:
    """Every table of the source, typed; row problems kept for the checks."""
    if source.folder is not None:
        paths = find_tables(source.folder)
        with ThreadPoolExecutor(max_workers=2) as pool:  # Arrow's reader and kernels release the GIL
            big_first = sorted(paths, key=lambda name: -paths[name].stat().st_size)
            futures = {name: pool.submit(_read_one, name, paths[name]) for name in big_first}
        read = {name: futures[name].result() for name in paths}  # the first table's error first
        loaded = Loaded(
            {n: t for n, (t, _) in read.items()},
            {n: f for n, (_, f) in read.items()},
            {n: str(p) for n, p in paths.items()},
            {},
        )
    else:
        mapped = load_mapping(source.specs, source.base, source.where)
        loaded = Loaded(
            {n: to_arrow(df, n) for n, (df, _, _) in mapped.items()},
            {n: f for n, (_, f, _) in mapped.items()},
            {n: o.label for n, (_, _, o) in mapped.items()},
            {n: dict(o.names) for n, (_, _, o) in mapped.items()},
        )
    tables = loaded.tables
    if not tables["orders"].num_rows:
        raise DataError(
            loaded.files["orders"],
            "has a header but no rows: there is nothing to report on",
            fix="export the order lines again",
        )
    if "payments" in tables and "invoices" not in tables:
        raise ParamError(f"{source.label}: payments need invoices too (a payment takes its unit from its invoice)")
    return loaded


def _unit_codes(table: pa.Table) -> tuple[np.ndarray, list[str]]:
    """Each row's unit as a small integer (-1: no unit), and the unit of each code."""
    enc = pc.dictionary_encode(table["unit"].combine_chunks())
    codes = (
        enc.indices.fill_null(-1)
        .to_numpy(zero_copy_only=False)
        .astype(np.int16 if len(enc.dictionary) < 2**15 else np.int64)
    )
    return codes, enc.dictionary.to_pylist()


def _slices(name: str, table: pa.Table, units: list[str]) -> list[tuple[str, pa.Table]]:
    """``table`` cut into one slice per unit, in file order. Rows without a unit go to every unit where
    the unit is optional (inventory); where it is required they belong to no unit (their findings say so)."""
    if "unit" not in table.column_names:
        return [(unit, table) for unit in units]
    unit_code, names = _unit_codes(table)
    if len(unit_code) > 1 and (np.diff(unit_code) < 0).any():  # group each unit's rows, keeping file order
        order = np.argsort(unit_code, kind="stable")
        table, unit_code = table.take(order), unit_code[order]
    bounds = np.searchsorted(unit_code, np.arange(-1, len(names) + 1))
    optional = (
        not TABLES[name].column("unit").required
        if name in TABLES and any(c.name == "unit" for c in TABLES[name].columns)
        else False
    )
    shared = slice(bounds[0], bounds[1]) if optional else slice(0, 0)
    out = []
    for unit in units:
        i = names.index(unit) if unit in names else None
        mine = slice(bounds[i + 1], bounds[i + 2]) if i is not None else slice(0, 0)
        rows = [table.slice(s.start, s.stop - s.start) for s in (mine, shared) if s.stop > s.start]
        out.append((unit, pa.concat_tables(rows) if rows else table.slice(0, 0)))
    return out


def _write(table: pa.Table, path: Path) -> None:
    """One slice as an uncompressed Arrow file. Text is stored as large_string, the layout of pandas'
    own str columns, so a notebook's load maps the file's buffers instead of copying them."""
    wide = pa.schema([f.with_type(pa.large_string()) if f.type == pa.string() else f for f in table.schema])
    feather.write_feather(table.cast(wide), path, compression="uncompressed")


def _dates(tables: dict[str, pa.Table], as_of: pd.Timestamp) -> dict[str, list[str]]:
    """First and last date of each dated table, leaving out dates after ``as_of``."""
    limit = pa.scalar(as_of.to_pydatetime(), pa.timestamp("ns"))
    out = {}
    for name, t in sorted(tables.items()):
        col = TABLES[name].date_col
        if not col or col not in t.column_names:
            continue
        d = t[col].filter(pc.less_equal(t[col], limit))
        lo, hi = pc.min(d).as_py(), pc.max(d).as_py()
        if lo is not None:
            out[name] = [str(lo.date()), str(hi.date())]
    return out


def _monthly(tables: dict[str, pa.Table], as_of: pd.Timestamp) -> dict[str, dict[str, int]]:
    """Rows per month (YYYY-MM) of the tables a report counts from, up to ``as_of``: whether the export's
    last month is complete (riskbook.core.coverage)."""
    from riskbook.core.coverage import TABLES as COUNTED

    limit = pa.scalar(as_of.to_pydatetime(), pa.timestamp("ns"))
    out = {}
    for name, col in COUNTED.items():
        t = tables.get(name)
        if t is None or col not in t.column_names:
            continue
        d = t[col].filter(pc.less_equal(t[col], limit))
        months = pc.strftime(d, format="%Y-%m").combine_chunks() if len(d) else pa.array([], pa.string())
        counts = pc.value_counts(months).to_pylist()
        out[name] = {c["values"]: int(c["counts"]) for c in sorted(counts, key=lambda c: c["values"] or "")}
    return out


def _gap_days(tables: dict[str, pa.Table], as_of: pd.Timestamp) -> dict[str, int | None]:
    """The longest usual gap, in days, between rows of each table a report counts from, over the year before
    its last date (riskbook.core.coverage): an export that stops sooner before a period's end is cut."""
    from riskbook.core.coverage import TABLES as COUNTED
    from riskbook.core.coverage import gap_allowance

    out = {}
    for name, col in COUNTED.items():
        t = tables.get(name)
        if t is None or col not in t.column_names or not t.num_rows:
            continue
        d = pd.Series(t[col].to_pandas()).dropna()
        d = d[d <= as_of]
        if len(d):
            out[name] = gap_allowance(d, d.max() + pd.Timedelta(days=1))  # None: too few days to tell
    return out


def summarise_findings(findings: pa.Table) -> list[dict]:
    """Counts of the findings by table, check, column and severity, errors and the most frequent first."""
    if not findings.num_rows:
        return []
    keys = ["table", "check", "column", "severity"]
    counts = findings.group_by(keys, use_threads=False).aggregate([([], "count_all")])
    out = []
    for r in counts.to_pylist():
        out.append({k: r[k] for k in keys} | {"count": int(r["count_all"])})
    out.sort(key=lambda x: (x["severity"] != "error", -x["count"], x["table"], x["check"]))
    return out


def ingest(source: Source | Path, root: Path | None = None, as_of: pd.Timestamp | None = None) -> Path:
    """Read and check a source once and return the store directory holding its unit slices and findings."""
    if not isinstance(source, Source):
        source = Source(folder=Path(source))
    root = Path(root or config.STORE_DIR)
    as_of = pd.Timestamp(as_of or source.as_of or pd.Timestamp.today()).normalize()
    loaded = _load(source) if source.has_sql else None
    target = root / source_hash(source, as_of, loaded.tables if loaded else None)
    if (target / "meta.json").exists():
        problem = damage(target)
        if problem is None:
            os.utime(target)  # in use: keeps it off prune()'s list
            return target
        print(f"riskbook: the cached store {target} is damaged ({problem}): ingesting the data again", file=sys.stderr)
        shutil.rmtree(target, ignore_errors=True)
    loaded = loaded if loaded is not None else _load(source)
    tables, findings = checks.run(loaded.tables, loaded.flagged, loaded.files, loaded.names, as_of)
    units = sorted(pc.unique(tables["orders"]["unit"]).drop_null().to_pylist())
    if not units:
        raise DataError(
            loaded.files["orders"],
            "no row has a usable unit",
            column="unit",
            fix="fill the unit column, or map it (unit: in a sources: mapping)",
        )
    dates = _dates(tables, as_of)
    if "orders" not in dates:
        raise DataError(loaded.files["orders"], "no order line has a usable order_date", column="order_date")
    meta = {
        "source": source.label,
        "as_of": str(as_of.date()),
        "tables": sorted(tables),
        "files": loaded.files,
        "names": loaded.names,
        "units": units,
        "first_date": dates["orders"][0],
        "last_date": dates["orders"][1],
        "data_end": max(hi for _, hi in dates.values()),
        "dates": dates,
        "monthly": _monthly(tables, as_of),
        "gap_days": _gap_days(tables, as_of),
        "rows": {k: int(v.num_rows) for k, v in tables.items()},
        "findings": summarise_findings(findings),
    }
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".ingest-", dir=root))
    try:
        for unit in units:
            (tmp / unit).mkdir()
        # two threads (Arrow and numpy release the GIL): the biggest table first; each table's files are
        # written as soon as it is cut, beside the cutting of the next
        with ThreadPoolExecutor(max_workers=2) as pool:
            big_first = sorted(tables.items(), key=lambda kv: -kv[1].num_rows)
            cuts = [pool.submit(_slices, name, t, units) for name, t in big_first]
            writes = [pool.submit(_write, findings, tmp / "findings.arrow")]
            for (name, _), cut in zip(big_first, cuts):
                for unit, part in cut.result():
                    writes.append(pool.submit(_write, part, tmp / unit / f"{name}.arrow"))
            for w in writes:
                w.result()
        meta["store_bytes"] = {p.relative_to(tmp).as_posix(): p.stat().st_size for p in sorted(tmp.rglob("*.arrow"))}
        meta["store_hashes"] = {p.relative_to(tmp).as_posix(): content_hash(p) for p in sorted(tmp.rglob("*.arrow"))}
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


def content_hash(path: Path) -> str:
    """A file's content hash (xxh3-128): store files are checked by what they hold, not by their size."""
    import xxhash

    h = xxhash.xxh3_128()
    with Path(path).open("rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def damage(store: Path, only: str | None = None) -> str | None:
    """What is wrong with an ingested store (a file missing, or its content changed since it was written —
    cut short, grown, or overwritten with other bytes of the same size; its meta data unreadable), or None
    when every file it wrote holds what it wrote. ``only``: the files under that folder (one unit's)."""
    try:
        meta = json.loads((store / "meta.json").read_text())
        hashes = meta["store_hashes"]
        if not isinstance(hashes, dict):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError):
        return "meta.json unreadable or from an older riskbook"
    for name, digest in hashes.items():
        if only is not None and not name.startswith(f"{only}/"):
            continue
        try:
            actual = content_hash(store / name)
        except OSError:
            return f"{name} missing"
        if actual != digest:
            return f"{name} changed since it was written"
    return None


KEEP_STORES = 3  # the most recently used stores are always kept ...
KEEP_SECONDS = 86_400  # ... and so is any store used in the last day


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
    """Every table of one unit's slice (``_row`` the spreadsheet row, ``_dq`` the first error the row
    fails, ``_dup`` a duplicate, ``_drop`` left out of the KRIs)."""
    folder = Path(store) / unit
    problem = damage(Path(store), only=unit)
    if problem is not None:
        raise DataError(
            str(folder), f"the cached store is damaged ({problem})", fix="run riskbook again: it ingests the data anew"
        )
    return {p.stem: feather.read_table(p, memory_map=True).to_pandas() for p in sorted(folder.glob("*.arrow"))}


def load_findings(store: Path, unit: str | None = None) -> pd.DataFrame:
    """The findings of a store: those of ``unit`` and those that belong to no unit, or all of them."""
    t = feather.read_table(Path(store) / "findings.arrow", memory_map=True)
    if unit is not None:
        t = t.filter(pc.or_kleene(pc.equal(t["unit"], unit), pc.is_null(t["unit"])))
    return t.to_pandas()
