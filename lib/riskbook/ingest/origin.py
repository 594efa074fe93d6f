"""What a reader knows about a frame besides its values: where it came from (for one-line errors and
findings) and the values it could not use and left empty."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from riskbook.core.errors import DataError
from riskbook.ingest.loader import MISSING_TOKENS

MOSTLY = 0.5  # a column where more than this share of the values fails is unusable as a whole


@dataclass
class Origin:
    """Where a frame came from, for error messages and findings: file label, the spreadsheet row of
    the first data row, the source name of each canonical column, the missing-value tokens, date
    parsing, and whether it came through a ``sources:`` mapping (the fixes differ)."""

    label: str
    first_row: int = 2
    names: dict[str, str] = field(default_factory=dict)
    missing: tuple[str, ...] = MISSING_TOKENS
    date_format: str | None = "ISO8601"
    dayfirst: bool = False
    positions: np.ndarray | None = None  # file position of each row, where rows were filtered out
    mapped: bool = False

    def row(self, pos: int) -> int:
        """The spreadsheet row of the frame's row at ``pos``."""
        return int(self.positions[pos] if self.positions is not None else pos) + self.first_row

    def rows(self, n: int) -> np.ndarray:
        """The spreadsheet row of each of the ``n`` rows of the frame."""
        pos = np.asarray(self.positions, dtype=np.int64) if self.positions is not None else np.arange(n)
        return pos[:n] + self.first_row

    def col(self, name: str) -> str:
        """The source's name of the canonical column ``name``."""
        return self.names.get(name, name)

    def error(
        self, problem: str, pos: int | None = None, column: str | None = None, fix: str | None = None
    ) -> DataError:
        """A DataError on this frame, at the row of ``pos`` and the source's name of ``column``."""
        return DataError(
            self.label,
            problem,
            row=None if pos is None else self.row(pos),
            column=None if column is None else self.col(column),
            fix=fix,
        )


@dataclass
class Flagged:
    """Values a reader could not use and left empty: the check they fail, their canonical column,
    their positions in the frame, the values as the file gave them, and what was wrong."""

    check: str
    column: str
    pos: np.ndarray
    values: list[str]
    note: str = ""
    severity: str = "error"
    excluded: str = "value"  # what the KRIs leave out: the value (emptied), the whole row, or nothing
