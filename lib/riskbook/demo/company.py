"""A deterministic demo company: six units, the eight canonical tables and a ground truth.

``generate(out_dir)`` writes ``orders.csv`` … ``incidents.csv`` plus ``ground_truth.json``.
Data runs from 2024-01-01 to 2026-09-30. Five units carry one injected risk in 2026Q3, built up
in 2026Q2 where natural and documented in the ground truth; ``west`` stays healthy. ``scale``
multiplies customers, reps, orders and opportunities (ratios stay put; incidents do not scale).
Same arguments, same bytes.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

UNITS: tuple[str, ...] = ("east", "south", "north", "west", "online", "key_accounts")
UNIT_NAMES = np.array(UNITS)
COMPANY, CURRENCY, PERIOD = "Demo Trading Co.", "CNY", "2026Q3"
START, END = np.datetime64("2024-01-01", "D"), np.datetime64("2026-09-30", "D")
N_DAYS = int((END - START).astype(int)) + 1
N_PRODUCTS = 64
COMPETITORS = ("华力科技", "远航集团", "东方智联", "博远贸易", "中联商贸")
MONTH_FACTOR = np.array([1.0, 1.0, 1.02, 1.0, 1.0, 1.02, 0.98, 0.97, 1.03, 1.0, 1.04, 1.06])
QTY_SIGMA, QTY_PRICE = 0.45, -1 / 3  # line quantity: log-normal spread, elasticity to price
_erf = np.vectorize(math.erf, otypes=[float])


def _day(text: str) -> int:
    """Day index (0 = START) of an ISO date."""
    return int((np.datetime64(text, "D") - START).astype(int))


Q2, Q3 = _day("2026-04-01"), _day("2026-07-01")
QUARTERS = [_day(f"{y}-{m:02d}-01") for y in (2024, 2025, 2026) for m in (1, 4, 7, 10)][:11] + [N_DAYS]
CNY = [_day(d) for d in ("2024-02-10", "2025-01-29", "2026-02-17")]


@dataclass(frozen=True)
class UnitSpec:
    """Size and behaviour of one unit at scale 1."""

    code: str
    customers: int
    reps: int
    orders_per_q: float  # orders per customer and quarter (mean)
    sigma: float  # log-normal spread of customer revenue
    qty_median: float  # median line quantity of the median customer
    lines_p: float  # binomial(4, p) extra lines per order, median customer
    discount: tuple[float, float]  # range of normal discounts
    opps_per_q: int
    weekend: tuple[float, float]  # Saturday, Sunday order weight
    regions: tuple[str, ...] = ("上海", "江苏", "浙江", "广东", "福建", "北京", "天津", "山东", "四川", "重庆")


SPECS: dict[str, UnitSpec] = {
    "east": UnitSpec(
        "EAS", 350, 28, 2.8, 0.85, 5, 0.22, (0.01, 0.11), 200, (0.3, 0.15), ("上海", "江苏", "浙江", "安徽")
    ),
    "south": UnitSpec(
        "SOU", 300, 25, 2.8, 0.85, 5, 0.22, (0.01, 0.11), 200, (0.3, 0.15), ("广东", "福建", "广西", "海南")
    ),
    "north": UnitSpec(
        "NOR", 280, 22, 2.8, 0.85, 5, 0.22, (0.01, 0.11), 180, (0.3, 0.15), ("北京", "天津", "河北", "山东")
    ),
    "west": UnitSpec(
        "WES", 320, 24, 2.8, 0.85, 5, 0.22, (0.01, 0.11), 200, (0.3, 0.15), ("四川", "重庆", "陕西", "云南")
    ),
    "online": UnitSpec("ONL", 400, 20, 2.8, 0.8, 4, 0.22, (0.01, 0.09), 160, (0.8, 0.7)),
    "key_accounts": UnitSpec("KEY", 40, 20, 14.0, 0.6, 6, 0.5, (0.05, 0.12), 150, (0.15, 0.1)),
}
INDUSTRIES = ("manufacturing", "retail", "construction", "healthcare", "logistics", "energy", "food", "electronics")
NAME_CORE = (
    "恒信 鼎盛 华泰 瑞丰 金桥 宏达 新元 盛世 永安 汇通 天成 博雅 中诚 嘉禾 明辉 正泰 远景 兴业 德润 安捷".split()
)
NAME_KIND = "机械 贸易 电子科技 物流 建材 医疗器械 食品 新能源 化工 五金".split()
SURNAMES = "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 罗 高".split()
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀英 华 平 刚 桂英 婷 雪 浩 宇 晨 欣 子涵 思远".split()
INCIDENT_TEXT = {
    "system_outage": "ERP/CRM outage",
    "data_loss": "Records lost in interface",
    "complaint": "Customer complaint about delivery",
    "other": "Operational issue",
}
INJECTED_INCIDENTS = [  # unit, date, category, severity, description
    ("east", "2024-05-14", "legal", 2, "Contract dispute with a distributor settled"),
    ("west", "2024-11-05", "compliance", 1, "VAT invoice data incomplete for one customer"),
    ("south", "2025-03-18", "compliance", 2, "Gift policy breach reported by internal audit"),
    ("east", "2026-08-19", "other", 2, "Collections escalated: large customers 90+ days overdue"),
    ("south", "2026-08-28", "complaint", 2, "Key account complains about handover after rep departure"),
    ("north", "2026-09-08", "compliance", 3, "Audit: discounts above 20% booked without approval"),
    ("online", "2026-07-06", "system_outage", 3, "CRM migration outage; orders re-keyed by hand"),
    ("online", "2026-08-11", "data_loss", 2, "Customer master records lost in CRM sync"),
    ("key_accounts", "2026-07-03", "complaint", 3, "Two framework customers did not renew"),
]
RISKS = [  # unit, risk, family, kris (red in 2026Q3), related_kris (may move too), description
    (
        "east",
        "receivables_crunch",
        "financial",
        ["dso", "overdue_ratio", "overdue_90_ratio", "expected_credit_loss", "credit_limit_breaches"],
        [],
        "Eight large customers (about a quarter of revenue) keep ordering, 30% more from April 2026, but "
        "stopped paying around then; receivables age past 90 days and exceed credit limits.",
    ),
    (
        "south",
        "sales_rep_exodus",
        "operational",
        ["rep_attrition_rate", "orphaned_revenue_share"],
        ["customer_churn_rate", "revenue_churn_rate", "revenue_growth", "net_revenue_retention"],
        "About 36% of the reps, holding the biggest books, leave in Aug-Sep 2026 without replacement; a fifth "
        "of their customers follow them and two fifths are still booked to the leavers.",
    ),
    (
        "north",
        "competitor_price_war",
        "market",
        ["discount_depth", "discount_policy_violations", "win_rate", "competitive_loss_share", "revenue_growth"],
        ["revenue_yoy", "net_revenue_retention", "customer_churn_rate", "revenue_churn_rate", "compliance_incidents"],
        f"{COMPETITORS[0]} undercuts prices: discounts deepen from 2026Q2 (about 30% in Q3, most above 20% "
        "without approval - a compliance breach), the win rate collapses, volume and revenue fall.",
    ),
    (
        "online",
        "distorted_crm_data",
        "operational",
        ["duplicate_record_rate", "data_quality_error_rate", "benford_mad"],
        ["incident_count", "net_revenue_retention", "customer_churn_rate", "revenue_churn_rate"],
        "A CRM migration in 2026Q3: ~6% duplicated order lines, ~11% of orders with a blank or unknown customer "
        "id, negative amounts, 15% fabricated round amounts, garbled opportunities; 5 lines dated in 2027.",
    ),
    (
        "key_accounts",
        "key_customer_loss",
        "customer",
        ["revenue_churn_rate", "net_revenue_retention"],
        ["revenue_growth", "revenue_yoy", "customer_churn_rate", "customer_concentration_top10"],
        "Two top-10 key accounts (together over a quarter of revenue) stop buying after 2026Q2.",
    ),
]


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


def _ids(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded numbers."""
    digits = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "")


