"""Period slices (riskbook.kris.slices): a window is exactly the rows the date mask gives, in the table's own
order, for a table kept for the run and for a frame made for one question alike; only the kept table's
index and cuts are remembered."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskbook.kris.slices import Slices


def _orders(n: int = 500, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
    dates = pd.Series(days).where(rng.random(n) > 0.05)  # some rows without a date
    return pd.DataFrame({"order_date": dates, "amount": rng.random(n)})


def _mask(df: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp, closed: bool) -> pd.DataFrame:
    d = df["order_date"]
    return df[(d >= start) & ((d <= end) if closed else (d < end))]


def test_a_window_is_the_masks_rows_in_file_order_kept_or_not() -> None:
    kept, passing = _orders(), _orders(seed=4)
    s = Slices()
    s.register(kept)
    for start, end, closed in (
        (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-07-01"), False),
        (pd.Timestamp("2025-04-01"), pd.Timestamp("2025-06-30"), True),
        (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"), False),  # before the data: no row
    ):
        for df in (kept, passing):
            got = s.window(df, "order_date", start, end, closed)
            pd.testing.assert_frame_equal(got, _mask(df, start, end, closed))
    assert s.registered(kept) and not s.registered(passing)
    # nothing is remembered under the passing frame's id: once it is gone, another frame may take it
    assert not any(key[0] == id(passing) for key in [*s._index, *s._cuts])
    assert any(key[0] == id(kept) for key in s._cuts)


def test_upto_orders_a_kept_tables_rows_by_date_and_leaves_others() -> None:
    kept = _orders()
    s = Slices()
    s.register(kept)
    end = pd.Timestamp("2025-06-30")
    pos = s.upto(kept, "order_date", end)
    dates = kept["order_date"].to_numpy()[pos]
    assert (dates <= end.to_datetime64()).all() and (np.diff(dates).astype(int) >= 0).all()
    assert len(pos) == int((kept["order_date"] <= end).sum())
    assert s.upto(_orders(seed=5), "order_date", end) is None
