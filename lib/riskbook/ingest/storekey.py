"""The key of a store (:mod:`riskbook.ingest.store`): a hash of everything it is built from — every file the
source reads, by content, its mapping, its SQL results, the as-of date and the store format — with the
content hashes of files remembered in the cache so an unchanged export is not read again."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import xxhash
import yaml

from riskbook.core import config
from riskbook.core.errors import DataError
from riskbook.ingest.loader import find_tables
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
        """The content hash of ``path``, read again only where its stamp changed."""
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
        """Write the memo back where it changed (its MEMO_MAX most recently used files)."""
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
    """Feed ``h`` what the source reads: a folder and its table files, or the mapping, its files and the
    SQL results."""
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
