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
import os
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa

from riskbook.demo.operations import _incidents, _inventory, _opportunities
from riskbook.demo.people import _customers, _reps
from riskbook.demo.receivables import _credit_limits, _invoices
from riskbook.demo.sales import _catalog, _corrupt_online, _orders
from riskbook.demo.spec import COMPANY, COMPETITORS, CURRENCY, END, PERIOD, RISKS, SPECS, START, UNIT_NAMES, UNITS, _day
from riskbook.demo.tables import (
    _customers_table,
    _date,
    _ids,
    _merge,
    _opportunities_table,
    _order_ids,
    _orders_table,
    _reps_table,
    _write_csv,
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
