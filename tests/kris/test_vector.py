"""The KRIs computed for every period at once (riskbook.kris.vector) equal the per-period functions, the
reference: on the demo at two scales and seeds, on companies shaped unlike it (cut mid-month, a thin last
month, no exit dates), in quarter, month and year reports, and on random dirty tables (hypothesis)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskbook import kris
from riskbook.core.periods import Period
from riskbook.demo import company as demo
from riskbook.demo import shapes
from riskbook.ingest import store
from riskbook.kris import vector
from riskbook.kris.context import Context, NotApplicable
from riskbook.stages.unit import open_unit

COUNTS = ("compliance_incidents", "incident_count")  # whole numbers: equal exactly


def reference(k: kris.KRI, ctx: Context) -> float | None:
    """The per-period function's value at ``ctx.period`` (None where it does not apply), unrounded."""
    try:
        c = k.context(ctx)
        for check in k.applies:
            check(c)
        with np.errstate(all="ignore"):
            out = k.fn(c)
    except NotApplicable:
        return None
    return float(out[0] if isinstance(out, tuple) else out)


def compare(ctx: Context, periods: list[Period]) -> int:
    """Assert every value the vector forms give equals the reference; the number of values compared."""
    found = vector.values(ctx, periods, list(vector.FORMS))
    n = 0
    for kid, values in found.items():
        k = kris.REGISTRY[kid]
        for p in periods:
            if str(p) not in values:
                continue
            want = reference(k, ctx.at(p))
            if want is None:  # the KRI does not apply there: prefill keeps the reference's reason
                with pytest.raises(NotApplicable):
                    for check in k.applies:
                        check(k.context(ctx.at(p)))
                continue
            got = values[str(p)]
            if kid in COUNTS:
                assert got == want, (kid, str(p))
            elif math.isfinite(want):
                assert got == pytest.approx(want, rel=1e-9, abs=1e-12), (kid, str(p))
            else:
                assert not math.isfinite(got), (kid, str(p))
            n += 1
    return n


def units_of(folder: Path, periods: tuple[str, ...]) -> int:
    s = store.ingest(folder)
    compared = 0
    for unit in store.read_meta(s)["units"]:
        for period in periods:
            ctx = open_unit(unit, period, data=str(folder)).ctx
            compared += compare(ctx, vector.report_periods(ctx.period))
    return compared


@pytest.mark.slow
@pytest.mark.parametrize(("scale", "seed"), [(1, 20260930), (2, 7)])
def test_demo_at_scales_and_seeds(tmp_path: Path, scale: int, seed: int) -> None:
    folder = demo.generate(tmp_path / "data", scale=scale, seed=seed)
    assert units_of(folder, ("2026Q3", "2026-08", "2025")) > 1000  # most KRIs at most periods


@pytest.mark.slow
@pytest.mark.parametrize("shape", [{}, {"cut": "2026-08-17"}, {"thin": "2026-09", "exit_dates": False}])
def test_companies_unlike_the_demo(tmp_path: Path, shape: dict) -> None:
    folder = shapes.generate(tmp_path / "data", seed=3, **shape)
    assert units_of(folder, ("2026Q3", "2026-08")) > 500


DAY = st.integers(0, 720).map(lambda d: pd.Timestamp("2025-01-01") + pd.Timedelta(days=d))
MAYBE = st.one_of(st.none(), DAY)
AMOUNT = st.one_of(st.none(), st.floats(-500, 5000, allow_nan=False), st.sampled_from([0.0, 100.0]))
STATUS = st.sampled_from([None, "completed", "cancelled", "returned", "pending"])


def _frame(rows: list[dict]) -> pd.DataFrame:
    """Rows in the store's types: dates, numbers, text (a flag column stays as read: True, False, blank)."""
    df = pd.DataFrame(rows)
    for c in df.columns:
        if c.endswith("date") or c == "date":
            df[c] = pd.to_datetime(df[c]).astype("datetime64[us]")
        elif c in ("amount", "list_price", "unit_price", "quantity", "severity"):
            df[c] = pd.to_numeric(df[c]).astype(float)
        elif c not in ("disputed", "discount_approved"):
            df[c] = df[c].astype("str")
    return df.assign(_dq=np.where(np.arange(len(df)) % 7 == 3, "bad", None), _dup=np.arange(len(df)) % 11 == 5)


@st.composite
def company_tables(draw) -> dict[str, pd.DataFrame]:
    n = draw(st.integers(1, 60))
    orders = [
        {
            "order_date": draw(MAYBE),
            "amount": draw(AMOUNT),
            "status": draw(STATUS),
            "customer_id": draw(st.sampled_from([None, "C1", "C2", "C3", "C4"])),
            "list_price": draw(st.one_of(st.none(), st.sampled_from([0.0, 10.0, 20.0]))),
            "unit_price": draw(st.one_of(st.none(), st.floats(0, 25, allow_nan=False))),
            "quantity": draw(st.one_of(st.none(), st.integers(-2, 5).map(float))),
            "discount_approved": draw(st.sampled_from([None, True, False])),
        }
        for _ in range(n)
    ]
    invoices = [
        {"invoice_id": draw(st.sampled_from(["I1", "I2", "I3", None])), "issue_date": draw(MAYBE)}
        | {"amount": draw(AMOUNT), "disputed": draw(st.sampled_from([None, True, False]))}
        for _ in range(draw(st.integers(1, 12)))
    ]
    opps = [
        {"close_date": draw(MAYBE), "status": draw(st.sampled_from(["won", "lost", "open", None]))}
        | {"competitor": draw(st.sampled_from([None, "Rival"]))}
        for _ in range(draw(st.integers(1, 20)))
    ]
    incidents = [
        {"date": draw(MAYBE), "severity": draw(st.one_of(st.none(), st.integers(1, 5).map(float)))}
        | {"category": draw(st.sampled_from(["legal", "compliance", "system", None]))}
        for _ in range(draw(st.integers(1, 8)))
    ]
    return {"orders": _frame(orders), "invoices": _frame(invoices), "opportunities": _frame(opps)} | {
        "incidents": _frame(incidents)
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables=company_tables(), period=st.sampled_from(["2026Q2", "2025Q4", "2026-03", "2026"]))
def test_random_dirty_tables(tables: dict[str, pd.DataFrame], period: str) -> None:
    p = Period.parse(period)
    ctx = Context(tables, p, {}, pd.Timestamp("2025-01-01"), as_of=pd.Timestamp("2026-11-30"))
    compare(ctx, vector.report_periods(p))


def test_prefill_gives_the_reference_values_and_reasons(tmp_path: Path) -> None:
    """What a report reads (compute, with the memo prefilled) is what the per-period functions give."""
    folder = shapes.generate(tmp_path / "data", seed=5, cut="2026-09-15")
    store.ingest(folder)
    for unit in ("web", "reseller"):
        fast = kris.compute(open_unit(unit, "2026Q3", data=str(folder)).ctx)
        ctx = open_unit(unit, "2026Q3", data=str(folder)).ctx
        slow = [kris.value_at(kris.REGISTRY[i], ctx) for i in fast["id"]]  # nothing prefilled: one by one
        for (want, _), got in zip(slow, fast["value"]):
            assert (want is None and pd.isna(got)) or got == pytest.approx(want, rel=1e-9, abs=1e-6)
        assert all(reason in (r or "") for (_, reason), r in zip(slow, fast["reason"]) if reason)
