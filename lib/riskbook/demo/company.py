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


BRANCHES: tuple[tuple[str, str, str], ...] = tuple(
    (city.lower().replace("'", "").replace(" ", "_"), f"{city} branch", f"{zh}分公司")
    for city, zh in (
        ("Shanghai", "上海"),
        ("Guangzhou", "广州"),
        ("Beijing", "北京"),
        ("Chengdu", "成都"),
        ("Hangzhou", "杭州"),
        ("Shenzhen", "深圳"),
        ("Nanjing", "南京"),
        ("Xiamen", "厦门"),
        ("Tianjin", "天津"),
        ("Chongqing", "重庆"),
        ("Suzhou", "苏州"),
        ("Dongguan", "东莞"),
        ("Ningbo", "宁波"),
        ("Fuzhou", "福州"),
        ("Jinan", "济南"),
        ("Xi'an", "西安"),
        ("Wuxi", "无锡"),
        ("Foshan", "佛山"),
        ("Hefei", "合肥"),
        ("Nanning", "南宁"),
        ("Qingdao", "青岛"),
        ("Kunming", "昆明"),
        ("Changzhou", "常州"),
        ("Zhuhai", "珠海"),
        ("Shijiazhuang", "石家庄"),
        ("Guiyang", "贵阳"),
        ("Wuhan", "武汉"),
        ("Changsha", "长沙"),
        ("Wenzhou", "温州"),
        ("Haikou", "海口"),
        ("Dalian", "大连"),
        ("Lanzhou", "兰州"),
        ("Shenyang", "沈阳"),
        ("Zhengzhou", "郑州"),
        ("Nantong", "南通"),
        ("Quanzhou", "泉州"),
        ("Harbin", "哈尔滨"),
        ("Taiyuan", "太原"),
        ("Changchun", "长春"),
        ("Nanchang", "南昌"),
        ("Yantai", "烟台"),
        ("Xuzhou", "徐州"),
        ("Shantou", "汕头"),
        ("Huizhou", "惠州"),
        ("Urumqi", "乌鲁木齐"),
        ("Hohhot", "呼和浩特"),
        ("Yinchuan", "银川"),
        ("Xining", "西宁"),
    )
)  # a unit id, its English and its Chinese name, for companies of more (or fewer) units than the demo's six


def _write_params(folder: Path, template: dict[str, str]) -> None:
    """company.yaml (the demo company's settings, its data this folder) and units/<id>.yaml with the names."""
    import yaml

    from riskbook.core import config

    src = (config.PARAMS_DIR / "company.yaml").read_text(encoding="utf-8")
    lines = [
        "data: .  # the tables beside this file" if line.startswith("data:") else line
        for line in src.splitlines()
        if not line.startswith("company:")
    ]
    n = len(template)
    head = f"company: {{en: Demo Trading Group ({n} branches), zh: 演示贸易集团（{n}家分公司）}}"
    (folder / "company.yaml").write_text("\n".join([head, *lines]) + "\n", encoding="utf-8")
    (folder / "units").mkdir()
    names = {b[0]: b for b in BRANCHES}
    for unit in template:
        doc = {"name": {"en": names[unit][1], "zh": names[unit][2]}}
        (folder / "units" / f"{unit}.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")


def _branches(tables: dict[str, dict | pa.Table], entities: dict[str, list], copy: int, keep: int) -> tuple:
    """One copy of the six units renamed as branches ``copy·6 …``: unit ids, and ids prefixed ``B<copy>-`` after
    the first copy (so customers, reps, orders and invoices stay unique across copies); only the first ``keep``
    units of the copy. Returns (tables, entities by new unit, the copy's unit ids by template)."""
    import pyarrow.compute as pc

    names = {u: BRANCHES[copy * len(UNITS) + i][0] for i, u in enumerate(UNITS[:keep])}
    prefix = f"B{copy:02d}-" if copy else ""
    out: dict[str, pa.Table] = {}
    for name, cols in tables.items():
        tb = cols if isinstance(cols, pa.Table) else pa.table(cols)
        if "unit" in tb.column_names:
            tb = tb.filter(pc.is_in(tb["unit"], pa.array(list(names))))
            tb = tb.set_column(
                tb.column_names.index("unit"), "unit", pa.array([names[u] for u in tb["unit"].to_pylist()])
            )
        for col in tb.column_names:
            if prefix and col.endswith("_id") and col != "product_id":
                tb = tb.set_column(tb.column_names.index(col), col, pc.binary_join_element_wise(prefix, tb[col], ""))
        out[name] = tb
    if "payments" in out:  # payments carry no unit: those of the invoices kept
        out["payments"] = out["payments"].filter(pc.is_in(out["payments"]["invoice_id"], out["invoices"]["invoice_id"]))
    ents = {
        names[u]: [f"{prefix}{e}" if e.startswith(("C-", "R-")) else e for e in v]
        for u, v in entities.items()
        if u in names
    }
    return out, ents, names


def _many(seed: int, scale: int, units: int) -> tuple[dict[str, pa.Table], dict[str, list], dict[str, str]]:
    """A company of ``units`` branches: the six demo units again and again (each copy its own seed), named by city."""
    copies = -(-units // len(UNITS))
    parts, entities, template = [], {}, {}
    for c in range(copies):
        tables, ents = _build(seed + c, scale)
        keep = min(len(UNITS), units - c * len(UNITS))
        t, e, names = _branches(tables, ents, c, keep)
        parts.append(t)
        entities.update(e)
        template.update({new: old for old, new in names.items()})
    merged = {name: pa.concat_tables([p[name] for p in parts], promote_options="default") for name in parts[0]}
    return merged, entities, template


def generate(out_dir: Path, scale: int = 1, seed: int = 20260930, units: int = len(UNITS)) -> Path:
    """Write the eight canonical tables as CSV plus ground_truth.json into out_dir; return out_dir.

    ``units`` other than six makes a company of that many branches named after cities: the six demo units
    copied (each copy from its own seed) with their injected risks, ids prefixed per copy; the folder then
    also holds company.yaml and units/<id>.yaml (names in English and Chinese), so that
    ``riskbook run --config out_dir/company.yaml`` reports it under its branches' names."""
    if not isinstance(scale, (int, np.integer)) or isinstance(scale, bool) or scale < 1:
        raise ValueError(f"The value for `scale` must be a positive integer, but {scale!r} was passed.")
    if not isinstance(units, (int, np.integer)) or isinstance(units, bool) or not 1 <= units <= len(BRANCHES):
        raise ValueError(f"The value for `units` must be from 1 to {len(BRANCHES)}, but {units!r} was passed.")
    out_dir = Path(out_dir)
    template = {u: u for u in UNITS}
    if units == len(UNITS):
        tables, entities = _build(int(seed), int(scale))
    else:
        tables, entities, template = _many(int(seed), int(scale), int(units))
    by_template: dict[str, list[str]] = {}
    for new, old in template.items():
        by_template.setdefault(old, []).append(new)
    truth = {
        "company": COMPANY,
        "currency": CURRENCY,
        "period": PERIOD,
        "start": str(START),
        "end": str(END),
        "scale": int(scale),
        "seed": int(seed),
        "risks": [
            dict(unit=u2, risk=r, family=f, kris=kris, related_kris=rel, description=text, entities=entities[u2])
            for u, r, f, kris, rel, text in RISKS
            for u2 in by_template.get(u, [])
        ],
        "healthy_units": by_template.get("west", []),
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
        if units != len(UNITS):
            _write_params(tmp, template)
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
