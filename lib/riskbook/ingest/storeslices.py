"""A checked source cut into one slice per unit and written as Arrow files (:mod:`riskbook.ingest.store`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import feather

from riskbook.core.schema import TABLES


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


def write_slices(folder: Path, tables: dict[str, pa.Table], findings: pa.Table, units: list[str]) -> None:
    """Every table's slices into ``folder``/<unit>/<table>.arrow, and the findings into ``folder``/findings.arrow."""
    for unit in units:
        (folder / unit).mkdir()
    # two threads (Arrow and numpy release the GIL): the biggest table first; each table's files are
    # written as soon as it is cut, beside the cutting of the next
    with ThreadPoolExecutor(max_workers=2) as pool:
        big_first = sorted(tables.items(), key=lambda kv: -kv[1].num_rows)
        cuts = [pool.submit(_slices, name, t, units) for name, t in big_first]
        writes = [pool.submit(_write, findings, folder / "findings.arrow")]
        for (name, _), cut in zip(big_first, cuts):
            for unit, part in cut.result():
                writes.append(pool.submit(_write, part, folder / unit / f"{name}.arrow"))
        for w in writes:
            w.result()
