"""Ingest: Arrow's typed reader (fast path) and the exact path must store the same tables, and the
duplicate flags must mean what pandas' ``duplicated`` means, within each unit's slice."""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from riskbook import arrowread, flags, store
from riskbook.exceptions import DataError
from riskbook.loader import load_table

# Padded values, tokens for missing, an upper-case status, yes/no and 是/否 flags, a quoted comma and
# a repeated order line (O2/p1 twice, O3/p1 once in each of two units).
ORDERS = """order_id,order_date,customer_id,unit,amount,rep_id,product_id,status,discount_approved,extra
O1,2026-07-01, A ,east,100.5,r1,p1,completed,yes,x
O2,2026-07-02,A,east,200,r1,p1,COMPLETED,否,x
O2,2026-07-02,A,east,200,r1,p1,completed,no,x
O3,2026-07-03,B,west,-50,NULL,p1,,是,x
O3,2026-07-04,B,east,70,-,p1,returned,,x
O4,2026-08-01,Z,west,10,r9,"p,2",cancelled,TRUE,x
O5,2030-01-01,B,west,1,r2,p1,completed,false,x
"""
CUSTOMERS = """customer_id,customer_name,unit
A,Alpha,east
B,Beta,west
"""
REPS = """rep_id,rep_name,unit,hire_date
r1,One,east,2020-01-01
r2,Two,west,2020-01-01
"""
INVOICES = """invoice_id,customer_id,unit,issue_date,due_date,amount
i1,A,east,2026-07-01,2026-07-31,100
i2,B,west,2026-07-01,2026-07-31,50
"""
PAYMENTS = """invoice_id,payment_date,amount
i1,2026-07-10,40
i1,2026-07-10,40
i2,2026-07-12,50
i9,2026-07-12,5
i9,2026-07-12,5
"""


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    for name, text in [("orders", ORDERS), ("customers", CUSTOMERS), ("reps", REPS), ("invoices", INVOICES),
                       ("payments", PAYMENTS)]:
        (d / f"{name}.csv").write_text(text)
    return d


def _store(folder: Path, root: Path) -> dict[str, dict[str, pd.DataFrame]]:
    st = store.ingest(folder, root=root)
    return {u: store.load_unit(st, u) for u in store.read_meta(st)["units"]}


def test_fast_path_reads_clean_files(folder: Path) -> None:
    for name in ("orders", "customers", "reps", "invoices", "payments"):
        assert arrowread.read_typed(name, folder / f"{name}.csv") is not None, name


