"""Periods: parsing, neighbours, the latest complete one."""
from __future__ import annotations

import pandas as pd
import pytest

from riskbook.exceptions import ParamError
from riskbook.periods import Period, latest_complete


def test_quarter() -> None:
    p = Period.parse("2026Q3")
    assert (p.start, p.end, p.days) == (pd.Timestamp("2026-07-01"), pd.Timestamp("2026-09-30"), 92)
    assert str(p.previous) == "2026Q2" and str(p.year_ago) == "2025Q3"
    assert [str(x) for x in p.trailing(3)] == ["2026Q1", "2026Q2", "2026Q3"]
    assert str(Period.parse("2026Q1").previous) == "2025Q4"


def test_month_and_year() -> None:
    m = Period.parse("2026-02")
    assert (m.end, m.days, str(m.previous), str(m.year_ago)) == (pd.Timestamp("2026-02-28"), 28, "2026-01", "2025-02")
    y = Period.parse("2026")
    assert (y.end, str(y.previous), y.per_year) == (pd.Timestamp("2026-12-31"), "2025", 1)


@pytest.mark.parametrize("text", ["2026Q0", "2026-13", "26Q1", "Q3 2026", ""])
def test_bad_period(text: str) -> None:
    with pytest.raises(ParamError, match="is not a quarter"):
        Period.parse(text)


@pytest.mark.parametrize("last,expected", [("2026-09-30", "2026Q3"), ("2026-09-29", "2026Q2"),
                                           ("2026-10-15", "2026Q3"), ("2026-01-01", "2025Q4")])
def test_latest_complete_quarter(last: str, expected: str) -> None:
    assert str(latest_complete(pd.Timestamp(last))) == expected
