"""A source's tables read for ingest (:mod:`riskbook.ingest.store`): canonical files through Arrow's typed
reader where it can be sure and the exact path otherwise, or a ``sources:`` mapping; typed as Arrow tables
with the values the readers left empty kept for the checks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from riskbook.core.errors import DataError, ParamError
from riskbook.ingest.arrowread import read_typed, to_arrow
from riskbook.ingest.canonical import load_table
from riskbook.ingest.loader import find_tables
from riskbook.ingest.mapping import load_mapping
from riskbook.ingest.origin import Flagged
from riskbook.settings.sources import Source


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
