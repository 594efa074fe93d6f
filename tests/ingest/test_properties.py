"""Property-based tests (hypothesis): whatever mix of defects a table carries, the readers end in a
store or a one-line DataError, and every KRI is a finite number or n/a with a reason."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskbook import kris
from riskbook.core.errors import DataError
from riskbook.core.periods import Period
from riskbook.ingest import checks, store
from riskbook.ingest.arrowread import to_arrow
from riskbook.kris import Context

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DAYS = pd.date_range("2025-01-01", "2027-03-31", freq="D")


# cells as an export might hold them: good values most of the time, and every kind of bad one
def _csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


good_date = st.sampled_from([d.strftime("%Y-%m-%d") for d in DAYS[::7]])
good_amount = st.floats(0.5, 1e6, allow_nan=False).map(lambda x: f"{x:.2f}")
good_id = st.sampled_from(["A", "B", "C", "D", "E"])
good_unit = st.sampled_from(["u", "v"])
good_status = st.sampled_from(["completed", "cancelled", "returned", "", "COMPLETED"])
BAD: dict[str, list[str]] = {  # what a bad cell of each kind of column can hold
    "date": ["", "NULL", "31/09/2026", "2026-13-01", "yesterday", "0000-00-00", "2031-01-01"],
    "amount": ["", "0", "-0", "-12.5", "1e15", "¥12", "1,000", "NaN", "inf", "12x"],
    "id": ["", "NULL", " A ", "ZZ", "=cmd|' /C calc'!A0", "<b>x</b>"],
    "unit": ["", "East", "group", "x" * 80],
    "status": ["done", "?", ""],
}
ORDER_COLS = [
    ("order_id", "id"),
    ("order_date", "date"),
    ("customer_id", "id"),
    ("unit", "unit"),
    ("amount", "amount"),
    ("status", "status"),
]


@pytest.mark.slow  # hundreds of generated inputs
@SETTINGS
@given(data=st.data(), n=st.integers(8, 30), n_inv=st.one_of(st.just(0), st.integers(3, 12)), whole=st.booleans())
def test_readers_end_in_a_store_or_one_line(tmp_path_factory, data, n, n_inv, whole) -> None:
    """A few bad cells anywhere are findings and the store is built; a column of bad cells stops the run
    with one line naming the file."""
    draw = data.draw
    good = {"date": good_date, "amount": good_amount, "id": good_id, "unit": good_unit, "status": good_status}
    rows = [[draw(good[kind]) for _, kind in ORDER_COLS] for _ in range(n)]
    for _ in range(draw(st.integers(0, 3))):  # stray bad cells
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, len(ORDER_COLS) - 1))
        rows[i][j] = draw(st.sampled_from(BAD[ORDER_COLS[j][1]]))
    if draw(st.booleans()):
        rows.append(list(rows[0]))  # an exact duplicate
    broken = None
    if whole:  # a column whose values are all unusable (a wrong format, the wrong column)
        j = draw(st.sampled_from([1, 3, 4, 5]))
        junk = {"date": "31/12/2026", "unit": "East China", "amount": "12x", "status": "done"}[ORDER_COLS[j][1]]
        for r in rows:
            r[j] = junk
        broken = ORDER_COLS[j][0]
    folder = tmp_path_factory.mktemp("data")
    (folder / "orders.csv").write_text(_csv([c for c, _ in ORDER_COLS], rows))
    if n_inv:
        inv = [
            [f"i{k}", draw(good_id), draw(good_unit), draw(good_date), draw(good_date), draw(good_amount)]
            for k in range(n_inv)
        ]
        inv[0][4] = draw(st.sampled_from(BAD["date"]))  # one bad due date
        (folder / "invoices.csv").write_text(
            _csv(["invoice_id", "customer_id", "unit", "issue_date", "due_date", "amount"], inv)
        )
        pay = [[f"i{draw(st.integers(0, n_inv + 1))}", draw(good_date), draw(good_amount)] for _ in range(n_inv)]
        (folder / "payments.csv").write_text(_csv(["invoice_id", "payment_date", "amount"], pay))
    try:
        st_ = store.ingest(folder, root=folder / "store", as_of=pd.Timestamp("2026-12-01"))
    except DataError as exc:
        msg = str(exc)
        assert "\n" not in msg and ".csv" in msg
        assert broken is not None or "no row has a usable unit" in msg or "usable order_date" in msg, msg
        return
    assert broken is None, f"a column of bad {broken} values was accepted"
    meta = store.read_meta(st_)
    f = store.load_findings(st_)
    assert set(f["check"]) <= set(checks.CHECKS)
    orders = f[f["table"] == "orders"]
    assert orders["row"].between(2, len(rows) + 1).all()  # every location is a row of the file
    for unit in meta["units"]:
        t = store.load_unit(st_, unit)
        assert (t["orders"]["unit"] == unit).all()
        ctx = Context(
            t,
            Period.parse("2026Q3"),
            {},
            pd.Timestamp(meta["first_date"]),
            as_of=pd.Timestamp(meta["as_of"]),
            findings=store.load_findings(st_, unit),
        )
        _finite_or_reasoned(kris.compute(ctx))


def _finite_or_reasoned(k: pd.DataFrame) -> None:
    for r in k.itertuples():
        if r.value is None or (isinstance(r.value, float) and math.isnan(r.value)):
            assert r.status == "n/a" and isinstance(r.reason, str) and r.reason, r.id
        else:
            assert math.isfinite(r.value), (r.id, r.value)
            assert r.status in ("green", "amber", "red"), r.id


floats = st.one_of(st.floats(-1e9, 1e9, allow_nan=False), st.just(float("nan")), st.just(0.0), st.just(1e15))
dates = st.one_of(st.sampled_from(list(DAYS[::5])), st.just(pd.NaT))
ids = st.sampled_from(["A", "B", "C", "D", None])


def _arrow(name: str, df: pd.DataFrame) -> pa.Table:
    """A frame in the canonical Arrow types, as the readers hand tables to the checks."""
    return to_arrow(df.assign(_row=np.arange(len(df)) + 2), name)  # payments take their unit from invoices


@pytest.mark.slow  # hundreds of generated inputs
@SETTINGS
@given(
    data=st.data(),
    n_orders=st.integers(1, 60),
    n_inv=st.integers(0, 25),
    n_opp=st.integers(0, 20),
    n_reps=st.integers(0, 8),
    n_inc=st.integers(0, 10),
)
def test_kris_are_finite_or_na_with_a_reason(data, n_orders, n_inv, n_opp, n_reps, n_inc) -> None:
    draw = data.draw
    col = lambda strat, n: [draw(strat) for _ in range(n)]  # noqa: E731
    day = lambda n: pd.Series(col(dates, n), dtype="datetime64[ns]")  # noqa: E731
    tables = {
        "orders": pd.DataFrame(
            {
                "order_id": [f"O{i % max(1, n_orders - 3)}" for i in range(n_orders)],
                "order_date": day(n_orders),
                "customer_id": col(ids, n_orders),
                "unit": "u",
                "amount": col(floats, n_orders),
                "rep_id": col(st.sampled_from(["r1", "r2", None]), n_orders),
                "product_id": "p1",
                "quantity": col(floats, n_orders),
                "list_price": col(floats, n_orders),
                "unit_price": col(floats, n_orders),
                "status": col(st.sampled_from(["completed", "cancelled", "returned", None]), n_orders),
                "discount_approved": col(st.booleans(), n_orders),
            }
        )
    }
    tables["customers"] = pd.DataFrame(
        {"customer_id": ["A", "B", "C"], "customer_name": ["a", "b", "c"], "unit": "u", "credit_limit": col(floats, 3)}
    )
    if n_reps:
        tables["reps"] = pd.DataFrame(
            {
                "rep_id": [f"r{i}" for i in range(n_reps)],
                "rep_name": "x",
                "unit": "u",
                "hire_date": day(n_reps),
                "exit_date": day(n_reps),
                "quarterly_quota": col(floats, n_reps),
            }
        )
    if n_inv:
        tables["invoices"] = pd.DataFrame(
            {
                "invoice_id": [f"i{i % max(1, n_inv - 2)}" for i in range(n_inv)],
                "customer_id": col(ids, n_inv),
                "unit": "u",
                "issue_date": day(n_inv),
                "due_date": day(n_inv),
                "amount": col(floats, n_inv),
                "disputed": col(st.sampled_from([True, False, None]), n_inv),
            }
        )
        k = draw(st.integers(0, 20))
        tables["payments"] = pd.DataFrame(
            {
                "invoice_id": [f"i{draw(st.integers(0, n_inv + 2))}" for _ in range(k)],
                "payment_date": day(k),
                "amount": col(floats, k),
                "unit": "u",
            }
        )
    if n_opp:
        tables["opportunities"] = pd.DataFrame(
            {
                "opportunity_id": [f"o{i}" for i in range(n_opp)],
                "unit": "u",
                "created_date": day(n_opp),
                "status": col(st.sampled_from(["open", "won", "lost", None]), n_opp),
                "amount": col(floats, n_opp),
                "close_date": day(n_opp),
                "competitor": col(st.sampled_from(["X", None]), n_opp),
            }
        )
    if n_inc:
        tables["incidents"] = pd.DataFrame(
            {
                "incident_id": [f"n{i}" for i in range(n_inc)],
                "unit": "u",
                "date": day(n_inc),
                "category": col(st.sampled_from(["legal", "compliance", "other", None]), n_inc),
                "severity": col(st.one_of(st.integers(-2, 9).map(float), st.just(float("nan"))), n_inc),
            }
        )
    arrow = {name: _arrow(name, df) for name, df in tables.items()}
    checked, findings = checks.run(arrow, {}, {n: f"{n}.csv" for n in arrow}, {}, pd.Timestamp("2026-12-01"))
    frames = {n: t.to_pandas() for n, t in checked.items()}
    for p in ("2026Q3", "2026-09", "2026"):
        ctx = Context(
            frames,
            Period.parse(p),
            {},
            pd.Timestamp("2025-01-01"),
            as_of=pd.Timestamp("2026-12-01"),
            findings=findings.to_pandas(),
        )
        _finite_or_reasoned(kris.compute(ctx))
