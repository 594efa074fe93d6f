"""The demo's customers and sales reps, per unit."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from riskbook.demo.spec import N_DAYS, Q2, QUARTERS, SPECS, _day


def _customers(rng: np.random.Generator, unit: str, k: int, line_value: Callable) -> dict[str, np.ndarray]:
    """Customers of one unit: revenue weight, order profile, lifecycle, rep slot, injected roles."""
    sp, n = SPECS[unit], SPECS[unit].customers * k
    r = rng.lognormal(0.0, sp.sigma, n)
    new = rng.random(n) < 0.15
    start = np.where(new, rng.integers(0, N_DAYS - 60, n), 0)
    end = np.where(rng.random(n) < 0.08, np.minimum(start + 60 + rng.integers(0, N_DAYS, n), N_DAYS), N_DAYS)
    created = np.where(new, start - rng.integers(0, 30, n), -rng.integers(90, 4000, n))
    boost, stop_paying = np.full(n, -1), np.full(n, N_DAYS + 1)
    top = np.argsort(-r, kind="stable")
    picked = np.zeros(0, int)
    if unit in ("east", "key_accounts"):  # the injected customers are long-standing
        picked = np.sort(rng.choice(top[: 25 * k], 8 * k, replace=False) if unit == "east" else top[: 4 * k : 2])
        start[picked], end[picked], created[picked] = 0, N_DAYS, -rng.integers(400, 4000, len(picked))
    if unit == "east":  # big buyers buy 30% more from Q2 and stop paying
        r[picked] *= 0.24 / 0.76 * np.delete(r, picked).sum() / r[picked].sum()
        boost[picked] = Q2
        stop_paying[picked] = _day("2026-03-25") + rng.integers(0, 21, len(picked))
    elif unit == "key_accounts":  # two top accounts leave at the end of Q2
        r[picked] = 0.28 / 0.72 * np.delete(r, picked).sum() / len(picked)
        end[picked] = _day("2026-06-12") + rng.integers(0, 15, len(picked))
    z = (np.log(r) - np.log(np.median(r))) / sp.sigma
    mu = np.log(np.clip(sp.qty_median * np.exp(0.4 * sp.sigma * z), 1.2, 30))
    lines_p = np.clip(sp.lines_p + 0.08 * z, 0.05, 0.75)
    freq = r / ((1 + 4 * lines_p) * line_value(mu))  # expected revenue share ∝ r
    rank = np.empty(n, int)
    rank[top] = np.arange(n)
    segment = np.where(rank < 0.1 * n, "key", np.where(rank < 0.4 * n, "mid_market", "smb"))
    return dict(
        r=r,
        start=start,
        end=end,
        created=created,
        rate=sp.orders_per_q / 91.3 * freq / freq.mean(),
        mu=mu,
        lines_p=lines_p,
        slot=rng.integers(0, sp.reps * k, n),
        alt=np.full(n, -1),
        switch=np.full(n, N_DAYS),
        boost=boost,
        stop_paying=stop_paying,
        picked=picked,
        segment=np.full(n, "strategic") if unit == "key_accounts" else segment,
    )


def _reps(rng: np.random.Generator, unit: str, k: int, cust: dict) -> dict:
    """Rep slots, each a succession of reps (replacements hired around the exit)."""
    n_slots = SPECS[unit].reps * k
    exits: list[list[int]] = [[] for _ in range(n_slots)]
    free = np.setdiff1d(np.arange(n_slots), cust["slot"][cust["picked"]])  # injected accounts keep their rep
    for q in range(11):  # k leavers in about half of the quarters
        if rng.random() < 0.5 and not (unit == "south" and q == 10):
            for s in rng.choice(free, k, replace=False):
                exits[s].append(int(rng.integers(QUARTERS[q], QUARTERS[q + 1])))
    exodus: list[int] = []
    if unit == "south":  # the reps holding the biggest books leave, unreplaced
        book = np.bincount(cust["slot"], weights=cust["r"], minlength=n_slots)
        exodus = sorted(np.argsort(-book, kind="stable")[: round(0.36 * n_slots)].tolist())
        for s in exodus:
            exits[s].append(int(rng.integers(_day("2026-08-01"), _day("2026-09-26"))))
        stay = np.setdiff1d(np.arange(n_slots), exodus)
        for c in np.flatnonzero(np.isin(cust["slot"], exodus)):
            day, fate = max(exits[cust["slot"][c]]), rng.random()
            if fate < 0.2:  # follows the rep out of the door
                cust["end"][c] = min(cust["end"][c], day + 1)
            elif fate < 0.6:  # reassigned; the rest stay booked to the leaver
                cust["alt"][c], cust["switch"][c] = rng.choice(stay), day
    hire, leave, first, keys, gone = [], [], [], [], []
    for s in range(n_slots):
        first.append(len(hire))
        hire.append(-int(rng.integers(60, 3000)))
        for e in sorted(exits[s]):
            leave.append(e)
            keys.append(s * 100_000 + e)
            if s in exodus and e == max(exits[s]):
                gone.append(len(leave) - 1)
            else:
                hire.append(max(e - int(rng.integers(0, 21)), hire[-1] + 1))
        leave += [-1] * (len(hire) - len(leave))
    count = np.diff(np.r_[first, len(hire)])
    return dict(
        hire=np.array(hire),
        exit=np.array(leave),
        first=np.array(first),
        count=count,
        slot_of=np.repeat(np.arange(n_slots), count),
        keys=np.sort(np.array(keys, np.int64)),
        gone=np.array(gone, int),
    )


def _rep_at(reps: dict, cust: dict, c: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Index of the rep who owns customer ``c`` on ``day``."""
    slot = np.where((cust["alt"][c] >= 0) & (day > cust["switch"][c]), cust["alt"][c], cust["slot"][c])
    base = slot.astype(np.int64) * 100_000
    n_left = np.searchsorted(reps["keys"], base + day) - np.searchsorted(reps["keys"], base)
    return reps["first"][slot] + np.minimum(n_left, reps["count"][slot] - 1)
