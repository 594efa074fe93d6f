"""Ingest once: read and check a source, store it as Arrow files sliced by unit with its findings, keyed by
the content of everything it is built from; and read a store back, checked for damage.

The steps live beside this module: the key (:mod:`riskbook.ingest.storekey`), reading the source
(:mod:`riskbook.ingest.sourcetables`), the checks (:mod:`riskbook.ingest.checks`), the meta data
(:mod:`riskbook.ingest.storemeta`) and the unit slices (:mod:`riskbook.ingest.storeslices`)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import feather

from riskbook.core import config
from riskbook.core.errors import DataError
from riskbook.ingest import checks
from riskbook.ingest.sourcetables import _load
from riskbook.ingest.storekey import source_hash
from riskbook.ingest.storemeta import store_meta
from riskbook.ingest.storeslices import write_slices
from riskbook.settings.sources import Source


def ingest(source: Source | Path, root: Path | None = None, as_of: pd.Timestamp | None = None) -> Path:
    """Read and check a source once and return the store directory holding its unit slices and findings."""
    if not isinstance(source, Source):
        source = Source(folder=Path(source))
    root = Path(root or config.STORE_DIR)
    as_of = pd.Timestamp(as_of or source.as_of or pd.Timestamp.today()).normalize()
    loaded = _load(source) if source.has_sql else None
    target = root / source_hash(source, as_of, loaded.tables if loaded else None)
    if _reuse(target):
        return target
    loaded = loaded if loaded is not None else _load(source)
    tables, findings = checks.run(loaded.tables, loaded.flagged, loaded.files, loaded.names, as_of)
    meta = store_meta(source.label, as_of, loaded, tables, findings)
    root.mkdir(parents=True, exist_ok=True)
    _build(root, target, tables, findings, meta)
    prune(root, keep=target)
    return target


def _reuse(target: Path) -> bool:
    """Whether the store at ``target`` was built already and is whole (then marked as in use); a damaged one
    is removed, to be built again."""
    if not (target / "meta.json").exists():
        return False
    problem = damage(target)
    if problem is None:
        os.utime(target)  # in use: keeps it off prune()'s list
        return True
    print(f"riskbook: the cached store {target} is damaged ({problem}): ingesting the data again", file=sys.stderr)
    shutil.rmtree(target, ignore_errors=True)
    return False


def _build(root: Path, target: Path, tables: dict[str, pa.Table], findings: pa.Table, meta: dict) -> None:
    """Write the store in a folder of its own under ``root`` and rename it to ``target`` once complete (where
    another process ingested the same source first, its store stands); nothing half-written is left."""
    tmp = Path(tempfile.mkdtemp(prefix=".ingest-", dir=root))
    try:
        write_slices(tmp, tables, findings, meta["units"])
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
