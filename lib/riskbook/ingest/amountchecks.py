"""The checks of money amounts (:mod:`riskbook.ingest.checks`): negative and zero amounts and quantities,
an amount off its quantity × unit price, and amounts far outside the usual range."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from riskbook.ingest.checktable import Table, _mask

# Positive amounts checked for sign and size; only completed (or status-less) order lines
AMOUNTS: dict[str, str] = {"orders": "amount", "invoices": "amount", "payments": "amount", "opportunities": "amount"}
OUTLIER_Z = 6.0  # robust z-score of log10(amount) beyond which an amount is reported ...
EXTREME_DECADES = 6  # ... and left out when it is also a million times the typical amount (or a millionth)
MISMATCH_FACTOR = 10  # amount off quantity × unit price by 10× either way: left out as a typo


def _amounts(tab: Table) -> None:
    """The amounts of a table with money in it: their sign, their fit with quantity × unit price, their size."""
    col = AMOUNTS.get(tab.name)
    if not col or not tab.has(col):
        return
    a = tab.t[col]
    counted = _counted(tab)
    _signs(tab, col, a, counted)
    x = np.asarray(pc.fill_null(a, np.nan).to_numpy(zero_copy_only=False), dtype=float)
    taken = _mismatches(tab, col, x)
    _outliers(tab, col, x, np.flatnonzero((x > 0) & counted & ~taken))


def _counted(tab: Table) -> np.ndarray:
    """The rows whose amount must be a positive sale: completed order lines, won deals (or all rows)."""
    counted = np.ones(tab.n, dtype=bool)
    if tab.name == "orders" and tab.has("status"):  # cancelled and returned lines may be booked negative
        counted = _mask(pc.fill_null(pc.equal(tab.t["status"], "completed"), True))
    if tab.name == "opportunities" and tab.has("status"):  # an open or lost deal of no value yet is no finding
        counted = _mask(pc.fill_null(pc.equal(tab.t["status"], "won"), True))
    return counted


def _signs(tab: Table, col: str, a: pa.ChunkedArray, counted: np.ndarray) -> None:
    """Negative and zero amounts, and negative quantities on completed order lines."""
    neg = _mask(pc.less(a, 0)) & counted
    tab.add(
        "negative_amount",
        np.flatnonzero(neg),
        col,
        "error",
        "value",
        note="negative on a completed line" if tab.name == "orders" else "negative",
    )
    tab.add("zero_amount", np.flatnonzero(_mask(pc.equal(a, 0)) & counted), col, "warning")
    if tab.name == "orders" and tab.has("quantity"):  # a return booked as a completed sale
        tab.add(
            "negative_quantity",
            np.flatnonzero(_mask(pc.less(tab.t["quantity"], 0)) & counted),
            "quantity",
            "error",
            "value",
            note="negative on a completed line: a return or cancellation booked as a sale",
        )


def _mismatches(tab: Table, col: str, x: np.ndarray) -> np.ndarray:
    """Order lines whose amount is off quantity × unit price: grossly (left out) or slightly (a warning).
    Returns the rows left out, which the size check then passes over."""
    taken = np.zeros(tab.n, dtype=bool)
    if not (tab.name == "orders" and tab.has("quantity") and tab.has("unit_price")):
        return taken
    expected = pc.multiply(tab.t["quantity"], tab.t["unit_price"])
    e = np.asarray(pc.fill_null(expected, np.nan).to_numpy(zero_copy_only=False), dtype=float)
    v = x
    both = np.flatnonzero((e > 0) & (v > 0))
    ev, vv = e[both], v[both]
    with np.errstate(over="ignore"):
        ratio = vv / ev
        gross = (ratio > MISMATCH_FACTOR) | (ratio < 1 / MISMATCH_FACTOR)
        slight = ~gross & (np.abs(vv - ev) > np.maximum(0.01 * ev, 0.05))
    for mask, severity, excluded in ((gross, "error", "value"), (slight, "warning", "")):
        pos = both[mask]
        tab.add(
            "amount_mismatch",
            pos,
            col,
            severity,
            excluded,
            note=pa.array([f"quantity × unit price is {q:,.2f}" for q in e[pos]], pa.string()),
        )
    taken[both[gross]] = True
    return taken


def _outliers(tab: Table, col: str, x: np.ndarray, idx: np.ndarray) -> None:
    """Amounts (of the rows at ``idx``) far outside the usual range by a robust z-score of their log10:
    a warning, or left out where a million times off the typical amount."""
    if len(idx) < 30:
        return
    lx = np.log10(x[idx])
    sample = lx[:: max(1, len(lx) // 200_000)]  # the median and MAD of 200,000 values are as good as of all
    med = float(np.median(sample))
    mad = 1.4826 * float(np.median(np.abs(sample - med)))
    if mad <= 0:
        return
    decades = np.abs(lx - med)
    far = decades / mad > OUTLIER_Z
    extreme = far & (decades >= EXTREME_DECADES)
    typical = f"typical amount {10**med:,.2f}"
    tab.add("outlier_amount", idx[extreme], col, "error", "value", note=f"a million times off the rest ({typical})")
    tab.add("outlier_amount", idx[far & ~extreme], col, "warning", note=f"far outside the usual range ({typical})")
