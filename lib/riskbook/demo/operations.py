"""The demo's opportunities, inventory snapshots and incidents."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from riskbook.demo.people import _rep_at
from riskbook.demo.sales import _calendar
from riskbook.demo.spec import (
    COMPETITORS,
    END,
    INCIDENT_TEXT,
    INJECTED_INCIDENTS,
    N_DAYS,
    N_PRODUCTS,
    Q2,
    Q3,
    QUARTERS,
    SPECS,
    START,
    UNIT_NAMES,
    UNITS,
    _day,
)
from riskbook.demo.tables import _date, _ids


def _opportunities(rng: np.random.Generator, unit: str, k: int, cust: dict, reps: dict, quota: float) -> dict:
    """CRM opportunities, ~90-day cycles, open pipeline ≈ 4× quota; the pipeline open at CRM
    go-live is imported on 2024-01-01. North loses to the rival from 2026Q2."""
    sp, per_day = SPECS[unit], SPECS[unit].opps_per_q * k / 91.3
    w = _calendar(rng, (0.2, 0.1))
    live = int(per_day * 90)
    created = np.r_[np.zeros(live, int), np.sort(rng.choice(N_DAYS, sp.opps_per_q * 11 * k, p=w / w.sum()))]
    n = len(created)
    cycle = np.r_[rng.gamma(3.0, 45.0, live) * rng.random(live), rng.gamma(2.0, 45.0, n - live)]
    close = created + np.ceil(cycle).astype(int)
    trend = 1.05 ** ((created - _day("2025-07-01")) / 365.25)
    amount = np.round(rng.lognormal(0, 0.6, n) * 4.0 * quota / (per_day * 90.0 * np.exp(0.18)) * trend, -2)
    p_win, p_named, p_rival = np.full(n, 0.5 if unit == "key_accounts" else 0.42), np.full(n, 0.25), np.full(n, 0.3)
    if unit == "north":
        for first, pw, pn, pr in ((Q2, 0.28, 0.45, 0.6), (Q3, 0.15, 0.85, 0.85)):
            p_win[close >= first], p_named[close >= first], p_rival[close >= first] = pw, pn, pr
    closed = close < N_DAYS
    won = closed & (rng.random(n) < p_win)
    lost = closed & ~won
    age = N_DAYS - 1 - created
    stage = np.where(
        won,
        "closed_won",
        np.where(
            lost,
            "closed_lost",
            np.select([age < 15, age < 30, age < 50], ["prospecting", "qualification", "proposal"], "negotiation"),
        ),
    )
    named = lost & (rng.random(n) < p_named)
    rival = np.where(rng.random(n) < p_rival, COMPETITORS[0], rng.choice(COMPETITORS[1:], n))
    reason = np.where(
        named,
        np.where(rng.random(n) < 0.6, "competitor", "price"),
        rng.choice(["price", "no_decision", "budget", "timing", "product_fit"], n),
    )
    weight = np.sqrt(cust["r"]) / np.sqrt(cust["r"]).sum()
    c = rng.choice(len(weight), n, p=weight)
    for _ in range(5):  # no opportunities with customers already gone
        gone = created >= cust["end"][c]
        c[gone] = rng.choice(len(weight), int(gone.sum()), p=weight)
    out = dict(
        created=created,
        close=np.where(closed, close, -1),
        amount=amount,
        c=c,
        status=np.where(won, "won", np.where(lost, "lost", "open")),
        rep=_rep_at(reps, cust, c, created),
        stage=stage,
        reason=np.where(lost, reason, None),
        competitor=np.where(named, rival, None),
        typo=np.zeros(n, bool),
        dup=np.zeros(n, bool),
    )
    if unit == "online":  # the CRM migration garbles Q3 opportunities too
        out["typo"] = (created >= Q3) & (rng.random(n) < 0.15)
        idx = np.repeat(np.arange(n), np.where((created >= Q3) & (rng.random(n) < 0.15), 2, 1))
        out = {key: v[idx] for key, v in out.items()}
        out["dup"] = np.r_[False, idx[1:] == idx[:-1]]
    return out


def _inventory(rng: np.random.Generator, lines: dict) -> dict:
    """Month-end stock per unit and product: demand from orders, noisy forecast, ~1.5% stock-outs."""
    month = lambda d: d.astype("datetime64[M]").astype(int)  # noqa: E731
    key = ((month(START + lines["day"]) - month(START)) * len(UNITS) + lines["unit"]) * N_PRODUCTS + lines["prod"]
    n_rows = (month(END) - month(START) + 1) * len(UNITS) * N_PRODUCTS
    done_qty = np.where(lines["status"] == 0, lines["qty"], 0)
    actual = np.bincount(key, weights=done_qty, minlength=n_rows).astype(np.int64)
    forecast = np.rint(actual * rng.lognormal(0, 0.15, len(actual))).astype(np.int64)
    on_hand = np.ceil(forecast * rng.uniform(1.1, 2.0, len(actual))).astype(np.int64) + 2
    short = rng.random(len(actual)) < 0.015
    on_hand[short] = np.floor(forecast[short] * rng.uniform(0, 0.9, short.sum())).astype(np.int64)
    row = np.arange(len(actual))
    month_end = (np.datetime64("2024-02", "M") + row // (len(UNITS) * N_PRODUCTS)).astype("datetime64[D]") - 1
    return dict(
        snapshot_date=pa.array(month_end, pa.date32()),
        product_id=_ids("P-", row % N_PRODUCTS + 1, 3),
        on_hand=on_hand,
        unit=UNIT_NAMES[row // N_PRODUCTS % len(UNITS)],
        forecast_demand=forecast,
        actual_demand=actual,
    )


def _incidents(rng: np.random.Generator) -> dict:
    """Up to three minor background incidents per unit and quarter (not scaled) plus the injected ones."""
    rows, cats = [], list(INCIDENT_TEXT)
    for unit in UNITS:
        for q in range(11):
            for _ in range(min(rng.poisson(1.2), 3)):
                cat = cats[rng.choice(4, p=[0.3, 0.05, 0.45, 0.2])]
                sev = int(rng.choice([1, 2, 3], p=[0.45, 0.37, 0.18]))
                rows.append((unit, int(rng.integers(QUARTERS[q], QUARTERS[q + 1])), cat, sev, INCIDENT_TEXT[cat]))
    rows += [(u, _day(d), cat, sev, text) for u, d, cat, sev, text in INJECTED_INCIDENTS]
    rows.sort(key=lambda r: (r[1], UNITS.index(r[0])))
    unit, day, cat, sev, text = (list(col) for col in zip(*rows))
    solved = np.array(day) + rng.integers(1, 40, len(rows))
    return dict(
        incident_id=_ids("INC-", np.arange(1, len(rows) + 1), 4),
        unit=unit,
        date=_date(day),
        category=cat,
        severity=pa.array(sev, pa.int64()),
        resolved_date=_date(solved, solved >= N_DAYS),
        description=text,
    )
