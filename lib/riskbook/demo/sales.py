"""The demo's order lines: product catalogue, daily demand, discounts, and the online unit's corrupted records."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from riskbook.demo.people import _rep_at
from riskbook.demo.spec import (
    CNY,
    MONTH_FACTOR,
    N_DAYS,
    N_PRODUCTS,
    Q2,
    Q3,
    QTY_PRICE,
    QTY_SIGMA,
    SPECS,
    START,
    UNITS,
    _day,
    _erf,
)


def _calendar(rng: np.random.Generator, weekend: tuple[float, float]) -> np.ndarray:
    """Relative intensity per day: growth, months, CNY and Golden Week dips, weekdays, weekly noise."""
    days = START + np.arange(N_DAYS)
    month = days.astype("datetime64[M]").astype(int) % 12
    w = 1.05 ** (np.arange(N_DAYS) / 365.25) * MONTH_FACTOR[month]
    for cny in CNY:
        w[max(cny - 4, 0) : cny + 8] *= 0.7
    w[(month == 9) & ((days - days.astype("datetime64[M]")).astype(int) < 7)] *= 0.7
    weekday = (days.astype(int) + 3) % 7  # 0 = Monday
    w *= np.select([weekday == 5, weekday == 6], list(weekend), 1.0)
    w *= rng.lognormal(0.0, 0.05, N_DAYS // 7 + 1)[np.arange(N_DAYS) // 7]
    return w / w[_day("2025-01-01") : _day("2026-01-01")].mean()


def _mean_qty(mu: np.ndarray) -> np.ndarray:
    """E[clip(rint(lognormal(mu, QTY_SIGMA)), 1, 50)] = 1 + Σ_k P(q > k)."""
    x = (np.log(np.arange(1, 50) + 0.5)[None, :] - mu[:, None]) / (QTY_SIGMA * np.sqrt(2))
    return 1 + (0.5 * (1 - _erf(x))).sum(axis=1)


def _catalog(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, Callable]:
    """Prices, popularity, log-quantity shift per product, and E[line amount] as a function of mu.

    List prices spread log-uniformly over 20–20,000 by popularity mass, so sold lines cover the
    three decades evenly; with quantity ∝ price^-1/3 amounts span two whole decades (Benford)."""
    popularity = rng.lognormal(0, 0.5, N_PRODUCTS)
    popularity /= popularity.sum()
    prices = np.round(20 * 1000.0 ** (np.cumsum(popularity) - popularity / 2), 2)
    perm = rng.permutation(N_PRODUCTS)
    prices, popularity = prices[perm], popularity[perm]
    shift = QTY_PRICE * (np.log(prices) - np.log(prices).mean())  # cheap items sell in bulk
    grid = np.linspace(-3, 6, 181)
    value = (_mean_qty((grid[:, None] + shift[None, :]).ravel()).reshape(len(grid), -1) * prices * popularity).sum(1)
    return prices, popularity, shift, lambda mu: np.interp(mu, grid, value)


def _events(
    rng: np.random.Generator, c: np.ndarray, lam0: np.ndarray, lam1: np.ndarray, rate: np.ndarray, shape: float = 4.0
) -> tuple[np.ndarray, np.ndarray]:
    """Gamma renewal process per segment on [lam0, lam1) of intensity time: (customer, time) of events."""
    m = np.ceil((lam1 - lam0) * rate * 1.5 + 20).astype(np.int64)
    seg = np.repeat(np.arange(len(c)), m)
    gaps = rng.gamma(shape, 1.0 / (shape * rate[seg]))
    first = np.r_[0, np.cumsum(m)[:-1]]
    gaps[first] *= rng.random(len(c))  # start mid-cycle
    cs = np.cumsum(gaps)
    pos = cs - np.r_[0.0, cs][first][seg]
    keep = pos < (lam1 - lam0)[seg]
    return c[seg[keep]], lam0[seg[keep]] + pos[keep]


def _orders(rng: np.random.Generator, unit: str, cust: dict, reps: dict, catalog: tuple) -> dict[str, np.ndarray]:
    """Order lines of one unit (local order numbers): customer, day, rep, product, prices, status."""
    prices, popularity, shift, _ = catalog
    lam = np.r_[0.0, np.cumsum(_calendar(rng, SPECS[unit].weekend))]
    b = np.flatnonzero(cust["boost"] >= 0)
    c, at = _events(
        rng,
        np.r_[np.arange(len(cust["r"])), b],
        lam[np.r_[cust["start"], cust["boost"][b]]],
        lam[np.r_[cust["end"], np.full(len(b), N_DAYS)]],
        np.r_[cust["rate"], 0.3 * cust["rate"][b]],
    )
    day = np.searchsorted(lam, at, side="right") - 1
    if unit == "north":  # volume lost to the price war
        keep = rng.random(len(day)) > np.where(day >= Q3, 0.2, 0.0)
        c, day = c[keep], day[keep]
    order = np.repeat(np.arange(len(c)), 1 + rng.binomial(4, cust["lines_p"][c]))
    prod = rng.choice(N_PRODUCTS, len(order), p=popularity)
    for _ in range(8):  # distinct products within an order
        key = order * N_PRODUCTS + prod
        srt = np.argsort(key, kind="stable")
        dup = np.zeros(len(key), bool)
        dup[srt[1:]] = key[srt[1:]] == key[srt[:-1]]
        prod[dup] = rng.choice(N_PRODUCTS, int(dup.sum()), p=popularity)
    order, prod = order[~dup], prod[~dup]
    lc, ld = c[order], day[order]
    qty = np.clip(np.rint(rng.lognormal(cust["mu"][lc] + shift[prod], QTY_SIGMA)), 1, 50).astype(np.int64)
    year = (START + ld).astype("datetime64[Y]").astype(int) - 54  # 0 = 2024; +3% list prices a year
    list_price = np.round(prices[prod] * 1.03**year, 2)
    disc, approved = _discounts(rng, unit, ld)
    unit_price = np.round(list_price * (1 - disc), 2)
    return dict(
        c=lc,
        day=ld,
        order=order,
        rep=_rep_at(reps, cust, lc, ld),
        prod=prod,
        qty=qty,
        list_price=list_price,
        unit_price=unit_price,
        amount=np.round(qty * unit_price, 2),
        status=rng.choice(3, len(order), p=[0.982, 0.012, 0.006]),
        approved=approved,
    )


def _discounts(rng: np.random.Generator, unit: str, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Line discounts and approval flags; north slides into a price war in 2026Q2–Q3."""
    n, (lo, hi) = len(day), SPECS[unit].discount
    d = np.where(rng.random(n) < (0.0 if unit == "key_accounts" else 0.35), 0.0, rng.uniform(lo, hi, n))
    special = rng.random(n) < 0.01  # approved special deals
    d[special] = rng.uniform(0.21, 0.28, special.sum())
    p_ok = np.full(n, 0.97)
    if unit == "north":
        for first, (a, b), share, ok in ((Q2, (0.05, 0.23), 0.85, 0.85), (Q3, (0.2, 0.4), 0.95, 0.35)):
            m = day >= first
            d[m] = np.where(rng.random(m.sum()) < share, rng.uniform(a, b, m.sum()), 0.0)
            p_ok[m] = ok
    d = np.round(d * 200) / 200
    return d, (d > 0.2) & (rng.random(n) < p_ok)


