"""Companies that do not look like the demo: one unit per business shape, each healthy, and one in real decline.

The demo company is a distributor whose customers buy every few weeks at negotiated prices. Real
businesses have other rhythms, and a risk report must not mistake a rhythm for a risk. ``generate``
writes canonical tables for six units, from 2023-01-01 to 2026-09-30:

- ``web``: web shoppers buying at catalogue prices (4.99, 39.98, 2,419.06 …), most of them once, no
  reps, a December peak; a few regulars buy every month or two.
- ``reseller``: 24 resellers ordering once a month, in the month's last week, on 30-day terms.
- ``projects``: a project business — a dozen large deals a quarter from a few customers, half invoiced
  at signing; revenue swings from quarter to quarter, a quarter of the deals are won.
- ``subscription``: monthly plans at list prices, invoiced on the 1st and paid within days.
- ``wholesale``: a distributor with 150 customers ordering several times a month, discounts with approval.
- ``declining``: a distributor in real decline — from April 2026 its largest customers stop buying, and
  some stop paying. The one unit that should be reported red and high.

``cut`` ends the export on a day (a mid-month cut: what a user exports on the 15th); ``exit_dates=False``
writes the reps table without its exit-date column, as many HR exports come. Same arguments, same bytes.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

START, END = pd.Timestamp("2023-01-01"), pd.Timestamp("2026-09-30")
UNITS: tuple[str, ...] = ("web", "reseller", "projects", "subscription", "wholesale", "declining")
HEALTHY: tuple[str, ...] = UNITS[:-1]
DECLINE = pd.Timestamp("2026-04-01")  # when the declining unit's largest customers start to leave
CATALOGUE = np.array([4.99, 8.99, 21.98, 34.99, 39.98, 53.99, 120.0, 159.0, 539.99, 782.99, 1120.49, 2419.06, 3578.27])
PLANS = np.array([49.0, 99.0, 299.0])


def _days(rng: np.random.Generator, n: int, start: pd.Timestamp = START, end: pd.Timestamp = END) -> pd.Series:
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


def _reps(rng: np.random.Generator, unit: str, n: int, quota: float) -> pd.DataFrame:
    """``n`` seats; one rep a year leaves (in the unit's month of the year) and is replaced a month later."""
    hires = list(START - pd.to_timedelta(rng.integers(400, 3000, n), unit="D"))
    rows = []
    seat = 0
    for year in range(START.year, END.year + 1):
        exit_ = pd.Timestamp(year, 1 + UNITS.index(unit) % 12, 10)
        if exit_ > END:
            break
        rows.append((hires[seat], exit_))
        hires[seat] = exit_ + pd.Timedelta(days=30)
        seat = (seat + 1) % n
    rows += [(h, pd.NaT) for h in hires if h <= END]
    reps = pd.DataFrame(rows, columns=["hire_date", "exit_date"]).sort_values("hire_date", kind="stable")
    reps = reps.reset_index(drop=True).assign(quarterly_quota=quota / n)
    reps.insert(0, "rep_id", [f"{unit[:3].upper()}-R{i:03d}" for i in range(1, len(reps) + 1)])
    reps.insert(1, "rep_name", [f"{unit.title()} Rep {i}" for i in range(1, len(reps) + 1)])
    return reps.assign(unit=unit)


def _assign_reps(rng: np.random.Generator, orders: pd.DataFrame, reps: pd.DataFrame) -> pd.Series:
    """Each order's rep: one employed on its date, the same for a customer while that rep stays."""
    out = []
    held: dict[str, str] = {}
    active = {r.rep_id: (r.hire_date, r.exit_date) for r in reps.itertuples()}

    def employed(rep: str, day: pd.Timestamp) -> bool:
        h, e = active[rep]
        return h <= day and (pd.isna(e) or day < e)

    for c, d in zip(orders["customer_id"], orders["order_date"]):
        rep = held.get(c)
        if rep is None or not employed(rep, d):
            pool = [r for r in active if employed(r, d)]
            rep = pool[int(rng.integers(len(pool)))] if pool else None
            if rep:
                held[c] = rep
        out.append(rep)
    return pd.Series(out, index=orders.index)


def _receivables(
    rng: np.random.Generator, orders: pd.DataFrame, terms: int, delay: tuple[int, int], stop_paying: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One invoice per order, due after ``terms`` days, paid after a delay in ``delay`` days — never by the
    customers in ``stop_paying`` once the decline starts."""
    inv = pd.DataFrame(
        {
            "invoice_id": "I" + orders["order_id"].str[1:],
            "customer_id": orders["customer_id"],
            "unit": orders["unit"],
            "issue_date": orders["order_date"],
            "due_date": orders["order_date"] + pd.Timedelta(days=terms),
            "amount": orders["amount"],
            "order_id": orders["order_id"],
            "disputed": rng.random(len(orders)) < 0.004,
        }
    )
    paid_on = inv["issue_date"] + pd.to_timedelta(rng.integers(delay[0], delay[1] + 1, len(inv)), unit="D")
    stopped = inv["customer_id"].isin(stop_paying) & (inv["issue_date"] >= DECLINE - pd.Timedelta(days=60))
    keep = (paid_on <= END) & ~stopped
    pay = pd.DataFrame({"invoice_id": inv["invoice_id"], "payment_date": paid_on, "amount": inv["amount"]})[keep]
    return inv, pay


def _opportunities(
    rng: np.random.Generator, unit: str, orders: pd.DataFrame, win: float, reps: pd.DataFrame
) -> pd.DataFrame:
    """Deals that became the orders (won), and lost ones beside them; open ones at the end."""
    big = orders.drop_duplicates("order_id")
    won = big.sample(frac=min(1.0, 400 / max(1, len(big))), random_state=int(rng.integers(1 << 31)))
    n_lost = int(len(won) * (1 - win) / win)
    lost = won.sample(n=n_lost, replace=True, random_state=int(rng.integers(1 << 31)))
    frames = []
    for status, src in (("won", won), ("lost", lost)):
        close = (
            src["order_date"].to_numpy()
            if status == "won"
            else (src["order_date"] + pd.to_timedelta(rng.integers(-20, 20, len(src)), unit="D"))
            .clip(upper=END)
            .to_numpy()
        )
        frames.append(
            pd.DataFrame(
                {
                    "created_date": pd.to_datetime(close) - pd.to_timedelta(rng.integers(20, 120, len(src)), unit="D"),
                    "status": status,
                    "amount": src["amount"].to_numpy(),
                    "close_date": close,
                    "customer_id": src["customer_id"].to_numpy(),
                    "rep_id": src["rep_id"].to_numpy(),
                    "competitor": np.where((status == "lost") & (rng.random(len(src)) < 0.25), "Rival Co", None),
                }
            )
        )
    quota = float(reps.loc[reps["exit_date"].isna(), "quarterly_quota"].sum())
    n_open = 30
    frames.append(
        pd.DataFrame(
            {
                "created_date": END - pd.to_timedelta(rng.integers(5, 150, n_open), unit="D"),
                "status": "open",
                "amount": np.full(n_open, 4.0 * quota / n_open),
                "close_date": pd.NaT,
                "customer_id": None,
                "rep_id": None,
                "competitor": None,
            }
        )
    )
    opp = pd.concat(frames, ignore_index=True)
    opp.insert(0, "opportunity_id", [f"{unit[:3].upper()}-OP{i:05d}" for i in range(1, len(opp) + 1)])
    return opp.assign(unit=unit)


def _tables(seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    orders, customers, reps, invoices, payments, opps = [], [], [], [], [], []
    for unit in UNITS:
        r = np.random.default_rng([seed, UNITS.index(unit)])
        if unit == "web":
            o, c = _web(r)
        elif unit == "reseller":
            o, c = _reseller(r)
        elif unit == "projects":
            o, c = _projects(r)
        elif unit == "subscription":
            o, c = _subscription(r)
        else:
            o, c = _distributor(r, unit[0].upper(), unit == "declining")
        o = o.sort_values(["order_date", "customer_id"], kind="stable").reset_index(drop=True)
        o = o.assign(unit=unit, order_id=[f"O{unit[:3].upper()}{i:07d}" for i in range(1, len(o) + 1)])
        o["customer_id"] = unit[:3].upper() + "-" + o["customer_id"]
        c["customer_id"] = unit[:3].upper() + "-" + c["customer_id"]
        if "product_id" not in o.columns:
            o["product_id"] = "P" + pd.Series(r.integers(1, 40, len(o))).astype(str).str.zfill(3)
        status = np.where(r.random(len(o)) < 0.012, "cancelled", "completed")
        o = o.assign(status=status, discount_approved=False)
        if unit != "web":
            seats = {"reseller": 4, "projects": 10, "subscription": 3}.get(unit, 10)
            quarter = o.loc[o["order_date"] >= END - pd.Timedelta(days=365), "amount"].sum() / 4
            rp = _reps(r, unit, seats, quarter)
            o["rep_id"] = _assign_reps(r, o, rp)
            reps.append(rp)
            terms, delay = {"subscription": (14, (0, 12)), "projects": (30, (10, 30))}.get(unit, (30, (10, 40)))
            leaving = set(c.loc[c.get("_leave", pd.Series(pd.NaT, index=c.index)).notna(), "customer_id"])
            stop = set(list(sorted(leaving))[:12]) if unit == "declining" else set()
            inv, pay = _receivables(r, o[o["status"] == "completed"], terms, delay, stop)
            invoices.append(inv)
            payments.append(pay)
            if unit in ("projects", "wholesale", "declining", "reseller"):
                opps.append(_opportunities(r, unit, o, {"projects": 0.35}.get(unit, 0.55), rp))
        done = o[o["status"] == "completed"].groupby("customer_id")["amount"]
        monthly = done.sum() / ((END - START).days / 30.4)
        limit = np.maximum(monthly * 6, done.max() * 1.5).reindex(c["customer_id"]).fillna(0).to_numpy().round(-3)
        c = c.assign(unit=unit, customer_name=c["customer_id"].str.replace("-", " customer "))
        c["credit_limit"] = np.where(limit > 0, np.maximum(limit, 5_000), np.nan) if unit != "web" else np.nan
        c["region"] = r.choice(["North", "South", "East", "West"], len(c))
        c["industry"] = "retail" if unit == "web" else "manufacturing"
        orders.append(o)
        customers.append(c)
    del rng
    out = {
        "orders": pd.concat(orders, ignore_index=True),
        "customers": pd.concat(customers, ignore_index=True),
        "reps": pd.concat(reps, ignore_index=True),
        "invoices": pd.concat(invoices, ignore_index=True),
        "payments": pd.concat(payments, ignore_index=True),
        "opportunities": pd.concat(opps, ignore_index=True),
    }
    return out


COLUMNS: dict[str, list[str]] = {
    "orders": [
        "order_id",
        "order_date",
        "customer_id",
        "unit",
        "amount",
        "rep_id",
        "product_id",
        "quantity",
        "list_price",
        "unit_price",
        "status",
        "discount_approved",
    ],  # fmt: skip
    "customers": [
        "customer_id",
        "customer_name",
        "unit",
        "segment",
        "industry",
        "region",
        "credit_limit",
        "created_date",
    ],
    "reps": ["rep_id", "rep_name", "unit", "hire_date", "exit_date", "quarterly_quota"],
    "invoices": ["invoice_id", "customer_id", "unit", "issue_date", "due_date", "amount", "order_id", "disputed"],
    "payments": ["invoice_id", "payment_date", "amount"],
    "opportunities": [
        "opportunity_id",
        "unit",
        "created_date",
        "status",
        "amount",
        "close_date",
        "customer_id",
        "rep_id",
        "competitor",
    ],  # fmt: skip
}
DATE_OF = {
    "orders": "order_date",
    "invoices": "issue_date",
    "payments": "payment_date",
    "opportunities": "created_date",
}


def generate(
    out_dir: Path, seed: int = 7, cut: str | None = None, exit_dates: bool = True, thin: str | None = None
) -> Path:
    """Write the six units' tables as canonical CSV files into ``out_dir`` (replaced whole) and return it.
    ``cut``: the export's last day (rows dated later are not in it); ``exit_dates``: whether the reps table
    has its exit-date column; ``thin``: a month (2026-09) of which the export holds only one order in 30
    (keyed late into the ERP), with its last days still in it."""
    tables = _tables(seed)
    if thin is not None:
        rng = np.random.default_rng(seed)
        month = pd.Period(thin, "M")
        o = tables["orders"]
        inside = o["order_date"].dt.to_period("M") == month
        keep = (
            ~inside
            | (rng.random(len(o)) < 1 / 30)
            | (o["order_date"] >= month.end_time.normalize() - pd.Timedelta(days=1))
        )
        tables["orders"] = o[keep]
        kept = set(tables["orders"]["order_id"])
        inv = tables["invoices"]
        tables["invoices"] = inv[inv["order_id"].isin(kept)]
        tables["payments"] = tables["payments"][
            tables["payments"]["invoice_id"].isin(set(tables["invoices"]["invoice_id"]))
        ]
    if cut is not None:
        last = pd.Timestamp(cut)
        for name, col in DATE_OF.items():
            tables[name] = tables[name][tables[name][col] <= last]
        opp = tables["opportunities"]
        tables["opportunities"] = opp.assign(
            status=np.where(opp["close_date"] > last, "open", opp["status"]),
            close_date=opp["close_date"].where(opp["close_date"] <= last),
        )
        reps = tables["reps"]
        tables["reps"] = reps[reps["hire_date"] <= last].assign(
            exit_date=reps["exit_date"].where(reps["exit_date"] <= last)
        )
    out_dir = Path(out_dir)
    tmp = Path(tempfile.mkdtemp(prefix=".shapes-", dir=out_dir.parent if out_dir.parent.exists() else None))
    for name, df in tables.items():
        cols = [c for c in COLUMNS[name] if exit_dates or (name, c) != ("reps", "exit_date")]
        df = df[cols].copy()
        for c in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[c]):
                df[c] = df[c].dt.strftime("%Y-%m-%d")
            elif df[c].dtype == bool:
                df[c] = df[c].map({True: "true", False: "false"})
        df.to_csv(tmp / f"{name}.csv", index=False, float_format="%.2f")
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.move(str(tmp), out_dir)
    return out_dir
