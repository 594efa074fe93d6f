"""Report periods: quarters (2026Q3), months (2026-09) and years (2026)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from riskbook.core.errors import ParamError

_Q = re.compile(r"^(\d{4})Q([1-4])$")
_M = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_Y = re.compile(r"^(\d{4})$")

TRAILING: dict[str, int] = {"Q": 8, "M": 12, "Y": 5}  # periods a trend chart shows, per period kind


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period; ``kind`` is 'Q', 'M' or 'Y'."""

    start: pd.Timestamp
    kind: str

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        """Parse '2026Q3', '2026-09' or '2026'."""
        if isinstance(text, Period):
            return text
        s = str(text).strip().upper()
        if m := _Q.match(s):
            return cls(pd.Timestamp(int(m[1]), 3 * int(m[2]) - 2, 1), "Q")
        if m := _M.match(s):
            return cls(pd.Timestamp(int(m[1]), int(m[2]), 1), "M")
        if m := _Y.match(s):
            return cls(pd.Timestamp(int(m[1]), 1, 1), "Y")
        raise ParamError(f"period {text!r} is not a quarter (2026Q3), month (2026-09) or year (2026)")

    @property
    def months(self) -> int:
        return {"Q": 3, "M": 1, "Y": 12}[self.kind]

    @property
    def end(self) -> pd.Timestamp:
        """Last day of the period."""
        return self.start + pd.DateOffset(months=self.months) - pd.Timedelta(days=1)

    @property
    def end_exclusive(self) -> pd.Timestamp:
        return self.start + pd.DateOffset(months=self.months)

    @property
    def days(self) -> int:
        return int((self.end_exclusive - self.start).days)

    def shift(self, n: int) -> Period:
        """The period ``n`` steps later (negative: earlier)."""
        return Period(self.start + pd.DateOffset(months=self.months * n), self.kind)

    @property
    def previous(self) -> Period:
        return self.shift(-1)

    @property
    def year_ago(self) -> Period:
        return self.shift(-12 // self.months)

    def trailing(self, n: int) -> list[Period]:
        """The ``n`` periods ending with this one, oldest first."""
        return [self.shift(-i) for i in range(n - 1, -1, -1)]

    def span(self, months: int) -> Period:
        """The ``months`` months (3 or 12) that end with this period: for 2026-08 and 3, June to August."""
        kind = {1: "M", 3: "Q", 12: "Y"}[months]
        return Period(self.end_exclusive - pd.DateOffset(months=months), kind)

    @property
    def aligned(self) -> bool:
        """Whether the period starts where its kind's calendar periods do (a span may not)."""
        return (self.start.month - 1) % self.months == 0

    @property
    def per_year(self) -> int:
        return 12 // self.months

    def __str__(self) -> str:
        if not self.aligned:  # a span: June to August 2026
            return f"{self.start:%Y-%m}..{self.end:%Y-%m}"
        if self.kind == "Q":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "M":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.year}"


COVER_SLACK_DAYS = 6  # data that stops this close to a period's end covers it (a quiet weekend, a holiday)


def latest_covered(data_end: pd.Timestamp, as_of: pd.Timestamp | None = None, kind: str = "Q") -> Period:
    """The latest period of ``kind`` that the data covers: it has ended by ``as_of`` and the data
    reaches its last days (within COVER_SLACK_DAYS of its end)."""
    end = pd.Timestamp(data_end).normalize()
    p = latest_complete(end + pd.Timedelta(days=COVER_SLACK_DAYS), kind)
    while as_of is not None and p.end > pd.Timestamp(as_of):
        p = p.previous
    return p


def latest_complete(last_date: pd.Timestamp, kind: str = "Q") -> Period:
    """The latest period of ``kind`` that ends on or before ``last_date``."""
    last = pd.Timestamp(last_date).normalize()
    if kind == "Q":
        p = Period(pd.Timestamp(last.year, 3 * ((last.month - 1) // 3) + 1, 1), "Q")
    elif kind == "M":
        p = Period(pd.Timestamp(last.year, last.month, 1), "M")
    else:
        p = Period(pd.Timestamp(last.year, 1, 1), "Y")
    return p if p.end <= last else p.previous