def _date(day: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Day indexes as dates; ``missing`` marks empty cells."""
    return pa.array(START + np.asarray(day, np.int64), pa.date32(), mask=missing)


def _order_ids(numbers: np.ndarray) -> pa.Array:
    return _ids("O-", numbers + 1, 7)


def _write_csv(table: pa.Table, path: Path) -> None:
    """CSV with a plain header, unquoted values, empty for missing, true/false booleans."""
    with open(path, "wb") as fh:
        fh.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, batch_size=1 << 16, quoting_style="none"))


def _merge(parts: list[dict], custs: list[dict], repss: list[dict]) -> dict[str, np.ndarray]:
    """All units' lines with company-wide customer, rep and order numbers (orders by date, customer)."""
    for u, part in enumerate(parts):
        part["unit"] = np.full(len(part["c"]), u)
    offset = {
        key: np.cumsum([0] + sizes)
        for key, sizes in (
            ("c", [len(c["r"]) for c in custs]),
            ("rep", [len(r["hire"]) for r in repss]),
            ("order", [int(p["order"].max()) + 1 for p in parts]),
        )
    }
    lines = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    for key, off in offset.items():
        lines[key] += off[lines["unit"]]
    first = np.unique(lines["order"], return_index=True)[1]
    rank = np.empty(len(first), np.int64)
    rank[np.lexsort((lines["c"][first], lines["day"][first]))] = np.arange(len(first))
    lines["order"] = rank[lines["order"]]
    srt = np.argsort(lines["order"], kind="stable")
    return {key: v[srt] for key, v in lines.items()}


def _orders_table(lines: dict, cust_ids: pa.Array, rep_ids: pa.Array) -> dict:
    """Order lines; flagged online lines get a blank (1) or an unknown (2) customer id."""
    cid = cust_ids.take(pa.array(lines["c"]))
    cid = pc.if_else(pa.array(lines["cflag"] == 2), pc.replace_substring(cid, "C-ONL-", "C-0NL-"), cid)
    return dict(
        order_id=_order_ids(lines["order"]),
        order_date=_date(lines["day"]),
        customer_id=pc.if_else(pa.array(lines["cflag"] == 1), pa.scalar(None, pa.string()), cid),
        unit=UNIT_NAMES[lines["unit"]],
        amount=lines["amount"],
        rep_id=rep_ids.take(pa.array(lines["rep"])),
        product_id=_ids("P-", lines["prod"] + 1, 3),
        quantity=lines["qty"],
        list_price=lines["list_price"],
        unit_price=lines["unit_price"],
        status=np.array(["completed", "cancelled", "returned"])[lines["status"]],
        discount_approved=lines["approved"],
    )


def _customers_table(rng: np.random.Generator, custs: list[dict], cust_ids: pa.Array, limits: np.ndarray) -> dict:
    """Customers with Chinese company names from their region."""
    region = np.concatenate([rng.choice(SPECS[u].regions, len(c["r"])) for u, c in zip(UNITS, custs)])
    core, kind = rng.integers(0, len(NAME_CORE), len(region)), rng.integers(0, len(NAME_KIND), len(region))
    return dict(
        customer_id=cust_ids,
        customer_name=[f"{g}{NAME_CORE[a]}{NAME_KIND[b]}有限公司" for g, a, b in zip(region, core, kind)],
        unit=np.repeat(UNIT_NAMES, [len(c["r"]) for c in custs]),
        segment=np.concatenate([c["segment"] for c in custs]),
        industry=rng.choice(INDUSTRIES, len(region)),
        region=region,
        credit_limit=limits,
        created_date=_date(np.concatenate([c["created"] for c in custs])),
    )


def _reps_table(rng: np.random.Generator, repss: list[dict], rep_ids: list[pa.Array], quota: np.ndarray) -> pa.Table:
    """Reps sorted by id; every rep of a slot carries the slot's share of the unit quota."""
    parts = []
    for u, reps in enumerate(repss):
        n = len(reps["hire"])
        share = rng.uniform(0.8, 1.2, reps["slot_of"].max() + 1)
        names = np.array(
            [SURNAMES[a] + GIVEN[b] for a, b in zip(rng.integers(0, len(SURNAMES), n), rng.integers(0, len(GIVEN), n))]
        )
        o = np.argsort(np.array(rep_ids[u].to_pylist()), kind="stable")
        parts.append(
            pa.table(
                dict(
                    rep_id=rep_ids[u].take(pa.array(o)),
                    rep_name=names[o],
                    unit=UNIT_NAMES[np.full(n, u)],
                    hire_date=_date(reps["hire"][o]),
                    exit_date=_date(reps["exit"][o], reps["exit"][o] < 0),
                    quarterly_quota=(np.round(quota[u] * share / share.sum() / 1000) * 1000)[reps["slot_of"][o]],
                )
            )
        )
    return pa.concat_tables(parts)


def _opportunities_table(opps: list[dict], cust_ids: list[pa.Array], rep_ids: list[pa.Array]) -> dict:
    """Opportunities of all units, numbered by created date (a duplicate keeps its original's id)."""
    unit = np.concatenate([np.full(len(p["c"]), u) for u, p in enumerate(opps)])
    srt = np.lexsort((unit, np.concatenate([p["created"] for p in opps])))
    o = {key: np.concatenate([p[key] for p in opps])[srt] for key in opps[0]}
    ids = {
        key: pa.concat_arrays([ids[u].take(pa.array(p[key])) for u, p in enumerate(opps)]).take(pa.array(srt))
        for key, ids in (("c", cust_ids), ("rep", rep_ids))
    }
    ids["c"] = pc.if_else(pa.array(o["typo"]), pc.replace_substring(ids["c"], "C-ONL-", "C-0NL-"), ids["c"])
    number = np.cumsum(~o["dup"])
    return dict(
        opportunity_id=_ids("OPP-", number, max(6, len(str(number[-1])))),
        unit=UNIT_NAMES[unit[srt]],
        created_date=_date(o["created"]),
        status=o["status"],
        amount=o["amount"],
        close_date=_date(o["close"], o["close"] < 0),
        customer_id=ids["c"],
        rep_id=ids["rep"],
        stage=o["stage"],
        loss_reason=pa.array(o["reason"].tolist(), pa.string()),
        competitor=pa.array(o["competitor"].tolist(), pa.string()),
    )


def _build(seed: int, k: int) -> tuple[dict[str, dict | pa.Table], dict[str, list]]:
    """Every table as columns, plus the entities behind each injected risk."""
    rng = np.random.default_rng(seed)
    catalog = _catalog(rng)
    rngs = [np.random.default_rng([seed, u]) for u in range(len(UNITS))]  # one stream per unit
    custs = [_customers(rngs[u], unit, k, catalog[3]) for u, unit in enumerate(UNITS)]
    repss = [_reps(rngs[u], unit, k, custs[u]) for u, unit in enumerate(UNITS)]
    lines = _merge([_orders(rngs[u], unit, custs[u], repss[u], catalog) for u, unit in enumerate(UNITS)], custs, repss)
    stop_paying = np.concatenate([c["stop_paying"] for c in custs])
    inv, pay = _invoices(rng, lines, rng.choice(3, len(stop_paying), p=[0.45, 0.45, 0.10]), stop_paying)
    in_2025 = (lines["status"] == 0) & (lines["day"] >= _day("2025-01-01")) & (lines["day"] < _day("2026-01-01"))
    quota = np.bincount(lines["unit"], weights=np.where(in_2025, lines["amount"], 0), minlength=len(UNITS)) / 4
    inventory = _inventory(rng, lines)
    lines = _corrupt_online(rng, lines)
    cust_ids = [
        _ids(f"C-{SPECS[u].code}-", np.arange(1, len(c["r"]) + 1), max(4, len(str(len(c["r"])))))
        for u, c in zip(UNITS, custs)
    ]
    rep_ids = []
    for unit, reps in zip(UNITS, repss):  # rep numbers follow hire dates
        num = np.empty(len(reps["hire"]), np.int64)
        num[np.lexsort((np.arange(len(num)), reps["hire"]))] = np.arange(1, len(num) + 1)
        rep_ids.append(_ids(f"R-{SPECS[unit].code}-", num, max(2, len(str(len(num))))))
    all_cust = pa.concat_arrays(cust_ids)
    invoice_ids = _ids("INV-", np.arange(1, len(inv["order"]) + 1), max(7, len(str(len(inv["order"])))))
    tables = {
        "orders": _orders_table(lines, all_cust, pa.concat_arrays(rep_ids)),
        "customers": _customers_table(rng, custs, all_cust, _credit_limits(inv, stop_paying)),
        "reps": _reps_table(rng, repss, rep_ids, quota),
        "invoices": dict(
            invoice_id=invoice_ids,
            customer_id=all_cust.take(pa.array(inv["c"])),
            unit=UNIT_NAMES[inv["unit"]],
            issue_date=_date(inv["day"]),
            due_date=_date(inv["day"] + 30),
            amount=inv["amount"],
            order_id=_order_ids(inv["order"]),
            disputed=inv["disputed"],
        ),
        "payments": dict(
            invoice_id=invoice_ids.take(pa.array(pay["inv"])), payment_date=_date(pay["day"]), amount=pay["amount"]
        ),
        "opportunities": _opportunities_table(
            [_opportunities(rngs[u], unit, k, custs[u], repss[u], quota[u]) for u, unit in enumerate(UNITS)],
            cust_ids,
            rep_ids,
        ),
        "inventory": inventory,
        "incidents": _incidents(rng),
    }
    picked = {
        u: cust_ids[UNITS.index(u)].take(pa.array(custs[UNITS.index(u)]["picked"], pa.int64())).to_pylist()
        for u in ("east", "key_accounts")
    }
    south = UNITS.index("south")
    leavers = sorted(rep_ids[south].take(pa.array(repss[south]["gone"], pa.int64())).to_pylist())
    return tables, {**picked, "south": leavers, "north": [COMPETITORS[0]], "online": []}


def generate(out_dir: Path, scale: int = 1, seed: int = 20260930) -> Path:
    """Write the eight canonical tables as CSV plus ground_truth.json into out_dir; return out_dir."""
    if not isinstance(scale, (int, np.integer)) or isinstance(scale, bool) or scale < 1:
        raise ValueError(f"The value for `scale` must be a positive integer, but {scale!r} was passed.")
    out_dir = Path(out_dir)
    tables, entities = _build(int(seed), int(scale))
    truth = {
        "company": COMPANY,
        "currency": CURRENCY,
        "period": PERIOD,
        "start": str(START),
        "end": str(END),
        "scale": int(scale),
        "seed": int(seed),
        "risks": [
            dict(unit=u, risk=r, family=f, kris=kris, related_kris=rel, description=text, entities=entities[u])
            for u, r, f, kris, rel, text in RISKS
        ],
        "healthy_units": ["west"],
    }
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        for name, cols in tables.items():
            _write_csv(cols if isinstance(cols, pa.Table) else pa.table(cols), tmp / f"{name}.csv")
        (tmp / "ground_truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=2) + "\n", "utf-8")
        with contextlib.suppress(FileNotFoundError):  # another process may have moved it
            out_dir.rename(old)
        try:
            tmp.rename(out_dir)
        except OSError:  # another process published the folder first
            if not (out_dir / "ground_truth.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return out_dir