def _corrupt_online(rng: np.random.Generator, lines: dict) -> dict:
    """Distort 2026Q3 online CRM lines: blank/unknown customers, fabricated round amounts, negatives,
    duplicates (exact, or same order/product re-keyed); append five lines dated in 2027."""
    m = np.flatnonzero(lines["unit"] == UNITS.index("online"))
    q3 = m[lines["day"][m] >= Q3]
    orders = np.unique(lines["order"][q3])
    bad = np.isin(lines["order"], rng.choice(orders, int(0.11 * len(orders)), replace=False))
    lines["cflag"] = np.where(bad, np.where(rng.random(len(bad)) < 0.5, 1, 2), 0)  # 1 blank, 2 unknown id
    fab = q3[rng.random(len(q3)) < 0.15]
    amount = rng.choice([50, 55, 58, 60, 65, 68, 70, 75, 78, 80, 85, 88, 90, 95, 98, 99], len(fab))
    amount = amount * 10.0 ** rng.choice([1, 2, 3], len(fab), p=[0.55, 0.38, 0.07])
    lines["qty"][fab], lines["amount"][fab] = 1, amount
    lines["unit_price"][fab] = lines["list_price"][fab] = amount
    lines["amount"][q3[(rng.random(len(q3)) < 0.015) & (lines["status"][q3] == 0)]] *= -1
    copies = np.ones(len(lines["day"]), np.int64)
    copies[q3[rng.random(len(q3)) < 0.06]] = 2
    idx = np.repeat(np.arange(len(copies)), copies)
    out = {key: v[idx] for key, v in lines.items()}
    rekey = np.r_[False, idx[1:] == idx[:-1]] & (rng.random(len(idx)) < 0.3)
    out["qty"][rekey] = np.minimum(out["qty"][rekey] + 1 + rng.integers(0, 5, rekey.sum()), 50)
    out["amount"][rekey] = np.round(out["qty"][rekey] * out["unit_price"][rekey], 2)
    ok = (out["unit"] == UNITS.index("online")) & (out["status"] == 0) & (out["cflag"] == 0)
    src = rng.choice(np.flatnonzero(ok), 5, replace=False)
    extra = {key: v[src].copy() for key, v in out.items()}
    extra["day"] = np.sort(rng.integers(_day("2027-01-04"), _day("2027-06-30"), 5))
    extra["order"] = out["order"].max() + 1 + np.arange(5)
    return {key: np.concatenate([out[key], extra[key]]) for key in out}
