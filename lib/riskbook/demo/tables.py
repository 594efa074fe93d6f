"""The demo's tables as Arrow columns and CSV files: ids, dates, merged units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from riskbook.demo.spec import GIVEN, INDUSTRIES, NAME_CORE, NAME_KIND, SPECS, START, SURNAMES, UNIT_NAMES, UNITS


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
