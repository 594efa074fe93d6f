"""Period slices of a unit's tables, cut once and shared.

A unit's report asks for the same rows many times: every KRI at every period of its history, the evidence
tables, the stages after them. A mask over the whole table for each ask costs the table's length each time.
Here each of the unit's tables is ordered by a date column once (an index into it, the table itself keeps its
file order); a window of dates is then two binary searches, and the rows it holds are taken in file order,
so a slice is exactly what the mask ``start <= date < end`` gives. Each window is cut once and kept for every
later ask: a :class:`riskbook.kris.Context` and every ``at()`` of it share one :class:`Slices`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import pandas as pd


class Slices:
    """The unit's tables indexed by date, the windows cut from them, and other values derived once."""

    def __init__(self) -> None:
        self._frames: dict[int, pd.DataFrame] = {}  # id → a frame that may be indexed (kept alive here)
        self._index: dict[tuple[int, str], tuple[np.ndarray, np.ndarray] | None] = {}
        self._cuts: dict[tuple[Any, ...], pd.DataFrame] = {}
        self._values: dict[Hashable, Any] = {}

    def register(self, *frames: pd.DataFrame) -> None:
        """Frames the unit keeps for the whole run (its tables, the completed order lines): only these are
        indexed, a frame made for one question is cut with a mask."""
        for df in frames:
            self._frames[id(df)] = df

    def value(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``make()``, computed once for ``key`` (a value every ``at()`` of the context may ask for again)."""
        if key not in self._values:
            self._values[key] = make()
        return self._values[key]

    def registered(self, df: pd.DataFrame) -> bool:
        """Whether ``df`` is one of the frames kept for the run (so that a value keyed by its id stays its)."""
        return self._frames.get(id(df)) is df

    def _sorted(self, df: pd.DataFrame, col: str) -> tuple[np.ndarray, np.ndarray] | None:
        """(row positions ordered by ``col``, the dates in that order) without the rows with no date;
        None when ``df`` is not a registered frame or ``col`` is not a plain date column. Only a registered
        frame's answer is kept: another frame's id may be a later frame's."""
        if not self.registered(df) or col not in df.columns:
            return None
        key = (id(df), col)
        if key not in self._index:
            d = df[col]
            if not isinstance(d.dtype, np.dtype) or d.dtype.kind != "M":
                self._index[key] = None
            else:
                values = d.to_numpy()
                pos = np.flatnonzero(~np.isnat(values))
                order = pos[np.argsort(values[pos], kind="stable")]
                self._index[key] = (order, values[order])
        return self._index[key]

    def window(self, df: pd.DataFrame, col: str, start: pd.Timestamp, end: pd.Timestamp, closed: bool) -> pd.DataFrame:
        """Rows of ``df`` whose ``col`` falls from ``start`` to ``end`` (``end`` included when ``closed``),
        in the frame's own order: what the mask gives, cut once."""
        index = self._sorted(df, col)
        if index is None:
            d = df[col]
            return df[(d >= start) & ((d <= end) if closed else (d < end))]
        key = (id(df), col, start, end, closed)
        cut = self._cuts.get(key)
        if cut is None:
            order, dates = index
            lo = np.searchsorted(dates, _as(start, dates), side="left")
            hi = np.searchsorted(dates, _as(end, dates), side="right" if closed else "left")
            cut = self._cuts[key] = df.take(np.sort(order[lo:hi]))
        return cut

    def upto(self, df: pd.DataFrame, col: str, end: pd.Timestamp) -> np.ndarray | None:
        """Positions of the rows of ``df`` whose ``col`` is on or before ``end``, ordered by ``col`` (rows of
        one date in file order); None when ``df`` is not indexed."""
        index = self._sorted(df, col)
        if index is None:
            return None
        order, dates = index
        return order[: np.searchsorted(dates, _as(end, dates), side="right")]


def _as(ts: pd.Timestamp, dates: np.ndarray) -> np.datetime64:
    """``ts`` in the resolution of ``dates`` (a binary search compares like with like)."""
    return pd.Timestamp(ts).to_datetime64().astype(dates.dtype)
