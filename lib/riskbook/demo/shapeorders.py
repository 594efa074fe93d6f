"""The shapes company's six businesses (:mod:`riskbook.demo.shapes`): each one's order lines and customers,
by its own rhythm, over the company's calendar."""

from __future__ import annotations

import numpy as np
import pandas as pd

START, END = pd.Timestamp("2023-01-01"), pd.Timestamp("2026-09-30")
UNITS: tuple[str, ...] = ("web", "reseller", "projects", "subscription", "wholesale", "declining")
DECLINE = pd.Timestamp("2026-04-01")  # when the declining unit's largest customers start to leave
CATALOGUE = np.array([4.99, 8.99, 21.98, 34.99, 39.98, 53.99, 120.0, 159.0, 539.99, 782.99, 1120.49, 2419.06, 3578.27])
PLANS = np.array([49.0, 99.0, 299.0])


def _days(rng: np.random.Generator, n: int, start: pd.Timestamp = START, end: pd.Timestamp = END) -> pd.Series:
    """``n`` random days from ``start`` to ``end``."""
    return pd.Series(start + pd.to_timedelta(rng.integers(0, (end - start).days + 1, n), unit="D"))


def _web(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One-off web shoppers and a few regulars; December sells 40 % more."""
    months = pd.date_range(START, END, freq="MS")
    rows, customers = [], []
    cid = 0
    regulars: list[tuple[int, pd.Timestamp, float]] = []  # customer, first order, mean days between orders
    for m in months:
        n_new = int(rng.poisson(260 * (1.4 if m.month == 12 else 1.0)))
        for _ in range(n_new):
            cid += 1
            customers.append((f"W{cid:06d}", m))
            day = m + pd.Timedelta(days=int(rng.integers(0, m.days_in_month)))
            rows.append((f"W{cid:06d}", day))
            if rng.random() < 0.08:  # becomes a regular
                regulars.append((cid, day, float(rng.uniform(25, 50))))
    for c, day, gap in regulars:
        while True:
            day = day + pd.Timedelta(days=max(1, int(rng.exponential(gap))))
            if day > END or rng.random() < 0.005:
                break
            rows.append((f"W{c:06d}", day))
    df = pd.DataFrame(rows, columns=["customer_id", "order_date"])
    price = rng.choice(CATALOGUE, len(df), p=_zipf(len(CATALOGUE)))
    qty = rng.choice([1, 1, 1, 2], len(df)).astype(float)
    df = df.assign(list_price=price, unit_price=price, quantity=qty, amount=np.round(price * qty, 2), rep_id=None)
    df["product_id"] = [f"SKU-{int(np.searchsorted(CATALOGUE, p)):03d}" for p in price]
    cust = pd.DataFrame(customers, columns=["customer_id", "created_date"])
    return df, cust.assign(segment="consumer", credit_limit=np.nan)


def _zipf(n: int) -> np.ndarray:
    """Weights of ``n`` choices falling as 1/k^0.6: the first the most likely."""
    w = 1 / np.arange(1, n + 1) ** 0.6
    return w / w.sum()


def _accounts(rng: np.random.Generator, prefix: str, n: int, median: float, sigma: float) -> pd.DataFrame:
    """``n`` accounts with a typical order size each."""
    return pd.DataFrame(
        {
            "customer_id": [f"{prefix}{i:04d}" for i in range(1, n + 1)],
            "size": median * np.exp(rng.normal(0, sigma, n)),
            "created_date": _days(rng, n, START - pd.Timedelta(days=900), START - pd.Timedelta(days=30)),
            "segment": "business",
        }
    )


def _priced(rng: np.random.Generator, df: pd.DataFrame, discount: tuple[float, float]) -> pd.DataFrame:
    """Order lines with quantity, list and unit price whose product is the amount."""
    qty = np.maximum(1, np.round(rng.lognormal(np.log(20), 0.5, len(df))))
    disc = np.round(rng.uniform(*discount, len(df)), 3)
    unit_price = np.round(df["amount"].to_numpy() / qty, 2)
    list_price = np.round(unit_price / (1 - disc), 2)
    return df.assign(quantity=qty, unit_price=unit_price, list_price=list_price, amount=np.round(unit_price * qty, 2))


def _reseller(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """24 resellers ordering in the last week of almost every month, each about its own size."""
    acc = _accounts(rng, "R", 24, 40_000, 0.5)
    rows = []
    for m in pd.date_range(START, END, freq="MS"):
        last_week = m + pd.offsets.MonthEnd(0) - pd.Timedelta(days=6)
        for a in acc.itertuples():
            if rng.random() < 0.97:
                day = last_week + pd.Timedelta(days=int(rng.integers(0, 6)))
                rows.append((a.customer_id, day, a.size * rng.uniform(0.85, 1.15)))
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    return _priced(rng, df, (0.10, 0.14)), acc


def _projects(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """About a dozen large deals a quarter from 20 project customers, on random days."""
    acc = _accounts(rng, "P", 20, 150_000, 0.6)
    n = int(rng.poisson(12 * 15))
    df = pd.DataFrame(
        {
            "customer_id": rng.choice(acc["customer_id"], n),
            "order_date": _days(rng, n),
            "amount": np.round(rng.lognormal(np.log(150_000), 0.8, n), -2),
        }
    )
    return _priced(rng, df, (0.0, 0.08)), acc


def _subscription(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monthly plans: 400 subscribers at the start and a few more each month; some leave, some upgrade."""
    rows, customers = [], []
    active: dict[str, float] = {}
    n = 0
    for m in pd.date_range(START, END, freq="MS"):
        for _ in range(int(rng.poisson(400 if m == START else 10))):
            n += 1
            cid = f"S{n:05d}"
            active[cid] = float(rng.choice(PLANS, p=[0.5, 0.35, 0.15]))
            customers.append((cid, m))
        for cid in [c for c in active if rng.random() < 0.005]:
            del active[cid]
        for cid in [c for c in active if rng.random() < 0.01 and active[c] < PLANS[-1]]:
            active[cid] = float(PLANS[np.searchsorted(PLANS, active[cid]) + 1])  # an upgrade
        rows += [(cid, m, price) for cid, price in active.items()]
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    df = df.assign(quantity=1.0, list_price=df["amount"], unit_price=df["amount"], product_id="PLAN")
    cust = pd.DataFrame(customers, columns=["customer_id", "created_date"]).assign(segment="subscriber")
    return df, cust


def _distributor(rng: np.random.Generator, prefix: str, declining: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    """150 customers ordering a few times a month; in the declining unit the 40 largest stop (``_leave``)."""
    acc = _accounts(rng, prefix, 150, 3_000, 0.9)
    per_month = rng.uniform(2, 6, len(acc))
    # the declining unit's 40 largest customers stop buying between April and July 2026
    leave = pd.Series(pd.NaT, index=acc.index)
    if declining:
        top = acc["size"].mul(per_month).nlargest(40).index
        leave[top] = DECLINE + pd.to_timedelta(rng.integers(0, 100, len(top)), unit="D")
    rows = []
    for m in pd.date_range(START, END, freq="MS"):
        k = rng.poisson(per_month)
        for i in np.flatnonzero(k):
            days = m + pd.to_timedelta(rng.integers(0, m.days_in_month, k[i]), unit="D")
            for d in days:
                if pd.isna(leave[i]) or d < leave[i]:
                    rows.append((acc.at[i, "customer_id"], d, acc.at[i, "size"] * rng.lognormal(0, 0.3)))
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "amount"])
    return _priced(rng, df, (0.02, 0.16)), acc.assign(_leave=leave)
