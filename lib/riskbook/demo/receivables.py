"""The demo's invoices, payments and credit limits."""

from __future__ import annotations

import numpy as np

from riskbook.demo.spec import N_DAYS, START


def _invoices(rng: np.random.Generator, lines: dict, habit: np.ndarray, stop_paying: np.ndarray) -> tuple[dict, dict]:
    """One invoice per order with completed lines, due in 30 days; payments by the customer's habit."""
    amount = np.round(np.bincount(lines["order"], weights=np.where(lines["status"] == 0, lines["amount"], 0)), 2)
    first = np.unique(lines["order"], return_index=True)[1]
    o = np.flatnonzero(amount > 0)
    c, day = lines["c"][first][o], lines["day"][first][o]
    inv = dict(
        order=o, c=c, unit=lines["unit"][first][o], day=day, amount=amount[o], disputed=rng.random(len(o)) < 0.01
    )
    h = habit[c]  # 0 prompt, 1 on terms, 2 a little late
    delay = np.where(
        inv["disputed"],
        rng.integers(50, 110, len(o)),
        rng.integers(np.array([7, 20, 28])[h], np.array([29, 34, 46])[h]),
    )
    inv["settle"] = day + delay
    split = rng.random(len(o)) < 0.15  # two instalments
    part = np.round(inv["amount"] * np.where(split, rng.uniform(0.3, 0.7, len(o)), 1.0), 2)
    early = np.maximum(1, np.round(delay * rng.uniform(0.3, 0.7, len(o)))).astype(int)
    pi = np.r_[np.arange(len(o)), np.flatnonzero(split)]
    pday = np.r_[day + np.where(split, early, delay), (day + delay)[split]]
    pamt = np.r_[part, np.round(inv["amount"] - part, 2)[split]]
    keep = (pday < N_DAYS) & (pday < stop_paying[c[pi]])
    srt = np.lexsort((pday[keep], pi[keep]))
    return inv, dict(inv=pi[keep][srt], day=pday[keep][srt], amount=pamt[keep][srt])


def _credit_limits(inv: dict, stop_paying: np.ndarray) -> np.ndarray:
    """1.5 × the largest month-end open balance under normal paying, in 50k steps (at least 100k)."""
    peak = np.zeros(len(stop_paying))
    month_ends = np.arange(np.datetime64("2024-02"), np.datetime64("2026-11")).astype("datetime64[D]") - 1
    for end in (month_ends - START).astype(int):
        due = (inv["day"] <= end) & (inv["settle"] > end) & (stop_paying[inv["c"]] > end)
        peak = np.maximum(peak, np.bincount(inv["c"][due], weights=inv["amount"][due], minlength=len(peak)))
    return np.maximum(np.ceil(1.5 * peak / 50_000) * 50_000, 100_000)