def test_fast_and_exact_paths_store_the_same(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _store(folder, tmp_path / "fast")
    monkeypatch.setattr(store, "read_typed", lambda name, path: None)  # every table through the exact path
    exact = _store(folder, tmp_path / "exact")
    assert fast.keys() == exact.keys() == {"east", "west"}
    for unit in fast:
        for name in fast[unit]:
            pd.testing.assert_frame_equal(fast[unit][name], exact[unit][name], obj=f"{unit}/{name}")
    east = fast["east"]["orders"]
    assert east["customer_id"].tolist() == ["A", "A", "A", "B"]  # " A " trimmed
    assert east["status"].tolist()[:2] == ["completed", "completed"]  # COMPLETED lower-cased
    assert east["discount_approved"].tolist() == [True, False, False, False]
    assert pd.isna(east["rep_id"].iloc[3])  # "-" means missing
    assert east["_dup"].tolist() == [False, False, True, False]  # O2/p1 repeated; O3/p1 is in west too
    west = fast["west"]["orders"]
    assert west["product_id"].tolist() == ["p1", "p,2", "p1"]
    assert west["_dup"].tolist() == [False, False, False]
    assert west["_dq"].tolist()[:2] == ["negative amount on a completed line", "unknown customer_id"]
    assert west["_dq"].iloc[2] == "order_date in the future"
    assert east["_dq"].isna().all()


def test_meta_counts_the_problems_the_reports_show(folder: Path, tmp_path: Path) -> None:
    meta = store.read_meta(store.ingest(folder, root=tmp_path / "store"))
    assert meta["problems"] == {
        # O2/p1 repeated in east; O3 west -50 (no status: completed); O4 customer Z; O5 dated 2030
        "orders": {"duplicate rows": 1, "negative amount on a completed line": 1, "unknown customer_id": 1,
                   "order_date in the future": 1},
        "payments": {"duplicate rows": 2},  # i1 twice in east, i9 (no such invoice) twice
    }


def test_payments_of_unknown_invoices_go_to_every_unit(folder: Path, tmp_path: Path) -> None:
    units = _store(folder, tmp_path / "store")
    east, west = units["east"]["payments"], units["west"]["payments"]
    assert east["invoice_id"].tolist() == ["i1", "i1", "i9", "i9"]
    assert east["_dup"].tolist() == [False, True, False, True]
    assert west["invoice_id"].tolist() == ["i2", "i9", "i9"]
    assert west["_dup"].tolist() == [False, False, True]


@pytest.mark.parametrize("bad, message", [
    ("O9,2026-07-05,A,east,1 234,r1,p1,completed,no,x\n", "'1 234' is not a number"),
    ("O9,05/07/2026,A,east,12,r1,p1,completed,no,x\n", "'05/07/2026' is not a date"),
    ("O9,2026-07-05,A,east,12,r1,p1,done,no,x\n", "'done' is not one of completed, cancelled, returned"),
    ("O9,2026-07-05,A,East Region,12,r1,p1,completed,no,x\n", "unit 'East Region' is not a lowercase slug"),
    ("O9,2026-07-05,A,east,12,r1,p1,completed,maybe,x\n", "'maybe' is not true/false"),
    (",2026-07-05,A,east,12,r1,p1,completed,no,x\n", "value is empty"),
    ("O9,2026-07-05,A,east,12,r1,p1,completed,no,x,y\n", "11 fields where the header has 10"),
])
def test_doubtful_files_fall_back_to_the_exact_error(folder: Path, tmp_path: Path, bad: str, message: str) -> None:
    path = folder / "orders.csv"
    path.write_text(ORDERS + bad)
    assert arrowread.read_typed("orders", path) is None
    with pytest.raises(DataError) as err:
        store.ingest(folder, root=tmp_path / "store")
    assert message in str(err.value)
    assert "row 9" in str(err.value)
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").glob("*/meta.json"))


def test_parquet_takes_the_fast_path(folder: Path) -> None:
    df = load_table("invoices", folder / "invoices.csv")
    df.to_parquet(folder / "invoices.parquet")
    typed = arrowread.read_typed("invoices", folder / "invoices.parquet")
    assert typed is not None
    assert typed.equals(arrowread.to_arrow(df, "invoices"))


def _reference(df: pd.DataFrame, cols: list[str], group: str | None) -> np.ndarray:
    return df.duplicated(subset=([group] if group else []) + cols, keep="first").to_numpy()


@pytest.mark.parametrize("seed", range(5))
def test_duplicates_match_pandas(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 5000
    df = pd.DataFrame({
        "a": rng.choice([f"k{i}" for i in range(3000)] + [None], n),
        "b": rng.choice(["x", "y", None], n),
        "c": rng.integers(0, 4, n).astype(float),
        "g": rng.choice(["east", "west", "north"], n),
    })
    in_order = df.dropna(subset=["a"]).sort_values("a", kind="stable").reset_index(drop=True)  # sorted ids
    for frame in (df, in_order):
        table = pa.Table.from_pandas(frame, preserve_index=False)
        group_codes, group_names = pd.factorize(frame["g"])
        for cols in (["a"], ["a", "b"], ["a", "b", "c"], ["c", "b"]):
            got = flags.duplicates([table[c] for c in cols])
            assert np.array_equal(got, _reference(frame, cols, None)), cols
            got = flags.duplicates([table[c] for c in cols], group=(group_codes.astype(np.int64), len(group_names)))
            assert np.array_equal(got, _reference(frame, cols, "g")), cols


def test_sorted_ids_are_coded_without_hashing() -> None:
    ids = pa.chunked_array([pa.array(["a1", "a1", "a2"]), pa.array(["a3", "a3", "a3", "b"])])
    values, n = flags.sorted_codes(ids)
    assert values.tolist() == [0, 0, 1, 2, 2, 2, 3] and n == 4
    assert flags.sorted_codes(pa.chunked_array([pa.array(["b", "a"])])) is None
    assert flags.sorted_codes(pa.chunked_array([pa.array(["a", None])])) is None
    nan = float("nan")  # NaN compares unequal to itself: floats are hashed, where NaN equals NaN
    assert flags.sorted_codes(pa.chunked_array([pa.array([1.0, nan, nan])])) is None
    assert flags.duplicates([pa.chunked_array([pa.array([1.0, nan, nan])])]).tolist() == [False, False, True]
    # the same duplicates either way: sorted ids with a repeated (id, product) pair
    table = pa.table({"id": ["a1", "a1", "a1", "a2", "a2"], "p": ["x", "y", "x", "x", "x"]})
    assert flags.duplicates([table["id"], table["p"]]).tolist() == [False, False, True, False, True]


def test_stores_of_earlier_exports_are_pruned(folder: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    root.mkdir()
    day = 86_400
    old = []
    for i, age in enumerate([5 * day, 4 * day, 3 * day, 2 * day, 60]):  # the last one was used a minute ago
        p = root / f"old{i}"
        (p / "east").mkdir(parents=True)
        os.utime(p, (time.time() - age, time.time() - age))
        old.append(p)
    half_done = root / ".ingest-abc"
    half_done.mkdir()
    os.utime(half_done, (time.time() - 2 * day, time.time() - 2 * day))
    new = store.ingest(folder, root=root)
    kept = sorted(p.name for p in root.iterdir())
    # the new store, the one used a minute ago and the most recent of the rest: three, plus nothing old
    assert kept == sorted([new.name, "old4", "old3"])
    os.utime(old[3], (time.time() - 9 * day, time.time() - 9 * day))  # old3 now unused for long ...
    assert store.ingest(folder, root=root) == new  # ... but a cache hit prunes nothing
    assert (root / "old3").exists()
