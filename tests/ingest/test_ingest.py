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

from riskbook.core.errors import DataError
from riskbook.ingest import arrowread, flags, sourcetables, store
from riskbook.ingest.canonical import load_table

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
    for name, text in [
        ("orders", ORDERS),
        ("customers", CUSTOMERS),
        ("reps", REPS),
        ("invoices", INVOICES),
        ("payments", PAYMENTS),
    ]:
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
    monkeypatch.setattr(sourcetables, "read_typed", lambda name, path: None)  # every table through the exact path
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
    assert west["_dq"].tolist() == ["negative_amount", "unknown_id", "future_date"]
    assert pd.isna(west["amount"].iloc[0])  # the negative amount on a completed line is left out
    assert east["_dq"].isna().all()
    assert east["_drop"].tolist() == [False, False, True, False]  # the exact duplicate is left out of KRIs


def test_meta_counts_the_findings_the_reports_show(folder: Path, tmp_path: Path) -> None:
    st = store.ingest(folder, root=tmp_path / "store")
    meta = store.read_meta(st)
    errors = {(x["table"], x["check"], x["column"]): x["count"] for x in meta["findings"] if x["severity"] == "error"}
    assert errors == {
        # O2/p1 repeated in east; O3 west -50 (no status: completed); O4 customer Z, rep r9; O5 dated 2030
        ("orders", "duplicate_row", None): 1,
        ("orders", "negative_amount", "amount"): 1,
        ("orders", "unknown_id", "customer_id"): 1,
        ("orders", "unknown_id", "rep_id"): 1,
        ("orders", "future_date", "order_date"): 1,
        ("payments", "duplicate_row", None): 2,  # i1 twice in east, i9 twice (no unit)
        ("payments", "unknown_id", "invoice_id"): 2,  # i9 is no invoice
    }
    f = store.load_findings(st)
    neg = f[f["check"] == "negative_amount"].iloc[0]
    assert (neg["file"].endswith("orders.csv"), neg["row"], neg["key"], neg["value"], neg["unit"]) == (
        True,
        5,
        "O3 / p1",
        "-50",
        "west",
    )
    orphan = f[(f["check"] == "unknown_id") & (f["table"] == "payments")]
    assert orphan["row"].tolist() == [5, 6] and orphan["unit"].isna().all()


def test_payments_of_unknown_invoices_belong_to_no_unit(folder: Path, tmp_path: Path) -> None:
    units = _store(folder, tmp_path / "store")
    east, west = units["east"]["payments"], units["west"]["payments"]
    assert east["invoice_id"].tolist() == ["i1", "i1"]
    assert east["_dup"].tolist() == [False, True]
    assert west["invoice_id"].tolist() == ["i2"]


@pytest.mark.parametrize(
    "bad, check, column, value",
    [
        ("O9,2026-07-05,A,east,1 234,r1,p1,completed,no,x\n", "unparseable_value", "amount", "1 234"),
        ("O9,05/07/2026,A,east,12,r1,p1,completed,no,x\n", "unparseable_value", "order_date", "05/07/2026"),
        ("O9,2026-07-05,A,east,12,r1,p1,done,no,x\n", "invalid_value", "status", "done"),
        ("O9,2026-07-05,A,East Region,12,r1,p1,completed,no,x\n", "invalid_unit", "unit", "East Region"),
        ("O9,2026-07-05,A,east,12,r1,p1,completed,maybe,x\n", "unparseable_value", "discount_approved", "maybe"),
        (",2026-07-05,A,east,12,r1,p1,completed,no,x\n", "missing_value", "order_id", ""),
    ],
)
def test_a_bad_cell_is_a_finding_and_both_paths_agree(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str, check: str, column: str, value: str
) -> None:
    path = folder / "orders.csv"
    path.write_text(ORDERS + bad)
    st = store.ingest(folder, root=tmp_path / "store")
    f = store.load_findings(st)
    hit = f[(f["row"] == 9) & (f["table"] == "orders") & (f["check"] == check)]
    assert hit[["column", "value"]].values.tolist() == [[column, value]]
    assert hit["excluded"].iloc[0] in ("value", "row")
    monkeypatch.setattr(sourcetables, "read_typed", lambda name, p: None)
    again = store.load_findings(store.ingest(folder, root=tmp_path / "exact"))
    pd.testing.assert_frame_equal(f, again)


def test_a_row_wider_than_its_header_stops_the_run(folder: Path, tmp_path: Path) -> None:
    (folder / "orders.csv").write_text(ORDERS + "O9,2026-07-05,A,east,12,r1,p1,completed,no,x,y\n")
    with pytest.raises(DataError) as err:
        store.ingest(folder, root=tmp_path / "store")
    assert "row 9" in str(err.value) and "11 fields where the header has 10" in str(err.value)
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").glob("*/meta.json"))


def test_parquet_takes_the_fast_path(folder: Path) -> None:
    df, _ = load_table("invoices", folder / "invoices.csv")
    df = df.drop(columns="_row")
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
    df = pd.DataFrame(
        {
            "a": rng.choice([f"k{i}" for i in range(3000)] + [None], n),
            "b": rng.choice(["x", "y", None], n),
            "c": rng.integers(0, 4, n).astype(float),
            "g": rng.choice(["east", "west", "north"], n),
        }
    )
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


def test_the_same_bytes_under_another_name_or_format_are_another_source(folder: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    first = store.ingest(folder, root=root)
    other = tmp_path / "other"
    other.mkdir()
    for p in folder.iterdir():
        (other / p.name).write_bytes(p.read_bytes())
    os.rename(other / "orders.csv", other / "orders.xlsx")  # a CSV under a spreadsheet's name
    with pytest.raises(DataError) as err:
        store.ingest(other, root=root)
    assert "orders.xlsx: cannot be read" in str(err.value)
    os.rename(other / "orders.xlsx", other / "orders.csv")
    second = store.ingest(other, root=root)
    assert second != first and store.read_meta(second)["source"] == str(other)


def test_a_file_edited_in_place_with_its_time_restored_is_read_again(folder: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    path = folder / "orders.csv"
    first = store.ingest(folder, root=root)
    st = path.stat()
    text = path.read_text().replace("100.5", "900.5")  # same length: the size does not change either
    path.write_text(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as cp -p, rsync -t and tar restore it
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    second = store.ingest(folder, root=root)
    assert second != first
    assert store.load_unit(second, "east")["orders"]["amount"].iloc[0] == 900.5
