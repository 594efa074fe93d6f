"""The checks across tables (:mod:`riskbook.ingest.checks`): ids their master table does not have, a
customer or rep in several units, invoices paid more than their amount; payments take their invoice's unit."""

from __future__ import annotations

import threading

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskbook.ingest.checktable import Table, _mask

# id column -> master table; severity where the id is missing from it
FOREIGN_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("orders", "customer_id", "customers", "error"),
    ("orders", "rep_id", "reps", "error"),
    ("invoices", "customer_id", "customers", "error"),
    ("invoices", "order_id", "orders", "warning"),
    ("payments", "invoice_id", "invoices", "error"),
    ("opportunities", "customer_id", "customers", "warning"),
    ("opportunities", "rep_id", "reps", "error"),
)
_LOCK = threading.Lock()


def _link_payments(tables: dict[str, pa.Table]) -> np.ndarray | None:
    """Give each payment its invoice's unit (the first invoice row with its id) and return that row's
    position per payment (-1: no such invoice), for the unknown-id and over-payment checks."""
    if "payments" not in tables or "invoices" not in tables:
        return None
    inv, pay = tables["invoices"], tables["payments"]
    pos = pc.index_in(pay["invoice_id"], value_set=inv["invoice_id"].combine_chunks())
    if "unit" in pay.column_names:
        pay = pay.drop_columns(["unit"])
    tables["payments"] = pay.append_column("unit", inv["unit"].combine_chunks().take(pos))
    return np.asarray(pos.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _foreign_key(
    checked: dict[str, Table], table: str, col: str, master: str, severity: str, paid_to: np.ndarray | None = None
) -> None:
    """Ids in ``table``.``col`` that its master table does not have."""
    tab, owner = checked.get(table), checked.get(master)
    if tab is None or owner is None or not tab.has(col) or not owner.has(col):
        return
    ids = tab.t[col]
    if table == "payments" and paid_to is not None:  # already looked up when payments took their unit
        unknown = (paid_to < 0) & _mask(pc.is_valid(ids))
    else:
        known = pc.unique(owner.t[col]).drop_null()
        unknown = _mask(pc.and_(pc.invert(pc.is_in(ids, value_set=known.cast(ids.type))), pc.is_valid(ids)))
    with _LOCK:  # two foreign keys of one table may be checked at once
        tab.add("unknown_id", np.flatnonzero(unknown), col, severity, note=f"not in {master}")


def _unit_conflicts(checked: dict[str, Table]) -> None:
    """Customers and reps whose id appears in more than one unit: every row of such an id."""
    for name, id_col in (("customers", "customer_id"), ("reps", "rep_id")):
        tab = checked.get(name)
        if tab is None or not tab.has("unit") or not tab.has(id_col) or tab.n < 2:
            continue
        pairs = pa.table({"id": tab.t[id_col], "unit": tab.t["unit"]}).drop_null()
        per = pairs.group_by("id").aggregate([("unit", "count_distinct"), ("unit", "distinct")])
        many = per.filter(pc.greater(per["unit_count_distinct"], 1))
        if not many.num_rows:
            continue
        units = {i: sorted(u) for i, u in zip(many["id"].to_pylist(), many["unit_distinct"].to_pylist())}
        mask = _mask(pc.is_in(tab.t[id_col], value_set=many["id"].combine_chunks()))
        pos = np.flatnonzero(mask)
        note = pa.array(["units " + ", ".join(units[i]) for i in tab.t[id_col].take(pa.array(pos)).to_pylist()])
        tab.add("unit_conflict", pos, "unit", "error", note=note)


def _overpayments(checked: dict[str, Table], paid_to: np.ndarray | None) -> None:
    """Invoices whose payments add up to more than the invoice (on the first row of an invoice id)."""
    inv, pay = checked.get("invoices"), checked.get("payments")
    if inv is None or pay is None or paid_to is None or not pay.n or not inv.n:
        return
    amount = np.asarray(pc.fill_null(pay.t["amount"], 0.0).to_numpy(zero_copy_only=False), dtype=float)
    ok = paid_to >= 0
    paid = np.bincount(paid_to[ok], weights=amount[ok], minlength=inv.n)
    due = np.asarray(pc.fill_null(inv.t["amount"], np.inf).to_numpy(zero_copy_only=False), dtype=float)
    pos = np.flatnonzero(paid > due + 0.005)
    if len(pos):
        inv.add(
            "overpayment",
            pos,
            "amount",
            "error",
            note=pa.array([f"paid {paid[i]:,.2f} of {due[i]:,.2f}" for i in pos], pa.string()),
        )
