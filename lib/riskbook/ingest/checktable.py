"""One table under check (:mod:`riskbook.ingest.checks`): its rows, the findings recorded against it, and
the exclusions and row flags they ask for."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskbook.core.findings import DUPLICATES, FINDINGS_SCHEMA
from riskbook.core.schema import TABLES

BLANK = "<blank>"  # a finding whose value is empty by what it is (a missing value, a whole duplicate row)
VALUE_CHARS = 120  # a value is shown up to this many characters


def _mask(arr: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A boolean Arrow column as numpy, nulls as False."""
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _text(arr: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Values as text, as a report shows them (dates as ISO dates, numbers without trailing .0)."""
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    if pa.types.is_timestamp(arr.type):
        return pc.strftime(arr, format="%Y-%m-%d")
    if pa.types.is_floating(arr.type):
        return pa.array([None if v is None else f"{v:.10g}" for v in arr.to_pylist()], pa.string())
    return arr.cast(pa.string())


class Table:
    """One table under check: its rows, the findings found in it, and the exclusions they ask for."""

    def __init__(self, name: str, t: pa.Table, file: str, names: dict[str, str]) -> None:
        self.name, self.t, self.file, self.names = name, t, file, names
        self.spec = TABLES[name]
        self.n = t.num_rows
        self.parts: list[dict[str, pa.Array]] = []
        self.nulled: dict[str, list[np.ndarray]] = {}
        self.drop = np.zeros(self.n, dtype=bool)
        self.dq = np.full(self.n, -1, dtype=np.int16)
        self.dq_labels: list[str] = []
        self.dup = np.zeros(self.n, dtype=bool)

    def has(self, col: str) -> bool:
        """Whether the table has the column ``col``."""
        return col in self.t.column_names

    def add(
        self,
        check: str,
        pos: np.ndarray,
        column: str | None,
        severity: str = "error",
        excluded: str = "",
        values: pa.Array | list[str] | str | None = None,
        note: str | pa.Array | None = None,
    ) -> None:
        """Record ``check`` failed by the rows at ``pos`` (``values``: as the file gave them, BLANK, or None
        to take them from ``column``)."""
        pos = np.asarray(pos, dtype=np.int64)
        if not len(pos):
            return
        take = pa.array(pos)
        shown = self._shown(take, column, values)
        self.parts.append(self._part(check, take, column, severity, excluded, shown, note))
        self._flag(check, pos, column, severity, excluded)

    def _shown(self, take: pa.Array, column: str | None, values: pa.Array | list[str] | str | None) -> pa.Array:
        """The values the findings show, as text of up to VALUE_CHARS: as given, empty (BLANK), or ``column``'s."""
        if values is BLANK:
            values = pa.repeat(pa.scalar("", pa.string()), len(take))
        elif values is None:
            values = (
                _text(self.t[column].take(take)) if column and self.has(column) else pa.nulls(len(take), pa.string())
            )
        values = pa.array(values, pa.string()) if isinstance(values, list) else values.cast(pa.string())
        return pc.utf8_slice_codeunits(values, 0, VALUE_CHARS)

    def _part(
        self,
        check: str,
        take: pa.Array,
        column: str | None,
        severity: str,
        excluded: str,
        values: pa.Array,
        note: str | pa.Array | None,
    ) -> dict[str, pa.Array]:
        """The findings of the rows at ``take``, column by column (FINDINGS_SCHEMA)."""
        n = len(take)
        undated = severity == "info"  # a line about many rows, not about the row it points at

        def same(v: str | None) -> pa.Array:
            return pa.repeat(pa.scalar(v, pa.string()), n)

        return {
            "check": same(check),
            "severity": same(severity),
            "table": same(self.name),
            "file": same(self.file),
            "row": self.t["_row"].take(take).combine_chunks().cast(pa.int64()),
            "unit": (
                self.t["unit"].take(take).combine_chunks().cast(pa.string())
                if self.has("unit")
                else pa.nulls(n, pa.string())
            ),
            "key": self._keys(take),
            "column": same(column),
            "value": values,
            "date": (
                self.t[self.spec.date_col].take(take).combine_chunks().cast(pa.timestamp("ns"))
                if self.spec.date_col and self.has(self.spec.date_col) and not undated
                else pa.nulls(n, pa.timestamp("ns"))
            ),
            "note": note if isinstance(note, pa.Array) else same(note),
            "excluded": same(excluded),
        }

    def _flag(self, check: str, pos: np.ndarray, column: str | None, severity: str, excluded: str) -> None:
        """What a finding does to its rows: the row left out or the value emptied, and the row flags
        (a duplicate, or the first error check it fails)."""
        if excluded == "row":
            self.drop[pos] = True
        elif excluded == "value" and column:
            self.nulled.setdefault(column, []).append(pos)
        if check in DUPLICATES:
            self.dup[pos] = True
        elif severity == "error":
            if check not in self.dq_labels:
                self.dq_labels.append(check)
            code = self.dq_labels.index(check)
            first = self.dq[pos] < 0
            self.dq[pos[first]] = code

    def _keys(self, take: pa.Array) -> pa.Array:
        """The key of each row at ``take`` as text (its key columns but the unit, each up to VALUE_CHARS,
        joined by " / ")."""
        key = [k for k in self.spec.key if self.has(k) and k != "unit"]
        if not key:
            return pa.nulls(len(take), pa.string())
        parts = [pc.utf8_slice_codeunits(pc.fill_null(_text(self.t[k].take(take)), ""), 0, VALUE_CHARS) for k in key]
        return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, " / ")

    def findings(self) -> pa.Table:
        """The findings recorded in this table, as one Arrow table."""
        if not self.parts:
            return FINDINGS_SCHEMA.empty_table()
        return pa.concat_tables([pa.table(p, schema=FINDINGS_SCHEMA) for p in self.parts])

    def result(self) -> pa.Table:
        """The table with its excluded values emptied and the row flags appended."""
        t = self.t
        for col, parts in self.nulled.items():
            mask = np.zeros(self.n, dtype=bool)
            mask[np.concatenate(parts)] = True
            i = t.column_names.index(col)
            arr = t[col]
            t = t.set_column(i, col, pc.if_else(pa.array(mask), pa.scalar(None, arr.type), arr))
        dq = pa.DictionaryArray.from_arrays(pa.array(self.dq, mask=self.dq < 0), pa.array(self.dq_labels, pa.string()))
        return (
            t.append_column("_dq", dq.cast(pa.string()))
            .append_column("_dup", pa.array(self.dup))
            .append_column("_drop", pa.array(self.drop))
        )
