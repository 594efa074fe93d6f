"""The shapes company's books around its orders (:mod:`riskbook.demo.shapes`): each unit's reps and who
sells to whom, its invoices and payments, and its won, lost and open deals."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskbook.demo.shapeorders import DECLINE, END, START, UNITS


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
